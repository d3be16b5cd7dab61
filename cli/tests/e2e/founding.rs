//! A consortium founded on its institutions' own keys, as four operators found one: each runs
//! `medtrust-node founding init` on its machine (keys readable by their owner only), one runs
//! `founding spec` on the four institution.json files, every node starts with
//! `--chain <spec> --base-path <dir> --validator` and nothing else. The network authors and
//! finalizes on the fresh keys, anchors and verifies online and offline (without
//! `--allow-dev-keys`), while development keys are refused wherever they would be trusted.
//! (The upgrade by vote on such a consortium is `upgrade.rs`.)

use std::{
	os::unix::fs::PermissionsExt as _,
	path::Path,
	process::{Command, Stdio},
	time::{Duration, Instant},
};

use crate::{
	governance::Laboratory,
	harness::{
		exclusive, founding_init, founding_init_output, founding_spec, free_port, medtrust_json,
		node_binary, node_command, repo_root, start_founded_consortium, verify_offline_strict,
		wait_until_finalized, Cli, NodeKey, Phases, FOUNDERS,
	},
};

/// The well-known development accounts of the local network's founders.
const DEV_ADMINS: [&str; 4] = [
	"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
	"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
	"5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
	"5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy",
];

fn mode(path: &Path) -> u32 {
	std::fs::metadata(path).expect("it exists").permissions().mode() & 0o777
}

/// Every file under `dir` and its mode, recursively.
fn modes_under(dir: &Path) -> Vec<(String, u32)> {
	let mut found = Vec::new();
	for entry in std::fs::read_dir(dir).expect("a directory") {
		let path = entry.expect("an entry").path();
		found.push((path.display().to_string(), mode(&path)));
		if path.is_dir() {
			found.extend(modes_under(&path));
		}
	}
	found
}

