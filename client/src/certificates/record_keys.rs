//! Record keys: one key per record, so that granting some records reveals nothing of the
//! others and erasing one data subject destroys exactly that subject's records.
//!
//! An anchoring run draws one random 256-bit key per *slot*: per record, or, with
//! `anchor --subject-field`, per data subject (every record of a patient shares the slot). A
//! record's key is derived from its slot's key by HKDF-SHA256 with the record's place
//! ([`KeyTable::record_key`]): records of one subject still get keys of their own, so a grant
//! of one of them unwraps nothing else. The table of slots is kept in the anchoring directory
//! (`ciphertext/keys.bin`), sealed (AES-256-GCM) under the run's data key, which the
//! institution's key-encryption key wraps. Erasing a slot overwrites its key with zeros and
//! rewrites the table: the records whose keys derived from it cannot be decrypted by anyone
//! again (crypto-shredding), while the others are untouched.
//!
//! A subject is named in the table by its *tag*, `HKDF-SHA256(seed, subject value)` under the
//! run's secret salt seed: the grantor finds a patient's records from the patient's id, while
//! the tag on chain (a subject's grant or erasure) tells nobody else anything, and differs
//! between runs.

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::certificates::keys::{random32, DataKey};
use crate::certificates::Error as CertificatesError;
use crate::{Error, Result};

/// The table's magic and version.
const MAGIC: &[u8; 8] = b"MTKEYS01";
/// The associated data the table is sealed with.
const TABLE_AAD: &[u8] = b"medtrust:record-key-table:v1";

/// One slot: a key and the tag of the subject it belongs to (zeros without subjects).
#[derive(Clone)]
struct Slot {
	key: [u8; 32],
	tag: [u8; 32],
	erased: bool,
}

/// An anchoring run's record keys: the slots, and each record's slot.
pub struct KeyTable {
	slots: Vec<Slot>,
	of_record: Vec<u32>,
}

impl Drop for KeyTable {
	fn drop(&mut self) {
		for slot in &mut self.slots {
			slot.key.zeroize();
		}
	}
}

/// The tag of a data subject in a run whose salt seed is `seed`.
pub fn subject_tag(seed: &[u8; 32], subject: &[u8]) -> [u8; 32] {
	let mut tag = [0u8; 32];
	Hkdf::<Sha256>::new(Some(b"medtrust:subject-tag:v1"), seed)
		.expand(subject, &mut tag)
		.expect("32 bytes is a valid HKDF-SHA256 length; qed");
	tag
}

/// The value of field `field` of a canonical record (a JSON object; `a.b` names field `b` of
/// object `a`, as a FHIR resource's `subject.reference`): a string's text, another value's
/// JSON. `number` (1 first) names the record in the error.
pub fn subject_of(record: &[u8], field: &str, number: u64) -> Result<Vec<u8>> {
	let missing = || -> Error {
		CertificatesError::Records(format!("record {number} has no subject field `{field}`")).into()
	};
	let value: serde_json::Value = serde_json::from_slice(record).map_err(|_| missing())?;
	let mut at = &value;
	for part in field.split('.') {
		at = at.get(part).ok_or_else(missing)?;
	}
	match at {
		serde_json::Value::Null => Err(missing()),
		serde_json::Value::String(text) if text.is_empty() => Err(missing()),
		serde_json::Value::String(text) => Ok(text.as_bytes().to_vec()),
		other => Ok(other.to_string().into_bytes()),
	}
}

impl KeyTable {
	/// A fresh table for `records` (canonical), one slot per record, or with `subject_field`
	/// one per data subject (tagged under the run's salt `seed`).
	pub fn for_records(
		records: &[Vec<u8>],
		subject_field: Option<&str>,
		seed: &[u8; 32],
	) -> Result<Self> {
		let Some(field) = subject_field else { return Self::per_record(records.len()) };
		let tags = records
			.iter()
			.enumerate()
			.map(|(i, record)| Ok(subject_tag(seed, &subject_of(record, field, i as u64 + 1)?)))
			.collect::<Result<Vec<_>>>()?;
		Self::per_subject(&tags)
	}

	/// A fresh table of `records` records, one slot each.
	pub fn per_record(records: usize) -> Result<Self> {
		let slots = (0..records).map(|_| Slot { key: random32(), tag: [0; 32], erased: false });
		let of_record = (0..records).map(slot_index).collect::<Result<Vec<u32>>>()?;
		Ok(Self { slots: slots.collect(), of_record })
	}

	/// A fresh table with one slot per distinct subject tag, `tags[i]` record `i`'s.
	pub fn per_subject(tags: &[[u8; 32]]) -> Result<Self> {
		let mut index = std::collections::HashMap::new();
		let mut slots = Vec::new();
		let mut of_record = Vec::with_capacity(tags.len());
		for tag in tags {
			let slot = match index.get(tag) {
				Some(slot) => *slot,
				None => {
					let slot = slot_index(slots.len())?;
					slots.push(Slot { key: random32(), tag: *tag, erased: false });
					index.insert(*tag, slot);
					slot
				}
			};
			of_record.push(slot);
		}
		Ok(Self { slots, of_record })
	}

