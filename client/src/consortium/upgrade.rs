//! Runtime upgrades by vote (`medtrust governance upgrade`): the running consortium's one
//! path to new runtime code.
//!
//! 1. [`Consortium::propose_upgrade`]: an active institution's admin proposes a council motion
//!    that, approved by at least two thirds of the active institutions, authorizes the code's
//!    hash (`Consortium::enact_as_root` of `System::authorize_upgrade`, version-checked: same
//!    `spec_name`, higher `spec_version`). The motion carries the 32-byte hash, not the code.
//! 2. The institutions vote and close the motion (`consortium vote`, `consortium close`).
//! 3. [`Consortium::apply_upgrade`]: anyone supplies the code (`System::apply_authorized_upgrade`,
//!    an unsigned transaction the chain accepts only for the authorized hash); the next block
//!    runs the new runtime and its migrations. Nodes keep running: no restart.
//!
//! Before anyone votes, [`Consortium::check_upgrade`] runs the new code's migrations with their
//! pre- and post-upgrade checks, each pallet's storage version against its code, and every
//! pallet's `try_state`, on the node's finalized state copied into memory (the code must be
//! built with `try-runtime`, as the upgrade rehearsal is). Nothing is written to the chain.

use std::path::Path;

use codec::{Compact, Decode};
use sc_executor::{HeapAllocStrategy, RuntimeVersionOf, WasmExecutor};
use serde::Serialize;
use sp_core::traits::{CallContext, CodeExecutor, RuntimeCode, WrappedRuntimeCode};
use subxt::utils::H256;
use subxt_signer::sr25519::Keypair;

use crate::consortium::{Consortium, Error as ConsortiumError};
use crate::{
	chain::{status::RuntimeInfo, tx::Submitted},
	runtime::{
		self,
		runtime_types::{
			frame_system::pallet::Call as SystemCall, medtrust_runtime::RuntimeCall,
			pallet_consortium::pallet::Call as ConsortiumCall,
		},
	},
	Error, Result,
};

/// Keys read from the node per request when copying its state.
const KEYS_PER_PAGE: u32 = 1_000;

/// `frame_try_runtime::UpgradeCheckSelect::All` as SCALE: pre- and post-upgrade checks, then
/// every pallet's `try_state` (the enum's second variant).
const CHECK_ALL: [u8; 1] = [1];

/// A runtime's code, read from a file (`.compact.compressed.wasm` as the build writes it).
#[derive(Debug, Clone)]
pub struct RuntimeWasm {
	pub bytes: Vec<u8>,
	/// BLAKE2-256 of the bytes, as `System::authorize_upgrade` takes it.
	pub code_hash: H256,
	/// The version embedded in the code.
	pub version: RuntimeInfo,
}

impl RuntimeWasm {
	/// Reads a runtime's code and the version it embeds; fails clearly on anything else.
	pub fn read(path: &Path) -> Result<Self> {
		let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
		let code_hash = H256(sp_crypto_hashing::blake2_256(&bytes));
		let code = WrappedRuntimeCode(bytes.as_slice().into());
		let runtime_code =
			RuntimeCode { code_fetcher: &code, heap_pages: None, hash: code_hash.0.to_vec() };
		let version = executor()
			.runtime_version(&mut sp_state_machine::BasicExternalities::default(), &runtime_code)
			.map_err(|e| ConsortiumError::Code {
				path: path.to_path_buf(),
				reason: e.to_string(),
			})?;
		let version = RuntimeInfo {
			spec_name: version.spec_name.to_string(),
			spec_version: version.spec_version,
			impl_version: version.impl_version,
			transaction_version: version.transaction_version,
		};
		Ok(Self { bytes, code_hash, version })
	}

	fn runtime_code<'a>(&self, code: &'a WrappedRuntimeCode<'a>) -> RuntimeCode<'a> {
		RuntimeCode { code_fetcher: code, heap_pages: None, hash: self.code_hash.0.to_vec() }
	}
}

/// The executor that reads versions and runs checks: compiled Wasm, the standard host
/// functions, a heap that grows as the checks need.
fn executor() -> WasmExecutor<sp_io::SubstrateHostFunctions> {
	WasmExecutor::builder()
		.with_offchain_heap_alloc_strategy(HeapAllocStrategy::Dynamic { maximum_pages: None })
		.with_max_runtime_instances(1)
		.build()
}

