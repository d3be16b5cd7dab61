//! Faults on the four-validator local network (GRANDPA finalizes with three of four): a
//! validator killed (`SIGKILL`) while transactions stream in, two of four killed, one frozen
//! (`SIGSTOP`) for several slots, and the node serving a client killed in the middle of
//! `anchor` and of `catalog import`. Each test is bounded in time and stops what it started;
//! the figures it prints (time to catch up, to resume finality) are docs/testing.md's.

use std::{
	collections::HashMap,
	process::{Command, Stdio},
	time::{Duration, Instant},
};

use medtrust_client::{runtime, Chain};
use subxt::utils::H256;

use crate::{
	governance::Laboratory,
	harness::{
		cli_binary, exclusive, medtrust_json, start_local_consortium, wait_for,
		wait_until_finalized, Node,
	},
};

/// The finalized block of `chain`: number and hash.
async fn finalized(chain: &Chain) -> Result<(u64, H256), String> {
	let status = chain.status().await.map_err(|e| e.to_string())?;
	Ok((status.finalized.number, status.finalized.hash))
}

/// The hash of block `number` on `chain`'s canonical chain.
async fn block_hash(chain: &Chain, number: u64) -> Option<H256> {
	chain.legacy().chain_get_block_hash(Some(number.into())).await.ok().flatten()
}

/// Every chain holds the same block at every height up to the lowest of their finalized
/// blocks: no fork was finalized anywhere.
async fn agree_on_finality(chains: &[&Chain]) -> u64 {
	let mut lowest = u64::MAX;
	for chain in chains {
		lowest = lowest.min(finalized(chain).await.expect("a finalized block").0);
	}
	for number in 1..=lowest {
		let first = block_hash(chains[0], number).await;
		assert!(first.is_some(), "no block #{number}");
		for chain in &chains[1..] {
			assert_eq!(block_hash(chain, number).await, first, "block #{number} differs");
		}
	}
	lowest
}

/// Waits until `chain`'s finalized block reaches `number`; returns how long it took.
async fn finality_reaches(chain: &Chain, number: u64, what: &str, timeout: u64) -> Duration {
	let started = Instant::now();
	wait_for(what, Duration::from_secs(timeout), || async {
		Ok((finalized(chain).await?.0 >= number).then_some(()))
	})
	.await;
	started.elapsed()
}

/// Remarks with events from `//Alice`, `waves` waves of `per_wave`, each wave submitted at
/// in flight (as `anchor` sends) and waited for until final; returns the BLAKE2-256 hash of each remark.
async fn stream_remarks(chain: Chain, tag: &str, waves: usize, per_wave: usize) -> Vec<H256> {
	let alice = medtrust_client::chain::signer::parse("//Alice").expect("a dev key");
	let mut hashes = Vec::new();
	for wave in 0..waves {
		let remarks: Vec<Vec<u8>> =
			(0..per_wave).map(|i| format!("{tag} {wave}-{i}").into_bytes()).collect();
		hashes.extend(remarks.iter().map(|r| H256(sp_crypto_hashing::blake2_256(r))));
		let calls: Vec<_> = remarks
			.into_iter()
			.map(|r| runtime::transactions().system().remark_with_event(r))
			.collect();
		chain
			.submit_in_flight(&calls, &alice, |_| Ok(()))
			.await
			.expect("every remark of the wave finalized");
	}
	hashes
}

