//! Relations between data items (数据来源确认) as JSON: what the node's `medtrust_relationsGet*`
//! methods return and what the `medtrust` CLI reads. One definition for both sides (std only).

use pallet_field_mapping::{RelationKind, RelationStatus};
use serde::{Deserialize, Serialize};

use crate::catalog::BlockRef;

/// One side of a relation: a data item of a resource version, its source and owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointJson {
	/// The resource's id.
	pub resource: u64,
	/// The resource's schema version.
	pub version: u32,
	/// The item's name.
	pub item: String,
	/// The resource's data source.
	pub source: u64,
	/// The institution owning that source.
	pub institution: u32,
	/// Whether that institution accepted the relation.
	pub accepted: bool,
}

/// A relation between two data items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationJson {
	/// Its on-chain id.
	pub id: u64,
	/// One side.
	pub left: EndpointJson,
	/// The other side.
	pub right: EndpointJson,
	/// `same`, `related`, `similar-name`, `same-name-different-domain` or
	/// `same-name-different-meaning`.
	#[serde(with = "crate::wire::name")]
	pub kind: RelationKind,
	/// How sure the proposer was, from 0 to 1.
	pub score: f64,
	/// BLAKE2b-256 of the evidence's canonical JSON, `0x`-prefixed hex.
	pub evidence: String,
	/// The proposing institution.
	pub proposer: u32,
	/// `proposed`, `confirmed`, `rejected`, `withdrawn` or `superseded`.
	#[serde(with = "crate::wire::name")]
	pub status: RelationStatus,
	/// The block number it was proposed in.
	pub proposed: u32,
	/// The block number of its last change.
	pub updated: u32,
}

/// Relations read at one block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationsPage {
	/// The block they were read at.
	pub at: BlockRef,
	/// The relations, by id (for paged methods: in the chain's order of the page).
	pub relations: Vec<RelationJson>,
	/// For paged methods, the `skip` to ask for next, if there may be more.
	pub next: Option<u32>,
}
