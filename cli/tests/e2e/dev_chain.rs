//! A single development node produces and finalizes blocks; `medtrust status` reports them;
//! a bulk run lands every call once whatever nonces it meets.

use std::time::Duration;

use medtrust_client::{runtime, MedTrustConfig};
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

	// The node serves exactly the `medtrust_*` methods docs/rpc.md lists.
	let listed: Value =
		chain.call("rpc_methods", subxt_rpcs::rpc_params![]).await.expect("rpc_methods");
	let served: std::collections::BTreeSet<String> = listed["methods"]
		.as_array()
		.expect("a method list")
		.iter()
		.filter_map(Value::as_str)
		.filter(|m| m.starts_with("medtrust_"))
		.map(String::from)
		.collect();
	// The previous release's names answer as the new ones do (aliases for one release).
	for (new, old) in [
		("medtrust_consortiumInstitutions", "medtrust_institutions"),
		("medtrust_catalogDomains", "medtrust_domains"),
	] {
		let answer = |method: &'static str| chain.call::<Value>(method, subxt_rpcs::rpc_params![]);
		let (now, before) = (answer(new).await.expect(new), answer(old).await.expect(old));
		assert_eq!(now, before, "{old} answers as {new}");
	}
	let documented = documented_methods();
	let undocumented: Vec<_> = served.difference(&documented).collect();
	let missing: Vec<_> = documented.difference(&served).collect();
	assert!(
		undocumented.is_empty() && missing.is_empty(),
		"served but not in docs/rpc.md: {undocumented:?}; in docs/rpc.md but not served: {missing:?}"
	);
}

/// The `medtrust_*` methods docs/rpc.md's table names in its first column.
fn documented_methods() -> std::collections::BTreeSet<String> {
	let text = std::fs::read_to_string(crate::harness::repo_root().join("docs/rpc.md"))
		.expect("docs/rpc.md");
	let mut found = std::collections::BTreeSet::new();
	for line in text.lines().filter(|l| l.starts_with("| `medtrust_")) {
		let first = line.split(" | ").next().unwrap_or_default();
		for part in first.split("medtrust_").skip(1) {
			let name: String = part.chars().take_while(char::is_ascii_alphanumeric).collect();
			found.insert(format!("medtrust_{name}"));
		}
	}
	found
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

/// A bulk run (what `anchor`, `catalog import` and the other bulk paths submit through) lands
/// every call exactly once when its nonces meet what a killed client or another node's pool
/// leaves behind: a nonce nothing holds any more (the run fills it) and a nonce another
/// transaction took (the run signs that call again with a new one).
#[tokio::test(flavor = "multi_thread")]
async fn e2e_bulk_run_lands_every_call_once_past_a_lost_and_a_taken_nonce() {
	let _lock = exclusive().await;
	let mut node = Node::dev("dev");
	let chain = node.connect().await;
	crate::harness::wait_until_finalized(&chain, 1).await;
	let alice = subxt_signer::sr25519::dev::alice();
	let account = alice.public_key().to_account_id();
	let next_nonce = || {
		let (chain, account) = (chain.clone(), account);
		async move {
			let nonce: u64 = chain
				.call("system_accountNextIndex", subxt_rpcs::rpc_params![account])
				.await
				.expect("the account's next nonce");
			nonce
		}
	};
	let remarks = |tag: &str| -> Vec<_> {
		(0..3u8)
			.map(|i| runtime::tx().system().remark_with_event(format!("{tag}-{i}").into_bytes()))
			.collect()
	};
	let run = |first: u64, calls: Vec<_>| {
		let chain = chain.clone();
		let alice = alice.clone();
		async move {
			let mut landed = Vec::new();
			let started = std::time::Instant::now();
			chain
				.submit_in_flight_from(first, &calls, &alice, |l| {
					assert!(l.failed.is_none(), "call {} failed: {:?}", l.index, l.failed);
					landed.push(l.index);
					Ok(())
				})
				.await
				.expect("the run finishes");
			landed.sort();
			assert_eq!(landed, vec![0, 1, 2], "each call lands once");
			started.elapsed()
		}
	};

	// Two nonces lost: the run begins two past the account's next one.
	let before = next_nonce().await;
	let took = run(before + 2, remarks("gap")).await;
	assert_eq!(next_nonce().await, before + 5, "two fillers and three calls");
	eprintln!("a run past two lost nonces finished in {took:?}");

	// A nonce taken: another transaction of the signer is in the pool with the run's first.
	let before = next_nonce().await;
	let other = runtime::tx().system().remark(b"another client".to_vec());
	let params = subxt::config::PolkadotExtrinsicParamsBuilder::<MedTrustConfig>::new()
		.nonce(before)
		.build();
	let signed = chain
		.api()
		.at_current_block()
		.await
		.expect("the finalized block")
		.transactions()
		.create_signable_offline(&other, params)
		.and_then(|mut signable| signable.sign(&alice))
		.expect("signed");
	chain
		.legacy()
		.author_submit_extrinsic(&signed.into_encoded())
		.await
		.expect("the other transaction is in the pool");
	let took = run(before, remarks("taken")).await;
	assert_eq!(next_nonce().await, before + 4, "the other one and the three calls");
	eprintln!("a run whose first nonce was taken finished in {took:?}");
}
