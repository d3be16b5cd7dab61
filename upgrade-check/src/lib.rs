//! # MedTrust upgrade check
//!
//! The rehearsal of a runtime upgrade before anyone votes for it (`medtrust governance
//! upgrade <wasm> --check`): the new code's migrations with their pre- and post-upgrade
//! checks, each pallet's storage version against its code, and every pallet's `try_state`,
//! run on the node's finalized state copied into memory (the code must be built with
//! `try-runtime`, as the upgrade rehearsal is). Nothing is written to the chain.
//!
//! It is a crate of its own because it holds a Wasm executor (Substrate's, with the standard
//! host functions), which the client library and the services built on it do not need:
//! [`read`] takes a runtime's version from its code, [`check`] runs the checks.
//! A failed check is reported in the runtime's own words, which reach the host as `log`
//! records: a program that checks upgrades installs [`RuntimeLog`] to keep them.

use std::{path::Path, sync::Mutex};

use codec::{Compact, Decode};
use medtrust_client::{
	chain::status::RuntimeInfo,
	consortium::{upgrade::RuntimeWasm, Error as ConsortiumError},
	Chain, Error, Result,
};
use sc_executor::{HeapAllocStrategy, RuntimeVersionOf, WasmExecutor};
use serde::Serialize;
use sp_core::traits::{CallContext, CodeExecutor, RuntimeCode, WrappedRuntimeCode};
use subxt::utils::H256;

/// `frame_try_runtime::UpgradeCheckSelect::All` as SCALE: pre- and post-upgrade checks, then
/// every pallet's `try_state` (the enum's second variant).
const CHECK_ALL: [u8; 1] = [1];

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

/// Reads a runtime's code and the version it embeds; fails clearly on anything else.
pub fn read(path: &Path) -> Result<RuntimeWasm> {
	let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
	let code = WrappedRuntimeCode(bytes.as_slice().into());
	let hash = sp_crypto_hashing::blake2_256(&bytes).to_vec();
	let runtime_code = RuntimeCode { code_fetcher: &code, heap_pages: None, hash };
	let version = executor()
		.runtime_version(&mut sp_state_machine::BasicExternalities::default(), &runtime_code)
		.map_err(|e| ConsortiumError::Code { path: path.to_path_buf(), reason: e.to_string() })?;
	let version = RuntimeInfo {
		spec_name: version.spec_name.to_string(),
		spec_version: version.spec_version,
		impl_version: version.impl_version,
		transaction_version: version.transaction_version,
	};
	Ok(RuntimeWasm::new(bytes, version))
}

/// Runs `wasm`'s migrations and checks on a copy of the finalized state of the node behind
/// `chain` (see the crate).
pub async fn check(chain: &Chain, wasm: &RuntimeWasm) -> Result<UpgradeCheck> {
	let base = chain.consortium().upgrade_base(wasm).await?;
	let storage = sp_core::storage::Storage { top: base.top, children_default: Default::default() };
	let (migration, block) = tokio::task::spawn_blocking({
		let wasm = wasm.clone();
		move || run_try_runtime_upgrade(&wasm, storage)
	})
	.await
	.map_err(|e| Error::Internal(format!("the check stopped: {e}")))??;
	Ok(UpgradeCheck {
		block_hash: base.block_hash,
		block_number: base.block_number,
		keys: base.keys,
		current: base.current,
		proposed: wasm.version.clone(),
		migration_ref_time: migration,
		block_ref_time: block,
	})
}

/// The executor that reads versions and runs checks: compiled Wasm, the standard host
/// functions, a heap that grows as the checks need.
fn executor() -> WasmExecutor<sp_io::SubstrateHostFunctions> {
	WasmExecutor::builder()
		.with_offchain_heap_alloc_strategy(HeapAllocStrategy::Dynamic { maximum_pages: None })
		.with_max_runtime_instances(1)
		.build()
}

/// What the runtime logs at warning level and above while checks run: a failed check's reason
/// (a runtime's panic message reaches the host as a log record, then a trap).
static RUNTIME_LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The `log` logger that keeps what the runtime logs at warning level and above, for a failed
/// check's reason. The program installs it ([`RuntimeLog::install`]), once, before checking.
pub struct RuntimeLog;

impl RuntimeLog {
	/// Installs it as the process's `log` logger; `false` if the program has another already
	/// (a failed check then reports only the runtime's trap).
	pub fn install() -> bool {
		static LOGGER: RuntimeLog = RuntimeLog;
		let installed = log::set_logger(&LOGGER).is_ok();
		if installed {
			log::set_max_level(log::LevelFilter::Warn);
		}
		installed
	}
}

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

/// Calls `TryRuntime_on_runtime_upgrade(All)` of `wasm` on `storage`; returns the migrations'
/// ref time and the block's. A failed check is reported with what the runtime logged.
fn run_try_runtime_upgrade(
	wasm: &RuntimeWasm,
	storage: sp_core::storage::Storage,
) -> Result<(u64, u64)> {
	RUNTIME_LOG.lock().unwrap_or_else(|e| e.into_inner()).clear();
	let mut ext = sp_io::TestExternalities::new(storage);
	let code = WrappedRuntimeCode(wasm.bytes.as_slice().into());
	let hash = wasm.code_hash.0.to_vec();
	let runtime_code = RuntimeCode { code_fetcher: &code, heap_pages: None, hash };
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
mod tests;
