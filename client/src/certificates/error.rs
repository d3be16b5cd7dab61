//! What can go wrong with certificates' inputs: record files, archives, chain specs, the key
//! directory, an anchoring's state, and revocations the chain would refuse.

use std::path::PathBuf;

use crate::error::ErrorKind;

/// The certificates' errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// A records file (or a list of certificate ids) that cannot be read as records.
	#[error("{0}")]
	Records(String),
	/// A certificate archive that cannot be read, or that is corrupted.
	#[error("{} is not a readable archive: {reason}", path.display())]
	Archive { path: PathBuf, reason: String },
	/// A record number outside a batch's.
	#[error("records are numbered 1 to {count}, not {number}")]
	RecordNumber { number: u64, count: u64 },
	/// A chain spec that cannot be the trust anchor of offline verification.
	#[error("{}: {reason}", path.display())]
	ChainSpec { path: PathBuf, reason: String },
	/// The key directory: no key-encryption key, a corrupt one, or one created twice.
	#[error("{0}")]
	Keys(String),
	/// An anchoring's directory that holds another anchoring, or a state that is corrupt.
	#[error("{0}")]
	State(String),
	/// A record whose key was destroyed (`share erase`): it cannot be decrypted again.
	#[error("record {record} was erased: its key is destroyed")]
	Erased { record: u64 },
	/// A revocation the chain would refuse (another institution's certificate, a superseded
	/// one); nothing was revoked.
	#[error("{0}")]
	NotRevocable(String),
}

impl Error {
	/// What kind of failure this is.
	pub fn kind(&self) -> ErrorKind {
		match self {
			Self::Keys(_) | Self::State(_) => ErrorKind::Local,
			Self::NotRevocable(_) => ErrorKind::Refused,
			Self::Erased { .. } => ErrorKind::NotFound,
			_ => ErrorKind::Invalid,
		}
	}
}
