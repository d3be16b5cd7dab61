//! Certificates end to end through the `medtrust` CLI: FHIR Observations anchored as a batch
//! and lab-result rows one by one, each record verified online; tampered records, wrong salts,
//! truncated proofs, malformed certificates, records of another file; revocation and
//! supersession; decryption after a key rotation; resumption; and no plaintext anywhere on
//! chain or in the node's log.

use std::{path::Path, process::Output};

use serde_json::Value;

use crate::harness::{exclusive, medtrust, Node, NodeConfig};

/// A marker that appears in every record and must appear nowhere on chain or in logs.
const MARKER: &str = "PLAINTEXT-MARKER-7f3a";

fn observations() -> String {
	(1..=5)
		.map(|i| {
			format!(
				"{{\"resourceType\":\"Observation\",\"id\":\"glu-{i}\",\"status\":\"final\",\
				 \"code\":{{\"coding\":[{{\"system\":\"http://loinc.org\",\"code\":\"2345-7\"}}]}},\
				 \"subject\":{{\"display\":\"张三{i} {MARKER}\"}},\
				 \"valueQuantity\":{{\"value\":5.{i}0,\"unit\":\"mmol/L\"}}}}\n"
			)
		})
		.collect()
}

const RESULTS: &str = "order_no,item_code,item_name,result_value,patient\n\
	A1001,GLU,空腹血糖,5.6,李四 PLAINTEXT-MARKER-7f3a\n\
	A1002,HBA1C,糖化血红蛋白,6.1,王五 PLAINTEXT-MARKER-7f3a\n\
	A1003,TG,甘油三酯,1.2,赵六 PLAINTEXT-MARKER-7f3a\n";

fn run(url: &str, args: &[&str]) -> Output {
	let mut all = vec!["--url", url];
	all.extend_from_slice(args);
	medtrust(&all)
}

