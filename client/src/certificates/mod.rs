//! Certificates (requirements 5 and 7): anchoring records encrypted, certifying them on chain,
//! and verifying a record against its certificate online or offline.
//!
//! - [`records`]: record formats and the canonical form of one record;
//! - [`pipeline`]: the CPU-bound work of anchoring on every core (canonicalise, commit, Merkle
//!   tree, encrypt), which `medtrust-bench` times;
//! - [`keys`]: key-encryption keys and AES-256-GCM record encryption;
//! - [`portable`]: the portable certificate a verifier holds beside the record;
//! - [`archive`]: the portable certificates of a whole batch in one indexed CBOR file;
//! - [`anchor`]: anchoring a file, resumable, with its state and output directory;
//! - [`revoke`]: revoking many certificates at once, resumable;
//! - [`verify`]: verification, locally, online and offline.
//!
//! Reads go through the node's `medtrust_certificatesGet*` and `medtrust_certificatesVerify` methods (their JSON
//! shapes are [`medtrust_rpc_types::certificate_json`]); writes are `Certificates`
//! transactions.

pub mod anchor;
pub mod archive;
mod error;
pub mod keys;
pub mod pipeline;
pub mod portable;
pub mod record_keys;
pub mod records;
pub mod revoke;
pub mod verify;

pub use error::Error;

crate::chain::capability!(
	/// Certificates on chain (`chain.certificates()`): anchoring, reading, evidence, revocation,
/// supersession and verification.
	Certificates
);

use medtrust_rpc_types::certificate_json::{hash_hex, CertificateJson, EvidenceJson};
use pallet_certificates::RevocationReason;
use subxt::utils::Static;
use subxt_rpcs::rpc_params;
use subxt_signer::sr25519::Keypair;

use crate::{chain::tx::Submitted, runtime, Result};

/// How often, and how long apart, evidence is asked for while GRANDPA's proof of the newest
/// blocks is being made.
const EVIDENCE_ATTEMPTS: u32 = 20;
const EVIDENCE_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);
/// How many certificates' evidence one call asks for (the node takes up to 1,024).
pub const EVIDENCE_IDS: usize = 1_024;

impl Certificates<'_> {
	/// One certificate, or an error saying there is none.
	pub async fn get(&self, id: u64) -> Result<CertificateJson> {
		let found = self.find(id).await?;
		found.ok_or_else(|| crate::Error::not_found("certificate", format!("#{id}")))
	}

	/// One certificate, if it exists.
	pub async fn find(&self, id: u64) -> Result<Option<CertificateJson>> {
		self.chain.call("medtrust_certificatesGet", rpc_params![id]).await
	}

	/// Institution `issuer`'s certificate of a commitment or Merkle root, if any (a commitment
	/// is certified per issuer).
	pub async fn certificate_of(
		&self,
		issuer: u32,
		hash: &[u8; 32],
	) -> Result<Option<CertificateJson>> {
		self.chain.call("medtrust_certificatesOf", rpc_params![issuer, hash_hex(hash)]).await
	}

	/// The offline evidence of a certificate whose block is finalized (retries for a few
	/// seconds while GRANDPA's proof of the newest blocks is being made).
	pub async fn evidence(&self, id: u64) -> Result<EvidenceJson> {
		let mut one = self.evidence_of_many(&[id]).await?;
		one.pop().ok_or_else(|| crate::Error::Internal(format!("no evidence of #{id} answered")))
	}

	/// [`Certificates::evidence`] of many certificates, in order, [`EVIDENCE_IDS`] a call at most
	/// (`medtrust_certificatesEvidence`: the node makes GRANDPA's proofs once a block, and
	/// answers as many as fit in its response, at least one; the rest are asked for next).
	pub async fn evidence_of_many(&self, ids: &[u64]) -> Result<Vec<EvidenceJson>> {
		let mut all = Vec::with_capacity(ids.len());
		while all.len() < ids.len() {
			let rest = &ids[all.len()..];
			let chunk = &rest[..rest.len().min(EVIDENCE_IDS)];
			let call = || self.chain.call("medtrust_certificatesEvidence", rpc_params![chunk]);
			let evidence: Vec<EvidenceJson> = self.retrying_evidence(call).await?;
			if evidence.is_empty() || evidence.len() > chunk.len() {
				return Err(self.chain.incompatible(format!(
					"{} pieces of evidence for {} certificates",
					evidence.len(),
					chunk.len()
				)));
			}
			all.extend(evidence);
		}
		Ok(all)
	}

	/// Asks `ask` again, for a few seconds, while the node says to retry.
	async fn retrying_evidence<T, F, Fut>(&self, ask: F) -> Result<T>
	where
		F: Fn() -> Fut,
		Fut: std::future::Future<Output = Result<T>>,
	{
		let mut attempts = 0;
		loop {
			match ask().await {
				Err(crate::Error::Busy { .. }) if attempts < EVIDENCE_ATTEMPTS => {
					attempts += 1;
					tokio::time::sleep(EVIDENCE_PAUSE).await;
				}
				answer => return answer,
			}
		}
	}

	/// Revokes a certificate of the signer's institution.
	pub async fn revoke(
		&self,
		signer: &Keypair,
		id: u64,
		reason: RevocationReason,
	) -> Result<Submitted> {
		let call = runtime::transactions().certificates().revoke(id, Static(reason));
		self.chain.submit(&call, signer).await
	}

	/// Marks a certificate of the signer's institution as replaced by another of its own.
	pub async fn supersede(&self, signer: &Keypair, old: u64, new: u64) -> Result<Submitted> {
		self.chain.submit(&runtime::transactions().certificates().supersede(old, new), signer).await
	}
}
