//! The types of the data catalog: business domains, data sources, resources and their versions.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use medtrust_primitives::text::BoundedText;
use scale_info::TypeInfo;

use crate::Config;

/// An institution's id, as `pallet-consortium` assigns it.
pub type InstitutionId = u32;
/// A data source's on-chain id, assigned in order of registration.
pub type SourceId = u64;
/// A resource's on-chain id, assigned in order of registration (over all sources).
pub type ResourceId = u64;
/// A resource's schema version: 1 for the first, one more for every schema change.
pub type Version = u32;

/// A business domain's code, e.g. `OUTPATIENT` (ASCII capitals, digits, `_` and `-`).
pub type DomainCode<T> = BoundedText<<T as Config>::MaxCodeLen>;
/// A UTF-8 name (Chinese names are usual; limits count bytes, three per character).
pub type Name<T> = BoundedText<<T as Config>::MaxNameLen>;
/// A UTF-8 description.
pub type Description<T> = BoundedText<<T as Config>::MaxDescriptionLen>;
/// A locator: a database, schema, table, protocol, path, file pattern or storage address.
pub type Locator<T> = BoundedText<<T as Config>::MaxLocatorLen>;

/// A medical business (门诊, 住院, 检验 …): which data it shares, and whether the consortium
/// anchors its data.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Domain<T: Config> {
	/// Its name, e.g. `门诊`.
	pub name: Name<T>,
	/// What the business is.
	pub description: Description<T>,
	/// The data domains it shares with other business (e.g. `patient`, `diagnosis`).
	pub shared_data: BoundedVec<DomainCode<T>, T::MaxSharedData>,
	/// Whether its data may be anchored (decided by the consortium).
	pub in_scope: bool,
	/// The block it was added in.
	pub registered: BlockNumberFor<T>,
}

/// What governance supplies to add or change a business domain.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct DomainInfo<T: Config> {
	/// Its name.
	pub name: Name<T>,
	/// What the business is.
	pub description: Description<T>,
	/// The data domains it shares with other business.
	pub shared_data: BoundedVec<DomainCode<T>, T::MaxSharedData>,
}

/// The kind of system a data source is.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum SystemKind {
	/// Hospital information system (医院信息系统).
	His,
	/// Laboratory information system (检验信息系统).
	Lis,
	/// Picture archiving and communication system (影像归档和通信系统).
	Pacs,
	/// Electronic medical record (电子病历).
	Emr,
	/// Radiology information system (放射信息系统).
	Ris,
	/// Clinical data repository or data platform (临床数据中心).
	Cdr,
	/// Anything else; its name says what.
	Other,
}

/// Whether a data source is in use.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum SourceStatus {
	/// In use: resources may be registered and versioned.
	Active,
	/// Out of use: kept readable, nothing new may be registered under it.
	Retired,
}

/// One system of one institution that data comes from.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Source<T: Config> {
	/// The institution that owns it: only its accounts may change it.
	pub institution: InstitutionId,
	/// Its name, e.g. `门诊HIS`.
	pub name: Name<T>,
	/// What kind of system it is.
	pub system: SystemKind,
	/// The business domains it serves.
	pub domains: BoundedVec<DomainCode<T>, T::MaxDomainsPerSource>,
	/// Active or retired.
	pub status: SourceStatus,
	/// The block it was registered in.
	pub registered: BlockNumberFor<T>,
	/// How many resources it has.
	pub resource_count: u32,
}

/// What a resource is, and where to find it inside its source.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub enum ResourceKind<T: Config> {
	/// A database table.
	Table {
		/// The database, e.g. `his`.
		database: Locator<T>,
		/// The schema, e.g. `public`.
		schema: Locator<T>,
		/// The table, e.g. `patient`.
		table: Locator<T>,
	},
	/// A service interface.
	Interface {
		/// The protocol, e.g. `HTTP`, `HL7v2`, `WebService`.
		protocol: Locator<T>,
		/// The method, e.g. `GET`, or an operation name.
		method: Locator<T>,
		/// The path, e.g. `/lab/results/{id}`.
		path: Locator<T>,
	},
	/// A set of files.
	FileSet {
		/// The files' pattern, e.g. `/data/pacs/*.dcm`.
		pattern: Locator<T>,
	},
}

