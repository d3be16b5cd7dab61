//! # Field mapping pallet
//!
//! The data items (数据项) of every resource version: the second half of MedTrust's trusted
//! verification catalog (可信验证目录).
//!
//! ## Overview
//!
//! A resource version registered with `pallet-data-sources` declares how many data items its
//! schema has. The owning institution's accounts register those items here in bounded
//! batches ([`Pallet::register_items`]): name, data type, length and precision, nullability,
//! definition, value domain, unit and, where mapped, the standard data element (WS 363 /
//! WS 445). Items are tied to their version: a new version starts with no items, and the old
//! version's items stay as they were.
//!
//! An import that is interrupted resumes: the items already registered are known, and the
//! version is *complete* once it has as many items as it declared.
//!
//! It also holds the **relations** between data items (数据来源确认, requirement 4): two items
//! of registered resource versions that are the same data, logically related, similarly named,
//! or named the same but different in value domain or business meaning. A matcher (the
//! `medtrust` client's) finds them; an institution proposes them in bounded batches, with a
//! score and the hash of the evidence (the evidence stays off chain); the relation is
//! *confirmed* once an account of each owning institution has accepted it (the proposer's
//! acceptance is implied; within one institution one acceptance suffices). Relations between
//! resources or sources are derived from their items' relations.
//!
//! When a resource's new schema version registers an item unchanged (same name, type, length,
//! definition, domain, unit, element), the previous version's open relations of that item move
//! to the new version without a new vote; relations of items that changed, or that the new
//! version no longer has once it is complete, are *superseded*.
//!
//! ## Terminology
//!
//! - *Open* relation: proposed or confirmed. The same pair of items has at most one open
//!   relation; rejected, withdrawn and superseded relations stay readable by id.
//! - *Owner* of a side: the institution owning the item's data source.
//!
//! ## Calls
//!
//! - [`Pallet::register_items`], by an account of the institution owning the resource's source.
//! - [`Pallet::propose_relations`], by an account of any member institution.
//! - [`Pallet::accept_relation`], [`Pallet::reject_relation`], by an account of an owner.
//! - [`Pallet::withdraw_relation`], by the proposer while proposed, by an owner once confirmed.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
mod relations;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod relation_tests;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// The most items in one page of [`Pallet::items`] (the runtime API clamps to it).
pub const MAX_ITEMS_PAGE: u32 = 2048;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use pallet_data_sources::{InstitutionId, ResourceId, SourceId, Version};

	/// The storage layout's version; migrations in `migrations/` move between versions.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_data_sources::Config {
		/// The most data items registered by one call.
		#[pallet::constant]
		type MaxItemsPerCall: Get<u32>;

		/// The longest data type name, in bytes.
		#[pallet::constant]
		type MaxTypeLen: Get<u32>;

		/// The longest definition or code system identifier, in UTF-8 bytes.
		#[pallet::constant]
		type MaxTextLen: Get<u32>;

		/// The longest unit or standard data element identifier, in bytes.
		#[pallet::constant]
		type MaxUnitLen: Get<u32>;

		/// The most relations proposed by one call.
		#[pallet::constant]
		type MaxProposalsPerCall: Get<u32>;

		/// The most open relations one data item takes part in.
		#[pallet::constant]
		type MaxRelationsPerItem: Get<u32>;

		/// The most open relations the items of one resource version take part in (bounds
		/// what a new version's carry-over walks).
		#[pallet::constant]
		type MaxRelationsPerVersion: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The data items of each resource version, by name.
	// The first key is assigned by pallet-data-sources (`Twox64Concat`); item names are chosen
	// by callers (`Blake2_128Concat`).
	#[pallet::storage]
	pub type Items<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(ResourceId, Version),
		Blake2_128Concat,
		ItemName<T>,
		DataItem<T>,
	>;

	/// How many data items each resource version has registered so far.
	// Keys assigned by pallet-data-sources: `Twox64Concat`.
	#[pallet::storage]
	pub type ItemCount<T: Config> =
		StorageMap<_, Twox64Concat, (ResourceId, Version), u32, ValueQuery>;

	/// Every relation ever proposed, by id.
	// Ids are assigned in order by the chain: `Twox64Concat`.
	#[pallet::storage]
	pub type Relations<T: Config> = StorageMap<_, Twox64Concat, RelationId, Relation<T>>;

	/// The id the next proposed relation gets.
	#[pallet::storage]
	pub type NextRelationId<T: Config> = StorageValue<_, RelationId, ValueQuery>;

	/// The open relations of each data item: (resource, version), item name, relation.
	// Resource ids and relation ids are assigned by the chain (`Twox64Concat`); item names are
	// chosen by callers (`Blake2_128Concat`).
	#[pallet::storage]
	pub type RelationOfItem<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, (ResourceId, Version)>,
			NMapKey<Blake2_128Concat, ItemName<T>>,
			NMapKey<Twox64Concat, RelationId>,
		),
		(),
	>;

	/// How many open relations each data item takes part in.
	// As `RelationOfItem`.
	#[pallet::storage]
	pub type ItemRelationCount<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(ResourceId, Version),
		Blake2_128Concat,
		ItemName<T>,
		u32,
		ValueQuery,
	>;

	/// How many open relations the items of each resource version take part in (a relation
	/// between two items of one version counts twice).
	// Keys assigned by the chain: `Twox64Concat`.
	#[pallet::storage]
	pub type VersionRelationCount<T: Config> =
		StorageMap<_, Twox64Concat, (ResourceId, Version), u32, ValueQuery>;

	/// The open relations of each data source.
	// Keys assigned by the chain: `Twox64Concat`.
	#[pallet::storage]
	pub type RelationOfSource<T: Config> =
		StorageDoubleMap<_, Twox64Concat, SourceId, Twox64Concat, RelationId, ()>;

	/// The open relation of each pair of items, by the BLAKE2b-256 hash of the ordered pair.
	// The key is a cryptographic hash: `Identity` is balanced.
	#[pallet::storage]
	pub type RelationOfPair<T: Config> = StorageMap<_, Identity, [u8; 32], RelationId>;

	/// The proposed relations awaiting each institution's decision.
	// Keys assigned by the chain: `Twox64Concat`.
	#[pallet::storage]
	pub type AwaitingDecision<T: Config> =
		StorageDoubleMap<_, Twox64Concat, InstitutionId, Twox64Concat, RelationId, ()>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An institution registered `count` data items of a resource version; `complete`
		/// once the version has all the items it declared.
		ItemsRegistered { resource: ResourceId, version: Version, count: u32, complete: bool },
		/// An institution proposed a relation between two data items.
		RelationProposed { relation: RelationId, proposer: InstitutionId, kind: RelationKind },
		/// An owning institution accepted a proposed relation.
		RelationAccepted { relation: RelationId, institution: InstitutionId },
		/// Every owning institution has accepted: the relation stands.
		RelationConfirmed { relation: RelationId },
		/// An owning institution rejected a proposed relation.
		RelationRejected { relation: RelationId, institution: InstitutionId },
		/// A relation was withdrawn (by its proposer, or by an owner once confirmed).
		RelationWithdrawn { relation: RelationId, institution: InstitutionId },
		/// A new version of a resource took over the open relations of its unchanged items
		/// (`carried`) and superseded those of changed or dropped items (`superseded`).
		RelationsCarriedOver {
			resource: ResourceId,
			version: Version,
			carried: u32,
			superseded: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No resource has this id, or the resource has no such version.
		NotFound,
		/// Items may be added to the resource's current version only; this one was replaced.
		StaleVersion,
		/// The call carries no items.
		NoItems,
		/// More items than the version declared (its `item_count`).
		TooManyItems,
		/// An item name is given twice, or is registered for this version already.
		Duplicate,
		/// An item name or definition is empty or not UTF-8.
		InvalidName,
		/// An item's data type is empty or not ASCII.
		InvalidType,
		/// A standard data element is not `DEdd.dd.ddd.dd` (e.g. `DE02.01.039.00`).
		InvalidElementId,
		/// An item's source is retired: relate items of active sources only.
		SourceRetired,
		/// A relation's two sides are the same item.
		SelfRelation,
		/// A same-name kind for items whose names differ (ignoring case and separators): use
		/// `similar-name` or `related`.
		KindMismatch,
		/// These two items already have an open (proposed or confirmed) relation, maybe
		/// within this batch.
		AlreadyExists,
		/// An item already takes part in `MaxRelationsPerItem` open relations, or its
		/// resource version in `MaxRelationsPerVersion`: withdraw some first.
		TooManyRelations,
		/// No relation has this id.
		UnknownRelation,
		/// Only an owning institution that has not yet accepted may accept or reject, only the
		/// proposer may withdraw a proposed relation, only an owner a confirmed one.
		NotAuthorized,
		/// The relation is no longer proposed (confirmed, rejected, withdrawn or
		/// superseded): it takes no decision.
		NotProposed,
		/// The relation is neither proposed nor confirmed: there is nothing to withdraw.
		NotOpen,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers data items of a resource's current version (an account of the institution
		/// owning its source).
		///
		/// On a resource's new version, the open relations of the previous version's items
		/// move to the unchanged items registered here, and those of changed items are
		/// superseded; once the version is complete, those of items it no longer has are
		/// superseded too. The weight charged covers the most relations this can move; what is
		/// not used is refunded.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::register_items_weight(items.len() as u32, Pallet::<T>::max_moved()))]
		pub fn register_items(
			origin: OriginFor<T>,
			resource: ResourceId,
			version: Version,
			items: BoundedVec<ItemInfo<T>, <T as Config>::MaxItemsPerCall>,
		) -> DispatchResultWithPostInfo {
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			let count = items.len() as u32;
			let moved = Self::do_register_items(institution, resource, version, items)?;
			Ok(Some(Self::register_items_weight(count, moved)).into())
		}

		/// Proposes relations between data items of current resource versions of active
		/// sources (an account of any member institution). Each is confirmed once every
		/// owning institution has accepted; the proposer's own sides count as accepted.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::propose_relations(relations.len() as u32))]
		pub fn propose_relations(
			origin: OriginFor<T>,
			relations: BoundedVec<RelationProposal<T>, <T as Config>::MaxProposalsPerCall>,
		) -> DispatchResult {
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_propose_relations(institution, relations)
		}

		/// Accepts a proposed relation for the caller's institution, an owner of one side.
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::accept_relation())]
		pub fn accept_relation(origin: OriginFor<T>, relation: RelationId) -> DispatchResult {
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_accept_relation(institution, relation)
		}

		/// Rejects a proposed relation for the caller's institution, an owner of one side.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::reject_relation())]
		pub fn reject_relation(origin: OriginFor<T>, relation: RelationId) -> DispatchResult {
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_close_relation(institution, relation, RelationStatus::Rejected)
		}

		/// Withdraws a relation: a proposed one by its proposer, a confirmed one by an owner.
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::withdraw_relation())]
		pub fn withdraw_relation(origin: OriginFor<T>, relation: RelationId) -> DispatchResult {
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_close_relation(institution, relation, RelationStatus::Withdrawn)
		}
	}

	/// Read queries, for the runtime API.
	impl<T: Config> Pallet<T> {
		/// Up to `limit` (at most [`MAX_ITEMS_PAGE`]) items of a resource version from position
		/// `start` on, by position.
		pub fn items(
			resource: ResourceId,
			version: Version,
			start: u32,
			limit: u32,
		) -> Vec<DataItem<T>> {
			let mut all: Vec<DataItem<T>> =
				Items::<T>::iter_prefix_values((resource, version)).collect();
			all.sort_by_key(|item| item.position);
			let limit = limit.min(MAX_ITEMS_PAGE) as usize;
			all.into_iter().filter(|item| item.position >= start).take(limit).collect()
		}

		/// The open relations of one data item, by id.
		pub fn relations_of_item(
			resource: ResourceId,
			version: Version,
			item: &[u8],
		) -> Vec<(RelationId, Relation<T>)> {
			let Ok(name) = ItemName::<T>::try_from(item) else { return Vec::new() };
			let ids = RelationOfItem::<T>::iter_key_prefix(((resource, version), name));
			Self::relations_by_id(ids)
		}

		/// The open relations of a resource's items, at its current version, by id.
		pub fn relations_of_resource(resource: ResourceId) -> Vec<(RelationId, Relation<T>)> {
			let Some(current) = pallet_data_sources::Resources::<T>::get(resource) else {
				return Vec::new();
			};
			let ids = RelationOfItem::<T>::iter_key_prefix(((resource, current.version),))
				.map(|(_, id)| id);
			Self::relations_by_id(ids)
		}

		/// Up to `limit` open relations between items of two data sources (either way round),
		/// skipping the first `skip` (an order fixed for a given block).
		pub fn relations_between(
			source: SourceId,
			other: SourceId,
			skip: u32,
			limit: u32,
		) -> Vec<(RelationId, Relation<T>)> {
			RelationOfSource::<T>::iter_key_prefix(source)
				.filter_map(|id| Relations::<T>::get(id).map(|relation| (id, relation)))
				.filter(|(_, r)| {
					(r.left.source == source && r.right.source == other)
						|| (r.right.source == source && r.left.source == other)
				})
				.skip(skip as usize)
				.take(limit as usize)
				.collect()
		}

		/// Up to `limit` relations awaiting an institution's decision, skipping the first
		/// `skip` (an order fixed for a given block).
		pub fn awaiting(
			institution: InstitutionId,
			skip: u32,
			limit: u32,
		) -> Vec<(RelationId, Relation<T>)> {
			let ids = AwaitingDecision::<T>::iter_key_prefix(institution)
				.skip(skip as usize)
				.take(limit as usize);
			Self::relations_by_id(ids)
		}

		fn relations_by_id(
			ids: impl Iterator<Item = RelationId>,
		) -> Vec<(RelationId, Relation<T>)> {
			let mut found: Vec<(RelationId, Relation<T>)> =
				ids.filter_map(|id| Relations::<T>::get(id).map(|r| (id, r))).collect();
			found.sort_by_key(|(id, _)| *id);
			found.dedup_by_key(|(id, _)| *id);
			found
		}
	}
}
