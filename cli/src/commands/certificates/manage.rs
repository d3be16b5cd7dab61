//! `medtrust certificate show|revoke|supersede|extract`.

use std::path::PathBuf;

use clap::Subcommand;
use pallet_certificates::RevocationReason;

use crate::{context::Context, output::Done, values::wire};

#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
	/// Show a certificate: issuer, source, resource, domain, subject, status, block.
	Show { id: u64 },
	/// Revoke a certificate of the signer's institution.
	Revoke {
		id: u64,
		/// Why (as `certificate show --json` prints it).
		#[arg(long, value_parser = wire::<RevocationReason>())]
		reason: RevocationReason,
	},
	/// Mark a certificate of the signer's institution as replaced by another of its own.
	Supersede { old: u64, new: u64 },
	/// Write one record's portable certificate out of a batch's archive
	/// (<out>/certificates.cbor of `anchor --batch`): byte for byte the file
	/// `anchor --per-record-files` writes for it. Needs no node.
	Extract {
		/// The archive, or the anchoring directory holding it.
		archive: PathBuf,
		/// The record's position in the anchored file (1 first).
		#[arg(long)]
		record: u64,
		/// Where to write it (default: <record>.json).
		#[arg(long)]
		out: Option<PathBuf>,
	},
}

/// Runs a `certificate` command.
pub async fn run(command: CertificateCommand, context: &Context) -> anyhow::Result<()> {
	let out = context.output;
	if let CertificateCommand::Extract { archive, record, out: file } = command {
		return out.show(&super::verify::extract(&archive, record, file)?);
	}
	let chain = context.connect().await?;
	match command {
		CertificateCommand::Show { id } => out.show(&chain.certificate(id).await?),
		CertificateCommand::Revoke { id, reason } => {
			let submitted = chain.revoke(context.signer()?, id, reason).await?;
			out.show(&Done { what: "certificate revoked", submitted })
		}
		CertificateCommand::Supersede { old, new } => {
			let submitted = chain.supersede(context.signer()?, old, new).await?;
			out.show(&Done { what: "certificate superseded", submitted })
		}
		CertificateCommand::Extract { .. } => Ok(()),
	}
}
