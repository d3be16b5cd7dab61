//! The consortium's read queries, as a runtime API: in the metadata, so Polkadot.js Apps,
//! subxt and the node's JSON-RPC can call them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_consortium::{EncryptionKey, InstitutionId, InstitutionView, KeyScheme, KeyVersion};

sp_api::decl_runtime_apis! {
	/// Institutions, their members, the validator set and the network's allowed peers.
	///
	/// Version 2: `authorized_peer_ids`, which every node applies at each finalized block.
	/// Version 3: `encryption_keys`, every version of an institution's key.
	#[api_version(3)]
	pub trait ConsortiumApi<AccountId, InstitutionInfo, BlockNumber> where
		AccountId: Codec,
		InstitutionInfo: Codec,
		BlockNumber: Codec,
	{
		/// Every institution ever admitted (removed ones included), by id.
		fn institutions() -> Vec<(InstitutionId, InstitutionInfo)>;
		/// One institution, if it exists.
		fn institution(id: InstitutionId) -> Option<InstitutionInfo>;
		/// The member accounts of an institution.
		fn members(id: InstitutionId) -> Vec<AccountId>;
		/// The institution an account belongs to, if any.
		fn institution_of(account: AccountId) -> Option<InstitutionId>;
		/// The validator accounts the next session will hand to Aura and GRANDPA.
		fn next_validators() -> Vec<AccountId>;
		/// The minimum number of active institutions.
		fn min_validators() -> u32;
		/// The peer ids (libp2p multihash bytes) of the active institutions' nodes, each
		/// institution's `peer_id` and its other nodes': the only peers a node accepts. Empty
		/// when no institution registered one (nothing restricted).
		fn authorized_peer_ids() -> Vec<Vec<u8>>;
		/// Every version of an institution's encryption key, oldest first (the last is
		/// current); empty when it published none.
		fn encryption_keys(id: InstitutionId) -> Vec<(KeyVersion, EncryptionKey<BlockNumber>)>;
	}
}
