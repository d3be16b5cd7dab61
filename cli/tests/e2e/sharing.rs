//! Sharing across institutions on the four-validator local network (institutions #0 Alice,
//! #1 Bob, #2 Charlie): encryption keys published and rotated, records anchored with keys per
//! data subject, granted by positions and by subject, listed, shown, attested deleted and
//! revoked; every refusal by its exit status.

use std::path::{Path, PathBuf};

use medtrust_client::{
	chain::http::post_bytes,
	sharing::{transfer::FetchRequest, RangeJson},
};
use serde_json::Value;

use crate::harness::{
	exclusive, laboratory_as, start_local_consortium, wait_until_finalized, Cli, Phases,
};

/// Six lab results of three patients.
const RESULTS: &str = "\
{\"patient_id\":\"P-001\",\"item\":\"血糖\",\"value\":5.6}
{\"patient_id\":\"P-002\",\"item\":\"血糖\",\"value\":7.1}
{\"patient_id\":\"P-001\",\"item\":\"糖化血红蛋白\",\"value\":6.2}
{\"patient_id\":\"P-003\",\"item\":\"血糖\",\"value\":4.9}
{\"patient_id\":\"P-002\",\"item\":\"肌酐\",\"value\":88}
{\"patient_id\":\"P-001\",\"item\":\"肌酐\",\"value\":70}
";

struct Institution {
	signer: &'static str,
	keys: String,
}

impl Institution {
	/// `--signer` and `args`.
	fn signed<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
		[&["--signer", self.signer][..], args].concat()
	}

	/// `--signer`, `args` and `--keys`.
	fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
		[&["--signer", self.signer][..], args, &["--keys", self.keys.as_str()][..]].concat()
	}
}

fn path_str(path: &Path) -> &str {
	path.to_str().expect("UTF-8 path")
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_sharing_grants_keys_and_refusals_across_three_institutions() {
	let _lock = exclusive().await;
	let mut phase = Phases::new("sharing", "the local network of four institutions");
	let (_nodes, chains, _) = start_local_consortium().await;
	wait_until_finalized(&chains[0], 1).await;
	let cli = Cli::of(chains[0].url());
	let dir = tempfile::tempdir().expect("a temp dir");
	let at = |name: &str| -> PathBuf { dir.path().join(name) };
	let [alice, bob, charlie] = ["//Alice", "//Bob", "//Charlie"].map(|signer| Institution {
		signer,
		keys: path_str(&at(&signer[2..].to_lowercase())).to_string(),
	});

	phase.enter("keys created and published");
	for institution in [&alice, &bob] {
		let created = cli.json(&["share", "key", "create", "--keys", &institution.keys]);
		assert!(created["public"].as_str().expect("a key").starts_with("0x"), "{created}");
		let published = cli.json(&institution.args(&["share", "key", "publish"]));
		assert_eq!(published["version"], 1, "{published}");
		assert_eq!(published["key"]["public"], created["public"]);
	}
	// Nothing left to publish: a local refusal, nothing sent.
	let none = cli.refused_with(Some(1), &bob.args(&["share", "key", "publish"]));
	assert!(none.contains("every local key is published"), "{none}");
	// A member account that is not its institution's admin: the chain refuses (6).
	cli.json(&["share", "key", "create", "--keys", &charlie.keys]);
	let foreign = cli.refused_with(
		Some(6),
		&["--signer", "//Eve", "share", "key", "publish", "--keys", &charlie.keys],
	);
	assert!(foreign.contains("NotAuthorized"), "{foreign}");

	phase.enter("anchored with keys per subject");
	cli.json(&["keys", "create", "--keys", &alice.keys]);
	let (source, resource) = laboratory_as(&chains[0], &cli.url, "检验LIS", alice.signer).await;
	let (source, resource) = (source.to_string(), resource.to_string());
	let results = at("results.ndjson");
	std::fs::write(&results, RESULTS).expect("written");
	let anchored = at("results.anchored");
	let anchor = |field: &str, out: &Path| {
		cli.run(&alice.args(&[
			"anchor",
			path_str(&results),
			"--source",
			&source,
			"--resource",
			&resource,
			"--batch",
			"--subject-field",
			field,
			"--out",
			path_str(out),
			"--json",
		]))
	};
	let missing = anchor("mrn", &at("no-subject.anchored"));
	assert_eq!(missing.status.code(), Some(2), "{}", String::from_utf8_lossy(&missing.stderr));
	assert!(
		String::from_utf8_lossy(&missing.stderr).contains("record 1 has no subject field `mrn`")
	);
	let out = anchor("patient_id", &anchored);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
	let certificate = report["certificates"][0].as_u64().expect("a certificate");
	// Each record still decrypts, each under its own key.
	let plain = cli.run(&["decrypt", path_str(&anchored), "--record", "3", "--keys", &alice.keys]);
	assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
	assert!(String::from_utf8_lossy(&plain.stdout).contains("糖化血红蛋白"));

	phase.enter("granted by positions and by subject");
	let grant = |args: &[&str]| -> Vec<String> {
		let mut all = vec!["share", "grant", path_str(&anchored)];
		all.extend_from_slice(args);
		all.iter().map(|s| s.to_string()).collect()
	};
	let run_grant = |who: &Institution, args: &[&str]| {
		let args = grant(args);
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		cli.json(&who.args(&args))
	};
	let first = run_grant(
		&alice,
		&["--to", "1", "--purpose", "referral", "--expires", "30d", "--records", "1-2"],
	);
	let (first_id, first_records) =
		(first["grant"].as_u64().expect("an id"), first["records"].clone());
	assert_eq!((first_records, first["granteeKey"].clone()), (2.into(), 1.into()), "{first}");
	assert_eq!(first["certificates"], serde_json::json!([certificate]));
	let by_subject = run_grant(
		&alice,
		&[
			"--to",
			"1",
			"--purpose",
			"treatment",
			"--expires",
			"12h",
			"--subject",
			"P-001",
			"--legal-basis",
			"患者书面同意 2026-118",
		],
	);
	assert_eq!(by_subject["records"], 3, "P-001's three results: {by_subject}");
	assert_eq!(
		by_subject["ranges"],
		serde_json::json!([{"first":1,"last":1},{"first":3,"last":3},{"first":6,"last":6}])
	);
	let subject_id = by_subject["grant"].as_u64().expect("an id");
	let shown = cli.json(&["share", "show", &subject_id.to_string()]);
	assert_eq!(
		(shown["purpose"].as_str(), shown["state"].as_str()),
		(Some("treatment"), Some("active"))
	);
	assert_eq!(shown["legalBasis"], "患者书面同意 2026-118");
	assert!(shown["subject"].as_str().is_some_and(|tag| !tag.contains("P-001")), "an opaque tag");
	let received = cli.json(&bob.signed(&["share", "list", "--received"]));
	assert_eq!(received.as_array().map(Vec::len), Some(2), "{received}");
	let granted = cli.json(&alice.signed(&["share", "list", "--granted"]));
	assert_eq!(granted.as_array().map(Vec::len), Some(2), "{granted}");
	assert_eq!(cli.json(&charlie.signed(&["share", "list"])), serde_json::json!([]));

	phase.enter("bad input and refusals");
	let refused = |who: &Institution, status: i32, args: &[&str]| {
		let args = grant(args);
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		cli.refused_with(Some(status), &who.args(&args))
	};
	let to_bob = ["--to", "1", "--purpose", "research", "--expires", "30d"];
	assert!(refused(&alice, 2, &[&to_bob[..], &["--records", "0-3"]].concat()).contains("records"));
	assert!(refused(&alice, 2, &[&to_bob[..], &["--records", "5-9"]].concat()).contains("1 to 6"));
	assert!(refused(
		&alice,
		2,
		&["--to", "1", "--purpose", "research", "--expires", "2020-01-01T00:00:00Z"]
	)
	.contains("future"));
	refused(&alice, 2, &["--to", "1", "--purpose", "marketing", "--expires", "30d"]);
	refused(&alice, 2, &[&to_bob[..], &["--records", "1", "--subject", "P-001"]].concat());
	assert!(refused(&alice, 5, &[&to_bob[..], &["--subject", "P-404"]].concat())
		.contains("no record of the subject P-404"));
	// Charlie published no key; Alice granting to herself; Bob granting Alice's records.
	assert!(refused(&alice, 1, &["--to", "2", "--purpose", "audit", "--expires", "1d"])
		.contains("no encryption key"));
	assert!(refused(&alice, 6, &["--to", "0", "--purpose", "audit", "--expires", "1d"])
		.contains("InvalidGrantee"));
	let bob_grants = refused(&bob, 1, &to_bob);
	assert!(
		bob_grants.contains("key-encryption key") || bob_grants.contains("no key"),
		"{bob_grants}"
	);

	phase.enter("deletion attested, grant revoked");
	let id = first_id.to_string();
	let theirs = cli.refused_with(Some(6), &charlie.signed(&["share", "attest-deleted", &id]));
	assert!(theirs.contains("NotAuthorized"), "{theirs}");
	cli.json(&bob.signed(&["share", "attest-deleted", &id]));
	let pending =
		cli.refused_with(Some(6), &bob.signed(&["share", "attest-deleted", &id, "--erasure", "0"]));
	assert!(pending.contains("NotPending"), "{pending}");
	cli.refused_with(Some(6), &bob.signed(&["share", "revoke", &id]));
	cli.json(&alice.signed(&["share", "revoke", &id]));
	let shown = cli.json(&["share", "show", &id]);
	assert_eq!(
		(shown["state"].as_str(), shown["attestations"].as_u64()),
		(Some("revoked"), Some(1)),
		"{shown}"
	);
	assert!(cli
		.refused_with(Some(6), &alice.signed(&["share", "revoke", &id]))
		.contains("Revoked"));
	assert!(cli.refused_with(Some(5), &["share", "show", "99"]).contains("no grant #99"));

	phase.enter("a rotated key is the one new grants use");
	let rotated = cli.json(&bob.args(&["share", "key", "rotate"]));
	assert_eq!(rotated["version"], 2, "{rotated}");
	let after =
		run_grant(&alice, &["--to", "1", "--purpose", "quality-control", "--expires", "1d"]);
	assert_eq!(
		(after["granteeKey"].clone(), after["records"].clone()),
		(2.into(), 6.into()),
		"{after}"
	);

	phase.enter("served, fetched and verified");
	let server = ShareServer::start(&cli.url, alice.signer, &alice.keys);
	let fetched = at("from-alice");
	let report = cli.json(&bob.args(&[
		"share",
		"fetch",
		&subject_id.to_string(),
		"--from",
		&server.url,
		"--out",
		path_str(&fetched),
	]));
	assert_eq!(
		(report["records"].as_u64(), report["verified"].as_u64()),
		(Some(3), Some(3)),
		"{report}"
	);
	let lines = std::fs::read_to_string(fetched.join("records.ndjson")).expect("the records");
	assert_eq!(lines.lines().count(), 3, "{lines}");
	assert!(lines.lines().all(|l| l.contains("P-001")), "only P-001's records: {lines}");
	for n in [1, 3, 6] {
		assert!(fetched.join(format!("certificates/{n}.json")).is_file(), "certificate {n}");
	}
	// The record and its certificate verify as any record does.
	let one = at("fetched-3.json");
	std::fs::write(&one, lines.lines().nth(1).expect("a second record")).expect("written");
	let (code, verdict, reason) = cli.verify(&one, &fetched.join("certificates/3.json"));
	assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
	let shown = cli.json(&["share", "show", &subject_id.to_string()]);
	assert_eq!(shown["receiptList"][0]["records"], 3, "the receipt: {shown}");
	assert_eq!(shown["receiptList"][0]["ciphertext"], report["ciphertext"]);
	// A directory that exists is not written into.
	let again = cli.refused_with(
		Some(2),
		&bob.args(&[
			"share",
			"fetch",
			&subject_id.to_string(),
			"--from",
			&server.url,
			"--out",
			path_str(&fetched),
		]),
	);
	assert!(again.contains("exists"), "{again}");
	// Refused before anything is asked: another institution's grant, a revoked grant.
	let theirs = cli.refused_with(
		Some(6),
		&charlie.args(&[
			"share",
			"fetch",
			&subject_id.to_string(),
			"--from",
			&server.url,
			"--out",
			path_str(&at("c")),
		]),
	);
	assert!(theirs.contains("not-grantee"), "{theirs}");
	let revoked = cli.refused_with(
		Some(6),
		&bob.args(&[
			"share",
			"fetch",
			&first_id.to_string(),
			"--from",
			&server.url,
			"--out",
			path_str(&at("r")),
		]),
	);
	assert!(revoked.contains("revoked"), "{revoked}");
	// Hostile requests straight to the server: each refused with its reason, nothing served.
	server.refusals(&chains[0], subject_id, first_id).await;
	assert!(!at("c").exists() && !at("r").exists(), "nothing half-written");

	phase.enter("a subject erased");
	let erased =
		cli.json(&alice.args(&["share", "erase", path_str(&anchored), "--subject", "P-001"]));
	assert_eq!(erased["records"], 3, "{erased}");
	let erasure = erased["erasures"][0].as_u64().expect("an erasure");
	let told: Vec<u64> = serde_json::from_value(erased["grants"].clone()).expect("grant ids");
	let after_id = after["grant"].as_u64().expect("an id");
	assert_eq!(told, vec![first_id, subject_id, after_id], "every grant holding P-001's records");
	// Its records decrypt no more, the others still do.
	let gone = cli.refused_with(
		Some(5),
		&["decrypt", path_str(&anchored), "--record", "6", "--keys", &alice.keys],
	);
	assert!(gone.contains("record 6 was erased"), "{gone}");
	let kept = cli.run(&["decrypt", path_str(&anchored), "--record", "5", "--keys", &alice.keys]);
	assert!(String::from_utf8_lossy(&kept.stdout).contains("肌酐"), "P-002's result stays");
	// Granting them again is refused; the grantee answers the erasure.
	let again = refused(&alice, 2, &[&to_bob[..], &["--subject", "P-001"]].concat());
	assert!(again.contains("was erased"), "{again}");
	let shown = cli.json(&["share", "show", &subject_id.to_string()]);
	assert_eq!(shown["pendingErasures"], serde_json::json!([erasure]), "{shown}");
	let erasure_text = erasure.to_string();
	cli.json(&bob.signed(&[
		"share",
		"attest-deleted",
		&subject_id.to_string(),
		"--erasure",
		&erasure_text,
	]));
	let shown = cli.json(&["share", "show", &subject_id.to_string()]);
	assert_eq!(shown["pendingErasures"], serde_json::json!([]), "{shown}");
	// A later fetch of an erased record fails at the grantor; the rest of a grant still serves.
	let after_text = after_id.to_string();
	let erased_fetch = cli.refused_with(
		Some(6),
		&bob.args(&[
			"share",
			"fetch",
			&after_text,
			"--from",
			&server.url,
			"--out",
			path_str(&at("e")),
		]),
	);
	assert!(erased_fetch.contains("410") && erased_fetch.contains("erased"), "{erased_fetch}");
	assert!(!at("e").exists(), "nothing written");
	let rest = cli.json(&bob.args(&[
		"share",
		"fetch",
		&after_text,
		"--records",
		"2,4-5",
		"--from",
		&server.url,
		"--out",
		path_str(&at("rest")),
	]));
	assert_eq!(rest["records"], 3, "P-002's and P-003's results still serve: {rest}");
}

/// `medtrust share serve` of an institution on a free loopback port; killed on drop.
struct ShareServer {
	child: std::process::Child,
	url: String,
}

impl ShareServer {
	fn start(node: &str, signer: &str, keys: &str) -> ShareServer {
		let port = crate::harness::free_port();
		let child = std::process::Command::new(crate::harness::cli_binary())
			.args(["--url", node, "--signer", signer, "share", "serve", "--keys", keys])
			.args(["--listen", &format!("127.0.0.1:{port}")])
			.stdout(std::process::Stdio::null())
			.stderr(std::process::Stdio::inherit())
			.spawn()
			.expect("share serve starts");
		let url = format!("http://127.0.0.1:{port}");
		for _ in 0..100 {
			if std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_ok() {
				break;
			}
			std::thread::sleep(std::time::Duration::from_millis(100));
		}
		ShareServer { child, url }
	}

	/// Posts `request` as it is: (status, body).
	async fn post(&self, request: &FetchRequest) -> (u16, Vec<u8>) {
		let body = serde_json::to_vec(request).expect("JSON");
		post_bytes(&self.url, "/share/v1/fetch", body, 1 << 26).await.expect("an answer")
	}

	/// Forged, replayed, stale, foreign and out-of-grant requests: each refused.
	async fn refusals(&self, chain: &medtrust_client::Chain, grant: u64, revoked: u64) {
		let genesis = chain.genesis();
		let signer = |uri: &str| medtrust_client::chain::signer::parse(uri).expect("a key");
		let (bob, charlie) = (signer("//Bob"), signer("//Charlie"));
		let now = medtrust_client::sharing::scope::unix_now();
		let range = |first, last| RangeJson { first, last };
		let good = FetchRequest::signed(&bob, &genesis, grant, vec![range(1, 1)], now);
		let (status, body) = self.post(&good).await;
		assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
		assert!(!String::from_utf8_lossy(&body).contains("血糖"), "no plaintext on the wire");
		let (status, _) = self.post(&good).await;
		assert_eq!(status, 401, "replayed");
		let mut forged = FetchRequest::signed(&bob, &genesis, grant, vec![range(1, 1)], now);
		forged.records = vec![range(3, 3)];
		assert_eq!(self.post(&forged).await.0, 401, "forged");
		let stale = FetchRequest::signed(&bob, &genesis, grant, vec![range(1, 1)], now - 3600);
		assert_eq!(self.post(&stale).await.0, 401, "stale");
		let foreign = FetchRequest::signed(&charlie, &genesis, grant, vec![range(1, 1)], now);
		let (status, body) = self.post(&foreign).await;
		assert_eq!(status, 403, "another institution");
		assert!(String::from_utf8_lossy(&body).contains("not-grantee"));
		let outside = FetchRequest::signed(&bob, &genesis, grant, vec![range(2, 2)], now);
		let (status, body) = self.post(&outside).await;
		assert_eq!(status, 403, "outside the grant");
		assert!(String::from_utf8_lossy(&body).contains("outside-grant"));
		let gone = FetchRequest::signed(&bob, &genesis, revoked, vec![range(1, 1)], now);
		let (status, body) = self.post(&gone).await;
		assert_eq!(status, 403, "revoked");
		assert!(String::from_utf8_lossy(&body).contains("revoked"));
		let (status, _) = post_bytes(&self.url, "/share/v1/fetch", b"{".to_vec(), 1 << 20)
			.await
			.expect("an answer");
		assert_eq!(status, 400, "malformed");
	}
}

impl Drop for ShareServer {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}
