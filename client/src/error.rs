//! Errors of the MedTrust client library.

use std::path::{Path, PathBuf};

use crate::chain::tx::DispatchFailure;

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
	/// The node refused a call because it is busy with other expensive ones (its gate lets a
	/// few run at once): ask again shortly.
	#[error("the node at {url} is busy with other expensive calls ({method}); retry shortly")]
	Busy { url: String, method: &'static str },
	/// The node's runtime is not the one this client was built for.
	#[error(
		"the node at {url} runs a runtime this client does not know ({reason}); \
		 use a `medtrust` built from the same release as the node"
	)]
	IncompatibleRuntime { url: String, reason: String },
	/// A `--signer` could not be turned into a key.
	#[error("invalid signer: {0}")]
	Signer(String),
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
	/// The node refused a transaction (a bad nonce or signature, a full pool, a refusal of the
	/// runtime's checks) or it failed when executed on chain.
	#[error("transaction failed: {reason}")]
	TransactionFailed { reason: String },
	/// A transaction of a run of many failed on chain: what it was for, and the pallet's error.
	#[error("{what}: {failure}")]
	Dispatch { what: String, failure: DispatchFailure },
	/// A run of transactions in flight made no progress.
	#[error(
		"{open} transactions were submitted but none was finalized for {seconds} s: is the node \
		 producing and finalizing blocks? Run the same command again to resume"
	)]
	Stalled { open: usize, seconds: u64 },
	/// What was asked for does not exist on chain (`what` names the kind, `id` which one).
	#[error("no {what} {id}")]
	NotFound { what: &'static str, id: String },
	/// A name outside one of the closed sets (`what`) of the wire.
	#[error("unknown {what} `{name}`: one of {choices}")]
	UnknownName { what: &'static str, name: String, choices: String },
	/// A secret file others can read.
	#[error(
		"{} is readable by others (mode {mode:o}): a secret must be readable by its owner only; \
		 `chmod 600` it if nobody else has read it, or replace it",
		path.display()
	)]
	Exposed { path: PathBuf, mode: u32 },
	/// A token file holding a token too short to be a secret.
	#[error("{}: a token of at least 32 characters is needed", path.display())]
	WeakToken { path: PathBuf },
	/// A server could not listen where it was asked to.
	#[error("cannot listen on {address}: {reason}")]
	Listen { address: String, reason: String },
	/// The consortium: accounts, peer ids, admissions, upgrades.
	#[error(transparent)]
	Consortium(#[from] crate::consortium::Error),
	/// The catalog: resources, schema documents, sources.
	#[error(transparent)]
	Catalog(#[from] crate::catalog::Error),
	/// Relations between data items.
	#[error(transparent)]
	Relations(#[from] crate::relations::Error),
	/// Lineage: OpenLineage events and runs.
	#[error(transparent)]
	Lineage(#[from] crate::lineage::Error),
	/// Certificates: record files, archives, keys, anchoring state.
	#[error(transparent)]
	Certificates(#[from] crate::certificates::Error),
	/// Sharing: grants, record ranges, expiries, encryption keys, transfers.
	#[error(transparent)]
	Sharing(#[from] crate::sharing::Error),
	/// A PostgreSQL database: its address, its reachability, TLS.
	#[error(transparent)]
	Postgres(#[from] crate::postgres::Error),
	/// Something that cannot happen happened (a broken invariant of the client or of the
	/// node's answers): a bug to report, not something the user can fix.
	#[error("internal error: {0}")]
	Internal(String),
}

/// What kind of failure an [`Error`] is, for a service to answer it (as an HTTP status) or a
/// script to tell (as the CLI's exit status) without reading its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
	/// Malformed or unacceptable input (an argument, a file): nothing was sent.
	Invalid,
	/// What was asked for does not exist.
	NotFound,
	/// The chain refused or failed a transaction.
	Refused,
	/// The node could not be reached, broke off, or made no progress: try again.
	Unavailable,
	/// A local file could not be read or written, or a key does not open data.
	Local,
	/// The node runs another runtime, or a broken invariant: not the user's to fix.
	Internal,
}

impl Error {
	/// What kind of failure this is.
	pub fn kind(&self) -> ErrorKind {
		use ErrorKind::*;
		match self {
			Self::Connect { .. } | Self::Disconnected { .. } | Self::Stalled { .. } => Unavailable,
			Self::Rpc { .. } | Self::Busy { .. } => Unavailable,
			Self::IncompatibleRuntime { .. } | Self::Internal(_) => Internal,
			Self::Signer(_) | Self::Malformed { .. } | Self::UnknownName { .. } => Invalid,
			Self::Exposed { .. } | Self::WeakToken { .. } | Self::Listen { .. } => Invalid,
			Self::Io { .. } | Self::Serialise { .. } | Self::Crypto(_) => Local,
			Self::Refused(_) | Self::TransactionFailed { .. } | Self::Dispatch { .. } => Refused,
			Self::NotFound { .. } => NotFound,
			Self::Consortium(e) => e.kind(),
			Self::Catalog(e) => e.kind(),
			Self::Relations(_) | Self::Lineage(_) => Invalid,
			Self::Certificates(e) => e.kind(),
			Self::Sharing(e) => e.kind(),
			Self::Postgres(e) => e.kind(),
		}
	}

	/// [`Error::NotFound`].
	pub fn not_found(what: &'static str, id: impl std::fmt::Display) -> Self {
		Self::NotFound { what, id: id.to_string() }
	}

	/// An I/O failure of `action` on `path`.
	pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
		Self::Io { action, path: path.to_path_buf(), source }
	}
}

/// The client's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
