//! Certificate archives (`medtrust-archive/1`): the portable certificates of one anchored
//! batch in one file, the evidence they share held once, each record's own part in a fixed-size
//! entry, and the batch's Merkle tree once, so that one record's certificate is found by
//! reading a few hundred bytes, and a million records take about 100 MB instead of 7.7 GB of
//! separate files.
//!
//! The file is a CBOR sequence (RFC 8949, RFC 8742) any CBOR library reads. In CDDL
//! (RFC 8610):
//!
//! ```cddl
//! archive = (header-item, entries, tree)
//! header-item = #6.55799(bstr .cbor header)   ; d9 d9 f7: CBOR's self-described magic
//! header = {
//!   "format": "medtrust-archive/1",
//!   "genesis": hash,                           ; the chain
//!   "certificate": { "id": uint, "issuer": uint, "source": uint, "resource": uint,
//!                    "version": uint, "domain": tstr },
//!   "algorithm": "sha-256" / "blake2b-256" / "sm3",
//!   "recordFormat": "ndjson" / "csv" / "fhir-bundle",
//!   "records": uint,                           ; N >= 1, numbered 1 to N as in the file
//!   "root": hash,                              ; the batch's Merkle root, as certified
//!   "block": block,                            ; the block of the certificate
//!   "evidence": evidence / null,               ; for offline verification
//!   "chunk": uint,                             ; entries per digest (1024)
//!   "chunkDigests": bstr,                      ; BLAKE2b-256 of each chunk's entries' bytes
//! }
//! block = { "number": uint, "hash": hash }
//! evidence = { "block": block, "header": bstr, "warpProof": bstr, "finalityProof": bstr,
//!              "storageKey": bstr, "storageProof": [* bstr] }
//! entries = [* entry]                          ; N of them, record 1 first
//! entry = [salt: hash, commitment: hash]       ; always 69 bytes: 82 5820 … 5820 …
//! tree = [* bstr]                              ; the Merkle tree's levels above the leaves
//!                                              ; and below the root, lowest first: the
//!                                              ; node hashes of each, 32 bytes each
//! hash = bstr .size 32
//! ```
//!
//! Entries are of fixed size and the levels' sizes follow from N, so record n's entry and its
//! Merkle path are read at offsets computed from the header; the leaves (`H(0x00 ‖
//! commitment)`) are not stored, being one hash of an entry. Everything is checked as it is
//! read: the file's length against the header (a truncated archive is refused, saying where it
//! ends), each chunk of entries against its digest, each path against the root.
//!
//! Why CBOR: a standard, self-describing binary form with a published schema language, read
//! by libraries in every language, with byte strings for raw hashes (JSON would double them
//! in hex). Why the tree once instead of a path per record: a path is 20 hashes at a million
//! records, so per-record paths would make the archive seven times larger for nothing a reader
//! cannot compute from the levels in a few reads.

pub mod cbor;
mod write;

use std::{fs::File, os::unix::fs::FileExt, path::Path};

use medtrust_primitives::{
	hashing::HashAlgorithm,
	merkle::{leaf_hash, root_from_proof, MerkleProof},
};
use medtrust_rpc_types::{
	catalog::BlockRef,
	certificate_json::{hash_hex, EvidenceJson, ProofJson},
};

use self::cbor::{Members, Reader, Value, Why};
pub use self::write::{write_archive, ArchiveContents};
use super::{
	portable::{
		render_certificate, render_evidence, BatchRef, CertificateRef, PortableCertificate,
		RecordRef, CERTIFICATE_FORMAT,
	},
	records::RecordFormat,
};
use crate::certificates::Error as CertificatesError;
use crate::{wire::WireName, Error, Result};

/// The `format` of archives.
pub const ARCHIVE_FORMAT: &str = "medtrust-archive/1";
/// An archive's name in an anchoring directory.
pub const ARCHIVE_FILE: &str = "certificates.cbor";
/// The size of an entry: `82 5820 <salt> 5820 <commitment>`.
pub const ENTRY_LEN: u64 = 69;
/// Entries per chunk digest.
pub const CHUNK: u64 = 1024;
/// The most a header may take (the evidence of a chain of many authority-set changes).
const MAX_HEADER: u64 = 64 << 20;

