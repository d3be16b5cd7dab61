//! The hash algorithms a certificate may use: SHA-256, BLAKE2b-256 and SM3 (GB/T 32905, the
//! Chinese national standard hash that hospital assessors expect).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A 256-bit hash algorithm.
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
	Default,
)]
pub enum HashAlgorithm {
	/// SHA-256 (FIPS 180-4).
	#[default]
	Sha256,
	/// BLAKE2b with a 256-bit output (RFC 7693).
	Blake2b256,
	/// SM3 (GB/T 32905-2016).
	Sm3,
}

impl HashAlgorithm {
	/// Every algorithm, in the order of their encoding.
	pub const ALL: [HashAlgorithm; 3] = [Self::Sha256, Self::Blake2b256, Self::Sm3];

	/// Its name in certificates and on the command line: `sha-256`, `blake2b-256`, `sm3`.
	pub fn name(&self) -> &'static str {
		match self {
			Self::Sha256 => "sha-256",
			Self::Blake2b256 => "blake2b-256",
			Self::Sm3 => "sm3",
		}
	}

	/// The algorithm of a name (as [`HashAlgorithm::name`] gives it).
	pub fn from_name(name: &str) -> Option<Self> {
		Self::ALL.into_iter().find(|a| a.name() == name)
	}

	/// The hash of the concatenation of `parts`.
	pub fn hash(&self, parts: &[&[u8]]) -> [u8; 32] {
		use digest::Digest;
		fn run<D: Digest>(parts: &[&[u8]]) -> [u8; 32] {
			let mut hasher = D::new();
			for part in parts {
				hasher.update(part);
			}
			let mut out = [0u8; 32];
			out.copy_from_slice(&hasher.finalize()[..32]);
			out
		}
		match self {
			Self::Sha256 => run::<sha2::Sha256>(parts),
			Self::Blake2b256 => run::<blake2::Blake2b<digest::consts::U32>>(parts),
			Self::Sm3 => run::<sm3::Sm3>(parts),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn hex(bytes: [u8; 32]) -> String {
		bytes.iter().map(|b| format!("{b:02x}")).collect()
	}

	#[test]
	fn published_test_vectors() {
		// FIPS 180-2 appendix B.1.
		assert_eq!(
			hex(HashAlgorithm::Sha256.hash(&[b"abc"])),
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
		);
		// GB/T 32905-2016 appendix A.1.
		assert_eq!(
			hex(HashAlgorithm::Sm3.hash(&[b"abc"])),
			"66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
		);
		// BLAKE2b-256 of "abc", as Substrate's blake2_256 gives it.
		assert_eq!(
			HashAlgorithm::Blake2b256.hash(&[b"abc"]),
			sp_crypto_hashing::blake2_256(b"abc")
		);
	}

	#[test]
	fn parts_hash_as_their_concatenation() {
		for a in HashAlgorithm::ALL {
			assert_eq!(a.hash(&[b"ab", b"", b"c"]), a.hash(&[b"abc"]));
			assert_eq!(HashAlgorithm::from_name(a.name()), Some(a));
		}
		assert_eq!(HashAlgorithm::from_name("md5"), None);
	}
}
