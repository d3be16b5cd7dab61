//! The types of data items: a resource version's fields.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	CloneNoBound, DebugNoBound, EqNoBound, OrdNoBound, PartialEqNoBound, PartialOrdNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use medtrust_primitives::text::BoundedText;
use pallet_data_sources::{InstitutionId, ResourceId, SourceId, Version};
use scale_info::TypeInfo;
use sp_runtime::Permill;

use crate::Config;

/// A data item's name, unique in its resource version (UTF-8, often Chinese for interface
/// parameters; a column name for tables).
pub type ItemName<T> = pallet_data_sources::Name<T>;

/// Which values a data item takes.
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
pub enum ValueDomain<T: Config> {
	/// Codes of a code system, by its identifier (e.g. `GB/T 2261.1`, `ICD-10`, an OID).
	CodeSystem(BoundedText<T::MaxTextLen>),
	/// An enumeration, by the BLAKE2b-256 hash of its sorted values (the values stay off
	/// chain).
	Enumerated([u8; 32]),
}

/// The description of one field, as registered.
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
pub struct ItemInfo<T: Config> {
	/// Its name.
	pub name: ItemName<T>,
	/// Its data type as the source names it (`varchar`, `numeric`, `string`, `integer` …).
	pub data_type: BoundedText<T::MaxTypeLen>,
	/// Its maximum length, in characters, if bounded.
	pub length: Option<u32>,
	/// Its numeric precision (total digits), if numeric.
	pub precision: Option<u32>,
	/// Its numeric scale (digits after the point), if numeric.
	pub scale: Option<u32>,
	/// Whether it may be empty (null).
	pub nullable: bool,
	/// What it means (a column comment, a parameter description), UTF-8.
	pub definition: BoundedText<T::MaxTextLen>,
	/// Which values it takes, if known.
	pub value_domain: Option<ValueDomain<T>>,
	/// Its unit of measure (`mmol/L`, `kg`), if any.
	pub unit: Option<BoundedText<T::MaxUnitLen>>,
	/// The standard data element it carries (WS 363 / WS 445 identifier, e.g.
	/// `DE02.01.039.00`), if mapped.
	pub standard_element: Option<BoundedText<T::MaxUnitLen>>,
}

/// A data item as stored: its description, position and registration block.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct DataItem<T: Config> {
	/// What was registered.
	pub info: ItemInfo<T>,
	/// Its position in the resource version (0 for the first registered).
	pub position: u32,
	/// The block it was registered in.
	pub registered: BlockNumberFor<T>,
}

/// A relation's on-chain id, assigned in order of proposal.
pub type RelationId = u64;

/// One data item of one resource version.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	PartialOrdNoBound,
	OrdNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct ItemRef<T: Config> {
	/// The resource.
	pub resource: ResourceId,
	/// Its schema version.
	pub version: Version,
	/// The item's name in that version.
	pub item: ItemName<T>,
}

/// How two data items relate (数据来源确认): what the matcher found and both owners confirm.
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
pub enum RelationKind {
	/// The same data, kept by two sources (同类).
	Same,
	/// Logically related (关联): another unit, a part, a derived value.
	Related,
	/// Similarly named (名称相似), not (yet) known to be the same data.
	SimilarName,
	/// The same name, but another value domain (名称相同但值域不同).
	SameNameDifferentDomain,
	/// The same name, but another business meaning (名称相同但业务含义不同).
	SameNameDifferentMeaning,
}

impl RelationKind {
	/// Whether the kind says the two items have the same name.
	pub fn is_same_name(self) -> bool {
		matches!(self, Self::SameNameDifferentDomain | Self::SameNameDifferentMeaning)
	}
}

medtrust_primitives::wire_names!(RelationKind, "relation kind" {
	Same => "same",
	Related => "related",
	SimilarName => "similar-name",
	SameNameDifferentDomain => "same-name-different-domain",
	SameNameDifferentMeaning => "same-name-different-meaning",
});

/// Where a relation stands.
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
pub enum RelationStatus {
	/// Proposed, awaiting an owner's acceptance.
	Proposed,
	/// Accepted by an account of every owning institution.
	Confirmed,
	/// Rejected by an owning institution.
	Rejected,
	/// Withdrawn: by its proposer while proposed, or by an owner once confirmed.
	Withdrawn,
	/// An item changed or went away in a new schema version of its resource.
	Superseded,
}

impl RelationStatus {
	/// Whether the relation still stands or may yet (proposed or confirmed).
	pub fn is_open(self) -> bool {
		matches!(self, Self::Proposed | Self::Confirmed)
	}
}