/// What an archive's header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveHeader {
	pub genesis: [u8; 32],
	pub certificate: CertificateRef,
	pub algorithm: HashAlgorithm,
	pub record_format: RecordFormat,
	pub records: u64,
	pub root: [u8; 32],
	pub block: BlockRef,
	pub evidence: Option<EvidenceJson>,
	pub chunk_digests: Vec<[u8; 32]>,
}

/// Where each part of an archive lies.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
	/// The first entry's offset.
	entries: u64,
	/// Each stored level's offset and width, lowest first.
	levels: Vec<(u64, u64)>,
	/// The file's length.
	total: u64,
}

/// The widths of the levels a tree of `n` leaves stores: above the leaves, below the root.
fn stored_widths(n: u64) -> Vec<u64> {
	let mut widths = Vec::new();
	let mut width = n.div_ceil(2);
	while n > 1 && width > 1 {
		widths.push(width);
		width = width.div_ceil(2);
	}
	widths
}

impl Layout {
	/// The layout of an archive of `n` records whose header item ends at `header_end`.
	fn new(header_end: u64, n: u64) -> Self {
		let entries = header_end + cbor::head_len(n);
		let mut at = entries + n * ENTRY_LEN;
		let widths = stored_widths(n);
		at += cbor::head_len(widths.len() as u64);
		let mut levels = Vec::with_capacity(widths.len());
		for width in widths {
			at += cbor::head_len(width * 32);
			levels.push((at, width));
			at += width * 32;
		}
		Self { entries, levels, total: at }
	}

	/// What a file of `len` bytes lacks, said by where it ends.
	fn truncation(&self, len: u64, n: u64) -> String {
		let place = if len < self.entries {
			"before the first record's entry".to_string()
		} else if len < self.entries + n * ENTRY_LEN {
			let record = (len - self.entries) / ENTRY_LEN + 1;
			format!("in record {record}'s entry: records {record} to {n} and the Merkle tree are missing")
		} else {
			let level = self.levels.iter().take_while(|(at, _)| *at <= len).count().max(1);
			format!("in the Merkle tree (level {level} of {})", self.levels.len())
		};
		format!("truncated: it ends at byte {len} of {}, {place}", self.total)
	}
}

/// An archive opened for reading: its header, checked, and its file.
pub struct Archive {
	pub header: ArchiveHeader,
	file: File,
	layout: Layout,
	path: std::path::PathBuf,
}

impl Archive {
	/// The file it was opened from.
	pub fn path(&self) -> &std::path::Path {
		&self.path
	}

	/// Opens an archive: reads and checks its header and its length (a truncated archive is
	/// refused, saying where it ends).
	pub fn open(path: &Path) -> Result<Self> {
		let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
		let len = file.metadata().map_err(|e| Error::io("read", path, e))?.len();
		let bad = |why: Why| -> Error {
			CertificatesError::Archive { path: path.to_path_buf(), reason: why.to_string() }.into()
		};
		let mut start = [0u8; 12];
		let got = read_up_to(&file, 0, &mut start).map_err(|e| Error::io("read", path, e))?;
		let mut reader = Reader::new(&start[..got]);
		reader.magic().map_err(bad)?;
		let header_len = reader.byte_string_len("the header").map_err(bad)?;
		if header_len > MAX_HEADER {
			return Err(bad(format!("a header of {header_len} bytes")));
		}
		let header_at = reader.at() as u64;
		if len < header_at + header_len {
			return Err(bad(format!(
				"truncated: it ends at byte {len}, inside its header ({} bytes)",
				header_at + header_len
			)));
		}
		let mut bytes = vec![0u8; header_len as usize];
		file.read_exact_at(&mut bytes, header_at).map_err(|e| Error::io("read", path, e))?;
		let header = read_header(&bytes).map_err(bad)?;
		let layout = Layout::new(header_at + header_len, header.records);
		if len < layout.total {
			return Err(bad(layout.truncation(len, header.records)));
		}
		if len > layout.total {
			return Err(bad(format!(
				"{} bytes follow its end at byte {}",
				len - layout.total,
				layout.total
			)));
		}
		let archive = Self { header, file, layout, path: path.to_path_buf() };
		archive.check_heads().map_err(bad)?;
		Ok(archive)
	}

