//! Unit tests: every call, every error, the extension and the validator set.

use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchClass, DispatchInfo, GetDispatchInfo, PostDispatchInfo},
	traits::Get,
	weights::Weight,
	BoundedVec,
};
use sp_runtime::{
	traits::{DispatchTransaction, TransactionExtension, TxBaseImplication},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	DispatchError,
};

use crate::{mock::*, Error, Event, *};

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn status(id: InstitutionId) -> InstitutionStatus {
	Institutions::<Test>::get(id).expect("exists").status
}

#[test]
fn genesis_sets_up_institutions_members_and_voters() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(NextInstitutionId::<Test>::get(), 4);
		assert_eq!(ActiveCount::<Test>::get(), 4);
		assert_eq!(MinValidators::<Test>::get(), 3);
		assert_eq!(voters(), vec![1, 2, 3, 4]);
		let first = Institutions::<Test>::get(0).expect("exists");
		assert_eq!(first.name.as_str(), "北京协和医院");
		assert_eq!(first.member_count, 3);
		assert_eq!(MemberOf::<Test>::get(11), Some(0));
		// Members exist as accounts, so they can send transactions.
		assert!(System::providers(&11) > 0);
	});
}

mod admit_institution {
	use super::*;

	#[test]
	fn admits_and_makes_admin_a_voter() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Consortium::admit_institution(
				root(),
				Box::new(admission(5, "四川大学华西医院", 5))
			));
			assert_eq!(
				last_event(),
				Event::InstitutionAdmitted { institution: 4, admin: 5 }.into()
			);
			assert_eq!(status(4), InstitutionStatus::Active);
			assert_eq!(MemberOf::<Test>::get(105), Some(4));
			assert_eq!(ActiveCount::<Test>::get(), 5);
			assert_eq!(voters(), vec![1, 2, 3, 4, 5]);
			assert_eq!(InstitutionOfCode::<Test>::get(credit_code(5)), Some(4));
		});
	}

	#[test]
	fn needs_governance() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Consortium::admit_institution(signed(1), Box::new(admission(5, "x", 5))),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn refuses_a_taken_credit_code() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(admission(0, "x", 5))),
				Error::<Test>::AlreadyExists
			);
		});
	}

	#[test]
	fn refuses_a_bad_credit_code() {
		ExtBuilder::default().build_and_execute(|| {
			let mut a = admission(5, "x", 5);
			a.credit_code.0[17] = if a.credit_code.0[17] == b'0' { b'1' } else { b'0' };
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(a)),
				Error::<Test>::InvalidCreditCode
			);
		});
	}

	#[test]
	fn refuses_a_bad_region() {
		ExtBuilder::default().build_and_execute(|| {
			let mut a = admission(5, "x", 5);
			a.region = RegionCode(*b"000000");
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(a)),
				Error::<Test>::InvalidRegionCode
			);
		});
	}

	#[test]
	fn refuses_an_empty_or_non_utf8_name() {
		ExtBuilder::default().build_and_execute(|| {
			let mut a = admission(5, "x", 5);
			a.name = Default::default();
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(a.clone())),
				Error::<Test>::InvalidName
			);
			// A name that is not UTF-8 does not even decode: a call carrying it is invalid
			// before it dispatches.
			type Name = medtrust_primitives::text::BoundedText<<Test as Config>::MaxNameLen>;
			let not_utf8 = codec::Encode::encode(&vec![0xffu8, 0xfe]);
			assert!(<Name as codec::Decode>::decode(&mut &not_utf8[..]).is_err());
		});
	}

	#[test]
	fn refuses_an_empty_peer_id() {
		ExtBuilder::default().build_and_execute(|| {
			let mut a = admission(5, "x", 5);
			a.peer_id = Default::default();
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(a)),
				Error::<Test>::InvalidPeerId
			);
		});
	}

	#[test]
	fn refuses_an_admin_that_is_a_member_elsewhere() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(admission(5, "x", 11))),
				Error::<Test>::AlreadyMember
			);
		});
	}

	#[test]
	fn refuses_beyond_the_maximum() {
		ExtBuilder::default().build_and_execute(|| {
			for i in 4..8u8 {
				assert_ok!(Consortium::admit_institution(
					root(),
					Box::new(admission(i, "x", u64::from(i) + 1))
				));
			}
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(admission(8, "x", 9))),
				Error::<Test>::TooManyInstitutions
			);
		});
	}
}

