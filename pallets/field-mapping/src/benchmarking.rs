//! Benchmarks of `register_items`, linear in the batch, run as tests too.

use alloc::{boxed::Box, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{traits::EnsureOrigin, BoundedVec};
use pallet_data_sources::{DomainCode, GenesisDomain, Operation, ResourceKind, SystemKind};
use sp_runtime::traits::Get;

use crate::*;

fn filled<S: Get<u32>>(byte: u8, len: u32) -> medtrust_primitives::text::BoundedText<S> {
	vec![byte; len as usize].try_into().expect("len is the bound")
}

/// Item number `n`, every field at its largest.
fn item<T: Config>(n: u32) -> ItemInfo<T> {
	let mut name = vec![b'f'; <T as pallet_data_sources::Config>::MaxNameLen::get() as usize];
	for (i, b) in n.to_le_bytes().iter().enumerate() {
		name[i] = b'a' + b % 26;
		name[i + 4] = b'a' + b / 26;
	}
	ItemInfo {
		name: name.try_into().expect("the bound's length, ASCII"),
		data_type: filled(b't', T::MaxTypeLen::get()),
		length: Some(u32::MAX),
		precision: Some(u32::MAX),
		scale: Some(u32::MAX),
		nullable: true,
		definition: filled(b'd', T::MaxTextLen::get()),
		value_domain: Some(ValueDomain::CodeSystem(filled(b'c', T::MaxTextLen::get()))),
		unit: Some(filled(b'u', T::MaxUnitLen::get())),
		standard_element: Some(b"DE02.01.039.00".to_vec().try_into().expect("14 bytes fit")),
	}
}

/// A resource of an institution's account with room for every item, and that account.
fn resource<T: Config>(
) -> Result<(T::RuntimeOrigin, pallet_data_sources::ResourceId), BenchmarkError> {
	let origin = <T as pallet_data_sources::Config>::InstitutionOrigin::try_successful_origin()
		.map_err(|_| BenchmarkError::Weightless)?;
	let institution =
		<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin.clone())
			.map_err(|_| BenchmarkError::Weightless)?;
	let genesis = GenesisDomain {
		code: "BENCH".into(),
		name: "bench".into(),
		description: "bench".into(),
		shared_data: Vec::new(),
		in_scope: true,
	};
	let (code, info) = pallet_data_sources::Pallet::<T>::genesis_domain(&genesis)
		.map_err(|_| BenchmarkError::Weightless)?;
	let domain: DomainCode<T> = code.clone();
	if !pallet_data_sources::Domains::<T>::contains_key(&code) {
		pallet_data_sources::Pallet::<T>::add_domain(
			<T as pallet_data_sources::Config>::GovernanceOrigin::try_successful_origin()
				.map_err(|_| BenchmarkError::Weightless)?,
			code,
			Box::new(info),
			true,
		)?;
	}
	pallet_data_sources::Pallet::<T>::register_source(
		origin.clone(),
		filled(b's', 8),
		SystemKind::Lis,
		vec![domain].try_into().expect("one domain fits"),
	)?;
	let source = pallet_data_sources::NextSourceId::<T>::get() - 1;
	let _ = institution;
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
		<T as pallet_data_sources::Config>::MaxItemsPerVersion::get(),
	)?;
	Ok((origin, pallet_data_sources::NextResourceId::<T>::get() - 1))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Linear in the items of the batch; the version already holds as many items as fit
	/// beside the batch.
	#[benchmark]
	fn register_items(n: Linear<1, { T::MaxItemsPerCall::get() }>) -> Result<(), BenchmarkError> {
		let (origin, resource) = resource::<T>()?;
		let room = <T as pallet_data_sources::Config>::MaxItemsPerVersion::get();
		let before = room.saturating_sub(n).min(T::MaxItemsPerCall::get());
		if before > 0 {
			let first: Vec<ItemInfo<T>> = (0..before).map(|i| item::<T>(u32::MAX - i)).collect();
			Pallet::<T>::register_items(
				origin.clone(),
				resource,
				1,
				first.try_into().expect("before <= MaxItemsPerCall"),
			)?;
		}
		let items: Vec<ItemInfo<T>> = (0..n).map(item::<T>).collect();
		let items: BoundedVec<_, _> = items.try_into().expect("n <= MaxItemsPerCall");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, resource, 1, items);

		assert_eq!(ItemCount::<T>::get((resource, 1)), before + n);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty(), crate::mock::Test);
}