	/// Checks the heads of the entries' array and of the tree's levels.
	fn check_heads(&self) -> std::result::Result<(), Why> {
		let n = self.header.records;
		let mut expected = Vec::new();
		cbor::array_head(&mut expected, n);
		self.expect_bytes(
			self.layout.entries - expected.len() as u64,
			&expected,
			"the entries' array",
		)?;
		let tree_at = self.layout.entries + n * ENTRY_LEN;
		let mut expected = Vec::new();
		cbor::array_head(&mut expected, self.layout.levels.len() as u64);
		self.expect_bytes(tree_at, &expected, "the Merkle tree's array")?;
		for (i, &(at, width)) in self.layout.levels.iter().enumerate() {
			let mut expected = Vec::new();
			cbor::bytes_head(&mut expected, width * 32);
			self.expect_bytes(at - expected.len() as u64, &expected, &format!("level {}", i + 1))?;
		}
		Ok(())
	}

	fn expect_bytes(&self, at: u64, expected: &[u8], what: &str) -> std::result::Result<(), Why> {
		let mut found = vec![0u8; expected.len()];
		self.file.read_exact_at(&mut found, at).map_err(|e| format!("byte {at}: {e}"))?;
		match found == expected {
			true => Ok(()),
			false => Err(format!("byte {at}: {what} is not where its header puts it")),
		}
	}

	/// Reads the bytes at `at`.
	fn read_at(&self, at: u64, len: u64) -> Result<Vec<u8>> {
		let mut bytes = vec![0u8; len as usize];
		self.file.read_exact_at(&mut bytes, at).map_err(|e| Error::io("read", &self.path, e))?;
		Ok(bytes)
	}

	/// The chunk of entries holding record `index` (0 first), checked against its digest:
	/// the chunk's first index and its entries' bytes.
	fn chunk_of(&self, index: u64) -> Result<(u64, Vec<u8>)> {
		let n = self.header.records;
		let first = index / CHUNK * CHUNK;
		let count = CHUNK.min(n - first);
		let bytes = self.read_at(self.layout.entries + first * ENTRY_LEN, count * ENTRY_LEN)?;
		let digest = self.header.chunk_digests.get((first / CHUNK) as usize);
		if digest != Some(&chunk_digest(&bytes)) {
			return Err(self.corrupted(format!(
				"the entries of records {} to {} do not match their digest",
				first + 1,
				first + count
			)));
		}
		Ok((first, bytes))
	}

	fn corrupted(&self, why: String) -> Error {
		let reason = format!("it is corrupted: {why}");
		CertificatesError::Archive { path: self.path.clone(), reason }.into()
	}

	/// Record `number`'s (1 first) portable certificate, as `anchor` writes it to
	/// `certificates/<number>.json`: byte for byte, its path checked against the root.
	pub fn extract(&self, number: u64) -> Result<(PortableCertificate, Vec<u8>)> {
		let n = self.header.records;
		if number == 0 || number > n {
			return Err(CertificatesError::RecordNumber { number, count: n }.into());
		}
		let index = number - 1;
		let (first, chunk) = self.chunk_of(index)?;
		let entry = |i: u64| parse_entry(&chunk, i - first);
		let (salt, commitment) = entry(index).map_err(|why| self.corrupted(why))?;
		let mut siblings = Vec::new();
		if index ^ 1 < n {
			// A chunk holds an even number of entries: a leaf's sibling is in the same chunk.
			let (_, other) = entry(index ^ 1).map_err(|why| self.corrupted(why))?;
			siblings.push(leaf_hash(self.header.algorithm, &other));
		}
		for (level, &(at, width)) in self.layout.levels.iter().enumerate() {
			let sibling = (index >> (level + 1)) ^ 1;
			if sibling < width {
				let bytes = self.read_at(at + sibling * 32, 32)?;
				siblings.push(bytes.try_into().unwrap_or_default());
			}
		}
		let proof = MerkleProof { index, leaf_count: n, siblings };
		if root_from_proof(self.header.algorithm, &commitment, &proof) != Some(self.header.root) {
			return Err(self.corrupted(format!(
				"record {number}'s Merkle path does not lead to the archive's root"
			)));
		}
		let portable = self.portable(number, &salt, &commitment, &proof);
		let evidence = self.header.evidence.as_ref().map(render_evidence).transpose()?;
		let rendered = render_certificate(&portable, evidence.as_deref())?;
		Ok((PortableCertificate { evidence: self.header.evidence.clone(), ..portable }, rendered))
	}

