//! Serde for closed sets by their wire names (`#[serde(with = "crate::wire::name")]`, and
//! `names` for lists, `optional` for options): written as the name, read back refusing an
//! unknown one with the choices.

pub use medtrust_primitives::wire::{one_of, WireName};

/// The value of a wire name, or an error naming the set and listing its names.
pub fn parse<T: WireName>(name: &str) -> Result<T, String> {
	T::from_wire_name(name)
		.ok_or_else(|| format!("unknown {} `{name}`: one of {}", T::WHAT, one_of::<T>()))
}

/// One value as its wire name.
pub mod name {
	use super::WireName;

	/// Writes the value's wire name.
	pub fn serialize<T: WireName, S: serde::Serializer>(
		value: &T,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(value.wire_name())
	}

	/// Reads a wire name, refusing unknown ones with the choices.
	pub fn deserialize<'de, T: WireName, D: serde::Deserializer<'de>>(
		deserializer: D,
	) -> Result<T, D::Error> {
		let name = <String as serde::Deserialize>::deserialize(deserializer)?;
		super::parse(&name).map_err(serde::de::Error::custom)
	}
}

/// A list of values as their wire names.
pub mod names {
	use super::WireName;

	/// Writes the values' wire names.
	pub fn serialize<T: WireName, S: serde::Serializer>(
		values: &[T],
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		serializer.collect_seq(values.iter().map(|v| v.wire_name()))
	}

	/// Reads wire names, refusing unknown ones with the choices.
	pub fn deserialize<'de, T: WireName, D: serde::Deserializer<'de>>(
		deserializer: D,
	) -> Result<Vec<T>, D::Error> {
		let names = <Vec<String> as serde::Deserialize>::deserialize(deserializer)?;
		names.iter().map(|n| super::parse(n).map_err(serde::de::Error::custom)).collect()
	}
}

/// An optional value as its wire name, or `null`.
pub mod optional {
	use super::WireName;

	/// Writes the value's wire name, or `null`.
	pub fn serialize<T: WireName, S: serde::Serializer>(
		value: &Option<T>,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		match value {
			Some(v) => serializer.serialize_some(v.wire_name()),
			None => serializer.serialize_none(),
		}
	}

	/// Reads a wire name or `null`, refusing unknown names with the choices.
	pub fn deserialize<'de, T: WireName, D: serde::Deserializer<'de>>(
		deserializer: D,
	) -> Result<Option<T>, D::Error> {
		let name = <Option<String> as serde::Deserialize>::deserialize(deserializer)?;
		name.map(|n| super::parse(&n).map_err(serde::de::Error::custom)).transpose()
	}
}

#[cfg(test)]
mod tests {
	use pallet_data_sources::{Operation, SystemKind};
	use serde::{Deserialize, Serialize};

	#[derive(Debug, PartialEq, Serialize, Deserialize)]
	struct Shape {
		#[serde(with = "super::name")]
		system: SystemKind,
		#[serde(with = "super::names")]
		operations: Vec<Operation>,
		#[serde(with = "super::optional", default)]
		other: Option<SystemKind>,
	}

	#[test]
	fn closed_sets_travel_by_wire_name_and_unknown_names_are_refused_with_the_choices() {
		let shape = Shape {
			system: SystemKind::Lis,
			operations: vec![Operation::Collect, Operation::Deidentify],
			other: None,
		};
		let json = serde_json::to_string(&shape).unwrap();
		assert_eq!(json, r#"{"system":"LIS","operations":["collect","deidentify"],"other":null}"#);
		assert_eq!(serde_json::from_str::<Shape>(&json).unwrap(), shape);
		let sap = r#"{"system":"SAP","operations":[]}"#;
		let e = serde_json::from_str::<Shape>(sap).unwrap_err().to_string();
		assert!(e.contains("unknown system `SAP`: one of HIS, LIS"), "{e}");
	}
}
