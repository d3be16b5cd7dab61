//! `medtrust-node founding`: a consortium founded on its institutions' own keys.
//!
//! 1. Each institution, on its own machine: `founding init` creates its keys (admin account,
//!    Aura, GRANDPA, network) under its base path, readable by its owner only, and writes
//!    `institution.json`, the public parts.
//! 2. One founder collects every `institution.json`: `founding spec` builds the raw chain spec
//!    of the consortium (council = their admins, authorities = their session keys, no sudo, no
//!    endowed development accounts) and prints its genesis hash.
//! 3. Every founder compares the genesis hash, then runs
//!    `medtrust-node --chain <spec.json> --base-path <dir> --validator`: a base path holding an
//!    `institution.json` gives the node that institution's keystore and network key.

mod init;
mod spec;

use std::{
	fs::{self, OpenOptions},
	io::Write as _,
	os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _},
	path::{Path, PathBuf},
};

use medtrust_primitives::wire::{one_of, WireName as _};
use pallet_consortium::{CreditCode, InstitutionKind, RegionCode};
use serde::{Deserialize, Serialize};
use sp_core::crypto::{AccountId32, Ss58Codec as _};

pub use init::InitCmd;
pub use spec::SpecCmd;

/// What `institution.json` says it is.
pub const INSTITUTION_FORMAT: &str = "medtrust-institution/1";
/// The public parts of an institution, written by `founding init`.
pub const INSTITUTION_FILE: &str = "institution.json";
/// The admin account's secret phrase, 0600.
pub const ADMIN_KEY_FILE: &str = "admin.key";
/// The node's keystore (Aura and GRANDPA keys), under the base path.
pub const KEYSTORE_DIR: &str = "keystore";
/// The node's network key, under the base path.
pub const NETWORK_KEY_FILE: &str = "network/secret_ed25519";

/// Founding a consortium on the institutions' own keys.
#[derive(Debug, clap::Subcommand)]
pub enum FoundingCmd {
	/// Create one institution's keys on its own machine and write its institution.json.
	Init(InitCmd),
	/// Build the raw chain spec of a consortium from its institutions' institution.json files
	/// and print its genesis hash.
	Spec(SpecCmd),
}

impl FoundingCmd {
	/// Runs the subcommand.
	pub fn run(&self) -> sc_cli::Result<()> {
		match self {
			FoundingCmd::Init(cmd) => cmd.run(),
			FoundingCmd::Spec(cmd) => cmd.run(),
		}
	}
}

/// An institution's public parts: what `founding init` writes and `founding spec` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstitutionFile {
	/// Always [`INSTITUTION_FORMAT`].
	pub format: String,
	pub name: String,
	pub credit_code: String,
	/// `hospital`, `lab`, `health-commission`, … (as `medtrust consortium propose-admit`).
	pub kind: String,
	/// A six-digit administrative division code.
	pub region: String,
	/// The admin account (SS58), which also names the validator.
	pub admin: String,
	pub session_keys: SessionKeysFile,
	/// The node's libp2p peer id, base58 (`12D3KooW…`), as `--bootnodes` takes it.
	pub peer_id: String,
	/// Where the other institutions' nodes reach it (`/dns/<host>/tcp/30333`), if given: the
	/// chain spec lists it as a bootnode.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub address: Option<String>,
}

/// The session keys' public parts, `0x` hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionKeysFile {
	pub aura: String,
	pub grandpa: String,
}

/// An institution's identity, checked.
#[derive(Debug, Clone)]
pub struct Identity {
	pub name: String,
	pub credit_code: String,
	pub kind: InstitutionKind,
	pub region: String,
}

