//! Unit tests: every call and every error, the server's check and the list queries.

use frame_support::{assert_noop, assert_ok, BoundedVec};
use pallet_certificates::{HashAlgorithm, RevocationReason};
use pallet_data_sources::{Operation, ResourceKind, SystemKind};
use sp_runtime::{DispatchError, DispatchResult};

use crate::{mock::*, Error, Event, *};

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

const DAY: u64 = 86_400;

/// Institution 1 (account 10) owns source 0 and resource 0; it certifies a batch of 100
/// records (certificate 0) and two single records (1 and 2). Institution 2 (account 20)
/// certifies a batch of its own (certificate 3). Institutions 2 and 3 publish keys.
fn setup() {
	for who in [10, 20] {
		assert_ok!(pallet_data_sources::Pallet::<Test>::register_source(
			signed(who),
			text("检验LIS"),
			SystemKind::Lis,
			vec![text("LAB")].try_into().expect("one")
		));
		let source = pallet_data_sources::NextSourceId::<Test>::get() - 1;
		assert_ok!(pallet_data_sources::Pallet::<Test>::register_resource(
			signed(who),
			source,
			text("lab_result"),
			Box::new(ResourceKind::Table {
				database: text("lis"),
				schema: text("lis"),
				table: text("lab_result"),
			}),
			text(""),
			vec![Operation::Collect].try_into().expect("one"),
			[1; 32],
			3
		));
	}
	let batch = |who: AccountId, source: u64, root: u8, leaves: u64| {
		assert_ok!(Certificates::certify_batch(
			signed(who),
			source,
			source,
			1,
			text("LAB"),
			HashAlgorithm::Sm3,
			[root; 32],
			leaves
		));
	};
	batch(10, 0, 1, 100);
	for n in [2u8, 3] {
		assert_ok!(Certificates::certify(
			signed(10),
			0,
			0,
			1,
			text("LAB"),
			HashAlgorithm::Sm3,
			[n; 32]
		));
	}
	batch(20, 1, 4, 10);
	publish_key(2, 1);
	publish_key(3, 2);
}

fn ranges(list: &[(u64, u64)]) -> BoundedVec<RecordRange, <Test as Config>::MaxRanges> {
	list.iter()
		.map(|&(first, last)| RecordRange { first, last })
		.collect::<Vec<_>>()
		.try_into()
		.expect("within the bound")
}

fn scope(certificates: &[u64], records: &[(u64, u64)]) -> Scope<Test> {
	Scope {
		certificates: certificates.to_vec().try_into().expect("within the bound"),
		records: ranges(records),
		subject: None,
	}
}

fn grant_as(
	who: AccountId,
	grantee: InstitutionId,
	scope: Scope<Test>,
	expires: u64,
) -> DispatchResult {
	Sharing::grant(
		signed(who),
		grantee,
		scope,
		Purpose::Referral,
		text("患者书面同意 2027-001"),
		expires,
		[7; 32],
	)
}

/// Institution 1 grants records 1–10 and 50 of its batch to institution 2, for 30 days.
fn grant_batch() -> GrantId {
	assert_ok!(grant_as(10, 2, scope(&[0], &[(1, 10), (50, 50)]), now() + 30 * DAY));
	NextGrantId::<Test>::get() - 1
}

mod grant {
	use super::*;

	#[test]
	fn records_the_grant_and_indexes_it_on_both_sides() {
		ExtBuilder::build_and_execute(|| {
			setup();
			let id = grant_batch();
			assert_eq!(
				last_event(),
				Event::Granted {
					grant: id,
					grantor: 1,
					grantee: 2,
					purpose: Purpose::Referral,
					records: 11
				}
				.into()
			);
			let grant = Grants::<Test>::get(id).expect("stored");
			assert_eq!((grant.grantor, grant.grantee, grant.grantee_key), (1, 2, 1));
			assert_eq!((grant.record_count, grant.status), (11, GrantStatus::Active));
			assert_eq!(grant.legal_basis.as_str(), "患者书面同意 2027-001");
			assert_eq!(Sharing::grants_of(1, Side::Granted, 0, 10).len(), 1);
			assert_eq!(Sharing::grants_of(2, Side::Received, 0, 10)[0].0, id);
			assert!(Sharing::grants_of(2, Side::Granted, 0, 10).is_empty());
			assert!(Sharing::grants_of(2, Side::Received, id + 1, 10).is_empty());
			// Single records' certificates count one position each; a subject's tag is kept.
			let mut two = scope(&[1, 2], &[(2, 2)]);
			two.subject = Some([9; 32]);
			assert_ok!(grant_as(10, 3, two, now() + DAY));
			let grant = Grants::<Test>::get(id + 1).expect("stored");
			assert_eq!(
				(grant.record_count, grant.grantee_key, grant.scope.subject),
				(1, 2, Some([9; 32]))
			);
		});
	}

