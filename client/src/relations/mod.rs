//! Data-source confirmation (数据来源确认, requirement 4): relations between data items of
//! different sources, found by a matcher and confirmed on chain by the owners of both sides.
//!
//! - [`glossary`]: the bilingual glossary of medical field vocabulary (data in
//!   `client/data/glossary.tsv`) and the tokeniser of names and comments;
//! - [`field`]: the items the matcher compares, type families and unit quantities
//!   (`client/data/units.tsv`);
//! - [`profile`]: value profiles computed in the institution's own database (counts, shape,
//!   MinHash of keyed value hashes), which estimate overlap without revealing values;
//! - [`signals`]: each signal and a candidate's [`Evidence`];
//! - [`classify`]: from evidence to a kind and a score;
//! - [`matcher`]: blocking, scoring on all cores, structure;
//! - [`export`]: relations as CSV, JSON and SSSOM (the mapping standard);
//! - [`onchain`]: the fields to match read from the catalog, proposals and decisions, and the
//!   relations on chain.
//!
//! On chain they are `pallet-field-mapping`'s relations, read through its `RelationsApi` and
//! the node's `medtrust_relationsGet*` methods.

pub mod classify;
mod error;
pub mod export;
pub mod field;
pub mod glossary;
pub mod matcher;
pub mod onchain;
pub mod profile;
pub mod signals;
pub mod workflow;

crate::chain::capability!(
	/// Relations between data items on chain (`chain.relations()`): the fields to match,
/// proposals, accepting, rejecting and reading them.
	Relations
);

pub use error::Error;
pub use field::{Field, Side};
pub use matcher::{match_fields, Candidate, MatchOptions};
pub use onchain::{Proposal, ProposedRelations, Scope};
pub use signals::Evidence;
pub use workflow::MatchSide;

/// The BLAKE2b-256 hash of a candidate's evidence as canonical JSON (RFC 8785): what a
/// proposal records on chain, so that the evidence kept off chain can be checked later.
pub fn evidence_hash(evidence: &Evidence) -> crate::Result<[u8; 32]> {
	let json = serde_json::to_string(evidence)
		.map_err(|source| crate::Error::Serialise { what: "evidence", source })?;
	let canonical = medtrust_primitives::canonical::canonical_json(&json)
		.map_err(|e| crate::Error::Internal(format!("evidence is not canonical JSON: {e:?}")))?;
	Ok(sp_crypto_hashing::blake2_256(&canonical))
}

#[cfg(test)]
pub(crate) mod tests {
	use medtrust_rpc_types::catalog::FieldJson;
	use pallet_field_mapping::RelationKind;

	use super::*;

	/// A field of resource 1 (`his.patient`, source 1) named `name`, of type `data_type`.
	pub(crate) fn field(name: &str, data_type: &str) -> Field {
		Field {
			at: Side {
				source: 1,
				source_name: "HIS".into(),
				resource: 1,
				resource_name: "his.patient".into(),
				version: 1,
				item: name.into(),
			},
			institution: 1,
			info: FieldJson {
				name: name.into(),
				data_type: data_type.into(),
				length: None,
				precision: None,
				scale: None,
				nullable: true,
				definition: String::new(),
				value_domain: None,
				unit: None,
				standard_element: None,
			},
			profile: None,
		}
	}

	fn at(mut f: Field, resource: u64, table: &str) -> Field {
		f.at.resource = resource;
		f.at.source = resource;
		f.at.resource_name = table.into();
		f
	}

	fn described(name: &str, data_type: &str, definition: &str) -> Field {
		let mut f = field(name, data_type);
		f.info.definition = definition.into();
		f
	}

