//! Errors of the MedTrust client library.

use std::path::{Path, PathBuf};

/// What can go wrong talking to a MedTrust node or handling its files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// The node at `url` could not be reached (nothing listens there, or it is not a
	/// MedTrust node's JSON-RPC WebSocket endpoint).
	#[error("cannot connect to {url}: {reason}")]
	Connect { url: String, reason: String },
	/// The connection to the node at `url` broke while a command was under way (the node
	/// stopped or the network failed). What the chain finalized stays; what was in flight
	/// either made it or not, and the same command run again finds out which.
	#[error(
		"lost the connection to the node at {url} ({reason}); run the same command again, \
		 against that node once it is back or another node of the consortium: it resumes \
		 without doing anything twice"
	)]
	Disconnected { url: String, reason: String },
	/// The node answered a JSON-RPC request with an error.
	#[error("the node at {url} failed to answer {method}: {reason}")]
	Rpc { url: String, method: &'static str, reason: String },
	/// The node's runtime is not the one this client was built for.
	#[error(
		"the node at {url} runs a runtime this client does not know ({reason}); \
		 use a `medtrust` built from the same release as the node"
	)]
	IncompatibleRuntime { url: String, reason: String },
	/// A `--signer` could not be turned into a key.
	#[error("invalid signer: {0}")]
	Signer(String),
	/// An argument or a file's content is not acceptable; nothing was sent.
	#[error("{0}")]
	Input(String),
	/// Reading or writing a file failed.
	#[error("cannot {action} {}: {source}", path.display())]
	Io {
		/// `read`, `write`, `create`, …
		action: &'static str,
		path: PathBuf,
		#[source]
		source: std::io::Error,
	},
	/// A JSON file is not what it should be.
	#[error("{} is malformed: {source}", path.display())]
	Malformed {
		path: PathBuf,
		#[source]
		source: serde_json::Error,
	},
	/// A value could not be serialised (nothing was written).
	#[error("cannot serialise {what}: {source}")]
	Serialise {
		what: &'static str,
		#[source]
		source: serde_json::Error,
	},
	/// A key does not open data, or data does not decrypt.
	#[error("{0}")]
	Crypto(String),
	/// The membership check refused a transaction.
	#[error("transaction refused: {}", .0.message())]
	Refused(pallet_consortium::MembershipError),
	/// Something that cannot happen happened (a broken invariant of the client or of the
	/// node's answers): a bug to report, not something the user can fix.
	#[error("internal error: {0}")]
	Internal(String),
	/// A transaction was refused by the node or failed when executed on chain.
	#[error("transaction failed: {0}")]
	Transaction(String),
}

impl Error {
	/// An I/O failure of `action` on `path`.
	pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
		Self::Io { action, path: path.to_path_buf(), source }
	}
}

/// The client's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
