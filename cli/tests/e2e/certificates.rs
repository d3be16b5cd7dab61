//! Certificates end to end through the `medtrust` CLI: FHIR Observations anchored as a batch
//! and lab-result rows one by one, each record verified online; tampered records, wrong salts,
//! truncated proofs, malformed certificates, records of another file; revocation and
//! supersession; decryption after a key rotation; resumption; and no plaintext anywhere on
//! chain or in the node's log.

use std::path::{Path, PathBuf};

use medtrust_client::Chain;
use serde_json::Value;

use crate::harness::{exclusive, raw_chain_spec, verify_offline, Cli, Node, Phases};

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

/// A dev node, a laboratory's source and resource, its keys and the files of the steps.
struct Lab {
	node: Node,
	chain: Chain,
	cli: Cli,
	dir: tempfile::TempDir,
	keys: String,
	source: String,
	resource: String,
}

impl Lab {
	/// A dev node, a key-encryption key, a LIS source and its lab-result resource.
	async fn start() -> Lab {
		let mut node = Node::dev("certificates");
		let chain = node.connect().await;
		let cli = Cli::of(&node.url());
		let dir = tempfile::tempdir().expect("a temp dir");
		let keys = dir.path().join("keys").to_str().unwrap().to_string();
		cli.json(&["keys", "create", "--keys", &keys]);
		let (source, resource) = crate::harness::laboratory(&chain, &cli.url, "检验LIS").await;
		let (source, resource) = (source.to_string(), resource.to_string());
		Lab { node, chain, cli, dir, keys, source, resource }
	}

	fn path(&self, name: &str) -> PathBuf {
		self.dir.path().join(name)
	}

	/// Writes `text` to the file `name`; its path.
	fn write(&self, name: &str, text: &str) -> PathBuf {
		let path = self.path(name);
		std::fs::write(&path, text).expect("written");
		path
	}

	/// `anchor <file> --out <out>` of the lab's source and resource, with `extra` options.
	fn anchor(&self, file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
		let (file, out) = (file.to_str().unwrap(), out.to_str().unwrap());
		let args = [
			"--signer",
			"//Alice",
			"anchor",
			file,
			"--source",
			&self.source,
			"--resource",
			&self.resource,
			"--out",
			out,
			"--keys",
			&self.keys,
			"--json",
		];
		self.cli.run(&[&args[..], extra].concat())
	}

	/// Five FHIR Observations anchored as a batch: one certificate, five portable ones in
	/// files and in the archive; anchoring again certifies nothing twice. Returns the batch's
	/// certificate.
	fn anchor_batch(&self) -> u64 {
		let file = self.write("obs.ndjson", &observations());
		let anchor = || {
			let out = self.anchor(&file, &self.path("obs"), &["--batch", "--per-record-files"]);
			assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
			serde_json::from_slice::<Value>(&out.stdout).expect("--json prints JSON")
		};
		let report = anchor();
		assert_eq!(report["records"], 5);
		assert_eq!(report["certificates"].as_array().map(Vec::len), Some(1));
		assert_eq!(report["issuedNow"], 1);
		for i in 1..=5 {
			assert!(self.path(&format!("obs/certificates/{i}.json")).is_file());
		}
		let again = anchor();
		assert_eq!(again["issuedNow"], 0);
		assert_eq!(again["certificates"], report["certificates"]);
		report["certificates"][0].as_u64().unwrap()
	}

