//! Salted record commitments: `H(domain tag ‖ 32-byte salt ‖ canonical record)`.
//!
//! The salt is drawn at random for every record and kept with its certificate, off chain: a
//! low-entropy record (a sex code, a test result) cannot be found by hashing guesses, and two
//! institutions' equal records get different commitments.

use crate::hashing::HashAlgorithm;

/// The domain tag of a record commitment (version 1).
pub const RECORD_TAG: &[u8] = b"medtrust:record:v1:";

/// The commitment to a canonical record under a salt.
pub fn commit(algorithm: HashAlgorithm, salt: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
	algorithm.hash(&[RECORD_TAG, salt, canonical])
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_salt_and_the_record_both_change_the_commitment() {
		let a = commit(HashAlgorithm::Sm3, &[1; 32], b"{\"sex\":\"F\"}");
		assert_ne!(a, commit(HashAlgorithm::Sm3, &[2; 32], b"{\"sex\":\"F\"}"));
		assert_ne!(a, commit(HashAlgorithm::Sm3, &[1; 32], b"{\"sex\":\"M\"}"));
		assert_ne!(a, HashAlgorithm::Sm3.hash(&[b"{\"sex\":\"F\"}"]));
		assert_eq!(a, commit(HashAlgorithm::Sm3, &[1; 32], b"{\"sex\":\"F\"}"));
	}
}
