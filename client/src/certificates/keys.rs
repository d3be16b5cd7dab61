//! Key-encryption keys (KEKs) and record encryption with AES-256-GCM.
//!
//! An institution keeps its KEKs in a directory (`--keys`, default `~/.medtrust/keys`), one
//! file per version (`kek-1.key`, `kek-2.key`, … each 32 random bytes in hex, readable by its
//! owner only) and `current` naming the version new data uses. Rotating adds a version; old
//! versions stay, so data encrypted under them stays decryptable.
//!
//! Each anchored batch gets a fresh 256-bit data key, wrapped (AES-256-GCM) by the current
//! KEK; each record is encrypted under the data key with a fresh 96-bit nonce and associated
//! data binding source, resource, record index and KEK version, so a ciphertext cannot be
//! passed off as another record's.

use std::{
	fs,
	path::{Path, PathBuf},
};

use aes_gcm::{
	aead::{rand_core::RngCore, Aead, AeadInPlace, KeyInit, OsRng, Payload},
	Aes256Gcm, Key, Nonce,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::certificates::Error as CertificatesError;
use crate::{Error, Result};

/// 32 random bytes from the operating system.
pub fn random32() -> [u8; 32] {
	let mut out = [0u8; 32];
	OsRng.fill_bytes(&mut out);
	out
}

/// A cryptographically secure generator of nonces, seeded from the operating system.
pub fn nonce_rng() -> rand_chacha::ChaCha20Rng {
	use aes_gcm::aead::rand_core::SeedableRng;
	rand_chacha::ChaCha20Rng::from_seed(random32())
}

/// The default key directory: `$MEDTRUST_KEYS`, else `~/.medtrust/keys`.
pub fn default_dir() -> PathBuf {
	std::env::var_os("MEDTRUST_KEYS").map(PathBuf::from).unwrap_or_else(|| {
		let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
		home.join(".medtrust").join("keys")
	})
}

/// A directory of key-encryption keys.
pub struct KeyStore {
	dir: PathBuf,
}

impl KeyStore {
	/// The store in `dir` (which may not exist yet).
	pub fn new(dir: impl Into<PathBuf>) -> Self {
		Self { dir: dir.into() }
	}

	/// Its directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	fn kek_path(&self, version: u32) -> PathBuf {
		self.dir.join(format!("kek-{version}.key"))
	}

	/// The versions present, ascending.
	pub fn versions(&self) -> Result<Vec<u32>> {
		let entries = match fs::read_dir(&self.dir) {
			Ok(entries) => entries,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
			Err(e) => return Err(Error::io("read", &self.dir, e)),
		};
		let mut versions: Vec<u32> = entries
			.filter_map(|e| e.ok())
			.filter_map(|e| {
				let name = e.file_name().into_string().ok()?;
				name.strip_prefix("kek-")?.strip_suffix(".key")?.parse().ok()
			})
			.collect();
		versions.sort();
		Ok(versions)
	}

	/// The version new data is encrypted under.
	pub fn current(&self) -> Result<u32> {
		let path = self.dir.join("current");
		let text = fs::read_to_string(&path).map_err(|_| {
			CertificatesError::Keys(format!(
				"no key-encryption key in {}: create one with `medtrust keys create`",
				self.dir.display()
			))
		})?;
		text.trim()
			.parse()
			.map_err(|_| CertificatesError::Keys(format!("{} is corrupt", path.display())).into())
	}

	/// The KEK of `version`, refused when others may read its file.
	pub fn kek(&self, version: u32) -> Result<Zeroizing<[u8; 32]>> {
		let path = self.kek_path(version);
		if !path.exists() {
			return Err(CertificatesError::Keys(format!(
				"key-encryption key version {version} is not in {}",
				self.dir.display()
			))
			.into());
		}
		let text = crate::files::read_private(&path)?;
		let corrupt = || CertificatesError::Keys(format!("{} is corrupt", path.display()));
		let mut key = Zeroizing::new([0u8; 32]);
		hex::decode_to_slice(text.trim(), key.as_mut_slice()).map_err(|_| corrupt())?;
		Ok(key)
	}

	/// Creates the first KEK (fails if there is one), or with `rotate` the next version;
	/// returns the new version.
	pub fn create(&self, rotate: bool) -> Result<u32> {
		let versions = self.versions()?;
		let version = match (versions.last(), rotate) {
			(None, _) => 1,
			(Some(_), false) => {
				return Err(CertificatesError::Keys(format!(
					"{} has key-encryption keys already: `medtrust keys rotate` adds a version",
					self.dir.display()
				))
				.into())
			}
			(Some(last), true) => last + 1,
		};
		crate::files::create_private_dir(&self.dir)?;
		let path = self.kek_path(version);
		let key = Zeroizing::new(random32());
		crate::files::write_private(&path, Zeroizing::new(hex::encode(*key)).as_bytes())?;
		crate::files::write_atomic(&self.dir.join("current"), format!("{version}\n").as_bytes())?;
		Ok(version)
	}
}

