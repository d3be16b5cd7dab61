//! `pallet_session`: the validator set changes at session boundaries, to the active
//! institutions' validators.

use alloc::vec::Vec;
use frame_support::{parameter_types, traits::ConstU128};
use sp_runtime::traits::{ConvertInto, OpaqueKeys};

use crate::{AccountId, Balances, BlockNumber, Consortium, Runtime, RuntimeEvent, SessionKeys};

parameter_types! {
	/// One minute: an admitted institution validates within two minutes of registering its
	/// keys, a removed one stops within two minutes.
	pub const SessionPeriod: BlockNumber = crate::time::MINUTES;
	pub const SessionOffset: BlockNumber = 0;
}

/// Hands the active institutions' validators to the session pallet at each new session.
pub struct InstitutionValidators;

impl pallet_session::SessionManager<AccountId> for InstitutionValidators {
	/// The active institutions' validators when they differ from the current ones; `None` when
	/// they are the same, so that the session pallet reports no change and GRANDPA keeps its
	/// authority set (it starts a new set at every reported change, even to the same
	/// validators: one a minute, each one more justification in every warp proof an offline
	/// verifier reads). New session keys of the same validators still start a new set: the
	/// session pallet compares the keys itself.
	fn new_session(_index: u32) -> Option<Vec<AccountId>> {
		Consortium::next_validators()
			.filter(|next| *next != pallet_session::Validators::<Runtime>::get())
	}
	fn end_session(_index: u32) {}
	fn start_session(_index: u32) {}
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = InstitutionValidators;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// Proof of authority: nobody is slashed or disabled automatically; governance suspends.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	// Registering keys costs no deposit: only members can transact at all.
	type KeyDeposit = ConstU128<0>;
}