/// A proposed upgrade, awaiting votes.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeProposal {
	pub motion_hash: Option<H256>,
	pub code_hash: H256,
	pub current: RuntimeInfo,
	pub proposed: RuntimeInfo,
	/// Ayes needed: two thirds of the active institutions, rounded up.
	pub threshold: u32,
	pub council: u32,
	pub submitted: Submitted,
}

/// An applied upgrade.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedUpgrade {
	pub extrinsic_hash: H256,
	pub block_hash: H256,
	pub code_hash: H256,
	pub before: RuntimeInfo,
	pub after: RuntimeInfo,
}

/// What checking an upgrade against the live state found (it failed otherwise).
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeCheck {
	/// The finalized block whose state was copied.
	pub block_hash: H256,
	pub block_number: u64,
	pub keys: usize,
	pub current: RuntimeInfo,
	pub proposed: RuntimeInfo,
	/// The migrations' weight (ref time, picoseconds) and the block's limit.
	pub migration_ref_time: u64,
	pub block_ref_time: u64,
}

/// Two thirds of `council`, rounded up: the ayes `EnsureProportionAtLeast<2, 3>` needs.
pub fn supermajority(council: u32) -> u32 {
	(2 * council).div_ceil(3)
}

/// The call a supermajority motion carries to authorize `code_hash`.
pub fn authorize_call(code_hash: H256) -> RuntimeCall {
	RuntimeCall::Consortium(ConsortiumCall::enact_as_root {
		call: Box::new(RuntimeCall::System(SystemCall::authorize_upgrade { code_hash })),
	})
}

/// Refuses code the chain would refuse: another `spec_name`, or a `spec_version` that does
/// not increase.
fn check_versions(current: &RuntimeInfo, proposed: &RuntimeInfo) -> Result<()> {
	if proposed.spec_name != current.spec_name {
		return Err(ConsortiumError::Version(format!(
			"the code is runtime `{}`, the chain runs `{}`",
			proposed.spec_name, current.spec_name
		))
		.into());
	}
	if proposed.spec_version <= current.spec_version {
		return Err(ConsortiumError::Version(format!(
			"the code's spec_version {} is not above the chain's {}: build the new release \
			 (spec_version bumped)",
			proposed.spec_version, current.spec_version
		))
		.into());
	}
	Ok(())
}