	#[test]
	fn a_chinese_table_matches_an_english_one_item_by_item() {
		let left = vec![
			at(described("hzxm", "varchar(50)", "患者姓名"), 1, "his.patient"),
			at(described("csrq", "date", "出生日期"), 1, "his.patient"),
			at(described("xb", "char(1)", "性别"), 1, "his.patient"),
		];
		let right = vec![
			at(described("patient_name", "text", "full name of the patient"), 2, "emr.person"),
			at(described("birth_date", "date", "date of birth"), 2, "emr.person"),
			at(described("gender", "varchar(8)", "sex"), 2, "emr.person"),
			at(described("visit_count", "int4", "number of visits"), 2, "emr.person"),
		];
		let found = match_fields(left, right, MatchOptions::default());
		let pairs: Vec<(&str, &str, RelationKind)> =
			found.iter().map(|c| (c.left.item.as_str(), c.right.item.as_str(), c.kind)).collect();
		assert!(pairs.contains(&("hzxm", "patient_name", RelationKind::Same)), "{pairs:?}");
		assert!(pairs.contains(&("csrq", "birth_date", RelationKind::Same)), "{pairs:?}");
		assert!(pairs.contains(&("xb", "gender", RelationKind::Same)), "{pairs:?}");
		assert!(!pairs.iter().any(|(_, r, _)| *r == "visit_count"), "{pairs:?}");
		assert!(found.iter().all(|c| c.evidence.structure == Some(1.0)));
	}

	#[test]
	fn same_names_of_different_meaning_or_domain_are_flagged() {
		let mut code = at(described("status", "varchar(2)", "就诊状态"), 1, "his.visit");
		code.info.value_domain =
			Some(medtrust_rpc_types::catalog::ValueDomainJson::CodeSystem("HIS-VISIT".into()));
		let mut other = at(described("status", "varchar(2)", "就诊状态"), 2, "lis.visit");
		other.info.value_domain =
			Some(medtrust_rpc_types::catalog::ValueDomainJson::CodeSystem("LIS-STATE".into()));
		let mut elem_a = at(described("result", "numeric", "检验结果"), 1, "his.visit");
		elem_a.info.standard_element = Some("DE04.50.001.00".into());
		let mut elem_b = at(described("result", "numeric", "检验结果"), 2, "lis.visit");
		elem_b.info.standard_element = Some("DE04.30.009.00".into());
		let found = match_fields(vec![code, elem_a], vec![other, elem_b], MatchOptions::default());
		let kind = |item: &str| {
			found.iter().find(|c| c.left.item == item && c.right.item == item).map(|c| c.kind)
		};
		assert_eq!(kind("status"), Some(RelationKind::SameNameDifferentDomain));
		assert_eq!(kind("result"), Some(RelationKind::SameNameDifferentMeaning));
	}

	#[test]
	fn a_unit_of_the_same_quantity_makes_a_relation() {
		let mut a = at(described("glu", "numeric", "空腹血糖"), 1, "lis.result");
		a.info.unit = Some("mmol/L".into());
		let mut b = at(described("glucose", "numeric", "fasting blood glucose"), 2, "emr.lab");
		b.info.unit = Some("mg/dL".into());
		let found = match_fields(vec![a], vec![b], MatchOptions::default());
		assert_eq!(found.len(), 1, "{found:?}");
		assert_eq!(found[0].kind, RelationKind::Related);
	}

	#[test]
	fn references_to_another_table_are_related() {
		let a = at(field("patient_id", "int8"), 1, "his.visit");
		let b = at(field("id", "int8"), 2, "his.patient");
		let found = match_fields(vec![a], vec![b], MatchOptions::default());
		assert_eq!(found.len(), 1, "{found:?}");
		assert_eq!(found[0].kind, RelationKind::Related);
		assert!(found[0].evidence.reference);
	}

	#[test]
	fn items_of_one_resource_version_are_never_paired() {
		let found = match_fields(
			vec![field("name", "text")],
			vec![field("name", "text")],
			MatchOptions::default(),
		);
		assert!(found.is_empty());
	}

	#[test]
	fn the_evidence_hash_is_of_its_canonical_json() {
		let e = Evidence { same_name: true, name_words: 1.0, ..Default::default() };
		let h = evidence_hash(&e).expect("hashed");
		assert_eq!(h, evidence_hash(&e.clone()).expect("hashed"));
		let other = Evidence { name_words: 0.5, ..e };
		assert_ne!(h, evidence_hash(&other).expect("hashed"));
	}
}
