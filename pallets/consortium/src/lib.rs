//! # Consortium pallet
//!
//! Who is a member of the MedTrust consortium, who validates, and who may write.
//!
//! ## Overview
//!
//! The consortium is a set of **institutions** (hospitals, labs, health commissions, research
//! institutes, insurers). Each has an admin account, a bounded set of member accounts, one
//! validator account whose session keys author and finalize blocks, the peer id of its node,
//! and an X25519 key for encrypted sharing.
//!
//! - **Governance** ([`Config::GovernanceOrigin`], in the runtime a majority of the active
//!   institutions' admins or Root) admits, suspends, resumes and removes institutions and sets
//!   the minimum number of validators. The voters follow the consortium: this pallet tells
//!   [`Config::MembershipChanged`] whenever the set of active institutions' admins changes.
//! - **Root by supermajority** ([`Config::SupermajorityOrigin`], in the runtime a council
//!   motion approved by at least two thirds of the active institutions) may dispatch any call
//!   as Root through [`Pallet::enact_as_root`]: on a chain without a sudo key, the one path to
//!   Root, used above all to authorize a runtime upgrade (`System::authorize_upgrade`, after
//!   which anyone may supply the code with `System::apply_authorized_upgrade`).
//! - **Institutions manage themselves**: an admin adds and removes member accounts, names its
//!   validator account, and sets its node's peer id and its encryption key, without a vote.
//! - **Validators are the active institutions**: [`Pallet::next_validators`] is what the
//!   session manager hands to Aura and GRANDPA at the next session. No change may leave fewer
//!   active institutions than [`MinValidators`].
//! - **Only members transact**: the [`CheckMembership`] transaction extension refuses, when a
//!   transaction is validated, any signer that is not an account of an active institution, and
//!   gives each institution a fair share of every block.
//! - **Only members' nodes connect**: each block, the offchain worker hands the peer ids of the
//!   active institutions to the node as its authorized peers.
//!
//! ## Terminology
//!
//! - *Credit code*: the 18-character unified social credit code (统一社会信用代码) of an
//!   institution, validated by its check character and unique in the consortium.
//! - *Fair share*: an institution's transactions may use at most `1/n` of a block's normal
//!   weight, `n` being the number of active institutions (its first transaction in a block is
//!   always admitted, however heavy). What does not fit waits in the pool for the next block.
//!
//! ## Calls
//!
//! Governance: [`Pallet::admit_institution`], [`Pallet::suspend_institution`],
//! [`Pallet::resume_institution`], [`Pallet::remove_institution`],
//! [`Pallet::set_min_validators`]. A supermajority: [`Pallet::enact_as_root`]. An
//! institution's admin: [`Pallet::add_member`],
//! [`Pallet::remove_member`], [`Pallet::set_validator`], [`Pallet::set_peer_id`],
//! [`Pallet::set_encryption_key`], [`Pallet::set_admin`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod extension;
mod impls;
pub mod migrations;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use extension::CheckMembership;
pub use impls::{EnsureAdmin, EnsureMember};

/// The most other nodes (besides the one in `peer_id`) one institution registers.
pub const MAX_EXTRA_PEER_IDS: u32 = 3;
pub use types::*;
pub use weights::WeightInfo;

/// Whether an account has registered session keys (so that it can be made a validator).
pub trait HasSessionKeys<AccountId> {
	/// `true` if `who` has keys for the next session.
	fn has_session_keys(who: &AccountId) -> bool;

