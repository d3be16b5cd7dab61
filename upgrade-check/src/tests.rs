//! The checks on the upgrade rehearsal's code (built beside the runtime's) and the local
//! consortium's genesis state.

use std::path::Path;

use super::*;

/// `<target>/release`, where the build leaves the node and the runtimes' code.
fn release_dir() -> std::path::PathBuf {
	let exe = std::env::current_exe().expect("the test's path");
	// <target>/release/deps/medtrust_upgrade_check-<hash>
	exe.parent().and_then(Path::parent).expect("tests live in <profile>/deps").to_path_buf()
}

/// The upgrade rehearsal's code, as the build leaves it (runtime/build.rs).
fn rehearsal() -> RuntimeWasm {
	let path = release_dir()
		.join("wbuild/medtrust-runtime/medtrust_runtime_rehearsal.compact.compressed.wasm");
	assert!(path.is_file(), "no {}: build the workspace first", path.display());
	read(&path).expect("the rehearsal's code")
}

/// The local consortium's genesis state (`medtrust-node build-spec --chain local --raw`),
/// with the consortium pallet back at storage version 0 (so the rehearsal's migration
/// runs), the rehearsal's code, and, if `broken`, a member index entry for an account of
/// no institution, which the consortium's `try_state` must catch.
fn state(wasm: &RuntimeWasm, broken: bool) -> sp_core::storage::Storage {
	let node = release_dir().join("medtrust-node");
	let out = std::process::Command::new(&node)
		.args(["build-spec", "--chain", "local", "--raw"])
		.stderr(std::process::Stdio::null())
		.output()
		.unwrap_or_else(|e| panic!("{} runs: {e}", node.display()));
	let spec: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a chain spec");
	let hex = |text: &str| hex::decode(text.trim_start_matches("0x")).expect("hex");
	let mut top: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = spec["genesis"]["raw"]["top"]
		.as_object()
		.expect("raw genesis storage")
		.iter()
		.map(|(k, v)| (hex(k), hex(v.as_str().expect("a hex value"))))
		.collect();
	let version_key = [
		sp_crypto_hashing::twox_128(b"Consortium"),
		sp_crypto_hashing::twox_128(b":__STORAGE_VERSION__:"),
	]
	.concat();
	top.remove(&version_key);
	top.insert(sp_core::storage::well_known_keys::CODE.to_vec(), wasm.bytes.clone());
	if broken {
		let account = [7u8; 32];
		let key = [
			&sp_crypto_hashing::twox_128(b"Consortium")[..],
			&sp_crypto_hashing::twox_128(b"MemberOf")[..],
			&sp_crypto_hashing::blake2_128(&account)[..],
			&account[..],
		]
		.concat();
		top.insert(key, 0u32.to_le_bytes().to_vec());
	}
	sp_core::storage::Storage { top, children_default: Default::default() }
}

#[test]
fn the_rehearsal_checks_pass_on_a_sound_state_and_fail_on_a_broken_one() {
	assert!(RuntimeLog::install(), "the test binary has no other logger");
	let wasm = rehearsal();
	assert_eq!(wasm.version.spec_name, "medtrust");
	let (migration, block) = run_try_runtime_upgrade(&wasm, state(&wasm, false)).unwrap();
	assert!(migration > 0 && migration < block, "{migration} of {block}");
	let error = run_try_runtime_upgrade(&wasm, state(&wasm, true)).unwrap_err().to_string();
	assert!(error.contains("the upgrade's checks failed"), "{error}");
	assert!(error.contains("\"Consortium\" try_state checks failed"), "{error}");
	assert!(error.contains("stray member index entry"), "{error}");
}

#[test]
fn a_file_that_is_not_a_runtime_is_refused_with_its_name() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("notes.wasm");
	std::fs::write(&path, b"not wasm").unwrap();
	let error = read(&path).unwrap_err().to_string();
	assert!(error.contains("notes.wasm is not a runtime's Wasm code"), "{error}");
	let missing = read(&dir.path().join("none.wasm")).unwrap_err().to_string();
	assert!(missing.contains("cannot read"), "{missing}");
}
