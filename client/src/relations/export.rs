//! Relations as CSV, JSON and SSSOM, the Simple Standard for Sharing Ontological Mappings:
//! a TSV of mappings with its YAML metadata block (`#`-prefixed) ahead.
//!
//! Kinds become SKOS predicates: `same` is `skos:exactMatch`, `same-name-different-domain`
//! `skos:closeMatch` (one meaning, values not interchangeable), `related` and
//! `similar-name` `skos:relatedMatch`, and `same-name-different-meaning` is
//! `skos:exactMatch` with `predicate_modifier: Not`. The justification tells relations the
//! owners confirmed (`semapv:ManualMappingCuration`) from the matcher's proposals and
//! candidates (`semapv:LexicalMatching`).

use pallet_field_mapping::{RelationKind, RelationStatus};
use serde::{Deserialize, Serialize};

use super::{field::Side, matcher::Candidate};
use crate::{catalog::export::csv_field, wire::WireName, Error, Result};

/// The CURIE prefix of MedTrust data items in SSSOM, and what it expands to.
pub const ITEM_PREFIX: (&str, &str) = ("mtitem", "urn:medtrust:item:");

/// The formats relations are exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationFormat {
	/// One row a relation, with a header.
	Csv,
	/// An array of relations.
	Json,
	/// SSSOM TSV with its YAML metadata.
	Sssom,
}

medtrust_primitives::wire_names!(RelationFormat, "relation export format" {
	Csv => "csv",
	Json => "json",
	Sssom => "sssom",
});

/// One relation to export: on chain (with its id and status) or a matcher's candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingRow {
	/// Its on-chain id, if proposed.
	pub id: Option<u64>,
	/// One item.
	pub left: Side,
	/// The other.
	pub right: Side,
	/// How they relate.
	#[serde(with = "crate::wire::name")]
	pub kind: RelationKind,
	/// How sure the proposer or matcher was (0–1).
	pub score: f64,
	/// Its status on chain (`None`: a matcher's candidate).
	#[serde(
		default,
		skip_serializing_if = "Option::is_none",
		with = "medtrust_rpc_types::wire::optional"
	)]
	pub status: Option<RelationStatus>,
	/// The evidence's hash, `0x` hex.
	pub evidence: String,
}

impl MappingRow {
	/// A matcher's candidate as a row.
	pub fn from_candidate(c: &Candidate) -> Result<Self> {
		let hash = super::evidence_hash(&c.evidence)?;
		Ok(MappingRow {
			id: None,
			left: c.left.clone(),
			right: c.right.clone(),
			kind: c.kind,
			score: c.score,
			status: None,
			evidence: format!("0x{}", hex::encode(hash)),
		})
	}

	fn confirmed(&self) -> bool {
		self.status == Some(RelationStatus::Confirmed)
	}
}

/// The rows in `format`; `set_id` names the SSSOM mapping set.
pub fn render(rows: &[MappingRow], format: RelationFormat, set_id: &str) -> Result<String> {
	match format {
		RelationFormat::Json => serde_json::to_string_pretty(rows)
			.map(|s| s + "\n")
			.map_err(|source| Error::Serialise { what: "relations", source }),
		RelationFormat::Csv => Ok(csv(rows)),
		RelationFormat::Sssom => Ok(sssom(rows, set_id)),
	}
}

const CSV_HEADER: &str = "id,status,kind,score,left_source,left_source_name,left_resource,left_resource_name,left_version,left_item,right_source,right_source_name,right_resource,right_resource_name,right_version,right_item,evidence";

fn side_csv(s: &Side) -> String {
	[
		s.source.to_string(),
		csv_field(&s.source_name),
		s.resource.to_string(),
		csv_field(&s.resource_name),
		s.version.to_string(),
		csv_field(&s.item),
	]
	.join(",")
}

fn csv(rows: &[MappingRow]) -> String {
	let mut out = String::from(CSV_HEADER);
	out.push('\n');
	for r in rows {
		let id = r.id.map(|i| i.to_string()).unwrap_or_default();
		let status = r.status.map(|s| s.wire_name()).unwrap_or_default();
		out.push_str(&format!(
			"{id},{status},{},{},{},{},{}\n",
			r.kind.wire_name(),
			r.score,
			side_csv(&r.left),
			side_csv(&r.right),
			r.evidence
		));
	}
	out
}

/// A data item's CURIE: `mtitem:r<resource>.v<version>.<item, percent-encoded>`.
pub fn item_curie(s: &Side) -> String {
	let mut local = String::new();
	for b in s.item.bytes() {
		if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
			local.push(b as char);
		} else {
			local.push_str(&format!("%{b:02X}"));
		}
	}
	format!("{}:r{}.v{}.{local}", ITEM_PREFIX.0, s.resource, s.version)
}

