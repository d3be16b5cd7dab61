//! Verifying a record against its portable certificate (requirement 7): [`verify_local`]
//! checks what needs no chain (the commitment under the record's salt, the Merkle path);
//! [`online`] adds what a node says (status, finality); [`offline`] checks the certificate's
//! evidence against a chain spec, touching no node; [`all`] verifies a whole batch against
//! its archive at once.

pub mod all;
pub mod offline;
pub mod online;

use std::path::Path;

use medtrust_primitives::{
	commitment::commit,
	hashing::HashAlgorithm,
	merkle::{root_from_proof, MerkleProof},
};
use medtrust_rpc_types::certificate_json::{parse_hash, CertificateJson};
use serde::{Deserialize, Serialize};

use super::{
	portable::{PortableCertificate, CERTIFICATE_FORMAT},
	records::canonical_single,
};

/// What verification concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
	/// Certified as the certificate says, in force, in a finalized block.
	Valid,
	/// The record, its salt, its path or the certificate was altered.
	Tampered,
	/// Certified, then revoked by its issuer.
	Revoked,
	/// Certified, then replaced by another certificate.
	Superseded,
	/// Nothing can be said: no such certificate, another chain, no evidence, not final yet.
	Unknown,
	/// Offline, the chain spec is not to be trusted: its authorities are well-known
	/// development keys, with which anyone can forge evidence.
	#[serde(rename = "untrusted-chain-spec")]
	UntrustedChainSpec,
}

medtrust_primitives::wire_names!(Verdict, "verdict" {
	Valid => "valid",
	Tampered => "tampered",
	Revoked => "revoked",
	Superseded => "superseded",
	Unknown => "unknown",
	UntrustedChainSpec => "untrusted-chain-spec",
});

/// A verdict and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
	pub verdict: Verdict,
	pub reason: String,
	/// The certificate the chain holds, when asked online.
	pub certificate: Option<CertificateJson>,
}

impl VerifyReport {
	/// A verdict with its reason, without the chain's certificate.
	pub fn new(verdict: Verdict, reason: impl Into<String>) -> Self {
		Self { verdict, reason: reason.into(), certificate: None }
	}
}

/// What a record checked locally commits to: its commitment, and for a batch its proof.
pub type Checked = ([u8; 32], Option<MerkleProof>);

/// Reads a portable certificate for verification: one that cannot be read or is not a
/// portable certificate makes the verdict `tampered`.
pub fn load_certificate(path: &Path) -> Result<PortableCertificate, Box<VerifyReport>> {
	PortableCertificate::read(path).map_err(|e| {
		let why = match e {
			crate::Error::Malformed { source, .. } => {
				format!("{} is not a portable certificate: {source}", path.display())
			}
			other => other.to_string(),
		};
		Box::new(VerifyReport::new(Verdict::Tampered, why))
	})
}

/// Checks a record against its portable certificate without the chain: the record's
/// commitment under its salt, and for a batch the Merkle path to the root. Returns the
/// commitment and proof to ask the chain about, or the verdict `tampered` with its reason.
pub fn verify_local(
	record_text: &str,
	certificate: &PortableCertificate,
) -> Result<Checked, Box<VerifyReport>> {
	let canonical = canonical_single(record_text, certificate.record.format).map_err(|e| {
		Box::new(VerifyReport::new(Verdict::Tampered, format!("the record cannot be read: {e}")))
	})?;
	verify_canonical(&canonical, certificate)
}

/// [`verify_local`] of a record already in its canonical form (as a grantee decrypts it).
pub fn verify_canonical(
	canonical: &[u8],
	certificate: &PortableCertificate,
) -> Result<Checked, Box<VerifyReport>> {
	let tampered = |why: String| Box::new(VerifyReport::new(Verdict::Tampered, why));
	if certificate.format != CERTIFICATE_FORMAT {
		return Err(tampered(format!("not a {CERTIFICATE_FORMAT} certificate")));
	}
	let algorithm = HashAlgorithm::from_name(&certificate.algorithm)
		.ok_or_else(|| tampered(format!("unknown hash algorithm `{}`", certificate.algorithm)))?;
	let salt = parse_hash(&certificate.record.salt).map_err(|e| tampered(format!("salt: {e}")))?;
	let expected = parse_hash(&certificate.record.commitment)
		.map_err(|e| tampered(format!("commitment: {e}")))?;
	check_canonical(canonical, certificate, algorithm, salt, expected)
}