	/// Registers keys for `who`, so that benchmarks can name it a validator.
	#[cfg(feature = "runtime-benchmarks")]
	fn give_keys_for_benchmark(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::{
		dispatch::{extract_actual_weight, GetDispatchInfo, PostDispatchInfo},
		pallet_prelude::*,
		traits::ChangeMembers,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Dispatchable;

	/// The storage layout's version; [`crate::migrations`] move between versions. The upgrade
	/// rehearsal's build (feature `upgrade-rehearsal`) is one version ahead.
	#[cfg(not(feature = "upgrade-rehearsal"))]
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);
	#[cfg(feature = "upgrade-rehearsal")]
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	/// An institution as stored.
	pub type InstitutionOf<T> = Institution<
		<T as frame_system::Config>::AccountId,
		BlockNumberFor<T>,
		medtrust_primitives::text::BoundedText<<T as Config>::MaxNameLen>,
		BoundedVec<u8, <T as Config>::MaxPeerIdLen>,
	>;

	/// An institution as the runtime API gives it.
	pub type InstitutionViewOf<T> = InstitutionView<
		<T as frame_system::Config>::AccountId,
		BlockNumberFor<T>,
		medtrust_primitives::text::BoundedText<<T as Config>::MaxNameLen>,
		BoundedVec<u8, <T as Config>::MaxPeerIdLen>,
	>;

	/// What governance supplies to admit an institution.
	pub type AdmissionOf<T> = Admission<
		<T as frame_system::Config>::AccountId,
		medtrust_primitives::text::BoundedText<<T as Config>::MaxNameLen>,
		BoundedVec<u8, <T as Config>::MaxPeerIdLen>,
	>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Who admits, suspends, resumes and removes institutions and sets the minimum number
		/// of validators.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who may dispatch a call as Root ([`Pallet::enact_as_root`]): in the runtime, a
		/// council motion approved by at least two thirds of the active institutions.
		type SupermajorityOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The runtime's calls, which [`Pallet::enact_as_root`] dispatches as Root.
		type RootCall: Parameter
			+ Dispatchable<RuntimeOrigin = Self::RuntimeOrigin, PostInfo = PostDispatchInfo>
			+ GetDispatchInfo
			+ From<frame_system::Call<Self>>;

		/// Told the admins of the active institutions (the voters) on every change, genesis
		/// included.
		type MembershipChanged: ChangeMembers<Self::AccountId>;

		/// Tells whether a validator account has registered session keys.
		type SessionKeys: HasSessionKeys<Self::AccountId>;

		/// The most institutions the consortium may ever admit (removed ones included).
		#[pallet::constant]
		type MaxInstitutions: Get<u32>;

		/// The most member accounts of one institution (admin and validator included).
		#[pallet::constant]
		type MaxMembers: Get<u32>;

		/// The longest institution name, in UTF-8 bytes (a Chinese character takes three).
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// The longest node peer id, in bytes.
		#[pallet::constant]
		type MaxPeerIdLen: Get<u32>;

		/// The most versions of one institution's encryption key (each rotation adds one).
		#[pallet::constant]
		type MaxKeyVersions: Get<u32>;

		/// Weights of this pallet's calls and of its transaction extension.
		type WeightInfo: WeightInfo;
	}

	/// Every institution ever admitted, by id.
	// Ids are assigned in sequence by this pallet, never chosen by a caller: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Institutions<T: Config> =
		StorageMap<_, Twox64Concat, InstitutionId, InstitutionOf<T>, OptionQuery>;

	/// The id the next admitted institution gets.
	#[pallet::storage]
	pub type NextInstitutionId<T: Config> = StorageValue<_, InstitutionId, ValueQuery>;

	/// The peer ids of each institution's other nodes (an RPC node beside its validator, a
	/// standby), at most [`crate::MAX_EXTRA_PEER_IDS`]; with each institution's `peer_id`, the
	/// peers every node of the network accepts while the institution is active.
	#[pallet::storage]
	pub type ExtraPeerIds<T: Config> = StorageMap<
		_,
		Twox64Concat,
		InstitutionId,
		BoundedVec<BoundedVec<u8, T::MaxPeerIdLen>, ConstU32<{ crate::MAX_EXTRA_PEER_IDS }>>,
		ValueQuery,
	>;

