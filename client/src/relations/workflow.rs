//! What a reviewer does with relations, as one call each: match two scopes (with value
//! profiles keyed as every institution keys them), name an item by hand, propose a pair by
//! hand with the evidence the matcher would give, and choose what an export holds. The CLI
//! and any service built on the library call these rather than repeat their rules.

use medtrust_rpc_types::relation_json::RelationJson;
use pallet_field_mapping::{RelationKind, RelationStatus};

use super::{
	glossary::Glossary,
	onchain::{Proposal, Scope},
	profile::profile_table,
	signals::{Evidence, Prepared, Weights},
	Candidate, Error as RelationsError, Field, MatchOptions, Relations,
};
use crate::{Error, Result};

/// One side of a match: a scope, and the database its values are profiled from, if any.
#[derive(Clone, Debug)]
pub struct MatchSide<'a> {
	/// The items: a source, a resource, or the whole catalog.
	pub scope: Scope,
	/// The PostgreSQL database (a connection string without a password) holding its values.
	pub postgres: Option<&'a str>,
}

/// A score given by a user, checked to be within 0 and 1 (`what` names the argument).
pub fn check_score(what: &str, score: f64) -> Result<f64> {
	match (0.0..=1.0).contains(&score) {
		true => Ok(score),
		false => {
			Err(RelationsError::Score(format!("{what} must be between 0 and 1, not {score}"))
				.into())
		}
	}
}

/// `<resource>:<version>:<item>`: an item at a version.
pub fn parse_item_at(text: &str) -> Result<(u64, u32, String)> {
	let bad = || -> Error {
		RelationsError::Syntax { text: text.to_string(), grammar: "<resource>:<version>:<item>" }
			.into()
	};
	let mut parts = text.splitn(3, ':');
	let (Some(resource), Some(version), Some(item)) = (parts.next(), parts.next(), parts.next())
	else {
		return Err(bad());
	};
	let resource = resource.trim().parse().map_err(|_| bad())?;
	let version = version.trim().parse().map_err(|_| bad())?;
	match item.is_empty() {
		true => Err(bad()),
		false => Ok((resource, version, item.to_string())),
	}
}

/// `<resource>:<item>`: an item of a resource (at its current version).
pub fn parse_item(text: &str) -> Result<(u64, String)> {
	text.split_once(':')
		.and_then(|(r, i)| Some((r.trim().parse::<u64>().ok()?, i)))
		.filter(|(_, item)| !item.is_empty())
		.map(|(resource, item)| (resource, item.to_string()))
		.ok_or_else(|| {
			RelationsError::Syntax {
				text: text.to_string(),
				grammar: "<resource>:<item> (a resource id, then an item's name)",
			}
			.into()
		})
}

/// The relations an export holds: the confirmed ones, and the proposed ones if asked for.
pub fn exported(relations: Vec<RelationJson>, include_proposed: bool) -> Vec<RelationJson> {
	let wanted = |status: RelationStatus| match status {
		RelationStatus::Confirmed => true,
		RelationStatus::Proposed => include_proposed,
		RelationStatus::Rejected | RelationStatus::Withdrawn | RelationStatus::Superseded => false,
	};
	relations.into_iter().filter(|r| wanted(r.status)).collect()
}