	/// Record `number`'s portable certificate, without its evidence.
	fn portable(
		&self,
		number: u64,
		salt: &[u8; 32],
		commitment: &[u8; 32],
		proof: &MerkleProof,
	) -> PortableCertificate {
		let h = &self.header;
		PortableCertificate {
			format: CERTIFICATE_FORMAT.into(),
			genesis: hash_hex(&h.genesis),
			certificate: h.certificate.clone(),
			algorithm: h.algorithm.name().into(),
			record: RecordRef {
				index: number,
				format: h.record_format,
				salt: hash_hex(salt),
				commitment: hash_hex(commitment),
			},
			batch: Some(BatchRef {
				root: hash_hex(&h.root),
				leaf_count: h.records,
				proof: ProofJson::from(proof),
			}),
			block: h.block.clone(),
			evidence: None,
		}
	}

	/// Every entry, each chunk checked against its digest: salts and commitments, record 1
	/// first.
	pub fn entries(&self) -> Result<Vec<([u8; 32], [u8; 32])>> {
		let n = self.header.records;
		let bytes = self.read_at(self.layout.entries, n * ENTRY_LEN)?;
		let chunks: Vec<&[u8]> = bytes.chunks((CHUNK * ENTRY_LEN) as usize).collect();
		let checked = super::pipeline::map_chunks(&chunks, 1, |at, part| {
			part.iter().enumerate().find_map(|(i, chunk)| {
				let k = at + i;
				(self.header.chunk_digests.get(k) != Some(&chunk_digest(chunk))).then_some(k as u64)
			})
		});
		if let Some(k) = checked.into_iter().flatten().next() {
			return Err(self.corrupted(format!(
				"the entries of records {} to {} do not match their digest",
				k * CHUNK + 1,
				((k + 1) * CHUNK).min(n)
			)));
		}
		(0..n).map(|i| parse_entry(&bytes, i).map_err(|why| self.corrupted(why))).collect()
	}
}

/// Reads up to `buf.len()` bytes at `at` (fewer at the end of the file).
fn read_up_to(file: &File, at: u64, buf: &mut [u8]) -> std::io::Result<usize> {
	let mut got = 0;
	while got < buf.len() {
		match file.read_at(&mut buf[got..], at + got as u64)? {
			0 => break,
			n => got += n,
		}
	}
	Ok(got)
}

/// The digest of a chunk of entries.
pub(crate) fn chunk_digest(bytes: &[u8]) -> [u8; 32] {
	HashAlgorithm::Blake2b256.hash(&[bytes])
}

/// Entry `i` of `bytes` (a run of entries): salt and commitment.
fn parse_entry(bytes: &[u8], i: u64) -> std::result::Result<([u8; 32], [u8; 32]), Why> {
	let at = (i * ENTRY_LEN) as usize;
	let entry = bytes.get(at..at + ENTRY_LEN as usize).ok_or("an entry is missing")?;
	if entry[0] != 0x82 || entry[1..3] != [0x58, 0x20] || entry[35..37] != [0x58, 0x20] {
		return Err(format!("entry {} is not a salt and a commitment", i + 1));
	}
	let hash = |range: std::ops::Range<usize>| entry[range].try_into().unwrap_or_default();
	Ok((hash(3..35), hash(37..69)))
}

