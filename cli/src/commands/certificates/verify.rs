//! `medtrust verify`.

use std::{path::PathBuf, process::ExitCode};

use clap::Args;
use medtrust_client::{
	certificates::verify::{load_certificate, offline::verify_offline, Verdict},
	files,
};

use crate::context::Context;

/// The exit status of a verdict other than valid.
const NOT_VALID: u8 = 3;

#[derive(Debug, Args)]
pub struct VerifyArgs {
	/// The record's file.
	record: PathBuf,
	/// Its portable certificate.
	certificate: PathBuf,
	/// Touch no node: check the certificate's evidence (GRANDPA finality from genesis,
	/// storage proof) against the chain spec.
	#[arg(long, requires = "chain_spec")]
	offline: bool,
	/// The raw chain spec to trust (`medtrust-node build-spec --chain … --raw`).
	#[arg(long)]
	chain_spec: Option<PathBuf>,
}

/// Verifies a record; exit status 0 only for valid, 3 for another verdict.
pub async fn run(args: VerifyArgs, context: &Context) -> anyhow::Result<ExitCode> {
	let text = files::read_text(&args.record)?;
	let report = match (load_certificate(&args.certificate), &args.chain_spec) {
		(Err(report), _) => *report,
		(Ok(portable), Some(spec)) if args.offline => verify_offline(&text, &portable, spec),
		(Ok(portable), _) => context.connect().await?.verify_record(&text, &portable).await?,
	};
	context.output.show(&report)?;
	Ok(match report.verdict {
		Verdict::Valid => ExitCode::SUCCESS,
		_ => ExitCode::from(NOT_VALID),
	})
}
