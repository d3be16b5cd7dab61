//! The trusted verification catalog (可信验证目录) as JSON: what the node's `medtrust_*`
//! catalog methods return and what the `medtrust` CLI reads and exports. One definition for
//! both sides (std only).

use pallet_data_sources::{Operation, SourceStatus, SystemKind};
use serde::{Deserialize, Serialize};

/// A block, by number and hash (`0x`-prefixed hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockRef {
	/// The block number.
	pub number: u32,
	/// The block hash.
	pub hash: String,
}

/// A business domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainJson {
	/// Its code, e.g. `OUTPATIENT`.
	pub code: String,
	/// Its name, e.g. `门诊`.
	pub name: String,
	/// What the business is.
	pub description: String,
	/// The data domains it shares with other business.
	pub shared_data: Vec<String>,
	/// Whether its data may be anchored.
	pub in_scope: bool,
	/// The block number it was added in.
	pub registered: u32,
}

/// A data source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceJson {
	/// Its on-chain id.
	pub id: u64,
	/// The institution owning it.
	pub institution: u32,
	/// Its name.
	pub name: String,
	/// Its kind of system: `HIS`, `LIS`, `PACS`, `EMR`, `RIS`, `CDR` or `OTHER`.
	#[serde(with = "crate::wire::name")]
	pub system: SystemKind,
	/// The business domains it serves.
	pub domains: Vec<String>,
	/// `active` or `retired`.
	#[serde(with = "crate::wire::name")]
	pub status: SourceStatus,
	/// The block number it was registered in.
	pub registered: u32,
	/// How many resources it has.
	pub resource_count: u32,
}

/// What a resource is: a table, an interface or a file set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ResourceKindJson {
	/// A database table.
	Table {
		/// Its database.
		database: String,
		/// Its schema.
		schema: String,
		/// Its table.
		table: String,
	},
	/// A service interface.
	Interface {
		/// Its protocol.
		protocol: String,
		/// Its method.
		method: String,
		/// Its path.
		path: String,
	},
	/// A set of files.
	FileSet {
		/// Its files' pattern.
		pattern: String,
	},
}

/// A value domain: a code system or an enumeration's hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ValueDomainJson {
	/// A code system's identifier.
	CodeSystem(String),
	/// BLAKE2b-256 of the sorted enumerated values, hex.
	Enumerated(String),
}

/// What describes a field, as an importer reads it from a real system and as the chain
/// holds it; `V` is how its value domain is given (by an importer: a code system or the
/// values; by the chain: a code system or the values' hash). Its SCALE encoding, in this
/// field order, is part of a resource's schema hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, codec::Encode)]
#[serde(rename_all = "camelCase")]
pub struct FieldJson<V> {
	/// Its name.
	pub name: String,
	/// Its data type.
	pub data_type: String,
	/// Its maximum length.
	pub length: Option<u32>,
	/// Its numeric precision.
	pub precision: Option<u32>,
	/// Its numeric scale.
	pub scale: Option<u32>,
	/// Whether it may be null.
	pub nullable: bool,
	/// What it means.
	pub definition: String,
	/// Which values it takes.
	pub value_domain: Option<V>,
	/// Its unit.
	pub unit: Option<String>,
	/// Its standard data element (WS 363 / WS 445).
	pub standard_element: Option<String>,
}

/// A data item (field) as registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemJson {
	/// What describes it.
	#[serde(flatten)]
	pub field: FieldJson<ValueDomainJson>,
	/// Its position in its resource version (0 first).
	pub position: u32,
	/// The block number it was registered in.
	pub registered: u32,
}

impl core::ops::Deref for ItemJson {
	type Target = FieldJson<ValueDomainJson>;
	fn deref(&self) -> &Self::Target {
		&self.field
	}
}

/// One schema version of a resource, with its items if asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionJson {
	/// The version number (1 first).
	pub version: u32,
	/// The schema hash, `0x`-prefixed hex.
	pub schema_hash: String,
	/// How many items the schema declares.
	pub item_count: u32,
	/// How many items are registered (equal to `item_count` once complete).
	pub registered_items: u32,
	/// The block number it was registered in.
	pub registered: u32,
	/// Its items, by position (empty where not asked for).
	#[serde(default)]
	pub items: Vec<ItemJson>,
}

/// A resource with its versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceJson {
	/// Its on-chain id.
	pub id: u64,
	/// Its source's id.
	pub source: u64,
	/// Its name, unique in its source.
	pub name: String,
	/// What and where it is.
	pub kind: ResourceKindJson,
	/// Its storage address.
	pub address: String,
	/// The processing operations applied, in order (`collect`, `clean`, …).
	#[serde(with = "crate::wire::names")]
	pub operations: Vec<Operation>,
	/// Its current version.
	pub version: u32,
	/// The block number it was registered in.
	pub registered: u32,
	/// Its versions, oldest first.
	pub versions: Vec<VersionJson>,
}

/// One page of items of a resource version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemsPage {
	/// The block the page was read at.
	pub at: BlockRef,
	/// The items, by position.
	pub items: Vec<ItemJson>,
	/// The position to ask for next, if there are more.
	pub next: Option<u32>,
}

/// One entry of the trusted verification catalog: a resource, its source, versions and items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogEntry {
	/// The source the resource belongs to.
	pub source: SourceJson,
	/// The resource, with every version and each version's items.
	pub resource: ResourceJson,
}

/// One page of the trusted verification catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogPage {
	/// The block the page was read at; pass its hash to read the next pages at the same block.
	pub at: BlockRef,
	/// The entries, by resource id.
	pub entries: Vec<CatalogEntry>,
	/// The resource id to start the next page at, if there are more.
	pub next: Option<u64>,
}
