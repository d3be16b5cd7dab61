//! The trusted verification catalog, exported as JSON, CSV (one row per data item) or DCAT 3
//! in JSON-LD (one `dcat:Dataset` per resource, its fields as a CSVW table schema), each with
//! the confirmed relations between data items (数据来源确认): a `relations` list, a
//! `relations` column, SKOS mappings between the items' URNs.

use std::collections::BTreeMap;

use medtrust_rpc_types::{
	catalog::{
		CatalogEntry, CatalogPage, DomainJson, ItemJson, ResourceJson, ResourceKindJson,
		ValueDomainJson, VersionJson,
	},
	relation_json::{EndpointJson, RelationJson, RelationsPage},
};
use serde::Serialize;
use serde_json::{json, Value};
use subxt_rpcs::rpc_params;

use crate::catalog::Catalog;
use crate::wire::WireName;
use crate::{Error, Result};
use pallet_field_mapping::{RelationKind, RelationStatus};

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
	/// The confirmed relations between the current versions' data items, by id.
	pub relations: Vec<RelationJson>,
}

/// The formats the catalog is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
	/// The catalog as the node gives it, with the domains and the chain's genesis hash.
	Json,
	/// One row per data item ([`CSV_HEADER`]).
	Csv,
	/// DCAT 3 in JSON-LD.
	Dcat,
}

medtrust_primitives::wire_names!(ExportFormat, "export format" {
	Json => "json",
	Csv => "csv",
	Dcat => "dcat",
});

impl CatalogExport {
	/// The export as text in `format`.
	pub fn render(&self, format: ExportFormat) -> Result<String> {
		fn pretty<T: Serialize>(value: &T) -> Result<String> {
			serde_json::to_string_pretty(value)
				.map_err(|source| Error::Serialise { what: "the catalog export", source })
		}
		Ok(match format {
			ExportFormat::Csv => csv(self),
			ExportFormat::Dcat => pretty(&dcat(self))? + "\n",
			ExportFormat::Json => pretty(self)? + "\n",
		})
	}
}

impl Catalog<'_> {
	/// The whole catalog with the business domains, as exports hold it.
	pub async fn export(&self) -> Result<CatalogExport> {
		let catalog = self.all().await?;
		let mut relations = BTreeMap::new();
		for entry in &catalog.entries {
			let params = rpc_params![entry.resource.id, &catalog.at.hash];
			let page: RelationsPage =
				self.chain.call("medtrust_relationsOfResource", params).await?;
			for r in page.relations.into_iter().filter(|r| r.status == RelationStatus::Confirmed) {
				relations.insert(r.id, r);
			}
		}
		Ok(CatalogExport {
			genesis: self.chain.genesis(),
			domains: self.domains().await?,
			catalog,
			relations: relations.into_values().collect(),
		})
	}
}

/// The CSV columns, one row per data item of every version of every resource.
pub const CSV_HEADER: [&str; 25] = [
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
	"relations",
];

/// Where an endpoint is: `<resource>:<version>:<item>`.
fn endpoint_text(e: &EndpointJson) -> String {
	format!("{}:{}:{}", e.resource, e.version, e.item)
}

/// The confirmed relations of each item, `(resource, version, item)`, as text:
/// `<kind> #<id> <resource>:<version>:<item>` of the other side, `; `-separated.
fn relations_by_item(relations: &[RelationJson]) -> BTreeMap<(u64, u32, String), String> {
	let mut by_item: BTreeMap<(u64, u32, String), Vec<String>> = BTreeMap::new();
	for r in relations {
		for (this, other) in [(&r.left, &r.right), (&r.right, &r.left)] {
			let key = (this.resource, this.version, this.item.clone());
			by_item.entry(key).or_default().push(format!(
				"{} #{} {}",
				r.kind,
				r.id,
				endpoint_text(other)
			));
		}
	}
	by_item.into_iter().map(|(k, v)| (k, v.join("; "))).collect()
}

