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
//! Before anyone votes, `medtrust-upgrade-check` (a crate of its own: it holds the Wasm
//! executor) runs the new code's migrations with their pre- and post-upgrade checks, each
//! pallet's storage version against its code, and every pallet's `try_state`, on the node's
//! finalized state, which [`Consortium::upgrade_base`] copies into memory. Nothing is written
//! to the chain. Reading a runtime's version from its code needs the executor too:
//! `medtrust_upgrade_check::read` makes a [`RuntimeWasm`].

use std::collections::BTreeMap;

use codec::Decode;
use serde::Serialize;
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
	Result,
};

/// Keys read from the node per request when copying its state.
const KEYS_PER_PAGE: u32 = 1_000;

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
	/// A runtime's code and the version it embeds (as `medtrust_upgrade_check::read` reads
	/// it); its hash is computed here.
	pub fn new(bytes: Vec<u8>, version: RuntimeInfo) -> Self {
		let code_hash = H256(sp_crypto_hashing::blake2_256(&bytes));
		Self { bytes, code_hash, version }
	}
}

/// What a check of an upgrade starts from: the finalized state, copied, with the new code
/// under `:code`.
#[derive(Debug, Clone)]
pub struct UpgradeBase {
	/// The finalized block whose state was copied.
	pub block_hash: H256,
	pub block_number: u64,
	/// How many keys the state has (before the code was put in).
	pub keys: usize,
	/// The runtime the chain runs.
	pub current: RuntimeInfo,
	/// Every key and value of the state (the main trie), the new code under `:code`.
	pub top: BTreeMap<Vec<u8>, Vec<u8>>,
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

	/// The finalized state, copied, with `wasm` under `:code`: what the upgrade's checks run
	/// on (see the module). Refuses code the chain would refuse.
	pub async fn upgrade_base(&self, wasm: &RuntimeWasm) -> Result<UpgradeBase> {
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
		top.insert(b":code".to_vec(), wasm.bytes.clone());
		Ok(UpgradeBase { block_hash: finalized, block_number: header.number, keys, current, top })
	}

	/// Every key and value of the state at `block` (main trie; MedTrust uses no child tries).
	async fn state_at(&self, block: H256) -> Result<BTreeMap<Vec<u8>, Vec<u8>>> {
		let rpc = self.chain.legacy();
		let mut state = BTreeMap::new();
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
}
