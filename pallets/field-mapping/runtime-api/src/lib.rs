//! The data items' read queries, as a runtime API: in the metadata, so Polkadot.js Apps, subxt
//! and the node's `medtrust_*` JSON-RPC methods can call them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
use pallet_data_sources::{ResourceId, Version};
pub use pallet_field_mapping::{DataItem, ItemInfo};

sp_api::decl_runtime_apis! {
	/// The data items of resource versions.
	pub trait FieldMappingApi<Item> where
		Item: Codec,
	{
		/// Up to `limit` items of a resource version from position `start` on, by position.
		fn items(resource: ResourceId, version: Version, start: u32, limit: u32) -> Vec<Item>;
		/// How many items a resource version has registered so far.
		fn item_count(resource: ResourceId, version: Version) -> u32;
	}
}
