//! Wire names on the client side: parsing them with a message that lists the choices, and
//! writing them in JSON. Each type's names are defined once, beside the type
//! ([`medtrust_primitives::wire`]).

pub use medtrust_primitives::wire::{one_of, WireName};

use crate::{Error, Result};

/// The value of a wire name, or an error naming the set and listing its names.
pub fn parse<T: WireName>(name: &str) -> Result<T> {
	T::from_wire_name(name).ok_or_else(|| {
		Error::Input(format!("unknown {} `{name}`: one of {}", T::WHAT, one_of::<T>()))
	})
}

/// Serialises a list of values as their wire names (`#[serde(serialize_with = …)]`).
pub fn serialize_names<T: WireName, S: serde::Serializer>(
	values: &[T],
	serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
	serializer.collect_seq(values.iter().map(|v| v.wire_name()))
}

/// One value as its wire name in JSON: `#[serde(with = "crate::wire::name")]`.
pub mod name {
	use super::WireName;

	/// Writes the value's wire name.
	pub fn serialize<T: WireName, S: serde::Serializer>(
		value: &T,
		serializer: S,
	) -> std::result::Result<S::Ok, S::Error> {
		serializer.serialize_str(value.wire_name())
	}

	/// Reads a wire name, refusing unknown ones with the choices.
	pub fn deserialize<'de, T: WireName, D: serde::Deserializer<'de>>(
		deserializer: D,
	) -> std::result::Result<T, D::Error> {
		let name = <String as serde::Deserialize>::deserialize(deserializer)?;
		super::parse(&name).map_err(serde::de::Error::custom)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_data_sources::{Operation, SystemKind};

	#[test]
	fn unknown_names_are_refused_with_the_choices() {
		assert_eq!(parse::<SystemKind>("lis").expect("a system"), SystemKind::Lis);
		let e = parse::<SystemKind>("SAP").unwrap_err().to_string();
		assert_eq!(e, "unknown system `SAP`: one of HIS, LIS, PACS, EMR, RIS, CDR or OTHER");
		let json = serde_json::to_string(&Names(vec![Operation::Collect, Operation::Deidentify]))
			.expect("serialised");
		assert_eq!(json, r#"["collect","deidentify"]"#);
	}

	#[derive(serde::Serialize)]
	struct Names(#[serde(serialize_with = "serialize_names")] Vec<Operation>);
}
