//! What can go wrong with the catalog's inputs: resources the chain would refuse, schema
//! documents that cannot be read, sources that are not the signer's to change.

use crate::error::ErrorKind;

/// The catalog's errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// A resource (a table, an interface) the chain would refuse; nothing was sent.
	#[error("{resource}: {reason}")]
	Resource { resource: String, reason: String },
	/// A schema document (an OpenAPI file, a PostgreSQL schema) that cannot be read.
	#[error("{document}: {reason}")]
	Document { document: String, reason: String },
	/// A source name outside the chain's bounds.
	#[error(
		"a source name must have 1 to {max} bytes (a Chinese character takes 3); `{name}` has {}",
		name.len()
	)]
	SourceName { name: String, max: u32 },
	/// A data source of another institution than the signer's.
	#[error(
		"data source #{data_source} belongs to institution #{owner}, not to the signer's \
		 (#{signer})"
	)]
	NotOwner { data_source: u64, owner: u32, signer: u32 },
	/// A retired data source, which takes no new resources.
	#[error("data source #{0} is retired")]
	Retired(u64),
	/// A resource named with a source it does not belong to.
	#[error("resource #{resource} belongs to source #{belongs}, not #{named}")]
	WrongSource { resource: u64, belongs: u64, named: u64 },
}

impl Error {
	/// What kind of failure this is.
	pub fn kind(&self) -> ErrorKind {
		match self {
			Self::NotOwner { .. } | Self::Retired(_) => ErrorKind::Refused,
			_ => ErrorKind::Invalid,
		}
	}

	/// [`Error::Resource`].
	pub fn resource(resource: &str, reason: impl Into<String>) -> Self {
		Self::Resource { resource: resource.to_string(), reason: reason.into() }
	}
}
