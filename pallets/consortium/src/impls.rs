//! The pallet's logic, behind its thin calls.

use alloc::vec::Vec;
use frame_support::{
	dispatch::DispatchClass,
	ensure,
	pallet_prelude::*,
	traits::{ChangeMembers, Get},
};
use frame_system::pallet_prelude::*;
use sp_runtime::{traits::Zero, DispatchError, DispatchResult};

use medtrust_primitives::peer_id::is_peer_id;

use crate::{pallet::*, types::*, HasSessionKeys};

impl<T: Config> Pallet<T> {
	/// The institution whose admin signed `origin`, if it is active.
	pub(crate) fn ensure_admin(origin: OriginFor<T>) -> Result<InstitutionId, DispatchError> {
		let who = ensure_signed(origin)?;
		let id = MemberOf::<T>::get(&who).ok_or(Error::<T>::NotAuthorized)?;
		let institution = Institutions::<T>::get(id).ok_or(Error::<T>::NotAuthorized)?;
		ensure!(institution.admin == who, Error::<T>::NotAuthorized);
		ensure!(institution.status == InstitutionStatus::Active, Error::<T>::NotAuthorized);
		Ok(id)
	}

	/// Turns a genesis institution into an admission, or says which field is malformed.
	pub fn genesis_admission(
		g: &GenesisInstitution<T::AccountId>,
	) -> Result<AdmissionOf<T>, &'static str> {
		Ok(Admission {
			name: g.name.as_bytes().to_vec().try_into().map_err(|_| "name too long")?,
			credit_code: CreditCode(
				g.credit_code.as_bytes().try_into().map_err(|_| "credit code not 18 characters")?,
			),
			region: RegionCode(g.region.as_bytes().try_into().map_err(|_| "region not 6 digits")?),
			kind: g.kind,
			admin: g.admin.clone(),
			validator: g.validator.clone(),
			peer_id: g.peer_id.clone().try_into().map_err(|_| "peer id too long")?,
			encryption_key: None,
		})
	}

	/// Admits an institution; returns its id.
	pub(crate) fn do_admit(admission: AdmissionOf<T>) -> Result<InstitutionId, DispatchError> {
		ensure!(admission.credit_code.is_valid(), Error::<T>::InvalidCreditCode);
		ensure!(admission.region.is_valid(), Error::<T>::InvalidRegionCode);
		ensure!(
			!admission.name.is_empty() && core::str::from_utf8(admission.name.as_bytes()).is_ok(),
			Error::<T>::InvalidName
		);
		ensure!(is_peer_id(&admission.peer_id), Error::<T>::InvalidPeerId);
		ensure!(
			!InstitutionOfCode::<T>::contains_key(admission.credit_code),
			Error::<T>::AlreadyExists
		);
		ensure!(Self::holder_of_peer_id(&admission.peer_id).is_none(), Error::<T>::PeerIdTaken);
		ensure!(!MemberOf::<T>::contains_key(&admission.admin), Error::<T>::AlreadyMember);
		ensure!(!MemberOf::<T>::contains_key(&admission.validator), Error::<T>::AlreadyMember);
		let id = NextInstitutionId::<T>::get();
		ensure!(id < T::MaxInstitutions::get(), Error::<T>::TooManyInstitutions);
		let members: u32 = if admission.admin == admission.validator { 1 } else { 2 };
		ensure!(members <= T::MaxMembers::get(), Error::<T>::TooManyMembers);

		let Admission {
			name,
			credit_code,
			region,
			kind,
			admin,
			validator,
			peer_id,
			encryption_key,
		} = admission;
		let first_key = match encryption_key {
			Some(key) => {
				ensure!(KeyScheme::X25519.is_valid_key(&key), Error::<T>::InvalidKey);
				Some(key.to_vec().try_into().map_err(|_| Error::<T>::InvalidKey)?)
			}
			None => None,
		};
		let old_admins = Self::active_admins();
		Institutions::<T>::insert(
			id,
			Institution {
				name,
				credit_code,
				region,
				kind,
				admin: admin.clone(),
				validator: validator.clone(),
				peer_id,
				encryption_key_version: first_key.as_ref().map(|_| 1),
				status: InstitutionStatus::Active,
				joined: frame_system::Pallet::<T>::block_number(),
				member_count: 0,
			},
		);
		if let Some(public) = first_key {
			let published = frame_system::Pallet::<T>::block_number();
			let key = EncryptionKey { scheme: KeyScheme::X25519, public, published };
			EncryptionKeys::<T>::insert(id, 1, key);
		}
		InstitutionOfCode::<T>::insert(credit_code, id);
		// `id < MaxInstitutions <= u32::MAX`: the increment cannot overflow.
		NextInstitutionId::<T>::put(id.saturating_add(1));
		ActiveCount::<T>::mutate(|n| *n = n.saturating_add(1));
		Self::insert_member(id, &admin);
		if validator != admin {
			Self::insert_member(id, &validator);
		}
		Self::notify_admins(old_admins);
		Self::deposit_event(Event::InstitutionAdmitted { institution: id, admin });
		Ok(id)
	}

	pub(crate) fn do_suspend(id: InstitutionId) -> DispatchResult {
		let mut institution = Institutions::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(institution.status == InstitutionStatus::Active, Error::<T>::NotActive);
		Self::ensure_one_can_leave()?;
		let old_admins = Self::active_admins();
		institution.status = InstitutionStatus::Suspended;
		Institutions::<T>::insert(id, institution);
		ActiveCount::<T>::mutate(|n| *n = n.saturating_sub(1));
		Self::notify_admins(old_admins);
		Self::deposit_event(Event::InstitutionSuspended { institution: id });
		Ok(())
	}

	pub(crate) fn do_resume(id: InstitutionId) -> DispatchResult {
		let mut institution = Institutions::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(institution.status == InstitutionStatus::Suspended, Error::<T>::NotSuspended);
		let old_admins = Self::active_admins();
		institution.status = InstitutionStatus::Active;
		Institutions::<T>::insert(id, institution);
		ActiveCount::<T>::mutate(|n| *n = n.saturating_add(1));
		Self::notify_admins(old_admins);
		Self::deposit_event(Event::InstitutionResumed { institution: id });
		Ok(())
	}

	/// Removes an institution and all its memberships; returns how many accounts it had.
	pub(crate) fn do_remove(id: InstitutionId, witness: u32) -> Result<u32, DispatchError> {
		let mut institution = Institutions::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(institution.status != InstitutionStatus::Removed, Error::<T>::AlreadyRemoved);
		let members = institution.member_count;
		ensure!(witness >= members, Error::<T>::TooManyMembers);
		let was_active = institution.status == InstitutionStatus::Active;
		if was_active {
			Self::ensure_one_can_leave()?;
		}
		let old_admins = Self::active_admins();
		for (account, ()) in Members::<T>::drain_prefix(id) {
			MemberOf::<T>::remove(&account);
		}
		institution.status = InstitutionStatus::Removed;
		institution.member_count = 0;
		Institutions::<T>::insert(id, institution);
		BlockUsage::<T>::remove(id);
		ExtraPeerIds::<T>::remove(id);
		if was_active {
			ActiveCount::<T>::mutate(|n| *n = n.saturating_sub(1));
		}
		Self::notify_admins(old_admins);
		Self::deposit_event(Event::InstitutionRemoved { institution: id, members });
		Ok(members)
	}

	pub(crate) fn do_set_min_validators(min: u32) -> DispatchResult {
		ensure!(min >= 1 && min <= ActiveCount::<T>::get(), Error::<T>::InvalidMinimum);
		MinValidators::<T>::put(min);
		Self::deposit_event(Event::MinValidatorsSet { min });
		Ok(())
	}

	pub(crate) fn do_add_member(id: InstitutionId, account: T::AccountId) -> DispatchResult {
		let institution = Institutions::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(institution.status == InstitutionStatus::Active, Error::<T>::NotActive);
		ensure!(!MemberOf::<T>::contains_key(&account), Error::<T>::AlreadyMember);
		ensure!(institution.member_count < T::MaxMembers::get(), Error::<T>::TooManyMembers);
		Self::insert_member(id, &account);
		Self::deposit_event(Event::MemberAdded { institution: id, account });
		Ok(())
	}

	pub(crate) fn do_remove_member(id: InstitutionId, account: T::AccountId) -> DispatchResult {
		let mut institution = Institutions::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(MemberOf::<T>::get(&account) == Some(id), Error::<T>::NotAMember);
		ensure!(
			account != institution.admin && account != institution.validator,
			Error::<T>::AccountHasRole
		);
		MemberOf::<T>::remove(&account);
		Members::<T>::remove(id, &account);
		institution.member_count = institution.member_count.saturating_sub(1);
		Institutions::<T>::insert(id, institution);
		Self::deposit_event(Event::MemberRemoved { institution: id, account });
		Ok(())
	}

	pub(crate) fn do_set_validator(id: InstitutionId, validator: T::AccountId) -> DispatchResult {
		let mut institution = Institutions::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(MemberOf::<T>::get(&validator) == Some(id), Error::<T>::NotAMember);
		ensure!(T::SessionKeys::has_session_keys(&validator), Error::<T>::NoSessionKeys);
		institution.validator = validator.clone();
		Institutions::<T>::insert(id, institution);
		Self::deposit_event(Event::ValidatorSet { institution: id, validator });
		Ok(())
	}

	pub(crate) fn do_set_peer_id(
		id: InstitutionId,
		peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
	) -> DispatchResult {
		ensure!(is_peer_id(&peer_id), Error::<T>::InvalidPeerId);
		ensure!(
			Self::holder_of_peer_id(&peer_id).is_none_or(|(holder, extra)| holder == id && !extra),
			Error::<T>::PeerIdTaken
		);
		Institutions::<T>::try_mutate(id, |maybe| -> DispatchResult {
			let institution = maybe.as_mut().ok_or(Error::<T>::NotFound)?;
			institution.peer_id = peer_id;
			Ok(())
		})?;
		Self::deposit_event(Event::PeerIdSet { institution: id });
		Ok(())
	}

	pub(crate) fn do_add_peer_id(
		id: InstitutionId,
		peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
	) -> DispatchResult {
		ensure!(is_peer_id(&peer_id), Error::<T>::InvalidPeerId);
		ensure!(Self::holder_of_peer_id(&peer_id).is_none(), Error::<T>::PeerIdTaken);
		ExtraPeerIds::<T>::try_mutate(id, |ids| ids.try_push(peer_id))
			.map_err(|_| Error::<T>::TooManyPeerIds)?;
		Self::deposit_event(Event::PeerIdAdded { institution: id });
		Ok(())
	}

	pub(crate) fn do_remove_peer_id(
		id: InstitutionId,
		peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
	) -> DispatchResult {
		ExtraPeerIds::<T>::try_mutate(id, |ids| -> DispatchResult {
			let at = ids.iter().position(|p| *p == peer_id).ok_or(Error::<T>::UnknownPeerId)?;
			ids.remove(at);
			Ok(())
		})?;
		Self::deposit_event(Event::PeerIdRemoved { institution: id });
		Ok(())
	}

	/// The institution registering `peer_id`, and whether as one of its other nodes; removed
	/// institutions' peer ids stay theirs. Reads every institution (at most `MaxInstitutions`).
	fn holder_of_peer_id(peer_id: &[u8]) -> Option<(InstitutionId, bool)> {
		Institutions::<T>::iter().find_map(|(id, institution)| {
			if institution.peer_id.as_slice() == peer_id {
				Some((id, false))
			} else if ExtraPeerIds::<T>::get(id).iter().any(|p| p.as_slice() == peer_id) {
				Some((id, true))
			} else {
				None
			}
		})
	}

	/// The peer ids every node of the network accepts: those of the active institutions' nodes,
	/// as the runtime API gives them to the node at each finalized block. Empty (nothing
	/// restricted) on a chain whose institutions registered none.
	pub fn authorized_peer_ids() -> Vec<Vec<u8>> {
		let mut out = Vec::new();
		for (id, institution) in Institutions::<T>::iter() {
			if institution.status != InstitutionStatus::Active {
				continue;
			}
			if !institution.peer_id.is_empty() {
				out.push(institution.peer_id.into_inner());
			}
			out.extend(ExtraPeerIds::<T>::get(id).into_iter().map(|p| p.into_inner()));
		}
		out
	}

	/// Publishes the next version of institution `id`'s encryption key; returns the version.
	pub(crate) fn do_publish_encryption_key(
		id: InstitutionId,
		scheme: KeyScheme,
		public: BoundedVec<u8, ConstU32<MAX_PUBLIC_KEY_LEN>>,
	) -> Result<KeyVersion, DispatchError> {
		ensure!(scheme.is_valid_key(&public), Error::<T>::InvalidKey);
		let version = Institutions::<T>::try_mutate(id, |maybe| {
			let institution = maybe.as_mut().ok_or(Error::<T>::NotFound)?;
			let version = institution.encryption_key_version.unwrap_or(0).saturating_add(1);
			ensure!(version <= T::MaxKeyVersions::get(), Error::<T>::TooManyKeyVersions);
			institution.encryption_key_version = Some(version);
			Ok::<_, DispatchError>(version)
		})?;
		let published = frame_system::Pallet::<T>::block_number();
		EncryptionKeys::<T>::insert(id, version, EncryptionKey { scheme, public, published });
		Self::deposit_event(Event::EncryptionKeyPublished { institution: id, version });
		Ok(version)
	}

	/// Institution `id` as the runtime API gives it ([`InstitutionView`]).
	pub fn institution_view(id: InstitutionId) -> Option<InstitutionViewOf<T>> {
		Institutions::<T>::get(id).map(|institution| Self::view(id, institution))
	}

	/// Every institution as the runtime API gives it, by id.
	pub fn institution_views() -> Vec<(InstitutionId, InstitutionViewOf<T>)> {
		Institutions::<T>::iter().map(|(id, i)| (id, Self::view(id, i))).collect::<Vec<_>>()
	}

	fn view(id: InstitutionId, i: InstitutionOf<T>) -> InstitutionViewOf<T> {
		let key = Self::encryption_key(id).and_then(|(_, key)| match key.scheme {
			KeyScheme::X25519 => key.public.as_slice().try_into().ok(),
		});
		InstitutionView {
			name: i.name,
			credit_code: i.credit_code,
			region: i.region,
			kind: i.kind,
			admin: i.admin,
			validator: i.validator,
			peer_id: i.peer_id,
			encryption_key: key,
			status: i.status,
			joined: i.joined,
			member_count: i.member_count,
		}
	}

	/// Every version of institution `id`'s encryption key, oldest first.
	pub fn encryption_keys(
		id: InstitutionId,
	) -> Vec<(KeyVersion, EncryptionKey<BlockNumberFor<T>>)> {
		let mut keys = EncryptionKeys::<T>::iter_prefix(id).collect::<Vec<_>>();
		keys.sort_by_key(|(version, _)| *version);
		keys
	}

	/// Institution `id`'s current encryption key, with its version.
	pub fn encryption_key(
		id: InstitutionId,
	) -> Option<(KeyVersion, EncryptionKey<BlockNumberFor<T>>)> {
		let version = Institutions::<T>::get(id)?.encryption_key_version?;
		EncryptionKeys::<T>::get(id, version).map(|key| (version, key))
	}

	pub(crate) fn do_set_admin(id: InstitutionId, admin: T::AccountId) -> DispatchResult {
		let mut institution = Institutions::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(MemberOf::<T>::get(&admin) == Some(id), Error::<T>::NotAMember);
		let old_admins = Self::active_admins();
		institution.admin = admin.clone();
		Institutions::<T>::insert(id, institution);
		Self::notify_admins(old_admins);
		Self::deposit_event(Event::AdminChanged { institution: id, admin });
		Ok(())
	}

	/// Records `account` as a member of `id`. The caller has checked it is no member yet and
	/// that the institution has room.
	fn insert_member(id: InstitutionId, account: &T::AccountId) {
		MemberOf::<T>::insert(account, id);
		Members::<T>::insert(id, account, ());
		Institutions::<T>::mutate(id, |maybe| {
			if let Some(institution) = maybe {
				institution.member_count = institution.member_count.saturating_add(1);
			}
		});
		// A member account must exist to send transactions (its nonce is stored). The provider
		// is never taken back: the account keeps its nonce, so its old transactions cannot be
		// replayed if it is ever added again.
		if frame_system::Pallet::<T>::providers(account).is_zero() {
			frame_system::Pallet::<T>::inc_providers(account);
		}
	}

	/// Refuses a change that would take one more institution out of the active set while it is
	/// at its minimum.
	fn ensure_one_can_leave() -> DispatchResult {
		ensure!(ActiveCount::<T>::get() > MinValidators::<T>::get(), Error::<T>::TooFewValidators);
		Ok(())
	}

	/// The admins of the active institutions, sorted: the voters.
	pub fn active_admins() -> Vec<T::AccountId> {
		let mut admins: Vec<T::AccountId> = Institutions::<T>::iter_values()
			.filter(|i| i.status == InstitutionStatus::Active)
			.map(|i| i.admin)
			.collect();
		admins.sort();
		admins
	}

	fn notify_admins(old: Vec<T::AccountId>) {
		let new = Self::active_admins();
		if new != old {
			T::MembershipChanged::set_members_sorted(&new, &old);
		}
	}

	/// The validator accounts of the active institutions that have session keys, in
	/// institution order: the next session's validators. `None` (keep the current set) if that
	/// would be fewer than `MinValidators` or none.
	pub fn next_validators() -> Option<Vec<T::AccountId>> {
		let mut by_id: Vec<(InstitutionId, T::AccountId)> = Institutions::<T>::iter()
			.filter(|(_, i)| i.status == InstitutionStatus::Active)
			.filter(|(_, i)| T::SessionKeys::has_session_keys(&i.validator))
			.map(|(id, i)| (id, i.validator))
			.collect();
		// Authoring order follows admission order, whatever the storage order.
		by_id.sort_by_key(|(id, _)| *id);
		let validators: Vec<T::AccountId> = by_id.into_iter().map(|(_, v)| v).collect();
		let enough = validators.len() >= MinValidators::<T>::get().max(1) as usize;
		if !enough {
			log::warn!(
				target: "runtime::consortium",
				"only {} active institutions have session keys, fewer than the minimum {}: \
				 keeping the current validators",
				validators.len(),
				MinValidators::<T>::get(),
			);
		}
		enough.then_some(validators)
	}

	/// Every institution ever admitted, in id order.
	pub fn institutions() -> Vec<(InstitutionId, InstitutionOf<T>)> {
		let mut all: Vec<_> = Institutions::<T>::iter().collect();
		all.sort_by_key(|(id, _)| *id);
		all
	}

	/// The member accounts of an institution.
	pub fn members_of(id: InstitutionId) -> Vec<T::AccountId> {
		Members::<T>::iter_key_prefix(id).collect()
	}

	/// The institution of a signer, if it may transact: an account of an active institution.
	pub fn member_institution(who: &T::AccountId) -> Result<InstitutionId, MembershipError> {
		let id = MemberOf::<T>::get(who).ok_or(MembershipError::NotAMember)?;
		match Institutions::<T>::get(id).map(|i| i.status) {
			Some(InstitutionStatus::Active) => Ok(id),
			Some(InstitutionStatus::Suspended) => Err(MembershipError::InstitutionSuspended),
			Some(InstitutionStatus::Removed) => Err(MembershipError::InstitutionRemoved),
			None => Err(MembershipError::NotAMember),
		}
	}

	/// An institution's fair share of a block: `1/n` of the normal-class weight, `n` the
	/// number of active institutions.
	pub fn fair_share() -> Weight {
		let weights = <T as frame_system::Config>::BlockWeights::get();
		let normal = weights.get(DispatchClass::Normal).max_total.unwrap_or(weights.max_block);
		let active = u64::from(ActiveCount::<T>::get().max(1));
		Weight::from_parts(normal.ref_time() / active, normal.proof_size() / active)
	}

	/// Counts `weight` against the institution's share of the current block; returns `false`
	/// (and counts nothing) if the institution has used its share already. Its first
	/// transaction of a block always fits.
	pub fn use_block_share(id: InstitutionId, weight: Weight) -> bool {
		let now = frame_system::Pallet::<T>::block_number();
		let used = match BlockUsage::<T>::get(id) {
			Some((block, used)) if block == now => used,
			_ => Weight::zero(),
		};
		let total = used.saturating_add(weight);
		if !used.is_zero() && !total.all_lte(Self::fair_share()) {
			return false;
		}
		BlockUsage::<T>::insert(id, (now, total));
		true
	}

	/// Gives back to `id`'s share of this block weight a transaction was charged for and did
	/// not spend.
	pub fn return_block_share(id: InstitutionId, unspent: Weight) {
		let now = frame_system::Pallet::<T>::block_number();
		BlockUsage::<T>::mutate(id, |usage| {
			if let Some((block, used)) = usage {
				if *block == now {
					*used = used.saturating_sub(unspent);
				}
			}
		});
	}

	/// The pallet's invariants: every active institution's validator is one of its members,
	/// codes are unique and indexed, member sets are bounded and counted right, and the active
	/// count and minimum are consistent.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut active = 0u32;
		let mut codes = alloc::collections::BTreeSet::new();
		for (id, institution) in Institutions::<T>::iter() {
			ensure!(id < NextInstitutionId::<T>::get(), "institution id beyond the next id");
			ensure!(codes.insert(institution.credit_code), "credit code used twice");
			ensure!(
				InstitutionOfCode::<T>::get(institution.credit_code) == Some(id),
				"credit code index out of date"
			);
			let members = Members::<T>::iter_key_prefix(id).count() as u32;
			ensure!(members == institution.member_count, "member count out of date");
			ensure!(members <= T::MaxMembers::get(), "too many members");
			for account in Members::<T>::iter_key_prefix(id) {
				ensure!(MemberOf::<T>::get(&account) == Some(id), "member index out of date");
			}
			match institution.status {
				InstitutionStatus::Active => {
					active += 1;
					ensure!(
						MemberOf::<T>::get(&institution.validator) == Some(id),
						"an active institution's validator is not its member"
					);
					ensure!(
						MemberOf::<T>::get(&institution.admin) == Some(id),
						"an active institution's admin is not its member"
					);
				}
				InstitutionStatus::Suspended => {}
				InstitutionStatus::Removed => {
					ensure!(members == 0, "a removed institution has members")
				}
			}
		}
		ensure!(InstitutionOfCode::<T>::iter().count() == codes.len(), "stray credit codes");
		// Encryption keys: versions 1 to the current one, each well formed, nothing beyond.
		for (id, version, key) in EncryptionKeys::<T>::iter() {
			let current = Institutions::<T>::get(id).and_then(|i| i.encryption_key_version);
			ensure!(current.is_some_and(|c| version >= 1 && version <= c), "a stray key version");
			ensure!(key.scheme.is_valid_key(&key.public), "a malformed encryption key");
		}
		for (id, institution) in Institutions::<T>::iter() {
			let current = institution.encryption_key_version.unwrap_or(0);
			ensure!(current <= T::MaxKeyVersions::get(), "too many key versions");
			ensure!(
				EncryptionKeys::<T>::iter_key_prefix(id).count() as u32 == current,
				"key versions missing"
			);
		}
		for (account, id) in MemberOf::<T>::iter() {
			ensure!(Members::<T>::contains_key(id, &account), "stray member index entry");
		}
		ensure!(active == ActiveCount::<T>::get(), "active count out of date");
		ensure!(
			ActiveCount::<T>::get() == 0 || MinValidators::<T>::get() <= active,
			"fewer active institutions than the minimum"
		);
		// Other nodes' peer ids: of institutions not removed, well formed, each held once.
		let mut peers = alloc::collections::BTreeSet::new();
		for (_, institution) in Institutions::<T>::iter() {
			ensure!(
				institution.peer_id.is_empty() || peers.insert(institution.peer_id.to_vec()),
				"a peer id held twice"
			);
		}
		for (id, ids) in ExtraPeerIds::<T>::iter() {
			let status = Institutions::<T>::get(id).map(|i| i.status);
			ensure!(
				status.is_some_and(|s| s != InstitutionStatus::Removed),
				"peer ids of a removed or unknown institution"
			);
			for peer_id in ids {
				ensure!(is_peer_id(&peer_id), "a malformed peer id");
				ensure!(peers.insert(peer_id.into_inner()), "a peer id held twice");
			}
		}
		Ok(())
	}
}