	/// How many records it holds keys for.
	pub fn records(&self) -> u64 {
		self.of_record.len() as u64
	}

	/// Whether its slots are per subject.
	pub fn has_subjects(&self) -> bool {
		self.slots.iter().any(|s| s.tag != [0; 32])
	}

	/// Record `index`'s key (0 first) of `source`/`resource`, or why there is none.
	pub fn record_key(
		&self,
		index: u64,
		source: u64,
		resource: u64,
	) -> Result<Zeroizing<[u8; 32]>> {
		let slot = self.slot_of(index)?;
		if slot.erased {
			return Err(CertificatesError::Erased { record: index + 1 }.into());
		}
		let info =
			format!("medtrust:record-key:v1|source={source}|resource={resource}|index={index}");
		let mut key = Zeroizing::new([0u8; 32]);
		Hkdf::<Sha256>::new(None, &slot.key)
			.expand(info.as_bytes(), key.as_mut_slice())
			.map_err(|_| Error::Internal("HKDF refused 32 bytes".into()))?;
		Ok(key)
	}

	fn slot_of(&self, index: u64) -> Result<&Slot> {
		let count = self.records();
		let slot = usize::try_from(index).ok().and_then(|i| self.of_record.get(i));
		slot.and_then(|s| self.slots.get(*s as usize))
			.ok_or_else(|| CertificatesError::RecordNumber { number: index + 1, count }.into())
	}

	/// Whether record `index` (0 first) was erased.
	pub fn is_erased(&self, index: u64) -> bool {
		self.slot_of(index).is_ok_and(|s| s.erased)
	}

	/// The records (0 first) of the subject tagged `tag`, ascending.
	pub fn records_of(&self, tag: &[u8; 32]) -> Vec<u64> {
		let slots: std::collections::HashSet<u32> = (0..self.slots.len())
			.filter(|s| &self.slots[*s].tag == tag)
			.filter_map(|s| u32::try_from(s).ok())
			.collect();
		(0..self.of_record.len())
			.filter(|i| slots.contains(&self.of_record[*i]))
			.map(|i| i as u64)
			.collect()
	}

	/// Destroys the keys of records `indices` (0 first): their slots' keys become zeros, so
	/// every record of those slots (for a subject, all its records) is erased. Returns every
	/// record erased by it, ascending.
	pub fn erase(&mut self, indices: &[u64]) -> Result<Vec<u64>> {
		let mut slots = std::collections::HashSet::new();
		for index in indices {
			self.slot_of(*index)?;
			slots.insert(self.of_record[*index as usize]);
		}
		for slot in &slots {
			let slot = &mut self.slots[*slot as usize];
			slot.key.zeroize();
			slot.erased = true;
		}
		Ok((0..self.of_record.len())
			.filter(|i| slots.contains(&self.of_record[*i]))
			.map(|i| i as u64)
			.collect())
	}

	/// The table sealed under `key` (AES-256-GCM, a fresh nonce).
	pub fn seal(&self, key: &DataKey) -> Result<Vec<u8>> {
		let mut plain = Zeroizing::new(Vec::with_capacity(
			24 + self.slots.len() * 65 + self.of_record.len() * 4,
		));
		plain.extend_from_slice(MAGIC);
		plain.extend_from_slice(&(self.slots.len() as u64).to_le_bytes());
		plain.extend_from_slice(&(self.of_record.len() as u64).to_le_bytes());
		for slot in &self.slots {
			plain.extend_from_slice(&slot.key);
			plain.extend_from_slice(&slot.tag);
			plain.push(u8::from(slot.erased));
		}
		for slot in &self.of_record {
			plain.extend_from_slice(&slot.to_le_bytes());
		}
		key.seal(TABLE_AAD, &plain)
	}

	/// Opens a table sealed under `key`; refuses one altered or malformed.
	pub fn open(key: &DataKey, sealed: &[u8]) -> Result<Self> {
		let plain = Zeroizing::new(key.open(TABLE_AAD, sealed).map_err(|_| {
			Error::Crypto("the record-key table does not open: altered, or another run's".into())
		})?);
		parse(&plain).ok_or_else(|| Error::Crypto("the record-key table is malformed".into()))
	}
}

/// A slot's index as stored.
fn slot_index(i: usize) -> Result<u32> {
	u32::try_from(i)
		.map_err(|_| CertificatesError::Records("too many records for one run".into()).into())
}

