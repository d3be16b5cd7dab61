//! Files the client writes and reads: never left torn, never readable by others, failures
//! naming the path.
//!
//! Every state, key and certificate file is written to a temporary name beside it, synced, and
//! renamed over the old one, so an interrupted write leaves the previous file whole. Every file
//! is created readable by its owner only (0600) from its first byte, and every directory 0700:
//! states hold salt seeds, certificates and archives hold salts, and anyone reading a salt can
//! try every value of a low-entropy record against its commitment on chain.

use std::{
	fs,
	io::Write,
	os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _},
	path::{Path, PathBuf},
};

use serde::{de::DeserializeOwned, Serialize};

use crate::{Error, Result};

/// The temporary name a file is written under before it is renamed into place.
pub(crate) fn temporary(path: &Path) -> PathBuf {
	let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
	name.push(".tmp");
	path.with_file_name(name)
}

/// Creates a new file readable by its owner only (0600 from its first byte); a stale file of
/// that name (a temporary file left by a crash) is replaced.
pub(crate) fn create_private(path: &Path) -> std::io::Result<fs::File> {
	match fs::remove_file(path) {
		Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
		_ => {}
	}
	fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

/// Writes `bytes` to `path` atomically: all of them, or the previous file stays as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
	let tmp = temporary(path);
	let write = || -> std::io::Result<()> {
		let mut file = create_private(&tmp)?;
		file.write_all(bytes)?;
		file.sync_all()
	};
	write().map_err(|e| Error::io("write", path, e))?;
	fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
}

/// Writes `bytes` to `path` under a temporary name and renames it into place, without
/// waiting for the disk: a crash of the process never leaves a torn file, and bulk output (a
/// million certificates) is not held up by a sync per file. Its run's state, written with
/// [`write_atomic`] afterwards, says whether the whole output is done.
pub fn write_renamed(path: &Path, bytes: &[u8]) -> Result<()> {
	let tmp = temporary(path);
	create_private(&tmp)
		.and_then(|mut file| file.write_all(bytes))
		.map_err(|e| Error::io("write", path, e))?;
	fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
}

/// Writes a secret to a new file (0600 from its first byte); an existing file is an error.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
	let mut file = fs::OpenOptions::new()
		.write(true)
		.create_new(true)
		.mode(0o600)
		.open(path)
		.map_err(|e| Error::io("create", path, e))?;
	file.write_all(bytes).and_then(|_| file.sync_all()).map_err(|e| Error::io("write", path, e))
}

/// Reads a secret: refused when its group or others may read or write it, as ssh refuses such
/// a key, since someone else may have it already.
pub fn read_private(path: &Path) -> Result<zeroize::Zeroizing<String>> {
	let mode = fs::metadata(path).map_err(|e| Error::io("read", path, e))?.permissions().mode();
	if mode & 0o077 != 0 {
		return Err(Error::Exposed { path: path.to_path_buf(), mode: mode & 0o777 });
	}
	fs::read_to_string(path).map(zeroize::Zeroizing::new).map_err(|e| Error::io("read", path, e))
}

/// Serialises `value` as pretty JSON (`what` names it in errors) and writes it atomically.
/// A value that does not serialise is an error; nothing is written.
pub fn write_json<T: Serialize>(path: &Path, what: &'static str, value: &T) -> Result<()> {
	let bytes =
		serde_json::to_vec_pretty(value).map_err(|source| Error::Serialise { what, source })?;
	write_atomic(path, &bytes)
}

/// Reads a file as text.
pub fn read_text(path: &Path) -> Result<String> {
	fs::read_to_string(path).map_err(|e| Error::io("read", path, e))
}

/// Reads a JSON file into `T`.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
	let text = read_text(path)?;
	serde_json::from_str(&text)
		.map_err(|source| Error::Malformed { path: path.to_path_buf(), source })
}

/// Creates a directory and its missing parents, readable by their owner only (0700).
pub fn create_dir(path: &Path) -> Result<()> {
	fs::DirBuilder::new()
		.recursive(true)
		.mode(0o700)
		.create(path)
		.map_err(|e| Error::io("create", path, e))
}

/// [`create_dir`], for a directory of secrets.
pub fn create_private_dir(path: &Path) -> Result<()> {
	create_dir(path)
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A value whose serialisation fails half-way, as a full disk or a bug would.
	struct Unserialisable;
	impl Serialize for Unserialisable {
		fn serialize<S: serde::Serializer>(&self, _: S) -> std::result::Result<S::Ok, S::Error> {
			Err(serde::ser::Error::custom("refused"))
		}
	}

	#[test]
	fn a_failed_write_leaves_the_previous_file_whole() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let path = dir.path().join("state.json");
		write_json(&path, "the state", &serde_json::json!({"round": 1})).expect("written");
		let before = fs::read(&path).expect("there");

		let e = write_json(&path, "the state", &Unserialisable).unwrap_err();
		assert!(matches!(e, Error::Serialise { .. }), "{e}");
		assert_eq!(fs::read(&path).expect("still there"), before, "never an empty file");

		// A write interrupted before its rename leaves a stray temporary file, not a torn one.
		fs::write(temporary(&path), b"{\"round\":").expect("a torn temporary file");
		assert_eq!(read_json::<serde_json::Value>(&path).expect("whole")["round"], 1);
		write_json(&path, "the state", &serde_json::json!({"round": 2})).expect("written");
		assert_eq!(read_json::<serde_json::Value>(&path).expect("whole")["round"], 2);
	}

	#[test]
	fn files_and_directories_are_private_from_the_first_byte() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let mode = |p: &Path| fs::metadata(p).expect("there").permissions().mode() & 0o777;
		let nested = dir.path().join("a/b");
		create_dir(&nested).expect("created");
		assert_eq!((mode(&dir.path().join("a")), mode(&nested)), (0o700, 0o700));
		let state = nested.join("state.json");
		// A stale temporary file others could read is replaced, not reused.
		fs::write(temporary(&state), b"old").expect("written");
		fs::set_permissions(temporary(&state), fs::Permissions::from_mode(0o644)).unwrap();
		write_atomic(&state, b"{}").expect("written");
		write_renamed(&nested.join("1.json"), b"{}").expect("written");
		assert_eq!((mode(&state), mode(&nested.join("1.json"))), (0o600, 0o600));

		let secret = nested.join("token");
		write_private(&secret, b"s3cret").expect("written");
		assert_eq!(mode(&secret), 0o600);
		assert!(write_private(&secret, b"again").is_err(), "never overwritten");
		assert_eq!(read_private(&secret).expect("read").as_str(), "s3cret");
		fs::set_permissions(&secret, fs::Permissions::from_mode(0o640)).unwrap();
		let refused = read_private(&secret).unwrap_err().to_string();
		assert!(refused.contains("readable by others (mode 640)"), "{refused}");
	}

	#[test]
	fn io_errors_keep_their_path_and_source() {
		let missing = Path::new("/nonexistent/medtrust/state.json");
		let e = read_text(missing).unwrap_err();
		assert!(e.to_string().starts_with("cannot read /nonexistent/medtrust/state.json: "), "{e}");
		let Error::Io { source, .. } = &e else { panic!("an I/O error: {e}") };
		assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
		assert!(std::error::Error::source(&e).is_some());
	}
}
