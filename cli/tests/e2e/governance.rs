//! Consortium governance on the four-validator local network, driven through the `medtrust`
//! CLI: a fifth institution is admitted by vote, its node joins and authors blocks; it is
//! suspended (its accounts are refused) and removed (it stops authoring and is disconnected);
//! non-members are refused; the minimum number of validators holds. Records anchored before,
//! during and after those changes of the GRANDPA authority set verify offline, with the chain
//! spec as the only trust anchor: their evidence follows every set change from genesis.

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use medtrust_client::Chain;
use serde_json::Value;
use subxt_signer::{sr25519::Keypair, SecretUri};

use crate::harness::{
	exclusive, laboratory_as, medtrust, medtrust_json, raw_chain_spec, repo_root,
	start_local_consortium, verify_offline, verify_offline_strict, wait_for, wait_until_finalized,
	Node, NodeConfig, NodeKey, Phases,
};

fn address(uri: &str) -> String {
	let uri: SecretUri = uri.parse().expect("a valid URI");
	Keypair::from_uri(&uri).expect("a key").public_key().to_account_id().to_string()
}

/// Proposes with Alice, votes aye with Alice, Bob and Charlie (three of four: a majority; a
/// proposer votes like everyone else), closes with Dave; returns the motion's outcome (`ok` or
/// the error of the call).
fn decide(url: &str, propose: &[&str]) -> String {
	let mut args = vec!["--url", url, "--signer", "//Alice", "consortium"];
	args.extend_from_slice(propose);
	let proposed = medtrust_json(&args);
	let hash = proposed["motion_hash"].as_str().expect("a motion awaiting votes").to_string();
	for voter in ["//Alice", "//Bob", "//Charlie"] {
		medtrust_json(&["--url", url, "--signer", voter, "consortium", "vote", &hash, "--aye"]);
	}
	let closed = medtrust_json(&["--url", url, "--signer", "//Dave", "consortium", "close", &hash]);
	closed["motion_result"].as_str().expect("the motion executed").to_string()
}

fn institutions(url: &str) -> Vec<Value> {
	medtrust_json(&["--url", url, "consortium", "list"]).as_array().expect("a list").clone()
}

/// Waits until the validator set has `count` members.
async fn wait_for_validators(chain: &Chain, count: usize) -> Vec<String> {
	wait_for(&format!("{count} validators"), Duration::from_secs(240), || async {
		let status = chain.status().await.map_err(|e| e.to_string())?;
		let keys: Vec<String> = status.validators.iter().map(|v| v.aura.clone()).collect();
		Ok((keys.len() == count).then_some(keys))
	})
	.await
}

/// A laboratory of institution #0 that anchors records on the consortium and checks them
/// offline against the raw chain spec.
pub struct Laboratory {
	pub dir: tempfile::TempDir,
	url: String,
	pub source: String,
	pub resource: String,
	runs: u32,
	/// Who anchors (`--signer`).
	signer: String,
	/// The raw chain spec offline verification trusts.
	pub spec: PathBuf,
	/// Whether that spec names development keys (`--allow-dev-keys`).
	dev_keys: bool,
}

impl Laboratory {
	/// The laboratory of Alice's institution on the local consortium.
	pub async fn set_up(chain: &Chain, url: &str) -> Laboratory {
		let mut lab = Laboratory::set_up_as(chain, url, "//Alice", None).await;
		raw_chain_spec(
			repo_root().join("chain-specs/local.json").to_str().expect("UTF-8"),
			&lab.dir.path().join("local-raw.json"),
		);
		lab.spec = lab.dir.path().join("local-raw.json");
		lab.dev_keys = true;
		lab
	}

	/// The laboratory of `signer`'s institution, verifying offline against the raw `spec`
	/// (a founded consortium's: no development keys).
	pub async fn set_up_as(
		chain: &Chain,
		url: &str,
		signer: &str,
		spec: Option<&Path>,
	) -> Laboratory {
		let dir = tempfile::tempdir().expect("a temp dir");
		let keys = dir.path().join("keys");
		medtrust_json(&["keys", "create", "--keys", keys.to_str().expect("UTF-8")]);
		let (source, resource) = laboratory_as(chain, url, "华西检验LIS", signer).await;
		Laboratory {
			dir,
			url: url.into(),
			source: source.to_string(),
			resource: resource.to_string(),
			runs: 0,
			signer: signer.into(),
			spec: spec.map(Path::to_path_buf).unwrap_or_default(),
			dev_keys: false,
		}
	}

