//! Benchmarks of every call, run as tests too. Each call's cost is constant: a batch of any
//! size is one root; the domain check scans the source's domains (at most
//! `MaxDomainsPerSource`, benchmarked at that maximum).

use alloc::{boxed::Box, format, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::EnsureOrigin;
use pallet_data_sources::{DomainCode, DomainInfo, Operation, ResourceKind, SystemKind};
use sp_runtime::traits::Get;

use crate::*;

fn filled<S: Get<u32>>(byte: u8, len: u32) -> medtrust_primitives::text::BoundedText<S> {
	vec![byte; len as usize].try_into().expect("len is the bound")
}

/// An institution's origin with a source serving `d` in-scope domains (the certified one
/// last) and a resource in it: (origin, source, resource, domain).
fn setup<T: Config>(d: u32) -> Result<(T::RuntimeOrigin, u64, u64, DomainCode<T>), BenchmarkError> {
	let origin = <T as pallet_data_sources::Config>::InstitutionOrigin::try_successful_origin()
		.map_err(|_| BenchmarkError::Weightless)?;
	let governance = <T as pallet_data_sources::Config>::GovernanceOrigin::try_successful_origin()
		.map_err(|_| BenchmarkError::Weightless)?;
	let mut domains: Vec<DomainCode<T>> = Vec::new();
	for n in 0..d {
		let mut code = format!("C{n}").into_bytes();
		code.resize(<T as pallet_data_sources::Config>::MaxCodeLen::get() as usize, b'_');
		let code: DomainCode<T> = code.try_into().expect("resized to the bound");
		if !pallet_data_sources::Domains::<T>::contains_key(&code) {
			pallet_data_sources::Pallet::<T>::add_domain(
				governance.clone(),
				code.clone(),
				Box::new(DomainInfo {
					name: filled(b'n', 4),
					description: filled(b'd', 4),
					shared_data: Default::default(),
				}),
				true,
			)?;
		}
		domains.push(code);
	}
	let domain = domains.last().cloned().ok_or(BenchmarkError::Weightless)?;
	pallet_data_sources::Pallet::<T>::register_source(
		origin.clone(),
		filled(b's', 8),
		SystemKind::Lis,
		domains.try_into().map_err(|_| BenchmarkError::Weightless)?,
	)?;
	let source = pallet_data_sources::NextSourceId::<T>::get() - 1;
	pallet_data_sources::Pallet::<T>::register_resource(
		origin.clone(),
		source,
		filled(b'r', 8),
		Box::new(ResourceKind::Table {
			database: filled(b'b', 2),
			schema: filled(b's', 2),
			table: filled(b't', 2),
		}),
		filled(b'a', 2),
		vec![Operation::Collect].try_into().expect("one operation fits"),
		[1; 32],
		1,
	)?;
	Ok((origin, source, pallet_data_sources::NextResourceId::<T>::get() - 1, domain))
}

/// The institution of the benchmarks' origin.
fn issuer_of<T: Config>() -> pallet_data_sources::InstitutionId {
	let origin = <T as pallet_data_sources::Config>::InstitutionOrigin::try_successful_origin();
	origin
		.ok()
		.and_then(|o| <T as pallet_data_sources::Config>::InstitutionOrigin::try_origin(o).ok())
		.unwrap_or_default()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn certify(
		d: Linear<1, { <T as pallet_data_sources::Config>::MaxDomainsPerSource::get() }>,
	) -> Result<(), BenchmarkError> {
		let (origin, source, resource, domain) = setup::<T>(d)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, source, resource, 1, domain, HashAlgorithm::Sm3, [7; 32]);

		assert!(CertificateOfIssuer::<T>::iter_prefix_values(issuer_of::<T>()).next().is_some());
		Ok(())
	}

	#[benchmark]
	fn certify_batch(
		d: Linear<1, { <T as pallet_data_sources::Config>::MaxDomainsPerSource::get() }>,
	) -> Result<(), BenchmarkError> {
		let (origin, source, resource, domain) = setup::<T>(d)?;
		let leaves = T::MaxLeaves::get();

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			source,
			resource,
			1,
			domain,
			HashAlgorithm::Sha256,
			[8; 32],
			leaves,
		);

		assert!(Certificates::<T>::get(NextCertificateId::<T>::get() - 1).is_some());
		Ok(())
	}

	#[benchmark]
	fn revoke() -> Result<(), BenchmarkError> {
		let (origin, source, resource, domain) = setup::<T>(1)?;
		Pallet::<T>::certify(
			origin.clone(),
			source,
			resource,
			1,
			domain,
			HashAlgorithm::Sm3,
			[7; 32],
		)?;
		let id = NextCertificateId::<T>::get() - 1;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, RevocationReason::Erroneous);

		assert!(matches!(
			Certificates::<T>::get(id).map(|c| c.status),
			Some(CertificateStatus::Revoked { .. })
		));
		Ok(())
	}

	#[benchmark]
	fn supersede() -> Result<(), BenchmarkError> {
		let (origin, source, resource, domain) = setup::<T>(1)?;
		Pallet::<T>::certify(
			origin.clone(),
			source,
			resource,
			1,
			domain.clone(),
			HashAlgorithm::Sm3,
			[7; 32],
		)?;
		Pallet::<T>::certify(
			origin.clone(),
			source,
			resource,
			1,
			domain,
			HashAlgorithm::Sm3,
			[9; 32],
		)?;
		let new = NextCertificateId::<T>::get() - 1;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new - 1, new);

		assert!(matches!(
			Certificates::<T>::get(new - 1).map(|c| c.status),
			Some(CertificateStatus::Superseded { .. })
		));
		Ok(())
	}

	/// One entry of the version-0 index moved to its issuer's (the multi-block migration's
	/// unit of work, which its step measures per entry).
	#[benchmark]
	fn migration_step() -> Result<(), BenchmarkError> {
		use frame_support::{migrations::SteppedMigration, weights::WeightMeter};
		let (origin, source, resource, domain) = setup::<T>(1)?;
		Pallet::<T>::certify(origin, source, resource, 1, domain, HashAlgorithm::Sm3, [7; 32])?;
		let id = NextCertificateId::<T>::get() - 1;
		let issuer =
			Certificates::<T>::get(id).map(|c| c.issuer).ok_or(BenchmarkError::Weightless)?;
		CertificateOfIssuer::<T>::remove(issuer, [7; 32]);
		migrations::v1::v0::CertificateOf::<T>::insert([7; 32], id);
		let mut meter = WeightMeter::with_limit(<T as Config>::WeightInfo::migration_step() * 2);

		#[block]
		{
			migrations::v1::MigrateToIssuerIndex::<T>::step(None, &mut meter)
				.map_err(|_| BenchmarkError::Stop("the step failed"))?;
		}

		assert_eq!(CertificateOfIssuer::<T>::get(issuer, [7; 32]), Some(id));
		assert!(migrations::v1::v0::CertificateOf::<T>::iter().next().is_none());
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty(), crate::mock::Test);
}
