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
		let (id, certificate) = Certificates::certificate_of(1, record(1)).expect("certified");
		assert_eq!(id, 0);
		assert_eq!(certificate.issuer, 1);
		assert_eq!(certificate.version, 1);
		assert_eq!(certificate.issued, 1);
		assert_eq!(Certificates::verify(1, record(1), None).0, Verdict::Valid);
		assert_eq!(Certificates::verify(1, record(2), None).0, Verdict::Unknown);
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
			let (verdict, found) = Certificates::verify(1, *leaf, Some(proof));
			assert_eq!(verdict, Verdict::Valid);
			assert_eq!(found.map(|(id, _)| id), Some(0));
		}
		// A tampered record, a proof for another leaf count, no proof: not this certificate.
		let proof = tree.proof(0).expect("in range");
		assert_eq!(Certificates::verify(1, record(9), Some(proof.clone())).0, Verdict::Unknown);
		let mut other_count = proof.clone();
		other_count.leaf_count = 6;
		assert_eq!(Certificates::verify(1, leaves[0], Some(other_count)).0, Verdict::Unknown);
		assert_eq!(Certificates::verify(1, leaves[0], None).0, Verdict::Unknown);
		// The root alone is not a record.
		assert_eq!(Certificates::verify(1, tree.root(), None).0, Verdict::Unknown);
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
		assert_eq!(Certificates::verify(1, record(1), None).0, Verdict::Revoked);
		assert_eq!(
			CertificatesStorage::<Test>::get(0).expect("kept").status,
			CertificateStatus::Revoked { reason: RevocationReason::Erroneous, at: 7 }
		);
		assert_ok!(Certificates::supersede(signed(11), 1, 2));
		assert_eq!(last_event(), Event::Superseded { old: 1, new: 2 }.into());
		assert_eq!(Certificates::verify(1, record(2), None).0, Verdict::Superseded);
		assert_eq!(Certificates::verify(1, record(3), None).0, Verdict::Valid);
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

#[test]
fn a_commitment_is_certified_per_issuer_and_a_front_runner_gets_only_its_own() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		// Institution 2 copies institution 1's commitment from the pool and certifies it first.
		assert_ok!(Certificates::certify(
			signed(20),
			1,
			1,
			1,
			text("LAB"),
			HashAlgorithm::Sm3,
			record(1)
		));
		assert_ok!(certify(10, record(1)));
		assert_eq!(
			last_event(),
			Event::Certified {
				certificate: 1,
				issuer: 1,
				subject: Subject::Record { commitment: record(1) }
			}
			.into()
		);
		// Each look-up names the issuer it expects, and finds that issuer's certificate.
		let (id, certificate) = Certificates::certificate_of(1, record(1)).expect("certified");
		assert_eq!((id, certificate.issuer), (1, 1));
		assert_eq!(Certificates::certificate_of(2, record(1)).map(|(id, _)| id), Some(0));
		assert!(Certificates::certificate_of(3, record(1)).is_none());
		let (verdict, found) = Certificates::verify(1, record(1), None);
		assert_eq!((verdict, found.map(|(id, c)| (id, c.issuer))), (Verdict::Valid, Some((1, 1))));
		// The front-runner cannot revoke the issuer's certificate; revoking its own leaves the
		// issuer's valid.
		assert_noop!(
			Certificates::revoke(signed(20), 1, RevocationReason::Other),
			Error::<Test>::NotAuthorized
		);
		assert_ok!(Certificates::revoke(signed(20), 0, RevocationReason::Other));
		assert_eq!(Certificates::verify(1, record(1), None).0, Verdict::Valid);
		assert_eq!(Certificates::verify(2, record(1), None).0, Verdict::Revoked);
		// The same issuer still certifies a commitment once.
		assert_noop!(certify(11, record(1)), Error::<Test>::AlreadyExists);
	});
}

mod migration {
	use frame_support::{
		migrations::{SteppedMigration, SteppedMigrationError},
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		weights::{Weight, WeightMeter},
	};

	use super::*;
	use crate::{
		migrations::v1::{v0, MigrateToIssuerIndex, VersionToV1},
		CertificateOfIssuer, WeightInfo,
	};

