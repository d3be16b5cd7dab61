//! `medtrust`: the MedTrust command-line tool.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use medtrust_client::{
	anchor::{AnchorRequest, PortableCertificate, RecordFormat, Verdict},
	catalog::{self, export::CatalogExport},
	consortium::{self, AdmissionRequest},
	keys::KeyStore,
	signer,
	tx::Submitted,
	Chain, DEFAULT_URL,
};
use medtrust_primitives::hashing::HashAlgorithm;
use serde::Serialize;
use subxt::utils::H256;

/// MedTrust command-line tool: inspect and use a MedTrust consortium chain.
///
/// Every command talks to one node's JSON-RPC endpoint (`--url`). Commands that write to the
/// chain sign with `--signer` and wait until their transaction is finalized. `--json` prints
/// machine-readable output instead of text.
#[derive(Debug, Parser)]
#[command(name = "medtrust", version, propagate_version = true)]
struct Cli {
	/// WebSocket URL of the node's JSON-RPC endpoint.
	#[arg(long, global = true, env = "MEDTRUST_URL", default_value = DEFAULT_URL)]
	url: String,

	/// Who signs transactions: a secret URI (`//Alice`, a mnemonic, a 0x seed) or the path of a
	/// key file holding one (or an encrypted Polkadot.js JSON export, whose password is read
	/// from MEDTRUST_SIGNER_PASSWORD).
	#[arg(long, global = true, env = "MEDTRUST_SIGNER", hide_env_values = true)]
	signer: Option<String>,

	/// Print machine-readable JSON instead of text.
	#[arg(long, global = true)]
	json: bool,

	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Show the chain's name, genesis hash, runtime version, best and finalized blocks, peers
	/// and validator set.
	Status,
	/// Member institutions, their accounts and validators, and governance.
	#[command(subcommand)]
	Consortium(ConsortiumCommand),
	/// The data catalog: business domains in scope, data sources, their resources (tables,
	/// interfaces) and data items; import from PostgreSQL or OpenAPI, export as JSON, CSV or
	/// DCAT.
	#[command(subcommand)]
	Catalog(CatalogCommand),
	/// Anchor a file of records: canonicalise each, commit to it with a fresh salt, encrypt it
	/// (AES-256-GCM), certify the records (one certificate each, or one for the batch),
	/// wait for finality, and write one portable certificate per record
	/// (<out>/certificates/<n>.json, first record = 1). Interrupted, it resumes when run again
	/// with the same file and options.
	Anchor(AnchorArgs),
	/// Verify a record (a file holding that one record: a JSON object, or a CSV header and the
	/// row) against its portable certificate and the chain. Says valid, tampered, revoked,
	/// superseded or unknown, and why. Exit status 0 only for valid, 3 for another verdict, 1
	/// for an error.
	Verify {
		/// The record's file.
		record: std::path::PathBuf,
		/// Its portable certificate.
		certificate: std::path::PathBuf,
		/// Touch no node: check the certificate's evidence (GRANDPA finality from genesis,
		/// storage proof) against the chain spec.
		#[arg(long, requires = "chain_spec")]
		offline: bool,
		/// The raw chain spec to trust (`medtrust-node build-spec --chain … --raw`).
		#[arg(long)]
		chain_spec: Option<std::path::PathBuf>,
	},
	/// Show, revoke or supersede certificates (revoke and supersede: the issuing institution).
	#[command(subcommand)]
	Certificate(CertificateCommand),
	/// Decrypt one record of an anchoring directory with the institution's key-encryption keys.
	Decrypt {
		/// The anchoring directory (`anchor --out`).
		dir: std::path::PathBuf,
		/// The record's position in the anchored file (1 first).
		#[arg(long)]
		record: u64,
		/// The key-encryption key directory.
		#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = medtrust_client::keys::default_dir())]
		keys: std::path::PathBuf,
		/// Write the record here instead of standard output.
		#[arg(long)]
		out: Option<std::path::PathBuf>,
	},
	/// Create, rotate and list the institution's key-encryption keys (they wrap the data keys
	/// of anchored batches; old versions stay, so old data stays decryptable).
	Keys {
		#[command(subcommand)]
		command: KeysCommand,
		/// The key-encryption key directory.
		#[arg(long, global = true, env = "MEDTRUST_KEYS", default_value_os_t = medtrust_client::keys::default_dir())]
		keys: std::path::PathBuf,
	},
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
	/// Create the first key-encryption key.
	Create,
	/// Add a new version and make it current.
	Rotate,
	/// List the versions and the current one.
	List,
}

