//! `pallet_collective` as the consortium's council: one vote per active institution (its
//! admin). Its members are set by `pallet_consortium` only.

use frame_support::{parameter_types, traits::NeverEnsureOrigin, weights::Weight};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

use crate::{
	configs::{consortium::MaxInstitutions, RuntimeBlockWeights},
	AccountId, BlockNumber, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin,
};

/// The council's instance of `pallet_collective`.
pub type CouncilInstance = pallet_collective::Instance1;

parameter_types! {
	/// A motion not decided within a week can be closed and counts absent votes as nays.
	pub const MotionDuration: BlockNumber = 7 * crate::time::DAYS;
	/// Open motions at a time.
	pub const MaxProposals: u32 = 100;
	/// A motion may use at most half a block.
	pub MaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilInstance> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = MotionDuration;
	type MaxProposals = MaxProposals;
	type MaxMembers = MaxInstitutions;
	// Without a prime member, an absent vote is a nay.
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	// Members follow the consortium; nobody sets them by hand.
	type SetMembersOrigin = NeverEnsureOrigin<()>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	type Consideration = ();
}
