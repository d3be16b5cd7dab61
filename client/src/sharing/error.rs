//! What can go wrong with sharing: its inputs (record ranges, expiries, purposes), the
//! institution's encryption keys, and grants that do not allow what is asked.

use medtrust_rpc_types::sharing_json::Refusal;

use crate::error::ErrorKind;

/// Sharing's errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// A record range list that is not `1-1000,1500`, or names records a run does not hold.
	#[error("records `{text}`: {reason}")]
	Ranges { text: String, reason: String },
	/// An expiry that is not `12h`, `30d` or an RFC 3339 date in the future.
	#[error("expiry `{text}`: {reason}")]
	Expiry { text: String, reason: String },
	/// The institution's encryption keys: none, none unpublished, a corrupt key file.
	#[error("{0}")]
	Keys(String),
	/// An anchoring directory that cannot be shared (anchored before record keys, no
	/// subjects, not finished).
	#[error("{0}")]
	Anchoring(String),
	/// The grantor's share server refused a fetch (its HTTP status and reason); nothing was
	/// decrypted or written.
	#[error("the share server refused ({status}): {reason}")]
	ServerRefused { status: u16, reason: String },
	/// The grantor's server, or the chain, refused a request under a grant.
	#[error("grant #{grant}: refused ({refusal})")]
	Refused { grant: u64, refusal: Refusal },
}

impl Error {
	/// What kind of failure this is.
	pub fn kind(&self) -> ErrorKind {
		match self {
			Self::Ranges { .. } | Self::Expiry { .. } | Self::Anchoring(_) => ErrorKind::Invalid,
			Self::Keys(_) => ErrorKind::Local,
			Self::Refused { .. } | Self::ServerRefused { .. } => ErrorKind::Refused,
		}
	}
}
