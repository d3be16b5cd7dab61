//! `medtrust catalog …`: business domains in scope, data sources, resources and items
//! (requirements 1–3); import from PostgreSQL or OpenAPI, export as JSON, CSV or DCAT.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use medtrust_client::{
	catalog::{
		self,
		export::ExportFormat,
		import::{openapi, postgres},
		spec::ResourceSpec,
	},
	files,
	wire::WireName,
};
use pallet_data_sources::{Operation, SystemKind};

use crate::{
	context::Context,
	output::{self, Done, Items, Specs, WithId},
	values::wire,
};

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
	/// List the business domains, and whether each is in scope for anchoring.
	Domains,
	/// Propose a new business domain (governance; signer: an active institution's admin).
	AddDomain(AddDomainArgs),
	/// Propose to put a business domain in or out of scope for anchoring (governance).
	SetScope {
		/// The domain's code.
		code: String,
		/// In scope: its data may be anchored.
		#[arg(long = "in", conflicts_with = "out", required_unless_present = "out")]
		in_scope: bool,
		/// Out of scope: anchoring its data is refused.
		#[arg(long)]
		out: bool,
	},
	/// Register a data source (a system: HIS, LIS, PACS, EMR, RIS, CDR, OTHER) of the signer's
	/// institution serving in-scope business domains; prints its id.
	AddSource {
		/// Its name, e.g. 门诊HIS.
		#[arg(long)]
		name: String,
		/// Its kind of system.
		#[arg(long, value_parser = wire::<SystemKind>())]
		system: SystemKind,
		/// A business domain it serves (repeat for several), e.g. --domain OUTPATIENT.
		#[arg(long = "domain", required = true)]
		domains: Vec<String>,
	},
	/// List data sources: of one institution, or of every institution (also `catalog list`).
	#[command(visible_alias = "list")]
	Sources {
		/// Only this institution's sources.
		#[arg(long)]
		institution: Option<u32>,
	},
	/// Show a data source with its resources and versions; with --resource, that resource's
	/// data items.
	Show {
		/// The source's id.
		source: u64,
		/// Show this resource's items.
		#[arg(long)]
		resource: Option<u64>,
		/// The version whose items to show (default: the current one).
		#[arg(long, requires = "resource")]
		version: Option<u32>,
	},
	/// Register a database's tables or an API's operations, with their fields, as resources of
	/// a data source of the signer's institution. Run it again after a schema change: only
	/// what changed is registered (a new version of each changed resource); an interrupted
	/// import completes.
	Import(ImportArgs),
	/// Write the trusted verification catalog (every source, resource, version and item, with
	/// on-chain ids, hashes and blocks) as JSON, CSV or DCAT 3 (JSON-LD).
	Export {
		/// The format.
		#[arg(long, default_value = "json", value_parser = wire::<ExportFormat>())]
		format: ExportFormat,
		/// Write to this file instead of standard output.
		#[arg(long)]
		out: Option<PathBuf>,
	},
}

#[derive(Debug, Args)]
pub struct AddDomainArgs {
	/// Its code: ASCII capitals, digits, `_`, `-` (e.g. TELEMEDICINE).
	#[arg(long)]
	code: String,
	/// Its name, e.g. 远程医疗.
	#[arg(long)]
	name: String,
	/// What the business is.
	#[arg(long, default_value = "")]
	description: String,
	/// The data domains it shares with other business, comma-separated (lower-case,
	/// e.g. patient,diagnosis).
	#[arg(long, value_delimiter = ',')]
	shares: Vec<String>,
	/// Add it out of scope (its data is not anchored until `set-scope --in`).
	#[arg(long)]
	out_of_scope: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
	/// A PostgreSQL database to read: postgres://user@host:port/database, or
	/// "host=… port=… user=… dbname=…"; its password from PGPASSWORD or ~/.pgpass, never
	/// here. Its information_schema and column comments give the tables and fields; the
	/// address on chain is host, port and database only.
	#[arg(long, conflicts_with = "openapi", required_unless_present = "openapi")]
	postgres: Option<String>,
	/// An OpenAPI 3 document (JSON or YAML): each operation becomes an interface resource.
	#[arg(long)]
	openapi: Option<PathBuf>,
	/// The data source to register under (`catalog add-source` printed its id).
	#[arg(long)]
	source: u64,
	/// The database schema to read.
	#[arg(long, default_value = "public", conflicts_with = "openapi")]
	schema: String,
	/// The processing operations to record for each resource, comma-separated.
	#[arg(long, value_delimiter = ',', default_value = "collect", value_parser = wire::<Operation>())]
	operations: Vec<Operation>,
	/// Print what was read, register nothing.
	#[arg(long)]
	dry_run: bool,
}