/// The commitment of a canonical record under its salt, and for a batch its Merkle path.
fn check_canonical(
	canonical: &[u8],
	certificate: &PortableCertificate,
	algorithm: HashAlgorithm,
	salt: [u8; 32],
	expected: [u8; 32],
) -> Result<Checked, Box<VerifyReport>> {
	let tampered = |why: String| Box::new(VerifyReport::new(Verdict::Tampered, why));
	let commitment = commit(algorithm, &salt, canonical);
	if commitment != expected {
		return Err(tampered(
			"the record does not match the certificate's commitment: the record or its salt was \
			 altered"
				.into(),
		));
	}
	let Some(batch) = &certificate.batch else { return Ok((commitment, None)) };
	let proof = MerkleProof::try_from(&batch.proof)
		.map_err(|e| tampered(format!("the Merkle proof is malformed: {e}")))?;
	let root = parse_hash(&batch.root).map_err(|e| tampered(format!("batch root: {e}")))?;
	if proof.leaf_count != batch.leaf_count || proof.index + 1 != certificate.record.index {
		return Err(tampered("the Merkle proof does not belong to this record's place".into()));
	}
	match root_from_proof(algorithm, &commitment, &proof) {
		None => Err(tampered("the Merkle proof is truncated or padded".into())),
		Some(r) if r != root => {
			Err(tampered("the Merkle path does not lead to the batch's root".into()))
		}
		Some(_) => Ok((commitment, Some(proof))),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::certificates::portable::sample;
	use medtrust_primitives::{canonical::canonical_json, merkle::MerkleTree};
	use medtrust_rpc_types::certificate_json::hash_hex;

	fn verdict(r: Result<Checked, Box<VerifyReport>>) -> Option<(Verdict, String)> {
		r.err().map(|e| (e.verdict, e.reason))
	}

	#[test]
	fn local_verification_finds_each_kind_of_tampering() {
		let record = "{\"value\":\"5.6\"}";
		let canonical = canonical_json(record).expect("JSON");
		let good = sample(&canonical, None);
		assert!(verify_local(record, &good).is_ok());
		assert!(
			verify_local("{ \"value\" : \"5.6\" }", &good).is_ok(),
			"whitespace is not tampering"
		);
		let (v, why) = verdict(verify_local("{\"value\":\"5.7\"}", &good)).expect("tampered");
		assert_eq!(v, Verdict::Tampered);
		assert!(why.contains("altered"), "{why}");
		let mut wrong_salt = good.clone();
		wrong_salt.record.salt = hash_hex(&[8; 32]);
		assert_eq!(
			verdict(verify_local(record, &wrong_salt)).expect("tampered").0,
			Verdict::Tampered
		);
		let mut bad_hex = good.clone();
		bad_hex.record.salt = "0xzz".into();
		assert!(verdict(verify_local(record, &bad_hex)).expect("tampered").1.contains("salt"));
		assert!(verdict(verify_local("not json", &good))
			.expect("tampered")
			.1
			.contains("cannot be read"));
	}

	#[test]
	fn a_batch_path_must_lead_from_the_record_to_the_root() {
		let record = "{\"value\":\"5.6\"}";
		let canonical = canonical_json(record).expect("JSON");
		let leaves: Vec<[u8; 32]> =
			vec![[1; 32], commit(HashAlgorithm::Sm3, &[9; 32], &canonical), [3; 32]];
		let tree = MerkleTree::new(HashAlgorithm::Sm3, &leaves).expect("non-empty");
		let in_batch = sample(&canonical, Some((&tree, 1)));
		assert!(verify_local(record, &in_batch).expect("valid").1.is_some());
		let mut truncated = in_batch.clone();
		truncated.batch.as_mut().expect("batch").proof.siblings.pop();
		assert!(verdict(verify_local(record, &truncated))
			.expect("tampered")
			.1
			.contains("truncated"));
		let mut other_root = in_batch.clone();
		other_root.batch.as_mut().expect("batch").root = hash_hex(&[0; 32]);
		assert!(verdict(verify_local(record, &other_root)).expect("tampered").1.contains("root"));
		let mut moved = in_batch;
		moved.record.index = 3;
		assert!(verdict(verify_local(record, &moved)).expect("tampered").1.contains("place"));
	}

	#[test]
	fn an_unreadable_certificate_is_tampered_with() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let path = dir.path().join("1.json");
		std::fs::write(&path, "{\"format\":").expect("written");
		let report = load_certificate(&path).unwrap_err();
		assert_eq!(report.verdict, Verdict::Tampered);
		assert!(report.reason.contains("is not a portable certificate"), "{}", report.reason);
		let report = load_certificate(&dir.path().join("missing.json")).unwrap_err();
		assert!(report.reason.starts_with("cannot read"), "{}", report.reason);
	}
}