mod suspend_resume_remove {
	use super::*;

	#[test]
	fn suspend_takes_the_admin_out_of_the_voters_and_resume_brings_it_back() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Consortium::suspend_institution(root(), 3));
			assert_eq!(last_event(), Event::InstitutionSuspended { institution: 3 }.into());
			assert_eq!(status(3), InstitutionStatus::Suspended);
			assert_eq!(voters(), vec![1, 2, 3]);
			assert_eq!(ActiveCount::<Test>::get(), 3);
			assert_ok!(Consortium::resume_institution(root(), 3));
			assert_eq!(last_event(), Event::InstitutionResumed { institution: 3 }.into());
			assert_eq!(voters(), vec![1, 2, 3, 4]);
		});
	}

	#[test]
	fn suspend_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Consortium::suspend_institution(signed(1), 3), DispatchError::BadOrigin);
			assert_noop!(Consortium::suspend_institution(root(), 9), Error::<Test>::NotFound);
			assert_ok!(Consortium::suspend_institution(root(), 3));
			assert_noop!(Consortium::suspend_institution(root(), 3), Error::<Test>::NotActive);
			// Three active, minimum three: nobody else may leave.
			assert_noop!(
				Consortium::suspend_institution(root(), 2),
				Error::<Test>::TooFewValidators
			);
		});
	}

	#[test]
	fn resume_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Consortium::resume_institution(signed(1), 3), DispatchError::BadOrigin);
			assert_noop!(Consortium::resume_institution(root(), 9), Error::<Test>::NotFound);
			assert_noop!(Consortium::resume_institution(root(), 3), Error::<Test>::NotSuspended);
		});
	}

	#[test]
	fn remove_drops_every_membership_and_keeps_the_code() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Consortium::remove_institution(root(), 0, 3));
			assert_eq!(
				last_event(),
				Event::InstitutionRemoved { institution: 0, members: 3 }.into()
			);
			assert_eq!(status(0), InstitutionStatus::Removed);
			for account in [1, 101, 11] {
				assert_eq!(MemberOf::<Test>::get(account), None);
			}
			assert_eq!(voters(), vec![2, 3, 4]);
			assert_eq!(InstitutionOfCode::<Test>::get(credit_code(0)), Some(0));
			// The code is never reused.
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(admission(0, "x", 5))),
				Error::<Test>::AlreadyExists
			);
		});
	}

	#[test]
	fn remove_of_a_suspended_institution_needs_no_minimum() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Consortium::suspend_institution(root(), 3));
			assert_ok!(Consortium::remove_institution(root(), 3, 2));
			assert_eq!(ActiveCount::<Test>::get(), 3);
		});
	}

	#[test]
	fn remove_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Consortium::remove_institution(signed(1), 3, 1), DispatchError::BadOrigin);
			assert_noop!(Consortium::remove_institution(root(), 9, 1), Error::<Test>::NotFound);
			// The witness must cover the members.
			assert_noop!(
				Consortium::remove_institution(root(), 0, 2),
				Error::<Test>::TooManyMembers
			);
			assert_ok!(Consortium::remove_institution(root(), 3, 2));
			assert_noop!(
				Consortium::remove_institution(root(), 3, 2),
				Error::<Test>::AlreadyRemoved
			);
			assert_noop!(
				Consortium::remove_institution(root(), 2, 2),
				Error::<Test>::TooFewValidators
			);
		});
	}

	#[test]
	fn remove_refunds_weight_for_the_members_it_had() {
		ExtBuilder::default().build_and_execute(|| {
			let info = Consortium::remove_institution(root(), 3, 4).expect("removed");
			assert_eq!(
				info.actual_weight,
				Some(<() as WeightInfo>::remove_institution(2)),
				"charged for its two members, not the four of the witness"
			);
		});
	}
}