/// Ensures a signed origin whose signer is an account of an active institution; gives the
/// institution's id. What other pallets name their `InstitutionOrigin`.
pub struct EnsureMember<T>(core::marker::PhantomData<T>);

impl<T: Config> EnsureOrigin<T::RuntimeOrigin> for EnsureMember<T> {
	type Success = InstitutionId;

	fn try_origin(origin: T::RuntimeOrigin) -> Result<InstitutionId, T::RuntimeOrigin> {
		match origin.clone().into() {
			Ok(frame_system::RawOrigin::Signed(who)) => {
				Pallet::<T>::member_institution(&who).map_err(|_| origin)
			}
			_ => Err(origin),
		}
	}

	/// The admin of the first active institution.
	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<T::RuntimeOrigin, ()> {
		Pallet::<T>::institutions()
			.into_iter()
			.find(|(_, i)| i.status == InstitutionStatus::Active)
			.map(|(_, i)| frame_system::RawOrigin::Signed(i.admin).into())
			.ok_or(())
	}
}

/// Ensures a signed origin whose signer is the admin of an active institution; gives the
/// institution's id. What other pallets name their `AdminOrigin`.
pub struct EnsureAdmin<T>(core::marker::PhantomData<T>);

impl<T: Config> EnsureOrigin<T::RuntimeOrigin> for EnsureAdmin<T> {
	type Success = InstitutionId;

	fn try_origin(origin: T::RuntimeOrigin) -> Result<InstitutionId, T::RuntimeOrigin> {
		Pallet::<T>::ensure_admin(origin.clone().into().map_err(|_| origin.clone())?.into())
			.map_err(|_| origin)
	}

	/// The admin of the first active institution.
	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<T::RuntimeOrigin, ()> {
		EnsureMember::<T>::try_successful_origin()
	}
}
