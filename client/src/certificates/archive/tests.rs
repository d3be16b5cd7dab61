use medtrust_primitives::{commitment::commit, hashing::HashAlgorithm, merkle::MerkleTree};
use medtrust_rpc_types::{
	catalog::BlockRef,
	certificate_json::{hash_hex, EvidenceJson, ProofJson},
};

use super::*;
use crate::certificates::{pipeline::salt, portable::render_evidence};

const GENESIS: &str = "0x4242424242424242424242424242424242424242424242424242424242424242";

fn block() -> BlockRef {
	BlockRef { number: 7, hash: hash_hex(&[7; 32]) }
}

fn evidence() -> EvidenceJson {
	EvidenceJson {
		block: block(),
		header: "0x0a0b0c".into(),
		warp_proof: "0x".into(),
		finality_proof: "0xffee".into(),
		storage_key: "0x01".into(),
		storage_proof: vec!["0x0102".into(), "0x".into(), "0xabcdef".into()],
	}
}

fn certificate() -> CertificateRef {
	CertificateRef {
		id: 12,
		issuer: 3,
		source: 4,
		resource: 5,
		version: 2,
		domain: "LABORATORY".into(),
	}
}

/// A batch of `n` records: its seed, commitments and tree.
fn batch(n: u64) -> ([u8; 32], Vec<[u8; 32]>, MerkleTree) {
	let seed = [n as u8; 32];
	let commitments: Vec<[u8; 32]> = (0..n)
		.map(|i| commit(HashAlgorithm::Sm3, &salt(&seed, i), format!("{{\"n\":{i}}}").as_bytes()))
		.collect();
	let tree = MerkleTree::new(HashAlgorithm::Sm3, &commitments).expect("non-empty");
	(seed, commitments, tree)
}

/// Writes an archive of `n` records into `dir`; its path.
fn archive(dir: &Path, n: u64, evidence: Option<&EvidenceJson>) -> std::path::PathBuf {
	let (seed, commitments, tree) = batch(n);
	let block = block();
	let path = dir.join(format!("{n}.cbor"));
	let contents = ArchiveContents {
		genesis: GENESIS,
		certificate: certificate(),
		algorithm: HashAlgorithm::Sm3,
		record_format: RecordFormat::Ndjson,
		block: &block,
		evidence,
		seed,
		commitments: &commitments,
		tree: &tree,
	};
	write_archive(&path, &contents).expect("written");
	path
}

/// Record `i`'s (0 first) portable certificate as `anchor` renders it directly.
fn direct(n: u64, i: u64, evidence: Option<&EvidenceJson>) -> Vec<u8> {
	let (seed, commitments, tree) = batch(n);
	let portable = PortableCertificate {
		format: CERTIFICATE_FORMAT.into(),
		genesis: GENESIS.into(),
		certificate: certificate(),
		algorithm: "sm3".into(),
		record: RecordRef {
			index: i + 1,
			format: RecordFormat::Ndjson,
			salt: hash_hex(&salt(&seed, i)),
			commitment: hash_hex(&commitments[i as usize]),
		},
		batch: Some(BatchRef {
			root: hash_hex(&tree.root()),
			leaf_count: n,
			proof: ProofJson::from(&tree.proof(i).expect("in range")),
		}),
		block: block(),
		evidence: None,
	};
	let evidence = evidence.map(|e| render_evidence(e).expect("JSON"));
	render_certificate(&portable, evidence.as_deref()).expect("rendered")
}

#[test]
fn every_record_extracts_byte_for_byte_as_anchor_writes_it() {
	let dir = tempfile::tempdir().expect("a temp dir");
	let evidence = evidence();
	for n in (1..=17).chain([1023, 1024, 1025, 2500]) {
		let with = (n % 2 == 0).then_some(&evidence);
		let path = archive(dir.path(), n, with);
		let archive = Archive::open(&path).expect("opens");
		assert_eq!(archive.header.records, n);
		for i in 0..n {
			let (portable, rendered) = archive.extract(i + 1).expect("extracts");
			assert_eq!(rendered, direct(n, i, with), "{n} records, record {}", i + 1);
			assert_eq!(portable.evidence.as_ref(), with);
		}
		assert_eq!(archive.entries().expect("entries").len() as u64, n);
		assert!(archive.extract(0).is_err() && archive.extract(n + 1).is_err());
	}
}

