//! Lineage from real OpenLineage streams, on a development node: a corpus of a real
//! producer's events (the Airflow OpenLineage provider's system-test events, installed by
//! `scripts/setup.sh` and completed by `cli/tests/lineage/corpus.py`) imports without editing,
//! its many runs that write nothing skipped, and a second import records nothing; the cases
//! real streams hold, made with `openlineage-python` (`cli/tests/lineage/cases.py`), import
//! with a report: a repeated delivery acknowledged, a 600-input run whole, a 1,000-input run of
//! 1,000 columns in parts as one activity, a 20,000-input run refused with its bound, a run
//! reading a missing certificate refused by name between two recorded runs; the wide run walks
//! and verifies as one run, and the OpenLineage export re-imports to the same graph on another
//! chain. The gateway then takes the same cases over HTTP from the client's transport.

use std::{path::Path, process::Command, time::Duration};

use serde_json::Value;

use crate::{
	harness::{exclusive, repo_root, wait_for, Cli, Node},
	lineage::{anchor_extract, python, shape, succeeds, Gateway},
};

const WAREHOUSE: &str = "postgres://warehouse.health-commission.example:5432";

/// Runs one of `cli/tests/lineage/`'s scripts with the test venv's Python; its JSON output.
fn script(name: &str, args: &[&str]) -> Value {
	let path = repo_root().join("cli/tests/lineage").join(name);
	let out = Command::new(python())
		.arg(path)
		.args(args)
		.output()
		.expect("the venv's python runs (scripts/setup.sh installs it)");
	assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
	serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// `lineage import <file> --json` by //Alice; (exit status, report).
fn import(cli: &Cli, file: &str, events: &str) -> (i32, Value) {
	import_with(cli, file, events, &[])
}

/// `lineage import <file> --json <extra>` by //Alice; (exit status, report).
fn import_with(cli: &Cli, file: &str, events: &str, extra: &[&str]) -> (i32, Value) {
	let args = ["--signer", "//Alice", "lineage", "import", file, "--events", events, "--json"];
	let out = cli.run(&[&args[..], extra].concat());
	let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
		panic!("import prints its report: {}", String::from_utf8_lossy(&out.stderr))
	});
	(out.status.code().unwrap_or(-1), report)
}

/// The run ids of `report`'s recorded runs.
fn recorded_ids(report: &Value) -> Vec<String> {
	let runs = report["runs"].as_array().expect("runs");
	runs.iter().map(|r| r["runId"].as_str().expect("a run id").to_string()).collect()
}

fn id(cases: &Value, case: &str, n: usize) -> String {
	cases[case]["runIds"][n].as_str().expect("a run id").to_string()
}

/// The real producer's corpus: imports whole, the second time records nothing.
fn phase_real_producers(cli: &Cli, dir: &Path, events: &str) {
	let corpus = dir.join("corpus.ndjson").to_str().expect("UTF-8").to_string();
	let home = std::env::var("HOME").expect("a home");
	let source = format!("{home}/.cache/medtrust/openlineage-corpus/expected_events");
	let made = script("corpus.py", &[&source, &corpus]);
	assert!(made["events"].as_u64() > Some(200), "{made}");
	let (status, first) = import(cli, &corpus, events);
	assert_eq!(status, 0, "{first:#}");
	assert_eq!(first["refused"], serde_json::json!([]), "{first:#}");
	assert!(first["recorded"].as_u64() >= Some(10), "{first:#}");
	assert!(first["skipped"].as_u64() >= Some(50), "runs that write nothing: {first:#}");
	let (status, again) = import(cli, &corpus, events);
	assert_eq!(status, 0, "{again:#}");
	assert_eq!(again["recorded"], 0, "{again:#}");
	assert_eq!(again["alreadyRecorded"], first["recorded"], "{again:#}");
}

