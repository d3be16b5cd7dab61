//! A real third-party client: `@polkadot/api` (the library behind Polkadot.js Apps) connects,
//! reads metadata, shows the runtime APIs' names as text, submits a signed `system.remark`
//! from //Alice and sees it finalized.

use std::{
	process::{Command, Stdio},
	time::Duration,
};

use serde_json::Value;

use crate::harness::{exclusive, repo_root, wait_for, Node};

#[tokio::test(flavor = "multi_thread")]
async fn e2e_polkadot_js_submits_a_remark_that_is_finalized() {
	let _lock = exclusive().await;
	let dir = repo_root().join("cli/tests/polkadot-js");
	assert!(
		dir.join("node_modules/@polkadot/api").is_dir(),
		"@polkadot/api is not installed: run `npm ci` in {} (scripts/test.sh does)",
		dir.display()
	);

	let mut node = Node::dev("polkadot-js");
	let chain = node.connect().await;

	let marker = format!("medtrust-e2e-remark-{}", std::process::id());
	let url = node.url();
	let script_dir = dir.clone();
	let marker_arg = marker.clone();
	let out = tokio::task::spawn_blocking(move || {
		Command::new("node")
			.arg("remark.mjs")
			.arg(&url)
			.arg(&marker_arg)
			.current_dir(script_dir)
			.stdin(Stdio::null())
			.output()
	})
	.await
	.expect("the node.js task completes")
	.expect("node.js runs");
	assert!(
		out.status.success(),
		"remark.mjs failed:\n{}\n{}",
		String::from_utf8_lossy(&out.stdout),
		String::from_utf8_lossy(&out.stderr)
	);
	let report: Value = serde_json::from_slice(&out.stdout).expect("remark.mjs prints JSON");
	assert_eq!(report["chain"], "MedTrust Development");
	assert_eq!(report["specName"], "medtrust");
	assert_eq!(report["success"], true, "{report}");
	let pallets: Vec<&str> =
		report["pallets"].as_array().expect("pallets").iter().filter_map(Value::as_str).collect();
	assert!(pallets.contains(&"System") && pallets.contains(&"Grandpa"), "{pallets:?}");
	// Runtime APIs called as Polkadot.js Apps calls them: names come back as text.
	let institution = &report["institutions"][0];
	assert_eq!(institution[1]["name"], "MedTrust 开发测试医院", "{institution}");
	let domains = report["domains"].as_array().expect("domains");
	let outpatient = domains.iter().find(|d| d[0] == "OUTPATIENT").expect("OUTPATIENT");
	assert_eq!(outpatient[1]["name"], "门诊", "{outpatient}");

	// The node agrees: the block is on the finalized chain and holds the remark.
	let number = report["blockNumber"].as_u64().expect("a block number");
	let block_hash = report["blockHash"].as_str().expect("a block hash").to_string();
	wait_for("the node to report the block as finalized", Duration::from_secs(30), || {
		let chain = chain.clone();
		async move {
			let head =
				chain.legacy().chain_get_finalized_head().await.map_err(|e| e.to_string())?;
			let finalized = chain.header(Some(head)).await.map_err(|e| e.to_string())?.number;
			Ok((finalized >= number).then_some(()))
		}
	})
	.await;
	let canonical = chain
		.legacy()
		.chain_get_block_hash(Some(number.into()))
		.await
		.expect("block hash")
		.expect("the block is known");
	assert_eq!(format!("{canonical:?}"), block_hash);
	let block = chain
		.legacy()
		.chain_get_block(Some(canonical))
		.await
		.expect("block")
		.expect("the block is known");
	let holds_remark = block
		.block
		.extrinsics
		.iter()
		.any(|xt| xt.0.windows(marker.len()).any(|window| window == marker.as_bytes()));
	assert!(holds_remark, "the finalized block does not contain the remark");
}
