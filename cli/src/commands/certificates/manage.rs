//! `medtrust certificate show|revoke|supersede`.

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
}

/// Runs a `certificate` command.
pub async fn run(command: CertificateCommand, context: &Context) -> anyhow::Result<()> {
	let chain = context.connect().await?;
	let out = context.output;
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
	}
}
