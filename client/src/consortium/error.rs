//! What can go wrong with the consortium's inputs, admissions and runtime upgrades.

use std::path::PathBuf;

use subxt::utils::H256;

use crate::{chain::tx::DispatchFailure, error::ErrorKind};

/// The consortium's errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// Not an SS58 account address.
	#[error("`{0}` is not an SS58 account address")]
	Account(String),
	/// Not a libp2p peer id.
	#[error("`{0}` is not a libp2p peer id (12D3KooW…)")]
	PeerId(String),
	/// Not a node's network key.
	#[error("{} is not a node key (64 hex digits or 32 bytes of an Ed25519 secret)", path.display())]
	NodeKey { path: PathBuf },
	/// An admission's field that the runtime would refuse (`field`: name, credit code,
	/// region, encryption key).
	#[error("{field} `{value}` {reason}")]
	Admission { field: &'static str, value: String, reason: String },
	/// A file that is not a runtime's Wasm code.
	#[error("{} is not a runtime's Wasm code: {reason}", path.display())]
	Code { path: PathBuf, reason: String },
	/// A runtime that cannot replace the chain's (another runtime, or not a newer version).
	#[error("{0}")]
	Version(String),
	/// No upgrade was voted for.
	#[error(
		"no upgrade is authorized: propose it with `governance upgrade <wasm>` and have two \
		 thirds of the institutions approve the motion first"
	)]
	NoUpgradeAuthorized,
	/// The chain voted for other code.
	#[error("the chain authorized code {authorized:?}, this file is {file:?}")]
	OtherCodeAuthorized { authorized: H256, file: H256 },
	/// The chain refused the authorized code when it was applied.
	#[error("the chain refused the code: {0}")]
	CodeRefused(DispatchFailure),
	/// The code was applied but not set.
	#[error("the code was not set (no System.CodeUpdated)")]
	CodeNotSet,
	/// Code without the upgrade rehearsal's checks.
	#[error(
		"this code has no try-runtime checks: build it with the `try-runtime` feature (the \
		 upgrade rehearsal has them)"
	)]
	NoTryRuntime,
	/// The new code's migrations or checks failed on a copy of the chain's state.
	#[error("the upgrade's checks failed: {0}")]
	CheckFailed(String),
}

impl Error {
	/// What kind of failure this is.
	pub fn kind(&self) -> ErrorKind {
		match self {
			Self::NoUpgradeAuthorized
			| Self::OtherCodeAuthorized { .. }
			| Self::CodeRefused(_)
			| Self::CodeNotSet
			| Self::CheckFailed(_) => ErrorKind::Refused,
			_ => ErrorKind::Invalid,
		}
	}
}