impl Relations<'_> {
	/// The fields of `scope`, with the value profiles of their columns when `postgres` names
	/// the database holding them. Profiles compare only under one key, which every institution
	/// knows and no outsider needs: the chain's genesis hash.
	pub async fn profiled_fields(&self, side: &MatchSide<'_>) -> Result<Vec<Field>> {
		let mut fields = self.fields(&side.scope).await?;
		let Some(url) = side.postgres else { return Ok(fields) };
		let key = self.chain.genesis().into_bytes();
		let mut tables: Vec<String> = fields.iter().map(|f| f.at.resource_name.clone()).collect();
		tables.sort();
		tables.dedup();
		for table in tables {
			let profiles = profile_table(url, &table, &key).await?;
			for f in fields.iter_mut().filter(|f| f.at.resource_name == table) {
				f.profile = profiles.get(&f.at.item).cloned();
			}
		}
		Ok(fields)
	}

	/// Ranked candidate relations between the items of `left` and of `right`; nothing is
	/// sent.
	pub async fn match_scopes(
		&self,
		left: &MatchSide<'_>,
		right: &MatchSide<'_>,
		options: MatchOptions,
	) -> Result<Vec<Candidate>> {
		check_score("the least score", options.min_score)?;
		let left_fields = self.profiled_fields(left).await?;
		if left_fields.is_empty() {
			return Err(RelationsError::Empty(left.scope.to_string()).into());
		}
		let right_fields = self.profiled_fields(right).await?;
		let options = MatchOptions { per_item: options.per_item.max(1), ..options };
		Ok(super::match_fields(left_fields, right_fields, options))
	}

	/// An item by hand, `<resource>:<item>`, at its resource's current version.
	pub async fn current_item(&self, text: &str) -> Result<Field> {
		let (resource, item) = parse_item(text)?;
		let source = self.chain.catalog().resource(resource).await?.source;
		let fields = self.fields(&Scope::Resource(source, resource.to_string())).await?;
		fields.into_iter().find(|f| f.at.item == item).ok_or_else(|| {
			let which = format!("`{item}` of resource #{resource} at its current version");
			Error::not_found("item", which)
		})
	}

	/// A proposal by hand between two items (`<resource>:<item>` each): its evidence is what
	/// the matcher compares.
	pub async fn proposal_by_hand(
		&self,
		left: &str,
		right: &str,
		kind: RelationKind,
		score: f64,
	) -> Result<Proposal> {
		let score = check_score("the score", score)?;
		let (left, right) = (self.current_item(left).await?, self.current_item(right).await?);
		let glossary = Glossary::builtin();
		let (a, b) = (Prepared::new(left, glossary), Prepared::new(right, glossary));
		let evidence = Evidence::of(&a, &b, &Weights::of(&[&a, &b]));
		let candidate = Candidate { left: a.field.at, right: b.field.at, kind, score, evidence };
		Proposal::from_candidate(&candidate)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn items_are_read_as_written_and_anything_else_is_refused() {
		assert_eq!(parse_item("7:patient_id").unwrap(), (7, "patient_id".into()));
		assert_eq!(parse_item_at("7:2:a:b").unwrap(), (7, 2, "a:b".into()));
		for bad in ["", "7", "x:a", "7:", ":a"] {
			let e = parse_item(bad).unwrap_err().to_string();
			assert!(e.contains("<resource>:<item>"), "{bad}: {e}");
		}
		for bad in ["7:a", "7:x:a", "x:1:a", "7:1:"] {
			assert!(parse_item_at(bad).is_err(), "{bad}");
		}
	}

	#[test]
	fn scores_outside_zero_to_one_are_refused() {
		assert_eq!(check_score("the score", 0.5).unwrap(), 0.5);
		for bad in [-0.1, 1.01, f64::NAN] {
			assert!(check_score("the score", bad).is_err(), "{bad}");
		}
	}

	#[test]
	fn an_export_holds_the_confirmed_and_if_asked_the_proposed() {
		let end = |resource: u64| medtrust_rpc_types::relation_json::EndpointJson {
			resource,
			version: 1,
			item: "id".into(),
			source: 1,
			institution: 1,
			accepted: true,
		};
		let relation = |id: u64, status: RelationStatus| RelationJson {
			id,
			left: end(1),
			right: end(2),
			kind: RelationKind::Same,
			score: 1.0,
			evidence: format!("0x{}", "00".repeat(32)),
			proposer: 1,
			status,
			proposed: 1,
			updated: 1,
		};
		let all = vec![
			relation(1, RelationStatus::Confirmed),
			relation(2, RelationStatus::Proposed),
			relation(3, RelationStatus::Rejected),
		];
		let ids = |kept: Vec<RelationJson>| kept.iter().map(|r| r.id).collect::<Vec<_>>();
		assert_eq!(ids(exported(all.clone(), false)), [1]);
		assert_eq!(ids(exported(all, true)), [1, 2]);
	}
}