medtrust_primitives::wire_names!(RelationStatus, "relation status" {
	Proposed => "proposed",
	Confirmed => "confirmed",
	Rejected => "rejected",
	Withdrawn => "withdrawn",
	Superseded => "superseded",
});

/// What an institution proposes: two items, how they relate, how sure the matcher (or the
/// person) is, and the hash of the evidence (canonical JSON, kept off chain).
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
pub struct RelationProposal<T: Config> {
	/// One item.
	pub left: ItemRef<T>,
	/// The other item.
	pub right: ItemRef<T>,
	/// How they relate.
	pub kind: RelationKind,
	/// How sure the proposer is, from 0 to 1.
	pub score: Permill,
	/// BLAKE2b-256 of the evidence's canonical JSON (RFC 8785).
	pub evidence: [u8; 32],
}

/// One side of a relation: the item, its source and owning institution (as when proposed),
/// and whether that institution accepted.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Endpoint<T: Config> {
	/// The item.
	pub item: ItemRef<T>,
	/// The data source of its resource.
	pub source: SourceId,
	/// The institution owning that source.
	pub institution: InstitutionId,
	/// Whether an account of that institution accepted the relation.
	pub accepted: bool,
}

/// A relation between two data items, as stored.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Relation<T: Config> {
	/// One side.
	pub left: Endpoint<T>,
	/// The other side.
	pub right: Endpoint<T>,
	/// How they relate.
	pub kind: RelationKind,
	/// How sure the proposer was, from 0 to 1.
	pub score: Permill,
	/// BLAKE2b-256 of the evidence's canonical JSON.
	pub evidence: [u8; 32],
	/// The institution that proposed it.
	pub proposer: InstitutionId,
	/// Where it stands.
	pub status: RelationStatus,
	/// The block it was proposed in.
	pub proposed: BlockNumberFor<T>,
	/// The block of its last change of status or version (its proposal's block until then).
	pub updated: BlockNumberFor<T>,
}

impl<T: Config> Relation<T> {
	/// Both endpoints' institutions have accepted.
	pub fn fully_accepted(&self) -> bool {
		self.left.accepted && self.right.accepted
	}
}

/// Whether two item names are the same name, ignoring ASCII case and the separators `_`,
/// `-`, `.` and spaces (`patient_name`, `PatientName`, `PATIENT-NAME`).
pub fn same_name(a: &[u8], b: &[u8]) -> bool {
	let folded = |name: &[u8]| {
		name.iter()
			.filter(|c| !matches!(c, b'_' | b'-' | b'.' | b' '))
			.map(u8::to_ascii_lowercase)
			.collect::<alloc::vec::Vec<u8>>()
	};
	folded(a) == folded(b)
}

/// Whether `id` is a standard data element identifier: `DE` then `dd.dd.ddd.dd`
/// (WS 363 and WS 445 write them so, e.g. `DE02.01.039.00`).
pub fn is_valid_element_id(id: &[u8]) -> bool {
	let Some(rest) = id.strip_prefix(b"DE") else { return false };
	let groups = [2usize, 2, 3, 2];
	let mut parts = rest.split(|c| *c == b'.');
	for len in groups {
		match parts.next() {
			Some(part) if part.len() == len && part.iter().all(u8::is_ascii_digit) => {}
			_ => return false,
		}
	}
	parts.next().is_none()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn element_ids_follow_ws_363() {
		assert!(is_valid_element_id(b"DE02.01.039.00"));
		assert!(is_valid_element_id(b"DE04.50.001.00"));
		assert!(!is_valid_element_id(b"DE02.01.039"));
		assert!(!is_valid_element_id(b"DE02.01.039.00.1"));
		assert!(!is_valid_element_id(b"DX02.01.039.00"));
		assert!(!is_valid_element_id(b"DE2.01.039.00"));
		assert!(!is_valid_element_id(b"DE02.01.03a.00"));
		assert!(!is_valid_element_id(b""));
	}

	#[test]
	fn same_names_ignore_case_and_separators_only() {
		assert!(same_name(b"patient_name", b"PatientName"));
		assert!(same_name(b"PATIENT-NAME", b"patient name"));
		assert!(same_name("患者姓名".as_bytes(), "患者姓名".as_bytes()));
		assert!(!same_name(b"patient_name", b"patient_id"));
		assert!(!same_name("患者姓名".as_bytes(), "病人姓名".as_bytes()));
	}
}