	#[test]
	fn refuses_a_bad_grantee_expiry_or_legal_basis() {
		ExtBuilder::build_and_execute(|| {
			setup();
			let later = now() + DAY;
			let all = || scope(&[0], &[(1, 100)]);
			assert_noop!(grant_as(10, 1, all(), later), Error::<Test>::InvalidGrantee);
			assert_noop!(grant_as(10, 4, all(), later), Error::<Test>::InvalidGrantee);
			publish_key(3, 1);
			assert_ok!(grant_as(10, 3, all(), later));
			assert_noop!(grant_as(20, 1, scope(&[3], &[(1, 1)]), later), Error::<Test>::NoKey);
			assert_noop!(grant_as(10, 2, all(), now()), Error::<Test>::InvalidExpiry);
			assert_noop!(grant_as(10, 2, all(), now() + 366 * DAY), Error::<Test>::InvalidExpiry);
			assert_noop!(
				Sharing::grant(signed(10), 2, all(), Purpose::Research, text(""), later, [7; 32]),
				Error::<Test>::InvalidLegalBasis
			);
			// Not a member of any institution.
			assert_noop!(
				Sharing::grant(signed(99), 2, all(), Purpose::Research, text("x"), later, [7; 32]),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn refuses_a_malformed_or_foreign_scope() {
		ExtBuilder::build_and_execute(|| {
			setup();
			let later = now() + DAY;
			for (certificates, records) in [
				(&[][..], &[(1, 1)][..]),
				(&[0, 0][..], &[(1, 1)][..]),
				(&[0][..], &[][..]),
				(&[0][..], &[(0, 3)][..]),
				(&[0][..], &[(5, 4)][..]),
				(&[0][..], &[(1, 101)][..]),
				(&[0][..], &[(5, 9), (9, 12)][..]),
				(&[0][..], &[(20, 30), (1, 2)][..]),
				(&[1, 2][..], &[(1, 3)][..]),
			] {
				assert_noop!(
					grant_as(10, 2, scope(certificates, records), later),
					Error::<Test>::InvalidScope
				);
			}
			assert_noop!(grant_as(10, 2, scope(&[42], &[(1, 1)]), later), Error::<Test>::NotFound);
			assert_noop!(
				grant_as(10, 2, scope(&[3], &[(1, 1)]), later),
				Error::<Test>::NotAuthorized
			);
			assert_ok!(Certificates::revoke(signed(10), 1, RevocationReason::Erroneous));
			assert_noop!(grant_as(10, 2, scope(&[1], &[(1, 1)]), later), Error::<Test>::NotValid);
		});
	}
}

mod revoke {
	use super::*;

	#[test]
	fn its_grantor_revokes_a_grant_once() {
		ExtBuilder::build_and_execute(|| {
			setup();
			let id = grant_batch();
			assert_noop!(Sharing::revoke_grant(signed(20), id), Error::<Test>::NotAuthorized);
			assert_noop!(Sharing::revoke_grant(signed(10), id + 1), Error::<Test>::NotFound);
			assert_ok!(Sharing::revoke_grant(signed(11), id));
			assert_eq!(last_event(), Event::GrantRevoked { grant: id }.into());
			assert_eq!(
				Grants::<Test>::get(id).expect("kept").status,
				GrantStatus::Revoked { at: 1 }
			);
			assert_noop!(Sharing::revoke_grant(signed(10), id), Error::<Test>::Revoked);
		});
	}
}

mod receipts_and_attestations {
	use super::*;

	#[test]
	fn the_grantee_records_receipts_within_bounds() {
		ExtBuilder::build_and_execute(|| {
			setup();
			let id = grant_batch();
			assert_ok!(Sharing::record_receipt(signed(21), id, 11, [5; 32]));
			assert_eq!(
				last_event(),
				Event::ReceiptRecorded { grant: id, records: 11, ciphertext: [5; 32] }.into()
			);
			assert_eq!(Sharing::receipts_of(id).len(), 1);
			assert_eq!(Sharing::receipts_of(id)[0].records, 11);
			for who in [10, 30] {
				assert_noop!(
					Sharing::record_receipt(signed(who), id, 1, [5; 32]),
					Error::<Test>::NotAuthorized
				);
			}
			assert_noop!(
				Sharing::record_receipt(signed(20), id + 9, 1, [5; 32]),
				Error::<Test>::NotFound
			);
			for records in [0, 12] {
				assert_noop!(
					Sharing::record_receipt(signed(20), id, records, [5; 32]),
					Error::<Test>::InvalidReceipt
				);
			}
			assert_ok!(Sharing::record_receipt(signed(20), id, 1, [6; 32]));
			assert_ok!(Sharing::record_receipt(signed(20), id, 1, [6; 32]));
			assert_noop!(
				Sharing::record_receipt(signed(20), id, 1, [6; 32]),
				Error::<Test>::TooMany
			);
		});
	}

	#[test]
	fn an_erasure_asks_the_grantees_and_their_attestations_answer_it() {
		ExtBuilder::build_and_execute(|| {
			setup();
			let id = grant_batch();
			let other = {
				assert_ok!(grant_as(10, 3, scope(&[0], &[(60, 70)]), now() + DAY));
				id + 1
			};
			let grants = |list: &[GrantId]| -> BoundedVec<GrantId, _> {
				list.to_vec().try_into().expect("within the bound")
			};
			// Records 5–8 erased: only the first grant holds them.
			assert_noop!(
				Sharing::record_erasure(signed(10), scope(&[0], &[(5, 8)]), grants(&[id, other])),
				Error::<Test>::GrantNotAffected
			);
			assert_noop!(
				Sharing::record_erasure(signed(10), scope(&[0], &[(5, 8)]), grants(&[id, id])),
				Error::<Test>::InvalidScope
			);
			assert_noop!(
				Sharing::record_erasure(signed(10), scope(&[0], &[(5, 8)]), grants(&[9])),
				Error::<Test>::NotFound
			);
			assert_noop!(
				Sharing::record_erasure(signed(20), scope(&[3], &[(1, 1)]), grants(&[id])),
				Error::<Test>::NotAuthorized
			);
			assert_noop!(
				Sharing::record_erasure(signed(20), scope(&[0], &[(5, 8)]), grants(&[])),
				Error::<Test>::NotAuthorized
			);
			// A revoked certificate's records may still be erased.
			assert_ok!(Certificates::revoke(signed(10), 0, RevocationReason::ConsentWithdrawn));
			assert_ok!(Sharing::record_erasure(signed(10), scope(&[0], &[(5, 8)]), grants(&[id])));
			assert_eq!(
				last_event(),
				Event::Erased { erasure: 0, institution: 1, records: 4, grants: grants(&[id]) }
					.into()
			);
			assert_eq!(Sharing::pending_of(id), vec![0]);
			assert_eq!(Grants::<Test>::get(id).expect("kept").pending, 1);

			// The grantee answers it; then attests the whole grant deleted.
			assert_noop!(
				Sharing::attest_deletion(signed(30), id, Some(0)),
				Error::<Test>::NotAuthorized
			);
			assert_noop!(
				Sharing::attest_deletion(signed(20), id, Some(1)),
				Error::<Test>::NotPending
			);
			assert_noop!(Sharing::attest_deletion(signed(20), 9, None), Error::<Test>::NotFound);
			assert_ok!(Sharing::attest_deletion(signed(20), id, Some(0)));
			assert_eq!(
				last_event(),
				Event::DeletionAttested { grant: id, erasure: Some(0) }.into()
			);
			assert!(Sharing::pending_of(id).is_empty());
			assert_noop!(
				Sharing::attest_deletion(signed(20), id, Some(0)),
				Error::<Test>::NotPending
			);
			assert_ok!(Sharing::record_erasure(signed(10), scope(&[0], &[(1, 1)]), grants(&[id])));
			assert_ok!(Sharing::attest_deletion(signed(20), id, None));
			assert!(Sharing::pending_of(id).is_empty());
			assert_eq!(Sharing::attestations_of(id).len(), 2);
			assert_ok!(Sharing::attest_deletion(signed(20), id, None));
			assert_noop!(Sharing::attest_deletion(signed(20), id, None), Error::<Test>::TooMany);
		});
	}

	#[test]
	fn pending_deletions_are_bounded() {
		ExtBuilder::build_and_execute(|| {
			setup();
			let id = grant_batch();
			let erase = || {
				Sharing::record_erasure(
					signed(10),
					scope(&[0], &[(1, 1)]),
					vec![id].try_into().expect("one"),
				)
			};
			for _ in 0..3 {
				assert_ok!(erase());
			}
			assert_noop!(erase(), Error::<Test>::TooMany);
			assert_ok!(Sharing::attest_deletion(signed(20), id, None));
			assert_eq!(Grants::<Test>::get(id).expect("kept").pending, 0);
			assert_ok!(erase());
		});
	}
}

mod check {
	use super::*;

	#[test]
	fn serves_the_grantee_within_the_grant_while_active() {
		ExtBuilder::build_and_execute(|| {
			setup();
			let id = grant_batch();
			let within = [RecordRange { first: 2, last: 5 }, RecordRange { first: 50, last: 50 }];
			assert_eq!(Sharing::check(id, 2, &within), Ok(()));
			assert_eq!(Sharing::check(id + 1, 2, &within), Err(Refusal::NotFound));
			assert_eq!(Sharing::check(id, 3, &within), Err(Refusal::NotGrantee));
			for outside in [
				&[RecordRange { first: 9, last: 11 }][..],
				&[RecordRange { first: 51, last: 51 }][..],
				&[][..],
				&[RecordRange { first: 3, last: 2 }][..],
			] {
				assert_eq!(Sharing::check(id, 2, outside), Err(Refusal::OutsideGrant));
			}
			set_now(now() + 30 * DAY);
			assert_eq!(Sharing::check(id, 2, &within), Err(Refusal::Expired));
			assert_ok!(Sharing::revoke_grant(signed(10), id));
			assert_eq!(Sharing::check(id, 2, &within), Err(Refusal::Revoked));
		});
	}
}

mod endpoint {
	use super::*;

	#[test]
	fn an_admin_publishes_and_withdraws_its_endpoint() {
		ExtBuilder::build_and_execute(|| {
			let url = |text: &str| -> BoundedVec<u8, _> {
				text.as_bytes().to_vec().try_into().expect("short")
			};
			assert_ok!(Sharing::set_endpoint(signed(10), Some(url("http://10.0.0.1:7443"))));
			assert_eq!(last_event(), Event::EndpointSet { institution: 1 }.into());
			assert_eq!(
				Endpoints::<Test>::get(1).expect("set").to_vec(),
				b"http://10.0.0.1:7443".to_vec()
			);
			for bad in ["ftp://x", "http://", "http:///x", "https://a b", "10.0.0.1:7443"] {
				assert_noop!(
					Sharing::set_endpoint(signed(10), Some(url(bad))),
					Error::<Test>::InvalidEndpoint
				);
			}
			assert_noop!(Sharing::set_endpoint(signed(11), None), DispatchError::BadOrigin);
			assert_ok!(Sharing::set_endpoint(signed(10), None));
			assert_eq!(Endpoints::<Test>::get(1), None);
		});
	}
}

#[test]
fn purposes_and_refusals_have_wire_names() {
	use medtrust_primitives::wire::WireName;
	assert_eq!(Purpose::PublicHealthReporting.wire_name(), "public-health-reporting");
	assert_eq!(Purpose::from_wire_name("quality-control"), Some(Purpose::QualityControl));
	assert_eq!(Refusal::OutsideGrant.wire_name(), "outside-grant");
}
