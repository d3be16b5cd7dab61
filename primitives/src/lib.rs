//! # MedTrust primitives
//!
//! The types that the runtime, the node and the client must agree on, kept in one `no_std` crate
//! so that every side encodes, hashes and verifies with the same code.
//!
//! - the chain's basic vocabulary (accounts, signatures, balances, block numbers, hashes, time);
//! - [`hashing`]: SHA-256, BLAKE2b-256 and SM3 behind one [`hashing::HashAlgorithm`];
//! - [`canonical`]: record canonicalisation (RFC 8785 JSON, CSV rows with their header);
//! - [`commitment`]: salted record commitments;
//! - [`merkle`]: a domain-separated binary Merkle tree, its proofs and their verification;
//! - [`text`]: bounded UTF-8 text that metadata describes as `str`;
//! - [`testing`]: the pallets' test runtimes' shared declaration;
//! - [`dev_keys`] (std): the well-known development keys no real chain may trust;
//! - [`wire`]: the one spelling of every closed set of values that crosses the wire;
//!
//! The JSON shapes of the node's `medtrust_*` methods live above the pallets, in
//! `medtrust-rpc-types`, so that their closed sets are the pallets' own enums.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod bounds;
pub mod canonical;
pub mod commitment;
#[cfg(feature = "std")]
pub mod dev_keys;
pub mod hashing;
pub mod merkle;
pub mod peer_id;
pub mod testing;
pub mod text;
pub mod wire;

use sp_runtime::{
	generic,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};

/// A transaction signature: sr25519, ed25519 or ecdsa, so that any common wallet can sign.
pub type Signature = MultiSignature;

/// An account identifier: the 32-byte public key (or its hash) behind a [`Signature`].
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// How an extrinsic names an account: by id (the only form MedTrust uses, no indices).
pub type Address = MultiAddress<AccountId, ()>;

/// Balance of an account. MedTrust charges no fees; balances only keep accounts alive.
pub type Balance = u128;

/// The number of transactions an account has sent, used to order and de-duplicate them.
pub type Nonce = u32;

/// The height of a block.
pub type BlockNumber = u32;

/// A 256-bit hash of blocks, states and extrinsics (BLAKE2b-256).
pub type Hash = sp_core::H256;

/// Hashing algorithm of blocks and state tries.
pub type Hashing = BlakeTwo256;

/// Milliseconds since the Unix epoch, as set by the timestamp inherent.
pub type Moment = u64;

/// The block header used by every MedTrust runtime.
pub type Header = generic::Header<BlockNumber, Hashing>;

/// One unit of account: balances carry 12 decimals.
pub const UNIT: Balance = 1_000_000_000_000;

/// The SS58 address prefix of MedTrust accounts (the generic Substrate prefix, so that
/// Polkadot.js Apps and `subkey` show the same addresses without configuration).
pub const SS58_PREFIX: u16 = 42;

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{crypto::Ss58Codec, sr25519, Pair};

	#[test]
	fn account_ids_round_trip_through_ss58_with_the_chain_prefix() {
		let pair = sr25519::Pair::from_string("//Alice", None).expect("a valid dev seed; qed");
		let account: AccountId = MultiSignature::from(pair.sign(b"x"))
			.verify(&b"x"[..], &pair.public().into())
			.then(|| pair.public().into())
			.expect("a signature made by the pair verifies; qed");
		let prefix = sp_core::crypto::Ss58AddressFormat::custom(SS58_PREFIX);
		let text = account.to_ss58check_with_version(prefix);
		assert_eq!(text, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
		assert_eq!(AccountId::from_ss58check(&text).expect("just encoded; qed"), account);
	}
}