/// How many times each remark hash was recorded (`System.Remarked`) in blocks `from..=to`.
async fn remarked(chain: &Chain, from: u64, to: u64) -> HashMap<H256, usize> {
	let mut seen = HashMap::new();
	for number in from..=to {
		let at = chain.api().at_block(number).await.expect("the block");
		let events = at.events().fetch().await.expect("its events");
		for event in events.find::<runtime::system::events::Remarked>() {
			*seen.entry(event.expect("decodes").hash).or_default() += 1;
		}
	}
	seen
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_a_killed_validator_loses_nothing_and_catches_up_from_its_database() {
	let _lock = exclusive().await;
	let (mut nodes, chains, _) = start_local_consortium().await;
	wait_until_finalized(&chains[0], 2).await;
	let (start, _) = finalized(&chains[0]).await.expect("finalized");
	let stream = tokio::spawn({
		let chain = chains[0].clone();
		async move { stream_remarks(chain, "one down", 4, 10).await }
	});
	tokio::time::sleep(Duration::from_secs(4)).await;
	nodes[3].kill();
	let (down_at, _) = finalized(&chains[0]).await.expect("finalized");
	finality_reaches(&chains[0], down_at + 4, "finality with three of four", 60).await;
	let hashes = stream.await.expect("the stream ran");
	// Every transaction final exactly once.
	let (end, _) = finalized(&chains[0]).await.expect("finalized");
	let seen = remarked(&chains[0], start, end).await;
	for hash in &hashes {
		assert_eq!(seen.get(hash), Some(&1), "remark {hash:?}");
	}
	assert_eq!(seen.len(), hashes.len());

	// Restarted on its database, it catches up and agrees on the finalized chain.
	let restarted = Instant::now();
	nodes[3].restart();
	let dave = nodes[3].connect().await;
	let (target, _) = finalized(&chains[0]).await.expect("finalized");
	finality_reaches(&dave, target, "the restarted validator to catch up", 120).await;
	let caught_up = restarted.elapsed();
	let agreed = agree_on_finality(&[&chains[0], &chains[1], &chains[2], &dave]).await;
	eprintln!(
		"one of four killed: finality went on (#{down_at} -> #{end}), {} transactions final \
		 once each; restarted, it caught up to #{target} in {:.1} s; all agree up to #{agreed}",
		hashes.len(),
		caught_up.as_secs_f64()
	);
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_two_of_four_down_stops_finality_and_it_resumes_without_loss() {
	let _lock = exclusive().await;
	let (mut nodes, chains, _) = start_local_consortium().await;
	wait_until_finalized(&chains[0], 3).await;
	nodes[2].kill();
	nodes[3].kill();
	let (stopped, stopped_hash) = finalized(&chains[0]).await.expect("finalized");
	let best_before = chains[0].header(None).await.expect("best").number;
	tokio::time::sleep(Duration::from_secs(18)).await;
	let (still, _) = finalized(&chains[0]).await.expect("finalized");
	let best_after = chains[0].header(None).await.expect("best").number;
	// A vote already cast may finalize one more block; then nothing.
	assert!(still <= stopped + 1, "finality went on with two of four: #{stopped} -> #{still}");
	assert_eq!(block_hash(&chains[0], stopped).await, Some(stopped_hash), "a final block moved");

	let restarted = Instant::now();
	nodes[2].restart();
	nodes[3].restart();
	let resumed =
		finality_reaches(&chains[0], best_after.max(still) + 2, "finality to resume", 180).await;
	let charlie = nodes[2].connect().await;
	let dave = nodes[3].connect().await;
	let (target, _) = finalized(&chains[0]).await.expect("finalized");
	for chain in [&charlie, &dave, &chains[1]] {
		finality_reaches(chain, target, "every node to catch up", 120).await;
	}
	let agreed = agree_on_finality(&[&chains[0], &chains[1], &charlie, &dave]).await;
	assert_eq!(block_hash(&charlie, stopped).await, Some(stopped_hash));
	eprintln!(
		"two of four killed: finality stopped at #{stopped} (#{still} 18 s later) while blocks \
		 went #{best_before} -> #{best_after}; both restarted, finality passed #{} {:.1} s \
		 after the restart ({:.1} s in all); all agree up to #{agreed}",
		best_after.max(still) + 2,
		resumed.as_secs_f64(),
		restarted.elapsed().as_secs_f64()
	);
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_a_frozen_validator_resumes_and_no_fork_is_finalized() {
	let _lock = exclusive().await;
	let (nodes, chains, _) = start_local_consortium().await;
	wait_until_finalized(&chains[0], 2).await;
	nodes[1].signal("STOP");
	let (frozen_at, _) = finalized(&chains[0]).await.expect("finalized");
	// Several slots (3 s each) without Bob: his slots are skipped, the others go on.
	let frozen = tokio::time::sleep(Duration::from_secs(15));
	frozen.await;
	let (during, _) = finalized(&chains[0]).await.expect("finalized");
	nodes[1].signal("CONT");
	assert!(
		during >= frozen_at + 2,
		"finality stalled with three of four: #{frozen_at} -> #{during}"
	);
	let caught_up = finality_reaches(&chains[1], during + 2, "the thawed validator", 90).await;
	let (now, _) = finalized(&chains[0]).await.expect("finalized");
	finality_reaches(&chains[0], now + 3, "the chain to go on", 60).await;
	let agreed = agree_on_finality(&[&chains[0], &chains[1], &chains[2], &chains[3]]).await;
	eprintln!(
		"one of four frozen 15 s: finality went #{frozen_at} -> #{during}; thawed, it was final \
		 past #{during} in {:.1} s; all agree up to #{agreed}",
		caught_up.as_secs_f64()
	);
}

/// Runs `medtrust` with `args` in the background; kills the node `victim` once `ready` says
/// the command is under way; returns the command's exit success and standard error.
async fn run_and_kill_node(
	args: &[&str],
	victim: &mut Node,
	ready: impl Fn() -> bool,
) -> (bool, String) {
	let mut child = Command::new(cli_binary())
		.args(args)
		.stdin(Stdio::null())
		.stdout(Stdio::null())
		.stderr(Stdio::piped())
		.spawn()
		.expect("medtrust runs");
	let started = Instant::now();
	while !ready() {
		assert!(
			child.try_wait().expect("waits").is_none(),
			"the command ended before its node died"
		);
		assert!(started.elapsed() < Duration::from_secs(120), "the command never got under way");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	victim.kill();
	let out = tokio::task::spawn_blocking(move || child.wait_with_output())
		.await
		.expect("joined")
		.expect("the command ends");
	(out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
}

/// The one error line a command printed (progress notes aside).
fn one_error_line(stderr: &str) -> String {
	let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
	assert_eq!(errors.len(), 1, "one error line expected:\n{stderr}");
	errors[0].to_string()
}

/// The next certificate id (how many certificates the chain ever issued).
async fn certificates_issued(chain: &Chain) -> u64 {
	let key = [
		sp_crypto_hashing::twox_128(b"Certificates"),
		sp_crypto_hashing::twox_128(b"NextCertificateId"),
	]
	.concat();
	let value = chain.legacy().state_get_storage(&key, None).await.expect("storage");
	value.map(|v| u64::from_le_bytes(v[..8].try_into().expect("a u64"))).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_a_client_whose_node_dies_fails_clearly_and_finishes_elsewhere_once() {
	let _lock = exclusive().await;
	let (mut nodes, chains, _) = start_local_consortium().await;
	wait_until_finalized(&chains[0], 2).await;
	let alice_url = chains[0].url().to_string();
	let lab = Laboratory::set_up(&chains[0], &alice_url).await;
	let dir = lab.dir.path();

	// `anchor`, one certificate per record, through Dave's node, which dies under it.
	let records: Vec<String> = (0..60)
		.map(|i| format!("{{\"order\":\"F{i}\",\"item\":\"GLU\",\"value\":4.{i}}}"))
		.collect();
	std::fs::write(dir.join("faults.ndjson"), records.join("\n")).expect("written");
	let out = dir.join("faults-out");
	let anchor = |url: &str| -> Vec<String> {
		[
			"--url",
			url,
			"--signer",
			"//Alice",
			"anchor",
			dir.join("faults.ndjson").to_str().expect("UTF-8"),
			"--source",
			&lab.source,
			"--resource",
			&lab.resource,
			"--out",
			out.to_str().expect("UTF-8"),
			"--keys",
			dir.join("keys").to_str().expect("UTF-8"),
		]
		.iter()
		.map(|s| s.to_string())
		.collect()
	};
	let before = certificates_issued(&chains[0]).await;
	let dave_url = nodes[3].url();
	let args = anchor(&dave_url);
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	let state = out.join("anchor-state.json");
	let (ok, stderr) = run_and_kill_node(&args, &mut nodes[3], || state.is_file()).await;
	assert!(!ok, "anchor succeeded although its node died:\n{stderr}");
	let line = one_error_line(&stderr);
	assert!(line.contains(&format!("lost the connection to the node at {dave_url}")), "{stderr}");
	eprintln!("anchor, its node killed: {line}");
	let args = anchor(&alice_url);
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	let done = medtrust_json(&args);
	let after = certificates_issued(&chains[0]).await;
	assert_eq!(after - before, 60, "certified twice or missed: {done}");
	let state: serde_json::Value =
		serde_json::from_slice(&std::fs::read(&state).expect("the state")).expect("JSON");
	let ids: std::collections::BTreeSet<u64> = state["certificates"]
		.as_array()
		.expect("certificates")
		.iter()
		.map(|c| c[0].as_u64().expect("an id"))
		.collect();
	assert_eq!(ids.len(), 60, "{state}");
	// Dave's node back (two of four down would stop finality).
	nodes[3].restart();
	nodes[3].connect().await;

	// `catalog import` of eight interfaces through Bob's node, which dies after the first.
	let paths: String = (0..8)
		.map(|i| {
			format!("  /results/{i}:\n    get:\n      parameters:\n        - {{ name: id{i}, in: query }}\n")
		})
		.collect();
	let document = dir.join("lis-api.yaml");
	std::fs::write(&document, format!("openapi: 3.0.0\npaths:\n{paths}")).expect("written");
	let import = |url: &str| -> Vec<String> {
		[
			"--url",
			url,
			"--signer",
			"//Alice",
			"--json",
			"catalog",
			"import",
			"--openapi",
			document.to_str().expect("UTF-8"),
			"--source",
			&lab.source,
		]
		.iter()
		.map(|s| s.to_string())
		.collect()
	};
	let resources = |chain: &Chain| {
		let chain = chain.clone();
		let source = lab.source.clone();
		async move {
			let shown = medtrust_json(&["--url", chain.url(), "catalog", "show", &source]);
			shown["resources"].as_array().expect("resources").len()
		}
	};
	let existing = resources(&chains[0]).await;
	let bob_url = nodes[1].url();
	let args = import(&bob_url);
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	let alice_chain = chains[0].clone();
	let source = lab.source.clone();
	let first_registered = move || {
		let shown = Command::new(cli_binary())
			.args(["--url", alice_chain.url(), "--json", "catalog", "show", &source])
			.output()
			.expect("runs");
		let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap_or_default();
		shown["resources"].as_array().map(Vec::len).unwrap_or(0) > existing
	};
	let (ok, stderr) = run_and_kill_node(&args, &mut nodes[1], first_registered).await;
	assert!(!ok, "import succeeded although its node died:\n{stderr}");
	let line = one_error_line(&stderr);
	assert!(line.contains(&format!("lost the connection to the node at {bob_url}")), "{stderr}");
	eprintln!("catalog import, its node killed: {line}");
	let args = import(&alice_url);
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	let report = medtrust_json(&args);
	assert_eq!(resources(&chains[0]).await, existing + 8, "{report}");
	// Once more: everything is there already.
	let again = medtrust_json(&args);
	let actions: Vec<&str> = again["resources"]
		.as_array()
		.expect("resources")
		.iter()
		.map(|r| r["action"].as_str().unwrap_or_default())
		.collect();
	assert_eq!(actions, ["unchanged"; 8], "{again}");
}
