//! The CPU-bound work of anchoring, shared among the machine's cores: canonicalising records,
//! committing to them, building the Merkle tree, encrypting, and rendering portable
//! certificates. `scripts/bench.sh` measures it (`medtrust-bench client`).
//!
//! Work is done in rounds of [`ROUND`] records, each round split into one contiguous chunk per
//! thread, so results stay in file order and progress can be reported between rounds.

use std::{fs, io::Write, path::Path};

use medtrust_primitives::{
	canonical::{canonical_json, parse_csv, CsvCanonicaliser},
	commitment::commit,
	hashing::HashAlgorithm,
	merkle::{leaf_hash, parent_level, MerkleTree},
};

use super::{
	keys::{nonce_rng, DataKey},
	records::{bundle_entries, RecordFormat},
};
use crate::certificates::Error as CertificatesError;
use crate::{Error, Result};

/// Records per round of parallel work.
pub const ROUND: usize = 1 << 16;

/// How many threads CPU-bound work uses: `MEDTRUST_THREADS` if set, else the machine's cores.
pub fn threads() -> usize {
	std::env::var("MEDTRUST_THREADS")
		.ok()
		.and_then(|t| t.parse().ok())
		.filter(|&t| t > 0)
		.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// `work(offset, chunk)` on consecutive chunks of `items`, one per thread, each starting at a
/// multiple of `align`; the results in order. Small inputs are not split.
pub fn map_chunks<T: Sync, R: Send>(
	items: &[T],
	align: usize,
	work: impl Fn(usize, &[T]) -> R + Sync,
) -> Vec<R> {
	let threads = threads();
	if threads <= 1 || items.len() < 2048 {
		return vec![work(0, items)];
	}
	let per = items.len().div_ceil(threads).next_multiple_of(align.max(1));
	std::thread::scope(|scope| {
		let work = &work;
		let handles: Vec<_> = items
			.chunks(per)
			.enumerate()
			.map(|(i, chunk)| scope.spawn(move || work(i * per, chunk)))
			.collect();
		handles
			.into_iter()
			.map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
			.collect()
	})
}

/// The canonical forms of every record of a file's text, in order.
pub fn canonical_records(text: &str, format: RecordFormat) -> Result<Vec<Vec<u8>>> {
	let bad = |what: String| -> Error { CertificatesError::Records(what).into() };
	let gather = |chunks: Vec<Result<Vec<Vec<u8>>>>| -> Result<Vec<Vec<u8>>> {
		let mut all =
			Vec::with_capacity(chunks.iter().map(|c| c.as_ref().map_or(0, Vec::len)).sum());
		for chunk in chunks {
			all.extend(chunk?);
		}
		Ok(all)
	};
	match format {
		RecordFormat::Ndjson => {
			let lines: Vec<(usize, &str)> =
				text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()).collect();
			gather(map_chunks(&lines, 1, |_, chunk| {
				chunk
					.iter()
					.map(|(n, line)| {
						canonical_json(line).map_err(|e| bad(format!("line {}: {e}", n + 1)))
					})
					.collect()
			}))
		}
		RecordFormat::Csv => {
			let rows = parse_csv(text).map_err(|e| bad(e.to_string()))?;
			let (header, rows) =
				rows.split_first().ok_or_else(|| bad("the CSV file is empty".into()))?;
			let canonicaliser = CsvCanonicaliser::new(header).map_err(|e| bad(e.to_string()))?;
			gather(map_chunks(rows, 1, |offset, chunk| {
				chunk
					.iter()
					.enumerate()
					.map(|(i, row)| {
						canonicaliser
							.row(row)
							.map_err(|e| bad(format!("row {}: {e}", offset + i + 1)))
					})
					.collect()
			}))
		}
		RecordFormat::FhirBundle => bundle_entries(text)?
			.iter()
			.enumerate()
			.map(|(n, resource)| {
				canonical_json(resource.get()).map_err(|e| bad(format!("entry {}: {e}", n + 1)))
			})
			.collect(),
	}
}

/// Record `index`'s salt (0 first): `BLAKE2b-256(tag ‖ seed ‖ index)`. The seed is a secret
/// of the anchoring run, kept in its state file, so that a resumed run draws the same salts.
pub fn salt(seed: &[u8; 32], index: u64) -> [u8; 32] {
	HashAlgorithm::Blake2b256.hash(&[b"medtrust:salt:v1:", seed, &index.to_le_bytes()])
}

