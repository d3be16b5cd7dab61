//! What an importer reads from a real system, before it goes on chain: resources with their
//! fields ([`ResourceSpec`], [`ItemSpec`]), checked against the runtime's [`Limits`].

use codec::Encode;
use medtrust_rpc_types::catalog::FieldJson;
use pallet_data_sources::Operation;
use serde::Serialize;

use crate::catalog::Error as CatalogError;
use crate::{
	runtime::runtime_types::{
		pallet_data_sources::types::ResourceKind,
		pallet_field_mapping::types::{ItemInfo, ValueDomain},
	},
	Result,
};

/// The limits the runtime puts on catalog entries, read from its metadata constants so that
/// bad input is refused before anything is sent.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
	pub max_name_len: u32,
	pub max_locator_len: u32,
	pub max_items_per_version: u32,
	pub max_items_per_call: u32,
	pub max_type_len: u32,
	pub max_text_len: u32,
	pub max_unit_len: u32,
}

/// What a resource is, as an importer describes it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum KindSpec {
	/// A database table.
	Table { database: String, schema: String, table: String },
	/// A service interface.
	Interface { protocol: String, method: String, path: String },
}

/// Which values a field takes.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ValueDomainSpec {
	/// A code system's identifier.
	CodeSystem(String),
	/// An enumeration: its values (only their hash goes on chain).
	Enumerated(Vec<String>),
}

impl ValueDomainSpec {
	/// BLAKE2b-256 of the sorted, de-duplicated values, each SCALE-encoded.
	pub fn enumeration_hash(values: &[String]) -> [u8; 32] {
		let mut sorted = values.to_vec();
		sorted.sort();
		sorted.dedup();
		sp_crypto_hashing::blake2_256(&sorted.encode())
	}
}

/// One field, as an importer describes it (its value domain by its values).
pub type ItemSpec = FieldJson<ValueDomainSpec>;

/// One resource with its fields, as an importer describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSpec {
	/// Its name, unique in its source (`schema.table`, `GET /path`).
	pub name: String,
	pub kind: KindSpec,
	/// Where it is stored (no credentials).
	pub address: String,
	/// What is done to its data.
	#[serde(with = "crate::wire::names")]
	pub operations: Vec<Operation>,
	pub items: Vec<ItemSpec>,
}

impl ResourceSpec {
	/// BLAKE2b-256 of the SCALE encoding of its kind and items, in order: what changes when
	/// the schema changes, and only then.
	pub fn schema_hash(&self) -> [u8; 32] {
		sp_crypto_hashing::blake2_256(&(&self.kind, &self.items).encode())
	}

	/// Checks it against the runtime's limits, naming the resource and field at fault.
	pub fn check(&self, limits: &Limits) -> Result<()> {
		let too_long = |what: &str, text: &str, max: u32| -> Result<()> {
			if text.len() > max as usize {
				let reason = format!(
					"{what} `{text}` is {} bytes, more than the chain's limit of {max}",
					text.len()
				);
				return Err(CatalogError::resource(&self.name, reason).into());
			}
			Ok(())
		};
		if self.name.is_empty() {
			return Err(CatalogError::resource("a resource", "has no name").into());
		}
		too_long("name", &self.name, limits.max_name_len)?;
		too_long("address", &self.address, limits.max_locator_len)?;
		let parts: Vec<&String> = match &self.kind {
			KindSpec::Table { database, schema, table } => vec![database, schema, table],
			KindSpec::Interface { protocol, method, path } => vec![protocol, method, path],
		};
		for part in parts {
			too_long("locator", part, limits.max_locator_len)?;
		}
		if self.items.len() > limits.max_items_per_version as usize {
			let reason = format!(
				"{} fields, more than the chain's limit of {}",
				self.items.len(),
				limits.max_items_per_version
			);
			return Err(CatalogError::resource(&self.name, reason).into());
		}
		let mut seen = std::collections::BTreeSet::new();
		for item in &self.items {
			if item.name.is_empty() {
				return Err(CatalogError::resource(&self.name, "a field without a name").into());
			}
			if !seen.insert(&item.name) {
				let reason = format!("the field `{}` appears twice", item.name);
				return Err(CatalogError::resource(&self.name, reason).into());
			}
			too_long("field name", &item.name, limits.max_name_len)?;
			too_long("data type", &item.data_type, limits.max_type_len)?;
			too_long("definition", &item.definition, limits.max_text_len)?;
			if let Some(ValueDomainSpec::CodeSystem(id)) = &item.value_domain {
				too_long("code system", id, limits.max_text_len)?;
			}
			if let Some(unit) = &item.unit {
				too_long("unit", unit, limits.max_unit_len)?;
			}
		}
		Ok(())
	}
}

