//! `medtrust lineage …`: data lineage on chain (requirement 6). Record runs of jobs (by hand,
//! from OpenLineage event files, or over OpenLineage's HTTP transport), walk ancestors and
//! descendants, list what a change would affect, verify every certificate up a result's
//! lineage, and export as OpenLineage, W3C PROV-JSON, FHIR R4 Provenance or CSV.

use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	process::ExitCode,
	time::Duration,
};

use clap::{Args, Subcommand};
use medtrust_client::{
	files,
	lineage::{
		export::{impact_csv, LineageFormat},
		gateway::{self, GatewayOptions},
		onchain::{AssetRef, DatasetRef},
		openlineage::DatasetName,
		store::{self, EventStore},
		ManualRun, OnRefusal, Run,
	},
	Chain, Error,
};
use medtrust_rpc_types::lineage_json::WalkJson;
use pallet_lineage::{ActivityKind, Direction};

use crate::{
	context::Context,
	output::{self, Impact, Recorded, Walked},
	values::wire,
};

/// `lineage verify`'s exit status when a certificate up the lineage is not valid (as
/// `verify`).
const NOT_VALID: u8 = 3;

/// `lineage import`'s and `lineage record`'s exit status when a run was refused.
const REFUSED: u8 = 4;

#[derive(Debug, Subcommand)]
pub enum LineageCommand {
	/// Record one run of a job by hand: what it read and wrote, and its output fields'
	/// lineage (columns of the first output).
	Record(RecordArgs),
	/// Record the runs of an OpenLineage event file (JSON, an array, or NDJSON): each run
	/// once its COMPLETE event is read. Runs that wrote nothing are skipped; runs on chain
	/// already with the same lineage (a repeated delivery, an import run again) are counted
	/// as already recorded; a run too large for one call is recorded in parts. Every other
	/// run is recorded, and each refused one listed with its run id, job and reason. Exit
	/// status 0 when nothing was refused, 4 when some runs were (the others are recorded),
	/// 1 on error.
	Import {
		/// The event file.
		file: PathBuf,
		/// Where the recorded runs' events are kept (for exports).
		#[arg(long, env = "MEDTRUST_LINEAGE_EVENTS", default_value_os_t = store::default_dir())]
		events: PathBuf,
		/// Record nothing if any run would be refused (all or nothing).
		#[arg(long)]
		strict: bool,
	},
	/// Listen for OpenLineage events over HTTP (OpenLineage's HTTP transport: POST
	/// <listen>/api/v1/lineage with the token of --token-file), refuse bad ones with a 4xx and
	/// the reason, and record complete runs in batches. Runs until stopped.
	Serve(ServeArgs),
	/// What an asset came from, breadth first: each ancestor once, at its shortest depth.
	Ancestors(WalkArgs),
	/// What came from an asset: each descendant once, at its shortest depth.
	Descendants(WalkArgs),
	/// What a change to an asset would affect: its descendants grouped by depth and kind
	/// (--csv for the impact report).
	Impact(ImpactArgs),
	/// Walk every ancestor of an asset and check each certificate on the way: valid, revoked,
	/// superseded or unknown, with the path to any that is not valid. Exit status 0 when all
	/// are valid, 3 otherwise, 5 when there is no such asset (see docs/cli.md).
	Verify(AssetArgs),
	/// Write every recorded run: OpenLineage events (NDJSON; import it elsewhere to get the
	/// same graph), W3C PROV-JSON, a FHIR R4 Bundle of Provenance resources, or (with an
	/// asset) the CSV impact report of its descendants.
	Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct AssetArgs {
	/// The asset's id on chain.
	#[arg(required_unless_present = "name", conflicts_with_all = ["namespace", "name"])]
	asset: Option<u64>,
	/// Or a dataset's namespace exactly as OpenLineage names it (may hold `:` and `/`).
	#[arg(long, requires = "name")]
	namespace: Option<String>,
	/// And its name: the dataset's latest edition.
	#[arg(long, requires = "namespace")]
	name: Option<String>,
	/// A field of that edition (column-level lineage).
	#[arg(long)]
	field: Option<String>,
}

#[derive(Debug, Args)]
pub struct WalkArgs {
	#[command(flatten)]
	asset: AssetArgs,
	/// How far to walk (1–100).
	#[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
	depth: u32,
	/// The most nodes to return (1–10,000 a page; pages are read until this many).
	#[arg(long, default_value_t = 10_000)]
	limit: u32,
}

#[derive(Debug, Args)]
pub struct ImpactArgs {
	#[command(flatten)]
	walk: WalkArgs,
	/// Write the impact report as CSV instead.
	#[arg(long)]
	csv: bool,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
	/// The job's namespace (e.g. `airflow`).
	#[arg(long)]
	job_namespace: String,
	/// The job's name.
	#[arg(long)]
	job_name: String,
	/// What the run did.
	#[arg(long, value_parser = wire::<ActivityKind>())]
	kind: ActivityKind,
	/// The run's id (a UUID; default: a new one).
	#[arg(long)]
	run_id: Option<String>,
	/// An input dataset: --input <namespace> <name> (repeatable; the first is input 0).
	#[arg(long, num_args = 2, value_names = ["NAMESPACE", "NAME"], action = clap::ArgAction::Append)]
	input: Vec<String>,
	/// An input certificate, by id (repeatable).
	#[arg(long)]
	certificate: Vec<u64>,
	/// An output dataset: --output <namespace> <name> (repeatable; at least one).
	#[arg(long, num_args = 2, value_names = ["NAMESPACE", "NAME"], required = true, action = clap::ArgAction::Append)]
	output: Vec<String>,
	/// A field of the first output and its source: <field>=<input>.<field>[:<transformation>][:masked],
	/// e.g. `pseudonym=0.patient_id:transformation:masked` (repeatable; transformation:
	/// identity, transformation, aggregation, join, group-by, filter, sort, window,
	/// conditional).
	#[arg(long)]
	column: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
	/// The address to listen on (loopback by default; listening elsewhere exposes it to the
	/// network).
	#[arg(long, default_value = "127.0.0.1:5000")]
	listen: SocketAddr,
	/// How long complete runs are gathered into one batch, in milliseconds.
	#[arg(long, default_value_t = 500)]
	batch_ms: u64,
	/// Where the recorded runs' events are kept (for exports).
	#[arg(long, env = "MEDTRUST_LINEAGE_EVENTS", default_value_os_t = store::default_dir())]
	events: PathBuf,
	/// The file holding the token every request must carry (`Authorization: Bearer <token>`;
	/// OpenLineage's HTTP transport sends it with `auth: {type: api_key, apiKey: <token>}`).
	/// Made on first start, readable by its owner only; a file others can read is refused.
	#[arg(long, env = "MEDTRUST_LINEAGE_TOKEN_FILE", default_value_os_t = gateway::default_token_file())]
	token_file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
	/// openlineage, prov, fhir or csv (csv: the impact report of --asset's descendants).
	#[arg(long)]
	format: String,
	/// Write to this file (default: standard output).
	#[arg(long)]
	out: Option<PathBuf>,
	/// Where the recorded runs' events are kept: a run's OpenLineage export is the events it
	/// was recorded from when they are here and hash to what the chain holds (unknown facets
	/// included); otherwise it is rebuilt from the chain.
	#[arg(long, env = "MEDTRUST_LINEAGE_EVENTS", default_value_os_t = store::default_dir())]
	events: PathBuf,
	/// For csv: the asset whose descendants are reported, by id.
	#[arg(long, conflicts_with_all = ["namespace", "name"])]
	asset: Option<u64>,
	/// For csv: or a dataset's namespace (its latest edition).
	#[arg(long, requires = "name")]
	namespace: Option<String>,
	/// For csv: and its name.
	#[arg(long, requires = "namespace")]
	name: Option<String>,
	/// For csv: a field of that edition.
	#[arg(long)]
	field: Option<String>,
	/// For csv: how far to walk.
	#[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
	depth: u32,
	/// For csv: the most nodes.
	#[arg(long, default_value_t = 10_000)]
	limit: u32,
}

/// The asset an [`AssetArgs`] names.
async fn resolve(chain: &Chain, a: &AssetArgs) -> anyhow::Result<u64> {
	let dataset = match (&a.asset, &a.namespace, &a.name) {
		(Some(id), _, _) => DatasetRef::Id(*id),
		(None, Some(namespace), Some(name)) => {
			DatasetRef::Named(DatasetName { namespace: namespace.clone(), name: name.clone() })
		}
		_ => anyhow::bail!("give an asset id, or --namespace and --name"),
	};
	Ok(chain.lineage().resolve(&AssetRef { dataset, field: a.field.clone() }).await?)
}

async fn walk(chain: &Chain, args: &WalkArgs, direction: Direction) -> anyhow::Result<WalkJson> {
	let start = resolve(chain, &args.asset).await?;
	chain
		.lineage()
		.walk(start, direction, args.depth, args.limit)
		.await?
		.ok_or_else(|| Error::not_found("asset", start).into())
}

/// Runs a lineage command; its exit status.
pub async fn run(command: LineageCommand, context: &Context) -> anyhow::Result<ExitCode> {
	use LineageCommand as C;
	let out = context.output;
	let chain = context.connect().await?;
	match command {
		C::Record(args) => {
			let run = manual_run(&args)?;
			let signer = context.signer()?;
			let report =
				chain.lineage().record_runs(signer, &[run], None, OnRefusal::RecordNothing).await?;
			if let Some(refused) = report.refused.first() {
				output::note(&format!("error: {refused}"));
				return Ok(ExitCode::from(REFUSED));
			}
			out.show(&Recorded::new(report, 0, Vec::new(), 0))?;
		}
		C::Import { file, events, strict } => {
			return import(&chain, context, &file, events, strict).await;
		}
		C::Serve(args) => {
			output::log_service("lineage serve");
			let options = GatewayOptions {
				listen: args.listen,
				window: Duration::from_millis(args.batch_ms),
				store: Some(EventStore::new(args.events)),
				..GatewayOptions::new(args.token_file)
			};
			let path = options.path.clone();
			gateway::serve(chain, context.signer()?.clone(), options, |listening| {
				let token = listening.token_file.display();
				if listening.token_created {
					output::note(&format!("made a new token in {token}: give it to the clients"));
				}
				output::note(&format!(
					"listening on http://{}{path}; requests carry the token in {token} \
					 (Authorization: Bearer <token>)",
					listening.address
				));
			})
			.await?;
		}
		C::Ancestors(args) => {
			out.show(&Walked(walk(&chain, &args, Direction::Ancestors).await?))?
		}
		C::Descendants(args) => {
			out.show(&Walked(walk(&chain, &args, Direction::Descendants).await?))?
		}
		C::Impact(args) => {
			let found = walk(&chain, &args.walk, Direction::Descendants).await?;
			match args.csv {
				true => output::raw(impact_csv(&found.nodes).as_bytes())?,
				false => out.show(&Impact(found))?,
			}
		}
		C::Verify(args) => {
			let asset = resolve(&chain, &args).await?;
			let found = chain
				.lineage()
				.verify(asset)
				.await?
				.ok_or_else(|| Error::not_found("asset", asset))?;
			out.show(&found)?;
			if !found.is_valid() {
				return Ok(ExitCode::from(NOT_VALID));
			}
		}
		C::Export(args) => export(&chain, &args).await?,
	}
	Ok(ExitCode::SUCCESS)
}

/// `lineage import`: every run of the file the chain will take recorded, the rest reported.
async fn import(
	chain: &Chain,
	context: &Context,
	file: &Path,
	events: PathBuf,
	strict: bool,
) -> anyhow::Result<ExitCode> {
	let text = files::read_text(file)?;
	let store = EventStore::new(events);
	let imported =
		chain.lineage().import_events(context.signer()?, &text, Some(&store), strict).await?;
	if imported.pending > 0 {
		let pending = imported.pending;
		output::note(&format!("{pending} runs have no COMPLETE event yet: not recorded"));
	}
	let refused = imported.refused();
	let shown =
		Recorded::new(imported.report, imported.repeated, imported.malformed, imported.pending);
	context.output.show(&shown)?;
	Ok(match refused {
		true => ExitCode::from(REFUSED),
		false => ExitCode::SUCCESS,
	})
}

async fn export(chain: &Chain, args: &ExportArgs) -> anyhow::Result<()> {
	let text = if args.format.eq_ignore_ascii_case("csv") {
		if args.asset.is_none() && args.name.is_none() {
			anyhow::bail!(
				"--format csv reports an asset's impact: give --asset, or --namespace and --name"
			);
		}
		let asset = AssetArgs {
			asset: args.asset,
			namespace: args.namespace.clone(),
			name: args.name.clone(),
			field: args.field.clone(),
		};
		let start = resolve(chain, &asset).await?;
		let found = chain
			.lineage()
			.walk(start, Direction::Descendants, args.depth, args.limit)
			.await?
			.ok_or_else(|| Error::not_found("asset", start))?;
		impact_csv(&found.nodes)
	} else {
		let mut graph = chain.lineage().graph().await?;
		EventStore::new(&args.events).attach(&mut graph);
		match LineageFormat::parse(&args.format)? {
			LineageFormat::OpenLineage => graph.openlineage()?,
			LineageFormat::Prov => serde_json::to_string_pretty(&graph.prov()?)? + "\n",
			LineageFormat::Fhir => serde_json::to_string_pretty(&graph.fhir())? + "\n",
		}
	};
	match &args.out {
		Some(path) => {
			files::write_atomic(path, text.as_bytes())?;
			output::note(&format!("wrote {}", path.display()));
			Ok(())
		}
		None => output::raw(text.as_bytes()),
	}
}

fn pairs(values: &[String]) -> Vec<DatasetName> {
	values.chunks(2).map(|p| DatasetName { namespace: p[0].clone(), name: p[1].clone() }).collect()
}

/// The run `lineage record` describes.
fn manual_run(args: &RecordArgs) -> anyhow::Result<Run> {
	let manual = ManualRun {
		job_namespace: args.job_namespace.clone(),
		job_name: args.job_name.clone(),
		kind: Some(args.kind),
		run_id: args.run_id.clone(),
		inputs: pairs(&args.input),
		certificates: args.certificate.clone(),
		outputs: pairs(&args.output),
		columns: args.column.clone(),
	};
	let now = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or_default();
	Ok(manual.run(now)?)
}
