//! Online verification: the local checks, then what a node says of the certificate.

use medtrust_rpc_types::certificate_json::{
	hash_hex, CertificateJson, ProofJson, StatusJson, VerificationJson,
};
use subxt_rpcs::rpc_params;

use super::{verify_local, Checked, PortableCertificate, Verdict, VerifyReport};
use crate::certificates::Certificates;
use crate::Result;

impl Certificates<'_> {
	/// Verifies a record against its portable certificate and the chain.
	pub async fn verify_record(
		&self,
		record_text: &str,
		certificate: &PortableCertificate,
	) -> Result<VerifyReport> {
		match verify_local(record_text, certificate) {
			Ok(checked) => self.verify_checked(certificate, checked).await,
			Err(report) => Ok(*report),
		}
	}

	/// What the chain says of a certificate whose record passed [`verify_local`] (its
	/// commitment and, in a batch, its proof).
	pub async fn verify_checked(
		&self,
		certificate: &PortableCertificate,
		(commitment, proof): Checked,
	) -> Result<VerifyReport> {
		let genesis = self.chain.genesis();
		if genesis != certificate.genesis {
			return Ok(VerifyReport::new(
				Verdict::Unknown,
				format!(
					"the certificate is of chain {}, this node serves {genesis}",
					certificate.genesis
				),
			));
		}
		// The issuer the certificate names is the one expected: another institution's
		// certificate of the same commitment does not vouch for this record.
		let issuer = certificate.certificate.issuer;
		let params =
			rpc_params![issuer, hash_hex(&commitment), proof.as_ref().map(ProofJson::from)];
		let answer: VerificationJson =
			self.chain.call("medtrust_certificatesVerify", params).await?;
		let Some(found) = answer.certificate else {
			return Ok(VerifyReport::new(
				Verdict::Unknown,
				format!("no certificate of institution #{issuer} on chain holds this record"),
			));
		};
		let mut report = judge(&found, certificate);
		report.certificate = Some(found);
		Ok(report)
	}
}

/// The verdict on a record whose commitment the chain certifies as `found`.
fn judge(found: &CertificateJson, certificate: &PortableCertificate) -> VerifyReport {
	if found.id != certificate.certificate.id || found.issued.hash != certificate.block.hash {
		return VerifyReport::new(
			Verdict::Tampered,
			format!(
				"the chain certifies this record as #{} in block {}, not as the certificate says \
				 (#{} in block {})",
				found.id, found.issued.hash, certificate.certificate.id, certificate.block.hash
			),
		);
	}
	let id = found.id;
	match &found.status {
		StatusJson::Valid if found.finalized => VerifyReport::new(
			Verdict::Valid,
			format!(
				"certificate #{id} of institution #{}, block #{} (finalized)",
				found.issuer, found.issued.number
			),
		),
		StatusJson::Valid => VerifyReport::new(
			Verdict::Unknown,
			format!("certificate #{id}'s block #{} is not finalized yet", found.issued.number),
		),
		StatusJson::Revoked { reason, at } => VerifyReport::new(
			Verdict::Revoked,
			format!("certificate #{id} was revoked in block #{at} ({reason})"),
		),
		StatusJson::Superseded { by, at } => VerifyReport::new(
			Verdict::Superseded,
			format!("certificate #{id} was superseded by #{by} in block #{at}"),
		),
	}
}