	/// The batch's archive: each record's certificate extracted is byte for byte its file;
	/// a record verifies against its entry; the whole file verifies at once, online and
	/// offline; a changed record is found and named; a truncated archive is refused with where.
	fn archive(&self) {
		let dir = self.path("obs");
		let dir = dir.to_str().unwrap();
		for i in 1..=5 {
			let out = self.path(&format!("extracted-{i}.json"));
			let n = i.to_string();
			let extract = ["certificate", "extract", dir, "--record", &n];
			let done = self.cli.run(&[&extract[..], &["--out", out.to_str().unwrap()]].concat());
			assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
			assert_eq!(
				std::fs::read(&out).unwrap(),
				std::fs::read(self.path(&format!("obs/certificates/{i}.json"))).unwrap(),
				"record {i}"
			);
		}
		let archive = self.path("obs/certificates.cbor");
		let record3 = self.write("line-3.json", observations().lines().nth(2).unwrap());
		let (a, c) = (record3.to_str().unwrap(), archive.to_str().unwrap());
		let one = self.cli.run(&["verify", a, c, "--record", "3", "--json"]);
		let one: Value = serde_json::from_slice(&one.stdout).expect("JSON");
		assert_eq!(one["verdict"], "valid", "{one}");
		let wrong = self.cli.run(&["verify", a, c, "--record", "2", "--json"]);
		assert_eq!(wrong.status.code(), Some(3));
		let all = |records: &Path, extra: &[&str]| {
			let args = ["verify", "--all", records.to_str().unwrap(), dir, "--json"];
			let out = self.cli.run(&[&args[..], extra].concat());
			let json: Value = serde_json::from_slice(&out.stdout)
				.unwrap_or_else(|_| panic!("JSON: {}", String::from_utf8_lossy(&out.stderr)));
			(out.status.code(), json)
		};
		let (code, report) = all(&self.path("obs.ndjson"), &[]);
		assert_eq!((code, report["valid"].as_u64()), (Some(0), Some(5)), "{report}");
		raw_chain_spec("dev", &self.path("dev-raw-all.json"));
		let spec = self.path("dev-raw-all.json");
		let (code, report) = all(
			&self.path("obs.ndjson"),
			&["--offline", "--chain-spec", spec.to_str().unwrap(), "--allow-dev-keys"],
		);
		assert_eq!((code, report["verdict"].as_str()), (Some(0), Some("valid")), "{report}");
		assert!(report["certificate"]["reason"].as_str().unwrap().contains("GRANDPA"), "{report}");
		let changed = self.write("obs-changed.ndjson", &observations().replacen("5.30", "5.31", 1));
		let (code, report) = all(&changed, &[]);
		assert_eq!(
			(code, report["verdict"].as_str(), report["valid"].as_u64()),
			(Some(3), Some("tampered"), Some(4))
		);
		assert_eq!(report["notValid"][0]["record"], 3, "{report}");
		let bytes = std::fs::read(&archive).unwrap();
		std::fs::write(&archive, &bytes[..bytes.len() - 100]).unwrap();
		let cut = self.cli.run(&["verify", a, c, "--record", "3"]);
		let stderr = String::from_utf8_lossy(&cut.stderr);
		assert_eq!(cut.status.code(), Some(2), "a malformed archive is bad input: {stderr}");
		assert!(stderr.contains("truncated") && stderr.contains("Merkle tree"), "{stderr}");
		std::fs::write(&archive, &bytes).unwrap();
	}

	/// Each record verifies online, written however its holder likes.
	fn verify_each(&self) {
		for (i, line) in observations().lines().enumerate() {
			let value: Value = serde_json::from_str(line).unwrap();
			let name = format!("obs-{}.json", i + 1);
			let record = self.write(&name, &serde_json::to_string_pretty(&value).unwrap());
			let certificate = self.path(&format!("obs/certificates/{}.json", i + 1));
			let (code, verdict, reason) = self.cli.verify(&record, &certificate);
			assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
		}
	}

	/// Record 3's certificate, altered by `change`, written to `name`.
	fn altered(&self, name: &str, change: impl FnOnce(&mut Value)) -> PathBuf {
		let text = std::fs::read_to_string(self.path("obs/certificates/3.json")).unwrap();
		let mut certificate: Value = serde_json::from_str(&text).unwrap();
		change(&mut certificate);
		self.write(name, &certificate.to_string())
	}