	/// The institution holding each credit code (removed ones keep theirs).
	// Credit codes are chosen by callers: `Blake2_128Concat` keeps the trie balanced.
	#[pallet::storage]
	pub type InstitutionOfCode<T: Config> =
		StorageMap<_, Blake2_128Concat, CreditCode, InstitutionId, OptionQuery>;

	/// The institution each member account belongs to (one at most).
	// Account ids are chosen by callers: `Blake2_128Concat`.
	#[pallet::storage]
	pub type MemberOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, InstitutionId, OptionQuery>;

	/// The member accounts of each institution.
	// First key assigned by this pallet (`Twox64Concat`), second chosen by callers (`Blake2`).
	#[pallet::storage]
	pub type Members<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		InstitutionId,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// Every version of each institution's encryption key; the institution's
	/// `encryption_key_version` names the current one.
	// Both keys assigned by this pallet, in sequence: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type EncryptionKeys<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		InstitutionId,
		Twox64Concat,
		KeyVersion,
		EncryptionKey<BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// How many institutions are active.
	#[pallet::storage]
	pub type ActiveCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// No governance decision may leave fewer active institutions (validators) than this.
	#[pallet::storage]
	pub type MinValidators<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The weight each institution's transactions used in the block they were last applied in.
	// Keyed by institution ids, assigned by this pallet: `Twox64Concat`.
	#[pallet::storage]
	pub type BlockUsage<T: Config> =
		StorageMap<_, Twox64Concat, InstitutionId, (BlockNumberFor<T>, Weight), OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The founding institutions.
		pub institutions: Vec<GenesisInstitution<T::AccountId>>,
		/// The minimum number of active institutions.
		pub min_validators: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for institution in &self.institutions {
				let admission = Pallet::<T>::genesis_admission(institution)
					.expect("genesis institutions must be well formed");
				let id = Pallet::<T>::do_admit(admission)
					.expect("genesis institutions must be valid and distinct");
				for member in &institution.members {
					Pallet::<T>::do_add_member(id, member.clone())
						.expect("genesis members must belong to one institution each");
				}
			}
			let count = ActiveCount::<T>::get();
			assert!(
				count == 0 || (self.min_validators >= 1 && self.min_validators <= count),
				"genesis min_validators must be between 1 and the number of institutions"
			);
			MinValidators::<T>::put(self.min_validators);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance admitted an institution.
		InstitutionAdmitted { institution: InstitutionId, admin: T::AccountId },
		/// Governance suspended an institution: its accounts are refused from now on, its
		/// validator leaves at the next session.
		InstitutionSuspended { institution: InstitutionId },
		/// Governance re-activated a suspended institution.
		InstitutionResumed { institution: InstitutionId },
		/// Governance removed an institution for good; `members` accounts lost membership.
		InstitutionRemoved { institution: InstitutionId, members: u32 },
		/// Governance changed the minimum number of validators.
		MinValidatorsSet { min: u32 },
		/// An institution added a member account.
		MemberAdded { institution: InstitutionId, account: T::AccountId },
		/// An institution removed a member account.
		MemberRemoved { institution: InstitutionId, account: T::AccountId },
		/// An institution named another of its accounts its validator (from the next session).
		ValidatorSet { institution: InstitutionId, validator: T::AccountId },
		/// An institution registered its node's peer id.
		PeerIdSet { institution: InstitutionId },
		/// An institution registered the peer id of another of its nodes.
		PeerIdAdded { institution: InstitutionId },
		/// An institution withdrew the peer id of another of its nodes.
		PeerIdRemoved { institution: InstitutionId },
		/// An institution published a new version of its encryption key (the first, or a
		/// rotation); earlier versions stay readable.
		EncryptionKeyPublished { institution: InstitutionId, version: KeyVersion },
		/// An institution handed its admin role to another of its accounts.
		AdminChanged { institution: InstitutionId, admin: T::AccountId },
		/// A supermajority dispatched a call as Root; `result` is the call's own.
		EnactedAsRoot { result: DispatchResult },
		/// A runtime upgrade migrated this pallet's storage to `version`, reading `items`
		/// entries.
		StorageMigrated { version: u16, items: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No institution has this id. Check `medtrust consortium list`.
		NotFound,
		/// An institution with this credit code exists already (possibly removed: codes are
		/// never reused).
		AlreadyExists,
		/// The credit code is malformed: 18 characters of `0-9 A-H J-N P-R T U W-Y`, digits
		/// in positions 3-8, and a matching check character.
		InvalidCreditCode,
		/// The region code is not six digits starting with a province-level division.
		InvalidRegionCode,
		/// The name is empty or not UTF-8.
		InvalidName,
		/// The bytes are not a libp2p peer id (`12D3KooW…` decoded from base58). Give the node's
		/// peer id (`medtrust-node key inspect-node-key`, or `peerId` in `institution.json`).
		InvalidPeerId,
		/// The institution has `MAX_EXTRA_PEER_IDS` other nodes registered already: remove one.
		TooManyPeerIds,
		/// The peer id is registered already (by this institution or another).
		PeerIdTaken,
		/// The institution has not registered this peer id.
		UnknownPeerId,
		/// The consortium has admitted `MaxInstitutions` institutions already.
		TooManyInstitutions,
		/// The institution has `MaxMembers` accounts already: remove one first.
		TooManyMembers,
		/// The account is a member of an institution already (an account serves one only).
		AlreadyMember,
		/// The account is not a member of the caller's institution.
		NotAMember,
		/// The caller is not the admin of an active institution.
		NotAuthorized,
		/// The institution must be active for this (it is suspended or removed).
		NotActive,
		/// Only a suspended institution can be resumed.
		NotSuspended,
		/// The institution was removed already.
		AlreadyRemoved,
		/// The change would leave fewer active institutions than `MinValidators`: admit
		/// another institution first, or lower the minimum.
		TooFewValidators,
		/// The minimum must be at least 1 and at most the number of active institutions.
		InvalidMinimum,
		/// The account is the institution's admin or validator: name another one first.
		AccountHasRole,
		/// The new validator account has not registered session keys (`medtrust consortium
		/// set-keys`).
		NoSessionKeys,
		/// The public key is not one of its scheme (X25519: 32 bytes, not all zero). Publish
		/// the key `medtrust share key create` wrote.
		InvalidKey,
		/// The institution has published `MaxKeyVersions` encryption keys: the consortium
		/// must raise the limit before it rotates again.
		TooManyKeyVersions,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Admits an institution (governance). Its admin and validator accounts become its
		/// first members; its validator joins at the next session once it has session keys.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::admit_institution())]
		pub fn admit_institution(
			origin: OriginFor<T>,
			admission: Box<AdmissionOf<T>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_admit(*admission).map(|_| ())
		}

		/// Suspends an active institution (governance).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::suspend_institution())]
		pub fn suspend_institution(
			origin: OriginFor<T>,
			institution: InstitutionId,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_suspend(institution)
		}

		/// Re-activates a suspended institution (governance).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::resume_institution())]
		pub fn resume_institution(
			origin: OriginFor<T>,
			institution: InstitutionId,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_resume(institution)
		}

		/// Removes an institution for good (governance): all its accounts lose membership.
		/// `member_count` must be at least its number of members (it bounds the weight).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_institution(*member_count))]
		pub fn remove_institution(
			origin: OriginFor<T>,
			institution: InstitutionId,
			member_count: u32,
		) -> DispatchResultWithPostInfo {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let removed = Self::do_remove(institution, member_count)?;
			Ok(Some(T::WeightInfo::remove_institution(removed)).into())
		}

		/// Sets the minimum number of active institutions (governance).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_min_validators())]
		pub fn set_min_validators(origin: OriginFor<T>, min: u32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_set_min_validators(min)
		}

		/// Adds a member account to the caller's institution (its admin).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::add_member())]
		pub fn add_member(origin: OriginFor<T>, account: T::AccountId) -> DispatchResult {
			let institution = Self::ensure_admin(origin)?;
			Self::do_add_member(institution, account)
		}

		/// Removes a member account from the caller's institution (its admin).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::remove_member())]
		pub fn remove_member(origin: OriginFor<T>, account: T::AccountId) -> DispatchResult {
			let institution = Self::ensure_admin(origin)?;
			Self::do_remove_member(institution, account)
		}

		/// Names another member account the institution's validator (its admin). The account
		/// must have registered session keys; it validates from the next session.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_validator())]
		pub fn set_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			let institution = Self::ensure_admin(origin)?;
			Self::do_set_validator(institution, validator)
		}