impl Identity {
	/// Checks what an operator typed, as the consortium pallet will at genesis.
	pub fn parse(name: &str, credit_code: &str, kind: &str, region: &str) -> Result<Self, String> {
		let name = name.trim();
		if name.is_empty() || name.len() > 256 {
			return Err(format!("the name must be 1 to 256 bytes of UTF-8; `{name}` is not"));
		}
		let code: [u8; 18] = credit_code.as_bytes().try_into().map_err(|_| {
			format!("the credit code `{credit_code}` is not 18 characters (统一社会信用代码)")
		})?;
		if !CreditCode(code).is_valid() {
			return Err(format!(
				"the credit code `{credit_code}` is not a valid unified social credit code (its \
				 alphabet, region digits or check character)"
			));
		}
		let kind = InstitutionKind::from_wire_name(kind).ok_or_else(|| {
			format!("the kind `{kind}` is none of {}", one_of::<InstitutionKind>())
		})?;
		let digits: [u8; 6] = region
			.as_bytes()
			.try_into()
			.map_err(|_| format!("the region `{region}` is not a six-digit division code"))?;
		if !RegionCode(digits).is_valid() {
			return Err(format!("the region `{region}` is not a six-digit division code"));
		}
		Ok(Identity {
			name: name.to_string(),
			credit_code: credit_code.to_string(),
			kind,
			region: region.to_string(),
		})
	}
}

/// The SS58 form of an account on MedTrust chains.
pub fn ss58(account: &AccountId32) -> String {
	account.to_ss58check_with_version(medtrust_runtime::SS58_PREFIX.into())
}

/// Creates `dir` and its missing parents readable by their owner only (0700).
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
	fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Writes a new file readable by its owner only from its first byte (0600); an existing file
/// is never overwritten.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	let mut file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
	file.write_all(bytes)?;
	file.sync_all()
}

/// Writes a public file through a temporary file renamed into place.
pub fn write_public(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	let mut temporary = PathBuf::from(path);
	temporary.as_mut_os_string().push(".new");
	let mut file =
		OpenOptions::new().write(true).create(true).truncate(true).mode(0o644).open(&temporary)?;
	file.write_all(bytes)?;
	file.sync_all()?;
	fs::rename(&temporary, path)
}

/// Checks a node's public address: a multiaddr without a peer id (`/dns/<host>/tcp/30333`).
pub fn check_address(address: &str) -> Result<sc_network::Multiaddr, String> {
	let parsed: sc_network::Multiaddr =
		address.parse().map_err(|e| format!("`{address}` is not a multiaddr: {e}"))?;
	if address.contains("/p2p/") {
		return Err(format!("`{address}`: give the address without /p2p/<peer id>"));
	}
	Ok(parsed)
}