mod min_validators {
	use super::*;

	#[test]
	fn sets_the_minimum() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Consortium::set_min_validators(root(), 2));
			assert_eq!(last_event(), Event::MinValidatorsSet { min: 2 }.into());
			assert_eq!(MinValidators::<Test>::get(), 2);
			assert_ok!(Consortium::suspend_institution(root(), 3));
			assert_ok!(Consortium::suspend_institution(root(), 2));
		});
	}

	#[test]
	fn errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Consortium::set_min_validators(signed(1), 2), DispatchError::BadOrigin);
			assert_noop!(Consortium::set_min_validators(root(), 0), Error::<Test>::InvalidMinimum);
			assert_noop!(Consortium::set_min_validators(root(), 5), Error::<Test>::InvalidMinimum);
		});
	}
}

mod members {
	use super::*;

	#[test]
	fn admin_adds_and_removes_members() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Consortium::add_member(signed(2), 21));
			assert_eq!(last_event(), Event::MemberAdded { institution: 1, account: 21 }.into());
			assert_eq!(MemberOf::<Test>::get(21), Some(1));
			assert!(System::providers(&21) > 0);
			assert_ok!(Consortium::remove_member(signed(2), 21));
			assert_eq!(last_event(), Event::MemberRemoved { institution: 1, account: 21 }.into());
			assert_eq!(MemberOf::<Test>::get(21), None);
			// The account keeps existing (its nonce stays), so old transactions cannot replay.
			assert!(System::providers(&21) > 0);
		});
	}

	#[test]
	fn add_member_errors() {
		ExtBuilder::default().build_and_execute(|| {
			// Not an admin: a plain member, a validator, a stranger.
			assert_noop!(Consortium::add_member(signed(11), 21), Error::<Test>::NotAuthorized);
			assert_noop!(Consortium::add_member(signed(101), 21), Error::<Test>::NotAuthorized);
			assert_noop!(Consortium::add_member(signed(99), 21), Error::<Test>::NotAuthorized);
			assert_noop!(Consortium::add_member(signed(2), 11), Error::<Test>::AlreadyMember);
			assert_ok!(Consortium::add_member(signed(1), 12));
			assert_noop!(Consortium::add_member(signed(1), 13), Error::<Test>::TooManyMembers);
			// A suspended institution's admin manages nothing.
			assert_ok!(Consortium::suspend_institution(root(), 3));
			assert_noop!(Consortium::add_member(signed(4), 41), Error::<Test>::NotAuthorized);
		});
	}

	#[test]
	fn remove_member_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Consortium::remove_member(signed(11), 1), Error::<Test>::NotAuthorized);
			assert_noop!(Consortium::remove_member(signed(2), 11), Error::<Test>::NotAMember);
			assert_noop!(Consortium::remove_member(signed(1), 1), Error::<Test>::AccountHasRole);
			assert_noop!(Consortium::remove_member(signed(1), 101), Error::<Test>::AccountHasRole);
		});
	}
}

mod keys_and_roles {
	use super::*;