fn predicate(kind: RelationKind) -> (&'static str, &'static str) {
	match kind {
		RelationKind::Same => ("skos:exactMatch", ""),
		RelationKind::SameNameDifferentDomain => ("skos:closeMatch", ""),
		RelationKind::Related | RelationKind::SimilarName => ("skos:relatedMatch", ""),
		RelationKind::SameNameDifferentMeaning => ("skos:exactMatch", "Not"),
	}
}

fn tsv(text: &str) -> String {
	text.replace(['\t', '\n', '\r'], " ")
}

fn sssom(rows: &[MappingRow], set_id: &str) -> String {
	let mut out = format!(
		"# curie_map:\n#   {}: \"{}\"\n#   skos: \"http://www.w3.org/2004/02/skos/core#\"\n#   semapv: \"https://w3id.org/semapv/vocab/\"\n# mapping_set_id: \"{}\"\n# license: \"https://creativecommons.org/publicdomain/zero/1.0/\"\n# mapping_tool: \"medtrust relation\"\n",
		ITEM_PREFIX.0, ITEM_PREFIX.1, set_id
	);
	out.push_str("subject_id\tsubject_label\tsubject_source\tpredicate_id\tpredicate_modifier\tobject_id\tobject_label\tobject_source\tmapping_justification\tconfidence\tcomment\n");
	for r in rows {
		let (predicate, modifier) = predicate(r.kind);
		let justification =
			if r.confirmed() { "semapv:ManualMappingCuration" } else { "semapv:LexicalMatching" };
		let comment = match r.id {
			Some(id) => format!(
				"MedTrust relation {id} ({}, {}); evidence {}",
				r.kind.wire_name(),
				r.status.map_or("?", |s| s.wire_name()),
				r.evidence
			),
			None => format!("matcher candidate ({}); evidence {}", r.kind.wire_name(), r.evidence),
		};
		out.push_str(&format!(
			"{}\t{}\tmtitem:source{}\t{predicate}\t{modifier}\t{}\t{}\tmtitem:source{}\t{justification}\t{}\t{}\n",
			item_curie(&r.left),
			tsv(&format!("{}.{}", r.left.resource_name, r.left.item)),
			r.left.source,
			item_curie(&r.right),
			tsv(&format!("{}.{}", r.right.resource_name, r.right.item)),
			r.right.source,
			r.score.clamp(0.0, 1.0),
			tsv(&comment),
		));
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	fn side(resource: u64, table: &str, item: &str) -> Side {
		Side {
			source: resource,
			source_name: "源".into(),
			resource,
			resource_name: table.into(),
			version: 1,
			item: item.into(),
		}
	}

	fn row(kind: RelationKind, status: Option<RelationStatus>) -> MappingRow {
		MappingRow {
			id: status.map(|_| 7),
			left: side(1, "his.patient", "患者姓名"),
			right: side(2, "cdm.person", "person_name"),
			kind,
			score: 0.9,
			status,
			evidence: "0x00".into(),
		}
	}

	#[test]
	fn sssom_rows_carry_predicates_modifiers_and_justifications() {
		let rows = [
			row(RelationKind::Same, Some(RelationStatus::Confirmed)),
			row(RelationKind::SameNameDifferentMeaning, Some(RelationStatus::Proposed)),
		];
		let text =
			render(&rows, RelationFormat::Sssom, "urn:medtrust:relations").expect("rendered");
		let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
		assert_eq!(lines.len(), 3);
		let first: Vec<&str> = lines[1].split('\t').collect();
		assert_eq!(first[0], "mtitem:r1.v1.%E6%82%A3%E8%80%85%E5%A7%93%E5%90%8D");
		assert_eq!(first[1], "his.patient.患者姓名");
		assert_eq!((first[3], first[4]), ("skos:exactMatch", ""));
		assert_eq!(first[8], "semapv:ManualMappingCuration");
		let second: Vec<&str> = lines[2].split('\t').collect();
		assert_eq!((second[3], second[4]), ("skos:exactMatch", "Not"));
		assert_eq!(second[8], "semapv:LexicalMatching");
		assert!(text.contains("# mapping_set_id: \"urn:medtrust:relations\""));
	}

	#[test]
	fn csv_and_json_keep_chinese_names() {
		let rows = [row(RelationKind::Related, Some(RelationStatus::Confirmed))];
		let csv = render(&rows, RelationFormat::Csv, "x").expect("csv");
		assert!(csv.starts_with("id,status,kind"));
		assert!(csv.contains("7,confirmed,related,0.9,1,源,1,his.patient,1,患者姓名"));
		let json = render(&rows, RelationFormat::Json, "x").expect("json");
		let back: Vec<MappingRow> = serde_json::from_str(&json).expect("parses back");
		assert_eq!(back, rows);
	}
}