#[derive(Debug, Subcommand)]
enum CertificateCommand {
	/// Show a certificate: issuer, source, resource, domain, subject, status, block.
	Show { id: u64 },
	/// Revoke a certificate of the signer's institution.
	Revoke {
		id: u64,
		/// erroneous, withdrawn, key-compromised, consent-withdrawn, legal-order or other.
		#[arg(long)]
		reason: String,
	},
	/// Mark a certificate of the signer's institution as replaced by another of its own.
	Supersede { old: u64, new: u64 },
}

#[derive(Debug, Args)]
struct AnchorArgs {
	/// The records' file.
	file: std::path::PathBuf,
	/// The data source the records come from (of the signer's institution).
	#[arg(long)]
	source: u64,
	/// The resource (table, interface) the records follow.
	#[arg(long)]
	resource: u64,
	/// The resource's schema version (default: its current one).
	#[arg(long)]
	version: Option<u32>,
	/// The business domain (default: the source's first).
	#[arg(long)]
	domain: Option<String>,
	/// ndjson, csv or fhir-bundle (default: from the extension: .csv, .json = fhir-bundle,
	/// else ndjson).
	#[arg(long)]
	format: Option<String>,
	/// sha-256, blake2b-256 or sm3.
	#[arg(long, default_value = "sm3")]
	algorithm: String,
	/// One certificate for the whole file (a Merkle root) instead of one per record.
	#[arg(long)]
	batch: bool,
	/// Where the ciphertexts and certificates go (default: <file stem>.anchored).
	#[arg(long)]
	out: Option<std::path::PathBuf>,
	/// The key-encryption key directory.
	#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = medtrust_client::keys::default_dir())]
	keys: std::path::PathBuf,
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
	/// List the business domains, and whether each is in scope for anchoring.
	Domains,
	/// Propose a new business domain (governance; signer: an active institution's admin).
	AddDomain {
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
	},
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
		#[arg(long)]
		system: String,
		/// A business domain it serves (repeat for several), e.g. --domain OUTPATIENT.
		#[arg(long = "domain", required = true)]
		domains: Vec<String>,
	},
	/// List data sources: of one institution, or of every institution.
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
		/// json, csv or dcat.
		#[arg(long, default_value = "json")]
		format: String,
		/// Write to this file instead of standard output.
		#[arg(long)]
		out: Option<std::path::PathBuf>,
	},
}

#[derive(Debug, Args)]
struct ImportArgs {
	/// A PostgreSQL database to read (postgres://user:password@host:port/database); its
	/// information_schema and column comments give the tables and fields.
	#[arg(long, conflicts_with = "openapi", required_unless_present = "openapi")]
	postgres: Option<String>,
	/// An OpenAPI 3 document (JSON or YAML): each operation becomes an interface resource.
	#[arg(long)]
	openapi: Option<std::path::PathBuf>,
	/// The data source to register under (`catalog add-source` printed its id).
	#[arg(long)]
	source: u64,
	/// The database schema to read.
	#[arg(long, default_value = "public", conflicts_with = "openapi")]
	schema: String,
	/// The processing operations to record for each resource, comma-separated (collect,
	/// clean, transform, deidentify, aggregate, store, share, derive).
	#[arg(long, value_delimiter = ',', default_value = "collect")]
	operations: Vec<String>,
	/// Print what was read, register nothing.
	#[arg(long)]
	dry_run: bool,
}