fn parse(plain: &[u8]) -> Option<KeyTable> {
	let rest = plain.strip_prefix(MAGIC)?;
	let u64_at = |at: usize| -> Option<u64> {
		Some(u64::from_le_bytes(rest.get(at..at + 8)?.try_into().ok()?))
	};
	let (slots, records) = (usize::try_from(u64_at(0)?).ok()?, usize::try_from(u64_at(8)?).ok()?);
	let body = rest.get(16..)?;
	if body.len() != slots.checked_mul(65)?.checked_add(records.checked_mul(4)?)? {
		return None;
	}
	let mut table =
		KeyTable { slots: Vec::with_capacity(slots), of_record: Vec::with_capacity(records) };
	for chunk in body[..slots * 65].chunks_exact(65) {
		let erased = match chunk[64] {
			0 => false,
			1 => true,
			_ => return None,
		};
		let key: [u8; 32] = chunk[..32].try_into().ok()?;
		let tag: [u8; 32] = chunk[32..64].try_into().ok()?;
		table.slots.push(Slot { key, tag, erased });
	}
	for chunk in body[slots * 65..].chunks_exact(4) {
		let slot = u32::from_le_bytes(chunk.try_into().ok()?);
		if slot as usize >= slots {
			return None;
		}
		table.of_record.push(slot);
	}
	Some(table)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::certificates::keys::KeyStore;

	fn data_key() -> (tempfile::TempDir, DataKey) {
		let dir = tempfile::tempdir().expect("a temp dir");
		let store = KeyStore::new(dir.path().join("keys"));
		store.create(false).expect("a KEK");
		let (key, _) = DataKey::generate(&store, 1, 2).expect("a data key");
		(dir, key)
	}

	#[test]
	fn each_record_has_its_own_key_and_the_table_round_trips_sealed() {
		let (_dir, key) = data_key();
		let table = KeyTable::per_record(3).expect("a table");
		let keys: Vec<_> = (0..3).map(|i| table.record_key(i, 1, 2).expect("a key")).collect();
		assert!(keys[0] != keys[1] && keys[1] != keys[2]);
		// Bound to source and resource.
		assert!(*table.record_key(0, 1, 3).expect("a key") != *keys[0]);
		let sealed = table.seal(&key).expect("sealed");
		let opened = KeyTable::open(&key, &sealed).expect("opens");
		assert_eq!(*opened.record_key(2, 1, 2).expect("a key"), *keys[2]);
		assert!(!opened.has_subjects());
		// Hostile tables: altered, truncated, not a table.
		let mut altered = sealed.clone();
		altered[20] ^= 1;
		assert!(KeyTable::open(&key, &altered).is_err());
		assert!(KeyTable::open(&key, &sealed[..10]).is_err());
		assert!(KeyTable::open(&key, b"").is_err());
		for bad in [&b"MTKEYS01"[..], b"MTKEYS01\x01\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0", b"nonsense"]
		{
			assert!(parse(bad).is_none());
		}
		assert!(table.record_key(3, 1, 2).unwrap_err().to_string().contains("4"));
	}

	#[test]
	fn subjects_are_read_from_a_field_or_a_dotted_path() {
		let record =
			br#"{"patient_id":"P-001","age":61,"subject":{"reference":"Patient/7"},"none":null}"#;
		assert_eq!(subject_of(record, "patient_id", 1).expect("a subject"), b"P-001");
		assert_eq!(subject_of(record, "age", 1).expect("a subject"), b"61");
		assert_eq!(subject_of(record, "subject.reference", 1).expect("a subject"), b"Patient/7");
		for field in ["none", "missing", "subject.id", "patient_id.x"] {
			let e = subject_of(record, field, 3).unwrap_err().to_string();
			assert!(e.contains("record 3") && e.contains(field), "{e}");
		}
		assert!(subject_of(b"not json", "a", 1).is_err());
		let records = vec![record.to_vec(), br#"{"patient_id":"P-002"}"#.to_vec(), record.to_vec()];
		let table = KeyTable::for_records(&records, Some("patient_id"), &[1; 32]).expect("a table");
		assert_eq!(table.records_of(&subject_tag(&[1; 32], b"P-001")), vec![0, 2]);
		assert_eq!(
			KeyTable::for_records(&records, None, &[1; 32]).expect("a table").slots.len(),
			3
		);
	}

	#[test]
	fn erasing_a_subject_destroys_exactly_its_records() {
		let (_dir, key) = data_key();
		let seed = [7u8; 32];
		let (zhang, li) = (subject_tag(&seed, b"P-001"), subject_tag(&seed, b"P-002"));
		assert_ne!(zhang, subject_tag(&[8; 32], b"P-001"), "tags differ between runs");
		let mut table = KeyTable::per_subject(&[zhang, li, zhang, li]).expect("a table");
		assert!(table.has_subjects());
		assert_eq!(table.records_of(&zhang), vec![0, 2]);
		let before = *table.record_key(1, 1, 2).expect("a key");
		assert!(
			*table.record_key(0, 1, 2).expect("a key")
				!= *table.record_key(2, 1, 2).expect("a key")
		);
		assert_eq!(table.erase(&[2]).expect("erased"), vec![0, 2]);
		let opened = KeyTable::open(&key, &table.seal(&key).expect("sealed")).expect("opens");
		for i in [0, 2] {
			assert!(opened.is_erased(i));
			assert!(opened.record_key(i, 1, 2).unwrap_err().to_string().contains("erased"));
		}
		assert_eq!(*opened.record_key(1, 1, 2).expect("kept"), before);
		assert!(!opened.is_erased(3));
	}
}