/// A batch's data key, wrapped by a KEK, as stored beside the ciphertexts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WrappedKey {
	/// The KEK version that wraps it.
	pub kek_version: u32,
	/// The wrapping nonce, hex.
	pub nonce: String,
	/// The wrapped data key (with its tag), hex.
	pub wrapped: String,
}

/// The associated data of a wrapped data key.
fn wrap_aad(source: u64, resource: u64, kek_version: u32) -> Vec<u8> {
	format!("medtrust:data-key:v1|source={source}|resource={resource}|kek={kek_version}")
		.into_bytes()
}

/// The associated data of one record's ciphertext.
pub fn record_aad(source: u64, resource: u64, index: u64, kek_version: u32) -> Vec<u8> {
	format!(
		"medtrust:record:v1|source={source}|resource={resource}|index={index}|kek={kek_version}"
	)
	.into_bytes()
}

/// A batch's data key: encrypts and decrypts its records.
#[derive(Clone)]
pub struct DataKey {
	cipher: Aes256Gcm,
	source: u64,
	resource: u64,
	kek_version: u32,
}

impl DataKey {
	/// A fresh data key for a batch of `source`/`resource`, wrapped by the store's current KEK.
	pub fn generate(store: &KeyStore, source: u64, resource: u64) -> Result<(Self, WrappedKey)> {
		let kek_version = store.current()?;
		let kek = store.kek(kek_version)?;
		let key = Zeroizing::new(random32());
		let mut nonce = [0u8; 12];
		OsRng.fill_bytes(&mut nonce);
		let wrapped = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(kek.as_slice()))
			.encrypt(
				Nonce::from_slice(&nonce),
				Payload { msg: key.as_slice(), aad: &wrap_aad(source, resource, kek_version) },
			)
			.map_err(|_| Error::Crypto("wrapping the data key failed".into()))?;
		let data_key = Self::from_bytes(&key, source, resource, kek_version);
		Ok((
			data_key,
			WrappedKey { kek_version, nonce: hex::encode(nonce), wrapped: hex::encode(wrapped) },
		))
	}

	/// The data key of one record, its bytes `key` (a record key, see
	/// [`super::record_keys::KeyTable::record_key`]).
	pub fn from_bytes(key: &[u8; 32], source: u64, resource: u64, kek_version: u32) -> Self {
		Self {
			cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
			source,
			resource,
			kek_version,
		}
	}

	/// Unwraps a batch's data key with the KEK version it names.
	pub fn unwrap(
		store: &KeyStore,
		wrapped: &WrappedKey,
		source: u64,
		resource: u64,
	) -> Result<Self> {
		let kek = store.kek(wrapped.kek_version)?;
		let bad = || Error::Crypto("the wrapped data key is corrupt".into());
		let nonce = hex::decode(&wrapped.nonce).map_err(|_| bad())?;
		let sealed = hex::decode(&wrapped.wrapped).map_err(|_| bad())?;
		if nonce.len() != 12 {
			return Err(bad());
		}
		let key = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(kek.as_slice()))
			.decrypt(
				Nonce::from_slice(&nonce),
				Payload { msg: &sealed, aad: &wrap_aad(source, resource, wrapped.kek_version) },
			)
			.map_err(|_| {
				Error::Crypto(format!(
					"key-encryption key version {} does not open this data key (wrong key, or \
					 the data belongs to another source or resource)",
					wrapped.kek_version
				))
			})?;
		let key = Zeroizing::new(key);
		let key: &[u8; 32] = key.as_slice().try_into().map_err(|_| bad())?;
		Ok(Self::from_bytes(key, source, resource, wrapped.kek_version))
	}

	/// Encrypts record `index` (0 first): `nonce ‖ ciphertext ‖ tag`, the nonce drawn from
	/// the operating system.
	pub fn encrypt(&self, index: u64, plaintext: &[u8]) -> Result<Vec<u8>> {
		let mut out = Vec::with_capacity(12 + plaintext.len() + 16);
		self.encrypt_into(&mut OsRng, index, plaintext, &mut out)?;
		Ok(out)
	}

	/// Appends `nonce ‖ ciphertext ‖ tag` of record `index` (0 first) to `out`, encrypting in
	/// place. The nonce is drawn from `rng`: for many records, a ChaCha20 generator seeded from
	/// the operating system ([`nonce_rng`]) rather than a system call per record.
	pub fn encrypt_into(
		&self,
		rng: &mut impl RngCore,
		index: u64,
		plaintext: &[u8],
		out: &mut Vec<u8>,
	) -> Result<()> {
		let mut nonce = [0u8; 12];
		rng.fill_bytes(&mut nonce);
		let aad = record_aad(self.source, self.resource, index, self.kek_version);
		out.extend_from_slice(&nonce);
		let start = out.len();
		out.extend_from_slice(plaintext);
		let tag = self
			.cipher
			.encrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut out[start..])
			.map_err(|_| Error::Crypto("encryption failed".into()))?;
		out.extend_from_slice(&tag);
		Ok(())
	}

	/// Seals `plaintext` under this key with associated data `aad`: `nonce ‖ ciphertext ‖ tag`.
	pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
		let mut nonce = [0u8; 12];
		OsRng.fill_bytes(&mut nonce);
		let sealed = self
			.cipher
			.encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad })
			.map_err(|_| Error::Crypto("encryption failed".into()))?;
		Ok([&nonce[..], &sealed].concat())
	}

	/// Opens what [`Self::seal`] sealed with the same `aad`.
	pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
		if sealed.len() < 12 + 16 {
			return Err(Error::Crypto("the sealed data is truncated".into()));
		}
		self.cipher
			.decrypt(Nonce::from_slice(&sealed[..12]), Payload { msg: &sealed[12..], aad })
			.map_err(|_| Error::Crypto("the sealed data was altered or belongs elsewhere".into()))
	}

	/// The version of the key-encryption key this data key is bound to.
	pub fn kek_version(&self) -> u32 {
		self.kek_version
	}

	/// Decrypts record `index` from `nonce ‖ ciphertext ‖ tag`.
	pub fn decrypt(&self, index: u64, sealed: &[u8]) -> Result<Vec<u8>> {
		if sealed.len() < 12 + 16 {
			return Err(Error::Crypto(format!("record {} ciphertext is truncated", index + 1)));
		}
		let aad = record_aad(self.source, self.resource, index, self.kek_version);
		self.cipher
			.decrypt(Nonce::from_slice(&sealed[..12]), Payload { msg: &sealed[12..], aad: &aad })
			.map_err(|_| {
				Error::Crypto(format!(
					"record {} does not decrypt: its ciphertext was altered or belongs elsewhere",
					index + 1
				))
			})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn records_round_trip_and_old_versions_stay_readable_after_rotation() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let store = KeyStore::new(dir.path().join("keys"));
		assert!(store.current().unwrap_err().to_string().contains("medtrust keys create"));
		assert_eq!(store.create(false).expect("created"), 1);
		assert!(store.create(false).is_err(), "a second create must not overwrite");
		let (key, wrapped) = DataKey::generate(&store, 3, 7).expect("a data key");
		let sealed = key.encrypt(0, "患者 张三 血糖 5.6".as_bytes()).expect("sealed");
		assert_eq!(store.create(true).expect("rotated"), 2);
		assert_eq!(store.current().expect("current"), 2);
		let reopened = DataKey::unwrap(&store, &wrapped, 3, 7).expect("version 1 still opens");
		assert_eq!(reopened.decrypt(0, &sealed).expect("opens"), "患者 张三 血糖 5.6".as_bytes());
		// Bound to its index, source and resource.
		assert!(reopened.decrypt(1, &sealed).is_err());
		assert!(DataKey::unwrap(&store, &wrapped, 3, 8).is_err());
		let mut tampered = sealed.clone();
		tampered[20] ^= 1;
		assert!(reopened.decrypt(0, &tampered).is_err());
		// Fresh nonces: the same record encrypts differently.
		assert_ne!(key.encrypt(0, b"x").expect("sealed"), key.encrypt(0, b"x").expect("sealed"));
		assert_eq!(store.versions().expect("listed"), vec![1, 2]);
	}
}
