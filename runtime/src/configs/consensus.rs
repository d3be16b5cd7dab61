//! Block production (Aura), finality (GRANDPA) and time (Timestamp).

use frame_support::traits::{ConstBool, ConstU32, ConstU64};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;

use crate::{time, Aura, Moment, Runtime, RuntimeEvent};

/// The most validators the chain supports: one per member institution.
pub const MAX_AUTHORITIES: u32 = 100;

impl pallet_timestamp::Config for Runtime {
	type Moment = Moment;
	type OnTimestampSet = Aura;
	// Aura's slot duration is twice this period: the block time chosen at founding.
	type MinimumPeriod = time::MinimumPeriod;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	// Proof-of-authority: there is no staking, hence no nominators.
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// Equivocations are handled by consortium governance, not by slashing.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}
