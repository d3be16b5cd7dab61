//! Offline verification: a record, its portable certificate and the chain spec, no node.
//!
//! The chain spec (raw) is the trust anchor: its genesis storage gives the genesis hash and
//! GRANDPA's first authority set. The certificate's evidence then carries
//! 1. GRANDPA's authority-set changes from genesis (each enacting header with a
//!    justification signed by more than two thirds of the set before it), as warp sync
//!    follows them;
//! 2. a finality proof for the certificate's block: a justification of it, or of a descendant
//!    with the headers linking the two, signed by the set of that time;
//! 3. the block's header (its hash is the block's; its state root anchors the storage proof);
//! 4. a storage proof of the certificate under that state root.
//!
//! A `valid` verdict offline means: certified, as the certificate says, in a block GRANDPA
//! finalized. A revocation after the evidence was taken is only visible online.

use std::{collections::HashMap, path::Path};

use codec::Decode;
use medtrust_primitives::{merkle::MerkleProof, Header};
use medtrust_rpc_types::certificate_json::{hash_hex, parse_hash, EvidenceJson};
use sc_consensus_grandpa::{
	find_scheduled_change, warp_proof::WarpSyncFragment, FinalityProof, GrandpaJustification,
};
use sp_consensus_grandpa::AuthorityList;
use sp_runtime::traits::{BlakeTwo256, Header as _};
use sp_trie::TrieConfiguration;

use super::{verify_local, Checked, PortableCertificate, Verdict, VerifyReport};
use crate::certificates::Error as CertificatesError;
use crate::{
	runtime::runtime_types::pallet_certificates::types::{Certificate, CertificateStatus, Subject},
	Result,
};

/// A block of any MedTrust chain, its extrinsics left opaque.
pub type Block = sp_runtime::generic::Block<Header, sp_runtime::OpaqueExtrinsic>;

/// What a chain spec anchors: the genesis hash and GRANDPA's genesis authorities.
pub struct TrustAnchor {
	pub genesis_hash: [u8; 32],
	pub authorities: AuthorityList,
	/// The well-known development keys among its Aura and GRANDPA authorities (`Alice`, …):
	/// anyone can forge evidence that such a spec accepts.
	pub dev_keys: Vec<String>,
	/// Whether to verify against it all the same (`--allow-dev-keys`, test networks only).
	pub allow_dev_keys: bool,
}

impl TrustAnchor {
	/// The anchor, trusted although its authorities include development keys.
	pub fn allowing_dev_keys(self, allow: bool) -> Self {
		Self { allow_dev_keys: allow, ..self }
	}

	/// The verdict on every certificate when the spec is not to be trusted, or `None`.
	pub fn untrusted(&self) -> Option<VerifyReport> {
		(!self.dev_keys.is_empty() && !self.allow_dev_keys).then(|| {
			VerifyReport::new(
				Verdict::UntrustedChainSpec,
				format!(
					"the chain spec's authorities include well-known development keys ({}), \
					 whose secrets everybody holds: any certificate can be forged for it. Verify \
					 against your consortium's chain spec, or pass --allow-dev-keys for a test \
					 network",
					self.dev_keys.join(", ")
				),
			)
		})
	}
}

/// Why evidence does not hold, for the verdict's reason.
type Why = String;

fn hex_bytes(text: &str) -> std::result::Result<Vec<u8>, Why> {
	hex::decode(text.trim().trim_start_matches("0x")).map_err(|_| format!("`{text}` is not hex"))
}

/// Reads a raw chain spec (`medtrust-node build-spec --chain … --raw`): computes the genesis
/// hash from its genesis storage and reads GRANDPA's genesis authorities.
pub fn trust_anchor(path: &Path) -> Result<TrustAnchor> {
	let spec: serde_json::Value = crate::files::read_json(path)?;
	genesis_anchor(&spec).map_err(|why| {
		CertificatesError::ChainSpec { path: path.to_path_buf(), reason: why.to_string() }.into()
	})
}

