//! A runtime upgrade by vote on a four-institution consortium founded on fresh keys (no sudo
//! key, nothing of the development keys in its genesis), as the institutions' operators run it: with data in the consortium, the catalog and certificates,
//! the upgrade rehearsal (the same sources one `spec_version` ahead, with a storage migration;
//! built beside every release) is checked on the live state, proposed, approved by three of
//! four institutions and applied by anyone. Blocks and finality go on without a restart, the
//! migration ran exactly once, and every earlier certificate still verifies online and
//! offline.

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use medtrust_client::{runtime::consortium::events::StorageMigrated, Chain};
use serde_json::Value;

use crate::{
	governance::Laboratory,
	harness::{
		exclusive, medtrust, medtrust_json, node_binary, start_founded_consortium,
		start_founded_consortium_on, wait_for, wait_until_finalized, Cli, Phases,
	},
};

/// A runtime's Wasm as the build leaves it beside the node binary.
fn wasm(name: &str) -> PathBuf {
	let release = node_binary().parent().expect("the node's directory").to_path_buf();
	let path = release.join(format!("wbuild/medtrust-runtime/{name}.compact.compressed.wasm"));
	assert!(path.is_file(), "no {} (runtime/build.rs builds it)", path.display());
	path
}

fn upgrade(url: &str, signer: Option<&str>, wasm: &Path, extra: &[&str]) -> std::process::Output {
	let mut args = vec!["--url", url];
	if let Some(signer) = signer {
		args.extend(["--signer", signer]);
	}
	args.extend(["--json", "governance", "upgrade", wasm.to_str().expect("UTF-8")]);
	args.extend(extra);
	medtrust(&args)
}