/// Every record's salted commitment, in order.
pub fn commit_records(
	records: &[Vec<u8>],
	algorithm: HashAlgorithm,
	seed: &[u8; 32],
	mut progress: impl FnMut(u64),
) -> Vec<[u8; 32]> {
	let mut commitments = Vec::with_capacity(records.len());
	for (round, chunk) in records.chunks(ROUND).enumerate() {
		let base = round * ROUND;
		for part in map_chunks(chunk, 1, |offset, part| {
			part.iter()
				.enumerate()
				.map(|(i, record)| {
					commit(algorithm, &salt(seed, (base + offset + i) as u64), record)
				})
				.collect::<Vec<_>>()
		}) {
			commitments.extend(part);
		}
		progress(commitments.len() as u64);
	}
	commitments
}

/// The Merkle tree over `commitments`, each level's hashing shared among threads.
pub fn build_tree(algorithm: HashAlgorithm, commitments: &[[u8; 32]]) -> Option<MerkleTree> {
	let leaves: Vec<[u8; 32]> = map_chunks(commitments, 1, |_, part| {
		part.iter().map(|c| leaf_hash(algorithm, c)).collect::<Vec<_>>()
	})
	.concat();
	MerkleTree::from_leaf_hashes(algorithm, leaves, |level| {
		// Chunks start at even positions, so no pair is split.
		map_chunks(level, 2, |_, part| parent_level(algorithm, part)).concat()
	})
}

/// The key each record is encrypted under.
pub trait RecordCipher: Sync {
	/// Record `index`'s key (0 first).
	fn cipher(&self, index: u64) -> Result<DataKey>;
}

/// One key for every record (anchoring directories of before record keys; tests).
impl RecordCipher for DataKey {
	fn cipher(&self, _index: u64) -> Result<DataKey> {
		Ok(self.clone())
	}
}

/// Each record its own key, derived from its slot of a run's key table.
pub struct RecordKeys<'a> {
	pub table: &'a crate::certificates::record_keys::KeyTable,
	pub source: u64,
	pub resource: u64,
	pub kek_version: u32,
}

impl RecordCipher for RecordKeys<'_> {
	fn cipher(&self, index: u64) -> Result<DataKey> {
		let key = self.table.record_key(index, self.source, self.resource)?;
		Ok(DataKey::from_bytes(&key, self.source, self.resource, self.kek_version))
	}
}

/// Encrypts every record under its key (see [`DataKey::encrypt_into`]) and writes them to
/// `out` in order, each as `length (u32 LE) ‖ nonce ‖ ciphertext ‖ tag`. Returns the bytes
/// written.
pub fn encrypt_records(
	records: &[Vec<u8>],
	keys: &impl RecordCipher,
	out: &mut impl Write,
) -> Result<u64> {
	let mut written = 0u64;
	for (round, chunk) in records.chunks(ROUND).enumerate() {
		let base = round * ROUND;
		let parts = map_chunks(chunk, 1, |offset, part| -> Result<Vec<u8>> {
			let mut rng = nonce_rng();
			let mut buffer =
				Vec::with_capacity(part.iter().map(|r| r.len() + 4 + 12 + 16).sum::<usize>());
			for (i, record) in part.iter().enumerate() {
				let sealed_len = u32::try_from(record.len() + 12 + 16).map_err(|_| {
					CertificatesError::Records(format!(
						"record {} is too large",
						base + offset + i + 1
					))
				})?;
				buffer.extend_from_slice(&sealed_len.to_le_bytes());
				let index = (base + offset + i) as u64;
				keys.cipher(index)?.encrypt_into(&mut rng, index, record, &mut buffer)?;
			}
			Ok(buffer)
		});
		for part in parts {
			let part = part?;
			out.write_all(&part)
				.map_err(|e| Error::io("write", Path::new("the ciphertexts"), e))?;
			written += part.len() as u64;
		}
	}
	Ok(written)
}

/// Encrypts every record into the file at `path` (see [`encrypt_records`]), replacing it only
/// once all are written and synced.
pub fn encrypt_to_file(records: &[Vec<u8>], keys: &impl RecordCipher, path: &Path) -> Result<()> {
	let tmp = crate::files::temporary(path);
	let cannot = |e: std::io::Error| Error::io("write", &tmp, e);
	let mut file = std::io::BufWriter::with_capacity(
		1 << 20,
		crate::files::create_private(&tmp).map_err(cannot)?,
	);
	encrypt_records(records, keys, &mut file)?;
	file.into_inner().map_err(|e| cannot(e.into_error()))?.sync_all().map_err(cannot)?;
	fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
}

