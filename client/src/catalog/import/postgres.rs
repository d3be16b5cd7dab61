//! Reads a PostgreSQL database's tables and columns from `information_schema` (with column
//! comments and enum types from `pg_catalog`) as [`ResourceSpec`]s.
//!
//! A column comment is the field's definition. A standard data element identifier in it
//! (`DE02.01.039.00`) becomes the field's standard element, and `单位: mmol/L` or
//! `unit: mmol/L` its unit. A column of an enum type gets the enumeration as value domain.

use std::collections::BTreeMap;

use pallet_data_sources::Operation;

use crate::catalog::Error as CatalogError;
use crate::{
	catalog::spec::{find_element_id, ItemSpec, KindSpec, ResourceSpec, ValueDomainSpec},
	postgres::{error_text, Target},
	Result,
};

const COLUMNS: &str = "
	SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.udt_name::text,
	       c.character_maximum_length::int4, c.numeric_precision::int4, c.numeric_scale::int4,
	       c.is_nullable = 'YES', col_description(pc.oid, c.ordinal_position::int4)
	FROM information_schema.columns c
	JOIN information_schema.tables t
	  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
	JOIN pg_catalog.pg_namespace pn ON pn.nspname = c.table_schema
	JOIN pg_catalog.pg_class pc ON pc.relname = c.table_name AND pc.relnamespace = pn.oid
	WHERE t.table_type = 'BASE TABLE' AND c.table_schema = $1
	ORDER BY c.table_name, c.ordinal_position";

const ENUMS: &str = "
	SELECT t.typname::text, e.enumlabel::text
	FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
	ORDER BY t.typname, e.enumsortorder";

/// Finds a unit in a column comment: `单位: mmol/L`, `单位：kg` or `unit: cm`.
pub fn find_unit(comment: &str) -> Option<String> {
	let lower = comment.to_lowercase();
	let start = ["单位：", "单位:", "unit:"]
		.iter()
		.find_map(|marker| lower.find(marker).map(|i| i + marker.len()))?;
	let rest = comment.get(start..)?.trim_start();
	let unit: String =
		rest.chars().take_while(|c| !c.is_whitespace() && !"),]）】，,；;".contains(*c)).collect();
	(!unit.is_empty()).then_some(unit)
}

/// Reads every base table of `schema` in the database of `connection` (a `postgres://` URL or
/// a `key=value` connection string, without a password: see [`crate::postgres`]), with the
/// processing `operations` to record for each. Each resource's address is the database's
/// host, port and name only.
pub async fn read_schema(
	connection: &str,
	schema: &str,
	operations: &[Operation],
) -> Result<Vec<ResourceSpec>> {
	let target = Target::parse(connection)?;
	let shown = target.address().to_string();
	let client = target.connect().await?;
	let query_error = |e: tokio_postgres::Error| CatalogError::Document {
		document: shown.to_string(),
		reason: format!("cannot be read: {}", error_text(&e)),
	};

	let database: String =
		client.query_one("SELECT current_database()::text", &[]).await.map_err(query_error)?.get(0);
	let mut enums: BTreeMap<String, Vec<String>> = BTreeMap::new();
	for row in client.query(ENUMS, &[]).await.map_err(query_error)? {
		enums.entry(row.get(0)).or_default().push(row.get(1));
	}
	let rows = client.query(COLUMNS, &[&schema]).await.map_err(query_error)?;
	drop(client);

	let address = shown.clone();
	let mut tables: BTreeMap<String, Vec<ItemSpec>> = BTreeMap::new();
	for row in rows {
		let table: String = row.get(0);
		let name: String = row.get(1);
		let data_type: String = row.get(2);
		let udt: String = row.get(3);
		let length: Option<i32> = row.get(4);
		let precision: Option<i32> = row.get(5);
		let scale: Option<i32> = row.get(6);
		let nullable: bool = row.get(7);
		let comment: Option<String> = row.get(8);
		let comment = comment.unwrap_or_default();
		let enumerated = enums.get(&udt).filter(|_| data_type == "USER-DEFINED");
		let numeric = data_type == "numeric";
		tables.entry(table).or_default().push(ItemSpec {
			name,
			data_type: if enumerated.is_some() { udt.clone() } else { data_type },
			length: length.map(|n| n as u32),
			precision: precision.filter(|_| numeric).map(|n| n as u32),
			scale: scale.filter(|_| numeric).map(|n| n as u32),
			nullable,
			standard_element: find_element_id(&comment),
			unit: find_unit(&comment),
			value_domain: enumerated.map(|values| ValueDomainSpec::Enumerated(values.clone())),
			definition: comment,
		});
	}
	if tables.is_empty() {
		let reason = format!("has no tables in schema `{schema}`");
		return Err(CatalogError::Document { document: shown.to_string(), reason }.into());
	}
	Ok(tables
		.into_iter()
		.map(|(table, items)| ResourceSpec {
			name: format!("{schema}.{table}"),
			kind: KindSpec::Table { database: database.clone(), schema: schema.into(), table },
			address: address.clone(),
			operations: operations.to_vec(),
			items,
		})
		.collect())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn units_are_found_in_comments() {
		assert_eq!(find_unit("空腹血糖（单位：mmol/L）").as_deref(), Some("mmol/L"));
		assert_eq!(find_unit("身高 单位: cm").as_deref(), Some("cm"));
		assert_eq!(find_unit("Weight (unit: kg)").as_deref(), Some("kg"));
		assert_eq!(find_unit("患者姓名"), None);
	}
}
