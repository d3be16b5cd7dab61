//! Certificates as JSON: what the node's `medtrust_certificatesGet*` and `medtrust_certificatesVerify`
//! methods return, and the Merkle proofs they take. One definition for node and client (std).

use serde::{Deserialize, Serialize};

use medtrust_primitives::{hashing::HashAlgorithm, merkle::MerkleProof};
use pallet_certificates::{RevocationReason, Verdict};

use crate::catalog::BlockRef;

/// What a certificate vouches for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SubjectJson {
	/// One record, by its salted commitment (`0x` hex).
	#[serde(rename_all = "camelCase")]
	Record { commitment: String },
	/// A batch, by its Merkle root (`0x` hex) and leaf count.
	#[serde(rename_all = "camelCase")]
	Batch { root: String, leaf_count: u64 },
}

/// Where a certificate stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum StatusJson {
	/// In force.
	Valid,
	/// Revoked in block `at`, for `reason` (`erroneous`, `withdrawn`, `key-compromised`,
	/// `consent-withdrawn`, `legal-order`, `other`).
	Revoked {
		#[serde(with = "crate::wire::name")]
		reason: RevocationReason,
		at: u32,
	},
	/// Superseded by certificate `by` in block `at`.
	Superseded { by: u64, at: u32 },
}

impl StatusJson {
	/// The verdict a certificate in this state gets (`unknown` is for one the chain lacks).
	pub fn verdict(&self) -> Verdict {
		match self {
			StatusJson::Valid => Verdict::Valid,
			StatusJson::Revoked { .. } => Verdict::Revoked,
			StatusJson::Superseded { .. } => Verdict::Superseded,
		}
	}
}

/// A certificate, with the block it was issued in and whether that block is finalized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateJson {
	pub id: u64,
	/// The issuing institution.
	pub issuer: u32,
	pub source: u64,
	pub resource: u64,
	pub version: u32,
	/// The business domain's code.
	pub domain: String,
	/// `sha-256`, `blake2b-256` or `sm3`.
	#[serde(with = "crate::wire::name")]
	pub algorithm: HashAlgorithm,
	pub subject: SubjectJson,
	pub status: StatusJson,
	/// The block it was issued in.
	pub issued: BlockRef,
	/// Whether that block is finalized (cannot be reverted).
	pub finalized: bool,
}

/// A Merkle proof: the leaf's index, the tree's leaf count, the siblings from the leaf up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofJson {
	pub index: u64,
	pub leaf_count: u64,
	/// `0x` hex, 32 bytes each.
	pub siblings: Vec<String>,
}

impl From<&MerkleProof> for ProofJson {
	fn from(p: &MerkleProof) -> Self {
		Self {
			index: p.index,
			leaf_count: p.leaf_count,
			siblings: p.siblings.iter().map(|s| format!("0x{}", hex32(s))).collect(),
		}
	}
}

impl TryFrom<&ProofJson> for MerkleProof {
	type Error = String;

	fn try_from(p: &ProofJson) -> Result<Self, String> {
		let siblings = p.siblings.iter().map(|s| parse_hash(s)).collect::<Result<_, _>>()?;
		Ok(MerkleProof { index: p.index, leaf_count: p.leaf_count, siblings })
	}
}

/// What `medtrust_certificatesVerify` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationJson {
	/// `valid`, `revoked`, `superseded` or `unknown`.
	#[serde(with = "crate::wire::name")]
	pub verdict: Verdict,
	/// The certificate found, if any.
	pub certificate: Option<CertificateJson>,
	/// The block the chain was read at.
	pub at: BlockRef,
}

fn hex32(bytes: &[u8; 32]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses a 32-byte hash in hex, with or without `0x`.
pub fn parse_hash(text: &str) -> Result<[u8; 32], String> {
	let digits = text.trim().trim_start_matches("0x");
	if digits.len() != 64 || !digits.is_ascii() {
		return Err(format!("`{text}` is not a 32-byte hex hash"));
	}
	let mut out = [0u8; 32];
	for (i, byte) in out.iter_mut().enumerate() {
		*byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16)
			.map_err(|_| format!("`{text}` is not a 32-byte hex hash"))?;
	}
	Ok(out)
}

/// The storage key of certificate `id` in `pallet-certificates` (`Certificates::Certificates`,
/// `Twox64Concat`): what a storage proof of a certificate proves.
pub fn certificate_storage_key(id: u64) -> Vec<u8> {
	let id = id.to_le_bytes();
	let mut key = sp_crypto_hashing::twox_128(b"Certificates").to_vec();
	key.extend(sp_crypto_hashing::twox_128(b"Certificates"));
	key.extend(sp_crypto_hashing::twox_64(&id));
	key.extend(id);
	key
}

/// A 32-byte hash as `0x` hex.
pub fn hash_hex(bytes: &[u8; 32]) -> String {
	format!("0x{}", hex32(bytes))
}

/// What an offline verifier needs besides the chain spec to trust a certificate's block and
/// its stored certificate (`medtrust_certificateEvidence`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceJson {
	/// The block the certificate was issued in.
	pub block: BlockRef,
	/// That block's header, SCALE, `0x` hex: its hash is the block hash, its state root
	/// anchors the storage proof.
	pub header: String,
	/// GRANDPA's authority-set changes from genesis (a warp-sync proof: for each change, the
	/// header enacting it and its justification), SCALE, `0x` hex.
	pub warp_proof: String,
	/// A GRANDPA finality proof for the block: a justification of it or of a descendant in the
	/// same authority set, with the headers between, SCALE, `0x` hex.
	pub finality_proof: String,
	/// The storage key of the certificate.
	pub storage_key: String,
	/// The trie nodes proving the certificate's value under the block's state root, `0x` hex.
	pub storage_proof: Vec<String>,
}
