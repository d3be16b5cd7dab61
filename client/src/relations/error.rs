//! What can go wrong matching and proposing relations between data items.

use crate::error::ErrorKind;

/// The relations' errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// Not a scope (`<source>[:<resource>]`) or an item (`<resource>:<item>`, …) as written.
	#[error("`{text}` is not {grammar}")]
	Syntax { text: String, grammar: &'static str },
	/// A score outside 0 to 1.
	#[error("{0}")]
	Score(String),
	/// A side of a match with no registered items.
	#[error("{0} has no registered items to match")]
	Empty(String),
	/// Nothing to propose.
	#[error("nothing to propose")]
	NothingToPropose,
	/// A pair that has an open relation of another kind; nothing was proposed.
	#[error("{0}")]
	Conflict(String),
	/// A database's columns could not be profiled.
	#[error("cannot profile {table}: {reason}")]
	Profile { table: String, reason: String },
	/// A glossary line that is not one.
	#[error("glossary line {line}: {reason}")]
	Glossary { line: usize, reason: String },
}

impl Error {
	/// What kind of failure this is.
	pub fn kind(&self) -> ErrorKind {
		match self {
			Self::Conflict(_) => ErrorKind::Refused,
			Self::Profile { .. } => ErrorKind::Unavailable,
			_ => ErrorKind::Invalid,
		}
	}
}
