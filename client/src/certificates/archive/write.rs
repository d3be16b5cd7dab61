//! Writing an archive: the header, every entry (on every core, each chunk with its digest),
//! the tree's stored levels; written under a temporary name and renamed, so an archive is
//! whole or absent.

use std::path::Path;

use medtrust_primitives::{hashing::HashAlgorithm, merkle::MerkleTree};
use medtrust_rpc_types::{
	catalog::BlockRef,
	certificate_json::{hash_hex, parse_hash, EvidenceJson},
};

use super::{
	cbor::{self, Value},
	chunk_digest, stored_widths, ARCHIVE_FORMAT, CHUNK, ENTRY_LEN,
};
use crate::{
	certificates::{
		pipeline::{map_chunks, salt},
		portable::CertificateRef,
		records::RecordFormat,
	},
	files,
	wire::WireName,
	Error, Result,
};

/// What an archive holds: a batch's certificate, its records' salts (drawn from the run's
/// seed) and commitments, and its Merkle tree.
pub struct ArchiveContents<'a> {
	/// The chain's genesis hash, `0x` hex.
	pub genesis: &'a str,
	pub certificate: CertificateRef,
	pub algorithm: HashAlgorithm,
	pub record_format: RecordFormat,
	pub block: &'a BlockRef,
	pub evidence: Option<&'a EvidenceJson>,
	pub seed: [u8; 32],
	pub commitments: &'a [[u8; 32]],
	pub tree: &'a MerkleTree,
}

/// Bytes of `0x` hex that must read back as the same text (lowercase, prefixed), so that an
/// extracted certificate is byte for byte the one written directly.
fn exact_hex(text: &str, what: &str) -> Result<Vec<u8>> {
	let bytes = hex::decode(text.strip_prefix("0x").unwrap_or("-"))
		.map_err(|_| Error::Internal(format!("{what} is not 0x hex: {text}")))?;
	match format!("0x{}", hex::encode(&bytes)) == text {
		true => Ok(bytes),
		false => Err(Error::Internal(format!("{what} is not lowercase 0x hex: {text}"))),
	}
}

fn exact_hash(text: &str, what: &str) -> Result<[u8; 32]> {
	let hash = parse_hash(text).map_err(|e| Error::Internal(format!("{what}: {e}")))?;
	match hash_hex(&hash) == text {
		true => Ok(hash),
		false => Err(Error::Internal(format!("{what} is not lowercase 0x hex: {text}"))),
	}
}

fn block_value(block: &BlockRef) -> Result<Value> {
	Ok(Value::Map(vec![
		("number".into(), Value::Uint(block.number.into())),
		("hash".into(), Value::Bytes(exact_hash(&block.hash, "a block hash")?.to_vec())),
	]))
}

fn evidence_value(e: &EvidenceJson) -> Result<Value> {
	let bytes = |text: &str, what: &str| exact_hex(text, what).map(Value::Bytes);
	let proof = e.storage_proof.iter().map(|node| bytes(node, "a storage proof node"));
	Ok(Value::Map(vec![
		("block".into(), block_value(&e.block)?),
		("header".into(), bytes(&e.header, "the evidence's header")?),
		("warpProof".into(), bytes(&e.warp_proof, "the warp proof")?),
		("finalityProof".into(), bytes(&e.finality_proof, "the finality proof")?),
		("storageKey".into(), bytes(&e.storage_key, "the storage key")?),
		("storageProof".into(), Value::Array(proof.collect::<Result<_>>()?)),
	]))
}

impl ArchiveContents<'_> {
	/// The entries, chunk by chunk on every core: their bytes and each chunk's digest.
	fn entries(&self) -> (Vec<u8>, Vec<u8>) {
		let n = self.commitments.len() as u64;
		let chunks: Vec<u64> = (0..n.div_ceil(CHUNK)).collect();
		let parts = map_chunks(&chunks, 1, |_, part| {
			let mut bytes = Vec::new();
			let mut digests = Vec::with_capacity(part.len() * 32);
			for &k in part {
				let start = bytes.len();
				for i in k * CHUNK..((k + 1) * CHUNK).min(n) {
					bytes.extend_from_slice(&[0x82, 0x58, 0x20]);
					bytes.extend_from_slice(&salt(&self.seed, i));
					bytes.extend_from_slice(&[0x58, 0x20]);
					bytes.extend_from_slice(&self.commitments[i as usize]);
				}
				digests.extend_from_slice(&chunk_digest(&bytes[start..]));
			}
			(bytes, digests)
		});
		let mut entries = Vec::with_capacity((n * ENTRY_LEN) as usize);
		let mut digests = Vec::new();
		for (bytes, part_digests) in parts {
			entries.extend_from_slice(&bytes);
			digests.extend_from_slice(&part_digests);
		}
		(entries, digests)
	}

	/// The header, as a map.
	fn header(&self, digests: Vec<u8>) -> Result<Value> {
		let c = &self.certificate;
		let certificate = Value::Map(vec![
			("id".into(), Value::Uint(c.id)),
			("issuer".into(), Value::Uint(c.issuer.into())),
			("source".into(), Value::Uint(c.source)),
			("resource".into(), Value::Uint(c.resource)),
			("version".into(), Value::Uint(c.version.into())),
			("domain".into(), Value::text(&c.domain)),
		]);
		Ok(Value::Map(vec![
			("format".into(), Value::text(ARCHIVE_FORMAT)),
			(
				"genesis".into(),
				Value::Bytes(exact_hash(self.genesis, "the genesis hash")?.to_vec()),
			),
			("certificate".into(), certificate),
			("algorithm".into(), Value::text(self.algorithm.name())),
			("recordFormat".into(), Value::text(self.record_format.wire_name())),
			("records".into(), Value::Uint(self.commitments.len() as u64)),
			("root".into(), Value::Bytes(self.tree.root().to_vec())),
			("block".into(), block_value(self.block)?),
			(
				"evidence".into(),
				self.evidence.map(evidence_value).transpose()?.unwrap_or(Value::Null),
			),
			("chunk".into(), Value::Uint(CHUNK)),
			("chunkDigests".into(), Value::Bytes(digests)),
		]))
	}

	/// The whole archive's bytes.
	pub fn encode(&self) -> Result<Vec<u8>> {
		let n = self.commitments.len() as u64;
		let levels = self.tree.levels();
		if n == 0 || levels.first().map(Vec::len) != Some(n as usize) {
			return Err(Error::Internal(
				"an archive needs the batch's records and their tree".into(),
			));
		}
		let (entries, digests) = self.entries();
		let mut header = Vec::new();
		self.header(digests)?.encode(&mut header);
		let widths = stored_widths(n);
		let stored = &levels[1..1 + widths.len()];
		let tree_len: usize = stored.iter().map(|l| l.len() * 32 + 9).sum();
		let mut out = Vec::with_capacity(header.len() + entries.len() + tree_len + 32);
		cbor::magic(&mut out);
		cbor::bytes_head(&mut out, header.len() as u64);
		out.extend_from_slice(&header);
		cbor::array_head(&mut out, n);
		out.extend_from_slice(&entries);
		drop(entries);
		cbor::array_head(&mut out, stored.len() as u64);
		for level in stored {
			cbor::bytes_head(&mut out, level.len() as u64 * 32);
			level.iter().for_each(|hash| out.extend_from_slice(hash));
		}
		Ok(out)
	}
}

/// Writes an archive to `path` (whole or not at all).
pub fn write_archive(path: &Path, contents: &ArchiveContents<'_>) -> Result<()> {
	files::write_renamed(path, &contents.encode()?)
}
