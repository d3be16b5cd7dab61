//! The data catalog's read queries (business domains, data sources, resources and their
//! versions), as a runtime API: in the metadata, so Polkadot.js Apps, subxt and the node's
//! `medtrust_*` JSON-RPC methods can call them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_data_sources::{InstitutionId, ResourceId, SourceId, Version};

sp_api::decl_runtime_apis! {
	/// Business domains, data sources, resources and schema versions.
	pub trait DataSourcesApi<DomainCode, Domain, Source, Resource, ResourceVersion> where
		DomainCode: Codec,
		Domain: Codec,
		Source: Codec,
		Resource: Codec,
		ResourceVersion: Codec,
	{
		/// Every business domain, by code.
		fn domains() -> Vec<(DomainCode, Domain)>;
		/// The sources of an institution, in id order.
		fn sources_of(institution: InstitutionId) -> Vec<(SourceId, Source)>;
		/// One source, if it exists.
		fn source(id: SourceId) -> Option<Source>;
		/// The resources of a source, in id order.
		fn resources_of(source: SourceId) -> Vec<(ResourceId, Resource)>;
		/// One resource, if it exists.
		fn resource(id: ResourceId) -> Option<Resource>;
		/// Every schema version of a resource, oldest first.
		fn versions(resource: ResourceId) -> Vec<(Version, ResourceVersion)>;
		/// Up to `limit` resources with ids from `start` on, with their versions: a page of
		/// the trusted verification catalog.
		fn catalog_page(start: ResourceId, limit: u32) -> Vec<(ResourceId, Resource, Vec<(Version, ResourceVersion)>)>;
		/// The id the next resource gets (resource ids run from 0 to this, exclusive).
		fn next_resource_id() -> ResourceId;
	}
}
