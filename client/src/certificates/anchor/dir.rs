//! An anchoring directory (`anchor --out`): its resume state, the records' ciphertexts with
//! their wrapped data key, and one portable certificate per record.
//!
//! ```text
//! <out>/anchor-state.json          the run's state (resumes an interrupted run)
//! <out>/ciphertext/records.bin     length (u32 LE) ‖ nonce ‖ ciphertext ‖ tag, per record
//! <out>/ciphertext/key.json        the data key, wrapped by a key-encryption key
//! <out>/ciphertext/keys.bin        the record-key table, sealed under the data key (0600)
//! <out>/certificates.cbor          a batch's portable certificates, in one archive
//! <out>/certificates/<n>.json      record n's portable certificate (1 first): without
//!                                  `--batch`, or with `--per-record-files`
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::certificates::Error as CertificatesError;
use crate::{
	certificates::{
		keys::{DataKey, KeyStore, WrappedKey},
		record_keys::KeyTable,
	},
	files, Error, Result,
};

/// The files of an anchoring directory.
pub struct AnchorDir {
	pub root: PathBuf,
}

impl AnchorDir {
	/// The directory at `root`, with its subdirectories created.
	pub fn create(root: &Path) -> Result<Self> {
		let dir = Self { root: root.to_path_buf() };
		files::create_dir(&dir.root.join("ciphertext"))?;
		Ok(dir)
	}

	/// The run's state.
	pub fn state(&self) -> PathBuf {
		self.root.join("anchor-state.json")
	}

	/// The records' ciphertexts.
	pub fn ciphertexts(&self) -> PathBuf {
		self.root.join("ciphertext").join("records.bin")
	}

	/// The wrapped data key.
	pub fn key(&self) -> PathBuf {
		self.root.join("ciphertext").join("key.json")
	}

	/// The record-key table (see [`crate::certificates::record_keys`]).
	pub fn key_table(&self) -> PathBuf {
		self.root.join("ciphertext").join("keys.bin")
	}

	/// A batch's archive of portable certificates.
	pub fn archive(&self) -> PathBuf {
		self.root.join(crate::certificates::archive::ARCHIVE_FILE)
	}

	/// Record `index`'s portable certificate (1 first).
	pub fn certificate(&self, index: u64) -> PathBuf {
		self.root.join("certificates").join(format!("{index}.json"))
	}
}

/// The wrapped data key of an anchoring directory, with the source and resource it binds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFile {
	pub source: u64,
	pub resource: u64,
	pub records: u64,
	/// Whether each record has its own key (`keys.bin`); runs anchored before record keys
	/// encrypted every record under the data key itself.
	#[serde(default)]
	pub record_keys: bool,
	#[serde(flatten)]
	pub wrapped: WrappedKey,
}

impl AnchorDir {
	/// The run's record-key table, opened with its data key.
	pub fn open_key_table(&self, data_key: &DataKey) -> Result<KeyTable> {
		let path = self.key_table();
		let sealed = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
		KeyTable::open(data_key, &sealed)
	}

	/// Writes the run's record-key table, sealed under its data key, readable by its owner
	/// only; replaced whole or not at all.
	pub fn save_key_table(&self, table: &KeyTable, data_key: &DataKey) -> Result<()> {
		files::write_atomic(&self.key_table(), &table.seal(data_key)?)
	}

	/// The cipher of record `index` (0 first) of a run.
	pub fn record_cipher(&self, key: &KeyFile, store: &KeyStore, index: u64) -> Result<DataKey> {
		let data_key = DataKey::unwrap(store, &key.wrapped, key.source, key.resource)?;
		if !key.record_keys {
			return Ok(data_key);
		}
		let table = self.open_key_table(&data_key)?;
		let record_key = table.record_key(index, key.source, key.resource)?;
		Ok(DataKey::from_bytes(&record_key, key.source, key.resource, data_key.kek_version()))
	}
}

/// Reads record `index` (0 first) of a `ciphertext/records.bin`.
pub fn read_ciphertext(path: &Path, index: u64) -> Result<Vec<u8>> {
	let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
	let mut rest = bytes.as_slice();
	for _ in 0..index {
		rest = skip_one(rest).unwrap_or_default();
	}
	let len = rest.get(..4).map(|l| u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize);
	match len.and_then(|len| rest.get(4..4 + len)) {
		Some(sealed) => Ok(sealed.to_vec()),
		None => Err(CertificatesError::Records(format!(
			"{} has no record {}",
			path.display(),
			index + 1
		))
		.into()),
	}
}

/// Every record's ciphertext of a `ciphertext/records.bin`, in order (a torn last one left
/// out).
pub fn read_ciphertexts(path: &Path) -> Result<Vec<Vec<u8>>> {
	let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
	let mut out = Vec::new();
	let mut rest = bytes.as_slice();
	while let Some(len) =
		rest.get(..4).map(|l| u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize)
	{
		let Some(sealed) = rest.get(4..4 + len) else { break };
		out.push(sealed.to_vec());
		rest = &rest[4 + len..];
	}
	Ok(out)
}

/// What follows the first length-prefixed record of `bytes`, if it is whole.
fn skip_one(bytes: &[u8]) -> Option<&[u8]> {
	let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
	bytes.get(4 + len..)
}

/// Decrypts record `index` (1 first) of an anchoring directory.
pub fn decrypt(dir: &Path, index: u64, store: &KeyStore) -> Result<Vec<u8>> {
	let dir = AnchorDir { root: dir.to_path_buf() };
	let key: KeyFile = files::read_json(&dir.key())?;
	if index == 0 || index > key.records {
		let (number, count) = (index, key.records);
		return Err(CertificatesError::RecordNumber { number, count }.into());
	}
	let cipher = dir.record_cipher(&key, store, index - 1)?;
	cipher.decrypt(index - 1, &read_ciphertext(&dir.ciphertexts(), index - 1)?)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn each_ciphertext_is_found_by_its_place() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let path = dir.path().join("records.bin");
		let mut bytes = Vec::new();
		for record in [&b"one"[..], b"", b"three"] {
			bytes.extend_from_slice(&(record.len() as u32).to_le_bytes());
			bytes.extend_from_slice(record);
		}
		bytes.extend_from_slice(&[9, 0, 0, 0, 1]); // a torn last record
		std::fs::write(&path, bytes).expect("written");
		assert_eq!(read_ciphertext(&path, 0).expect("first"), b"one");
		assert_eq!(read_ciphertext(&path, 1).expect("second"), b"");
		assert_eq!(read_ciphertext(&path, 2).expect("third"), b"three");
		assert!(read_ciphertext(&path, 3).unwrap_err().to_string().contains("no record 4"));
		assert!(read_ciphertext(&path, 7).is_err());
	}
}
