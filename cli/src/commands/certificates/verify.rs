//! `medtrust verify`: one record against its portable certificate (a file, or its entry in a
//! batch's archive), or every record of a batch against its archive (`--all`).

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::Args;
use medtrust_client::{
	certificates::{
		archive::{is_archive, Archive},
		verify::{
			all::{archive_path, verify_all, Trust},
			load_certificate,
			offline::{trust_anchor, verify_offline},
			Verdict, VerifyReport,
		},
	},
	files,
};

use crate::{context::Context, output::certificates::Extracted};

/// The exit status of a verdict other than valid.
const NOT_VALID: u8 = 3;

#[derive(Debug, Args)]
pub struct VerifyArgs {
	/// The record's file; with --all, the whole anchored file.
	record: PathBuf,
	/// Its portable certificate: a certificate file, or a batch's archive
	/// (<out>/certificates.cbor, or the anchoring directory) with --record.
	certificate: PathBuf,
	/// The record's position in the anchored file (1 first), when the certificate is an
	/// archive.
	#[arg(long = "record", value_name = "N", conflicts_with = "all")]
	number: Option<u64>,
	/// Verify every record of the anchored file against the batch's archive: the shared
	/// evidence once, then each record.
	#[arg(long)]
	all: bool,
	/// Touch no node: check the certificate's evidence (GRANDPA finality from genesis,
	/// storage proof) against the chain spec.
	#[arg(long, requires = "chain_spec")]
	offline: bool,
	/// The raw chain spec to trust: your consortium's (`medtrust-node founding spec`), or
	/// `medtrust-node build-spec --chain … --raw`.
	#[arg(long)]
	chain_spec: Option<PathBuf>,
	/// Trust a chain spec whose authorities are well-known development keys (`--dev`, the
	/// local test network); without it, such a spec gets the verdict untrusted-chain-spec,
	/// since anyone can forge evidence for it.
	#[arg(long, requires = "offline")]
	allow_dev_keys: bool,
}

/// Verifies a record, or every record of a batch; exit status 0 only for valid, 3 for
/// another verdict.
pub async fn run(args: VerifyArgs, context: &Context) -> anyhow::Result<ExitCode> {
	let verdict = match args.all {
		true => verify_batch(&args, context).await?,
		false => verify_one(&args, context).await?,
	};
	Ok(match verdict {
		Verdict::Valid => ExitCode::SUCCESS,
		_ => ExitCode::from(NOT_VALID),
	})
}

/// The chain spec to verify against, when offline.
fn offline_spec(args: &VerifyArgs) -> Option<&PathBuf> {
	args.chain_spec.as_ref().filter(|_| args.offline)
}

async fn verify_one(args: &VerifyArgs, context: &Context) -> anyhow::Result<Verdict> {
	let text = files::read_text(&args.record)?;
	let path = archive_path(&args.certificate);
	let loaded = match (is_archive(&path), args.number) {
		(true, Some(n)) => Ok(Archive::open(&path)?.extract(n)?.0),
		(true, None) => anyhow::bail!(
			"{} is an archive: say which record it is with --record N, or verify them all \
			 with --all",
			path.display()
		),
		(false, _) => load_certificate(&args.certificate),
	};
	let report = match (loaded, offline_spec(args)) {
		(Err(report), _) => *report,
		(Ok(portable), Some(spec)) => verify_offline(&text, &portable, spec, args.allow_dev_keys),
		(Ok(portable), None) => {
			context.connect().await?.certificates().verify_record(&text, &portable).await?
		}
	};
	context.output.show(&report)?;
	Ok(report.verdict)
}

async fn verify_batch(args: &VerifyArgs, context: &Context) -> anyhow::Result<Verdict> {
	let report = match offline_spec(args) {
		Some(spec) => match trust_anchor(spec) {
			Ok(anchor) => {
				let anchor = anchor.allowing_dev_keys(args.allow_dev_keys);
				if let Some(untrusted) = anchor.untrusted() {
					context.output.show(&untrusted)?;
					return Ok(untrusted.verdict);
				}
				verify_all(&args.record, &args.certificate, Trust::Offline(&anchor)).await?
			}
			Err(why) => {
				let report = VerifyReport::new(
					Verdict::Unknown,
					format!("the chain spec cannot anchor trust: {why}"),
				);
				context.output.show(&report)?;
				return Ok(report.verdict);
			}
		},
		None => {
			let chain = context.connect().await?;
			verify_all(&args.record, &args.certificate, Trust::Online(&chain)).await?
		}
	};
	context.output.show(&report)?;
	Ok(report.verdict)
}

/// Writes one record's portable certificate out of a batch's archive: byte for byte the file
/// `anchor --per-record-files` writes for it.
pub fn extract(
	archive: &std::path::Path,
	record: u64,
	out: Option<PathBuf>,
) -> anyhow::Result<Extracted> {
	let path = archive_path(archive);
	let (_, rendered) = Archive::open(&path)?.extract(record)?;
	let out = out.unwrap_or_else(|| PathBuf::from(format!("{record}.json")));
	files::write_renamed(&out, &rendered).with_context(|| format!("writing {}", out.display()))?;
	Ok(Extracted { record, out, bytes: rendered.len() })
}
