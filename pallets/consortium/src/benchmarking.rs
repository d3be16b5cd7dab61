//! Benchmarks of every call and of the `CheckMembership` extension, run as tests too.

use alloc::{boxed::Box, string::ToString, vec};
use frame_benchmarking::v2::*;
use frame_support::{
	dispatch::{DispatchInfo, PostDispatchInfo},
	traits::EnsureOrigin,
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::traits::{DispatchTransaction, Dispatchable, Get};

use crate::*;

/// A valid admission for institution number `n`, with admin and validator accounts derived
/// from `n` and a name of the maximum length (in Chinese, 3 bytes a character).
pub fn admission<T: Config>(n: u32) -> AdmissionOf<T> {
	let mut first: [u8; 17] = *b"12110000400000000";
	for (i, digit) in n.to_string().bytes().rev().enumerate() {
		first[16 - i] = digit;
	}
	let check = CreditCode::check_character(&first).expect("digits are in the alphabet");
	let mut code = [0u8; 18];
	code[..17].copy_from_slice(&first);
	code[17] = check;
	let name: alloc::vec::Vec<u8> = "医".repeat(T::MaxNameLen::get() as usize / 3).into_bytes();
	Admission {
		name: name.try_into().expect("fits the bound"),
		credit_code: CreditCode(code),
		region: RegionCode(*b"110105"),
		kind: InstitutionKind::Hospital,
		admin: account("admin", n, 0),
		validator: account("validator", n, 0),
		peer_id: peer::<T>(n),
		encryption_key: Some([7; 32]),
	}
}

/// A well-formed peer id, distinct for each `n`.
fn peer<T: Config>(n: u32) -> BoundedVec<u8, T::MaxPeerIdLen> {
	let mut key = [0x11u8; 32];
	key[..4].copy_from_slice(&n.to_le_bytes());
	let id = medtrust_primitives::peer_id::ed25519_peer_id(key);
	id.to_vec().try_into().expect("38 bytes fit the bound")
}

/// Admits institutions until there are `count` (or the maximum), besides any the genesis made,
/// and sets the minimum to 1; returns the last id.
fn institutions<T: Config>(count: u32) -> InstitutionId {
	let first = NextInstitutionId::<T>::get();
	let last = first.saturating_add(count).min(T::MaxInstitutions::get());
	for id in first..last {
		Pallet::<T>::do_admit(admission::<T>(id)).expect("valid admission");
	}
	MinValidators::<T>::put(1);
	NextInstitutionId::<T>::get().saturating_sub(1)
}

/// Fills institution `id` with plain members up to `members` accounts in all.
fn fill<T: Config>(id: InstitutionId, members: u32) {
	let have = Institutions::<T>::get(id).map(|i| i.member_count).unwrap_or_default();
	for m in have..members {
		Pallet::<T>::do_add_member(id, account("member", m, id)).expect("room for members");
	}
}

fn admin_of<T: Config>(id: InstitutionId) -> T::AccountId {
	Institutions::<T>::get(id).expect("exists").admin
}

#[benchmarks(where
	T: Send + Sync,
	T::RuntimeCall: Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo>,
)]
mod benchmarks {
	use super::*;

	/// Admitting reads every institution to update the voters: the worst case is a full
	/// consortium.
	#[benchmark]
	fn admit_institution() -> Result<(), BenchmarkError> {
		let room = T::MaxInstitutions::get()
			.saturating_sub(NextInstitutionId::<T>::get())
			.saturating_sub(1);
		institutions::<T>(room);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let next = NextInstitutionId::<T>::get();
		let new = admission::<T>(next);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Box::new(new));

