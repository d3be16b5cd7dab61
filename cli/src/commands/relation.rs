//! `medtrust relation …`: data-source confirmation (requirement 4). Match items of two sources
//! (or one against the whole catalog), review the candidates, propose them on chain, and let
//! the other side's institution accept or reject; list and export relations (CSV, JSON,
//! SSSOM).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use medtrust_client::{
	files,
	relations::{
		self,
		export::{render, MappingRow, RelationFormat},
		onchain::{Proposal, Scope},
		workflow, Candidate, MatchOptions, MatchSide,
	},
	wire::WireName,
	Chain,
};
use pallet_field_mapping::RelationKind;

use crate::{
	context::Context,
	output::{self, Done, Proposed, RelationList},
	values::wire,
};

#[derive(Debug, Subcommand)]
pub enum RelationCommand {
	/// Match the items of two sources or resources (or one against the whole catalog) and
	/// print ranked candidates with their kind, score and evidence. Nothing is sent; review
	/// the result (--out) and propose what holds.
	Match(MatchArgs),
	/// Propose relations on chain: every candidate of a reviewed match result (--from), or
	/// one pair by hand (--left, --right, --kind). The other side's institution then accepts
	/// or rejects each; within one institution the proposal is the confirmation. All are
	/// submitted together; a pair with an open relation already is listed with its id and not
	/// proposed again, so an interrupted run is finished by running it again.
	Propose(ProposeArgs),
	/// Accept a proposed relation for the signer's institution.
	Accept {
		/// The relation's id.
		id: u64,
	},
	/// Reject a proposed relation for the signer's institution.
	Reject {
		/// The relation's id.
		id: u64,
	},
	/// Withdraw a relation: one the signer's institution proposed, or a confirmed one it owns
	/// a side of.
	Withdraw {
		/// The relation's id.
		id: u64,
	},
	/// List relations: those awaiting the signer's institution (default), or the open ones of
	/// an item, a resource, a source, or between two sources; or show one by id.
	List(ListArgs),
	/// Write relations as CSV, JSON or SSSOM (TSV with its YAML metadata): the confirmed
	/// relations of a source, between two sources, or of the whole catalog; or the
	/// candidates of a match result (--from).
	Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct MatchArgs {
	/// One side: <source>[:<resource>], the resource by id or by name (e.g. 3:cdm.person).
	#[arg(long)]
	left: String,
	/// The other side: <source>[:<resource>].
	#[arg(long, conflicts_with = "catalog", required_unless_present = "catalog")]
	right: Option<String>,
	/// Match the left side against every resource of the catalog.
	#[arg(long)]
	catalog: bool,
	/// The least score to report (0–1).
	#[arg(long, default_value_t = 0.5)]
	min_score: f64,
	/// The most candidates per left item.
	#[arg(long, default_value_t = relations::matcher::DEFAULT_PER_ITEM)]
	per_item: usize,
	/// The left side's PostgreSQL database: its columns' values are profiled locally (counts,
	/// shape, MinHash of keyed value hashes) to tell same from different value domains.
	#[arg(long)]
	postgres_left: Option<String>,
	/// The right side's PostgreSQL database, profiled the same way.
	#[arg(long)]
	postgres_right: Option<String>,
	/// Also write the candidates (JSON) to this file, for review and `relation propose --from`.
	#[arg(long)]
	out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProposeArgs {
	/// A match result file (`relation match --out`, or its --json output), reviewed: every
	/// candidate left in it is proposed.
	#[arg(long, conflicts_with_all = ["left", "right", "kind"], required_unless_present = "left")]
	from: Option<PathBuf>,
	/// Only the candidates of the file with at least this score.
	#[arg(long, requires = "from")]
	min_score: Option<f64>,
	/// By hand: one item, <resource>:<item> (the resource's current version).
	#[arg(long, requires_all = ["right", "kind"])]
	left: Option<String>,
	/// By hand: the other item, <resource>:<item>.
	#[arg(long)]
	right: Option<String>,
	/// By hand: how they relate.
	#[arg(long, value_parser = wire::<RelationKind>())]
	kind: Option<RelationKind>,
	/// By hand: how sure you are (0–1).
	#[arg(long, default_value_t = 1.0)]
	score: f64,
}

#[derive(Debug, Args)]
pub struct ListArgs {
	/// Show this relation, whatever its status.
	#[arg(long, conflicts_with_all = ["item", "resource", "source", "between"])]
	id: Option<u64>,
	/// The open relations of an item: <resource>:<version>:<item>.
	#[arg(long, conflicts_with_all = ["resource", "source", "between"])]
	item: Option<String>,
	/// The open relations of a resource's items (current version).
	#[arg(long, conflicts_with_all = ["source", "between"])]
	resource: Option<u64>,
	/// The open relations of a source's items.
	#[arg(long, conflicts_with = "between")]
	source: Option<u64>,
	/// The open relations between two sources: --between 3 --between 5.
	#[arg(long, num_args = 2, value_names = ["SOURCE", "OTHER"])]
	between: Vec<u64>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
	/// The format.
	#[arg(long, default_value = "json", value_parser = wire::<RelationFormat>())]
	format: RelationFormat,
	/// Only the relations of this source.
	#[arg(long, conflicts_with_all = ["between", "from"])]
	source: Option<u64>,
	/// Only the relations between two sources.
	#[arg(long, num_args = 2, value_names = ["SOURCE", "OTHER"], conflicts_with = "from")]
	between: Vec<u64>,
	/// Proposed relations too (default: confirmed only).
	#[arg(long)]
	include_proposed: bool,
	/// Export a match result file's candidates instead (nothing is read from the chain).
	#[arg(long)]
	from: Option<PathBuf>,
	/// Write to this file instead of standard output.
	#[arg(long)]
	out: Option<PathBuf>,
}

/// Runs a `relation` command.
pub async fn run(command: RelationCommand, context: &Context) -> anyhow::Result<()> {
	use RelationCommand as C;
	let out = context.output;
	if let C::Export(args) = &command {
		if let Some(path) = &args.from {
			let candidates: Vec<Candidate> = files::read_json(path)?;
			let rows =
				candidates.iter().map(MappingRow::from_candidate).collect::<Result<Vec<_>, _>>()?;
			return write_export(&rows, args, "urn:medtrust:candidates");
		}
	}
	let chain = context.connect().await?;
	match command {
		C::Match(args) => {
			let found = match_candidates(&chain, &args).await?;
			if let Some(path) = &args.out {
				files::write_json(path, "match result", &found)?;
				output::note(&format!("wrote {} candidates to {}", found.len(), path.display()));
			}
			out.show(found.as_slice())
		}
		C::Propose(args) => {
			let proposals = proposals(&chain, &args).await?;
			let proposed = chain.relations().propose(context.signer()?, &proposals).await?;
			if proposed.existing > 0 {
				output::note(&format!(
					"{} of the {} pairs had an open relation already (listed with its id, not \
					 proposed again)",
					proposed.existing,
					proposed.ids.len()
				));
			}
			out.show(&Proposed { ids: proposed.ids })
		}
		C::Accept { id } => {
			let submitted = chain.relations().accept(context.signer()?, id).await?;
			out.show(&Done { what: "relation accepted", submitted })
		}
		C::Reject { id } => {
			let submitted = chain.relations().reject(context.signer()?, id).await?;
			out.show(&Done { what: "relation rejected", submitted })
		}
		C::Withdraw { id } => {
			let submitted = chain.relations().withdraw(context.signer()?, id).await?;
			out.show(&Done { what: "relation withdrawn", submitted })
		}
		C::List(args) => out.show(&list(&chain, context, &args).await?),
		C::Export(args) => {
			let rows = chain_rows(&chain, &args).await?;
			let set = format!("urn:medtrust:{}:relations", chain.genesis());
			write_export(&rows, &args, &set)
		}
	}
}

async fn match_candidates(chain: &Chain, args: &MatchArgs) -> anyhow::Result<Vec<Candidate>> {
	let left =
		MatchSide { scope: Scope::parse(&args.left)?, postgres: args.postgres_left.as_deref() };
	let right = MatchSide {
		scope: match &args.right {
			Some(r) => Scope::parse(r)?,
			None => Scope::Catalog,
		},
		postgres: args.postgres_right.as_deref(),
	};
	let options = MatchOptions { min_score: args.min_score, per_item: args.per_item };
	Ok(chain.relations().match_scopes(&left, &right, options).await?)
}

async fn proposals(chain: &Chain, args: &ProposeArgs) -> anyhow::Result<Vec<Proposal>> {
	if let Some(path) = &args.from {
		let min = args.min_score.unwrap_or(0.0);
		let found: Vec<Candidate> = files::read_json(path)?;
		return found
			.iter()
			.filter(|c| c.score >= min)
			.map(|c| Ok(Proposal::from_candidate(c)?))
			.collect();
	}
	let (Some(left), Some(right), Some(kind)) = (&args.left, &args.right, args.kind) else {
		anyhow::bail!("give --from <match result>, or --left, --right and --kind");
	};
	Ok(vec![chain.relations().proposal_by_hand(left, right, kind, args.score).await?])
}

async fn list(chain: &Chain, context: &Context, args: &ListArgs) -> anyhow::Result<RelationList> {
	let relations = if let Some(id) = args.id {
		vec![chain.relations().relation(id).await?]
	} else if let Some(item) = &args.item {
		let (resource, version, name) = workflow::parse_item_at(item)?;
		chain.relations().of_item(resource, version, &name).await?.relations
	} else if let Some(resource) = args.resource {
		chain.relations().of_resource(resource).await?.relations
	} else if let Some(source) = args.source {
		chain.relations().of_source(source).await?
	} else if let [a, b] = args.between[..] {
		chain.relations().between(a, b).await?.relations
	} else {
		let account = context.signer()?.public_key().to_account_id();
		let institution = chain.consortium().institution_of(&account).await?;
		chain.relations().awaiting(institution).await?.relations
	};
	Ok(RelationList(chain.relations().rows(relations).await?))
}

async fn chain_rows(chain: &Chain, args: &ExportArgs) -> anyhow::Result<Vec<MappingRow>> {
	let relations = if let Some(source) = args.source {
		chain.relations().of_source(source).await?
	} else if let [a, b] = args.between[..] {
		chain.relations().between(a, b).await?.relations
	} else {
		chain.relations().all().await?
	};
	let kept = workflow::exported(relations, args.include_proposed);
	Ok(chain.relations().rows(kept).await?)
}

fn write_export(rows: &[MappingRow], args: &ExportArgs, set_id: &str) -> anyhow::Result<()> {
	let text = render(rows, args.format, set_id)?;
	let Some(path) = &args.out else { return output::raw(text.as_bytes()) };
	files::write_atomic(path, text.as_bytes())?;
	let format = args.format.wire_name();
	output::note(&format!("wrote {} relations to {} ({format})", rows.len(), path.display()));
	Ok(())
}