	/// Puts every index entry back in version 0's layout, as a chain on spec 111 holds them.
	fn back_to_version_0() -> usize {
		let entries: Vec<_> = CertificateOfIssuer::<Test>::drain().collect();
		for (_, hash, id) in &entries {
			v0::CertificateOf::<Test>::insert(hash, id);
		}
		StorageVersion::new(0).put::<Certificates>();
		entries.len()
	}

	fn step_weight() -> Weight {
		<() as WeightInfo>::migration_step()
	}

	#[test]
	fn every_entry_moves_to_its_issuer_a_bounded_number_a_step() {
		ExtBuilder::default().build_and_execute(|| {
			setup();
			for n in 0..4 {
				assert_ok!(certify(10, record(n)));
			}
			assert_ok!(Certificates::certify(
				signed(20),
				1,
				1,
				1,
				text("LAB"),
				HashAlgorithm::Sm3,
				record(7)
			));
			assert_eq!(back_to_version_0(), 5);
			assert_eq!(Certificates::on_chain_storage_version(), 0);

			// The upgrade block sets the version; look-ups read version 0's index meanwhile.
			VersionToV1::<Test>::on_runtime_upgrade();
			assert_eq!(Certificates::on_chain_storage_version(), 1);
			assert_eq!(Certificates::certificate_of(1, record(3)).map(|(id, _)| id), Some(3));
			assert!(Certificates::certificate_of(2, record(3)).is_none(), "not 2's");
			assert_eq!(Certificates::verify(1, record(3), None).0, Verdict::Valid);
			Certificates::do_try_state().expect("invariants hold halfway");

			// Two entries' weight a step (and one more to find there is none left).
			let mut cursor = None;
			let mut steps = 0;
			loop {
				let mut meter = WeightMeter::with_limit(step_weight() * 2);
				cursor = MigrateToIssuerIndex::<Test>::step(cursor, &mut meter).expect("steps");
				assert!(meter.consumed().all_lte(step_weight() * 2));
				steps += 1;
				Certificates::do_try_state().expect("invariants hold after every step");
				if cursor.is_none() {
					break;
				}
			}
			assert_eq!(steps, 3, "2 + 2 + 1 entries, then the end found in the third step");
			assert!(v0::CertificateOf::<Test>::iter().next().is_none());
			assert_eq!(CertificateOfIssuer::<Test>::iter().count(), 5);
			assert_eq!(last_event(), Event::StorageMigrated { version: 1, certificates: 5 }.into());
			assert_eq!(Certificates::certificate_of(2, record(7)).map(|(id, _)| id), Some(4));
			assert_eq!(Certificates::certificate_of(1, record(3)).map(|(id, _)| id), Some(3));
			// Certifying goes on with the new index: 2 certifies 1's commitment as its own, 1
			// cannot certify its own twice.
			assert_ok!(Certificates::certify(
				signed(20),
				1,
				1,
				1,
				text("LAB"),
				HashAlgorithm::Sm3,
				record(0)
			));
			assert_noop!(certify(10, record(1)), Error::<Test>::AlreadyExists);
			assert_eq!(Certificates::certificate_of(1, record(0)).map(|(id, _)| id), Some(0));
		});
	}

	#[test]
	fn a_step_without_the_weight_of_one_entry_is_refused_and_a_stray_entry_is_dropped() {
		ExtBuilder::default().build_and_execute(|| {
			setup();
			assert_ok!(certify(10, record(1)));
			back_to_version_0();
			let mut meter = WeightMeter::with_limit(step_weight() / 2);
			assert_eq!(
				MigrateToIssuerIndex::<Test>::step(None, &mut meter),
				Err(SteppedMigrationError::InsufficientWeight { required: step_weight() })
			);
			// An entry naming no certificate goes; the count is of entries moved.
			v0::CertificateOf::<Test>::insert([9; 32], 77);
			let mut meter = WeightMeter::with_limit(step_weight() * 10);
			assert_eq!(MigrateToIssuerIndex::<Test>::step(None, &mut meter), Ok(None));
			assert_eq!(last_event(), Event::StorageMigrated { version: 1, certificates: 1 }.into());
			assert!(v0::CertificateOf::<Test>::iter().next().is_none());
		});
	}
}