/// The error of a founding step, for `sc_cli`.
pub fn error(message: impl Into<String>) -> sc_cli::Error {
	sc_cli::Error::Input(message.into())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[derive(clap::Parser)]
	struct Spec {
		#[command(flatten)]
		cmd: SpecCmd,
	}

	fn spec_cmd<'a>(args: impl IntoIterator<Item = &'a str>) -> SpecCmd {
		let args = std::iter::once("spec").chain(args);
		<Spec as clap::Parser>::try_parse_from(args).expect("arguments").cmd
	}

	fn identity(code: &str) -> Identity {
		Identity::parse("测试医院", code, "hospital", "110101").expect("a valid identity")
	}

	#[test]
	fn identities_are_checked_as_the_consortium_pallet_checks_them() {
		assert!(Identity::parse("", "121000004000003011", "hospital", "110101").is_err());
		let bad_check = Identity::parse("x", "121000004000003012", "hospital", "110101");
		assert!(bad_check.unwrap_err().contains("check character"));
		let kind = Identity::parse("x", "121000004000003011", "clinic", "110101").unwrap_err();
		assert!(kind.contains("health-commission"), "{kind}");
		assert!(Identity::parse("x", "121000004000003011", "lab", "990101").is_err());
		assert_eq!(identity("121000004000003011").kind, InstitutionKind::Hospital);
		assert!(check_address("/dns/node.example/tcp/30333").is_ok());
		assert!(check_address(
			"/dns/node.example/tcp/30333/p2p/12D3KooWPmYN5q4tGfGugWAog1xttDkyAeAih4LnKGXPDdD61QJU"
		)
		.is_err());
		assert!(check_address("node.example:30333").is_err());
	}

	#[test]
	fn keys_are_private_never_overwritten_and_the_spec_names_the_founders_only() {
		use std::os::unix::fs::PermissionsExt as _;
		let dir = tempfile::tempdir().expect("a temporary directory");
		let (a, b) = (dir.path().join("a"), dir.path().join("b"));
		let first = init::create_keys(&a, identity("121000004000003011"), None).expect("keys");
		let address = Some("/dns/b.example/tcp/30333".to_string());
		let second = init::create_keys(&b, identity("123100004250005125"), address).expect("keys");
		let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
		assert_eq!(mode(&a), 0o700);
		assert_eq!(mode(&a.join(ADMIN_KEY_FILE)), 0o600);
		assert_eq!(mode(&a.join(NETWORK_KEY_FILE)), 0o600);
		assert_eq!(mode(&a.join(KEYSTORE_DIR)), 0o700);
		for key in std::fs::read_dir(a.join(KEYSTORE_DIR)).unwrap() {
			assert_eq!(mode(&key.unwrap().path()), 0o600);
		}
		let again = init::create_keys(&a, identity("121000004000003011"), None);
		assert!(again.is_err(), "a base path with keys is refused");
		assert_ne!(first.peer_id, second.peer_id);
		assert!(first.peer_id.starts_with("12D3KooW"));

		let out = dir.path().join("spec.json");
		let files = [a.join(INSTITUTION_FILE), b.join(INSTITUTION_FILE)];
		let cmd = spec_cmd(
			["--id", "medtrust_t", "--name", "T", "--out", out.to_str().unwrap()]
				.into_iter()
				.chain(files.iter().map(|f| f.to_str().unwrap())),
		);
		cmd.run().expect("a spec");
		let spec: serde_json::Value =
			serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("JSON");
		assert_eq!(spec["chainType"], "Live");
		assert_eq!(spec["id"], "medtrust_t");
		let boot = spec["bootNodes"].as_array().expect("boot nodes");
		assert_eq!(boot.len(), 1, "only b gave an address");
		assert_eq!(boot[0], format!("/dns/b.example/tcp/30333/p2p/{}", second.peer_id));
		assert!(spec.pointer("/genesis/raw/top").is_some(), "the spec is raw");
		// Built again from the same files: accepted; another spec at the same path: refused.
		cmd.run().expect("the same spec again");
		let one = spec_cmd([
			"--id",
			"medtrust_t",
			"--name",
			"T",
			"--out",
			out.to_str().unwrap(),
			files[0].to_str().unwrap(),
		]);
		assert!(one.run().unwrap_err().to_string().contains("another chain spec"));

		// The block time: the runtime's SlotDuration under its well-known key, or refused.
		let key = format!("0x{}", hex::encode(medtrust_runtime::time::SlotDuration::key()));
		assert!(spec.pointer(&format!("/genesis/raw/top/{key}")).is_none(), "3 s: the default");
		let with =
			|millis: &str, out: &Path| {
				spec_cmd(
					["--id", "medtrust_t", "--name", "T", "--block-time", millis]
						.into_iter()
						.chain(["--out", out.to_str().unwrap(), files[0].to_str().unwrap()]),
				)
				.run()
			};
		for refused in ["0", "49", "3001"] {
			let why = with(refused, &dir.path().join("refused.json")).unwrap_err().to_string();
			assert!(why.contains("between 50 and 3000 milliseconds"), "{why}");
		}
		let fast = dir.path().join("fast.json");
		with("100", &fast).expect("a spec of 100 ms blocks");
		let spec: serde_json::Value =
			serde_json::from_slice(&std::fs::read(&fast).unwrap()).expect("JSON");
		let stored = spec.pointer(&format!("/genesis/raw/top/{key}")).expect("the block time");
		assert_eq!(stored, &format!("0x{}", hex::encode(100u64.to_le_bytes())));
	}
}