/// Starts `medtrust-node` with `args` on a temporary base path and free loopback ports,
/// expecting it to refuse to run: its exit status and log.
fn node_refuses(args: &[&str]) -> String {
	let base = tempfile::tempdir().expect("a temporary directory");
	let mut child = Command::new(node_binary())
		.args(args)
		.args(["--base-path", base.path().to_str().expect("UTF-8")])
		.args(["--rpc-port", &free_port().to_string()])
		.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{}", free_port())])
		.args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.expect("medtrust-node starts");
	let started = Instant::now();
	while child.try_wait().expect("the status").is_none() {
		if started.elapsed() > Duration::from_secs(60) {
			let _ = child.kill();
			let out = child.wait_with_output().expect("its output");
			panic!(
				"medtrust-node {} still runs after 60 s:\n{}",
				args.join(" "),
				String::from_utf8_lossy(&out.stderr)
			);
		}
		std::thread::sleep(Duration::from_millis(200));
	}
	let out = child.wait_with_output().expect("its output");
	assert!(!out.status.success(), "medtrust-node {} exited successfully", args.join(" "));
	String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `founding init` and `founding spec` refuse, before anything is written.
fn founding_refusals() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let base = dir.path().join("bad");
	let (name, code, kind, region) = FOUNDERS[0];
	let out = founding_init_output((name, "121000004000003012", kind, region), &base);
	assert!(!out.status.success());
	assert!(String::from_utf8_lossy(&out.stderr).contains("check character"));
	assert!(!base.exists(), "a refused init writes nothing");
	let out = founding_init_output((name, code, "clinic", region), &base);
	assert!(String::from_utf8_lossy(&out.stderr).contains("health-commission"), "kinds listed");

	// A spec naming a development key is refused: here, Alice as an institution's admin.
	let good = dir.path().join("good");
	let mut institution = founding_init(FOUNDERS[1], &good);
	institution["admin"] = DEV_ADMINS[0].into();
	let forged = dir.path().join("forged.json");
	std::fs::write(&forged, institution.to_string()).expect("written");
	let good_file = good.join("institution.json");
	let out_spec = dir.path().join("spec.json");
	let mut spec = vec!["founding", "spec", "--id", "medtrust_x", "--name", "x"];
	spec.extend([good_file.to_str().unwrap(), forged.to_str().unwrap()]);
	spec.extend(["--out", out_spec.to_str().unwrap()]);
	let out = node_command(&spec);
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(!out.status.success() && stderr.contains("Alice"), "{stderr}");
	// The same institution twice, and a reserved id.
	spec[6] = good_file.to_str().unwrap();
	spec[7] = good_file.to_str().unwrap();
	let stderr = String::from_utf8_lossy(&node_command(&spec).stderr).into_owned();
	assert!(stderr.contains("also another institution's"), "{stderr}");
	spec[3] = "dev-mine";
	let stderr = String::from_utf8_lossy(&node_command(&spec).stderr).into_owned();
	assert!(stderr.contains("reserved"), "{stderr}");
	assert!(!out_spec.exists(), "a refused spec writes nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_a_consortium_founded_on_fresh_keys_runs_anchors_verifies_and_refuses_dev_keys() {
	let _lock = exclusive().await;
	let mut phase = Phases::new("founding", "refusals before founding");
	founding_refusals();
	phase.enter("four institutions founded on fresh keys");
	let founded = start_founded_consortium().await;
	let chains = &founded.chains;

	phase.enter("keys readable by their owner only");
	// Keys readable by their owner only; institution.json holds public parts only.
	let base = &founded.bases[0];
	assert_eq!(mode(base), 0o700);
	for (path, mode) in modes_under(base) {
		if path.ends_with("institution.json") {
			continue;
		}
		let private = if Path::new(&path).is_dir() { 0o700 } else { 0o600 };
		// The database the node created is its own business; the keys are ours.
		if path.contains("/chains") {
			continue;
		}
		assert_eq!(mode, private, "{path} has mode {mode:o}");
	}
	let secret = std::fs::read_to_string(base.join("admin.key")).expect("the admin key");
	let public = std::fs::read_to_string(base.join("institution.json")).expect("the public file");
	assert!(!public.contains(secret.trim()));
	// Initializing the same base path again is refused and changes nothing.
	let again = founding_init_output(("x", FOUNDERS[0].1, "hospital", "110101"), base);
	assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
	assert_eq!(std::fs::read_to_string(base.join("admin.key")).unwrap(), secret);
	// The same institution again (a provisioning rerun) changes nothing and says what it is.
	let rerun = founding_init(FOUNDERS[0], base);
	assert_eq!(
		rerun.to_string(),
		serde_json::from_str::<serde_json::Value>(&public).unwrap().to_string()
	);
	assert_eq!(std::fs::read_to_string(base.join("admin.key")).unwrap(), secret);

	phase.enter("the genesis hash every founder compares");
	// The genesis hash every founder compares is the chain's.
	let genesis = &founded.genesis;
	assert!(genesis.len() == 66 && genesis.starts_with("0x"), "{genesis}");
	assert!(genesis[2..].bytes().all(|b| b.is_ascii_hexdigit()), "{genesis}");
	assert_eq!(&chains[0].genesis(), genesis);
	// Every founder builds the spec again from the same files: the same spec, the same hash.
	let rebuilt = founding_spec(&founded.bases, &founded.spec);
	assert_eq!(String::from_utf8_lossy(&rebuilt.stdout).trim(), genesis);
	let three = founding_spec(&founded.bases[..3], &founded.spec);
	let stderr = String::from_utf8_lossy(&three.stderr);
	assert!(!three.status.success() && stderr.contains("another chain spec"), "{stderr}");

	phase.enter("their own keys author and finalize");
	// The four institutions' own keys author and finalize; nothing of Alice–Dave.
	wait_until_finalized(&chains[0], 3).await;
	let status = chains[0].status().await.expect("status");
	let mut grandpa: Vec<String> = status.validators.iter().map(|v| v.grandpa.clone()).collect();
	let mut founded_keys: Vec<String> = founded
		.bases
		.iter()
		.map(|b| {
			let text = std::fs::read_to_string(b.join("institution.json")).unwrap();
			let json: serde_json::Value = serde_json::from_str(&text).unwrap();
			json["sessionKeys"]["grandpa"].as_str().unwrap().to_string()
		})
		.collect();
	grandpa.sort();
	founded_keys.sort();
	assert_eq!(grandpa, founded_keys);
	let url = chains[0].url().to_string();
	let institutions = medtrust_json(&["--url", &url, "consortium", "list"]);
	let listed = institutions.to_string();
	assert_eq!(institutions.as_array().map(Vec::len), Some(4));
	for dev in DEV_ADMINS {
		assert!(!listed.contains(dev), "{dev} in {listed}");
	}

	phase.enter("anchored and verified on the founded spec");
	// Anchored by an institution's own admin key; valid online and, with the founded spec as
	// the only trust anchor, offline without --allow-dev-keys.
	let mut lab =
		Laboratory::set_up_as(&chains[0], &url, &founded.admins[0], Some(&founded.spec)).await;
	let (record, certificate) = lab.anchor();
	let (code, verdict, reason) = Cli::of(&url).verify(&record, &certificate);
	assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
	let (code, verdict, reason) = verify_offline_strict(&record, &certificate, &founded.spec);
	assert_eq!((code, verdict.as_str()), (Some(0), "valid"), "{reason}");

	phase.enter("development keys refused");
	// Development keys are refused outside development chains.
	let spec = founded.spec.to_str().unwrap();
	let fresh = NodeKey::generate();
	let fresh = fresh.file.to_str().unwrap();
	let log = node_refuses(&["--chain", spec, "--alice", "--node-key-file", fresh]);
	assert!(log.contains("development seed //Alice") && log.contains("--allow-dev-keys"), "{log}");
	let local = repo_root().join("chain-specs/local.json");
	let log = node_refuses(&["--chain", local.to_str().unwrap()]);
	assert!(log.contains("is an Aura authority") && log.contains("--allow-dev-keys"), "{log}");
	let test_key = repo_root().join("chain-specs/local-node-keys/node-1.key");
	let log = node_refuses(&["--chain", spec, "--node-key-file", test_key.to_str().unwrap()]);
	assert!(log.contains("the test node key 1"), "{log}");
	drop(founded);
}

/// A node restarted on a database whose genesis state was pruned long ago still checks the
/// chain's keys (from the finalized state) and runs.
#[tokio::test(flavor = "multi_thread")]
async fn e2e_a_founded_node_restarts_once_its_genesis_state_is_pruned() {
	let _lock = exclusive().await;
	let dir = tempfile::tempdir().expect("a temporary directory");
	let base = dir.path().join("institution");
	founding_init(FOUNDERS[0], &base);
	let spec = dir.path().join("one.json");
	let out = founding_spec(std::slice::from_ref(&base), &spec);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let mut node = crate::harness::Node::start(crate::harness::NodeConfig {
		name: "pruned".into(),
		args: vec![
			"--chain".into(),
			spec.to_str().unwrap().into(),
			"--validator".into(),
			"--state-pruning".into(),
			"4".into(),
		],
		bootnodes: vec![],
		node_key_file: None,
		base_path: Some(base.clone()),
	});
	let chain = node.connect().await;
	wait_until_finalized(&chain, 8).await;
	let genesis = chain.genesis().parse().expect("a hash");
	let pruned = chain.legacy().state_get_storage(b":code", Some(genesis)).await;
	assert!(pruned.is_err(), "the genesis state is pruned");
	drop(chain);
	node.kill();
	node.restart();
	let chain = node.connect().await;
	let before = chain.status().await.expect("status").finalized.number;
	wait_until_finalized(&chain, before + 2).await;
}
