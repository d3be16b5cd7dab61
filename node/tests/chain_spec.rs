//! The committed `chain-specs/local.json` is what institutions start their nodes from; this
//! test fails when it no longer matches the runtime's `local` preset.
//! `scripts/chain-spec.sh` regenerates it.

use std::process::{Command, Stdio};

fn build_spec(chain: &str, raw: bool) -> String {
	let mut command = Command::new(env!("CARGO_BIN_EXE_medtrust-node"));
	command.args(["build-spec", "--chain", chain, "--disable-default-bootnode"]);
	if raw {
		command.arg("--raw");
	}
	let out = command.stdin(Stdio::null()).output().expect("medtrust-node runs");
	assert!(out.status.success(), "build-spec failed: {}", String::from_utf8_lossy(&out.stderr));
	String::from_utf8(out.stdout).expect("a chain spec is UTF-8 JSON")
}

#[test]
fn committed_local_chain_spec_is_current() {
	let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/local.json");
	let generated = build_spec("local", false);
	if std::env::var_os("MEDTRUST_BLESS").is_some() {
		std::fs::write(&path, &generated).expect("chain-specs/ is writable");
		return;
	}
	let committed = std::fs::read_to_string(&path).unwrap_or_default();
	assert!(
		committed == generated,
		"{} is stale: run scripts/chain-spec.sh and commit the result",
		path.display()
	);
}

#[test]
fn build_spec_describes_both_built_in_chains() {
	for (chain, name, id) in [
		("dev", "MedTrust Development", "medtrust_dev"),
		("local", "MedTrust Local Consortium", "medtrust_local"),
	] {
		let spec: serde_json::Value =
			serde_json::from_str(&build_spec(chain, false)).expect("build-spec prints JSON");
		assert_eq!(spec["name"], name);
		assert_eq!(spec["id"], id);
		assert_eq!(spec["properties"]["ss58Format"], 42);
		// The spec is built from the runtime's preset, not from node code.
		let genesis = &spec["genesis"]["runtimeGenesis"];
		assert!(genesis["code"].as_str().is_some_and(|code| code.starts_with("0x")));
		let keys = genesis["patch"]["session"]["keys"].as_array().expect("validators' keys");
		assert_eq!(keys.len(), if chain == "dev" { 1 } else { 4 });
		let institutions =
			genesis["patch"]["consortium"]["institutions"].as_array().expect("institutions");
		assert_eq!(institutions.len(), keys.len());
	}
}

#[test]
fn raw_spec_of_the_committed_file_loads() {
	let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/local.json");
	let raw = build_spec(path.to_str().expect("UTF-8 path"), true);
	let spec: serde_json::Value = serde_json::from_str(&raw).expect("raw spec is JSON");
	assert!(spec["genesis"]["raw"]["top"].as_object().is_some_and(|top| !top.is_empty()));
}

#[test]
fn an_unknown_chain_gives_a_clear_error() {
	let out = Command::new(env!("CARGO_BIN_EXE_medtrust-node"))
		.args(["build-spec", "--chain", "/nonexistent/spec.json"])
		.stdin(Stdio::null())
		.output()
		.expect("medtrust-node runs");
	assert!(!out.status.success());
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("cannot load the chain spec /nonexistent/spec.json"), "{stderr}");
}