/// A CSV field (RFC 4180), quoted when it holds a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
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
	let related = relations_by_item(&export.relations);
	for entry in &export.catalog.entries {
		let (s, r) = (&entry.source, &entry.resource);
		let (kind, place) = location(&r.kind);
		for v in &r.versions {
			for item in &v.items {
				let row = [
					s.institution.to_string(),
					s.id.to_string(),
					s.name.clone(),
					s.system.to_string(),
					r.id.to_string(),
					r.name.clone(),
					kind.to_string(),
					place.clone(),
					r.address.clone(),
					r.operations.iter().map(|o| o.wire_name()).collect::<Vec<_>>().join(" "),
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
					related.get(&(r.id, v.version, item.name.clone())).cloned().unwrap_or_default(),
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

/// URNs of one chain's things: `urn:medtrust:<genesis>:<what>:<id>`.
struct Urns<'a>(&'a str);

impl Urns<'_> {
	fn of(&self, what: &str, id: &dyn std::fmt::Display) -> String {
		format!("urn:medtrust:{}:{what}:{id}", self.0)
	}
}

/// A schema hash as an SPDX checksum.
fn checksum(schema_hash: &str) -> Value {
	json!({
		"@type": "spdx:Checksum",
		"spdx:algorithm": "medtrust:blake2b256",
		"spdx:checksumValue": schema_hash.trim_start_matches("0x"),
	})
}

/// One version of a resource as a dataset, its items as a CSVW table schema.
fn dcat_version(urns: &Urns, r: &ResourceJson, v: &VersionJson) -> Value {
	json!({
		"@id": format!("{}:version:{}", urns.of("resource", &r.id), v.version),
		"@type": "dcat:Dataset",
		"dcat:version": v.version.to_string(),
		"spdx:checksum": checksum(&v.schema_hash),
		"medtrust:registeredInBlock": v.registered,
		"medtrust:itemCount": v.item_count,
		"csvw:tableSchema": {
			"@type": "csvw:Schema",
			"csvw:column": v.items.iter().map(column).collect::<Vec<_>>(),
		},
	})
}

/// How a resource is reached: a data service for an interface, an access URL for a table.
fn dcat_distribution(r: &ResourceJson) -> Value {
	let (_, place) = location(&r.kind);
	let interface = matches!(r.kind, ResourceKindJson::Interface { .. });
	let access = if interface {
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
		"dcat:mediaType": if interface { "application/json" } else { "text/csv" },
	});
	if let (Some(d), Value::Object(extra)) = (distribution.as_object_mut(), access) {
		d.extend(extra);
	}
	distribution
}

/// One catalog entry as a dataset with its versions.
fn dcat_dataset(urns: &Urns, entry: &CatalogEntry) -> Value {
	let (s, r) = (&entry.source, &entry.resource);
	let (kind, _) = location(&r.kind);
	let current = r.versions.iter().find(|v| v.version == r.version);
	let activities: Vec<Value> = r
		.operations
		.iter()
		.map(|o| json!({"@type": "prov:Activity", "dct:type": o.wire_name()}))
		.collect();
	json!({
		"@id": urns.of("resource", &r.id),
		"@type": "dcat:Dataset",
		"dct:identifier": r.id.to_string(),
		"dct:title": r.name,
		"dct:type": kind,
		"dct:publisher": { "@id": urns.of("institution", &s.institution), "@type": "foaf:Agent" },
		"dct:source": { "@id": urns.of("source", &s.id), "dct:title": s.name, "dct:type": s.system.wire_name() },
		"dcat:theme": s.domains.iter().map(|d| json!({"@id": urns.of("domain", d)})).collect::<Vec<_>>(),
		"dcat:version": r.version.to_string(),
		"prov:wasGeneratedBy": activities,
		"medtrust:registeredInBlock": r.registered,
		"spdx:checksum": current.map(|v| checksum(&v.schema_hash)),
		"dcat:distribution": dcat_distribution(r),
		"dcat:hasVersion": r.versions.iter().map(|v| dcat_version(urns, r, v)).collect::<Vec<_>>(),
	})
}

/// A business domain as a SKOS concept.
fn dcat_theme(urns: &Urns, d: &DomainJson) -> Value {
	json!({
		"@id": urns.of("domain", &d.code),
		"@type": "skos:Concept",
		"skos:notation": d.code,
		"skos:prefLabel": { "@value": d.name, "@language": "zh" },
		"skos:definition": { "@value": d.description, "@language": "zh" },
		"medtrust:inScope": d.in_scope,
		"medtrust:sharedData": d.shared_data,
	})
}

/// The catalog as DCAT 3 in JSON-LD: a `dcat:Catalog` whose datasets are the resources, each
/// with its version, schema hash, publisher institution, business domains as themes, a
/// distribution or data service, and its fields as a CSVW table schema. Every id is a URN of
/// the chain (`urn:medtrust:<genesis>:resource:<id>`).
pub fn dcat(export: &CatalogExport) -> Value {
	let urns = Urns(&export.genesis);
	let datasets: Vec<Value> =
		export.catalog.entries.iter().map(|entry| dcat_dataset(&urns, entry)).collect();
	let themes: Vec<Value> = export.domains.iter().map(|d| dcat_theme(&urns, d)).collect();
	let relations: Vec<Value> = export.relations.iter().map(|r| dcat_relation(&urns, r)).collect();
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
		"medtrust:relation": relations,
	})
}

/// A confirmed relation as a SKOS mapping between two items' URNs
/// (`urn:medtrust:<genesis>:resource:<id>:version:<v>:item:<name>`).
fn dcat_relation(urns: &Urns, r: &RelationJson) -> Value {
	let item = |e: &EndpointJson| {
		format!("{}:version:{}:item:{}", urns.of("resource", &e.resource), e.version, e.item)
	};
	let (predicate, negated) = match r.kind {
		RelationKind::Same => ("skos:exactMatch", false),
		RelationKind::SameNameDifferentDomain => ("skos:closeMatch", false),
		RelationKind::SameNameDifferentMeaning => ("skos:exactMatch", true),
		RelationKind::Related | RelationKind::SimilarName => ("skos:relatedMatch", false),
	};
	let mut relation = json!({
		"@id": urns.of("relation", &r.id),
		"@type": "medtrust:ItemRelation",
		"medtrust:kind": r.kind.wire_name(),
		"medtrust:score": r.score,
		"medtrust:evidence": r.evidence,
		"medtrust:subject": { "@id": item(&r.left) },
		"medtrust:object": { "@id": item(&r.right) },
		"medtrust:predicate": predicate,
		"medtrust:negated": negated,
	});
	if !negated {
		relation[predicate] = json!({ "@id": item(&r.right) });
	}
	relation
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