/// The cases from `openlineage-python`, from a file: the report names what was refused.
fn phase_cases_from_a_file(cli: &Cli, dir: &Path, events: &str, certificate: u64) -> Value {
	let file = dir.join("cases.ndjson").to_str().expect("UTF-8").to_string();
	let cases = script("cases.py", &["file", &file, &certificate.to_string()]);
	// All or nothing: two runs would be refused, so nothing is recorded.
	let (status, strict) = import_with(cli, &file, events, &["--strict"]);
	assert_eq!(status, 4, "{strict:#}");
	assert_eq!(
		(strict["recorded"].as_u64(), strict["refused"].as_array().map(Vec::len)),
		(Some(0), Some(2))
	);
	let (status, report) = import(cli, &file, events);
	assert_eq!(status, 4, "refused runs give exit status 4: {report:#}");
	let refused = report["refused"].as_array().expect("refused").clone();
	assert_eq!(refused.len(), 2, "{report:#}");
	assert_eq!(refused[0]["runId"], id(&cases, "districts_20000", 0), "{report:#}");
	assert_eq!(refused[0]["job"], "dbt districts_20000");
	let reason = refused[0]["reason"].as_str().unwrap_or_default();
	assert!(reason.contains("reads 20,001 datasets and certificates; at most 4,096"), "{reason}");
	assert_eq!(refused[1]["runId"], id(&cases, "refused_in_the_middle", 1), "{report:#}");
	assert_eq!(refused[1]["job"], "dbt batch_b");
	let reason = refused[1]["reason"].as_str().unwrap_or_default();
	assert!(reason.contains("certificate 999999, which does not exist"), "{reason}");
	let mut recorded = recorded_ids(&report);
	recorded.sort();
	let mut expected: Vec<String> = [
		("outputs_on_complete", 0),
		("repeated_delivery", 0),
		("districts_600", 0),
		("districts_1000", 0),
		("refused_in_the_middle", 0),
		("refused_in_the_middle", 2),
	]
	.iter()
	.map(|(case, n)| id(&cases, case, *n))
	.collect();
	expected.sort();
	assert_eq!(recorded, expected, "{report:#}");
	assert_eq!(report["alreadyRecorded"], 1, "the repeated delivery: {report:#}");
	// The 1,000-input run has more edges than one call takes (5,120): it was recorded in parts.
	let wide = id(&cases, "districts_1000", 0);
	let runs = report["runs"].as_array().expect("runs");
	let edges =
		runs.iter().find(|r| r["runId"] == wide.as_str()).expect("recorded")["edges"].clone();
	assert!(edges.as_u64() > Some(5_120), "{edges}");
	assert_eq!(report["skipped"], 2, "the sensor and the check: {report:#}");
	let text = String::from_utf8_lossy(&report.to_string().into_bytes()).into_owned();
	assert!(!text.contains("wasm") && !text.contains("Codec"), "{text}");
	// The same file again: nothing new, the same two refused.
	let (status, again) = import(cli, &file, events);
	assert_eq!(status, 4, "{again:#}");
	assert_eq!((again["recorded"].as_u64(), again["alreadyRecorded"].as_u64()), (Some(0), Some(7)));
	cases
}

/// The 1,000-input run of 1,000 columns, recorded in parts: one activity, walked and verified
/// as one run.
async fn phase_wide_run_is_one(cli: &Cli, chain: &medtrust_client::Chain, cases: &Value) {
	let run = id(cases, "districts_1000", 0);
	let activity: Value = chain
		.call("medtrust_lineageActivity", subxt_rpcs::rpc_params![run.clone()])
		.await
		.expect("the activity");
	assert_eq!(
		activity["inputs"].as_array().map(Vec::len),
		Some(1001),
		"1,000 extracts and the certificate"
	);
	assert_eq!(activity["outputs"].as_array().map(Vec::len), Some(1));
	assert_eq!(activity["complete"], true, "its last part landed");
	let report = ["--namespace", WAREHOUSE, "--name", "reports.districts_1000"];
	let walk = cli.json(&[&["lineage", "ancestors", "--depth", "1"][..], &report[..]].concat());
	assert_eq!(walk["nodes"].as_array().map(Vec::len), Some(1001), "every input at depth 1");
	assert_eq!(walk["truncated"], false);
	let column = cli.json(
		&[&["lineage", "ancestors", "--field", "district_00999", "--depth", "1"][..], &report[..]]
			.concat(),
	);
	assert_eq!(column["nodes"].as_array().map(Vec::len), Some(3), "cases, deaths, tests");
	let verified = cli.json(&[&["lineage", "verify"][..], &report[..]].concat());
	assert_eq!(verified["verdict"], "valid", "{verified:#}");
}