		assert_eq!(NextInstitutionId::<T>::get(), next + 1);
		Ok(())
	}

	#[benchmark]
	fn suspend_institution() -> Result<(), BenchmarkError> {
		let id = institutions::<T>(T::MaxInstitutions::get());
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_eq!(
			Institutions::<T>::get(id).map(|i| i.status),
			Some(InstitutionStatus::Suspended)
		);
		Ok(())
	}

	#[benchmark]
	fn resume_institution() -> Result<(), BenchmarkError> {
		let id = institutions::<T>(T::MaxInstitutions::get());
		Pallet::<T>::do_suspend(id).expect("can be suspended");
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_eq!(Institutions::<T>::get(id).map(|i| i.status), Some(InstitutionStatus::Active));
		Ok(())
	}

	/// Removing drops every membership of the institution: linear in its members.
	#[benchmark]
	fn remove_institution(m: Linear<2, { T::MaxMembers::get() }>) -> Result<(), BenchmarkError> {
		let id = institutions::<T>(T::MaxInstitutions::get());
		fill::<T>(id, m);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, m);

		assert_eq!(Institutions::<T>::get(id).map(|i| i.member_count), Some(0));
		Ok(())
	}

	#[benchmark]
	fn set_min_validators() -> Result<(), BenchmarkError> {
		institutions::<T>(2);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 2);

		assert_eq!(MinValidators::<T>::get(), 2);
		Ok(())
	}

	#[benchmark]
	fn add_member() {
		let id = institutions::<T>(1);
		fill::<T>(id, T::MaxMembers::get().saturating_sub(1));
		let new: T::AccountId = account("new", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(admin_of::<T>(id)), new.clone());

		assert_eq!(MemberOf::<T>::get(&new), Some(id));
	}

	#[benchmark]
	fn remove_member() {
		let id = institutions::<T>(1);
		fill::<T>(id, T::MaxMembers::get());
		let gone: T::AccountId = account("member", 2, id);

		#[extrinsic_call]
		_(RawOrigin::Signed(admin_of::<T>(id)), gone.clone());

		assert_eq!(MemberOf::<T>::get(&gone), None);
	}

	#[benchmark]
	fn set_validator() {
		let id = institutions::<T>(1);
		fill::<T>(id, 3);
		let validator: T::AccountId = account("member", 2, id);
		T::SessionKeys::give_keys_for_benchmark(&validator);

		#[extrinsic_call]
		_(RawOrigin::Signed(admin_of::<T>(id)), validator.clone());

		assert_eq!(Institutions::<T>::get(id).map(|i| i.validator), Some(validator));
	}

	/// Every institution is read to find the peer id's holder: a full consortium.
	#[benchmark]
	fn set_peer_id() {
		let id = institutions::<T>(T::MaxInstitutions::get());
		let peer = peer::<T>(1_000_000);

		#[extrinsic_call]
		_(RawOrigin::Signed(admin_of::<T>(id)), peer.clone());

		assert_eq!(Institutions::<T>::get(id).map(|i| i.peer_id), Some(peer));
	}

	/// A full consortium, the institution with all but one of its other nodes.
	#[benchmark]
	fn add_peer_id() {
		let id = institutions::<T>(T::MaxInstitutions::get());
		for n in 1..MAX_EXTRA_PEER_IDS {
			Pallet::<T>::do_add_peer_id(id, peer::<T>(2_000_000 + n)).expect("room");
		}
		let peer = peer::<T>(1_000_000);

		#[extrinsic_call]
		_(RawOrigin::Signed(admin_of::<T>(id)), peer.clone());

		assert!(ExtraPeerIds::<T>::get(id).contains(&peer));
	}

	/// The institution with all its other nodes, the last one withdrawn.
	#[benchmark]
	fn remove_peer_id() {
		let id = institutions::<T>(1);
		for n in 0..MAX_EXTRA_PEER_IDS {
			Pallet::<T>::do_add_peer_id(id, peer::<T>(2_000_000 + n)).expect("room");
		}
		let last = peer::<T>(2_000_000 + MAX_EXTRA_PEER_IDS - 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(admin_of::<T>(id)), last.clone());

		assert!(!ExtraPeerIds::<T>::get(id).contains(&last));
	}

	#[benchmark]
	fn publish_encryption_key() {
		let id = institutions::<T>(1);
		let public: BoundedVec<u8, frame_support::traits::ConstU32<MAX_PUBLIC_KEY_LEN>> =
			alloc::vec![3u8; 32].try_into().expect("32 bytes fit");

		#[extrinsic_call]
		_(RawOrigin::Signed(admin_of::<T>(id)), KeyScheme::X25519, public);

		let (version, key) = Pallet::<T>::encryption_key(id).expect("published");
		assert_eq!((version, key.public.to_vec()), (2, alloc::vec![3u8; 32]));
	}

	/// Changing the admin changes the voters: worst case with a full consortium.
	#[benchmark]
	fn set_admin() {
		let id = institutions::<T>(T::MaxInstitutions::get());
		fill::<T>(id, 3);
		let admin: T::AccountId = account("member", 2, id);

		#[extrinsic_call]
		_(RawOrigin::Signed(admin_of::<T>(id)), admin.clone());

		assert_eq!(Institutions::<T>::get(id).map(|i| i.admin), Some(admin));
	}

	/// The overhead of dispatching a call as Root (the inner call is charged on top): a remark.
	#[benchmark]
	fn enact_as_root() -> Result<(), BenchmarkError> {
		let origin = T::SupermajorityOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let call: <T as Config>::RootCall =
			frame_system::Call::<T>::remark { remark: vec![] }.into();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Box::new(call));

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::EnactedAsRoot { result: Ok(()) }.into(),
		);
		Ok(())
	}

	/// The extension: the member lookup, the institution, and its block usage.
	#[benchmark]
	fn check_membership() -> Result<(), BenchmarkError> {
		let id = institutions::<T>(1);
		let who = admin_of::<T>(id);
		let call: T::RuntimeCall = frame_system::Call::<T>::remark { remark: vec![] }.into();
		let info = DispatchInfo::default();
		let ext = CheckMembership::<T>::new();

		#[block]
		{
			ext.test_run(RawOrigin::Signed(who).into(), &call, &info, 0, 0, |_| {
				Ok(Default::default())
			})
			.map_err(|_| BenchmarkError::Stop("the member's transaction was refused"))?
			.map_err(|_| BenchmarkError::Stop("the call failed"))?;
		}

		assert!(BlockUsage::<T>::contains_key(id));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty(), crate::mock::Test);
}