#[derive(Debug, Subcommand)]
enum ConsortiumCommand {
	/// List every institution (removed ones included).
	List,
	/// Show one institution and its member accounts.
	Show { id: u32 },
	/// Propose to admit an institution (signer: an active institution's admin). Prints the
	/// motion's hash for the others to `vote` on; with a single institution it executes at once.
	ProposeAdmit(AdmitArgs),
	/// List the open council motions with their votes.
	Motions,
	/// Vote on a council motion (signer: an active institution's admin).
	Vote {
		/// The motion's hash (from `propose-*` or `motions`).
		hash: H256,
		/// Approve the motion.
		#[arg(long, conflicts_with = "nay", required_unless_present = "nay")]
		aye: bool,
		/// Reject the motion.
		#[arg(long)]
		nay: bool,
	},
	/// Close a council motion: executes it if a majority approved; prints the outcome.
	Close {
		/// The motion's hash.
		hash: H256,
	},
	/// Propose to suspend an institution (its accounts are refused, its validator leaves).
	Suspend { id: u32 },
	/// Propose to re-activate a suspended institution.
	Resume { id: u32 },
	/// Propose to remove an institution for good.
	Remove { id: u32 },
	/// Add a member account to the signer's institution (signer: its admin).
	AddMember { account: String },
	/// Remove a member account from the signer's institution (signer: its admin).
	RemoveMember { account: String },
	/// Generate session keys in a node's keystore, owned by the signer, and register them on
	/// chain. Run it against your own node (its unsafe RPC methods must be reachable, as they
	/// are on localhost).
	SetKeys {
		/// The node that keeps the keys (default: `--url`).
		#[arg(long)]
		node_url: Option<String>,
	},
}

#[derive(Debug, Args)]
struct AdmitArgs {
	/// The institution's name (UTF-8, at most 256 bytes: 85 Chinese characters).
	#[arg(long)]
	name: String,
	/// Its 18-character unified social credit code (统一社会信用代码).
	#[arg(long)]
	credit_code: String,
	/// Its six-digit administrative division code, e.g. 110105.
	#[arg(long)]
	region: String,
	/// hospital, lab, health-commission, research-institute, insurer or other.
	#[arg(long)]
	kind: String,
	/// Its admin account (SS58): manages its members, votes for it.
	#[arg(long)]
	admin: String,
	/// Its validator account (SS58; default: the admin).
	#[arg(long)]
	validator: Option<String>,
	/// Its node's peer id (`medtrust-node key inspect-node-key --file <node key>`).
	#[arg(long)]
	peer_id: String,
	/// Its X25519 public key for encrypted sharing, 32 bytes hex.
	#[arg(long)]
	encryption_key: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	match run(cli).await {
		Ok(code) => code,
		Err(e) => {
			eprintln!("error: {e:#}");
			ExitCode::FAILURE
		}
	}
}

fn print<T: Serialize>(
	json: bool,
	value: &T,
	text: impl FnOnce(&T) -> String,
) -> anyhow::Result<()> {
	if json {
		println!("{}", serde_json::to_string_pretty(value)?);
	} else {
		print!("{}", text(value));
	}
	Ok(())
}

