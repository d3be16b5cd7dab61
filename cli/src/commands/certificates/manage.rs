//! `medtrust certificate show|revoke|supersede|extract`.

use std::path::PathBuf;

use clap::Subcommand;
use pallet_certificates::RevocationReason;

use medtrust_client::certificates::revoke;

use crate::{
	context::Context,
	output::{certificates::Revoked, Done},
	values::wire,
};

#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
	/// Show a certificate: issuer, source, resource, domain, subject, status, block.
	Show { id: u64 },
	/// Revoke certificates of the signer's institution: one by id, or many (several ids,
	/// or --from). Many are all checked first (one that does not exist, is another
	/// institution's or is superseded: nothing is revoked), then submitted together; those
	/// revoked already are skipped, so an interrupted run is finished by running it again.
	#[command(arg_required_else_help = true)]
	Revoke {
		/// The certificates' ids.
		#[arg(required_unless_present = "from")]
		ids: Vec<u64>,
		/// Also every certificate named here: an anchoring output directory (`anchor
		/// --out`: every certificate of that run) or a text file of ids, one a line (`#`
		/// starts a comment).
		#[arg(long, value_name = "DIR|FILE")]
		from: Option<PathBuf>,
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
		CertificateCommand::Show { id } => out.show(&chain.certificates().get(id).await?),
		CertificateCommand::Revoke { ids, from: None, reason } if ids.len() == 1 => {
			let submitted = chain.certificates().revoke(context.signer()?, ids[0], reason).await?;
			out.show(&Done { what: "certificate revoked", submitted })
		}
		CertificateCommand::Revoke { mut ids, from, reason } => {
			if let Some(path) = from {
				ids.extend(revoke::ids_from(&path)?);
			}
			let mut seen = std::collections::BTreeSet::new();
			ids.retain(|id| seen.insert(*id));
			let done = chain.certificates().revoke_all(context.signer()?, &ids, reason).await?;
			out.show(&Revoked::from(done))
		}
		CertificateCommand::Supersede { old, new } => {
			let submitted = chain.certificates().supersede(context.signer()?, old, new).await?;
			out.show(&Done { what: "certificate superseded", submitted })
		}
		CertificateCommand::Extract { .. } => Ok(()),
	}
}