	#[test]
	fn set_validator_needs_a_member_with_keys() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Consortium::set_validator(signed(1), 12), Error::<Test>::NotAMember);
			assert_noop!(Consortium::set_validator(signed(1), 11), Error::<Test>::NoSessionKeys);
			assert_noop!(Consortium::set_validator(signed(11), 11), Error::<Test>::NotAuthorized);
			give_keys(11);
			assert_ok!(Consortium::set_validator(signed(1), 11));
			assert_eq!(last_event(), Event::ValidatorSet { institution: 0, validator: 11 }.into());
			assert_eq!(Consortium::next_validators(), Some(vec![11, 102, 103, 104]));
			// The old validator account is now a plain member and may be removed.
			assert_ok!(Consortium::remove_member(signed(1), 101));
		});
	}

	#[test]
	fn set_peer_id_and_encryption_key() {
		ExtBuilder::default().build_and_execute(|| {
			let peer = crate::mock::peer(70);
			assert_ok!(Consortium::set_peer_id(signed(1), peer.clone()));
			assert_eq!(last_event(), Event::PeerIdSet { institution: 0 }.into());
			assert_eq!(Institutions::<Test>::get(0).expect("exists").peer_id, peer);
			assert_ok!(Consortium::set_peer_id(signed(1), peer.clone())); // the same again
			for bad in [vec![], vec![7u8; 38], peer[..37].to_vec()] {
				assert_noop!(
					Consortium::set_peer_id(signed(1), bad.try_into().expect("short")),
					Error::<Test>::InvalidPeerId
				);
			}
			// Another institution's node is not this one's.
			let theirs = Institutions::<Test>::get(1).expect("exists").peer_id;
			assert_noop!(Consortium::set_peer_id(signed(1), theirs), Error::<Test>::PeerIdTaken);
			assert_noop!(Consortium::set_peer_id(signed(11), peer), Error::<Test>::NotAuthorized);
		});
	}

	fn key(
		byte: u8,
	) -> BoundedVec<u8, frame_support::traits::ConstU32<{ crate::MAX_PUBLIC_KEY_LEN }>> {
		vec![byte; 32].try_into().expect("short")
	}

	#[test]
	fn encryption_keys_are_versioned_and_every_version_kept() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(Consortium::encryption_key(0), None);
			assert_ok!(Consortium::publish_encryption_key(signed(1), KeyScheme::X25519, key(9)));
			assert_eq!(
				last_event(),
				Event::EncryptionKeyPublished { institution: 0, version: 1 }.into()
			);
			assert_ok!(Consortium::publish_encryption_key(signed(1), KeyScheme::X25519, key(8)));
			assert_eq!(
				last_event(),
				Event::EncryptionKeyPublished { institution: 0, version: 2 }.into()
			);
			let (version, current) = Consortium::encryption_key(0).expect("published");
			assert_eq!((version, current.public.to_vec()), (2, vec![8; 32]));
			let first = EncryptionKeys::<Test>::get(0, 1).expect("version 1 kept");
			assert_eq!(first.public.to_vec(), vec![9; 32]);
			assert_eq!(
				Institutions::<Test>::get(0).expect("exists").encryption_key_version,
				Some(2)
			);
		});
	}

	#[test]
	fn publish_encryption_key_refusals() {
		ExtBuilder::default().build_and_execute(|| {
			// Not the admin.
			assert_noop!(
				Consortium::publish_encryption_key(signed(11), KeyScheme::X25519, key(9)),
				Error::<Test>::NotAuthorized
			);
			// Not a key of the scheme: all zeros, or not 32 bytes.
			assert_noop!(
				Consortium::publish_encryption_key(signed(1), KeyScheme::X25519, key(0)),
				Error::<Test>::InvalidKey
			);
			let short: BoundedVec<u8, _> = vec![7u8; 31].try_into().expect("short");
			assert_noop!(
				Consortium::publish_encryption_key(signed(1), KeyScheme::X25519, short),
				Error::<Test>::InvalidKey
			);
			// Bounded: `MaxKeyVersions` (3 in the mock) rotations at most.
			for byte in 1..=3 {
				assert_ok!(Consortium::publish_encryption_key(
					signed(1),
					KeyScheme::X25519,
					key(byte)
				));
			}
			assert_noop!(
				Consortium::publish_encryption_key(signed(1), KeyScheme::X25519, key(4)),
				Error::<Test>::TooManyKeyVersions
			);
		});
	}

	#[test]
	fn an_admitted_institution_s_key_is_its_version_1() {
		ExtBuilder::default().build_and_execute(|| {
			let mut admission = crate::mock::admission(7, "新医院", 71);
			admission.encryption_key = Some([0; 32]);
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(admission.clone())),
				Error::<Test>::InvalidKey
			);
			admission.encryption_key = Some([5; 32]);
			assert_ok!(Consortium::admit_institution(root(), Box::new(admission)));
			let (version, key) = Consortium::encryption_key(4).expect("published");
			assert_eq!((version, key.public.to_vec()), (1, vec![5; 32]));
		});
	}

	#[test]
	fn set_admin_moves_the_vote() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Consortium::set_admin(signed(1), 12), Error::<Test>::NotAMember);
			assert_noop!(Consortium::set_admin(signed(11), 11), Error::<Test>::NotAuthorized);
			assert_ok!(Consortium::set_admin(signed(1), 11));
			assert_eq!(last_event(), Event::AdminChanged { institution: 0, admin: 11 }.into());
			assert_eq!(voters(), vec![2, 3, 4, 11]);
			assert_noop!(Consortium::add_member(signed(1), 12), Error::<Test>::NotAuthorized);
			assert_ok!(Consortium::add_member(signed(11), 12));
		});
	}
}

