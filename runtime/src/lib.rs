//! # MedTrust runtime
//!
//! The state transition function of the MedTrust consortium chain: a permissioned
//! proof-of-authority chain (Aura block production, GRANDPA finality) on which hospitals, labs,
//! health commissions and research institutes record where medical data comes from, what was
//! done to it, and which records were certified. No patient data is ever stored here: only
//! salted commitments, hashes and metadata.
//!
//! Layout: [`configs`] holds one module per pallet with its production values, [`apis`] the
//! runtime APIs, [`genesis_config_presets`] the `dev` and `local` presets from which every chain
//! spec is built.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-style macros expand to large types; recursion limit as in polkadot-sdk.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub use apis::RuntimeApi;
pub mod configs;
pub mod genesis_config_presets;
pub mod migrations;
pub mod weights;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{generic, impl_opaque_keys};
use sp_version::RuntimeVersion;

pub use medtrust_primitives::{
	AccountId, Address, Balance, BlockNumber, Hash, Header, Moment, Nonce, Signature, SS58_PREFIX,
	UNIT,
};

/// Opaque types, for the node: it handles blocks and extrinsics without knowing their content.
pub mod opaque {
	pub use medtrust_primitives::{Hash, Header};
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// An opaque block.
	pub type Block = sp_runtime::generic::Block<Header, UncheckedExtrinsic>;
}

impl_opaque_keys! {
	/// The keys a validator registers: one for authoring (Aura, sr25519), one for finality
	/// (GRANDPA, ed25519).
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. `spec_version` is bumped on every change of runtime behaviour.
#[cfg(not(feature = "upgrade-rehearsal"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("medtrust"),
	impl_name: Cow::Borrowed("medtrust"),
	authoring_version: 1,
	spec_version: 113,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// The upgrade rehearsal's version: always one `spec_version` ahead of the release above (bump
/// both together), so that a network on the release can vote the rehearsal in.
#[cfg(feature = "upgrade-rehearsal")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("medtrust"),
	impl_name: Cow::Borrowed("medtrust"),
	authoring_version: 1,
	spec_version: 114,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// Block production timing.
pub mod time {
	use super::BlockNumber;

	/// The block time of a chain founded without `founding spec --block-time`. A consortium
	/// on a LAN needs no 6 s blocks; 3 s leaves room for a loaded validator to author and
	/// import in time.
	pub const MILLI_SECS_PER_BLOCK: u64 = 3_000;

	/// The shortest block time a chain may be founded with (test networks that must make tens
	/// of thousands of blocks in minutes).
	pub const MIN_SLOT_DURATION: u64 = 50;
	/// The longest: a consortium on a LAN needs no slower blocks.
	pub const MAX_SLOT_DURATION: u64 = 3_000;

	frame_support::parameter_types! {
		/// Aura's slot duration (the block time) in milliseconds, chosen at founding
		/// (`medtrust-node founding spec --block-time`) under the well-known key
		/// `twox_128(":SlotDuration:")`, and absent (3 s) otherwise. It can never change once a
		/// chain has started: block production would stop. Read clamped to
		/// [`MIN_SLOT_DURATION`]..=[`MAX_SLOT_DURATION`] (never zero: Aura divides by it).
		pub storage SlotDuration: u64 = MILLI_SECS_PER_BLOCK;
	}

	/// Timestamp's minimum period: half the slot duration, clamped.
	pub struct MinimumPeriod;
	impl frame_support::traits::Get<u64> for MinimumPeriod {
		fn get() -> u64 {
			SlotDuration::get().clamp(MIN_SLOT_DURATION, MAX_SLOT_DURATION) / 2
		}
	}

	/// Blocks per minute at the default block time, for periods expressed in time (a chain
	/// founded with faster blocks counts the same blocks: its periods are shorter in time).
	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// The block type of this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions checked on every signed transaction, in order.
///
/// Besides the standard `frame_system` extensions, `CheckMembership` refuses signers that are
/// not accounts of an active institution; it carries no data, so Polkadot.js Apps, subxt and
/// other clients build valid transactions without knowing it.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	pallet_consortium::CheckMembership<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// An extrinsic as this runtime decodes it.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

use migrations::Migrations;

/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	/// A development shortcut only: the `dev` preset sets a sudo key, `local` does not.
	#[runtime::pallet_index(5)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(6)]
	pub type Session = pallet_session;

	/// The consortium's council: one vote per active institution.
	#[runtime::pallet_index(7)]
	pub type Council = pallet_collective<Instance1>;

	#[runtime::pallet_index(8)]
	pub type Consortium = pallet_consortium;

	#[runtime::pallet_index(9)]
	pub type DataSources = pallet_data_sources;

	#[runtime::pallet_index(10)]
	pub type FieldMapping = pallet_field_mapping;

	#[runtime::pallet_index(11)]
	pub type Certificates = pallet_certificates;

	#[runtime::pallet_index(12)]
	pub type Lineage = pallet_lineage;

	/// Multi-block migrations after a runtime upgrade (see `migrations`).
	#[runtime::pallet_index(13)]
	pub type MultiBlockMigrations = pallet_migrations;

	#[runtime::pallet_index(14)]
	pub type Sharing = pallet_sharing;
}