	/// Tampering, each with a precise verdict and never a panic.
	fn tampering(&self) {
		let (record3, cert3) = (self.path("obs-3.json"), self.path("obs/certificates/3.json"));
		let lines: Vec<String> = observations().lines().map(String::from).collect();
		let tampered = self.write("tampered.json", &lines[2].replace("5.30", "5.31"));
		let (code, verdict, reason) = self.cli.verify(&tampered, &cert3);
		assert_eq!((code, verdict.as_str()), (3, "tampered"), "{reason}");
		assert!(reason.contains("altered"), "{reason}");
		let wrong_salt = self.altered("wrong-salt.json", |c| {
			c["record"]["salt"] = Value::String(format!("0x{}", "11".repeat(32)))
		});
		assert_eq!(self.cli.verify(&record3, &wrong_salt).1, "tampered");
		let truncated = self.altered("truncated.json", |c| {
			c["batch"]["proof"]["siblings"].as_array_mut().unwrap().pop();
		});
		let (_, verdict, reason) = self.cli.verify(&record3, &truncated);
		assert_eq!(verdict, "tampered");
		assert!(reason.contains("truncated"), "{reason}");
		let garbage = self.write("garbage.json", "{\"format\": 12, ");
		let (code, verdict, _) = self.cli.verify(&record3, &garbage);
		assert_eq!((code, verdict.as_str()), (3, "tampered"));
		// A record of another file presented with this certificate.
		let other = self.write("other.json", &lines[0]);
		assert_eq!(self.cli.verify(&other, &cert3).1, "tampered");
	}

	/// Offline: the raw chain spec is the only trust anchor.
	fn offline(&self) {
		let (record3, cert3) = (self.path("obs-3.json"), self.path("obs/certificates/3.json"));
		raw_chain_spec("dev", &self.path("dev-raw.json"));
		let dev = self.path("dev-raw.json");
		let (code, verdict, reason) = verify_offline(&record3, &cert3, &dev);
		assert_eq!((code, verdict.as_str()), (Some(0), "valid"), "{reason}");
		assert!(reason.contains("finalized by GRANDPA"), "{reason}");
		assert_eq!(verify_offline(&self.path("tampered.json"), &cert3, &dev).1, "tampered");
		let forged =
			self.altered("forged.json", |c| c["evidence"]["storageProof"] = serde_json::json!([]));
		let (_, verdict, reason) = verify_offline(&record3, &forged, &dev);
		assert_eq!(verdict, "tampered", "{reason}");
		let forged = self.altered("forged-finality.json", |c| {
			// One hex digit changed in the middle of the signed justification.
			let mut digits: Vec<char> =
				c["evidence"]["finalityProof"].as_str().unwrap().chars().collect();
			let middle = digits.len() / 2;
			digits[middle] = if digits[middle] == '0' { '1' } else { '0' };
			c["evidence"]["finalityProof"] = Value::String(digits.into_iter().collect());
		});
		assert_eq!(verify_offline(&record3, &forged, &dev).1, "tampered");
		raw_chain_spec("local", &self.path("local-raw.json"));
		let (_, verdict, reason) = verify_offline(&record3, &cert3, &self.path("local-raw.json"));
		assert_eq!(verdict, "unknown", "{reason}");
		assert!(reason.contains("another chain") || reason.contains("is of chain"), "{reason}");
	}

	/// Rows of a domain out of scope are refused by the chain with its reason; the lab-result
	/// rows anchored one by one get a certificate each. Returns their certificates.
	fn anchor_rows(&self, batch: u64) -> Vec<u64> {
		let results = self.write("results.csv", RESULTS);
		let out = self.anchor(&results, &self.path("refused"), &["--domain", "PHYSICAL_EXAM"]);
		assert!(!out.status.success());
		let stderr = String::from_utf8_lossy(&out.stderr);
		assert!(stderr.contains("OutOfScope"), "{stderr}");
		let out = self.anchor(&results, &self.path("rows"), &["--algorithm", "sha-256"]);
		assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
		let report: Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
		let ids: Vec<u64> = report["certificates"]
			.as_array()
			.unwrap()
			.iter()
			.map(|v| v.as_u64().unwrap())
			.collect();
		assert_eq!(ids.len(), 3);
		assert!(!ids.contains(&batch));
		for n in 1..=3 {
			assert_eq!(self.cli.verify(&self.row(n), &self.row_certificate(n)).1, "valid");
		}
		let shown = self.cli.json(&["certificate", "show", &ids[0].to_string()]);
		assert_eq!(shown["algorithm"], "sha-256");
		assert_eq!(shown["subject"]["type"], "record");
		assert_eq!(shown["finalized"], true);
		ids
	}

