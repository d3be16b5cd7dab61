//! The types of certificates.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
pub use medtrust_primitives::{hashing::HashAlgorithm, merkle::MerkleProof};
use pallet_data_sources::{DomainCode, InstitutionId, ResourceId, SourceId, Version};
use scale_info::TypeInfo;

use crate::Config;

/// A certificate's on-chain identifier, assigned in order of issue.
pub type CertificateId = u64;

/// What a certificate vouches for.
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
pub enum Subject {
	/// One record, by its salted commitment.
	Record {
		/// `H(tag ‖ salt ‖ canonical record)`.
		commitment: [u8; 32],
	},
	/// A batch of records, by the root of the Merkle tree over their commitments.
	Batch {
		/// The Merkle root.
		root: [u8; 32],
		/// How many records (leaves) the tree has.
		leaf_count: u64,
	},
}

impl Subject {
	/// The hash a certificate is looked up by: the commitment or the root.
	pub fn key(&self) -> [u8; 32] {
		match self {
			Self::Record { commitment } => *commitment,
			Self::Batch { root, .. } => *root,
		}
	}
}

/// Why an institution revoked a certificate.
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
pub enum RevocationReason {
	/// 1: the record was wrong when certified.
	Erroneous,
	/// 2: the institution withdraws the record.
	Withdrawn,
	/// 3: the record's key or salt leaked.
	KeyCompromised,
	/// 4: the patient withdrew consent (the data is erased off chain).
	ConsentWithdrawn,
	/// 5: ordered by a court or regulator.
	LegalOrder,
	/// 0: another reason, recorded off chain.
	Other,
}

/// Where a certificate stands.
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
pub enum CertificateStatus<T: Config> {
	/// In force.
	Valid,
	/// Revoked by its issuer; the record stays readable.
	Revoked {
		/// Why.
		reason: RevocationReason,
		/// The block it was revoked in.
		at: BlockNumberFor<T>,
	},
	/// Replaced by another certificate of its issuer.
	Superseded {
		/// The certificate that replaces it.
		by: CertificateId,
		/// The block it was superseded in.
		at: BlockNumberFor<T>,
	},
}

/// A data certificate (数据上链证书).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Certificate<T: Config> {
	/// The institution that issued it (owner of the data source).
	pub issuer: InstitutionId,
	/// The data source the records come from.
	pub source: SourceId,
	/// The resource the records belong to.
	pub resource: ResourceId,
	/// The resource's schema version the records follow.
	pub version: Version,
	/// The business domain (in scope when issued).
	pub domain: DomainCode<T>,
	/// The hash algorithm of the commitment (and of the Merkle tree).
	pub algorithm: HashAlgorithm,
	/// A record's commitment or a batch's Merkle root.
	pub subject: Subject,
	/// Valid, revoked or superseded.
	pub status: CertificateStatus<T>,
	/// The block it was issued in.
	pub issued: BlockNumberFor<T>,
}

/// What a verification found.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
	/// Certified and in force.
	Valid,
	/// Certified, then revoked.
	Revoked,
	/// Certified, then superseded.
	Superseded,
	/// No certificate holds this commitment (or the root this proof leads to).
	Unknown,
}
medtrust_primitives::wire_names!(RevocationReason, "revocation reason" {
	Erroneous => "erroneous",
	Withdrawn => "withdrawn",
	KeyCompromised => "key-compromised",
	ConsentWithdrawn => "consent-withdrawn",
	LegalOrder => "legal-order",
	Other => "other",
});

medtrust_primitives::wire_names!(Verdict, "verdict" {
	Valid => "valid",
	Revoked => "revoked",
	Superseded => "superseded",
	Unknown => "unknown",
});
