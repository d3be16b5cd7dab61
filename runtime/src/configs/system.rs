//! `frame_system`: block limits and account types.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

use crate::{
	weights::{block_weights::BlockExecutionWeight, extrinsic_weights::ExtrinsicBaseWeight},
	AccountId, Balance, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, RuntimeTask, SS58_PREFIX, VERSION,
};

/// Share of a block's weight and length that normal (user) transactions may fill; the rest is
/// kept for operational transactions and inherents.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Maximum encoded size of a block. Certificates carry hashes, not records, so 5 MiB is ample.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

/// Maximum proof size per block: none. A proof-of-validity is what a parachain's block carries
/// to the relay chain's validators, who hold no state; this chain's validators each execute
/// every block against their own state, and no proof is ever built. What a block costs them
/// is bounded by its measured weight (execution, database reads and writes) and its length.
/// Bounding the estimated proof too (it was 5 MiB) capped `pallet-lineage`'s ingest at one
/// 1,024-edge call a block, about 330 edges a second, with each such block built in 20 to
/// 45 ms of its 3 s slot on this project's 2-core machine (measured by `scripts/bench.sh
/// --lineage-only`; see docs/benchmarks.md).
const MAX_POV_SIZE: u64 = u64::MAX;

parameter_types! {
	/// How many recent block hashes are kept for mortal transactions: one hour of blocks.
	pub const BlockHashCount: BlockNumber = crate::time::HOURS;
	pub const Version: RuntimeVersion = VERSION;
	/// A block may hold 2.5 s of weight, of which 75% for user transactions. Weights here
	/// overstate what a block costs this chain's validators: their database weights are
	/// Substrate's reference figures for ParityDB (8 µs a read, 50 µs a write), and a
	/// `certify`, charged 547 µs, costs 128 µs to import in full (execution, state root,
	/// database commit) on this project's 2-core machine, 286 µs on half of one core (22,756
	/// `certify` in blocks of 1,370, exported and imported with `medtrust-node import-blocks`,
	/// the node pinned to a core that a busy loop shares; see docs/benchmarks.md). At
	/// 1 s a block held 1,370 and the chain took 457 a second; at 2.5 s a full block of user
	/// transactions holds 3,428, which imports in about 1 s on the half core: a third of the
	/// 3 s slot on the slowest validator simulated, 0.45 s on a whole one.
	pub RuntimeBlockWeights: BlockWeights = {
		let max = Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND * 5 / 2, MAX_POV_SIZE);
		BlockWeights::builder()
			.base_block(BlockExecutionWeight::get())
			.for_class(DispatchClass::all(), |class| {
				class.base_extrinsic = ExtrinsicBaseWeight::get();
			})
			.for_class(DispatchClass::Normal, |class| {
				class.max_total = Some(NORMAL_DISPATCH_RATIO * max);
			})
			.for_class(DispatchClass::Operational, |class| {
				class.max_total = Some(max);
				class.reserved = Some(max - NORMAL_DISPATCH_RATIO * max);
			})
			.avg_block_initialization(Perbill::from_percent(10))
			.build_or_panic()
	};
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * MAX_BLOCK_LENGTH
		})
		.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// The node stores its state in ParityDB.
	type DbWeight = ParityDbWeight;
	type SystemWeightInfo = crate::weights::frame_system::WeightInfo<Runtime>;
	type ExtensionsWeightInfo = crate::weights::frame_system_extensions::WeightInfo<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = frame_support::traits::ConstU32<16>;
	type MultiBlockMigrator = crate::MultiBlockMigrations;
}