	/// Row `n` of the results (1 first) in a file of its own, with the header.
	fn row(&self, n: usize) -> PathBuf {
		let header = RESULTS.lines().next().unwrap();
		let row = RESULTS.lines().nth(n).unwrap();
		self.write(&format!("row-{n}.csv"), &format!("{header}\n{row}\n"))
	}

	fn row_certificate(&self, n: usize) -> PathBuf {
		self.path(&format!("rows/certificates/{n}.json"))
	}

	/// Revoked and superseded stay distinguishable from never certified; only the issuer
	/// revokes; the reason `certificate show --json` prints is accepted back by `revoke`.
	fn revoke_and_supersede(&self, ids: &[u64]) {
		let signed = |args: &[&str]| self.cli.json(&[&["--signer", "//Alice"], args].concat());
		signed(&["certificate", "revoke", &ids[0].to_string(), "--reason", "erroneous"]);
		let (code, verdict, reason) = self.cli.verify(&self.row(1), &self.row_certificate(1));
		assert_eq!((code, verdict.as_str()), (3, "revoked"), "{reason}");
		assert!(reason.contains("erroneous"), "{reason}");
		signed(&["certificate", "supersede", &ids[1].to_string(), &ids[2].to_string()]);
		let (_, verdict, reason) = self.cli.verify(&self.row(2), &self.row_certificate(2));
		assert_eq!(verdict, "superseded");
		assert!(reason.contains(&format!("#{}", ids[2])), "{reason}");
		assert_eq!(self.cli.verify(&self.row(3), &self.row_certificate(3)).1, "valid");
		// Only the issuer revokes: Dave is no member at all here.
		let revoke = ["certificate", "revoke", &ids[2].to_string(), "--reason", "other"];
		self.cli.refused(&[&["--signer", "//Dave"], &revoke[..]].concat());

		// The wire name printed is the one the CLI takes: revoking once more with it is refused
		// by the chain (already revoked), not by the command line.
		let id = ids[2].to_string();
		signed(&["certificate", "revoke", &id, "--reason", "key-compromised"]);
		let shown = self.cli.json(&["certificate", "show", &id]);
		let printed = shown["status"]["reason"].as_str().expect("a reason").to_string();
		assert_eq!(printed, "key-compromised");
		let again = ["--signer", "//Alice", "certificate", "revoke", &id, "--reason", &printed];
		let e = self.cli.refused(&again);
		assert!(e.contains("NotValid"), "refused by the chain, not the CLI: {e}");
	}

