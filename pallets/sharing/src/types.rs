//! The types of sharing: grants, their purpose and scope, receipts, deletion attestations and
//! erasures.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use medtrust_primitives::text::BoundedText;
pub use pallet_certificates::CertificateId;
pub use pallet_data_sources::InstitutionId;
use scale_info::TypeInfo;

use crate::Config;

/// A grant's on-chain identifier, assigned in order.
pub type GrantId = u64;

/// An erasure's on-chain identifier, assigned in order.
pub type ErasureId = u64;

/// The version of an institution's encryption key (the consortium pallet's `KeyVersion`).
pub type KeyVersion = u32;

/// What the grantee may use the records for (PIPL Art. 23: the purpose of a provision).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Purpose {
	/// Treating the data subject (诊疗).
	Treatment,
	/// A referral to the grantee (转诊).
	Referral,
	/// Research (科研), under its ethics approval.
	Research,
	/// Reporting to a public-health authority (公共卫生上报).
	PublicHealthReporting,
	/// Quality control (质控).
	QualityControl,
	/// An insurance claim (医保/商保).
	Insurance,
	/// An audit or inspection (审计/监管).
	Audit,
}

medtrust_primitives::wire_names!(Purpose, "purpose" {
	Treatment => "treatment",
	Referral => "referral",
	Research => "research",
	PublicHealthReporting => "public-health-reporting",
	QualityControl => "quality-control",
	Insurance => "insurance",
	Audit => "audit",
});

/// Records `first..=last` of an anchoring run, by position (1 the first record of the run; a
/// batch certificate counts its leaves, a single record's certificate one).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct RecordRange {
	/// The first record, 1 first.
	pub first: u64,
	/// The last record, inclusive.
	pub last: u64,
}

impl RecordRange {
	/// How many records it holds (0 when malformed).
	pub fn len(&self) -> u64 {
		if self.first == 0 || self.last < self.first {
			0
		} else {
			self.last.saturating_sub(self.first).saturating_add(1)
		}
	}

	/// Whether it holds no record.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// Whether `ranges` are well formed: each non-empty, ascending, apart, within `1..=total`.
pub fn ranges_are_valid(ranges: &[RecordRange], total: u64) -> bool {
	let mut after = 0u64;
	for range in ranges {
		if range.is_empty() || range.first <= after || range.last > total {
			return false;
		}
		after = range.last;
	}
	true
}

/// How many records well-formed `ranges` hold.
pub fn count(ranges: &[RecordRange]) -> u64 {
	ranges.iter().fold(0u64, |n, r| n.saturating_add(r.len()))
}

/// Whether every record of `inner` is in `outer` (both well formed).
pub fn covers(outer: &[RecordRange], inner: &[RecordRange]) -> bool {
	inner.iter().all(|r| outer.iter().any(|o| o.first <= r.first && r.last <= o.last))
}

/// Whether some record is in both `a` and `b` (both well formed).
pub fn overlaps(a: &[RecordRange], b: &[RecordRange]) -> bool {
	let (mut i, mut j) = (0, 0);
	while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
		if x.last < y.first {
			i += 1;
		} else if y.last < x.first {
			j += 1;
		} else {
			return true;
		}
	}
	false
}

/// Whether a grant is in force.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub enum GrantStatus<T: Config> {
	/// In force until it expires.
	Active,
	/// Revoked by its grantor.
	Revoked {
		/// The block it was revoked in.
		at: BlockNumberFor<T>,
	},
}

/// The records of an anchoring run: its certificates (a batch's one, or one per record, in
/// the run's order) and the positions within it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Scope<T: Config> {
	/// The run's certificates, in order.
	pub certificates: BoundedVec<CertificateId, T::MaxCertificates>,
	/// The positions, ascending and apart.
	pub records: BoundedVec<RecordRange, T::MaxRanges>,
	/// With `anchor --subject-field`: the grantor's keyed tag of one data subject, whose
	/// records `records` are (opaque to anyone else; never the subject's id).
	pub subject: Option<[u8; 32]>,
}

