//! Lineage's read queries, as a runtime API: in the metadata, so Polkadot.js Apps, subxt and
//! the node's `medtrust_*` JSON-RPC methods can call them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_lineage::{ActivityId, AssetId, DatasetId, Direction, Reached, Walk};

sp_api::decl_runtime_apis! {
	/// The lineage graph: assets, activities, datasets, and walks over them.
	pub trait LineageApi<Asset, Activity, Dataset> where
		Asset: Codec,
		Activity: Codec,
		Dataset: Codec,
	{
		/// Assets by id (`None` for an id that is no asset), in the order asked.
		fn assets(ids: Vec<AssetId>) -> Vec<Option<Asset>>;
		/// One activity, if recorded.
		fn activity(id: ActivityId) -> Option<Activity>;
		/// The activities from `skip` on, at most `limit` (at most 1,000), in order of
		/// recording.
		fn activities(skip: ActivityId, limit: u32) -> Vec<(ActivityId, Activity)>;
		/// The activity of a run id, if recorded.
		fn activity_of_run(run_id: [u8; 16]) -> Option<ActivityId>;
		/// One dataset, if known.
		fn dataset(id: DatasetId) -> Option<Dataset>;
		/// The dataset of a namespace and name (UTF-8), if known.
		fn dataset_of(namespace: Vec<u8>, name: Vec<u8>) -> Option<(DatasetId, Dataset)>;
		/// The asset of a dataset edition's field, if known.
		fn field_of(edition: AssetId, name: Vec<u8>) -> Option<AssetId>;
		/// The field assets of a dataset edition (at most `MaxFieldsPerOutput`).
		fn fields_of(edition: AssetId) -> Vec<AssetId>;
		/// The asset of a certificate, if lineage mentions it.
		fn asset_of_certificate(certificate: u64) -> Option<AssetId>;
		/// The parts of activity `id` recorded so far and its count of parts, while it is being
		/// recorded in parts; `None` once it is complete (or if it is no activity).
		#[api_version(2)]
		fn open_run(id: ActivityId) -> Option<(u32, u32)>;
		/// Ancestors or descendants of an asset, breadth first (see `pallet_lineage::Pallet::walk`).
		fn walk(start: AssetId, direction: Direction, depth: u32, skip: u32, limit: u32) -> Option<Walk>;
	}
}