/// The OpenLineage export re-imports to the same graph on another chain.
async fn phase_export_reimports(cli: &Cli, dir: &Path, events: &str, certificate: u64) {
	let exported = dir.join("exported.ndjson").to_str().expect("UTF-8").to_string();
	succeeds(
		cli,
		&["lineage", "export", "--format", "openlineage", "--out", &exported, "--events", events],
	);
	let text = std::fs::read_to_string(&exported).expect("exported");
	let mut fresh = Node::dev("lineage-streams-again");
	let fresh_chain = fresh.connect().await;
	let other = Cli::of(&fresh.url());
	let there = tempfile::tempdir().expect("a temp dir");
	std::fs::copy(dir.join("lab.ndjson"), there.path().join("lab.ndjson")).expect("copied");
	assert_eq!(anchor_extract(&other, &fresh_chain, there.path()).await, certificate);
	let imported = there.path().join("events").to_str().expect("UTF-8").to_string();
	let (status, report) = import(&other, &exported, &imported);
	assert_eq!(status, 0, "{report:#}");
	let again = there.path().join("again.ndjson").to_str().expect("UTF-8").to_string();
	succeeds(
		&other,
		&["lineage", "export", "--format", "openlineage", "--out", &again, "--events", &imported],
	);
	let first = shape(&text);
	assert!(
		first.iter().any(|r| r["inputs"].as_array().map(Vec::len) == Some(1000)),
		"the wide run"
	);
	assert_eq!(shape(&std::fs::read_to_string(&again).expect("exported again")), first);
}

/// The resident memory of process `pid`, in kB.
fn resident_kb(pid: u32) -> u64 {
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the process");
	let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
	line.split_whitespace().nth(1).and_then(|kb| kb.parse().ok()).expect("a number of kB")
}

/// Sends a request whose one header line is `megabytes` long, a megabyte at a time; how many
/// megabytes went out before the gateway closed the connection.
fn send_huge_header(address: &str, megabytes: usize) -> usize {
	use std::io::Write as _;
	let mut stream = std::net::TcpStream::connect(address).expect("the gateway listens");
	stream.write_all(b"POST /api/v1/lineage HTTP/1.1\r\nx-filler: ").expect("sent");
	let chunk = vec![b'a'; 1 << 20];
	for sent in 0..megabytes {
		if stream.write_all(&chunk).is_err() {
			return sent;
		}
	}
	megabytes
}

/// Who may post, what, and how much: no token 401, a web page's request 403, a body not JSON
/// 415, a 100 MB header line cut off without the gateway growing, and 10,000 runs that never
/// complete kept under the pending cap.
fn phase_gateway_bounds(gateway: &Gateway) {
	let token = gateway.token();
	let token = token.trim();
	let post = "POST /api/v1/lineage HTTP/1.1";
	let json_type = "content-type: application/json";
	let event = r#"{"eventType":"START","eventTime":"2025-06-01T01:00:00Z","run":{"runId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301"},"job":{"namespace":"a","name":"b"}}"#;
	let (status, body) = gateway.send(&format!("{post}\r\n{json_type}"), event);
	assert_eq!(status, 401, "no token: {body}");
	let wrong = format!("{post}\r\n{json_type}\r\nauthorization: Bearer {}", "0".repeat(64));
	assert_eq!(gateway.send(&wrong, event).0, 401, "a wrong token");
	let authorized = format!("{post}\r\nauthorization: Bearer {token}");
	let (status, body) = gateway.send(&format!("{authorized}\r\ncontent-type: text/plain"), event);
	assert_eq!(status, 415, "a cross-site text/plain post: {body}");
	let page = format!("{authorized}\r\n{json_type}\r\norigin: http://intranet.example");
	assert_eq!(gateway.send(&page, event).0, 403, "a request from a web page");

	let before = resident_kb(gateway.pid());
	let address = gateway.url.trim_start_matches("http://");
	let sent = send_huge_header(address, 100);
	let grown = resident_kb(gateway.pid()).saturating_sub(before);
	assert!(sent < 100, "the 100 MB header line was read to its end");
	assert!(grown < 10 * 1024, "the gateway grew by {grown} kB on a 100 MB header line");
	eprintln!("a 100 MB header line: closed after {sent} MB sent, the gateway grew {grown} kB");

	let mut last = Value::Null;
	for batch in 0..10 {
		let events: Vec<Value> = (0..1_000)
			.map(|i| {
				let mut start: Value = serde_json::from_str(event).expect("JSON");
				start["run"]["runId"] =
					Value::from(format!("3f2504e0-4f89-11d3-9a0c-{:012x}", batch * 1_000 + i));
				start
			})
			.collect();
		let body = Value::from(events).to_string();
		let (status, answer) = gateway.post(&body);
		assert_eq!(status, 201, "{answer}");
		last = serde_json::from_str(&answer).expect("a JSON answer");
		assert!(
			last["pendingRuns"].as_u64().expect("pendingRuns") <= 1_000,
			"{}",
			last["pendingRuns"]
		);
	}
	assert_eq!(last["pendingRuns"], 1_000, "the cap, full");
	assert_eq!(last["forgottenRuns"], 9_000, "the oldest forgotten");
}

