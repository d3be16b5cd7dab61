//! Benchmarks of every call, linear in what they process, run as tests too.

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
	resource_of::<T>(<T as pallet_data_sources::Config>::MaxItemsPerVersion::get())
}

/// A resource of an institution's account declaring `declared` items in its version 1.
fn resource_of<T: Config>(
	declared: u32,
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
	let count = pallet_data_sources::NextSourceId::<T>::get() as u8;
	pallet_data_sources::Pallet::<T>::register_source(
		origin.clone(),
		filled(b's' + count % 8, 8),
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
		declared,
	)?;
	Ok((origin, pallet_data_sources::NextResourceId::<T>::get() - 1))
}

/// Registers `items` in batches of `MaxItemsPerCall`.
fn register<T: Config>(
	origin: &T::RuntimeOrigin,
	resource: pallet_data_sources::ResourceId,
	version: pallet_data_sources::Version,
	items: Vec<ItemInfo<T>>,
) -> Result<(), BenchmarkError> {
	for chunk in items.chunks(T::MaxItemsPerCall::get() as usize) {
		let batch: BoundedVec<_, _> = chunk.to_vec().try_into().expect("a chunk fits");
		Pallet::<T>::register_items(origin.clone(), resource, version, batch)
			.map_err(|e| e.error)?;
	}
	Ok(())
}

/// An item of resource `resource` version `version`.
fn at<T: Config>(
	resource: pallet_data_sources::ResourceId,
	version: pallet_data_sources::Version,
	n: u32,
) -> ItemRef<T> {
	ItemRef { resource, version, item: item::<T>(n).name }
}

/// Proposals `(left[k / per_item], right[k])` for `k < m`, between resources `left` and
/// `right` (version 1, items numbered from 0), stored for `proposer`.
fn relate<T: Config>(
	proposer: pallet_data_sources::InstitutionId,
	left: pallet_data_sources::ResourceId,
	right: pallet_data_sources::ResourceId,
	m: u32,
) -> Result<(), BenchmarkError> {
	let per_item = T::MaxRelationsPerItem::get();
	let proposals: Vec<RelationProposal<T>> = (0..m)
		.map(|k| RelationProposal {
			left: at::<T>(left, 1, k / per_item),
			right: at::<T>(right, 1, k),
			kind: RelationKind::Same,
			score: sp_runtime::Permill::one(),
			evidence: [9; 32],
		})
		.collect();
	for chunk in proposals.chunks(T::MaxProposalsPerCall::get() as usize) {
		let batch: BoundedVec<_, _> = chunk.to_vec().try_into().expect("a chunk fits");
		Pallet::<T>::do_propose_relations(proposer, batch)?;
	}
	Ok(())
}

/// Two resources of the benchmark institution, with `left` and `right` items registered.
fn two_resources<T: Config>(
	left: u32,
	right: u32,
) -> Result<
	(
		T::RuntimeOrigin,
		pallet_data_sources::InstitutionId,
		pallet_data_sources::ResourceId,
		pallet_data_sources::ResourceId,
	),
	BenchmarkError,
