//! Files the client writes and reads: never left torn, failures naming the path.
//!
//! Every state, key and certificate file is written to a temporary name beside it, synced, and
//! renamed over the old one, so an interrupted write leaves the previous file whole.

use std::{
	fs,
	io::Write,
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

/// Writes `bytes` to `path` atomically: all of them, or the previous file stays as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
	let tmp = temporary(path);
	let write = || -> std::io::Result<()> {
		let mut file = fs::File::create(&tmp)?;
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
	fs::write(&tmp, bytes).map_err(|e| Error::io("write", path, e))?;
	fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
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

/// Creates a directory and its parents.
pub fn create_dir(path: &Path) -> Result<()> {
	fs::create_dir_all(path).map_err(|e| Error::io("create", path, e))
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
	fn io_errors_keep_their_path_and_source() {
		let missing = Path::new("/nonexistent/medtrust/state.json");
		let e = read_text(missing).unwrap_err();
		assert!(e.to_string().starts_with("cannot read /nonexistent/medtrust/state.json: "), "{e}");
		let Error::Io { source, .. } = &e else { panic!("an I/O error: {e}") };
		assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
		assert!(std::error::Error::source(&e).is_some());
	}
}