	/// Revocation in bulk: a list holding a superseded certificate revokes nothing; every
	/// certificate of an anchoring run (`--from <out>`) is revoked together, one revoked by
	/// hand before being skipped; running it again revokes nothing twice.
	fn revoke_in_bulk(&self, superseded: u64) {
		let records: String =
			(0..6).map(|i| format!("{{\"order\":\"B{i}\",\"value\":{i}}}\n")).collect();
		let file = self.write("bulk.ndjson", &records);
		let out = self.anchor(&file, &self.path("bulk"), &[]);
		assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
		let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
		let ids: Vec<String> = report["certificates"]
			.as_array()
			.expect("certificates")
			.iter()
			.map(|v| v.as_u64().expect("an id").to_string())
			.collect();
		assert_eq!(ids.len(), 6);
		let status = |id: &str| self.cli.json(&["certificate", "show", id])["status"].clone();
		let revoke = |args: &[&str]| -> Vec<String> {
			let head = ["--signer", "//Alice", "certificate", "revoke"];
			let all = [&head[..], args, &["--reason", "erroneous"]].concat();
			all.iter().map(|s| s.to_string()).collect()
		};
		let list = self.write("revoke.txt", &format!("# the run\n{}\n{superseded}\n", ids[0]));
		let args = revoke(&["--from", list.to_str().unwrap()]);
		let e = self.cli.refused(&args.iter().map(String::as_str).collect::<Vec<_>>());
		assert!(e.contains(&format!("#{superseded} is superseded")), "{e}");
		assert!(e.contains("nothing was revoked"), "{e}");
		assert_eq!(status(&ids[0])["state"], "valid", "nothing revoked");
		let args = revoke(&[&ids[1]]);
		self.cli.json(&args.iter().map(String::as_str).collect::<Vec<_>>());
		let bulk = self.path("bulk");
		let from = revoke(&["--from", bulk.to_str().unwrap()]);
		let from: Vec<&str> = from.iter().map(String::as_str).collect();
		let done = self.cli.json(&from);
		let expected: Vec<u64> =
			ids.iter().filter(|id| *id != &ids[1]).map(|id| id.parse().unwrap()).collect();
		assert_eq!(done["revoked"], serde_json::json!(expected), "{done}");
		let by_hand: u64 = ids[1].parse().unwrap();
		assert_eq!(done["alreadyRevoked"], serde_json::json!([by_hand]), "{done}");
		for id in &ids {
			assert_eq!(status(id)["state"], "revoked", "#{id}");
		}
		let again = self.cli.json(&from);
		assert_eq!(again["revoked"], serde_json::json!([]), "{again}");
		assert_eq!(again["alreadyRevoked"].as_array().map(Vec::len), Some(6), "{again}");
		// Only an institution's accounts revoke its certificates.
		let mut dave = from.clone();
		dave[1] = "//Dave";
		self.cli.refused(&dave);
	}

	/// The evidence of many certificates in one call is each one's evidence; too many, or an
	/// unknown one, are refused with the reason.
	async fn evidence_of_many(&self, ids: &[u64]) {
		let many = self.chain.certificates().evidence_of_many(ids).await.expect("evidence");
		for (id, many) in ids.iter().zip(&many) {
			let one = self.chain.certificates().evidence(*id).await.expect("evidence");
			assert_eq!((&one.block, &one.header), (&many.block, &many.header), "#{id}");
			assert_eq!(
				(&one.storage_key, &one.storage_proof),
				(&many.storage_key, &many.storage_proof)
			);
		}
		let call = |ids: Vec<u64>| {
			let chain = self.chain.clone();
			async move {
				let answer: Result<Vec<serde_json::Value>, _> =
					chain.call("medtrust_certificatesEvidence", subxt_rpcs::rpc_params![ids]).await;
				answer.expect_err("refused").to_string()
			}
		};
		let e = call(vec![ids[0]; 1_025]).await;
		assert!(e.contains("1025 certificates asked for: at most 1024 a call"), "{e}");
		let e = call(vec![ids[0], 999_999]).await;
		assert!(e.contains("no certificate #999999"), "{e}");
	}

	/// A well-formed certificate for a record never anchored: unknown.
	fn never_anchored(&self) {
		let salt = [5u8; 32];
		let canonical = medtrust_client::certificates::records::canonical_single(
			"order_no\nZ9\n",
			medtrust_client::certificates::records::RecordFormat::Csv,
		)
		.unwrap();
		let commitment = medtrust_primitives::commitment::commit(
			medtrust_primitives::hashing::HashAlgorithm::Sha256,
			&salt,
			&canonical,
		);
		let text = std::fs::read_to_string(self.row_certificate(3)).unwrap();
		let mut never: Value = serde_json::from_str(&text).unwrap();
		never["record"]["salt"] = Value::String(format!("0x{}", hex::encode(salt)));
		never["record"]["commitment"] = Value::String(format!("0x{}", hex::encode(commitment)));
		let certificate = self.write("never.json", &never.to_string());
		let record = self.write("never.csv", "order_no\nZ9\n");
		let (code, verdict, _) = self.cli.verify(&record, &certificate);
		assert_eq!((code, verdict.as_str()), (3, "unknown"));
	}