impl Consortium<'_> {
	/// Proposes the supermajority motion authorizing `wasm` (the signer: an active
	/// institution's admin). With a council of one, it executes at once.
	pub async fn propose_upgrade(
		&self,
		signer: &Keypair,
		wasm: &RuntimeWasm,
	) -> Result<UpgradeProposal> {
		let current = self.chain.runtime_version(None).await?;
		check_versions(&current, &wasm.version)?;
		let council = self.council_size().await?;
		let threshold = supermajority(council);
		let submitted =
			self.propose_with_threshold(signer, authorize_call(wasm.code_hash), threshold).await?;
		Ok(UpgradeProposal {
			motion_hash: submitted.motion_hash,
			code_hash: wasm.code_hash,
			current,
			proposed: wasm.version.clone(),
			threshold,
			council,
			submitted,
		})
	}

	/// The code hash the chain has authorized, if any (`System::AuthorizedUpgrade`).
	pub async fn authorized_upgrade(&self) -> Result<Option<H256>> {
		let key = [
			sp_crypto_hashing::twox_128(b"System"),
			sp_crypto_hashing::twox_128(b"AuthorizedUpgrade"),
		]
		.concat();
		let value = self
			.chain
			.legacy()
			.state_get_storage(&key, None)
			.await
			.map_err(|e| self.chain.rpc_error("state_getStorage", e))?;
		// `CodeUpgradeAuthorization { code_hash, check_version }`.
		value
			.map(|bytes| {
				<([u8; 32], bool)>::decode(&mut &bytes[..])
					.map(|(hash, _)| H256(hash))
					.map_err(|e| self.chain.incompatible(e))
			})
			.transpose()
	}

	/// Supplies the authorized code (an unsigned transaction: anyone may) and waits until the
	/// block that set it is finalized; the runtime the node then reports is the new one.
	pub async fn apply_upgrade(&self, wasm: &RuntimeWasm) -> Result<AppliedUpgrade> {
		let before = self.chain.runtime_version(None).await?;
		match self.authorized_upgrade().await? {
			None => return Err(ConsortiumError::NoUpgradeAuthorized.into()),
			Some(authorized) if authorized != wasm.code_hash => {
				let file = wasm.code_hash;
				return Err(ConsortiumError::OtherCodeAuthorized { authorized, file }.into());
			}
			Some(_) => {}
		}
		check_versions(&before, &wasm.version)?;
		let tx = runtime::transactions().system().apply_authorized_upgrade(wasm.bytes.clone());
		let (extrinsic_hash, block_hash, events) = self.chain.submit_unsigned(&tx).await?;
		if let Some(Ok(rejected)) =
			events.find_first::<runtime::system::events::RejectedInvalidAuthorizedUpgrade>()
		{
			let failure = self.chain.dispatch_failure(&rejected.error).await;
			return Err(ConsortiumError::CodeRefused(failure).into());
		}
		if events.find_first::<runtime::system::events::CodeUpdated>().is_none() {
			return Err(ConsortiumError::CodeNotSet.into());
		}
		let after = self.chain.runtime_version(Some(block_hash)).await?;
		Ok(AppliedUpgrade { extrinsic_hash, block_hash, code_hash: wasm.code_hash, before, after })
	}

	/// Runs `wasm`'s migrations and checks on a copy of the finalized state (see the module).
	pub async fn check_upgrade(&self, wasm: &RuntimeWasm) -> Result<UpgradeCheck> {
		let current = self.chain.runtime_version(None).await?;
		check_versions(&current, &wasm.version)?;
		let finalized = self
			.chain
			.legacy()
			.chain_get_finalized_head()
			.await
			.map_err(|e| self.chain.rpc_error("chain_getFinalizedHead", e))?;
		let header = self.chain.header(Some(finalized)).await?;
		let mut top = self.state_at(finalized).await?;
		let keys = top.len();
		top.insert(sp_core::storage::well_known_keys::CODE.to_vec(), wasm.bytes.clone());
		let storage = sp_core::storage::Storage { top, children_default: Default::default() };
		let (migration, block) = tokio::task::spawn_blocking({
			let wasm = wasm.clone();
			move || run_try_runtime_upgrade(&wasm, storage)
		})
		.await
		.map_err(|e| Error::Internal(format!("the check stopped: {e}")))??;
		Ok(UpgradeCheck {
			block_hash: finalized,
			block_number: header.number,
			keys,
			current,
			proposed: wasm.version.clone(),
			migration_ref_time: migration,
			block_ref_time: block,
		})
	}

	/// Every key and value of the state at `block` (main trie; MedTrust uses no child tries).
	async fn state_at(&self, block: H256) -> Result<std::collections::BTreeMap<Vec<u8>, Vec<u8>>> {
		let rpc = self.chain.legacy();
		let mut state = std::collections::BTreeMap::new();
		let mut start: Option<Vec<u8>> = None;
		loop {
			let keys = rpc
				.state_get_keys_paged(&[], KEYS_PER_PAGE, start.as_deref(), Some(block))
				.await
				.map_err(|e| self.chain.rpc_error("state_getKeysPaged", e))?;
			if keys.is_empty() {
				break;
			}
			let sets = rpc
				.state_query_storage_at(keys.iter().map(|k| k.as_slice()), Some(block))
				.await
				.map_err(|e| self.chain.rpc_error("state_queryStorageAt", e))?;
			for set in sets {
				for (key, value) in set.changes {
					if let Some(value) = value {
						state.insert(key.0, value.0);
					}
				}
			}
			let full = keys.len() as u32 == KEYS_PER_PAGE;
			start = keys.last().map(|k| k.to_vec());
			if !full {
				break;
			}
		}
		Ok(state)
	}
}

/// What the runtime logs at warning level and above while checks run: a failed check's reason
/// (a runtime's panic message reaches the host as a log line, then a trap).
static RUNTIME_LOG: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// The `log` logger that keeps [`RUNTIME_LOG`] (installed once, unless the program has its own).
struct RuntimeLog;

impl log::Log for RuntimeLog {
	fn enabled(&self, metadata: &log::Metadata) -> bool {
		metadata.level() <= log::Level::Warn
	}

	fn log(&self, record: &log::Record) {
		if self.enabled(record.metadata()) {
			let line = format!("{}: {}", record.target(), record.args());
			RUNTIME_LOG.lock().unwrap_or_else(|e| e.into_inner()).push(line);
		}
	}

