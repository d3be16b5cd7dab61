//! The command groups, one per capability, each with its arguments and its `run`:
//!
//! | group | requirement | module |
//! |---|---|---|
//! | `status` | the chain and its validators | [`status`] |
//! | `consortium …` | member institutions, validators, governance | [`consortium`] |
//! | `governance …` | running the consortium across releases: runtime upgrades by vote | [`governance`] |
//! | `catalog …` | 1–3: domains in scope, sources, items; import, export | [`catalog`] |
//! | `relation …` | 4: data-source confirmation: match, propose, decide, export | [`relation`] |
//! | `lineage …` | 6: data lineage: record, import, serve, walk, impact, verify, export | [`lineage`] |
//! | `anchor`, `verify`, `certificate …`, `decrypt`, `keys …` | 5, 7: certificates | [`certificates`] |
//! | `share …` | sharing across institutions: keys, grants, receipts, deletion | [`share`] |

pub mod catalog;
pub mod certificates;
pub mod consortium;
pub mod governance;
pub mod lineage;
pub mod relation;
pub mod share;
pub mod status;

use std::process::ExitCode;

use clap::Subcommand;

use crate::context::Context;

#[derive(Debug, Subcommand)]
pub enum Command {
	/// Show the chain's name, genesis hash, runtime version, best and finalized blocks, peers
	/// and validator set.
	Status,
	/// Member institutions, their accounts and validators, and governance.
	#[command(subcommand)]
	Consortium(consortium::ConsortiumCommand),
	/// Running the consortium across releases: upgrade the runtime by a two-thirds vote of
	/// the institutions (check it on the live state, propose, apply), without restarting
	/// nodes.
	#[command(subcommand)]
	Governance(governance::GovernanceCommand),
	/// The data catalog: business domains in scope, data sources, their resources (tables,
	/// interfaces) and data items; import from PostgreSQL or OpenAPI, export as JSON, CSV or
	/// DCAT.
	#[command(subcommand)]
	Catalog(catalog::CatalogCommand),
	/// Data-source confirmation (数据来源确认): match data items of different sources (same,
	/// related, similarly named, same name with another value domain or meaning), propose
	/// the relations on chain, accept or reject them for your institution, list and export
	/// them (CSV, JSON, SSSOM).
	#[command(subcommand)]
	Relation(relation::RelationCommand),
	/// Data lineage (数据血缘): record runs of jobs (by hand, from OpenLineage event files, or
	/// over OpenLineage's HTTP transport), walk ancestors and descendants, see what a change
	/// would affect, verify every certificate up a result's lineage, export as OpenLineage,
	/// PROV-JSON, FHIR Provenance or CSV.
	#[command(subcommand)]
	Lineage(lineage::LineageCommand),
	/// Anchor a file of records: canonicalise each, commit to it with a fresh salt, encrypt it
	/// (AES-256-GCM), certify the records (one certificate each, or one for the batch),
	/// wait for finality, and write the portable certificates: one file per record
	/// (<out>/certificates/<n>.json, first record = 1), or for a batch one archive
	/// (<out>/certificates.cbor). Interrupted, it resumes when run again with the same file and
	/// options.
	Anchor(certificates::anchor::AnchorArgs),
	/// Verify a record (a file holding that one record: a JSON object, or a CSV header and the
	/// row) against its portable certificate (a file, or a batch's archive with --record N)
	/// and the chain, or with --all every record of an anchored file against its archive.
	/// Says valid, tampered, revoked, superseded or unknown, and why. Exit status 0 only for
	/// valid, 3 for another verdict, 1 for an error.
	Verify(certificates::verify::VerifyArgs),
	/// Show, revoke or supersede certificates (revoke and supersede: the issuing institution);
	/// extract one record's portable certificate from a batch's archive.
	#[command(subcommand)]
	Certificate(certificates::manage::CertificateCommand),
	/// Decrypt one record of an anchoring directory with the institution's key-encryption keys.
	Decrypt(certificates::keys::DecryptArgs),
	/// Create, rotate and list the institution's key-encryption keys (they wrap the data keys
	/// of anchored batches; old versions stay, so old data stays decryptable).
	Keys(certificates::keys::KeysArgs),
	/// Share records with another institution (跨机构共享): publish the institution's
	/// encryption key, grant records of an anchoring for a purpose until an expiry, list,
	/// show and revoke grants, attest deletion.
	#[command(subcommand)]
	Share(share::ShareCommand),
}

/// Runs a command; its exit status (a verdict other than valid is 3).
pub async fn run(command: Command, context: &Context) -> anyhow::Result<ExitCode> {
	match command {
		Command::Status => status::run(context).await?,
		Command::Consortium(command) => consortium::run(command, context).await?,
		Command::Governance(command) => governance::run(command, context).await?,
		Command::Catalog(command) => catalog::run(command, context).await?,
		Command::Relation(command) => relation::run(command, context).await?,
		Command::Lineage(command) => return lineage::run(command, context).await,
		Command::Anchor(args) => certificates::anchor::run(args, context).await?,
		Command::Verify(args) => return certificates::verify::run(args, context).await,
		Command::Certificate(command) => certificates::manage::run(command, context).await?,
		Command::Decrypt(args) => certificates::keys::decrypt(args)?,
		Command::Keys(args) => certificates::keys::run(args, context)?,
		Command::Share(command) => share::run(command, context).await?,
	}
	Ok(ExitCode::SUCCESS)
}
