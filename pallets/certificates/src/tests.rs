//! Unit tests: every call and every error, look-ups and verification.

use frame_support::{assert_noop, assert_ok};
use medtrust_primitives::{commitment::commit, merkle::MerkleTree};
use pallet_data_sources::{Operation, ResourceKind, SourceStatus, SystemKind};
use sp_runtime::DispatchError;

use crate::{mock::*, Error, Event};
use crate::{
	CertificateStatus, Certificates as CertificatesStorage, HashAlgorithm, NextCertificateId,
	RevocationReason, Subject, Verdict,
};

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

/// Institution 1 (account 10): source 0 (LIS, serving LAB and OUTPATIENT) with resource 0.
/// Institution 2 (account 20): source 1 with resource 1.
fn setup() {
	for (who, name) in [(10, "lab_result"), (20, "lab_order")] {
		assert_ok!(pallet_data_sources::Pallet::<Test>::register_source(
			signed(who),
			text("检验LIS"),
			SystemKind::Lis,
			vec![text("LAB"), text("OUTPATIENT")].try_into().expect("two")
		));
		let source = pallet_data_sources::NextSourceId::<Test>::get() - 1;
		assert_ok!(pallet_data_sources::Pallet::<Test>::register_resource(
			signed(who),
			source,
			text(name),
			Box::new(ResourceKind::Table {
				database: text("lis"),
				schema: text("lis"),
				table: text(name),
			}),
			text(""),
			vec![Operation::Collect].try_into().expect("one"),
			[1; 32],
			3
		));
	}
}

fn record(n: u8) -> [u8; 32] {
	commit(HashAlgorithm::Sm3, &[n; 32], format!("{{\"value\":{n}}}").as_bytes())
}

fn certify(who: AccountId, commitment: [u8; 32]) -> DispatchResult {
	Certificates::certify(signed(who), 0, 0, 1, text("LAB"), HashAlgorithm::Sm3, commitment)
}

use sp_runtime::DispatchResult;

#[test]
fn a_record_is_certified_and_verified() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		assert_ok!(certify(10, record(1)));
		assert_eq!(
			last_event(),
			Event::Certified {
				certificate: 0,
				issuer: 1,
				subject: Subject::Record { commitment: record(1) }
			}
			.into()
		);
		let (id, certificate) = Certificates::certificate_of(record(1)).expect("certified");
		assert_eq!(id, 0);
		assert_eq!(certificate.issuer, 1);
		assert_eq!(certificate.version, 1);
		assert_eq!(certificate.issued, 1);
		assert_eq!(Certificates::verify(record(1), None).0, Verdict::Valid);
		assert_eq!(Certificates::verify(record(2), None).0, Verdict::Unknown);
	});
}

#[test]
fn a_batch_is_one_certificate_and_each_record_verifies_with_its_path() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		let leaves: Vec<[u8; 32]> = (0..5).map(record).collect();
		let tree = MerkleTree::new(HashAlgorithm::Sm3, &leaves).expect("non-empty");
		assert_ok!(Certificates::certify_batch(
			signed(11),
			0,
			0,
			1,
			text("OUTPATIENT"),
			HashAlgorithm::Sm3,
			tree.root(),
			5
		));
		assert_eq!(NextCertificateId::<Test>::get(), 1);
		for (i, leaf) in leaves.iter().enumerate() {
			let proof = tree.proof(i as u64).expect("in range");
			let (verdict, found) = Certificates::verify(*leaf, Some(proof));
			assert_eq!(verdict, Verdict::Valid);
			assert_eq!(found.map(|(id, _)| id), Some(0));
		}
		// A tampered record, a proof for another leaf count, no proof: not this certificate.
		let proof = tree.proof(0).expect("in range");
		assert_eq!(Certificates::verify(record(9), Some(proof.clone())).0, Verdict::Unknown);
		let mut other_count = proof.clone();
		other_count.leaf_count = 6;
		assert_eq!(Certificates::verify(leaves[0], Some(other_count)).0, Verdict::Unknown);
		assert_eq!(Certificates::verify(leaves[0], None).0, Verdict::Unknown);
		// The root alone is not a record.
		assert_eq!(Certificates::verify(tree.root(), None).0, Verdict::Unknown);
	});
}

#[test]
fn revoked_and_superseded_stay_readable() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		assert_ok!(certify(10, record(1)));
		assert_ok!(certify(10, record(2)));
		assert_ok!(certify(10, record(3)));
		System::set_block_number(7);
		assert_ok!(Certificates::revoke(signed(10), 0, RevocationReason::Erroneous));
		assert_eq!(
			last_event(),
			Event::Revoked { certificate: 0, reason: RevocationReason::Erroneous }.into()
		);
		assert_eq!(Certificates::verify(record(1), None).0, Verdict::Revoked);
		assert_eq!(
			CertificatesStorage::<Test>::get(0).expect("kept").status,
			CertificateStatus::Revoked { reason: RevocationReason::Erroneous, at: 7 }
		);
		assert_ok!(Certificates::supersede(signed(11), 1, 2));
		assert_eq!(last_event(), Event::Superseded { old: 1, new: 2 }.into());
		assert_eq!(Certificates::verify(record(2), None).0, Verdict::Superseded);
		assert_eq!(Certificates::verify(record(3), None).0, Verdict::Valid);
	});
}