	/// Anchors three lab results as a batch; returns the second's record and certificate
	/// (extracted from the batch's archive).
	pub fn anchor(&mut self) -> (std::path::PathBuf, std::path::PathBuf) {
		self.runs += 1;
		let run = self.dir.path().join(format!("run-{}", self.runs));
		std::fs::create_dir_all(&run).expect("created");
		let rows: Vec<String> = (1..=3)
			.map(|i| {
				format!("{{\"order\":\"R{}-{i}\",\"item\":\"GLU\",\"value\":5.{i}}}", self.runs)
			})
			.collect();
		std::fs::write(run.join("results.ndjson"), rows.join("\n")).expect("written");
		std::fs::write(run.join("record.json"), &rows[1]).expect("written");
		medtrust_json(&[
			"--url",
			&self.url,
			"--signer",
			&self.signer,
			"anchor",
			run.join("results.ndjson").to_str().expect("UTF-8"),
			"--source",
			&self.source,
			"--resource",
			&self.resource,
			"--batch",
			"--out",
			run.join("out").to_str().expect("UTF-8"),
			"--keys",
			self.dir.path().join("keys").to_str().expect("UTF-8"),
		]);
		let certificate = run.join("2.json");
		medtrust_json(&[
			"certificate",
			"extract",
			run.join("out").to_str().expect("UTF-8"),
			"--record",
			"2",
			"--out",
			certificate.to_str().expect("UTF-8"),
		]);
		(run.join("record.json"), certificate)
	}

	/// Verifies offline; returns the GRANDPA authority set that finalized the record's block.
	pub fn verify_offline(&self, record: &Path, certificate: &Path) -> u64 {
		let (code, verdict, reason) = match self.dev_keys {
			true => verify_offline(record, certificate, &self.spec),
			false => verify_offline_strict(record, certificate, &self.spec),
		};
		assert_eq!((code, verdict.as_str()), (Some(0), "valid"), "{reason}");
		let set = reason
			.split("authority set ")
			.nth(1)
			.and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
			.and_then(|n| n.parse().ok());
		set.unwrap_or_else(|| panic!("the verdict names no authority set: {reason}"))
	}
}

/// The minimum of four validators holds, and non-members are refused with a clear error,
/// changing nothing.
fn refusals(url: &str) {
	let before = institutions(url);
	let out = medtrust(&[
		"--url",
		url,
		"--signer",
		"//Ferdie",
		"consortium",
		"add-member",
		&address("//Ferdie//x"),
	]);
	assert!(!out.status.success());
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("not an account of any active institution"), "{stderr}");
	assert_eq!(institutions(url), before);
	// Removing one of the four founders fails.
	let outcome = decide(url, &["remove", "3"]);
	assert!(outcome.contains("TooFewValidators"), "{outcome}");
	assert_eq!(institutions(url)[3]["status"], "active");
}

/// The fifth institution's admin.
const FIFTH: &str = "//MedTrust//Institution5";

/// A fifth institution is admitted by a majority of the four; its node joins, registers its
/// session keys, and authors blocks after the next sessions. Returns its node and its
/// validator's key.
async fn admit_fifth(chains: &[Chain], bootnodes: &[String]) -> (Node, String) {
	let url = chains[0].url();
	let node_key = NodeKey::generate();
	let admit = [
		"propose-admit",
		"--name",
		"四川大学华西医院",
		"--credit-code",
		"12510000450752735P",
		"--region",
		"510107",
		"--kind",
		"hospital",
		"--admin",
		&address(FIFTH),
		"--peer-id",
		&node_key.peer_id,
	];
	assert_eq!(decide(url, &admit), "ok");
	let all = institutions(url);
	assert_eq!(all.len(), 5);
	assert_eq!(all[4]["name"], "四川大学华西医院");
	assert_eq!(all[4]["status"], "active");

	let spec = repo_root().join("chain-specs/local.json");
	let mut node = Node::start(NodeConfig {
		name: "institution-5".into(),
		args: vec![
			"--chain".into(),
			spec.to_str().expect("UTF-8").into(),
			"--validator".into(),
			"--allow-dev-keys".into(),
		],
		bootnodes: bootnodes.to_vec(),
		node_key_file: Some(node_key.file.clone()),
		base_path: None,
	});
	let fifth_chain = node.connect().await;
	wait_for("the fifth node to sync", Duration::from_secs(120), || async {
		let mine = fifth_chain.status().await.map_err(|e| e.to_string())?;
		let theirs = chains[0].status().await.map_err(|e| e.to_string())?;
		let synced = !mine.is_syncing && mine.best.number + 1 >= theirs.best.number;
		Ok((mine.peers > 0 && synced).then_some(()))
	})
	.await;
	// The keys are made in the fifth node's keystore; the transaction goes through a founder.
	let set_keys = ["--url", url, "--signer", FIFTH, "consortium", "set-keys", "--node-url"];
	medtrust_json(&[&set_keys[..], &[node.url().as_str()]].concat());
	let validators = wait_for_validators(&chains[0], 5).await;
	// Validators follow admission order: the fifth institution's is last.
	let position = 4;
	wait_for("a block authored by the fifth validator", Duration::from_secs(90), || async {
		let best = chains[0].header(None).await.map_err(|e| e.to_string())?;
		Ok((medtrust_client::chain::status::author_index(&best, validators.len())
			== Some(position))
		.then_some(()))
	})
	.await;
	(node, validators[position].clone())
}