fn json_ok(url: &str, args: &[&str]) -> Value {
	let mut all = args.to_vec();
	all.push("--json");
	let out = run(url, &all);
	assert!(
		out.status.success(),
		"medtrust {} failed: {}",
		args.join(" "),
		String::from_utf8_lossy(&out.stderr)
	);
	serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

/// Verifies `record` against `certificate`; returns (exit code, verdict, reason).
fn verify(url: &str, record: &Path, certificate: &Path) -> (i32, String, String) {
	let out =
		run(url, &["verify", record.to_str().unwrap(), certificate.to_str().unwrap(), "--json"]);
	let code = out.status.code().unwrap_or(-1);
	let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
		panic!("verify prints JSON (exit {code}): {}", String::from_utf8_lossy(&out.stderr))
	});
	(
		code,
		json["verdict"].as_str().unwrap_or("").into(),
		json["reason"].as_str().unwrap_or("").into(),
	)
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_anchor_verify_revoke_supersede_decrypt() {
	let _lock = exclusive().await;
	let mut node = Node::start(NodeConfig {
		name: "certificates".into(),
		args: vec!["--dev".into()],
		bootnodes: vec![],
		node_key_file: None,
	});
	let chain = node.connect().await;
	let url = node.url();
	let dir = tempfile::tempdir().expect("a temp dir");
	let path = |name: &str| dir.path().join(name);
	let keys = path("keys");
	let keys = keys.to_str().unwrap();

	// The laboratory's set-up: a key-encryption key, a source, a resource.
	json_ok(&url, &["keys", "create", "--keys", keys]);
	let (source, resource) = crate::harness::laboratory(&chain, &url, "检验LIS").await;
	let (s, r) = (source.to_string(), resource.to_string());

	// A batch of FHIR Observations: one certificate, five portable certificates.
	let obs_file = path("obs.ndjson");
	std::fs::write(&obs_file, observations()).expect("written");
	let out_dir = path("obs");
	let anchor_args = [
		"--signer",
		"//Alice",
		"anchor",
		obs_file.to_str().unwrap(),
		"--source",
		&s,
		"--resource",
		&r,
		"--batch",
		"--out",
		out_dir.to_str().unwrap(),
		"--keys",
		keys,
	];
	let report = json_ok(&url, &anchor_args);
	assert_eq!(report["records"], 5);
	assert_eq!(report["certificates"].as_array().map(Vec::len), Some(1));
	assert_eq!(report["issuedNow"], 1);
	let batch_id = report["certificates"][0].as_u64().unwrap();
	for i in 1..=5 {
		assert!(out_dir.join(format!("certificates/{i}.json")).is_file());
	}
	// Anchoring again resumes: nothing certified twice.
	let again = json_ok(&url, &anchor_args);
	assert_eq!(again["issuedNow"], 0);
	assert_eq!(again["certificates"], report["certificates"]);

	// Each record verifies online, written however its holder likes.
	let lines: Vec<String> = observations().lines().map(String::from).collect();
	for (i, line) in lines.iter().enumerate() {
		let record = path(&format!("obs-{}.json", i + 1));
		let pretty =
			serde_json::to_string_pretty(&serde_json::from_str::<Value>(line).unwrap()).unwrap();
		std::fs::write(&record, pretty).expect("written");
		let (code, verdict, reason) =
			verify(&url, &record, &out_dir.join(format!("certificates/{}.json", i + 1)));
		assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
	}
	let cert3 = out_dir.join("certificates/3.json");
	let record3 = path("obs-3.json");

	// Tampering, each with a precise verdict and never a panic.
	std::fs::write(path("tampered.json"), lines[2].replace("5.30", "5.31")).expect("written");
	let (code, verdict, reason) = verify(&url, &path("tampered.json"), &cert3);
	assert_eq!((code, verdict.as_str()), (3, "tampered"), "{reason}");
	assert!(reason.contains("altered"), "{reason}");
	let mut certificate: Value =
		serde_json::from_str(&std::fs::read_to_string(&cert3).unwrap()).unwrap();
	let original = certificate.clone();
	certificate["record"]["salt"] = Value::String(format!("0x{}", "11".repeat(32)));
	std::fs::write(path("wrong-salt.json"), certificate.to_string()).expect("written");
	assert_eq!(verify(&url, &record3, &path("wrong-salt.json")).1, "tampered");
	let mut certificate = original.clone();
	certificate["batch"]["proof"]["siblings"].as_array_mut().unwrap().pop();
	std::fs::write(path("truncated.json"), certificate.to_string()).expect("written");
	let (_, verdict, reason) = verify(&url, &record3, &path("truncated.json"));
	assert_eq!(verdict, "tampered");
	assert!(reason.contains("truncated"), "{reason}");
	std::fs::write(path("garbage.json"), "{\"format\": 12, ").expect("written");
	let (code, verdict, _) = verify(&url, &record3, &path("garbage.json"));
	assert_eq!((code, verdict.as_str()), (3, "tampered"));
	// A record of another file presented with this certificate.
	std::fs::write(path("other.json"), lines[0].clone()).expect("written");
	assert_eq!(verify(&url, &path("other.json"), &cert3).1, "tampered");

	// Offline: the raw chain spec is the only trust anchor.
	crate::harness::raw_chain_spec("dev", &path("dev-raw.json"));
	let offline = |record: &Path, certificate: &Path, spec: &str| {
		crate::harness::verify_offline(record, certificate, &path(spec))
	};
	let (code, verdict, reason) = offline(&record3, &cert3, "dev-raw.json");
	assert_eq!((code, verdict.as_str()), (Some(0), "valid"), "{reason}");
	assert!(reason.contains("finalized by GRANDPA"), "{reason}");
	assert_eq!(offline(&path("tampered.json"), &cert3, "dev-raw.json").1, "tampered");
	let mut forged = original.clone();
	forged["evidence"]["storageProof"] = serde_json::json!([]);
	std::fs::write(path("forged.json"), forged.to_string()).expect("written");
	let (_, verdict, reason) = offline(&record3, &path("forged.json"), "dev-raw.json");
	assert_eq!(verdict, "tampered", "{reason}");
	let mut forged = original.clone();
	let finality = forged["evidence"]["finalityProof"].as_str().unwrap().to_string();
	// One hex digit changed in the middle of the signed justification.
	let mut digits: Vec<char> = finality.chars().collect();
	let middle = digits.len() / 2;
	digits[middle] = if digits[middle] == '0' { '1' } else { '0' };
	forged["evidence"]["finalityProof"] = Value::String(digits.into_iter().collect());
	std::fs::write(path("forged-finality.json"), forged.to_string()).expect("written");
	assert_eq!(offline(&record3, &path("forged-finality.json"), "dev-raw.json").1, "tampered");
	crate::harness::raw_chain_spec("local", &path("local-raw.json"));
	let (_, verdict, reason) = offline(&record3, &cert3, "local-raw.json");
	assert_eq!(verdict, "unknown", "{reason}");
	assert!(reason.contains("another chain") || reason.contains("is of chain"), "{reason}");

	// The lab-result rows, one certificate each, with `extra` options, into `out`.
	std::fs::write(path("results.csv"), RESULTS).expect("written");
	let results = path("results.csv");
	let anchor_rows = |extra: &[&str], out: &Path| {
		let mut args = vec![
			"--signer",
			"//Alice",
			"anchor",
			results.to_str().unwrap(),
			"--source",
			&s,
			"--resource",
			&r,
			"--out",
			out.to_str().unwrap(),
			"--keys",
			keys,
		];
		args.extend_from_slice(extra);
		args.push("--json");
		run(&url, &args)
	};

	// Rows of a domain out of scope: the chain refuses each, and anchoring says why.
	let out = anchor_rows(&["--domain", "PHYSICAL_EXAM"], &path("refused"));
	assert!(!out.status.success());
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("OutOfScope"), "{stderr}");

	// Lab-result rows anchored one by one: a certificate each.
	let rows_dir = path("rows");
	let out = anchor_rows(&["--algorithm", "sha-256"], &rows_dir);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let report: Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
	let ids: Vec<u64> =
		report["certificates"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
	assert_eq!(ids.len(), 3);
	assert!(!ids.contains(&batch_id));
	let header = RESULTS.lines().next().unwrap();
	let row_file = |n: usize| {
		let file = path(&format!("row-{n}.csv"));
		std::fs::write(&file, format!("{header}\n{}\n", RESULTS.lines().nth(n).unwrap()))
			.expect("written");
		file
	};
	let row_cert = |n: usize| rows_dir.join(format!("certificates/{n}.json"));
	for n in 1..=3 {
		assert_eq!(verify(&url, &row_file(n), &row_cert(n)).1, "valid");
	}
	let shown = json_ok(&url, &["certificate", "show", &ids[0].to_string()]);
	assert_eq!(shown["algorithm"], "sha-256");
	assert_eq!(shown["subject"]["type"], "record");
	assert_eq!(shown["finalized"], true);

	// Revoked and superseded stay distinguishable from never certified.
	json_ok(
		&url,
		&[
			"--signer",
			"//Alice",
			"certificate",
			"revoke",
			&ids[0].to_string(),
			"--reason",
			"erroneous",
		],
	);
	let (code, verdict, reason) = verify(&url, &row_file(1), &row_cert(1));
	assert_eq!((code, verdict.as_str()), (3, "revoked"), "{reason}");
	assert!(reason.contains("erroneous"), "{reason}");
	json_ok(
		&url,
		&[
			"--signer",
			"//Alice",
			"certificate",
			"supersede",
			&ids[1].to_string(),
			&ids[2].to_string(),
		],
	);
	let (_, verdict, reason) = verify(&url, &row_file(2), &row_cert(2));
	assert_eq!(verdict, "superseded");
	assert!(reason.contains(&format!("#{}", ids[2])), "{reason}");
	assert_eq!(verify(&url, &row_file(3), &row_cert(3)).1, "valid");
	// Only the issuer revokes: Dave is no member at all here.
	let out = run(
		&url,
		&["--signer", "//Dave", "certificate", "revoke", &ids[2].to_string(), "--reason", "other"],
	);
	assert!(!out.status.success());
	// A well-formed certificate for a record never anchored: unknown.
	let mut never: Value =
		serde_json::from_str(&std::fs::read_to_string(row_cert(3)).unwrap()).unwrap();
	let salt = [5u8; 32];
	let canonical = medtrust_client::anchor::canonical_single(
		"order_no\nZ9\n",
		medtrust_client::anchor::RecordFormat::Csv,
	)
	.unwrap();
	let commitment = medtrust_primitives::commitment::commit(
		medtrust_primitives::hashing::HashAlgorithm::Sha256,
		&salt,
		&canonical,
	);
	never["record"]["salt"] = Value::String(format!("0x{}", hex::encode(salt)));
	never["record"]["commitment"] = Value::String(format!("0x{}", hex::encode(commitment)));
	std::fs::write(path("never.json"), never.to_string()).unwrap();
	std::fs::write(path("never.csv"), "order_no\nZ9\n").unwrap();
	let (code, verdict, _) = verify(&url, &path("never.csv"), &path("never.json"));
	assert_eq!((code, verdict.as_str()), (3, "unknown"));

	// The holder of the key decrypts, also after a rotation.
	json_ok(&url, &["keys", "rotate", "--keys", keys]);
	let out = run(&url, &["decrypt", rows_dir.to_str().unwrap(), "--record", "2", "--keys", keys]);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let plain = String::from_utf8(out.stdout).unwrap();
	assert!(plain.contains("糖化血红蛋白") && plain.contains("\"order_no\":\"A1002\""), "{plain}");
	let other_keys = path("other-keys");
	json_ok(&url, &["keys", "create", "--keys", other_keys.to_str().unwrap()]);
	let out = run(
		&url,
		&[
			"decrypt",
			rows_dir.to_str().unwrap(),
			"--record",
			"2",
			"--keys",
			other_keys.to_str().unwrap(),
		],
	);
	assert!(!out.status.success(), "another institution's keys must not open it");

	// Nothing of the records on chain: every storage value and every block, nor in the log.
	let rpc = chain.rpc();
	let keys_on_chain: Vec<String> = rpc
		.request("state_getKeysPaged", subxt_rpcs::rpc_params!["0x", 1000u32])
		.await
		.expect("keys");
	assert!(keys_on_chain.len() > 10);
	let marker_hex = hex::encode(MARKER);
	let name_hex = hex::encode("糖化血红蛋白");
	for key in &keys_on_chain {
		let value: Option<String> =
			rpc.request("state_getStorage", subxt_rpcs::rpc_params![key]).await.expect("a value");
		let value = value.unwrap_or_default();
		assert!(
			!value.contains(&marker_hex) && !value.contains(&name_hex),
			"plaintext under {key}"
		);
	}
	let best: Value =
		rpc.request("chain_getHeader", subxt_rpcs::rpc_params![]).await.expect("a header");
	let best =
		u64::from_str_radix(best["number"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
	for n in 0..=best {
		let hash: String =
			rpc.request("chain_getBlockHash", subxt_rpcs::rpc_params![n]).await.expect("a hash");
		let block: Value =
			rpc.request("chain_getBlock", subxt_rpcs::rpc_params![hash]).await.expect("a block");
		let text = block.to_string();
		assert!(
			!text.contains(&marker_hex) && !text.contains(&name_hex),
			"plaintext in block #{n}"
		);
	}
	let log = node.log();
	assert!(!log.contains(MARKER) && !log.contains("糖化血红蛋白"), "plaintext in the node's log");
}
