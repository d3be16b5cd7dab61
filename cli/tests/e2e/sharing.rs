//! Sharing across institutions on the four-validator local network (institutions #0 Alice,
//! #1 Bob, #2 Charlie): encryption keys published and rotated, records anchored with keys per
//! data subject, granted by positions and by subject, listed, shown, attested deleted and
//! revoked; every refusal by its exit status.

use std::path::{Path, PathBuf};

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
}