fn json(out: &std::process::Output) -> Value {
	assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
	serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// The error of a command that failed with exit status `status` (docs/cli.md).
fn refused(status: i32, out: &std::process::Output) -> String {
	let stderr = String::from_utf8_lossy(&out.stderr).to_string();
	assert_eq!(out.status.code(), Some(status), "{stderr}");
	stderr
}

async fn spec_version(chain: &Chain) -> u32 {
	chain.runtime_version(None).await.expect("the runtime version").spec_version
}

/// The `Consortium.StorageMigrated` events in blocks `from..=to` of `chain`.
async fn migrations_between(chain: &Chain, from: u64, to: u64) -> Vec<StorageMigrated> {
	events_between::<StorageMigrated>(chain, from, to).await
}

/// The events `E` in blocks `from..=to` of `chain`, with the number of the block of each.
async fn events_between<E: subxt::events::DecodeAsEvent>(
	chain: &Chain,
	from: u64,
	to: u64,
) -> Vec<E> {
	let mut found = Vec::new();
	for number in from..=to {
		let at = chain.api().at_block(number).await.expect("the block");
		let events = at.events().fetch().await.expect("its events");
		found.extend(events.find::<E>().map(|e| e.expect("decodes")));
	}
	found
}

/// The last release's runtime, committed for this test (`runtime/releases/`).
fn last_release() -> PathBuf {
	let path = crate::harness::repo_root()
		.join("runtime/releases/medtrust_runtime-111.compact.compressed.wasm");
	assert!(path.is_file(), "no {}", path.display());
	path
}

/// The on-chain storage version of a pallet.
async fn storage_version(chain: &Chain, pallet: &str) -> u16 {
	let key = [
		sp_crypto_hashing::twox_128(pallet.as_bytes()),
		sp_crypto_hashing::twox_128(b":__STORAGE_VERSION__:"),
	]
	.concat();
	let value = chain.legacy().state_get_storage(&key, None).await.expect("storage");
	value.map(|v| u16::from_le_bytes([v[0], v[1]])).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_runtime_upgrade_is_voted_in_and_applied_without_a_restart() {
	let _lock = exclusive().await;
	let mut phase = Phases::new("upgrade", "a founded consortium with data in every pallet");
	let founded = start_founded_consortium().await;
	let (chains, admins) = (&founded.chains, &founded.admins);
	let url = chains[0].url().to_string();
	wait_until_finalized(&chains[0], 2).await;
	// Data in every pallet: the consortium (genesis), the catalog's sources and resources, its
	// items (an interface's fields), certificates and lineage.
	let mut lab = Laboratory::set_up_as(&chains[0], &url, &admins[0], Some(&founded.spec)).await;
	let (record, certificate) = lab.anchor();
	assert_eq!(lab.verify_offline(&record, &certificate), 0);
	let api = lab.dir.path().join("results-api.yaml");
	let document = "openapi: 3.0.0\npaths:\n  /results:\n    get:\n      parameters:\n        \
		- { name: patient_id, in: query }\n        - { name: glucose, in: query }\n";
	std::fs::write(&api, document).expect("written");
	let alice = ["--url", url.as_str(), "--signer", admins[0].as_str()];
	let api = api.to_str().expect("UTF-8");
	let catalog = ["catalog", "import", "--openapi", api, "--source", &lab.source];
	medtrust_json(&[&alice[..], &catalog[..]].concat());
	let lineage = [
		"lineage",
		"record",
		"--job-namespace",
		"airflow",
		"--job-name",
		"deidentify",
		"--kind",
		"de-identify",
		"--input",
		"postgres://lis.example:5432",
		"lis.lab_result",
		"--output",
		"postgres://research.example:5432",
		"research.deid",
		"--column",
		"pseudonym=0.patient_id:transformation:masked",
	];
	medtrust_json(&[&alice[..], &lineage[..]].concat());
	let release = spec_version(&chains[0]).await;
	let rehearsal = wasm("medtrust_runtime_rehearsal");

	// The release's own code is refused before anything is sent (its version is the chain's):
	// bad input, 2.
	phase.enter("refusals and the check");
	let same = refused(2, &upgrade(&url, Some(&admins[0]), &wasm("medtrust_runtime"), &[]));
	assert!(same.contains(&format!("is not above the chain's {release}")), "{same}");
	// Checked on a copy of the live state: migrations, storage versions, try_state.
	let check = json(&upgrade(&url, None, &rehearsal, &["--check"]));
	assert_eq!(check["proposed"]["spec_version"], release + 1);
	assert!(check["keys"].as_u64().expect("keys") > 50, "{check}");
	// Nothing is authorized yet: applying is refused (6).
	let early = refused(6, &upgrade(&url, None, &rehearsal, &["--apply"]));
	assert!(early.contains("no upgrade is authorized"), "{early}");

	phase.enter("proposed and approved");
	let proposed = json(&upgrade(&url, Some(&admins[0]), &rehearsal, &[]));
	assert_eq!(proposed["threshold"], 3, "two thirds of four, rounded up");
	approve(&url, admins, &proposed);
	assert_eq!(spec_version(&chains[0]).await, release, "authorized, not applied yet");

	phase.enter("applied by anyone, no signer");
	let applied = json(&upgrade(&url, None, &rehearsal, &["--apply"]));
	assert_eq!(applied["before"]["spec_version"], release);
	assert_eq!(applied["after"]["spec_version"], release + 1);
	assert_eq!(applied["code_hash"], proposed["code_hash"]);
	let set_in = chains[0]
		.header(Some(applied["block_hash"].as_str().expect("a hash").parse().expect("H256")))
		.await
		.expect("the block that set the code")
		.number;

	phase.enter("every node on the new runtime, no restart");
	for chain in chains {
		wait_for("the new runtime and 3 more final blocks", Duration::from_secs(90), || async {
			let status = chain.status().await.map_err(|e| e.to_string())?;
			let done =
				status.runtime.spec_version == release + 1 && status.finalized.number >= set_in + 3;
			Ok(done.then_some(()))
		})
		.await;
	}
	let status = chains[0].status().await.expect("status");
	eprintln!(
		"runtime {release} -> {} set in block #{set_in}; finalized #{} on",
		status.runtime.spec_version, status.finalized.number
	);
	// The migration ran once, in the first block of the new runtime, and left the count right.
	let migrated = migrations_between(&chains[0], set_in, status.finalized.number).await;
	assert_eq!(migrated.len(), 1, "StorageMigrated events: {migrated:?}");
	assert_eq!((migrated[0].version, migrated[0].items), (2, 4));
	assert_eq!(storage_version(&chains[0], "Consortium").await, 2);
	let active = medtrust_json(&["--url", &url, "consortium", "list"]);
	assert_eq!(active.as_array().expect("a list").len(), 4);

	phase.enter("certificates before and after verify");
	let cli = Cli::of(&url);
	let (code, verdict, reason) = cli.verify(&record, &certificate);
	assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
	assert_eq!(lab.verify_offline(&record, &certificate), 0);
	let (after_record, after_certificate) = lab.anchor();
	let (code, verdict, reason) = cli.verify(&after_record, &after_certificate);
	assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
	lab.verify_offline(&after_record, &after_certificate);

	// The same code again is refused: its version is now the chain's, nothing is authorized.
	let again = refused(6, &upgrade(&url, None, &rehearsal, &["--apply"]));
	assert!(again.contains("no upgrade is authorized"), "{again}");
}

/// Approves a proposed upgrade: admins 1–3 vote aye, the fourth closes the motion.
fn approve(url: &str, admins: &[String], proposed: &Value) {
	let motion = proposed["motion_hash"].as_str().expect("a motion").to_string();
	for voter in &admins[..3] {
		medtrust_json(&["--url", url, "--signer", voter, "consortium", "vote", &motion, "--aye"]);
	}
	let closed =
		medtrust_json(&["--url", url, "--signer", &admins[3], "consortium", "close", &motion]);
	assert_eq!(closed["motion_result"], "ok", "{closed}");
}

/// Votes `wasm` in on the consortium and applies it; returns the number of the block that set
/// the code.
async fn vote_in(chain: &Chain, admins: &[String], wasm: &Path) -> u64 {
	let url = chain.url().to_string();
	approve(&url, admins, &json(&upgrade(&url, Some(&admins[0]), wasm, &[])));
	let applied = json(&upgrade(&url, None, wasm, &["--apply"]));
	let block = applied["block_hash"].as_str().expect("a hash").parse().expect("H256");
	chain.header(Some(block)).await.expect("the block that set the code").number
}

/// The upgrade every network on the last release (spec 111) takes: certificates anchored
/// there, whose look-up index was keyed by commitment alone, are found under their issuer
/// once the multi-block migration has run, and verify online and offline before and after.
#[tokio::test(flavor = "multi_thread")]
async fn e2e_the_last_release_upgrades_to_this_one_and_moves_its_certificates() {
	use medtrust_client::runtime::{
		certificates::events::StorageMigrated as CertificatesMigrated,
		multi_block_migrations::events::{UpgradeCompleted, UpgradeStarted},
	};
	let _lock = exclusive().await;
	let mut phase = Phases::new("last release", "a consortium founded on the last release");
	let founded = start_founded_consortium_on(Some(&last_release())).await;
	let (chains, admins) = (&founded.chains, &founded.admins);
	let url = chains[0].url().to_string();
	wait_until_finalized(&chains[0], 2).await;
	assert_eq!(spec_version(&chains[0]).await, 111, "founded on the last release");

	// Two batches anchored on the last release: verified online (the node reads version 1 of
	// the certificates API there) and offline.
	phase.enter("two batches anchored on the last release");
	let mut lab = Laboratory::set_up_as(&chains[0], &url, &admins[0], Some(&founded.spec)).await;
	let first = lab.anchor();
	let second = lab.anchor();
	let cli = Cli::of(&url);
	for (record, certificate) in [&first, &second] {
		let (code, verdict, reason) = cli.verify(record, certificate);
		assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
		assert_eq!(lab.verify_offline(record, certificate), 0);
	}
	assert_eq!(storage_version(&chains[0], "Certificates").await, 0);

	phase.enter("checked, voted in and applied");
	// This release's migrations checked on the live state (by the rehearsal: the same sources
	// with try-runtime's checks, whose migrations begin with the release's), then the release
	// voted in and applied.
	let check = json(&upgrade(&url, None, &wasm("medtrust_runtime_rehearsal"), &["--check"]));
	assert_eq!(check["proposed"]["spec_version"], 114, "{check}");
	let release = wasm("medtrust_runtime");
	let set_in = vote_in(&chains[0], admins, &release).await;

	phase.enter("the multi-block migration");
	// The multi-block migration starts in the upgrade's block and completes; the storage
	// version is 1 from the upgrade on.
	let completed = wait_for("the migration to complete", Duration::from_secs(90), || async {
		let finalized = chains[0].status().await.map_err(|e| e.to_string())?.finalized.number;
		let done = events_between::<UpgradeCompleted>(&chains[0], set_in, finalized).await;
		Ok((!done.is_empty()).then_some(finalized))
	})
	.await;
	assert_eq!(events_between::<UpgradeStarted>(&chains[0], set_in, completed).await.len(), 1);
	let moved = events_between::<CertificatesMigrated>(&chains[0], set_in, completed).await;
	assert_eq!(moved.len(), 1, "{moved:?}");
	assert_eq!((moved[0].version, moved[0].certificates), (1, 2));
	assert_eq!(spec_version(&chains[0]).await, 113);
	assert_eq!(storage_version(&chains[0], "Certificates").await, 1);
	// The consortium's keys became versioned in the same upgrade (the founders had none).
	let keyed = migrations_between(&chains[0], set_in, completed).await;
	assert_eq!(keyed.iter().map(|m| (m.version, m.items)).collect::<Vec<_>>(), vec![(1, 4)]);
	assert_eq!(storage_version(&chains[0], "Consortium").await, 1);

	phase.enter("old and new certificates verify");
	// The certificates of the last release verify online and offline, a new one too, and
	// blocks go on being finalized on every node.
	for (record, certificate) in [&first, &second] {
		let (code, verdict, reason) = cli.verify(record, certificate);
		assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
		assert_eq!(lab.verify_offline(record, certificate), 0);
	}
	let (record, certificate) = lab.anchor();
	let (code, verdict, reason) = cli.verify(&record, &certificate);
	assert_eq!((code, verdict.as_str()), (0, "valid"), "{reason}");
	for chain in chains {
		wait_until_finalized(chain, completed + 2).await;
	}
}
