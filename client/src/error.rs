//! Errors of the MedTrust client library.

/// What can go wrong talking to a MedTrust node.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// The node at `url` could not be reached (nothing listens there, or it is not a
	/// MedTrust node's JSON-RPC WebSocket endpoint).
	#[error("cannot connect to {url}: {reason}")]
	Connect { url: String, reason: String },
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
	/// An argument is malformed; nothing was sent.
	#[error("{0}")]
	Input(String),
	/// A transaction was refused by the node or failed when executed on chain.
	#[error("transaction failed: {0}")]
	Transaction(String),
}

/// The client's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
