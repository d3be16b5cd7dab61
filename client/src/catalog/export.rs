//! The trusted verification catalog, exported as JSON, CSV (one row per data item) or DCAT 3
//! in JSON-LD (one `dcat:Dataset` per resource, its fields as a CSVW table schema).

use medtrust_primitives::catalog::{
	CatalogPage, DomainJson, ItemJson, ResourceKindJson, ValueDomainJson,
};
use serde::Serialize;
use serde_json::{json, Value};

/// Everything an export holds: the chain it came from, the block it was read at, the
/// business domains and every catalog entry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogExport {
	/// The chain's genesis hash, `0x` hex: which chain the ids belong to.
	pub genesis: String,
	/// The business domains.
	pub domains: Vec<DomainJson>,
	/// The catalog, read at one block.
	#[serde(flatten)]
	pub catalog: CatalogPage,
}

/// The CSV columns, one row per data item of every version of every resource.
pub const CSV_HEADER: [&str; 24] = [
	"institution",
	"source_id",
	"source_name",
	"system",
	"resource_id",
	"resource_name",
	"resource_type",
	"location",
	"address",
	"operations",
	"version",
	"schema_hash",
	"version_block",
	"item_position",
	"item_name",
	"data_type",
	"length",
	"precision",
	"scale",
	"nullable",
	"definition",
	"value_domain",
	"unit",
	"standard_element",
];

fn csv_field(text: &str) -> String {
	if text.contains([',', '"', '\n', '\r']) {
		format!("\"{}\"", text.replace('"', "\"\""))
	} else {
		text.to_string()
	}
}

fn location(kind: &ResourceKindJson) -> (&'static str, String) {
	match kind {
		ResourceKindJson::Table { database, schema, table } => {
			("table", format!("{database}.{schema}.{table}"))
		}
		ResourceKindJson::Interface { protocol, method, path } => {
			("interface", format!("{protocol} {method} {path}"))
		}
		ResourceKindJson::FileSet { pattern } => ("fileSet", pattern.clone()),
	}
}

fn value_domain_text(v: &Option<ValueDomainJson>) -> String {
	match v {
		Some(ValueDomainJson::CodeSystem(id)) => format!("codeSystem:{id}"),
		Some(ValueDomainJson::Enumerated(hash)) => format!("enumerated:{hash}"),
		None => String::new(),
	}
}

