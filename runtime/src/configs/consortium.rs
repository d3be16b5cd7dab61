//! `pallet_consortium`: member institutions, their accounts and validators; governance by a
//! majority of the active institutions; Root by a two-thirds supermajority.

use frame_support::{parameter_types, traits::EitherOfDiverse};
use frame_system::EnsureRoot;
use pallet_consortium::HasSessionKeys;

use crate::{configs::governance::CouncilInstance, AccountId, Council, Runtime, RuntimeCall};

parameter_types! {
	/// The most institutions ever admitted; at least the most validators Aura and GRANDPA take.
	pub const MaxInstitutions: u32 = crate::configs::consensus::MAX_AUTHORITIES;
	/// Member accounts per institution: its services, staff and systems that sign.
	pub const MaxMembers: u32 = 1_000;
	/// 256 bytes: 85 Chinese characters.
	pub const MaxNameLen: u32 = 256;
	/// A libp2p peer id is 38 bytes for an ed25519 node key; room for other key types.
	pub const MaxPeerIdLen: u32 = 64;
	/// Versions of one institution's encryption key: a rotation a week for twenty years.
	pub const MaxKeyVersions: u32 = 1_024;
}

/// Governance of the consortium: more than half of the active institutions' admins (through
/// the `Council` collective, whose members follow the consortium), or Root.
pub type GovernanceOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionMoreThan<AccountId, CouncilInstance, 1, 2>,
>;

/// Root, on a chain without a sudo key: a council motion approved by at least two thirds of
/// the active institutions' admins (3 of 4, 5 of 7), through `Consortium::enact_as_root`. It
/// authorizes runtime upgrades; the decisions of [`GovernanceOrigin`] need a simple majority.
pub type SupermajorityOrigin =
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilInstance, 2, 3>;

impl pallet_consortium::Config for Runtime {
	type GovernanceOrigin = GovernanceOrigin;
	type SupermajorityOrigin = SupermajorityOrigin;
	type RootCall = RuntimeCall;
	type MembershipChanged = Council;
	type SessionKeys = RegisteredSessionKeys;
	type MaxInstitutions = MaxInstitutions;
	type MaxMembers = MaxMembers;
	type MaxNameLen = MaxNameLen;
	type MaxPeerIdLen = MaxPeerIdLen;
	type MaxKeyVersions = MaxKeyVersions;
	type WeightInfo = pallet_consortium::weights::SubstrateWeight<Runtime>;
}

/// Session keys registered with `pallet_session` (`session.set_keys`).
pub struct RegisteredSessionKeys;

impl HasSessionKeys<AccountId> for RegisteredSessionKeys {
	fn has_session_keys(who: &AccountId) -> bool {
		pallet_session::NextKeys::<Runtime>::contains_key(who)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn give_keys_for_benchmark(who: &AccountId) {
		let keys = crate::SessionKeys {
			aura: sp_core::sr25519::Public::from_raw([1; 32]).into(),
			grandpa: sp_core::ed25519::Public::from_raw([1; 32]).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}