/// Reads a header.
fn read_header(bytes: &[u8]) -> std::result::Result<ArchiveHeader, Why> {
	let mut reader = Reader::new(bytes);
	let value = reader.value()?;
	if reader.at() != bytes.len() {
		return Err(format!("byte {}: the header ends before its byte string", reader.at()));
	}
	let mut m = Members::of(value, "the header")?;
	let format = m.text("format")?;
	if format != ARCHIVE_FORMAT {
		return Err(format!("its format is `{format}`, not {ARCHIVE_FORMAT}"));
	}
	let genesis = m.hash("genesis")?;
	let certificate = read_certificate(m.map("certificate")?)?;
	let algorithm = m.text("algorithm")?;
	let algorithm = HashAlgorithm::from_name(&algorithm)
		.ok_or_else(|| format!("unknown hash algorithm `{algorithm}`"))?;
	let record_format = m.text("recordFormat")?;
	let record_format = RecordFormat::from_wire_name(&record_format)
		.ok_or_else(|| format!("unknown record format `{record_format}`"))?;
	let records = m.uint("records")?;
	if records == 0 {
		return Err("it holds no records".into());
	}
	let root = m.hash("root")?;
	let block = read_block(m.map("block")?)?;
	let evidence = m.optional_map("evidence")?.map(read_evidence).transpose()?;
	let chunk = m.uint("chunk")?;
	if chunk != CHUNK {
		return Err(format!("chunks of {chunk} entries (this version reads {CHUNK})"));
	}
	let digests = m.bytes("chunkDigests")?;
	if digests.len() as u64 != records.div_ceil(CHUNK) * 32 {
		return Err("its chunk digests do not cover its records".into());
	}
	m.done()?;
	let chunk_digests = digests.chunks(32).map(|d| d.try_into().unwrap_or_default()).collect();
	Ok(ArchiveHeader {
		genesis,
		certificate,
		algorithm,
		record_format,
		records,
		root,
		block,
		evidence,
		chunk_digests,
	})
}

fn small<T: TryFrom<u64>>(value: u64, what: &str) -> std::result::Result<T, Why> {
	T::try_from(value).map_err(|_| format!("`{what}` is out of range"))
}

fn read_certificate(mut m: Members) -> std::result::Result<CertificateRef, Why> {
	let certificate = CertificateRef {
		id: m.uint("id")?,
		issuer: small(m.uint("issuer")?, "issuer")?,
		source: m.uint("source")?,
		resource: m.uint("resource")?,
		version: small(m.uint("version")?, "version")?,
		domain: m.text("domain")?,
	};
	m.done()?;
	Ok(certificate)
}

fn read_block(mut m: Members) -> std::result::Result<BlockRef, Why> {
	let block =
		BlockRef { number: small(m.uint("number")?, "number")?, hash: hash_hex(&m.hash("hash")?) };
	m.done()?;
	Ok(block)
}

fn read_evidence(mut m: Members) -> std::result::Result<EvidenceJson, Why> {
	let hex = |bytes: Vec<u8>| format!("0x{}", hex::encode(bytes));
	let mut proof = Vec::new();
	for node in m.array("storageProof")? {
		match node {
			Value::Bytes(b) => proof.push(hex(b)),
			_ => return Err("a storage proof node is not a byte string".into()),
		}
	}
	let evidence = EvidenceJson {
		block: read_block(m.map("block")?)?,
		header: hex(m.bytes("header")?),
		warp_proof: hex(m.bytes("warpProof")?),
		finality_proof: hex(m.bytes("finalityProof")?),
		storage_key: hex(m.bytes("storageKey")?),
		storage_proof: proof,
	};
	m.done()?;
	Ok(evidence)
}

/// Whether `path` begins as an archive does (CBOR's self-described tag), rather than as a
/// JSON portable certificate.
pub fn is_archive(path: &Path) -> bool {
	let mut start = [0u8; 3];
	File::open(path).and_then(|f| read_up_to(&f, 0, &mut start)).is_ok_and(|n| n == 3)
		&& start == [0xd9, 0xd9, 0xf7]
}

#[cfg(test)]
mod tests;