> {
	let (origin, a) = resource_of::<T>(left)?;
	let (_, b) = resource_of::<T>(right)?;
	let institution =
		<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin.clone())
			.map_err(|_| BenchmarkError::Weightless)?;
	register::<T>(&origin, a, 1, (0..left).map(item::<T>).collect())?;
	register::<T>(&origin, b, 1, (0..right).map(item::<T>).collect())?;
	Ok((origin, institution, a, b))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Linear in the items of the batch, on a resource's version 2 whose version 1 has the
	/// same items (each is compared with its predecessor); the version already holds as many
	/// items as fit beside the batch.
	#[benchmark]
	fn register_items(n: Linear<1, { T::MaxItemsPerCall::get() }>) -> Result<(), BenchmarkError> {
		let (origin, resource) = resource::<T>()?;
		let room = <T as pallet_data_sources::Config>::MaxItemsPerVersion::get();
		let before = room.saturating_sub(n).min(T::MaxItemsPerCall::get());
		register::<T>(&origin, resource, 1, (0..n).map(item::<T>).collect())?;
		pallet_data_sources::Pallet::<T>::add_version(origin.clone(), resource, [2; 32], room)?;
		register::<T>(
			&origin,
			resource,
			2,
			(0..before).map(|i| item::<T>(u32::MAX - i)).collect(),
		)?;
		let items: Vec<ItemInfo<T>> = (0..n).map(item::<T>).collect();
		let items: BoundedVec<_, _> = items.try_into().expect("n <= MaxItemsPerCall");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, resource, 2, items);

		assert_eq!(ItemCount::<T>::get((resource, 2)), before + n);
		Ok(())
	}

	/// What a new version's carry-over adds, linear in the relation endpoints it moves: the
	/// last item of a resource's version 2 completes it, and the `m` relations of version 1's
	/// items, all dropped, are superseded (superseding writes more than moving).
	#[benchmark]
	fn carry_over(
		m: Linear<0, { T::MaxRelationsPerVersion::get() }>,
	) -> Result<(), BenchmarkError> {
		let per_item = T::MaxRelationsPerItem::get();
		let (origin, institution, a, b) =
			two_resources::<T>(m.div_ceil(per_item).max(1), m.max(1))?;
		relate::<T>(institution, a, b, m)?;
		pallet_data_sources::Pallet::<T>::add_version(origin.clone(), a, [2; 32], 1)?;
		let items: BoundedVec<_, _> = vec![item::<T>(u32::MAX)].try_into().expect("one fits");

		#[extrinsic_call]
		register_items(origin as T::RuntimeOrigin, a, 2, items);

		assert_eq!(VersionRelationCount::<T>::get((a, 1)), 0);
		assert_eq!(RelationOfPair::<T>::iter().count(), 0);
		Ok(())
	}

	/// Linear in the proposals of the batch.
	#[benchmark]
	fn propose_relations(
		n: Linear<1, { T::MaxProposalsPerCall::get() }>,
	) -> Result<(), BenchmarkError> {
		let per_item = T::MaxRelationsPerItem::get();
		let (origin, _, a, b) = two_resources::<T>(n.div_ceil(per_item), n)?;
		let proposals: Vec<RelationProposal<T>> = (0..n)
			.map(|k| RelationProposal {
				left: at::<T>(a, 1, k / per_item),
				right: at::<T>(b, 1, k),
				kind: RelationKind::Related,
				score: sp_runtime::Permill::from_percent(80),
				evidence: [9; 32],
			})
			.collect();
		let proposals: BoundedVec<_, _> = proposals.try_into().expect("n fits");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, proposals);

		assert_eq!(NextRelationId::<T>::get(), n as u64);
		Ok(())
	}

	/// Accepting a relation another institution proposed, which confirms it.
	#[benchmark]
	fn accept_relation() -> Result<(), BenchmarkError> {
		let (origin, institution, a, b) = two_resources::<T>(1, 1)?;
		relate::<T>(institution.saturating_add(1), a, b, 1)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		assert_eq!(Relations::<T>::get(0).map(|r| r.status), Some(RelationStatus::Confirmed));
		Ok(())
	}

	/// Rejecting a relation another institution proposed.
	#[benchmark]
	fn reject_relation() -> Result<(), BenchmarkError> {
		let (origin, institution, a, b) = two_resources::<T>(1, 1)?;
		relate::<T>(institution.saturating_add(1), a, b, 1)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		assert_eq!(Relations::<T>::get(0).map(|r| r.status), Some(RelationStatus::Rejected));
		Ok(())
	}

	/// Withdrawing a confirmed relation.
	#[benchmark]
	fn withdraw_relation() -> Result<(), BenchmarkError> {
		let (origin, institution, a, b) = two_resources::<T>(1, 1)?;
		relate::<T>(institution, a, b, 1)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		assert_eq!(Relations::<T>::get(0).map(|r| r.status), Some(RelationStatus::Withdrawn));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty(), crate::mock::Test);
}
