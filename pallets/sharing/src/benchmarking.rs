//! Benchmarks of every call, run as tests too. A grant's and an erasure's cost grows with the
//! certificates it names (each read) and its ranges (checked); an erasure's with the grants it
//! names (each read and written); a full deletion attestation's with the pending erasures it
//! clears.

use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get, UnixTime},
	BoundedVec,
};
use frame_system::RawOrigin;
use pallet_certificates::{Certificate, CertificateStatus, HashAlgorithm, Subject};

use crate::*;

/// The grantor's origin and institution.
fn grantor<T: Config>() -> Result<(T::RuntimeOrigin, InstitutionId), BenchmarkError> {
	let origin = <T as pallet_data_sources::Config>::InstitutionOrigin::try_successful_origin()
		.map_err(|_| BenchmarkError::Weightless)?;
	let id = <T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin.clone())
		.map_err(|_| BenchmarkError::Weightless)?;
	Ok((origin, id))
}

/// `c` batch certificates of `issuer`, as many leaves each as a batch may hold, and `r`
/// one-record ranges over them.
fn scope<T: Config>(issuer: InstitutionId, c: u32, r: u32) -> Scope<T> {
	let leaves = <T as pallet_certificates::Config>::MaxLeaves::get();
	let first = pallet_certificates::NextCertificateId::<T>::get();
	let mut certificates = Vec::new();
	for n in 0..u64::from(c) {
		let id = first + n;
		let mut root = [0u8; 32];
		root[..8].copy_from_slice(&id.to_le_bytes());
		pallet_certificates::Certificates::<T>::insert(
			id,
			Certificate {
				issuer,
				source: 0,
				resource: 0,
				version: 1,
				domain: Default::default(),
				algorithm: HashAlgorithm::Sha256,
				subject: Subject::Batch { root, leaf_count: leaves },
				status: CertificateStatus::Valid,
				issued: 0u32.into(),
			},
		);
		certificates.push(id);
	}
	pallet_certificates::NextCertificateId::<T>::put(first + u64::from(c));
	let records: Vec<RecordRange> =
		(0..u64::from(r)).map(|n| RecordRange { first: 2 * n + 1, last: 2 * n + 1 }).collect();
	Scope {
		certificates: certificates.try_into().expect("c is within MaxCertificates"),
		records: records.try_into().expect("r is within MaxRanges"),
		subject: Some([9; 32]),
	}
}

/// A grant of `scope` from `grantor` to a benchmark grantee; (grant, grantee's account).
fn granted<T: Config>(
	grantor: InstitutionId,
	scope: Scope<T>,
) -> Result<(GrantId, T::AccountId), BenchmarkError> {
	let (grantee, account) = T::Keys::benchmark_grantee(grantor);
	Ok((granted_to::<T>(grantor, grantee, scope)?, account))
}

/// A grant of `scope` from `grantor` to `grantee`.
fn granted_to<T: Config>(
	grantor: InstitutionId,
	grantee: InstitutionId,
	scope: Scope<T>,
) -> Result<GrantId, BenchmarkError> {
	let expires = T::Time::now().as_secs().saturating_add(1);
	let basis = vec![b'a'; T::MaxLegalBasisLen::get() as usize].try_into().expect("the bound");
	let id =
		Pallet::<T>::do_grant(grantor, grantee, scope, Purpose::Research, basis, expires, [7; 32])?;
	Ok(id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn grant(
		c: Linear<1, { T::MaxCertificates::get() }>,
		r: Linear<1, { T::MaxRanges::get() }>,
	) -> Result<(), BenchmarkError> {
		let (origin, id) = grantor::<T>()?;
		let scope = scope::<T>(id, c, r);
		let (grantee, _) = T::Keys::benchmark_grantee(id);
		let expires = T::Time::now().as_secs().saturating_add(T::MaxGrantSeconds::get());
		let basis: medtrust_primitives::text::BoundedText<T::MaxLegalBasisLen> =
			vec![b'a'; T::MaxLegalBasisLen::get() as usize].try_into().expect("the bound");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, grantee, scope, Purpose::Research, basis, expires, [7; 32]);

		assert_eq!(NextGrantId::<T>::get(), 1);
		Ok(())
	}

	#[benchmark]
	fn revoke_grant() -> Result<(), BenchmarkError> {
		let (origin, id) = grantor::<T>()?;
		let (given, _) = granted::<T>(id, scope::<T>(id, 1, 1))?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, given);

		assert!(Grants::<T>::get(given).is_some_and(|g| g.status != GrantStatus::Active));
		Ok(())
	}

	#[benchmark]
	fn record_receipt() -> Result<(), BenchmarkError> {
		let (_, id) = grantor::<T>()?;
		let (given, grantee) = granted::<T>(id, scope::<T>(id, 1, 1))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(grantee), given, 1, [5; 32]);

		assert_eq!(Pallet::<T>::receipts_of(given).len(), 1);
		Ok(())
	}

	/// Everything received deleted, clearing `p` pending erasures.
	#[benchmark]
	fn attest_deletion(p: Linear<1, { T::MaxAttestations::get() }>) -> Result<(), BenchmarkError> {
		let (_, id) = grantor::<T>()?;
		let scope = scope::<T>(id, 1, 1);
		let (given, grantee) = granted::<T>(id, scope.clone())?;
		for _ in 0..p {
			let grants = vec![given].try_into().map_err(|_| BenchmarkError::Weightless)?;
			Pallet::<T>::do_record_erasure(id, scope.clone(), grants)?;
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(grantee), given, None);

		assert!(Pallet::<T>::pending_of(given).is_empty());
		Ok(())
	}

	#[benchmark]
	fn record_erasure(
		c: Linear<1, { T::MaxCertificates::get() }>,
		r: Linear<1, { T::MaxRanges::get() }>,
		g: Linear<1, { T::MaxGrantsPerErasure::get() }>,
	) -> Result<(), BenchmarkError> {
		let (origin, id) = grantor::<T>()?;
		let scope = scope::<T>(id, c, r);
		let (grantee, _) = T::Keys::benchmark_grantee(id);
		let mut grants = Vec::new();
		for _ in 0..g {
			grants.push(granted_to::<T>(id, grantee, scope.clone())?);
		}
		let grants: BoundedVec<GrantId, T::MaxGrantsPerErasure> =
			grants.try_into().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, scope, grants);

		assert_eq!(NextErasureId::<T>::get(), 1);
		Ok(())
	}

	#[benchmark]
	fn set_endpoint() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let mut url = b"https://".to_vec();
		url.resize(T::MaxEndpointLen::get() as usize, b'a');
		let url: BoundedVec<u8, T::MaxEndpointLen> = url.try_into().expect("the bound");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Some(url));

		assert_eq!(Endpoints::<T>::iter().count(), 1);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