/// Finds a standard data element identifier (`DE02.01.039.00`) in a text.
pub fn find_element_id(text: &str) -> Option<String> {
	let bytes = text.as_bytes();
	(0..bytes.len()).find_map(|i| {
		let candidate = text.get(i..i + 14)?;
		pallet_field_mapping::is_valid_element_id(candidate.as_bytes())
			.then(|| candidate.to_string())
	})
}

/// The resource kind as the `register_resource` call takes it (text is stored as text).
pub(crate) fn kind_call(kind: &KindSpec) -> ResourceKind {
	match kind.clone() {
		KindSpec::Table { database, schema, table } => {
			ResourceKind::Table { database, schema, table }
		}
		KindSpec::Interface { protocol, method, path } => {
			ResourceKind::Interface { protocol, method, path }
		}
	}
}

/// An item as the `register_items` call takes it (an enumeration by its values' hash).
pub fn item_call(item: &ItemSpec) -> ItemInfo {
	ItemInfo {
		name: item.name.clone(),
		data_type: item.data_type.clone(),
		length: item.length,
		precision: item.precision,
		scale: item.scale,
		nullable: item.nullable,
		definition: item.definition.clone(),
		value_domain: item.value_domain.as_ref().map(|v| match v {
			ValueDomainSpec::CodeSystem(id) => ValueDomain::CodeSystem(id.clone()),
			ValueDomainSpec::Enumerated(values) => {
				ValueDomain::Enumerated(ValueDomainSpec::enumeration_hash(values))
			}
		}),
		unit: item.unit.clone(),
		standard_element: item.standard_element.clone(),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn item(name: &str) -> ItemSpec {
		ItemSpec {
			name: name.into(),
			data_type: "varchar".into(),
			length: Some(20),
			precision: None,
			scale: None,
			nullable: false,
			definition: "患者姓名".into(),
			value_domain: None,
			unit: None,
			standard_element: None,
		}
	}

	fn spec(items: Vec<ItemSpec>) -> ResourceSpec {
		ResourceSpec {
			name: "public.patient".into(),
			kind: KindSpec::Table {
				database: "his".into(),
				schema: "public".into(),
				table: "patient".into(),
			},
			address: "127.0.0.1:5432/his".into(),
			operations: vec![Operation::Collect],
			items,
		}
	}

	const LIMITS: Limits = Limits {
		max_name_len: 256,
		max_locator_len: 256,
		max_items_per_version: 3,
		max_items_per_call: 2,
		max_type_len: 32,
		max_text_len: 512,
		max_unit_len: 32,
	};

	#[test]
	fn the_schema_hash_changes_with_the_schema_only() {
		let a = spec(vec![item("id"), item("name")]);
		let mut b = a.clone();
		b.address = "elsewhere".into();
		assert_eq!(a.schema_hash(), b.schema_hash());
		b.items[1].length = Some(40);
		assert_ne!(a.schema_hash(), b.schema_hash());
		let reordered = spec(vec![item("name"), item("id")]);
		assert_ne!(a.schema_hash(), reordered.schema_hash());
	}

	#[test]
	fn specs_over_the_limits_are_refused_with_the_field_named() {
		assert!(spec(vec![item("id")]).check(&LIMITS).is_ok());
		let e = spec(vec![item("id"), item("id")]).check(&LIMITS).unwrap_err();
		assert!(e.to_string().contains("`id` appears twice"), "{e}");
		let e = spec(vec![item("a"), item("b"), item("c"), item("d")]).check(&LIMITS).unwrap_err();
		assert!(e.to_string().contains("4 fields"), "{e}");
		let mut long = item("x");
		long.data_type = "t".repeat(33);
		let e = spec(vec![long]).check(&LIMITS).unwrap_err();
		assert!(e.to_string().contains("data type"), "{e}");
	}

	#[test]
	fn element_ids_are_found_in_comments() {
		assert_eq!(find_element_id("患者姓名 DE02.01.039.00").as_deref(), Some("DE02.01.039.00"));
		assert_eq!(find_element_id("[DE04.50.001.00] 空腹血糖"), Some("DE04.50.001.00".into()));
		assert_eq!(find_element_id("no element DE02.01"), None);
	}

	#[test]
	fn enumeration_hashes_ignore_order_and_repeats() {
		let a = ValueDomainSpec::enumeration_hash(&["男".into(), "女".into()]);
		let b = ValueDomainSpec::enumeration_hash(&["女".into(), "男".into(), "女".into()]);
		assert_eq!(a, b);
		assert_ne!(a, ValueDomainSpec::enumeration_hash(&["男".into()]));
	}
}
