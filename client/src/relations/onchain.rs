//! Relations on chain: the fields to match read from the catalog, proposals, decisions, and
//! reads through the node's `medtrust_relationsGet*` methods (JSON shapes in
//! [`medtrust_rpc_types::relation_json`]).

use std::collections::{btree_map::Entry, BTreeMap};

use medtrust_primitives::wire::WireName;
use medtrust_rpc_types::{
	catalog::{ResourceJson, SourceJson},
	relation_json::{EndpointJson, RelationJson, RelationsPage},
};
use pallet_field_mapping::RelationKind;
use subxt::utils::Static;
use subxt_rpcs::rpc_params;
use subxt_signer::sr25519::Keypair;

use super::{
	export::MappingRow,
	field::{Field, Side},
	matcher::Candidate,
};
use crate::chain::paging::all_pages;
use crate::relations::{Error as RelationsError, Relations};
use crate::{
	chain::tx::Submitted,
	runtime::{
		self,
		field_mapping::events::RelationProposed,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_field_mapping::types::{ItemRef, RelationProposal},
			sp_arithmetic::per_things::Permill,
		},
	},
	Error, Result,
};

/// Which items to match: a source's, one resource's, or the whole catalog's (current
/// versions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
	/// Every resource of a data source.
	Source(u64),
	/// One resource of a data source, by id or by name as registered (`cdm.person`).
	Resource(u64, String),
	/// Every resource of the catalog.
	Catalog,
}

impl Scope {
	/// Reads `<source>` or `<source>:<resource>`.
	pub fn parse(text: &str) -> Result<Scope> {
		let bad = || -> Error {
			RelationsError::Syntax {
				text: text.to_string(),
				grammar: "<source>[:<resource>]: a source id, then a resource's id or name",
			}
			.into()
		};
		let (source, resource) = match text.split_once(':') {
			Some((s, r)) => (s, Some(r)),
			None => (text, None),
		};
		let source: u64 = source.trim().parse().map_err(|_| bad())?;
		match resource.map(str::trim) {
			Some("") => Err(bad()),
			Some(r) => Ok(Scope::Resource(source, r.to_string())),
			None => Ok(Scope::Source(source)),
		}
	}
}

impl std::fmt::Display for Scope {
	/// As [`Scope::parse`] reads it (`the catalog` for the whole catalog).
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Scope::Source(source) => write!(f, "{source}"),
			Scope::Resource(source, resource) => write!(f, "{source}:{resource}"),
			Scope::Catalog => f.write_str("the catalog"),
		}
	}
}

/// One pair to propose: two items, the kind, the score and the evidence's hash.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
	/// One item.
	pub left: Side,
	/// The other.
	pub right: Side,
	/// How they relate.
	pub kind: RelationKind,
	/// How sure the proposer is (0–1).
	pub score: f64,
	/// BLAKE2b-256 of the evidence's canonical JSON.
	pub evidence: [u8; 32],
}

impl Proposal {
	/// A reviewed candidate as a proposal.
	pub fn from_candidate(c: &Candidate) -> Result<Self> {
		Ok(Proposal {
			left: c.left.clone(),
			right: c.right.clone(),
			kind: c.kind,
			score: c.score,
			evidence: super::evidence_hash(&c.evidence)?,
		})
	}

	fn call_argument(&self) -> RelationProposal {
		let item =
			|s: &Side| ItemRef { resource: s.resource, version: s.version, item: s.item.clone() };
		RelationProposal {
			left: item(&self.left),
			right: item(&self.right),
			kind: Static(self.kind),
			score: Permill((self.score.clamp(0.0, 1.0) * 1_000_000.0).round() as u32),
			evidence: self.evidence,
		}
	}
}

/// What [`Relations::propose`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposedRelations {
	/// The relations' ids, in the proposals' order.
	pub ids: Vec<u64>,
	/// How many of them were open already (proposed by an earlier run, or by another
	/// institution) and not proposed again.
	pub existing: usize,
}

/// Two items, either way round: `(resource, version, item)` each.
type PairKey = ((u64, u32, String), (u64, u32, String));

fn ordered(a: (u64, u32, String), b: (u64, u32, String)) -> PairKey {
	if a <= b {
		(a, b)
	} else {
		(b, a)
	}
}