	fn flush(&self) {}
}

fn capture_runtime_log() {
	static INSTALL: std::sync::Once = std::sync::Once::new();
	INSTALL.call_once(|| {
		if log::set_logger(&RuntimeLog).is_ok() {
			log::set_max_level(log::LevelFilter::Warn);
		}
	});
	RUNTIME_LOG.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// Calls `TryRuntime_on_runtime_upgrade(All)` of `wasm` on `storage`; returns the migrations'
/// ref time and the block's. A failed check is reported with what the runtime logged.
fn run_try_runtime_upgrade(
	wasm: &RuntimeWasm,
	storage: sp_core::storage::Storage,
) -> Result<(u64, u64)> {
	capture_runtime_log();
	let mut ext = sp_io::TestExternalities::new(storage);
	let code = WrappedRuntimeCode(wasm.bytes.as_slice().into());
	let runtime_code = wasm.runtime_code(&code);
	let mut externalities = ext.ext();
	let (result, _) = executor().call(
		&mut externalities,
		&runtime_code,
		"TryRuntime_on_runtime_upgrade",
		&CHECK_ALL,
		CallContext::Offchain,
	);
	let output = result.map_err(|e| {
		let text = e.to_string();
		if text.contains("TryRuntime_on_runtime_upgrade") && text.contains("not found") {
			Error::from(ConsortiumError::NoTryRuntime)
		} else {
			// The runtime's own words (what failed, then its panic), else the trap.
			let logged = RUNTIME_LOG.lock().unwrap_or_else(|e| e.into_inner()).join("; ");
			let reason = if logged.is_empty() { text } else { logged };
			ConsortiumError::CheckFailed(reason.replace('\n', " ")).into()
		}
	})?;
	type WeightParts = (Compact<u64>, Compact<u64>);
	let (migration, block): (WeightParts, WeightParts) = Decode::decode(&mut &output[..])
		.map_err(|e| Error::Internal(format!("the check's answer does not decode: {e}")))?;
	Ok((migration.0 .0, block.0 .0))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn two_thirds_rounded_up() {
		assert_eq!(supermajority(1), 1);
		assert_eq!(supermajority(3), 2);
		assert_eq!(supermajority(4), 3);
		assert_eq!(supermajority(6), 4);
		assert_eq!(supermajority(7), 5);
	}

	fn info(name: &str, spec: u32) -> RuntimeInfo {
		RuntimeInfo {
			spec_name: name.into(),
			spec_version: spec,
			impl_version: 1,
			transaction_version: 1,
		}
	}

	#[test]
	fn code_the_chain_would_refuse_is_refused_before_anything_is_sent() {
		assert!(check_versions(&info("medtrust", 109), &info("medtrust", 110)).is_ok());
		let same = check_versions(&info("medtrust", 109), &info("medtrust", 109)).unwrap_err();
		assert!(same.to_string().contains("not above the chain's 109"), "{same}");
		let other = check_versions(&info("medtrust", 109), &info("polkadot", 200)).unwrap_err();
		assert!(other.to_string().contains("`polkadot`"), "{other}");
	}

	/// `<target>/release`, where the build leaves the node and the runtimes' code.
	fn release_dir() -> std::path::PathBuf {
		let exe = std::env::current_exe().expect("the test's path");
		// <target>/release/deps/medtrust_client-<hash>
		exe.parent().and_then(Path::parent).expect("tests live in <profile>/deps").to_path_buf()
	}

	/// The upgrade rehearsal's code, as the build leaves it (runtime/build.rs).
	fn rehearsal() -> RuntimeWasm {
		let path = release_dir()
			.join("wbuild/medtrust-runtime/medtrust_runtime_rehearsal.compact.compressed.wasm");
		assert!(path.is_file(), "no {}: build the workspace first", path.display());
		RuntimeWasm::read(&path).expect("the rehearsal's code")
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
		let error = RuntimeWasm::read(&path).unwrap_err().to_string();
		assert!(error.contains("notes.wasm is not a runtime's Wasm code"), "{error}");
		let missing = RuntimeWasm::read(&dir.path().join("none.wasm")).unwrap_err().to_string();
		assert!(missing.contains("cannot read"), "{missing}");
	}
}
