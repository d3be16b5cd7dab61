//! Benchmarks of every call, run as tests too.

use alloc::{boxed::Box, format, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{traits::EnsureOrigin, BoundedVec};
use sp_runtime::traits::Get;

use crate::*;

/// A bounded vector of `len` copies of `byte` (names: the worst case is the longest).
fn filled<S: Get<u32>>(byte: u8, len: u32) -> medtrust_primitives::text::BoundedText<S> {
	vec![byte; len as usize].try_into().expect("len is the bound")
}

/// A domain code of the maximum length, distinct for each `n`.
fn code<T: Config>(n: u32) -> DomainCode<T> {
	let mut code = format!("B{n}").into_bytes();
	code.resize(T::MaxCodeLen::get() as usize, b'_');
	code.try_into().expect("resized to the bound")
}

/// The shared data-domain name number `n`, of the maximum length.
fn shared<T: Config>(n: u32) -> DomainCode<T> {
	let mut name = format!("d{n}").into_bytes();
	name.resize(T::MaxCodeLen::get() as usize, b'_');
	name.try_into().expect("resized to the bound")
}

fn domain_info<T: Config>(s: u32) -> DomainInfo<T> {
	DomainInfo {
		name: filled(b'n', T::MaxNameLen::get()),
		description: filled(b'd', T::MaxDescriptionLen::get()),
		shared_data: (0..s).map(shared::<T>).collect::<Vec<_>>().try_into().expect("s <= bound"),
	}
}

/// `d` in-scope domains, as a source's domain list.
fn in_scope_domains<T: Config>(d: u32) -> BoundedVec<DomainCode<T>, T::MaxDomainsPerSource> {
	let codes: Vec<DomainCode<T>> = (0..d)
		.map(|n| {
			let c = code::<T>(n);
			if !Domains::<T>::contains_key(&c) {
				Pallet::<T>::do_add_domain(c.clone(), domain_info::<T>(0), true).expect("room");
			}
			c
		})
		.collect();
	codes.try_into().expect("d <= bound")
}

/// The origin of an institution's account, and the institution.
fn member<T: Config>() -> Result<(T::RuntimeOrigin, InstitutionId), BenchmarkError> {
	let origin =
		T::InstitutionOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
	let institution = T::InstitutionOrigin::ensure_origin(origin.clone())
		.map_err(|_| BenchmarkError::Weightless)?;
	Ok((origin, institution))
}

fn table<T: Config>() -> ResourceKind<T> {
	let max = T::MaxLocatorLen::get();
	ResourceKind::Table {
		database: filled(b'b', max),
		schema: filled(b's', max),
		table: filled(b't', max),
	}
}

fn operations<T: Config>() -> BoundedVec<Operation, T::MaxOperations> {
	let all = [
		Operation::Collect,
		Operation::Clean,
		Operation::Transform,
		Operation::Deidentify,
		Operation::Aggregate,
		Operation::Store,
		Operation::Share,
		Operation::Derive,
	];
	let n = (T::MaxOperations::get() as usize).min(all.len());
	all[..n].to_vec().try_into().expect("n <= bound")
}

/// A source of `institution` serving the most domains, and a resource in it.
fn source_and_resource<T: Config>(institution: InstitutionId) -> (SourceId, ResourceId) {
	let domains = in_scope_domains::<T>(T::MaxDomainsPerSource::get());
	let source = Pallet::<T>::do_register_source(
		institution,
		filled(b's', T::MaxNameLen::get()),
		SystemKind::His,
		domains,
	)
	.expect("room for a source");
	let resource = Pallet::<T>::do_register_resource(
		institution,
		source,
		filled(b'r', T::MaxNameLen::get()),
		table::<T>(),
		filled(b'a', T::MaxLocatorLen::get()),
		operations::<T>(),
		[1; 32],
		T::MaxItemsPerVersion::get(),
	)
	.expect("room for a resource");
	(source, resource)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_domain(s: Linear<0, { T::MaxSharedData::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let new = code::<T>(u32::MAX);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone(), Box::new(domain_info::<T>(s)), true);

		assert!(Domains::<T>::contains_key(&new));
		Ok(())
	}

	#[benchmark]
	fn update_domain(s: Linear<0, { T::MaxSharedData::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let existing = in_scope_domains::<T>(1).into_inner().remove(0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, existing.clone(), Box::new(domain_info::<T>(s)));

		assert_eq!(Domains::<T>::get(&existing).map(|d| d.shared_data.len() as u32), Some(s));
		Ok(())
	}

	#[benchmark]
	fn set_scope() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let existing = in_scope_domains::<T>(1).into_inner().remove(0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, existing.clone(), false);

		assert!(!Pallet::<T>::in_scope(existing.as_bytes()));
		Ok(())
	}

	/// Checks each domain the source serves.
	#[benchmark]
	fn register_source(
		d: Linear<1, { T::MaxDomainsPerSource::get() }>,
	) -> Result<(), BenchmarkError> {
		let (origin, institution) = member::<T>()?;
		let domains = in_scope_domains::<T>(d);
		let before = SourceCount::<T>::get(institution);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, filled(b's', T::MaxNameLen::get()), SystemKind::Lis, domains);

		assert_eq!(SourceCount::<T>::get(institution), before + 1);
		Ok(())
	}

	#[benchmark]
	fn update_source(
		d: Linear<1, { T::MaxDomainsPerSource::get() }>,
	) -> Result<(), BenchmarkError> {
		let (origin, institution) = member::<T>()?;
		let (source, _) = source_and_resource::<T>(institution);
		let domains = in_scope_domains::<T>(d);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, source, filled(b'u', T::MaxNameLen::get()), domains);

		assert_eq!(Sources::<T>::get(source).map(|s| s.domains.len() as u32), Some(d));
		Ok(())
	}

	#[benchmark]
	fn set_source_status() -> Result<(), BenchmarkError> {
		let (origin, institution) = member::<T>()?;
		let (source, _) = source_and_resource::<T>(institution);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, source, SourceStatus::Retired);

		assert_eq!(Sources::<T>::get(source).map(|s| s.status), Some(SourceStatus::Retired));
		Ok(())
	}

	#[benchmark]
	fn register_resource() -> Result<(), BenchmarkError> {
		let (origin, institution) = member::<T>()?;
		let (source, _) = source_and_resource::<T>(institution);
		let next = NextResourceId::<T>::get();

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			source,
			filled(b'n', T::MaxNameLen::get()),
			Box::new(table::<T>()),
			filled(b'a', T::MaxLocatorLen::get()),
			operations::<T>(),
			[2; 32],
			T::MaxItemsPerVersion::get(),
		);

		assert!(Resources::<T>::contains_key(next));
		Ok(())
	}

	#[benchmark]
	fn add_version() -> Result<(), BenchmarkError> {
		let (origin, institution) = member::<T>()?;
		let (_, resource) = source_and_resource::<T>(institution);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, resource, [2; 32], T::MaxItemsPerVersion::get());

		assert_eq!(Resources::<T>::get(resource).map(|r| r.version), Some(2));
		Ok(())
	}

	#[benchmark]
	fn set_resource_details() -> Result<(), BenchmarkError> {
		let (origin, institution) = member::<T>()?;
		let (_, resource) = source_and_resource::<T>(institution);

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			resource,
			filled(b'z', T::MaxLocatorLen::get()),
			operations::<T>(),
		);

		assert_eq!(
			Resources::<T>::get(resource).map(|r| r.address.as_bytes().to_vec()),
			Some(vec![b'z'; T::MaxLocatorLen::get() as usize])
		);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty(), crate::mock::Test);
}
