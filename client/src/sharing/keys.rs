//! The institution's encryption keys (X25519, for HPKE), kept in its key directory beside its
//! key-encryption keys: `share-<fingerprint>.key`, the private key in hex, readable by its
//! owner only, named by the first 8 bytes of its public key. A grant names the grantee's key
//! *version* on chain; the grantee finds the private key of that version by its public key,
//! so a key created and never published, or published twice, confuses nothing.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::sharing::{package, Error as SharingError};
use crate::{files, Error, Result};

/// An institution's encryption keys in its key directory.
pub struct ShareKeys {
	dir: PathBuf,
}

/// One local key: its public part and file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalKey {
	pub public: [u8; 32],
	pub path: PathBuf,
}

impl LocalKey {
	/// Its public key, `0x` hex (as the chain's JSON writes it).
	pub fn public_hex(&self) -> String {
		format!("0x{}", hex::encode(self.public))
	}
}

impl ShareKeys {
	/// The one local key not among `published` (the institution's keys on chain), which
	/// `share key publish` publishes; refused when there is none, or more than one.
	pub fn unpublished(&self, published: &[crate::sharing::EncryptionKeyJson]) -> Result<LocalKey> {
		let local = self.all()?;
		let mut unpublished =
			local.into_iter().filter(|k| !published.iter().any(|p| p.public == k.public_hex()));
		match (unpublished.next(), unpublished.next()) {
			(Some(key), None) => Ok(key),
			(None, _) => Err(SharingError::Keys(
				"every local key is published: create one with `share key create`".into(),
			)
			.into()),
			(Some(_), Some(_)) => Err(SharingError::Keys(format!(
				"{} holds several unpublished keys: keep the one to publish, or use `share key \
				 rotate`",
				self.dir.display()
			))
			.into()),
		}
	}

	/// The keys in `dir` (which may not exist yet).
	pub fn new(dir: impl Into<PathBuf>) -> Self {
		Self { dir: dir.into() }
	}

	fn path_of(&self, public: &[u8; 32]) -> PathBuf {
		self.dir.join(format!("share-{}.key", hex::encode(&public[..8])))
	}

	/// Creates a new key pair; returns it.
	pub fn create(&self) -> Result<LocalKey> {
		files::create_private_dir(&self.dir)?;
		let (secret, public) = package::generate();
		let path = self.path_of(&public);
		files::write_private(&path, Zeroizing::new(hex::encode(*secret)).as_bytes())?;
		Ok(LocalKey { public, path })
	}

	/// Every local key, by file name.
	pub fn all(&self) -> Result<Vec<LocalKey>> {
		let entries = match std::fs::read_dir(&self.dir) {
			Ok(entries) => entries,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
			Err(e) => return Err(Error::io("read", &self.dir, e)),
		};
		let mut keys = Vec::new();
		for entry in entries.filter_map(|e| e.ok()) {
			let name = entry.file_name().to_string_lossy().into_owned();
			if name.starts_with("share-") && name.ends_with(".key") {
				let path = entry.path();
				let secret = read_secret(&path)?;
				keys.push(LocalKey { public: package::public_of(&secret)?, path });
			}
		}
		keys.sort_by(|a, b| a.path.cmp(&b.path));
		Ok(keys)
	}

	/// The private key whose public key is `public`.
	pub fn secret_of(&self, public: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
		let path = self.path_of(public);
		if !path.is_file() {
			return Err(SharingError::Keys(format!(
				"no private key of the published key 0x{} in {}",
				hex::encode(public),
				self.dir.display()
			))
			.into());
		}
		let secret = read_secret(&path)?;
		if package::public_of(&secret)? != *public {
			return Err(SharingError::Keys(format!(
				"{} is not the key it is named after",
				path.display()
			))
			.into());
		}
		Ok(secret)
	}
}

/// Reads a private key file (refused when others may read it).
fn read_secret(path: &Path) -> Result<Zeroizing<[u8; 32]>> {
	let text = files::read_private(path)?;
	let mut secret = Zeroizing::new([0u8; 32]);
	hex::decode_to_slice(text.trim(), secret.as_mut_slice())
		.map_err(|_| SharingError::Keys(format!("{} is corrupt", path.display())))?;
	Ok(secret)
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::os::unix::fs::PermissionsExt as _;

	#[test]
	fn keys_are_created_private_and_found_by_their_public_part() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let keys = ShareKeys::new(dir.path().join("keys"));
		assert!(keys.all().expect("none").is_empty());
		let first = keys.create().expect("created");
		let second = keys.create().expect("created");
		assert_ne!(first.public, second.public);
		let mode = std::fs::metadata(&first.path).expect("a file").permissions().mode();
		assert_eq!(mode & 0o777, 0o600);
		assert_eq!(keys.all().expect("two").len(), 2);
		let secret = keys.secret_of(&second.public).expect("found");
		assert_eq!(package::public_of(&secret).expect("a key"), second.public);
		assert!(keys.secret_of(&[9; 32]).unwrap_err().to_string().contains("no private key"));
		// A file others may read is refused; a corrupt one too.
		std::fs::set_permissions(&first.path, std::fs::Permissions::from_mode(0o644))
			.expect("chmod");
		assert!(keys.secret_of(&first.public).is_err());
		std::fs::set_permissions(&first.path, std::fs::Permissions::from_mode(0o600))
			.expect("chmod");
		std::fs::write(&first.path, "not hex").expect("written");
		assert!(keys.secret_of(&first.public).unwrap_err().to_string().contains("corrupt"));
	}
}
