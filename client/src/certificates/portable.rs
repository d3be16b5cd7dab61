//! Portable certificates (`medtrust-certificate/1`): everything needed to verify one record
//! besides the record, as `anchor` writes them, one JSON file per record.

use std::path::Path;

use medtrust_rpc_types::{
	catalog::BlockRef,
	certificate_json::{EvidenceJson, ProofJson},
};
use serde::{Deserialize, Serialize};

use super::records::RecordFormat;
use crate::{Error, Result};

/// The `format` field of portable certificates.
pub const CERTIFICATE_FORMAT: &str = "medtrust-certificate/1";

/// A portable certificate: everything needed to verify one record besides the record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortableCertificate {
	/// `medtrust-certificate/1`.
	pub format: String,
	/// The chain's genesis hash.
	pub genesis: String,
	/// The on-chain certificate: id, issuer, source, resource, version, domain.
	pub certificate: CertificateRef,
	/// `sha-256`, `blake2b-256` or `sm3`.
	pub algorithm: String,
	/// The record: its position in the anchored file, format, salt and commitment.
	pub record: RecordRef,
	/// For a batch: its Merkle root, leaf count and this record's path.
	pub batch: Option<BatchRef>,
	/// The block the certificate was issued in.
	pub block: BlockRef,
	/// What an offline verifier needs besides the chain spec (see
	/// [`super::verify::offline`]).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub evidence: Option<EvidenceJson>,
}

/// The on-chain certificate a portable certificate stands for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateRef {
	pub id: u64,
	pub issuer: u32,
	pub source: u64,
	pub resource: u64,
	pub version: u32,
	pub domain: String,
}

/// The record a portable certificate is for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordRef {
	/// Its position in the anchored file (1 first).
	pub index: u64,
	/// `ndjson`, `csv` or `fhir-bundle`: how to canonicalise it.
	pub format: RecordFormat,
	/// Its 32-byte salt, hex: secret as the record is.
	pub salt: String,
	/// `H(tag ‖ salt ‖ canonical record)`, hex.
	pub commitment: String,
}

/// A record's place in a batch.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchRef {
	pub root: String,
	pub leaf_count: u64,
	pub proof: ProofJson,
}

impl PortableCertificate {
	/// Reads a portable certificate file.
	pub fn read(path: &Path) -> Result<Self> {
		crate::files::read_json(path)
	}
}

/// A certificate's evidence as it appears in every portable certificate of its records
/// (pretty JSON, indented as a member of the certificate): rendered once per certificate.
pub fn render_evidence(evidence: &EvidenceJson) -> Result<String> {
	let text = serde_json::to_string_pretty(evidence)
		.map_err(|source| Error::Serialise { what: "a certificate's evidence", source })?;
	// JSON strings hold no raw line breaks: every one is the layout's.
	Ok(text.replace('\n', "\n  "))
}

/// A portable certificate (without evidence) as pretty JSON, with `evidence` from
/// [`render_evidence`] as its last member: the bytes `serde_json::to_vec_pretty` gives for the
/// whole, without serialising the shared evidence again for every record.
pub fn render_certificate(
	portable: &PortableCertificate,
	evidence: Option<&str>,
) -> Result<Vec<u8>> {
	let mut out = serde_json::to_vec_pretty(portable)
		.map_err(|source| Error::Serialise { what: "a portable certificate", source })?;
	if let Some(evidence) = evidence {
		// `{…\n}` becomes `{…,\n  "evidence": …\n}`.
		out.truncate(out.len().saturating_sub(2));
		out.extend_from_slice(b",\n  \"evidence\": ");
		out.extend_from_slice(evidence.as_bytes());
		out.extend_from_slice(b"\n}");
	}
	Ok(out)
}

/// A portable certificate for tests: record 1 (or `index + 1` of a batch of three).
#[cfg(test)]
pub(crate) fn sample(
	record: &[u8],
	batch: Option<(&medtrust_primitives::merkle::MerkleTree, u64)>,
) -> PortableCertificate {
	use medtrust_primitives::{commitment::commit, hashing::HashAlgorithm};
	use medtrust_rpc_types::certificate_json::hash_hex;
	let salt = [9u8; 32];
	let commitment = commit(HashAlgorithm::Sm3, &salt, record);
	PortableCertificate {
		format: CERTIFICATE_FORMAT.into(),
		genesis: "0x00".into(),
		certificate: CertificateRef {
			id: 0,
			issuer: 0,
			source: 0,
			resource: 0,
			version: 1,
			domain: "LABORATORY".into(),
		},
		algorithm: "sm3".into(),
		record: RecordRef {
			index: batch.map_or(1, |(_, i)| i + 1),
			format: RecordFormat::Ndjson,
			salt: hash_hex(&salt),
			commitment: hash_hex(&commitment),
		},
		batch: batch.map(|(tree, i)| BatchRef {
			root: hash_hex(&tree.root()),
			leaf_count: 3,
			proof: ProofJson::from(&tree.proof(i).expect("in range")),
		}),
		block: BlockRef { number: 1, hash: "0x01".into() },
		evidence: None,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_certificate_rendered_with_shared_evidence_is_what_serde_writes_for_the_whole() {
		let bare = sample(b"{}", None);
		let evidence = EvidenceJson {
			block: BlockRef { number: 7, hash: "0x07".into() },
			header: "0xaa".into(),
			warp_proof: "0xbb".into(),
			finality_proof: "0xcc".into(),
			storage_key: "0xdd".into(),
			storage_proof: vec!["0x01".into(), "0x02".into()],
		};
		let mut full = bare.clone();
		full.evidence = Some(evidence.clone());
		let rendered = render_certificate(&bare, Some(&render_evidence(&evidence).expect("JSON")))
			.expect("rendered");
		assert_eq!(rendered, serde_json::to_vec_pretty(&full).expect("serialised"));
		assert_eq!(
			serde_json::from_slice::<PortableCertificate>(&rendered).expect("reads back"),
			full
		);
		assert_eq!(
			render_certificate(&bare, None).expect("rendered"),
			serde_json::to_vec_pretty(&bare).expect("serialised")
		);
	}
}