impl ImportArgs {
	/// Reads the resources of the database or document (before anything is sent).
	async fn read(&self) -> anyhow::Result<Vec<ResourceSpec>> {
		Ok(match (&self.postgres, &self.openapi) {
			(Some(url), _) => postgres::read_schema(url, &self.schema, &self.operations).await?,
			(_, Some(path)) => openapi::read_file(path, &self.operations)?,
			_ => anyhow::bail!("give --postgres or --openapi"),
		})
	}
}

/// Runs a `catalog` command.
pub async fn run(command: CatalogCommand, context: &Context) -> anyhow::Result<()> {
	use CatalogCommand as C;
	let out = context.output;
	// Read local input before connecting: bad input fails fast.
	let specs = match &command {
		C::Import(args) => {
			let specs = args.read().await?;
			if args.dry_run {
				return out.show(&Specs(specs));
			}
			specs
		}
		_ => Vec::new(),
	};
	let chain = context.connect().await?;
	match command {
		C::Domains => out.show(chain.catalog().domains().await?.as_slice()),
		C::AddDomain(a) => {
			let call = catalog::add_domain_call(
				&a.code,
				&a.name,
				&a.description,
				&a.shares,
				!a.out_of_scope,
			);
			let submitted = chain.consortium().propose(context.signer()?, call).await?;
			out.show(&Done { what: "business domain proposed", submitted })
		}
		C::SetScope { code, in_scope, out: _ } => {
			let call = catalog::set_scope_call(&code, in_scope);
			let submitted = chain.consortium().propose(context.signer()?, call).await?;
			out.show(&Done { what: "scope change proposed", submitted })
		}
		C::AddSource { name, system, domains } => {
			let signer = context.signer()?;
			let (source, submitted) =
				chain.catalog().add_source(signer, &name, system, &domains).await?;
			out.show(&WithId { source, submitted })
		}
		C::Sources { institution } => {
			out.show(chain.catalog().sources(institution).await?.as_slice())
		}
		C::Show { source, resource: None, .. } => {
			out.show(&chain.catalog().source_detail(source).await?)
		}
		C::Show { source, resource: Some(id), version } => {
			let resource = chain.catalog().resource_of(source, id).await?;
			let version = version.unwrap_or(resource.version);
			let items = chain.catalog().items(id, version).await?.items;
			out.show(&Items { title: format!("{} v{version}", resource.name), items })
		}
		C::Export { format, out: path } => {
			let export = chain.catalog().export().await?;
			let text = export.render(format)?;
			let Some(path) = path else { return output::raw(text.as_bytes()) };
			files::write_atomic(&path, text.as_bytes())?;
			let count = export.catalog.entries.len();
			let format = format.wire_name();
			output::note(&format!("wrote {count} resources to {} ({format})", path.display()));
			Ok(())
		}
		C::Import(args) => {
			let report = import(&chain, context.signer()?, args.source, &specs).await?;
			out.show(&report)
		}
	}
}

/// Registers what changed, telling each resource's outcome as it is done.
async fn import(
	chain: &medtrust_client::Chain,
	signer: &subxt_signer::sr25519::Keypair,
	source: u64,
	specs: &[ResourceSpec],
) -> anyhow::Result<medtrust_client::catalog::import::ImportReport> {
	let report = chain
		.catalog()
		.import(signer, source, specs, |o| {
			output::note(&format!(
				"{:<10} {} (resource {}, v{}, {} items)",
				o.action.wire_name(),
				o.name,
				o.resource,
				o.version,
				o.items_registered
			))
		})
		.await?;
	Ok(report)
}
