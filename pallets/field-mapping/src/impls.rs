//! The pallet's logic, behind its thin call.

use alloc::collections::BTreeSet;
use frame_support::{ensure, pallet_prelude::*};
use pallet_data_sources::{is_valid_text, InstitutionId, ResourceId, Version, Versions};
use sp_runtime::DispatchError;
use sp_runtime::DispatchResult;

use crate::{pallet::*, types::*};

impl<T: Config> Pallet<T> {
	fn check_item(item: &ItemInfo<T>) -> DispatchResult {
		ensure!(is_valid_text(&item.name), Error::<T>::InvalidName);
		ensure!(core::str::from_utf8(item.definition.as_bytes()).is_ok(), Error::<T>::InvalidName);
		ensure!(!item.data_type.is_empty() && item.data_type.is_ascii(), Error::<T>::InvalidType);
		if let Some(element) = &item.standard_element {
			ensure!(is_valid_element_id(element.as_bytes()), Error::<T>::InvalidElementId);
		}
		Ok(())
	}

	pub(crate) fn do_register_items(
		institution: InstitutionId,
		resource_id: ResourceId,
		version: Version,
		items: BoundedVec<ItemInfo<T>, <T as Config>::MaxItemsPerCall>,
	) -> Result<u32, DispatchError> {
		let (resource, _) =
			pallet_data_sources::Pallet::<T>::owned_active_resource(institution, resource_id)?;
		ensure!(version <= resource.version, Error::<T>::NotFound);
		ensure!(version == resource.version, Error::<T>::StaleVersion);
		let declared =
			Versions::<T>::get(resource_id, version).ok_or(Error::<T>::NotFound)?.item_count;
		ensure!(!items.is_empty(), Error::<T>::NoItems);
		let key = (resource_id, version);
		let have = ItemCount::<T>::get(key);
		// At most `MaxItemsPerCall` more: no overflow.
		let total = have.saturating_add(items.len() as u32);
		ensure!(total <= declared, Error::<T>::TooManyItems);
		let mut names = BTreeSet::new();
		for item in &items {
			Self::check_item(item)?;
			ensure!(names.insert(&item.name), Error::<T>::Duplicate);
			ensure!(!Items::<T>::contains_key(key, &item.name), Error::<T>::Duplicate);
		}
		let now = frame_system::Pallet::<T>::block_number();
		let (mut carried, mut superseded) = (0u32, 0u32);
		for (position, info) in (have..).zip(items) {
			let name = info.name.clone();
			if let Some(previous) = version.checked_sub(1) {
				let unchanged = Items::<T>::get((resource_id, previous), &name)
					.is_some_and(|old| old.info == info);
				let (c, s) = Self::carry_over_item(resource_id, version, &name, unchanged)?;
				carried = carried.saturating_add(c);
				superseded = superseded.saturating_add(s);
			}
			Items::<T>::insert(key, name, DataItem { info, position, registered: now });
		}
		ItemCount::<T>::insert(key, total);
		let complete = total == declared;
		if complete {
			superseded = superseded.saturating_add(Self::supersede_dropped(resource_id, version)?);
		}
		Self::deposit_event(Event::ItemsRegistered {
			resource: resource_id,
			version,
			count: total.saturating_sub(have),
			complete,
		});
		if carried > 0 || superseded > 0 {
			Self::deposit_event(Event::RelationsCarriedOver {
				resource: resource_id,
				version,
				carried,
				superseded,
			});
		}
		Ok(carried.saturating_add(superseded))
	}

	/// The pallet's invariants: every item's resource version exists, counts match the items,
	/// positions are 0..count, and no version has more items than it declared.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		Self::do_try_state_relations()?;
		for ((resource, version), count) in ItemCount::<T>::iter() {
			let declared = Versions::<T>::get(resource, version)
				.ok_or("items of a missing resource version")?
				.item_count;
			ensure!(count <= declared, "more items than the version declared");
			let mut positions: alloc::vec::Vec<u32> =
				Items::<T>::iter_prefix_values((resource, version))
					.map(|item| item.position)
					.collect();
			positions.sort();
			ensure!(
				positions.iter().copied().eq(0..count),
				"item positions do not run from 0 to the count"
			);
		}
		ensure!(
			Items::<T>::iter_keys().all(|(key, _)| ItemCount::<T>::contains_key(key)),
			"items without a count"
		);
		for ((resource, version), name, item) in Items::<T>::iter() {
			ensure!(item.info.name == name, "an item stored under another name");
			ensure!(
				pallet_data_sources::Resources::<T>::contains_key(resource),
				"an item's resource is missing"
			);
			let _ = version;
		}
		Ok(())
	}
}
