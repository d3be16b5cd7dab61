//! The data items' read queries, as a runtime API: in the metadata, so Polkadot.js Apps, subxt
//! and the node's `medtrust_*` JSON-RPC methods can call them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
use pallet_data_sources::{InstitutionId, ResourceId, SourceId, Version};
pub use pallet_field_mapping::{DataItem, ItemInfo, Relation, RelationId};

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

	/// Relations between data items (数据来源确认, requirement 4): proposed, confirmed and
	/// closed relations, and the proposals awaiting an institution.
	pub trait RelationsApi<Rel> where
		Rel: Codec,
	{
		/// One relation, whatever its status.
		fn relation(id: RelationId) -> Option<Rel>;
		/// The open relations of one data item (its name's UTF-8 bytes), by id.
		fn relations_of_item(resource: ResourceId, version: Version, item: Vec<u8>) -> Vec<(RelationId, Rel)>;
		/// The open relations of a resource's items at its current version, by id.
		fn relations_of_resource(resource: ResourceId) -> Vec<(RelationId, Rel)>;
		/// Up to `limit` open relations between two sources' items, skipping `skip`.
		fn relations_between(source: SourceId, other: SourceId, skip: u32, limit: u32) -> Vec<(RelationId, Rel)>;
		/// Up to `limit` proposals awaiting an institution's decision, skipping `skip`.
		fn awaiting(institution: InstitutionId, skip: u32, limit: u32) -> Vec<(RelationId, Rel)>;
		/// The id the next proposed relation gets (how many were ever proposed).
		fn next_relation_id() -> RelationId;
	}
}