#[test]
fn bad_certifications_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		let c = record(1);
		let call = |who, source, resource, version, domain: &str| {
			Certificates::certify(
				signed(who),
				source,
				resource,
				version,
				text(domain),
				HashAlgorithm::Sha256,
				c,
			)
		};
		assert_noop!(call(99, 0, 0, 1, "LAB"), DispatchError::BadOrigin);
		assert_noop!(call(20, 0, 0, 1, "LAB"), Error::<Test>::NotAuthorized);
		assert_noop!(call(10, 9, 0, 1, "LAB"), Error::<Test>::NotFound);
		assert_noop!(call(10, 0, 9, 1, "LAB"), Error::<Test>::NotFound);
		assert_noop!(call(10, 0, 1, 1, "LAB"), Error::<Test>::WrongSource);
		assert_noop!(call(10, 0, 0, 2, "LAB"), Error::<Test>::NotFound);
		assert_noop!(call(10, 0, 0, 1, "NOPE"), Error::<Test>::NotFound);
		assert_noop!(call(10, 0, 0, 1, "RESEARCH"), Error::<Test>::OutOfScope);
		assert_ok!(pallet_data_sources::Pallet::<Test>::add_domain(
			RuntimeOrigin::root(),
			text("IMAGING"),
			Box::new(pallet_data_sources::DomainInfo {
				name: text("影像"),
				description: text(""),
				shared_data: Default::default(),
			}),
			true
		));
		assert_noop!(call(10, 0, 0, 1, "IMAGING"), Error::<Test>::DomainNotServed);
		assert_ok!(call(10, 0, 0, 1, "LAB"));
		assert_noop!(call(10, 0, 0, 1, "LAB"), Error::<Test>::AlreadyExists);
		assert_ok!(pallet_data_sources::Pallet::<Test>::set_source_status(
			signed(10),
			0,
			SourceStatus::Retired
		));
		assert_noop!(certify(10, record(5)), Error::<Test>::SourceRetired);
		// A domain put out of scope refuses new certificates.
		assert_ok!(pallet_data_sources::Pallet::<Test>::set_scope(
			RuntimeOrigin::root(),
			text("LAB"),
			false
		));
		assert_noop!(
			Certificates::certify(signed(20), 1, 1, 1, text("LAB"), HashAlgorithm::Sm3, record(6)),
			Error::<Test>::OutOfScope
		);
	});
}

#[test]
fn batch_sizes_are_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		let batch = |n| {
			Certificates::certify_batch(
				signed(10),
				0,
				0,
				1,
				text("LAB"),
				HashAlgorithm::Sha256,
				[3; 32],
				n,
			)
		};
		assert_noop!(batch(0), Error::<Test>::BadLeafCount);
		assert_noop!(batch((1 << 20) + 1), Error::<Test>::BadLeafCount);
		assert_noop!(
			Certificates::certify_batch(
				signed(99),
				0,
				0,
				1,
				text("LAB"),
				HashAlgorithm::Sha256,
				[3; 32],
				1
			),
			DispatchError::BadOrigin
		);
		assert_ok!(batch(1 << 20));
	});
}

#[test]
fn only_the_issuer_revokes_or_supersedes_valid_certificates() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		assert_ok!(certify(10, record(1)));
		assert_ok!(certify(10, record(2)));
		assert_ok!(Certificates::certify(
			signed(20),
			1,
			1,
			1,
			text("LAB"),
			HashAlgorithm::Sm3,
			record(3)
		));
		assert_noop!(
			Certificates::revoke(signed(99), 0, RevocationReason::Other),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Certificates::revoke(signed(20), 0, RevocationReason::Other),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			Certificates::revoke(signed(10), 9, RevocationReason::Other),
			Error::<Test>::NotFound
		);
		assert_noop!(Certificates::supersede(signed(10), 0, 0), Error::<Test>::SelfSupersede);
		assert_noop!(Certificates::supersede(signed(10), 0, 2), Error::<Test>::NotAuthorized);
		assert_noop!(Certificates::supersede(signed(10), 0, 9), Error::<Test>::NotFound);
		assert_noop!(Certificates::supersede(signed(99), 0, 1), DispatchError::BadOrigin);
		assert_ok!(Certificates::revoke(signed(10), 1, RevocationReason::Withdrawn));
		assert_noop!(
			Certificates::revoke(signed(10), 1, RevocationReason::Other),
			Error::<Test>::NotValid
		);
		assert_noop!(Certificates::supersede(signed(10), 0, 1), Error::<Test>::NotValid);
		assert_noop!(Certificates::supersede(signed(10), 1, 0), Error::<Test>::NotValid);
	});
}