mod validator_set {
	use super::*;

	#[test]
	fn is_the_active_institutions_validators_with_keys() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(Consortium::next_validators(), Some(vec![101, 102, 103, 104]));
			assert_ok!(Consortium::admit_institution(root(), Box::new(admission(5, "x", 5))));
			// Without session keys the new validator is not handed over yet.
			assert_eq!(Consortium::next_validators(), Some(vec![101, 102, 103, 104]));
			give_keys(105);
			assert_eq!(Consortium::next_validators(), Some(vec![101, 102, 103, 104, 105]));
			assert_ok!(Consortium::suspend_institution(root(), 0));
			assert_eq!(Consortium::next_validators(), Some(vec![102, 103, 104, 105]));
		});
	}

	#[test]
	fn keeps_the_current_set_below_the_minimum() {
		ExtBuilder::default().min_validators(4).build_and_execute(|| {
			KEYS.with(|k| k.borrow_mut().remove(&104));
			assert_eq!(Consortium::next_validators(), None);
		});
	}
}

mod extension {
	use super::*;

	fn remark() -> RuntimeCall {
		RuntimeCall::System(frame_system::Call::remark { remark: vec![1; 8] })
	}

	fn validate(who: AccountId) -> Result<(), TransactionValidityError> {
		let call = remark();
		CheckMembership::<Test>::new()
			.validate_only(
				signed(who),
				&call,
				&call.get_dispatch_info(),
				0,
				TransactionSource::External,
				0,
			)
			.map(|_| ())
	}

	#[test]
	fn members_of_active_institutions_pass() {
		ExtBuilder::default().build_and_execute(|| {
			for who in [1, 101, 11, 4] {
				assert_eq!(validate(who), Ok(()));
			}
		});
	}

	#[test]
	fn strangers_suspended_and_removed_are_refused_with_distinct_codes() {
		ExtBuilder::default().min_validators(2).build_and_execute(|| {
			assert_eq!(validate(99), Err(InvalidTransaction::Custom(1).into()));
			assert_ok!(Consortium::suspend_institution(root(), 3));
			assert_eq!(validate(4), Err(InvalidTransaction::Custom(2).into()));
			assert_ok!(Consortium::remove_institution(root(), 2, 2));
			// A removed institution's accounts are no members any more.
			assert_eq!(validate(3), Err(InvalidTransaction::Custom(1).into()));
		});
	}

	#[test]
	fn unsigned_transactions_are_left_to_their_pallets() {
		ExtBuilder::default().build_and_execute(|| {
			let call = remark();
			let info = call.get_dispatch_info();
			let (_, val, _) = CheckMembership::<Test>::new()
				.validate(
					RuntimeOrigin::none(),
					&call,
					&info,
					0,
					(),
					&TxBaseImplication(&call),
					TransactionSource::External,
				)
				.expect("unsigned passes");
			assert_eq!(val, None);
		});
	}