/// The same cases over HTTP from the client's transport to `lineage serve`.
async fn phase_gateway(cli: &Cli, chain: &medtrust_client::Chain, dir: &Path, certificate: u64) {
	let events = dir.join("gateway-events").to_str().expect("UTF-8").to_string();
	let gateway = Gateway::start(&cli.url, "//Alice", &events);
	wait_for("the gateway to listen", Duration::from_secs(30), || async {
		let address = gateway.url.trim_start_matches("http://").to_string();
		Ok::<_, String>(std::net::TcpStream::connect(address).ok().map(|_| ()))
	})
	.await;
	phase_gateway_bounds(&gateway);
	let token = gateway.token_file.to_str().expect("UTF-8").to_string();
	let sent = script("cases.py", &["http", &gateway.url, &certificate.to_string(), &token]);
	let statuses = |case: &str| sent[case]["statuses"].clone();
	assert_eq!(statuses("no_outputs_sensor"), serde_json::json!([201, 201]), "{sent:#}");
	assert_eq!(statuses("no_outputs_check"), serde_json::json!([201]));
	assert_eq!(statuses("repeated_delivery"), serde_json::json!([201, 201, 200, 200]));
	assert_eq!(statuses("districts_1000"), serde_json::json!([201, 201]));
	assert_eq!(statuses("districts_20000"), serde_json::json!([201, 422]), "the bound named");
	assert_eq!(statuses("refused_in_the_middle"), serde_json::json!([201, 400, 201]));
	let wide = id(&sent, "districts_1000", 0);
	let activity: Value = wait_for("the wide run over HTTP", Duration::from_secs(180), || {
		let (chain, wide) = (chain.clone(), wide.clone());
		async move {
			let found: Option<Value> = chain
				.call("medtrust_lineageActivity", subxt_rpcs::rpc_params![wide])
				.await
				.map_err(|e| e.to_string())?;
			// Complete once its last part landed.
			Ok(found.filter(|a| a["complete"] == true))
		}
	})
	.await;
	assert_eq!(activity["inputs"].as_array().map(Vec::len), Some(1001));
	let repeated = id(&sent, "repeated_delivery", 0);
	let once: Option<Value> = chain
		.call("medtrust_lineageActivity", subxt_rpcs::rpc_params![repeated])
		.await
		.expect("an answer");
	assert!(once.is_some(), "the repeated run is recorded (once: its id is unique on chain)");
	drop(gateway);
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_lineage_real_streams_import_idempotently_with_wide_runs_and_named_refusals() {
	let _guard = exclusive().await;
	let mut node = Node::dev("lineage-streams");
	let chain = node.connect().await;
	let cli = Cli::of(&node.url());
	let dir = tempfile::tempdir().expect("a temp dir");
	let events = dir.path().join("events").to_str().expect("UTF-8").to_string();
	std::fs::write(dir.path().join("lab.ndjson"), "{\"test_code\":\"GLU\",\"value\":5.6}\n")
		.expect("written");
	let certificate = anchor_extract(&cli, &chain, dir.path()).await;

	phase_real_producers(&cli, dir.path(), &events);
	let cases = phase_cases_from_a_file(&cli, dir.path(), &events, certificate);
	phase_wide_run_is_one(&cli, &chain, &cases).await;
	phase_export_reimports(&cli, dir.path(), &events, certificate).await;
	phase_gateway(&cli, &chain, dir.path(), certificate).await;
}
