//! A single development node produces and finalizes blocks; `medtrust status` reports them.

use std::time::Duration;

use serde_json::Value;

use crate::harness::{exclusive, free_port, medtrust, wait_for, Node};

const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

#[tokio::test(flavor = "multi_thread")]
async fn e2e_dev_node_finalizes_blocks_and_status_reports_them() {
	let _lock = exclusive().await;
	let mut node = Node::dev("dev");
	let chain = node.connect().await;

	// Blocks are authored and finalized (GRANDPA with a single voter).
	let status = wait_for("block #3 to be finalized", Duration::from_secs(60), || {
		let chain = chain.clone();
		async move {
			let status = chain.status().await.map_err(|e| e.to_string())?;
			Ok((status.finalized.number >= 3).then_some(status))
		}
	})
	.await;
	assert!(status.best.number >= status.finalized.number);

	// The CLI reports the same chain, as JSON…
	let url = node.url();
	let out = medtrust(&["--url", &url, "status", "--json"]);
	assert!(out.status.success(), "status failed: {}", String::from_utf8_lossy(&out.stderr));
	let json: Value = serde_json::from_slice(&out.stdout).expect("status --json prints JSON");
	assert_eq!(json["chain"], "MedTrust Development");
	assert_eq!(json["runtime"]["spec_name"], "medtrust");
	assert_eq!(json["runtime"]["spec_version"], medtrust_runtime_spec_version());
	assert_eq!(json["genesis_hash"].as_str(), Some(format!("{:?}", status.genesis_hash).as_str()));
	let best = json["best"]["number"].as_u64().expect("a best block number");
	let finalized = json["finalized"]["number"].as_u64().expect("a finalized block number");
	assert!(finalized >= status.finalized.number, "finalized went back: {finalized}");
	assert!(best >= finalized);
	assert_eq!(json["peers"], 0);
	let validators = json["validators"].as_array().expect("a validator list");
	assert_eq!(validators.len(), 1);
	assert_eq!(validators[0]["aura"], ALICE);
	assert_eq!(json["best_author"], 0, "Alice authors every block of the dev chain");

	// … and as text.
	let out = medtrust(&["--url", &url, "status"]);
	assert!(out.status.success());
	let text = String::from_utf8(out.stdout).expect("UTF-8 output");
	assert!(text.contains("MedTrust Development"), "{text}");
	assert!(text.contains("Finalized"), "{text}");
	assert!(text.contains(ALICE), "{text}");
}

/// The spec version the CLI must report: the one of the runtime in this tree.
fn medtrust_runtime_spec_version() -> u32 {
	let source = std::fs::read_to_string(crate::harness::repo_root().join("runtime/src/lib.rs"))
		.expect("the runtime's source");
	source
		.lines()
		.find_map(|line| line.trim().strip_prefix("spec_version: "))
		.and_then(|rest| rest.trim_end_matches(',').trim().parse().ok())
		.expect("runtime/src/lib.rs declares spec_version")
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_unreachable_node_gives_a_one_line_error_naming_the_url() {
	// Nothing listens on a port that was just free.
	let url = format!("ws://127.0.0.1:{}", free_port());
	for json in [false, true] {
		let mut args = vec!["--url", url.as_str(), "status"];
		if json {
			args.push("--json");
		}
		let out = medtrust(&args);
		assert!(!out.status.success());
		let stderr = String::from_utf8(out.stderr).expect("UTF-8 output");
		assert_eq!(stderr.lines().count(), 1, "one line expected, got:\n{stderr}");
		assert!(stderr.starts_with("error: cannot connect to "), "{stderr}");
		assert!(stderr.contains(&url), "{stderr}");
		assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
	}

	let out = medtrust(&["--url", "http://127.0.0.1:1", "status"]);
	let stderr = String::from_utf8(out.stderr).expect("UTF-8 output");
	assert!(!out.status.success());
	assert!(stderr.contains("ws:// or wss://"), "{stderr}");
}