async fn run_catalog(
	cli_url: &str,
	json: bool,
	need_signer: impl Fn() -> anyhow::Result<subxt_signer::sr25519::Keypair>,
	command: CatalogCommand,
) -> anyhow::Result<()> {
	// Check arguments and read local input before connecting: bad input fails fast.
	let specs = match &command {
		CatalogCommand::Import(args) => Some(match (&args.postgres, &args.openapi) {
			(Some(url), _) => {
				catalog::postgres::read_schema(url, &args.schema, &args.operations).await?
			}
			(_, Some(path)) => catalog::openapi::read_file(path, &args.operations)?,
			_ => anyhow::bail!("give --postgres or --openapi"),
		}),
		CatalogCommand::Export { format, .. }
			if !["json", "csv", "dcat"].contains(&format.as_str()) =>
		{
			anyhow::bail!("unknown export format `{format}`: json, csv or dcat")
		}
		CatalogCommand::AddSource { system, .. } => {
			catalog::parse_system(system)?;
			None
		}
		_ => None,
	};
	if let (CatalogCommand::Import(args), Some(specs)) = (&command, &specs) {
		if args.dry_run {
			for op in &args.operations {
				catalog::parse_operation(op)?;
			}
			return print(json, specs, |specs| {
				let mut out = String::new();
				for s in specs {
					out.push_str(&format!("{}  ({} fields)\n", s.name, s.items.len()));
					for i in &s.items {
						out.push_str(&format!(
							"  {:<24} {:<20} {}\n",
							i.name, i.data_type, i.definition
						));
					}
				}
				out
			});
		}
	}
	let chain = Chain::connect(cli_url).await?;
	match command {
		CatalogCommand::Domains => {
			let domains = chain.domains().await?;
			print(json, &domains, |all| {
				let mut out = String::new();
				for d in all {
					out.push_str(&format!(
						"{:<18} {:<3} {:<12} shares {}\n",
						d.code,
						if d.in_scope { "in" } else { "out" },
						d.name,
						d.shared_data.join(",")
					));
				}
				out
			})?;
		}
		CatalogCommand::AddDomain { code, name, description, shares, out_of_scope } => {
			let call = catalog::add_domain_call(&code, &name, &description, &shares, !out_of_scope);
			let s = chain.propose(&need_signer()?, call).await?;
			print(json, &s, submitted_text("business domain proposed"))?;
		}
		CatalogCommand::SetScope { code, in_scope, out: _ } => {
			let s =
				chain.propose(&need_signer()?, catalog::set_scope_call(&code, in_scope)).await?;
			print(json, &s, submitted_text("scope change proposed"))?;
		}
		CatalogCommand::AddSource { name, system, domains } => {
			let system = catalog::parse_system(&system)?;
			let (source, submitted) =
				chain.add_source(&need_signer()?, &name, system, &domains).await?;
			#[derive(Serialize)]
			struct Added {
				source: u64,
				#[serde(flatten)]
				submitted: Submitted,
			}
			print(json, &Added { source, submitted }, |a| format!("{}\n", a.source))?;
		}
		CatalogCommand::Sources { institution } => {
			let institutions = match institution {
				Some(id) => vec![id],
				None => chain.institutions().await?.into_iter().map(|i| i.id).collect(),
			};
			let mut all = Vec::new();
			for id in institutions {
				all.extend(chain.sources_of(id).await?);
			}
			print(json, &all, |all| {
				let mut out = String::new();
				for s in all {
					out.push_str(&format!(
						"{:>4}  institution {:<3} {:<5} {:<7} {:>4} resources  {}  [{}]\n",
						s.id,
						s.institution,
						s.system,
						s.status,
						s.resource_count,
						s.name,
						s.domains.join(",")
					));
				}
				out
			})?;
		}
		CatalogCommand::Show { source, resource: None, .. } => {
			#[derive(Serialize)]
			struct SourceDetail {
				#[serde(flatten)]
				source: medtrust_primitives::catalog::SourceJson,
				resources: Vec<medtrust_primitives::catalog::ResourceJson>,
			}
			let detail = SourceDetail {
				source: chain.source(source).await?,
				resources: chain.resources_of(source).await?,
			};
			print(json, &detail, |d| {
				let s = &d.source;
				let mut out =
					format!(
					"{} (#{}, {}, {}, institution #{})\ndomains     {}\nregistered  block #{}\n",
					s.name, s.id, s.system, s.status, s.institution, s.domains.join(", "), s.registered
				);
				for r in &d.resources {
					out.push_str(&format!("  resource {:>4}  v{}  {}\n", r.id, r.version, r.name));
					for v in &r.versions {
						out.push_str(&format!(
							"      v{} block #{}  {}/{} items  schema {}\n",
							v.version,
							v.registered,
							v.registered_items,
							v.item_count,
							v.schema_hash
						));
					}
				}
				out
			})?;
		}
		CatalogCommand::Show { source, resource: Some(id), version } => {
			let resource = chain.resource(id).await?;
			if resource.source != source {
				anyhow::bail!(
					"resource #{id} belongs to source #{}, not #{source}",
					resource.source
				);
			}
			let version = version.unwrap_or(resource.version);
			let page = chain.items(id, version).await?;
			print(json, &page.items, |items| {
				let mut out = format!("{} v{version}\n", resource.name);
				for i in items {
					out.push_str(&format!(
						"{:>4}  {:<24} {:<20} {:<5} {:<16} {}\n",
						i.position,
						i.name,
						i.data_type,
						if i.nullable { "null" } else { "" },
						i.standard_element.as_deref().unwrap_or("-"),
						i.definition
					));
				}
				out
			})?;
		}
		CatalogCommand::Import(args) => {
			let specs = specs.unwrap_or_default();
			let signer = need_signer()?;
			let report = chain
				.import(&signer, args.source, &specs, |o| {
					eprintln!(
						"{:<10} {} (resource {}, v{}, {} items)",
						o.action, o.name, o.resource, o.version, o.items_registered
					)
				})
				.await?;
			print(json, &report, |r| {
				format!(
					"source {}: {} registered, {} versioned, {} completed, {} unchanged\n",
					r.source,
					r.count("registered"),
					r.count("versioned"),
					r.count("completed"),
					r.count("unchanged")
				)
			})?;
		}
		CatalogCommand::Export { format, out } => {
			let export = CatalogExport {
				genesis: format!("{:?}", chain.api().genesis_hash()),
				domains: chain.domains().await?,
				catalog: chain.catalog().await?,
			};
			let text = match format.as_str() {
				"csv" => catalog::export::csv(&export),
				"dcat" => serde_json::to_string_pretty(&catalog::export::dcat(&export))? + "\n",
				_ => serde_json::to_string_pretty(&export)? + "\n",
			};
			match out {
				Some(path) => {
					std::fs::write(&path, text)
						.map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
					eprintln!(
						"wrote {} resources to {} ({format})",
						export.catalog.entries.len(),
						path.display()
					);
				}
				None => print!("{text}"),
			}
		}
	}
	Ok(())
}

