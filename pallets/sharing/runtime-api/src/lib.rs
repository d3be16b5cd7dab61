//! Sharing's read queries, as a runtime API: in the metadata, so Polkadot.js Apps, subxt and
//! the node's JSON-RPC can call them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_sharing::{ErasureId, GrantId, InstitutionId, RecordRange, Refusal, Side};

sp_api::decl_runtime_apis! {
	/// Grants, their receipts, deletion attestations and pending deletions, erasures, share
	/// servers' endpoints, and the check a share server makes before it serves a request.
	pub trait SharingApi<Grant, Receipt, Attestation, Erasure> where
		Grant: Codec,
		Receipt: Codec,
		Attestation: Codec,
		Erasure: Codec,
	{
		/// One grant, if it exists.
		fn grant(id: GrantId) -> Option<Grant>;
		/// An institution's grants (`Granted`) or grants to it (`Received`), from id `from`,
		/// at most `limit`, ascending.
		fn grants(institution: InstitutionId, side: Side, from: GrantId, limit: u32) -> Vec<(GrantId, Grant)>;
		/// A grant's receipts, in order.
		fn receipts(id: GrantId) -> Vec<Receipt>;
		/// A grant's deletion attestations, in order.
		fn attestations(id: GrantId) -> Vec<Attestation>;
		/// The erasures a grant's grantee has still to attest deletion for.
		fn pending_deletions(id: GrantId) -> Vec<ErasureId>;
		/// One erasure, if it exists.
		fn erasure(id: ErasureId) -> Option<Erasure>;
		/// Where an institution's share server answers, if it published it.
		fn endpoint(institution: InstitutionId) -> Option<Vec<u8>>;
		/// Whether `requester` may be served `records` of grant `id` now.
		fn check(id: GrantId, requester: InstitutionId, records: Vec<RecordRange>) -> Result<(), Refusal>;
	}
}
