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
//! ## Calls
//!
//! [`Pallet::register_items`], by an account of the institution owning the resource's source.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use pallet_data_sources::{ResourceId, Version};

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

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An institution registered `count` data items of a resource version; `complete`
		/// once the version has all the items it declared.
		ItemsRegistered { resource: ResourceId, version: Version, count: u32, complete: bool },
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
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::register_items(items.len() as u32))]
		pub fn register_items(
			origin: OriginFor<T>,
			resource: ResourceId,
			version: Version,
			items: BoundedVec<ItemInfo<T>, <T as Config>::MaxItemsPerCall>,
		) -> DispatchResult {
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_register_items(institution, resource, version, items)
		}
	}

	/// Read queries, for the runtime API.
	impl<T: Config> Pallet<T> {
		/// Up to `limit` items of a resource version from position `start` on, by position.
		pub fn items(
			resource: ResourceId,
			version: Version,
			start: u32,
			limit: u32,
		) -> Vec<DataItem<T>> {
			let mut all: Vec<DataItem<T>> =
				Items::<T>::iter_prefix_values((resource, version)).collect();
			all.sort_by_key(|item| item.position);
			all.into_iter().filter(|item| item.position >= start).take(limit as usize).collect()
		}
	}
}