fn submitted_text(what: &str) -> impl FnOnce(&Submitted) -> String + '_ {
	move |s| {
		let mut out = format!("{what}: finalized (extrinsic {:?})\n", s.extrinsic_hash);
		if let Some(hash) = s.motion_hash {
			out.push_str(&format!("motion {hash:?} awaits votes\n"));
		}
		if let Some(result) = &s.motion_result {
			out.push_str(&format!("motion executed: {result}\n"));
		}
		for e in &s.events {
			out.push_str(&format!("  {} {}\n", e.event, e.fields));
		}
		out
	}
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
	// A signer given but unusable is an error even for commands that do not sign: it would
	// fail later at a worse moment.
	let keypair = cli.signer.as_deref().map(signer::parse).transpose()?;
	let need_signer = || {
		keypair.clone().ok_or_else(|| {
			anyhow::anyhow!("this command signs a transaction: give --signer (or MEDTRUST_SIGNER)")
		})
	};
	match cli.command {
		Command::Status => {
			let chain = Chain::connect(&cli.url).await?;
			let status = chain.status().await?;
			print(cli.json, &status, |s| s.render())?;
		}
		Command::Catalog(command) => run_catalog(&cli.url, cli.json, need_signer, command).await?,
		Command::Keys { command, keys } => {
			let store = KeyStore::new(keys);
			let version = match command {
				KeysCommand::Create => Some(store.create(false)?),
				KeysCommand::Rotate => Some(store.create(true)?),
				KeysCommand::List => None,
			};
			#[derive(Serialize)]
			struct Keys {
				dir: std::path::PathBuf,
				versions: Vec<u32>,
				current: Option<u32>,
				created: Option<u32>,
			}
			let keys = Keys {
				dir: store.dir().to_path_buf(),
				versions: store.versions()?,
				current: store.current().ok(),
				created: version,
			};
			print(cli.json, &keys, |k| {
				let mut out = String::new();
				if let Some(v) = k.created {
					out.push_str(&format!(
						"created key-encryption key version {v} in {}\n",
						k.dir.display()
					));
				}
				out.push_str(&format!(
					"versions {:?}, current {}\n",
					k.versions,
					k.current.map(|c| c.to_string()).unwrap_or_else(|| "none".into())
				));
				out
			})?;
		}
		Command::Anchor(args) => {
			let format = match &args.format {
				Some(f) => RecordFormat::parse(f)?,
				None => RecordFormat::guess(&args.file),
			};
			let algorithm = HashAlgorithm::from_name(&args.algorithm).ok_or_else(|| {
				anyhow::anyhow!(
					"unknown hash algorithm `{}`: sha-256, blake2b-256 or sm3",
					args.algorithm
				)
			})?;
			let out = args.out.clone().unwrap_or_else(|| {
				let stem = args
					.file
					.file_stem()
					.map(|s| s.to_string_lossy().into_owned())
					.unwrap_or_default();
				std::path::PathBuf::from(format!("{stem}.anchored"))
			});
			let request = AnchorRequest {
				file: args.file.clone(),
				format,
				source: args.source,
				resource: args.resource,
				version: args.version,
				domain: args.domain.clone(),
				algorithm,
				batch: args.batch,
				out,
			};
			let store = KeyStore::new(args.keys.clone());
			let signer = need_signer()?;
			let chain = Chain::connect(&cli.url).await?;
			let bar = indicatif::ProgressBar::new(0);
			bar.set_style(
				indicatif::ProgressStyle::with_template("{msg:>9} {bar:40} {pos}/{len} {per_sec}")
					.unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
			);
			let report = chain
				.anchor(&signer, &request, &store, |stage, done, total| {
					bar.set_length(total);
					bar.set_message(stage.to_string());
					bar.set_position(done);
				})
				.await?;
			bar.finish_and_clear();
			print(cli.json, &report, |r| {
				format!(
					"anchored {} records: {} in block #{} (finalized); {} issued now\nportable certificates in {}\ncertified after {:.1} s, all written after {:.1} s\n",
					r.records,
					match r.certificates.as_slice() {
						[one] => format!("certificate #{one}"),
						[first, .., last] if r.certificates.len() > 5 => format!(
							"{} certificates (the first #{first}, the last #{last})",
							r.certificates.len()
						),
						all => format!("certificates {all:?}"),
					},
					r.block.number,
					r.issued_now,
					r.out.join("certificates").display(),
					r.seconds.certified,
					r.seconds.written
				)
			})?;
		}
		Command::Verify { record, certificate, offline, chain_spec } => {
			let text = std::fs::read_to_string(&record)
				.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", record.display()))?;
			let report = match std::fs::read_to_string(&certificate)
				.map_err(|e| format!("cannot read {}: {e}", certificate.display()))
				.and_then(|t| {
					serde_json::from_str::<PortableCertificate>(&t).map_err(|e| {
						format!("{} is not a portable certificate: {e}", certificate.display())
					})
				}) {
				Err(why) => medtrust_client::anchor::VerifyReport {
					verdict: Verdict::Tampered,
					reason: why,
					certificate: None,
				},
				Ok(portable) => match (offline, chain_spec) {
					(true, Some(spec)) => {
						medtrust_client::offline::verify_offline(&text, &portable, &spec)
					}
					_ => {
						let chain = Chain::connect(&cli.url).await?;
						chain.verify_record(&text, &portable).await?
					}
				},
			};
			let valid = report.verdict == Verdict::Valid;
			print(cli.json, &report, |r| {
				let word = serde_json::to_value(r.verdict)
					.ok()
					.and_then(|v| v.as_str().map(String::from))
					.unwrap_or_default();
				format!("{word}: {}\n", r.reason)
			})?;
			if !valid {
				return Ok(ExitCode::from(3));
			}
		}
		Command::Certificate(command) => {
			let chain = Chain::connect(&cli.url).await?;
			match command {
				CertificateCommand::Show { id } => {
					let c = chain.certificate(id).await?;
					print(cli.json, &c, |c| {
						format!(
							"certificate #{} of institution #{}\nsource {} resource {} v{} domain {}\nalgorithm {}\nsubject {:?}\nstatus {:?}\nissued in block #{} {} ({})\n",
							c.id, c.issuer, c.source, c.resource, c.version, c.domain, c.algorithm,
							c.subject, c.status, c.issued.number, c.issued.hash,
							if c.finalized { "finalized" } else { "not finalized" }
						)
					})?;
				}
				CertificateCommand::Revoke { id, reason } => {
					let s = chain.revoke(&need_signer()?, id, &reason).await?;
					print(cli.json, &s, submitted_text("certificate revoked"))?;
				}
				CertificateCommand::Supersede { old, new } => {
					let s = chain.supersede(&need_signer()?, old, new).await?;
					print(cli.json, &s, submitted_text("certificate superseded"))?;
				}
			}
		}
		Command::Decrypt { dir, record, keys, out } => {
			let plaintext = medtrust_client::anchor::decrypt(&dir, record, &KeyStore::new(keys))?;
			match out {
				Some(path) => std::fs::write(&path, &plaintext)
					.map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
				None => {
					use std::io::Write;
					std::io::stdout().write_all(&plaintext)?;
					println!();
				}
			}
		}
		Command::Consortium(command) => {
			// Check arguments before connecting: bad input fails fast and sends nothing.
			let admission = match &command {
				ConsortiumCommand::ProposeAdmit(a) => Some(
					AdmissionRequest {
						name: a.name.clone(),
						credit_code: a.credit_code.clone(),
						region: a.region.clone(),
						kind: a.kind.clone(),
						admin: a.admin.clone(),
						validator: a.validator.clone().unwrap_or_else(|| a.admin.clone()),
						peer_id: a.peer_id.clone(),
						encryption_key: a.encryption_key.clone(),
					}
					.to_call()?,
				),
				_ => None,
			};
			let chain = Chain::connect(&cli.url).await?;
			match command {
				ConsortiumCommand::List => {
					let all = chain.institutions().await?;
					print(cli.json, &all, |all| {
						let mut out = String::new();
						for i in all {
							out.push_str(&format!(
								"{:>3}  {:<9}  {:<18}  {:<18}  {}\n",
								i.id, i.status, i.kind, i.credit_code, i.name
							));
						}
						out
					})?;
				}
				ConsortiumCommand::Show { id } => {
					let detail = chain.institution(id).await?;
					print(cli.json, &detail, |d| {
						let i = &d.institution;
						let mut out = format!(
							"{} (#{}, {}, {})\ncredit code  {}\nregion       {}\nadmin        {}\nvalidator    {}\npeer id      {}\nencryption   {}\njoined       block #{}\nmembers      {}\n",
							i.name, i.id, i.kind, i.status, i.credit_code, i.region, i.admin,
							i.validator, i.peer_id,
							i.encryption_key.as_deref().unwrap_or("-"), i.joined, i.member_count
						);
						for m in &d.members {
							out.push_str(&format!("  {m}\n"));
						}
						out
					})?;
				}
				ConsortiumCommand::ProposeAdmit(_) => {
					let call = admission.ok_or_else(|| anyhow::anyhow!("no admission"))?;
					let s = chain.propose(&need_signer()?, call).await?;
					print(cli.json, &s, submitted_text("admission proposed"))?;
				}
				ConsortiumCommand::Motions => {
					let motions = chain.motions().await?;
					print(cli.json, &motions, |ms| {
						let mut out = String::new();
						for m in ms {
							out.push_str(&format!(
								"{:?} #{}  {} of {} ayes, {} nays  {}\n",
								m.hash,
								m.index,
								m.ayes.len(),
								m.threshold,
								m.nays.len(),
								m.call
							));
						}
						out
					})?;
				}
				ConsortiumCommand::Vote { hash, aye, nay: _ } => {
					let s = chain.vote(&need_signer()?, hash, aye).await?;
					print(cli.json, &s, submitted_text("vote"))?;
				}
				ConsortiumCommand::Close { hash } => {
					let s = chain.close(&need_signer()?, hash).await?;
					print(cli.json, &s, submitted_text("motion closed"))?;
				}
				ConsortiumCommand::Suspend { id } => {
					let s = chain.propose(&need_signer()?, consortium::suspend_call(id)).await?;
					print(cli.json, &s, submitted_text("suspension proposed"))?;
				}
				ConsortiumCommand::Resume { id } => {
					let s = chain.propose(&need_signer()?, consortium::resume_call(id)).await?;
					print(cli.json, &s, submitted_text("resumption proposed"))?;
				}
				ConsortiumCommand::Remove { id } => {
					let members = chain.institution(id).await?.institution.member_count;
					let s = chain
						.propose(&need_signer()?, consortium::remove_call(id, members))
						.await?;
					print(cli.json, &s, submitted_text("removal proposed"))?;
				}
				ConsortiumCommand::AddMember { account } => {
					let account = consortium::parse_account(&account)?;
					let s = chain.add_member(&need_signer()?, account).await?;
					print(cli.json, &s, submitted_text("member added"))?;
				}
				ConsortiumCommand::RemoveMember { account } => {
					let account = consortium::parse_account(&account)?;
					let s = chain.remove_member(&need_signer()?, account).await?;
					print(cli.json, &s, submitted_text("member removed"))?;
				}
				ConsortiumCommand::SetKeys { node_url } => {
					let node_url = node_url.unwrap_or_else(|| cli.url.clone());
					let (keys, s) = chain.set_keys(&need_signer()?, &node_url).await?;
					#[derive(Serialize)]
					struct KeysSet {
						keys: String,
						#[serde(flatten)]
						submitted: Submitted,
					}
					print(cli.json, &KeysSet { keys, submitted: s }, |k| {
						format!("session keys {} registered\n", k.keys)
							+ &submitted_text("keys")(&k.submitted)
					})?;
				}
			}
		}
	}
	Ok(ExitCode::SUCCESS)
}