	#[test]
	fn an_institution_gets_its_fair_share_of_a_block() {
		ExtBuilder::default().build_and_execute(|| {
			let share = Consortium::fair_share();
			let heavy = DispatchInfo {
				call_weight: Weight::from_parts(share.ref_time() * 2 / 3, 0),
				..Default::default()
			};
			let apply = |who: AccountId| {
				CheckMembership::<Test>::new()
					.validate_and_prepare(signed(who), &remark(), &heavy, 0, 0)
					.map(|_| ())
			};
			// The first transaction of a block always fits, the second would pass the share.
			assert_ok!(apply(1));
			assert_eq!(apply(11), Err(InvalidTransaction::ExhaustsResources.into()));
			// Another institution has its own share.
			assert_ok!(apply(2));
			// Next block, a fresh share.
			System::set_block_number(2);
			assert_ok!(apply(11));
		});
	}

	#[test]
	fn what_a_call_does_not_spend_goes_back_to_its_share() {
		ExtBuilder::default().build_and_execute(|| {
			let share = Consortium::fair_share();
			let heavy = DispatchInfo {
				call_weight: Weight::from_parts(share.ref_time() * 2 / 3, 0),
				..Default::default()
			};
			let spent = |actual: Option<Weight>| {
				CheckMembership::<Test>::new()
					.test_run(signed(1), &remark(), &heavy, 0, 0, |_| {
						Ok(PostDispatchInfo { actual_weight: actual, ..Default::default() })
					})
					.map(|_| ())
			};
			// Charged two thirds, spent a tenth: the rest is given back, so the next fits.
			assert_ok!(spent(Some(Weight::from_parts(share.ref_time() / 10, 0))));
			let used = BlockUsage::<Test>::get(0).expect("used").1;
			assert!(used.ref_time() < share.ref_time() / 3, "{used:?}");
			assert_ok!(spent(None));
			// That one spent all it was charged: nothing more fits.
			assert_eq!(spent(None), Err(InvalidTransaction::ExhaustsResources.into()));
		});
	}

	#[test]
	fn the_share_shrinks_as_institutions_join() {
		ExtBuilder::default().build_and_execute(|| {
			let four = Consortium::fair_share();
			assert_ok!(Consortium::admit_institution(root(), Box::new(admission(5, "x", 5))));
			let five = Consortium::fair_share();
			let weights: frame_system::limits::BlockWeights =
				<Test as frame_system::Config>::BlockWeights::get();
			let normal = weights.get(DispatchClass::Normal).max_total.expect("bounded");
			assert!(five.ref_time() < four.ref_time());
			assert_eq!(four.ref_time(), normal.ref_time() / 4);
			assert_eq!(five.ref_time(), normal.ref_time() / 5);
		});
	}
}

#[test]
fn try_state_catches_a_broken_member_index() {
	ExtBuilder::default().build().execute_with(|| {
		MemberOf::<Test>::insert(77, 0);
		assert!(Consortium::do_try_state().is_err());
	});
}

mod ensure_member {
	use super::*;
	use frame_support::traits::EnsureOrigin;

	#[test]
	fn gives_the_institution_of_an_active_member_only() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(EnsureMember::<Test>::try_origin(signed(11)).ok(), Some(0));
			assert_eq!(EnsureMember::<Test>::try_origin(signed(2)).ok(), Some(1));
			assert!(EnsureMember::<Test>::try_origin(signed(99)).is_err());
			assert!(EnsureMember::<Test>::try_origin(root()).is_err());
			assert_ok!(Consortium::suspend_institution(root(), 0));
			assert!(EnsureMember::<Test>::try_origin(signed(11)).is_err());
		});
	}
}

mod enact_as_root {
	use super::*;

	fn enact(
		origin: RuntimeOrigin,
		call: RuntimeCall,
	) -> frame_support::dispatch::DispatchResultWithPostInfo {
		Consortium::enact_as_root(origin, Box::new(call))
	}