		/// Registers the peer id of the institution's node (its admin).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_peer_id())]
		pub fn set_peer_id(
			origin: OriginFor<T>,
			peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
		) -> DispatchResult {
			let institution = Self::ensure_admin(origin)?;
			Self::do_set_peer_id(institution, peer_id)
		}

		/// Publishes a new version of the institution's encryption key (its admin): data
		/// shared with it from now on is wrapped for this version; earlier versions stay, so
		/// grants wrapped for them still open. (Call 9, `set_encryption_key`, replaced.)
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::publish_encryption_key())]
		pub fn publish_encryption_key(
			origin: OriginFor<T>,
			scheme: KeyScheme,
			public: BoundedVec<u8, ConstU32<MAX_PUBLIC_KEY_LEN>>,
		) -> DispatchResult {
			let institution = Self::ensure_admin(origin)?;
			Self::do_publish_encryption_key(institution, scheme, public).map(|_| ())
		}

		/// Registers the peer id of another node of the institution (its admin): an RPC or
		/// standby node the network's nodes then accept (at most `MAX_EXTRA_PEER_IDS`).
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::add_peer_id())]
		pub fn add_peer_id(
			origin: OriginFor<T>,
			peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
		) -> DispatchResult {
			let institution = Self::ensure_admin(origin)?;
			Self::do_add_peer_id(institution, peer_id)
		}

		/// Withdraws a peer id registered by `add_peer_id` (its admin).
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::remove_peer_id())]
		pub fn remove_peer_id(
			origin: OriginFor<T>,
			peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
		) -> DispatchResult {
			let institution = Self::ensure_admin(origin)?;
			Self::do_remove_peer_id(institution, peer_id)
		}

		/// Hands the admin role to another member account (its admin).
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_admin())]
		pub fn set_admin(origin: OriginFor<T>, admin: T::AccountId) -> DispatchResult {
			let institution = Self::ensure_admin(origin)?;
			Self::do_set_admin(institution, admin)
		}

		/// Dispatches `call` with Root origin, on a decision of [`Config::SupermajorityOrigin`]
		/// (in the runtime: a council motion approved by at least two thirds of the active
		/// institutions). The call's own failure does not fail this one: it is reported in
		/// [`Event::EnactedAsRoot`]. Charged the call's weight and this pallet's overhead.
		#[pallet::call_index(11)]
		#[pallet::weight({
			let info = call.get_dispatch_info();
			(T::WeightInfo::enact_as_root().saturating_add(info.call_weight), info.class)
		})]
		pub fn enact_as_root(
			origin: OriginFor<T>,
			call: Box<<T as Config>::RootCall>,
		) -> DispatchResultWithPostInfo {
			T::SupermajorityOrigin::ensure_origin(origin)?;
			let info = call.get_dispatch_info();
			let result = call.dispatch(frame_system::RawOrigin::Root.into());
			let spent = extract_actual_weight(&result, &info);
			Self::deposit_event(Event::EnactedAsRoot {
				result: result.map(|_| ()).map_err(|e| e.error),
			});
			Ok(Some(T::WeightInfo::enact_as_root().saturating_add(spent)).into())
		}
	}
}