/// Every record's commitment and, for a batch, the Merkle tree over them.
pub struct Committed {
	pub commitments: Vec<[u8; 32]>,
	pub tree: Option<MerkleTree>,
}

/// Commits to every record under salts drawn from `seed` and, for a batch, builds the Merkle
/// tree: the CPU-bound certification work `anchor` does, and `medtrust-bench client` times.
/// `progress` hears how many records are committed, round by round.
pub fn commit_all(
	records: &[Vec<u8>],
	algorithm: HashAlgorithm,
	seed: &[u8; 32],
	batch: bool,
	progress: impl FnMut(u64),
) -> Committed {
	let commitments = commit_records(records, algorithm, seed, progress);
	let tree = if batch { build_tree(algorithm, &commitments) } else { None };
	Committed { commitments, tree }
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::certificates::keys::KeyStore;

	fn lines(n: usize) -> String {
		(0..n)
			.map(|i| format!("{{\"value\":{i}.5,\"id\":\"obs-{i}\",\"unit\":\"mmol/L\"}}\n"))
			.collect()
	}

	#[test]
	fn shared_work_gives_the_single_threaded_results_in_file_order() {
		let text = lines(5000);
		let records = canonical_records(&text, RecordFormat::Ndjson).expect("valid");
		let one_by_one: Vec<Vec<u8>> =
			text.lines().map(|l| canonical_json(l).expect("valid")).collect();
		assert_eq!(records, one_by_one);

		let seed = [5u8; 32];
		let commitments = commit_records(&records, HashAlgorithm::Sha256, &seed, |_| {});
		for (i, record) in records.iter().enumerate() {
			assert_eq!(
				commitments[i],
				commit(HashAlgorithm::Sha256, &salt(&seed, i as u64), record),
				"record {i}"
			);
		}
		for width in [1usize, 2, 3, 2047, 2048, 2049, 4097] {
			let tree = build_tree(HashAlgorithm::Sm3, &commitments[..width]).expect("non-empty");
			let plain = MerkleTree::new(HashAlgorithm::Sm3, &commitments[..width]).expect("tree");
			assert_eq!(tree.root(), plain.root(), "width {width}");
		}
	}

	#[test]
	fn every_ciphertext_opens_as_its_own_record_only() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let store = KeyStore::new(dir.path().join("keys"));
		store.create(false).expect("created");
		let (key, _) = DataKey::generate(&store, 1, 2).expect("a data key");
		let records = canonical_records(&lines(3000), RecordFormat::Ndjson).expect("valid");
		let mut out = Vec::new();
		let written = encrypt_records(&records, &key, &mut out).expect("encrypted");
		assert_eq!(written as usize, out.len());
		let mut at = 0;
		let mut nonces = std::collections::HashSet::new();
		for (i, record) in records.iter().enumerate() {
			let len = u32::from_le_bytes(out[at..at + 4].try_into().expect("4 bytes")) as usize;
			let sealed = &out[at + 4..at + 4 + len];
			assert!(nonces.insert(sealed[..12].to_vec()), "record {i}'s nonce is fresh");
			assert_eq!(&key.decrypt(i as u64, sealed).expect("opens"), record);
			if i > 0 {
				assert!(key.decrypt(i as u64 - 1, sealed).is_err(), "bound to its index");
			}
			at += 4 + len;
		}
		assert_eq!(at, out.len());
	}

	#[test]
	fn bad_records_are_named_by_their_place() {
		let text = format!("{}{{\"broken\":\n", lines(3000));
		let error = canonical_records(&text, RecordFormat::Ndjson).unwrap_err().to_string();
		assert!(error.contains("line 3001"), "{error}");
		let csv = "a,b\n1,2\n3\n";
		let error = canonical_records(csv, RecordFormat::Csv).unwrap_err().to_string();
		assert!(error.contains("row 2"), "{error}");
		assert!(canonical_records("a,a\n1,2\n", RecordFormat::Csv)
			.unwrap_err()
			.to_string()
			.contains("twice"));
		let bundle = r#"{"resourceType":"Bundle","entry":[{"resource":{"a":1,"a":2}}]}"#;
		let error = canonical_records(bundle, RecordFormat::FhirBundle).unwrap_err().to_string();
		assert!(error.contains("entry 1") && error.contains("duplicate"), "{error}");
		assert!(canonical_records(r#"{"resourceType":"Bundle"}"#, RecordFormat::FhirBundle)
			.unwrap_err()
			.to_string()
			.contains("no entry"));
	}
}