	fn set_min(min: u32) -> RuntimeCall {
		RuntimeCall::Consortium(crate::Call::set_min_validators { min })
	}

	#[test]
	fn a_supermajority_dispatches_a_call_as_root() {
		ExtBuilder::default().build_and_execute(|| {
			// Governance is Root in the mock: only Root may set the minimum.
			assert_noop!(
				Consortium::set_min_validators(signed(Supermajority::get()), 2),
				DispatchError::BadOrigin
			);
			let post = enact(signed(Supermajority::get()), set_min(2)).expect("enacted");
			assert_eq!(MinValidators::<Test>::get(), 2);
			assert_eq!(
				last_event(),
				RuntimeEvent::Consortium(Event::EnactedAsRoot { result: Ok(()) })
			);
			// Charged its overhead and what the call spent, never more than declared.
			let declared = crate::Call::<Test>::enact_as_root { call: Box::new(set_min(2)) }
				.get_dispatch_info()
				.call_weight;
			let inner = set_min(2).get_dispatch_info().call_weight;
			assert_eq!(declared, <() as crate::WeightInfo>::enact_as_root().saturating_add(inner));
			assert_eq!(post.actual_weight, Some(declared));
		});
	}

	#[test]
	fn nobody_else_reaches_root() {
		ExtBuilder::default().build_and_execute(|| {
			for origin in [signed(1), signed(11), RuntimeOrigin::none(), root()] {
				assert_noop!(enact(origin, set_min(2)), DispatchError::BadOrigin);
			}
			assert_eq!(MinValidators::<Test>::get(), 3);
		});
	}

	#[test]
	fn the_call_failing_is_reported_and_changes_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(enact(signed(Supermajority::get()), set_min(0)));
			assert_eq!(MinValidators::<Test>::get(), 3);
			assert_eq!(
				last_event(),
				RuntimeEvent::Consortium(Event::EnactedAsRoot {
					result: Err(Error::<Test>::InvalidMinimum.into())
				})
			);
		});
	}
}

mod migrations {
	use super::*;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	#[test]
	fn v1_moves_each_institution_s_key_to_its_version_1_once() {
		use codec::Encode;
		ExtBuilder::default().build_and_execute(|| {
			// Institutions 0 and 1 as version 0 stored them, 0 with a key, 1 without.
			for (id, key) in [(0u32, Some([6u8; 32])), (1, None)] {
				let now = Institutions::<Test>::get(id).expect("exists");
				let old = crate::InstitutionView {
					name: now.name,
					credit_code: now.credit_code,
					region: now.region,
					kind: now.kind,
					admin: now.admin,
					validator: now.validator,
					peer_id: now.peer_id,
					encryption_key: key,
					status: now.status,
					joined: now.joined,
					member_count: now.member_count,
				};
				frame_support::storage::unhashed::put_raw(
					&Institutions::<Test>::hashed_key_for(id),
					&old.encode(),
				);
			}
			StorageVersion::new(0).put::<Consortium>();
			System::reset_events();

			crate::migrations::v1::MigrateToV1::<Test>::on_runtime_upgrade();
			assert_eq!(Consortium::on_chain_storage_version(), StorageVersion::new(1));
			let (version, key) = Consortium::encryption_key(0).expect("moved");
			assert_eq!((version, key.public.to_vec()), (1, vec![6; 32]));
			assert_eq!(Consortium::encryption_key(1), None);
			assert_eq!(Institutions::<Test>::get(1).expect("kept").member_count, 2);
			assert_eq!(
				last_event(),
				RuntimeEvent::Consortium(Event::StorageMigrated { version: 1, items: 4 })
			);
			// At version 1 already: nothing runs again.
			crate::migrations::v1::MigrateToV1::<Test>::on_runtime_upgrade();
			assert_eq!(System::events().len(), 1);
		});
	}