/// The trust anchor of a raw chain spec's genesis storage.
fn genesis_anchor(spec: &serde_json::Value) -> std::result::Result<TrustAnchor, Why> {
	let top = spec.pointer("/genesis/raw/top").and_then(|t| t.as_object()).ok_or(
		"not a raw chain spec: export one with `medtrust-node build-spec --chain <chain> --raw`",
	)?;
	if spec
		.pointer("/genesis/raw/childrenDefault")
		.and_then(|c| c.as_object())
		.is_some_and(|c| !c.is_empty())
	{
		return Err("chain specs with child tries are not supported".into());
	}
	let mut pairs = Vec::with_capacity(top.len());
	for (key, value) in top {
		let value =
			value.as_str().ok_or_else(|| format!("genesis value of {key} is not a string"))?;
		pairs.push((hex_bytes(key)?, hex_bytes(value)?));
	}
	let state_root = sp_trie::LayoutV1::<BlakeTwo256>::trie_root(pairs.iter().cloned());
	let extrinsics_root =
		sp_trie::LayoutV1::<BlakeTwo256>::trie_root(Vec::<(Vec<u8>, Vec<u8>)>::new());
	let genesis =
		Header::new(0, extrinsics_root, state_root, Default::default(), Default::default());
	let value_of = |pallet: &[u8]| {
		let mut key = sp_crypto_hashing::twox_128(pallet).to_vec();
		key.extend(sp_crypto_hashing::twox_128(b"Authorities"));
		pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_slice())
	};
	let mut encoded = value_of(b"Grandpa").ok_or("the chain spec has no GRANDPA authorities")?;
	let authorities = AuthorityList::decode(&mut encoded)
		.map_err(|e| format!("the chain spec's GRANDPA authorities do not decode: {e}"))?;
	let aura = match value_of(b"Aura") {
		Some(mut encoded) => Vec::<[u8; 32]>::decode(&mut encoded)
			.map_err(|e| format!("the chain spec's Aura authorities do not decode: {e}"))?,
		None => Vec::new(),
	};
	let mut dev_keys: Vec<String> = authorities
		.iter()
		.filter_map(|(key, _)| medtrust_primitives::dev_keys::name_of(key.as_ref()))
		.chain(aura.iter().filter_map(medtrust_primitives::dev_keys::name_of_key))
		.collect();
	dev_keys.sort();
	dev_keys.dedup();
	Ok(TrustAnchor {
		genesis_hash: genesis.hash().into(),
		authorities,
		dev_keys,
		allow_dev_keys: false,
	})
}

/// Verifies a record and its portable certificate against a chain spec, touching no node;
/// a spec whose authorities are development keys is trusted only if `allow_dev_keys`.
pub fn verify_offline(
	record_text: &str,
	certificate: &PortableCertificate,
	chain_spec: &Path,
	allow_dev_keys: bool,
) -> VerifyReport {
	match trust_anchor(chain_spec) {
		Ok(anchor) => {
			verify_with_anchor(record_text, certificate, &anchor.allowing_dev_keys(allow_dev_keys))
		}
		Err(why) => VerifyReport::new(
			Verdict::Unknown,
			format!("the chain spec cannot anchor trust: {why}"),
		),
	}
}

/// [`verify_offline`] with the chain spec already read.
pub fn verify_with_anchor(
	record_text: &str,
	certificate: &PortableCertificate,
	anchor: &TrustAnchor,
) -> VerifyReport {
	match verify_local(record_text, certificate) {
		Ok(checked) => verify_checked_offline(certificate, checked, anchor),
		Err(report) => *report,
	}
}

/// What the evidence says of a certificate whose record passed [`verify_local`] (its
/// commitment and, in a batch, its proof).
pub fn verify_checked_offline(
	certificate: &PortableCertificate,
	(commitment, proof): Checked,
	anchor: &TrustAnchor,
) -> VerifyReport {
	let report = VerifyReport::new;
	if let Some(untrusted) = anchor.untrusted() {
		return untrusted;
	}
	if hash_hex(&anchor.genesis_hash) != certificate.genesis {
		return report(
			Verdict::Unknown,
			format!(
				"the certificate is of chain {}, the chain spec is of {}",
				certificate.genesis,
				hash_hex(&anchor.genesis_hash)
			),
		);
	}
	let Some(evidence) = &certificate.evidence else {
		return report(Verdict::Unknown, "the certificate carries no offline evidence".into());
	};
	match check_evidence(evidence, certificate, anchor, &commitment, proof.as_ref()) {
		Ok(set_id) => report(
			Verdict::Valid,
			format!(
				"certificate #{} certified in block #{} {}, finalized by GRANDPA (authority set {set_id}); \
				 checked offline against the chain spec (a later revocation shows online only)",
				certificate.certificate.id, evidence.block.number, evidence.block.hash
			),
		),
		Err(why) => report(Verdict::Tampered, why),
	}
}

/// Checks the evidence chain; returns the GRANDPA set id that finalized the block.
fn check_evidence(
	evidence: &EvidenceJson,
	certificate: &PortableCertificate,
	anchor: &TrustAnchor,
	commitment: &[u8; 32],
	proof: Option<&MerkleProof>,
) -> std::result::Result<u64, Why> {
	let header = Header::decode(&mut hex_bytes(&evidence.header)?.as_slice())
		.map_err(|e| format!("the evidence's header does not decode: {e}"))?;
	if format!("{:?}", header.hash()) != certificate.block.hash
		|| evidence.block.hash != certificate.block.hash
	{
		return Err("the evidence's header is not the certificate's block".into());
	}
	let (set_id, authorities) = authority_set_at(evidence, anchor, *header.number())?;
	check_finality(evidence, &header, set_id, &authorities)?;
	let stored = stored_certificate(evidence, &header, certificate.certificate.id)?;
	check_stored(&stored, certificate, *header.number(), commitment, proof)?;
	Ok(set_id)
}

