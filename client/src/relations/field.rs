//! What the matcher compares: data items with where they are registered, their data types'
//! families and their units' quantities (`client/data/units.tsv`, data, not code).

use std::{collections::HashMap, sync::OnceLock};

use medtrust_rpc_types::catalog::{FieldJson, ValueDomainJson};
use serde::{Deserialize, Serialize};

use super::profile::ValueProfile;

/// The units table in the repository, compiled in.
const UNITS: &str = include_str!("../../data/units.tsv");

/// A data item as the matcher sees it: where it is registered and what the catalog says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
	/// Where it is.
	#[serde(flatten)]
	pub at: Side,
	/// The institution owning its source.
	pub institution: u32,
	/// Its description, as registered.
	pub info: FieldJson<ValueDomainJson>,
	/// Its values' profile, if computed from the institution's database.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub profile: Option<ValueProfile>,
}

/// One side of a candidate relation: a data item of a registered resource version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
	/// The data source's id.
	pub source: u64,
	/// The data source's name.
	pub source_name: String,
	/// The resource's id.
	pub resource: u64,
	/// The resource's name as registered (e.g. `cdm.person`).
	pub resource_name: String,
	/// The resource's schema version.
	pub version: u32,
	/// The item's name.
	pub item: String,
}

/// The family of a data type, across database and interface type names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TypeFamily {
	/// Character strings.
	Text,
	/// Whole numbers.
	Integer,
	/// Numbers with a fraction.
	Decimal,
	/// Calendar dates.
	Date,
	/// Dates with a time of day.
	DateTime,
	/// Times of day.
	Time,
	/// True or false.
	Boolean,
	/// Bytes.
	Binary,
	/// Anything else (enumerations, user-defined types).
	Other,
}

impl TypeFamily {
	/// The family of a type name: `varchar(50)`, `character varying`, `int8`, `numeric`,
	/// `timestamp with time zone`, `string`, `date-time` …
	pub fn of(data_type: &str) -> TypeFamily {
		let t = data_type.to_ascii_lowercase();
		let t = t.split('(').next().unwrap_or_default().trim();
		let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
		if has(&["timestamp", "datetime", "date-time", "date time"]) {
			TypeFamily::DateTime
		} else if has(&["date"]) {
			TypeFamily::Date
		} else if has(&["time", "interval"]) {
			TypeFamily::Time
		} else if has(&["bool", "bit"]) {
			TypeFamily::Boolean
		} else if has(&["int", "serial", "long", "smallint"]) {
			TypeFamily::Integer
		} else if has(&["numeric", "decimal", "real", "double", "float", "money", "number"]) {
			TypeFamily::Decimal
		} else if has(&["char", "text", "string", "clob", "name", "uuid", "json", "xml"]) {
			TypeFamily::Text
		} else if has(&["bytea", "blob", "binary", "raw", "byte"]) {
			TypeFamily::Binary
		} else {
			TypeFamily::Other
		}
	}

	/// How well values of two families can hold the same data: 1 the same family, 0.7 close
	/// (whole and decimal numbers, dates with and without times), 0.4 one of them text (which
	/// holds anything), 0.1 otherwise.
	pub fn compatibility(self, other: TypeFamily) -> f64 {
		use TypeFamily::*;
		match (self, other) {
			(a, b) if a == b => 1.0,
			(Integer, Decimal) | (Decimal, Integer) | (Date, DateTime) | (DateTime, Date) => 0.7,
			(Text, _) | (_, Text) | (Other, _) | (_, Other) => 0.4,
			_ => 0.1,
		}
	}
}

/// How two units relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitRelation {
	/// The same unit.
	Same,
	/// Other units of the same quantity (`mmol/L` and `umol/L`; `kg` and `g`).
	SameQuantity,
	/// Units of different quantities (`mmol/L` and `mg/dL`: substance against mass
	/// concentration, which converts only through the analyte's molar mass).
	Convertible,
	/// Units of unrelated quantities, or one unknown.
	Different,
}

/// The quantity each unit measures.
fn unit_quantities() -> &'static HashMap<String, String> {
	static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
	TABLE.get_or_init(|| {
		UNITS
			.lines()
			.filter(|l| !l.starts_with('#') && !l.trim().is_empty())
			.filter_map(|l| l.split_once('\t'))
			.map(|(unit, quantity)| (fold_unit(unit), quantity.trim().to_string()))
			.collect()
	})
}

fn fold_unit(unit: &str) -> String {
	unit.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// The quantity a unit measures, if the table knows it.
pub fn quantity_of(unit: &str) -> Option<&'static str> {
	unit_quantities().get(&fold_unit(unit)).map(String::as_str)
}

/// How two units relate (`None` when either item has none).
pub fn unit_relation(a: Option<&str>, b: Option<&str>) -> Option<UnitRelation> {
	let (a, b) = (a?, b?);
	if fold_unit(a) == fold_unit(b) {
		return Some(UnitRelation::Same);
	}
	let relation = match (quantity_of(a), quantity_of(b)) {
		(Some(x), Some(y)) if x == y => UnitRelation::SameQuantity,
		(Some(x), Some(y)) if x.ends_with("concentration") && y.ends_with("concentration") => {
			UnitRelation::Convertible
		}
		_ => UnitRelation::Different,
	};
	Some(relation)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn type_names_of_several_systems_fall_into_families() {
		assert_eq!(TypeFamily::of("character varying(64)"), TypeFamily::Text);
		assert_eq!(TypeFamily::of("VARCHAR2"), TypeFamily::Text);
		assert_eq!(TypeFamily::of("string"), TypeFamily::Text);
		assert_eq!(TypeFamily::of("int8"), TypeFamily::Integer);
		assert_eq!(TypeFamily::of("bigint"), TypeFamily::Integer);
		assert_eq!(TypeFamily::of("numeric(6,2)"), TypeFamily::Decimal);
		assert_eq!(TypeFamily::of("timestamp with time zone"), TypeFamily::DateTime);
		assert_eq!(TypeFamily::of("date"), TypeFamily::Date);
		assert_eq!(TypeFamily::of("boolean"), TypeFamily::Boolean);
		assert_eq!(TypeFamily::of("USER-DEFINED"), TypeFamily::Other);
		assert_eq!(TypeFamily::Integer.compatibility(TypeFamily::Decimal), 0.7);
		assert_eq!(TypeFamily::Date.compatibility(TypeFamily::Boolean), 0.1);
	}

	#[test]
	fn units_of_one_quantity_convert_and_others_do_not() {
		assert_eq!(unit_relation(Some("mmol/L"), Some("MMOL/L")), Some(UnitRelation::Same));
		assert_eq!(unit_relation(Some("mmol/L"), Some("umol/L")), Some(UnitRelation::SameQuantity));
		assert_eq!(unit_relation(Some("mmol/L"), Some("mg/dL")), Some(UnitRelation::Convertible));
		assert_eq!(unit_relation(Some("kg"), Some("公斤")), Some(UnitRelation::SameQuantity));
		assert_eq!(unit_relation(Some("kg"), Some("cm")), Some(UnitRelation::Different));
		assert_eq!(unit_relation(Some("kg"), None), None);
	}
}
