//! Sharing: grants with their receipts, deletion attestations and pending erasures, erasures,
//! and institutions' encryption keys (`medtrust_sharing*`, `medtrust_consortiumEncryptionKeys`).

use pallet_consortium::KeyScheme;
pub use pallet_sharing::{Purpose, RecordRange, Refusal, Side};
use serde::{Deserialize, Serialize};

use crate::catalog::BlockRef;

/// Where a grant stands, as of the block it was read at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantState {
	/// In force.
	Active,
	/// Revoked by its grantor.
	Revoked,
	/// Past its expiry.
	Expired,
}

medtrust_primitives::wire_names!(GrantState, "grant state" {
	Active => "active",
	Revoked => "revoked",
	Expired => "expired",
});

/// Records `first..=last` of an anchoring run (1 the first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeJson {
	pub first: u64,
	pub last: u64,
}

impl From<RecordRange> for RangeJson {
	fn from(r: RecordRange) -> Self {
		Self { first: r.first, last: r.last }
	}
}

impl From<RangeJson> for RecordRange {
	fn from(r: RangeJson) -> Self {
		Self { first: r.first, last: r.last }
	}
}

/// Ranges as text: `1-1000,1500`.
pub fn ranges_text(ranges: &[RangeJson]) -> String {
	let one = |r: &RangeJson| {
		if r.first == r.last {
			r.first.to_string()
		} else {
			format!("{}-{}", r.first, r.last)
		}
	};
	ranges.iter().map(one).collect::<Vec<_>>().join(",")
}

/// A grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantJson {
	pub id: u64,
	pub grantor: u32,
	pub grantee: u32,
	/// The grantee's key version the record keys are wrapped for.
	pub grantee_key: u32,
	/// The anchoring run's certificates, in order.
	pub certificates: Vec<u64>,
	/// The positions granted.
	pub records: Vec<RangeJson>,
	pub record_count: u64,
	/// The grantor's keyed tag of the data subject, `0x` hex, for a subject's grant.
	pub subject: Option<String>,
	#[serde(with = "crate::wire::name")]
	pub purpose: Purpose,
	pub legal_basis: String,
	/// Seconds since the Unix epoch.
	pub expires: u64,
	/// The wrapped-key package's hash, `0x` hex.
	pub package: String,
	/// The block it was granted in.
	pub granted: u32,
	#[serde(with = "crate::wire::name")]
	pub state: GrantState,
	/// The block it was revoked in.
	pub revoked_at: Option<u32>,
	pub receipts: u32,
	pub attestations: u32,
	/// Erasures the grantee has still to attest deletion for.
	pub pending: u32,
}

/// What a grantee recorded it received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptJson {
	pub records: u64,
	/// SHA-256 of the ciphertext received, `0x` hex.
	pub ciphertext: String,
	pub at: u32,
}

/// A grantee's deletion attestation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationJson {
	/// The erasure it answers; none: everything received under the grant.
	pub erasure: Option<u64>,
	pub at: u32,
}

/// A grant with its receipts, attestations and pending erasures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantDetailJson {
	#[serde(flatten)]
	pub grant: GrantJson,
	pub receipt_list: Vec<ReceiptJson>,
	pub attestation_list: Vec<AttestationJson>,
	pub pending_erasures: Vec<u64>,
	/// The block it was read at.
	pub block: BlockRef,
}

/// An erasure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasureJson {
	pub id: u64,
	pub institution: u32,
	pub certificates: Vec<u64>,
	pub records: Vec<RangeJson>,
	pub record_count: u64,
	pub subject: Option<String>,
	pub grants: Vec<u64>,
	pub at: u32,
}

/// The answer of `medtrust_sharingCheck`: served, or why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckJson {
	#[serde(with = "crate::wire::optional")]
	pub refusal: Option<Refusal>,
	/// The block it was checked at.
	pub block: BlockRef,
}

/// One version of an institution's encryption key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionKeyJson {
	pub version: u32,
	#[serde(with = "crate::wire::name")]
	pub scheme: KeyScheme,
	/// The public key, `0x` hex.
	pub public: String,
	/// The block it was published in.
	pub published: u32,
}