/// A processing operation applied to a resource's data.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
)]
pub enum Operation {
	/// 采集: collected from its origin.
	Collect,
	/// 清洗: errors and duplicates removed.
	Clean,
	/// 转换: converted to another structure or code system.
	Transform,
	/// 脱敏: de-identified.
	Deidentify,
	/// 汇总: aggregated.
	Aggregate,
	/// 存储: stored.
	Store,
	/// 共享: shared with another institution.
	Share,
	/// 衍生: derived by computation.
	Derive,
}

/// A database table, service interface or file set of a data source.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Resource<T: Config> {
	/// The source it belongs to.
	pub source: SourceId,
	/// Its name, unique in its source (e.g. `public.patient`, `GET /lab/results`).
	pub name: Name<T>,
	/// What it is and where inside its source.
	pub kind: ResourceKind<T>,
	/// Where its data is stored (host, URL or path; no credentials).
	pub address: Locator<T>,
	/// The processing operations applied to its data, in order.
	pub operations: BoundedVec<Operation, T::MaxOperations>,
	/// Its current schema version (1 and up).
	pub version: Version,
	/// The block it was registered in.
	pub registered: BlockNumberFor<T>,
}

/// One schema version of a resource. Old versions stay queryable.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct ResourceVersion<T: Config> {
	/// The hash of the schema (BLAKE2b-256 of its canonical description, computed by the
	/// importer).
	pub schema_hash: [u8; 32],
	/// How many data items the schema has; items are registered up to this number.
	pub item_count: u32,
	/// The block the version was registered in.
	pub registered: BlockNumberFor<T>,
}

/// A business domain in the genesis configuration (a chain spec's JSON).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisDomain {
	/// Its code, e.g. `OUTPATIENT`.
	pub code: alloc::string::String,
	/// Its name.
	pub name: alloc::string::String,
	/// What the business is.
	pub description: alloc::string::String,
	/// The data domains it shares with other business.
	pub shared_data: alloc::vec::Vec<alloc::string::String>,
	/// Whether its data may be anchored.
	pub in_scope: bool,
}

/// Whether a domain code is well formed: not empty, ASCII capitals, digits, `_` and `-`.
pub fn is_valid_code(code: impl AsRef<[u8]>) -> bool {
	let code = code.as_ref();
	!code.is_empty()
		&& code
			.iter()
			.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

/// Whether a shared data-domain name is well formed: not empty, ASCII lower-case letters,
/// digits, `_` and `-`.
pub fn is_valid_data_domain(name: impl AsRef<[u8]>) -> bool {
	let name = name.as_ref();
	!name.is_empty()
		&& name
			.iter()
			.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

/// Whether a name is usable: not empty and UTF-8.
pub fn is_valid_text(text: impl AsRef<[u8]>) -> bool {
	let text = text.as_ref();
	!text.is_empty() && core::str::from_utf8(text).is_ok()
}
medtrust_primitives::wire_names!(SystemKind, "system" {
	His => "HIS",
	Lis => "LIS",
	Pacs => "PACS",
	Emr => "EMR",
	Ris => "RIS",
	Cdr => "CDR",
	Other => "OTHER",
});

medtrust_primitives::wire_names!(SourceStatus, "source status" {
	Active => "active",
	Retired => "retired",
});

medtrust_primitives::wire_names!(Operation, "operation" {
	Collect => "collect",
	Clean => "clean",
	Transform => "transform",
	Deidentify => "deidentify",
	Aggregate => "aggregate",
	Store => "store",
	Share => "share",
	Derive => "derive",
});
