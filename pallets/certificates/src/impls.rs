//! The pallet's logic, behind its thin calls, and its read queries.

use frame_support::{ensure, pallet_prelude::*};
use medtrust_primitives::merkle::{root_from_proof, MerkleProof};
use pallet_data_sources::{
	DomainCode, Domains, InstitutionId, ResourceId, Resources, SourceId, SourceStatus, Version,
	Versions,
};
use sp_runtime::{DispatchError, DispatchResult};

use crate::{pallet::*, types::*};

impl<T: Config> Pallet<T> {
	/// Issues a certificate; returns its id.
	pub(crate) fn do_certify(
		issuer: InstitutionId,
		source_id: SourceId,
		resource_id: ResourceId,
		version: Version,
		domain: DomainCode<T>,
		algorithm: HashAlgorithm,
		subject: Subject,
	) -> Result<CertificateId, DispatchError> {
		let source =
			pallet_data_sources::Sources::<T>::get(source_id).ok_or(Error::<T>::NotFound)?;
		ensure!(source.institution == issuer, Error::<T>::NotAuthorized);
		ensure!(source.status == SourceStatus::Active, Error::<T>::SourceRetired);
		let resource = Resources::<T>::get(resource_id).ok_or(Error::<T>::NotFound)?;
		ensure!(resource.source == source_id, Error::<T>::WrongSource);
		ensure!(Versions::<T>::contains_key(resource_id, version), Error::<T>::NotFound);
		let in_scope = Domains::<T>::get(&domain).ok_or(Error::<T>::NotFound)?.in_scope;
		ensure!(in_scope, Error::<T>::OutOfScope);
		ensure!(source.domains.contains(&domain), Error::<T>::DomainNotServed);
		let key = subject.key();
		// The version-0 index is empty here: no transaction runs while it is migrated.
		ensure!(!CertificateOfIssuer::<T>::contains_key(issuer, key), Error::<T>::AlreadyExists);

		let id = NextCertificateId::<T>::get();
		Certificates::<T>::insert(
			id,
			Certificate {
				issuer,
				source: source_id,
				resource: resource_id,
				version,
				domain,
				algorithm,
				subject,
				status: CertificateStatus::Valid,
				issued: frame_system::Pallet::<T>::block_number(),
			},
		);
		CertificateOfIssuer::<T>::insert(issuer, key, id);
		// One id per extrinsic: a u64 does not run out.
		NextCertificateId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::Certified { certificate: id, issuer, subject });
		Ok(id)
	}

	/// The certificate `id` if `issuer` issued it and it is valid.
	fn own_valid(
		issuer: InstitutionId,
		id: CertificateId,
	) -> Result<Certificate<T>, DispatchError> {
		let certificate = Certificates::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(certificate.issuer == issuer, Error::<T>::NotAuthorized);
		ensure!(certificate.status == CertificateStatus::Valid, Error::<T>::NotValid);
		Ok(certificate)
	}

	pub(crate) fn do_revoke(
		issuer: InstitutionId,
		id: CertificateId,
		reason: RevocationReason,
	) -> DispatchResult {
		let mut certificate = Self::own_valid(issuer, id)?;
		certificate.status =
			CertificateStatus::Revoked { reason, at: frame_system::Pallet::<T>::block_number() };
		Certificates::<T>::insert(id, certificate);
		Self::deposit_event(Event::Revoked { certificate: id, reason });
		Ok(())
	}

	pub(crate) fn do_supersede(
		issuer: InstitutionId,
		old: CertificateId,
		new: CertificateId,
	) -> DispatchResult {
		ensure!(old != new, Error::<T>::SelfSupersede);
		let mut certificate = Self::own_valid(issuer, old)?;
		Self::own_valid(issuer, new)?;
		certificate.status = CertificateStatus::Superseded {
			by: new,
			at: frame_system::Pallet::<T>::block_number(),
		};
		Certificates::<T>::insert(old, certificate);
		Self::deposit_event(Event::Superseded { old, new });
		Ok(())
	}

	/// The id of `issuer`'s certificate of a commitment or root. Until the migration to storage
	/// version 1 has finished (a multi-block migration, during which no transaction runs), an
	/// entry may still be in the version-0 index, keyed by hash alone.
	fn certificate_id_of(issuer: InstitutionId, hash: [u8; 32]) -> Option<CertificateId> {
		CertificateOfIssuer::<T>::get(issuer, hash).or_else(|| {
			let id = crate::migrations::v1::v0::CertificateOf::<T>::get(hash)?;
			Certificates::<T>::get(id).filter(|c| c.issuer == issuer).map(|_| id)
		})
	}

	/// `issuer`'s certificate of a commitment or root, with its id.
	pub fn certificate_of(
		issuer: InstitutionId,
		hash: [u8; 32],
	) -> Option<(CertificateId, Certificate<T>)> {
		let id = Self::certificate_id_of(issuer, hash)?;
		Certificates::<T>::get(id).map(|c| (id, c))
	}

	/// Verifies a record's commitment against the certificates of `issuer`, the institution
	/// the verifier expects (a certificate of the same commitment by another institution is not
	/// this record's): alone, against record certificates; with a Merkle proof, against the
	/// batch certificate whose root the proof leads to (under the certificate's own algorithm,
	/// with its leaf count).
	pub fn verify(
		issuer: InstitutionId,
		commitment: [u8; 32],
		proof: Option<MerkleProof>,
	) -> (Verdict, Option<(CertificateId, Certificate<T>)>) {
		let found = match proof {
			None => Self::certificate_of(issuer, commitment)
				.filter(|(_, c)| matches!(c.subject, Subject::Record { .. })),
			Some(proof) => HashAlgorithm::ALL.into_iter().find_map(|algorithm| {
				let root = root_from_proof(algorithm, &commitment, &proof)?;
				Self::certificate_of(issuer, root).filter(|(_, c)| {
					c.algorithm == algorithm
						&& matches!(c.subject, Subject::Batch { leaf_count, .. } if leaf_count == proof.leaf_count)
				})
			}),
		};
		let verdict = match found.as_ref().map(|(_, c)| &c.status) {
			None => Verdict::Unknown,
			Some(CertificateStatus::Valid) => Verdict::Valid,
			Some(CertificateStatus::Revoked { .. }) => Verdict::Revoked,
			Some(CertificateStatus::Superseded { .. }) => Verdict::Superseded,
		};
		(verdict, found)
	}

	/// The pallet's invariants: the look-up index (during the migration to version 1, the two
	/// indexes together) and the certificates match one to one, ids are below the next id,
	/// batches are within bounds, supersession points to a certificate of the same issuer.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut count = 0u64;
		for (id, certificate) in Certificates::<T>::iter() {
			count += 1;
			ensure!(id < NextCertificateId::<T>::get(), "certificate id beyond the next id");
			ensure!(
				Self::certificate_id_of(certificate.issuer, certificate.subject.key()) == Some(id),
				"look-up index out of date"
			);
			if let Subject::Batch { leaf_count, .. } = certificate.subject {
				ensure!(
					leaf_count >= 1 && leaf_count <= T::MaxLeaves::get(),
					"batch size out of bounds"
				);
			}
			if let CertificateStatus::Superseded { by, .. } = certificate.status {
				let other =
					Certificates::<T>::get(by).ok_or("superseded by a missing certificate")?;
				ensure!(other.issuer == certificate.issuer, "superseded by another issuer");
			}
			ensure!(
				Resources::<T>::get(certificate.resource).map(|r| r.source)
					== Some(certificate.source),
				"a certificate's resource is not of its source"
			);
		}
		let indexed = CertificateOfIssuer::<T>::iter().count()
			+ crate::migrations::v1::v0::CertificateOf::<T>::iter().count();
		ensure!(indexed as u64 == count, "stray look-up entries");
		Ok(())
	}
}
