//! Certificates' read queries, as a runtime API: in the metadata, so Polkadot.js Apps, subxt
//! and the node's `medtrust_*` JSON-RPC methods can call them.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::Codec;
pub use pallet_certificates::{CertificateId, MerkleProof, Verdict};
pub use pallet_data_sources::InstitutionId;

sp_api::decl_runtime_apis! {
	/// Certificates by id and by issuer and commitment, and verification.
	///
	/// Version 2: a commitment is certified per issuing institution, and look-ups name the
	/// issuer they expect (version 1's took the commitment alone).
	#[api_version(2)]
	pub trait CertificatesApi<Certificate> where
		Certificate: Codec,
	{
		/// One certificate, if it exists.
		fn certificate(id: CertificateId) -> Option<Certificate>;
		/// The certificate of a record's commitment or a batch's Merkle root, with its id.
		#[changed_in(2)]
		fn certificate_of(hash: [u8; 32]) -> Option<(CertificateId, Certificate)>;
		/// `issuer`'s certificate of a record's commitment or a batch's Merkle root, with its id.
		fn certificate_of(issuer: InstitutionId, hash: [u8; 32]) -> Option<(CertificateId, Certificate)>;
		/// Verifies a record's commitment, alone or with its Merkle proof in a batch.
		#[changed_in(2)]
		fn verify(commitment: [u8; 32], proof: Option<MerkleProof>) -> (Verdict, Option<(CertificateId, Certificate)>);
		/// Verifies a record's commitment against the certificates of `issuer`, alone or with its
		/// Merkle proof in a batch.
		fn verify(issuer: InstitutionId, commitment: [u8; 32], proof: Option<MerkleProof>) -> (Verdict, Option<(CertificateId, Certificate)>);
	}
}