	#[test]
	fn v2_recounts_the_active_institutions_once() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Consortium::suspend_institution(root(), 3));
			StorageVersion::new(1).put::<Consortium>();
			ActiveCount::<Test>::put(9);
			System::reset_events();

			crate::migrations::v2::MigrateToV2::<Test>::on_runtime_upgrade();
			assert_eq!(ActiveCount::<Test>::get(), 3);
			assert_eq!(Consortium::on_chain_storage_version(), StorageVersion::new(2));
			assert_eq!(
				last_event(),
				RuntimeEvent::Consortium(Event::StorageMigrated { version: 2, items: 4 })
			);

			// At version 2 already: nothing runs again.
			ActiveCount::<Test>::put(9);
			crate::migrations::v2::MigrateToV2::<Test>::on_runtime_upgrade();
			assert_eq!(ActiveCount::<Test>::get(), 9);
			assert_eq!(System::events().len(), 1);
			ActiveCount::<Test>::put(3);
		});
	}
}

mod peers {
	use super::*;
	use crate::{mock::peer, ExtraPeerIds, MAX_EXTRA_PEER_IDS};

	#[test]
	fn an_institution_registers_other_nodes_within_bounds_and_they_are_authorized() {
		ExtBuilder::default().build_and_execute(|| {
			let primaries = Consortium::authorized_peer_ids();
			assert_eq!(primaries.len(), 4, "the four genesis institutions' nodes");
			assert_ok!(Consortium::add_peer_id(signed(1), peer(80)));
			assert_eq!(last_event(), Event::PeerIdAdded { institution: 0 }.into());
			assert!(Consortium::authorized_peer_ids().contains(&peer(80).into_inner()));
			// Checked before stored: malformed, taken (its own or another's), beyond the bound,
			// by its admin only.
			let malformed: BoundedVec<u8, _> = vec![1u8; 38].try_into().expect("short");
			assert_noop!(
				Consortium::add_peer_id(signed(1), malformed),
				Error::<Test>::InvalidPeerId
			);
			assert_noop!(Consortium::add_peer_id(signed(2), peer(80)), Error::<Test>::PeerIdTaken);
			let primary = Institutions::<Test>::get(0).expect("exists").peer_id;
			assert_noop!(Consortium::add_peer_id(signed(1), primary), Error::<Test>::PeerIdTaken);
			assert_noop!(
				Consortium::add_peer_id(signed(101), peer(81)),
				Error::<Test>::NotAuthorized
			);
			for n in 1..MAX_EXTRA_PEER_IDS as u8 {
				assert_ok!(Consortium::add_peer_id(signed(1), peer(80 + n)));
			}
			assert_noop!(
				Consortium::add_peer_id(signed(1), peer(90)),
				Error::<Test>::TooManyPeerIds
			);
			// Withdrawn, and unknown ones refused.
			assert_ok!(Consortium::remove_peer_id(signed(1), peer(80)));
			assert_eq!(last_event(), Event::PeerIdRemoved { institution: 0 }.into());
			assert!(!Consortium::authorized_peer_ids().contains(&peer(80).into_inner()));
			assert_noop!(
				Consortium::remove_peer_id(signed(1), peer(80)),
				Error::<Test>::UnknownPeerId
			);
			assert_noop!(
				Consortium::remove_peer_id(signed(2), peer(81)),
				Error::<Test>::UnknownPeerId
			);
			assert_eq!(ExtraPeerIds::<Test>::get(0).len() as u32, MAX_EXTRA_PEER_IDS - 1);
			// An admission naming a node already registered is refused.
			let mut a = admission(5, "x", 5);
			a.peer_id = peer(81);
			assert_noop!(
				Consortium::admit_institution(root(), Box::new(a)),
				Error::<Test>::PeerIdTaken
			);
			// A removed institution's other nodes go with it.
			assert_ok!(Consortium::set_min_validators(root(), 1));
			assert_ok!(Consortium::remove_institution(root(), 0, 10));
			assert!(ExtraPeerIds::<Test>::get(0).is_empty());
			assert!(!Consortium::authorized_peer_ids().contains(&peer(81).into_inner()));
		});
	}
}
