//! Certificates' read queries, as a runtime API: in the metadata, so Polkadot.js Apps, subxt
//! and the node's `medtrust_*` JSON-RPC methods can call them.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::Codec;
pub use pallet_certificates::{CertificateId, MerkleProof, Verdict};

sp_api::decl_runtime_apis! {
	/// Certificates by id and by commitment, and verification.
	pub trait CertificatesApi<Certificate> where
		Certificate: Codec,
	{
		/// One certificate, if it exists.
		fn certificate(id: CertificateId) -> Option<Certificate>;
		/// The certificate of a record's commitment or a batch's Merkle root, with its id.
		fn certificate_of(hash: [u8; 32]) -> Option<(CertificateId, Certificate)>;
		/// Verifies a record's commitment, alone or with its Merkle proof in a batch.
		fn verify(commitment: [u8; 32], proof: Option<MerkleProof>) -> (Verdict, Option<(CertificateId, Certificate)>);
	}
}