/// The GRANDPA authority set in force at block `number`, from the genesis set through every
/// change before it (each signed by the set before), as warp sync follows them.
fn authority_set_at(
	evidence: &EvidenceJson,
	anchor: &TrustAnchor,
	number: u32,
) -> std::result::Result<(u64, AuthorityList), Why> {
	let (mut set_id, mut authorities) = (0u64, anchor.authorities.clone());
	let (fragments, _finished): (Vec<WarpSyncFragment<Block>>, bool) =
		Decode::decode(&mut hex_bytes(&evidence.warp_proof)?.as_slice())
			.map_err(|e| format!("the authority-set changes do not decode: {e}"))?;
	for fragment in fragments {
		if *fragment.header.number() >= number {
			break;
		}
		fragment.justification.verify(set_id, &authorities).map_err(|e| {
			format!("authority-set change at block #{}: {e}", fragment.header.number())
		})?;
		if fragment.justification.target().1 != fragment.header.hash() {
			return Err("an authority-set change's justification is for another block".into());
		}
		match find_scheduled_change::<Block>(&fragment.header) {
			Some(change) => {
				authorities = change.next_authorities;
				set_id += 1;
			}
			None => break,
		}
	}
	Ok((set_id, authorities))
}

/// Checks that the set of the time finalized `header`'s block: a justification of it, or of
/// a descendant with the headers linking the two.
fn check_finality(
	evidence: &EvidenceJson,
	header: &Header,
	set_id: u64,
	authorities: &AuthorityList,
) -> std::result::Result<(), Why> {
	let finality =
		FinalityProof::<Header>::decode(&mut hex_bytes(&evidence.finality_proof)?.as_slice())
			.map_err(|e| format!("the finality proof does not decode: {e}"))?;
	let justification =
		<GrandpaJustification<Block> as Decode>::decode(&mut finality.justification.as_slice())
			.map_err(|e| format!("the finality proof's justification does not decode: {e}"))?;
	justification.verify(set_id, authorities).map_err(|e| {
		format!("the finality proof is not signed by the authorities of the time: {e}")
	})?;
	if justification.target().1 != finality.block {
		return Err("the finality proof's justification is for another block".into());
	}
	let by_hash: HashMap<_, _> = finality.unknown_headers.iter().map(|h| (h.hash(), h)).collect();
	let (hash, number) = (header.hash(), *header.number());
	let mut cursor = finality.block;
	while cursor != hash {
		let next = by_hash.get(&cursor).ok_or(
			"the finality proof does not link the finalized block to the certificate's block",
		)?;
		if *next.number() <= number {
			return Err("the finality proof does not descend from the certificate's block".into());
		}
		cursor = *next.parent_hash();
	}
	Ok(())
}

/// The certificate as stored in `header`'s block, by the evidence's storage proof.
fn stored_certificate(
	evidence: &EvidenceJson,
	header: &Header,
	id: u64,
) -> std::result::Result<Certificate, Why> {
	let key = medtrust_rpc_types::certificate_json::certificate_storage_key(id);
	let nodes = evidence
		.storage_proof
		.iter()
		.map(|n| hex_bytes(n))
		.collect::<std::result::Result<Vec<_>, _>>()?;
	let value = sp_state_machine::read_proof_check::<BlakeTwo256, _>(
		*header.state_root(),
		sp_trie::StorageProof::new(nodes),
		std::iter::once(key.as_slice()),
	)
	.map_err(|e| format!("the storage proof does not check against the block's state root: {e}"))?
	.remove(&key)
	.flatten()
	.ok_or("the storage proof shows no such certificate in that block")?;
	Certificate::decode(&mut value.as_slice())
		.map_err(|e| format!("the stored certificate does not decode: {e}"))
}

/// Checks that the stored certificate is the portable one's, for this record, and was valid.
fn check_stored(
	stored: &Certificate,
	certificate: &PortableCertificate,
	number: u32,
	commitment: &[u8; 32],
	proof: Option<&MerkleProof>,
) -> std::result::Result<(), Why> {
	let c = &certificate.certificate;
	if stored.issuer != c.issuer
		|| stored.source != c.source
		|| stored.resource != c.resource
		|| stored.version != c.version
		|| stored.domain != c.domain
		|| stored.issued != number
	{
		return Err("the certificate's fields differ from those stored on chain".into());
	}
	let subject_matches = match (&stored.subject, proof, &certificate.batch) {
		(Subject::Record { commitment: stored }, None, None) => stored == commitment,
		(Subject::Batch { root, leaf_count }, Some(p), Some(batch)) => {
			parse_hash(&batch.root).ok() == Some(*root) && *leaf_count == p.leaf_count
		}
		_ => false,
	};
	if !subject_matches {
		return Err("the chain stores another commitment or root under this certificate".into());
	}
	if !matches!(stored.status, CertificateStatus::Valid) {
		return Err("the certificate was not valid in its own block".into());
	}
	Ok(())
}