fn opt<T: ToString>(v: &Option<T>) -> String {
	v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The catalog as CSV (RFC 4180, UTF-8, header first).
pub fn csv(export: &CatalogExport) -> String {
	let mut out = CSV_HEADER.join(",");
	out.push_str("\r\n");
	for entry in &export.catalog.entries {
		let (s, r) = (&entry.source, &entry.resource);
		let (kind, place) = location(&r.kind);
		for v in &r.versions {
			for item in &v.items {
				let row = [
					s.institution.to_string(),
					s.id.to_string(),
					s.name.clone(),
					s.system.clone(),
					r.id.to_string(),
					r.name.clone(),
					kind.to_string(),
					place.clone(),
					r.address.clone(),
					r.operations.join(" "),
					v.version.to_string(),
					v.schema_hash.clone(),
					v.registered.to_string(),
					item.position.to_string(),
					item.name.clone(),
					item.data_type.clone(),
					opt(&item.length),
					opt(&item.precision),
					opt(&item.scale),
					item.nullable.to_string(),
					item.definition.clone(),
					value_domain_text(&item.value_domain),
					opt(&item.unit),
					opt(&item.standard_element),
				];
				out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
				out.push_str("\r\n");
			}
		}
	}
	out
}

fn column(item: &ItemJson) -> Value {
	let mut c = json!({
		"@type": "csvw:Column",
		"csvw:name": item.name,
		"csvw:datatype": item.data_type,
		"csvw:required": !item.nullable,
		"dct:description": item.definition,
		"medtrust:position": item.position,
		"medtrust:registeredInBlock": item.registered,
	});
	let fields = [
		("medtrust:length", item.length.map(Value::from)),
		("medtrust:precision", item.precision.map(Value::from)),
		("medtrust:scale", item.scale.map(Value::from)),
		("medtrust:unit", item.unit.clone().map(Value::from)),
		("dct:conformsTo", item.standard_element.clone().map(Value::from)),
		(
			"medtrust:valueDomain",
			item.value_domain.as_ref().map(|v| Value::from(value_domain_text(&Some(v.clone())))),
		),
	];
	for (key, value) in fields {
		if let Some(value) = value {
			c[key] = value;
		}
	}
	c
}

/// The catalog as DCAT 3 in JSON-LD: a `dcat:Catalog` whose datasets are the resources, each
/// with its version, schema hash, publisher institution, business domains as themes, a
/// distribution or data service, and its fields as a CSVW table schema. Every id is a URN of
/// the chain (`urn:medtrust:<genesis>:resource:<id>`).
pub fn dcat(export: &CatalogExport) -> Value {
	let urn = |what: &str, id: &dyn std::fmt::Display| {
		format!("urn:medtrust:{}:{what}:{id}", export.genesis)
	};
	let datasets: Vec<Value> = export
		.catalog
		.entries
		.iter()
		.map(|entry| {
			let (s, r) = (&entry.source, &entry.resource);
			let (kind, place) = location(&r.kind);
			let current = r.versions.iter().find(|v| v.version == r.version);
			let versions: Vec<Value> = r
				.versions
				.iter()
				.map(|v| {
					json!({
						"@id": format!("{}:version:{}", urn("resource", &r.id), v.version),
						"@type": "dcat:Dataset",
						"dcat:version": v.version.to_string(),
						"spdx:checksum": {
							"@type": "spdx:Checksum",
							"spdx:algorithm": "medtrust:blake2b256",
							"spdx:checksumValue": v.schema_hash.trim_start_matches("0x"),
						},
						"medtrust:registeredInBlock": v.registered,
						"medtrust:itemCount": v.item_count,
						"csvw:tableSchema": {
							"@type": "csvw:Schema",
							"csvw:column": v.items.iter().map(column).collect::<Vec<_>>(),
						},
					})
				})
				.collect();
			let access = if kind == "interface" {
				json!({
					"dcat:accessService": {
						"@type": "dcat:DataService",
						"dct:title": r.name,
						"dcat:endpointURL": r.address,
						"dcat:endpointDescription": place,
					}
				})
			} else {
				json!({ "dcat:accessURL": r.address, "dct:description": place })
			};
			let mut distribution = json!({
				"@type": "dcat:Distribution",
				"dcat:mediaType": if kind == "interface" { "application/json" } else { "text/csv" },
			});
			if let (Some(d), Value::Object(extra)) = (distribution.as_object_mut(), access) {
				d.extend(extra);
			}
			json!({
				"@id": urn("resource", &r.id),
				"@type": "dcat:Dataset",
				"dct:identifier": r.id.to_string(),
				"dct:title": r.name,
				"dct:type": kind,
				"dct:publisher": {
					"@id": urn("institution", &s.institution),
					"@type": "foaf:Agent",
				},
				"dct:source": {
					"@id": urn("source", &s.id),
					"dct:title": s.name,
					"dct:type": s.system,
				},
				"dcat:theme": s.domains.iter().map(|d| json!({"@id": urn("domain", d)})).collect::<Vec<_>>(),
				"dcat:version": r.version.to_string(),
				"prov:wasGeneratedBy": r.operations.iter().map(|o| json!({"@type": "prov:Activity", "dct:type": o})).collect::<Vec<_>>(),
				"medtrust:registeredInBlock": r.registered,
				"spdx:checksum": current.map(|v| json!({
					"@type": "spdx:Checksum",
					"spdx:algorithm": "medtrust:blake2b256",
					"spdx:checksumValue": v.schema_hash.trim_start_matches("0x"),
				})),
				"dcat:distribution": distribution,
				"dcat:hasVersion": versions,
			})
		})
		.collect();
	let themes: Vec<Value> = export
		.domains
		.iter()
		.map(|d| {
			json!({
				"@id": urn("domain", &d.code),
				"@type": "skos:Concept",
				"skos:notation": d.code,
				"skos:prefLabel": { "@value": d.name, "@language": "zh" },
				"skos:definition": { "@value": d.description, "@language": "zh" },
				"medtrust:inScope": d.in_scope,
				"medtrust:sharedData": d.shared_data,
			})
		})
		.collect();
	json!({
		"@context": {
			"dcat": "http://www.w3.org/ns/dcat#",
			"dct": "http://purl.org/dc/terms/",
			"foaf": "http://xmlns.com/foaf/0.1/",
			"prov": "http://www.w3.org/ns/prov#",
			"skos": "http://www.w3.org/2004/02/skos/core#",
			"spdx": "http://spdx.org/rdf/terms#",
			"csvw": "http://www.w3.org/ns/csvw#",
			"medtrust": "urn:medtrust:vocab#",
		},
		"@id": format!("urn:medtrust:{}:catalog", export.genesis),
		"@type": "dcat:Catalog",
		"dct:title": "MedTrust 可信验证目录",
		"medtrust:atBlock": { "number": export.catalog.at.number, "hash": export.catalog.at.hash },
		"dcat:themeTaxonomy": { "@type": "skos:ConceptScheme", "skos:hasTopConcept": themes },
		"dcat:dataset": datasets,
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn csv_fields_are_quoted_when_needed() {
		assert_eq!(csv_field("患者姓名"), "患者姓名");
		assert_eq!(csv_field("a,b"), "\"a,b\"");
		assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
	}
}