#[test]
fn a_million_records_take_69_bytes_each_and_their_tree_once() {
	let dir = tempfile::tempdir().expect("a temp dir");
	let n = 1 << 20;
	let path = archive(dir.path(), n, Some(&evidence()));
	let len = std::fs::metadata(&path).expect("written").len();
	// Entries, and the tree's stored levels (about one hash a record).
	assert!(len > n * (ENTRY_LEN + 31) && len < n * (ENTRY_LEN + 33), "{len}");
	let archive = Archive::open(&path).expect("opens");
	let (_, rendered) = archive.extract(777_777).expect("extracts");
	assert_eq!(rendered, direct(n, 777_776, Some(&evidence())));
}

#[test]
fn a_truncated_archive_is_refused_saying_where_it_ends() {
	let dir = tempfile::tempdir().expect("a temp dir");
	let path = archive(dir.path(), 3000, None);
	let bytes = std::fs::read(&path).expect("read");
	let archive = Archive::open(&path).expect("opens");
	let entries = archive.layout.entries;
	let cut = |len: u64| {
		std::fs::write(&path, &bytes[..len as usize]).expect("written");
		Archive::open(&path).err().expect("refused").to_string()
	};
	let why = cut(entries + 1500 * ENTRY_LEN + 10);
	assert!(why.contains("truncated") && why.contains("record 1501's entry"), "{why}");
	assert!(why.contains("records 1501 to 3000"), "{why}");
	let why = cut(bytes.len() as u64 - 5);
	assert!(why.contains("in the Merkle tree"), "{why}");
	assert!(cut(20).contains("inside its header"));
	assert!(cut(2).contains("ends inside"));
	let why = cut(0);
	assert!(why.contains("not a readable archive"), "{why}");
	let mut longer = bytes.clone();
	longer.push(0);
	std::fs::write(&path, &longer).expect("written");
	assert!(Archive::open(&path).err().expect("refused").to_string().contains("1 bytes follow"));
}

#[test]
fn a_corrupted_archive_is_refused() {
	let dir = tempfile::tempdir().expect("a temp dir");
	let path = archive(dir.path(), 3000, Some(&evidence()));
	let bytes = std::fs::read(&path).expect("read");
	let entries = Archive::open(&path).expect("opens").layout.entries;
	let flipped = |at: u64| {
		let mut copy = bytes.clone();
		copy[at as usize] ^= 0x01;
		std::fs::write(&path, &copy).expect("written");
		Archive::open(&path)
	};
	// A salt of record 2,049: that chunk's digest no longer holds.
	let archive = flipped(entries + 2048 * ENTRY_LEN + 5).expect("opens");
	let why = archive.extract(2049).expect_err("refused").to_string();
	assert!(why.contains("corrupted") && why.contains("records 2049 to 3000"), "{why}");
	assert!(archive.extract(5).is_ok(), "other chunks are sound");
	assert!(archive.entries().expect_err("refused").to_string().contains("2049"));
	// A node of the tree: the paths through it no longer lead to the root.
	let tree_node = bytes.len() as u64 - 40;
	let archive = flipped(tree_node).expect("opens");
	let refused = (1..=3000).filter(|&n| archive.extract(n).is_err()).count();
	assert!(refused > 0, "some paths pass through the last stored node");
	let why = archive.extract(3000).expect_err("refused").to_string();
	assert!(why.contains("record 3000's Merkle path does not lead to the archive's root"), "{why}");
	// The magic, the header's format, an entry's head.
	assert!(flipped(0).is_err());
	let header_format =
		bytes.windows(ARCHIVE_FORMAT.len()).position(|w| w == ARCHIVE_FORMAT.as_bytes());
	let why = flipped(header_format.expect("in the header") as u64 + 2).err().expect("refused");
	assert!(why.to_string().contains("format"), "{why}");
	let archive = flipped(entries).expect("the head is only read with its entry");
	assert!(archive.extract(1).is_err());
}

#[test]
fn a_portable_certificate_is_not_an_archive() {
	let dir = tempfile::tempdir().expect("a temp dir");
	let json = dir.path().join("1.json");
	std::fs::write(&json, direct(3, 0, None)).expect("written");
	assert!(!is_archive(&json));
	assert!(is_archive(&archive(dir.path(), 3, None)));
	assert!(Archive::open(&json).err().expect("refused").to_string().contains("self-described"));
}