	/// The holder of the key decrypts, also after a rotation; another institution's keys do
	/// not open it.
	fn decrypt(&self) {
		self.cli.json(&["keys", "rotate", "--keys", &self.keys]);
		let rows = self.path("rows");
		let decrypt = |keys: &str| {
			self.cli.run(&["decrypt", rows.to_str().unwrap(), "--record", "2", "--keys", keys])
		};
		let out = decrypt(&self.keys);
		assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
		let plain = String::from_utf8(out.stdout).unwrap();
		assert!(
			plain.contains("糖化血红蛋白") && plain.contains("\"order_no\":\"A1002\""),
			"{plain}"
		);
		let other_keys = self.path("other-keys");
		self.cli.json(&["keys", "create", "--keys", other_keys.to_str().unwrap()]);
		let out = decrypt(other_keys.to_str().unwrap());
		assert!(!out.status.success(), "another institution's keys must not open it");
	}

	/// Nothing of the records on chain: every storage value and every block, nor in the log.
	async fn no_plaintext_anywhere(&self) {
		let keys: Vec<String> = self
			.chain
			.call("state_getKeysPaged", subxt_rpcs::rpc_params!["0x", 1000u32])
			.await
			.expect("keys");
		assert!(keys.len() > 10);
		let (marker_hex, name_hex) = (hex::encode(MARKER), hex::encode("糖化血红蛋白"));
		let clean = |text: &str| !text.contains(&marker_hex) && !text.contains(&name_hex);
		for key in &keys {
			let value: Option<String> = self
				.chain
				.call("state_getStorage", subxt_rpcs::rpc_params![key])
				.await
				.expect("a value");
			assert!(clean(&value.unwrap_or_default()), "plaintext under {key}");
		}
		let best = self.chain.header(None).await.expect("a header").number;
		for n in 0..=best {
			let hash: String = self
				.chain
				.call("chain_getBlockHash", subxt_rpcs::rpc_params![n])
				.await
				.expect("a hash");
			let block: Value = self
				.chain
				.call("chain_getBlock", subxt_rpcs::rpc_params![hash])
				.await
				.expect("a block");
			assert!(clean(&block.to_string()), "plaintext in block #{n}");
		}
		let log = self.node.log();
		assert!(
			!log.contains(MARKER) && !log.contains("糖化血红蛋白"),
			"plaintext in the node's log"
		);
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_anchor_verify_revoke_supersede_decrypt() {
	let _lock = exclusive().await;
	let mut phase = Phases::new("certificates", "a dev node and a source");
	let lab = Lab::start().await;
	phase.enter("anchor a batch");
	let batch = lab.anchor_batch();
	phase.enter("verify each record online");
	lab.verify_each();
	phase.enter("the batch's archive");
	lab.archive();
	phase.enter("tampered records");
	lab.tampering();
	phase.enter("offline verification");
	lab.offline();
	phase.enter("anchor rows one by one");
	let ids = lab.anchor_rows(batch);
	phase.enter("evidence of many");
	lab.evidence_of_many(&ids).await;
	phase.enter("revoke and supersede");
	lab.revoke_and_supersede(&ids);
	phase.enter("revoke in bulk");
	lab.revoke_in_bulk(ids[1]);
	phase.enter("a record never anchored");
	lab.never_anchored();
	phase.enter("decrypt");
	lab.decrypt();
	phase.enter("no plaintext anywhere");
	lab.no_plaintext_anywhere().await;
}