/// Suspended, the fifth institution's accounts are refused; removed, it leaves the validator
/// set and its node is disconnected.
async fn suspend_and_remove(chains: &[Chain], node: &Node, fifth_key: &str) {
	let url = chains[0].url();
	assert_eq!(decide(url, &["suspend", "4"]), "ok");
	let add = ["--url", url, "--signer", FIFTH, "consortium", "add-member"];
	let out = medtrust(&[&add[..], &[address("//Ferdie//y").as_str()]].concat());
	assert!(!out.status.success());
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("institution is suspended"), "{stderr}");

	assert_eq!(decide(url, &["remove", "4"]), "ok");
	assert_eq!(institutions(url)[4]["status"], "removed");
	let validators = wait_for_validators(&chains[0], 4).await;
	assert!(
		!validators.iter().any(|v| v == fifth_key),
		"the removed validator is still in the set"
	);
	let start = chains[0].header(None).await.expect("best header").number;
	wait_for("eight more blocks by the four founders", Duration::from_secs(60), || async {
		let best = chains[0].header(None).await.map_err(|e| e.to_string())?;
		Ok((best.number >= start + 8).then_some(()))
	})
	.await;
	let fifth_chain = Chain::connect(&node.url()).await.expect("the fifth node answers");
	wait_for("the fifth node to be disconnected", Duration::from_secs(90), || async {
		let health = fifth_chain.legacy().system_health().await.map_err(|e| e.to_string())?;
		Ok((health.peers == 0).then_some(()))
	})
	.await;
	for chain in chains {
		let health = chain.legacy().system_health().await.expect("health");
		assert_eq!(health.peers, 3, "a founder still sees the removed node");
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_fifth_institution_is_admitted_by_vote_validates_and_is_removed() {
	let _lock = exclusive().await;
	let mut phase = Phases::new("governance", "the local consortium");
	let (_nodes, chains, bootnodes) = start_local_consortium().await;
	let url = chains[0].url().to_string();
	wait_until_finalized(&chains[0], 2).await;
	phase.enter("a record certified by the genesis authority set");
	let mut lab = Laboratory::set_up(&chains[0], &url).await;
	let (genesis_record, genesis_certificate) = lab.anchor();
	assert_eq!(lab.verify_offline(&genesis_record, &genesis_certificate), 0);
	// Anyone holding the repository can run this network and forge such a certificate: its
	// chain spec is not trusted without --allow-dev-keys.
	let (code, verdict, reason) =
		verify_offline_strict(&genesis_record, &genesis_certificate, &lab.spec);
	assert_eq!((code, verdict.as_str()), (Some(3), "untrusted-chain-spec"), "{reason}");
	assert!(reason.contains("Alice"), "{reason}");

	phase.enter("refusals");
	refusals(&url);
	phase.enter("a fifth institution admitted by vote");
	let (node, fifth_key) = admit_fifth(&chains, &bootnodes).await;
	// A record certified after the set changed to five: its evidence carries the change.
	let (five_record, five_certificate) = lab.anchor();
	let five = lab.verify_offline(&five_record, &five_certificate);
	assert!(five >= 1, "the five validators are authority set {five}");

	phase.enter("the fifth suspended and removed");
	suspend_and_remove(&chains, &node, &fifth_key).await;
	phase.enter("evidence across three authority sets");
	// After the set changed back to four, a new record's evidence follows both changes, and
	// the earlier certificates still verify offline on their own evidence.
	let (record, certificate) = lab.anchor();
	let four = lab.verify_offline(&record, &certificate);
	assert!(
		four > five,
		"the four remaining validators are authority set {four}, not after {five}"
	);
	eprintln!("offline verification followed GRANDPA authority sets 0, {five} and {four}");
	assert_eq!(lab.verify_offline(&genesis_record, &genesis_certificate), 0);
	assert_eq!(lab.verify_offline(&five_record, &five_certificate), five);
}