fn pair_key(left: &Side, right: &Side) -> PairKey {
	let end = |s: &Side| (s.resource, s.version, s.item.clone());
	ordered(end(left), end(right))
}

fn resource_matches(r: &ResourceJson, wanted: &str) -> bool {
	wanted.parse::<u64>().map(|id| id == r.id).unwrap_or(false) || r.name == wanted
}

impl Relations<'_> {
	/// The items of `scope`'s resources at their current versions, as the matcher reads them.
	pub async fn fields(&self, scope: &Scope) -> Result<Vec<Field>> {
		let entries: Vec<(SourceJson, ResourceJson)> = match scope {
			Scope::Catalog => self
				.chain
				.catalog()
				.all()
				.await?
				.entries
				.into_iter()
				.map(|e| (e.source, e.resource))
				.collect(),
			Scope::Source(id) | Scope::Resource(id, _) => {
				let detail = self.chain.catalog().source_detail(*id).await?;
				let wanted = match scope {
					Scope::Resource(_, r) => Some(r.as_str()),
					_ => None,
				};
				let resources: Vec<ResourceJson> = detail
					.resources
					.into_iter()
					.filter(|r| wanted.is_none_or(|w| resource_matches(r, w)))
					.collect();
				if let (Some(w), true) = (wanted, resources.is_empty()) {
					return Err(Error::not_found(
						"resource",
						format!("`{w}` of data source #{id}"),
					));
				}
				resources.into_iter().map(|r| (detail.source.clone(), r)).collect()
			}
		};
		let mut fields = Vec::new();
		for (source, resource) in entries {
			let items = match resource.versions.iter().find(|v| v.version == resource.version) {
				Some(v) if !v.items.is_empty() => v.items.clone(),
				_ => self.chain.catalog().items(resource.id, resource.version).await?.items,
			};
			fields.extend(items.into_iter().map(|item| Field {
				at: Side {
					source: source.id,
					source_name: source.name.clone(),
					resource: resource.id,
					resource_name: resource.name.clone(),
					version: resource.version,
					item: item.name.clone(),
				},
				institution: source.institution,
				info: item.field,
				profile: None,
			}));
		}
		Ok(fields)
	}

	/// Proposes relations, in calls of the runtime's `MaxProposalsPerCall`, all in flight
	/// ([`Chain::submit_in_flight`]); returns the relations' ids in the proposals' order. A
	/// pair of items that has an open (proposed or confirmed) relation of the same kind
	/// already is not proposed again: its id is returned and counted as `existing`, so an
	/// interrupted run resumes. One with an open relation of another kind is refused before
	/// anything is submitted.
	pub async fn propose(
		&self,
		signer: &Keypair,
		proposals: &[Proposal],
	) -> Result<ProposedRelations> {
		if proposals.is_empty() {
			return Err(RelationsError::NothingToPropose.into());
		}
		// An interrupted run's proposals, still in the pool, may land first: then the open
		// relations are read again and only the rest proposed.
		let mut passes = 1;
		loop {
			match self.propose_pass(signer, proposals).await {
				Err(Error::Dispatch { failure, .. })
					if passes < 3 && failure.is("FieldMapping", "AlreadyExists") =>
				{
					passes += 1
				}
				done => return done,
			}
		}
	}

	/// One pass of [`Relations::propose`].
	async fn propose_pass(
		&self,
		signer: &Keypair,
		proposals: &[Proposal],
	) -> Result<ProposedRelations> {
		let open = self.open_relations_of(proposals).await?;
		let mut ids = Vec::with_capacity(proposals.len());
		for p in proposals {
			let found = open.get(&pair_key(&p.left, &p.right));
			match found {
				Some(r) if r.kind != p.kind => {
					return Err(RelationsError::Conflict(format!(
						"{}:{} ~ {}:{} have an open relation already, #{} ({}, {}): withdraw \
						 it first (`medtrust relation withdraw {}`) to propose `{}`; nothing was \
						 proposed",
						p.left.resource_name,
						p.left.item,
						p.right.resource_name,
						p.right.item,
						r.id,
						r.kind,
						r.status,
						r.id,
						p.kind.wire_name()
					))
					.into())
				}
				found => ids.push(found.map(|r| r.id)),
			}
		}
		let existing = ids.iter().flatten().count();
		let fresh: Vec<usize> = (0..proposals.len()).filter(|&i| ids[i].is_none()).collect();
		let at = self.chain.at_current().await?;
		let address = subxt::dynamic::constant::<u32>("FieldMapping", "MaxProposalsPerCall");
		let batch = at.constants().entry(address).map_err(|e| self.chain.incompatible(e))?.max(1);
		let chunks: Vec<&[usize]> = fresh.chunks(batch as usize).collect();
		let calls: Vec<_> = chunks
			.iter()
			.map(|chunk| {
				let args = chunk.iter().map(|&i| proposals[i].call_argument()).collect();
				runtime::transactions().field_mapping().propose_relations(BoundedVec(args))
			})
			.collect();
		self.chain
			.submit_in_flight(&calls, signer, |landed| {
				let chunk = chunks[landed.index];
				if let Some(failure) = landed.failed {
					let first = &proposals[chunk[0]];
					let what = format!(
						"proposing {} relations (the first {}:{} ~ {}:{})",
						chunk.len(),
						first.left.resource_name,
						first.left.item,
						first.right.resource_name,
						first.right.item
					);
					return Err(Error::Dispatch { what, failure });
				}
				let proposed = landed
					.events
					.iter()
					.filter_map(|e| e.decode_fields_as::<RelationProposed>().and_then(|r| r.ok()));
				for (&i, event) in chunk.iter().zip(proposed) {
					ids[i] = Some(event.relation);
				}
				Ok(())
			})
			.await?;
		let ids = ids.into_iter().collect::<Option<Vec<u64>>>().ok_or_else(|| {
			self.chain.incompatible("fewer RelationProposed events than relations proposed")
		})?;
		Ok(ProposedRelations { ids, existing })
	}

	/// The open relations between the sources of `proposals`' items, by pair of items.
	async fn open_relations_of(
		&self,
		proposals: &[Proposal],
	) -> Result<BTreeMap<PairKey, RelationJson>> {
		let mut sources: Vec<(u64, u64)> = proposals
			.iter()
			.map(|p| (p.left.source.min(p.right.source), p.left.source.max(p.right.source)))
			.collect();
		sources.sort_unstable();
		sources.dedup();
		let mut open = BTreeMap::new();
		for (source, other) in sources {
			for r in self.between(source, other).await?.relations {
				let end = |e: &EndpointJson| (e.resource, e.version, e.item.clone());
				let key = ordered(end(&r.left), end(&r.right));
				open.insert(key, r);
			}
		}
		Ok(open)
	}

	/// Accepts a proposed relation for the signer's institution.
	pub async fn accept(&self, signer: &Keypair, id: u64) -> Result<Submitted> {
		self.chain
			.submit(&runtime::transactions().field_mapping().accept_relation(id), signer)
			.await
	}

	/// Rejects a proposed relation for the signer's institution.
	pub async fn reject(&self, signer: &Keypair, id: u64) -> Result<Submitted> {
		self.chain
			.submit(&runtime::transactions().field_mapping().reject_relation(id), signer)
			.await
	}

	/// Withdraws a relation: one the signer's institution proposed, or one it confirmed.
	pub async fn withdraw(&self, signer: &Keypair, id: u64) -> Result<Submitted> {
		self.chain
			.submit(&runtime::transactions().field_mapping().withdraw_relation(id), signer)
			.await
	}

	/// One relation, or an error saying there is none.
	pub async fn relation(&self, id: u64) -> Result<RelationJson> {
		let found: Option<RelationJson> =
			self.chain.call("medtrust_relationsGet", rpc_params![id]).await?;
		found.ok_or_else(|| Error::not_found("relation", format!("#{id}")))
	}

	/// The open relations of one item.
	pub async fn of_item(&self, resource: u64, version: u32, item: &str) -> Result<RelationsPage> {
		self.chain.call("medtrust_relationsOfItem", rpc_params![resource, version, item]).await
	}

	/// The open relations of a resource's items at its current version.
	pub async fn of_resource(&self, resource: u64) -> Result<RelationsPage> {
		self.chain.call("medtrust_relationsOfResource", rpc_params![resource]).await
	}

	/// Every open relation between two sources, every page read at the same block.
	pub async fn between(&self, source: u64, other: u64) -> Result<RelationsPage> {
		self.all_pages("medtrust_relationsBetween", source, Some(other)).await
	}

	/// Every proposal awaiting an institution's decision, read at one block.
	pub async fn awaiting(&self, institution: u32) -> Result<RelationsPage> {
		self.all_pages("medtrust_relationsAwaiting", u64::from(institution), None).await
	}

	async fn all_pages(
		&self,
		method: &'static str,
		first: u64,
		second: Option<u64>,
	) -> Result<RelationsPage> {
		all_pages(|skip, at| {
			let params = match second {
				Some(other) => rpc_params![first, other, skip, None::<u32>, at],
				None => rpc_params![first, skip, None::<u32>, at],
			};
			self.chain.call(method, params)
		})
		.await
	}

	/// Every open relation of a source's resources.
	pub async fn of_source(&self, source: u64) -> Result<Vec<RelationJson>> {
		let mut found = BTreeMap::new();
		for resource in self.chain.catalog().resources_of(source).await? {
			for r in self.of_resource(resource.id).await?.relations {
				found.insert(r.id, r);
			}
		}
		Ok(found.into_values().collect())
	}

	/// Every open relation of the catalog, by id.
	pub async fn all(&self) -> Result<Vec<RelationJson>> {
		let mut found = BTreeMap::new();
		for source in self.chain.catalog().sources(None).await? {
			for r in self.of_source(source.id).await? {
				found.insert(r.id, r);
			}
		}
		Ok(found.into_values().collect())
	}

	/// Relations as rows to export, with their sources' and resources' names.
	pub async fn rows(&self, relations: Vec<RelationJson>) -> Result<Vec<MappingRow>> {
		let mut sources: BTreeMap<u64, String> = BTreeMap::new();
		let mut resources: BTreeMap<u64, String> = BTreeMap::new();
		let mut rows = Vec::with_capacity(relations.len());
		for r in relations {
			let side = |e: &EndpointJson| (e.source, e.resource);
			for (source, resource) in [side(&r.left), side(&r.right)] {
				if let Entry::Vacant(entry) = sources.entry(source) {
					entry.insert(self.chain.catalog().source(source).await?.name);
				}
				if let Entry::Vacant(entry) = resources.entry(resource) {
					entry.insert(self.chain.catalog().resource(resource).await?.name);
				}
			}
			let at = |e: &EndpointJson| Side {
				source: e.source,
				source_name: sources[&e.source].clone(),
				resource: e.resource,
				resource_name: resources[&e.resource].clone(),
				version: e.version,
				item: e.item.clone(),
			};
			rows.push(MappingRow {
				id: Some(r.id),
				left: at(&r.left),
				right: at(&r.right),
				kind: r.kind,
				score: r.score,
				status: Some(r.status),
				evidence: r.evidence.clone(),
			});
		}
		Ok(rows)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn scopes_are_a_source_or_one_of_its_resources() {
		assert_eq!(Scope::parse("3").expect("a source"), Scope::Source(3));
		assert_eq!(
			Scope::parse("3:cdm.person").expect("one"),
			Scope::Resource(3, "cdm.person".into())
		);
		assert_eq!(Scope::parse("3:12").expect("one"), Scope::Resource(3, "12".into()));
		assert!(Scope::parse("his").is_err());
		assert!(Scope::parse("3:").is_err());
	}

	#[test]
	fn proposals_carry_the_score_in_millionths() {
		let side = Side {
			source: 1,
			source_name: "HIS".into(),
			resource: 2,
			resource_name: "his.patient".into(),
			version: 3,
			item: "姓名".into(),
		};
		let p = Proposal {
			left: side.clone(),
			right: side,
			kind: RelationKind::Same,
			score: 0.8765,
			evidence: [1; 32],
		};
		let arg = p.call_argument();
		assert_eq!(arg.score, Permill(876_500));
		assert_eq!((arg.left.resource, arg.left.version, arg.left.item.as_str()), (2, 3, "姓名"));
	}
}
