//! The types of data items: a resource version's fields.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use medtrust_primitives::text::BoundedText;
use scale_info::TypeInfo;

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
}