/// A grant of records to another institution (PIPL Art. 23: recipient, purpose, legal basis).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Grant<T: Config> {
	/// The institution that holds the records and grants them.
	pub grantor: InstitutionId,
	/// The institution they are granted to.
	pub grantee: InstitutionId,
	/// The grantee's encryption key version the record keys are wrapped for.
	pub grantee_key: KeyVersion,
	/// What is granted.
	pub scope: Scope<T>,
	/// How many records `scope.records` holds.
	pub record_count: u64,
	/// What for.
	pub purpose: Purpose,
	/// The legal basis, in words (consent reference, statute, contract), UTF-8.
	pub legal_basis: BoundedText<T::MaxLegalBasisLen>,
	/// When it lapses: seconds since the Unix epoch.
	pub expires: u64,
	/// The hash of the wrapped-key package (its HPKE encapsulation, the key version and the
	/// scope: what the grantee's fetch checks first).
	pub package: [u8; 32],
	/// The block it was granted in.
	pub granted: BlockNumberFor<T>,
	/// Active or revoked.
	pub status: GrantStatus<T>,
	/// How many receipts the grantee recorded.
	pub receipts: u32,
	/// How many deletion attestations the grantee recorded.
	pub attestations: u32,
	/// How many erasures the grantee has still to attest deletion for.
	pub pending: u32,
}

/// What the grantee recorded it received under a grant.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Receipt<T: Config> {
	/// How many records.
	pub records: u64,
	/// The SHA-256 of the ciphertext received, in the order served.
	pub ciphertext: [u8; 32],
	/// The block it was recorded in.
	pub at: BlockNumberFor<T>,
}

/// The grantee's attestation that it deleted what it received.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Attestation<T: Config> {
	/// The erasure it answers; none: everything received under the grant.
	pub erasure: Option<ErasureId>,
	/// The block it was recorded in.
	pub at: BlockNumberFor<T>,
}

/// A grantor's erasure (crypto-shredding) of records: their keys destroyed.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Erasure<T: Config> {
	/// The institution that erased them.
	pub institution: InstitutionId,
	/// The records.
	pub scope: Scope<T>,
	/// How many records.
	pub record_count: u64,
	/// The grants of them whose grantees must attest deletion.
	pub grants: BoundedVec<GrantId, T::MaxGrantsPerErasure>,
	/// The block it was recorded in.
	pub at: BlockNumberFor<T>,
}

/// Which side of grants an institution's list shows.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
	/// Those it granted.
	Granted,
	/// Those granted to it.
	Received,
}

/// Why the grantor's server refuses a request under a grant (at the finalized block).
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Refusal {
	/// No grant has this id.
	NotFound,
	/// The requesting institution is not the grant's grantee.
	NotGrantee,
	/// The grantor revoked it.
	Revoked,
	/// It has expired.
	Expired,
	/// A requested record is outside it.
	OutsideGrant,
}

medtrust_primitives::wire_names!(Refusal, "refusal" {
	NotFound => "not-found",
	NotGrantee => "not-grantee",
	Revoked => "revoked",
	Expired => "expired",
	OutsideGrant => "outside-grant",
});

/// What the pallet needs of the consortium: which institutions are active and their keys.
pub trait InstitutionKeys<AccountId> {
	/// Whether institution `id` is active.
	fn is_active(id: InstitutionId) -> bool;
	/// Institution `id`'s current encryption key version, if it published one.
	fn current_key(id: InstitutionId) -> Option<KeyVersion>;
	/// An active institution other than `not`, with an encryption key, and one of its member
	/// accounts (benchmarks).
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_grantee(not: InstitutionId) -> (InstitutionId, AccountId);
}

medtrust_primitives::wire_names!(Side, "side" {
	Granted => "granted",
	Received => "received",
});
