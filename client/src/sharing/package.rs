//! The wrapped-key package of a grant: HPKE (RFC 9180) in base mode with DHKEM(X25519,
//! HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, used through its exporter.
//!
//! The grantor sets up an HPKE sender context to the grantee's published key version; the
//! encapsulation `enc` (32 bytes, public) is what the grantee needs to set up the same context
//! with its private key. Both export the grant's *wrapping key* from the context, under which
//! every granted record's key is wrapped (AES-256-GCM, the nonce the record's position, which
//! is unique under a grant's key). The chain holds the package's hash
//! ([`package_hash`]: `enc`, the key version and the grant's scope), so a grantee checks that
//! the `enc` the grantor's server hands it is the one granted. One HPKE operation per grant;
//! each record key costs one AES-GCM block.

use aes_gcm::{
	aead::{Aead, KeyInit, Payload},
	Aes256Gcm, Key, Nonce,
};
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{Error, Result};

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Suite = hpke::aead::AesGcm256;

/// The exporter context of the wrapping key.
const EXPORT_CONTEXT: &[u8] = b"medtrust:share:v1|record-key-wrapping";

/// A generator for HPKE's ephemeral keys (rand_core 0.9), seeded from the operating system.
fn rng() -> rand_chacha_09::ChaCha20Rng {
	use rand_chacha_09::rand_core::SeedableRng;
	rand_chacha_09::ChaCha20Rng::from_seed(crate::certificates::keys::random32())
}

/// A fresh X25519 key pair: (private key, public key).
pub fn generate() -> (Zeroizing<[u8; 32]>, [u8; 32]) {
	let (secret, public) = Kem::gen_keypair(&mut rng());
	let mut out = Zeroizing::new([0u8; 32]);
	out.copy_from_slice(&secret.to_bytes());
	let mut public_bytes = [0u8; 32];
	public_bytes.copy_from_slice(&public.to_bytes());
	(out, public_bytes)
}

/// The public key of an X25519 private key.
pub fn public_of(secret: &[u8; 32]) -> Result<[u8; 32]> {
	let secret = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret)
		.map_err(|_| Error::Crypto("not an X25519 private key".into()))?;
	let mut out = [0u8; 32];
	out.copy_from_slice(&Kem::sk_to_pk(&secret).to_bytes());
	Ok(out)
}

/// The hash the chain holds of a grant's package.
pub fn package_hash(enc: &[u8; 32], key_version: u32, scope: &[u8]) -> [u8; 32] {
	let mut hash = Sha256::new();
	hash.update(b"medtrust:share:package:v1");
	hash.update(enc);
	hash.update(key_version.to_le_bytes());
	hash.update(scope);
	hash.finalize().into()
}

/// A grant's wrapping key: wraps and unwraps record keys.
pub struct Wrapping {
	cipher: Aes256Gcm,
	key: Zeroizing<[u8; 32]>,
}

impl Wrapping {
	/// Sets up the package to `public` (the grantee's key) with context `info`: returns the
	/// encapsulation to hand the grantee, and the wrapping key.
	pub fn seal(public: &[u8; 32], info: &[u8]) -> Result<([u8; 32], Self)> {
		let public = <Kem as hpke::Kem>::PublicKey::from_bytes(public)
			.map_err(|_| Error::Crypto("the grantee's key is not an X25519 public key".into()))?;
		let (enc, context) =
			hpke::setup_sender::<Suite, Kdf, Kem, _>(&OpModeS::Base, &public, info, &mut rng())
				.map_err(|e| Error::Crypto(format!("HPKE refused the grantee's key: {e}")))?;
		let mut key = Zeroizing::new([0u8; 32]);
		context
			.export(EXPORT_CONTEXT, key.as_mut_slice())
			.map_err(|e| Error::Crypto(format!("HPKE export: {e}")))?;
		let mut enc_bytes = [0u8; 32];
		enc_bytes.copy_from_slice(&enc.to_bytes());
		Ok((enc_bytes, Self::from_key(key)))
	}

	/// Opens a package with the grantee's private key `secret`: the wrapping key.
	pub fn open(secret: &[u8; 32], enc: &[u8; 32], info: &[u8]) -> Result<Self> {
		let secret = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret)
			.map_err(|_| Error::Crypto("not an X25519 private key".into()))?;
		let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc)
			.map_err(|_| Error::Crypto("the package's encapsulation is malformed".into()))?;
		let context = hpke::setup_receiver::<Suite, Kdf, Kem>(&OpModeR::Base, &secret, &enc, info)
			.map_err(|e| Error::Crypto(format!("the package does not open with this key: {e}")))?;
		let mut key = Zeroizing::new([0u8; 32]);
		context
			.export(EXPORT_CONTEXT, key.as_mut_slice())
			.map_err(|e| Error::Crypto(format!("HPKE export: {e}")))?;
		Ok(Self::from_key(key))
	}

	/// The wrapping key of bytes `key` (as the grantor keeps it, sealed).
	pub fn from_key(key: Zeroizing<[u8; 32]>) -> Self {
		Self { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.as_slice())), key }
	}

	/// Its bytes, for the grantor to keep sealed.
	pub fn key(&self) -> &[u8; 32] {
		&self.key
	}

	fn nonce(position: u64) -> [u8; 12] {
		let mut nonce = [0u8; 12];
		nonce[4..].copy_from_slice(&position.to_be_bytes());
		nonce
	}

	/// Wraps the key of the record at `position` (1 first): 48 bytes.
	pub fn wrap(&self, position: u64, record_key: &[u8; 32]) -> Result<Vec<u8>> {
		let aad = position.to_le_bytes();
		self.cipher
			.encrypt(
				Nonce::from_slice(&Self::nonce(position)),
				Payload { msg: record_key, aad: &aad },
			)
			.map_err(|_| Error::Crypto("wrapping a record key failed".into()))
	}

	/// Unwraps the key of the record at `position`; refuses one altered or of another place.
	pub fn unwrap(&self, position: u64, wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
		let aad = position.to_le_bytes();
		let key = Zeroizing::new(
			self.cipher
				.decrypt(
					Nonce::from_slice(&Self::nonce(position)),
					Payload { msg: wrapped, aad: &aad },
				)
				.map_err(|_| {
					Error::Crypto(format!(
						"the key of record {position} does not unwrap: altered, or not this grant's"
					))
				})?,
		);
		let mut out = Zeroizing::new([0u8; 32]);
		if key.len() != 32 {
			return Err(Error::Crypto(format!("the key of record {position} is malformed")));
		}
		out.copy_from_slice(&key);
		Ok(out)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn hex(v: &serde_json::Value, field: &str) -> Vec<u8> {
		hex::decode(v[field].as_str().expect("a hex field")).expect("hex")
	}

	/// RFC 9180's test vectors of base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, with
	/// AES-128-GCM, AES-256-GCM and ChaCha20Poly1305 (from the CFRG's test-vectors.json, as
	/// the hpke crate ships them; the first four encryptions of each).
	#[test]
	fn rfc9180_test_vectors() {
		let vectors: Vec<serde_json::Value> =
			serde_json::from_str(include_str!("../../tests/data/rfc9180-x25519-sha256.json"))
				.expect("JSON");
		assert_eq!(vectors.len(), 3);
		for v in &vectors {
			// Key derivation: DeriveKeyPair(ikm) gives the vector's keys.
			let (sk_r, pk_r) = Kem::derive_keypair(&hex(v, "ikmR"));
			assert_eq!(sk_r.to_bytes().to_vec(), hex(v, "skRm"));
			assert_eq!(pk_r.to_bytes().to_vec(), hex(v, "pkRm"));
			let (_, pk_e) = Kem::derive_keypair(&hex(v, "ikmE"));
			assert_eq!(pk_e.to_bytes().to_vec(), hex(v, "pkEm"));
			assert_eq!(hex(v, "enc"), hex(v, "pkEm"));
			let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&hex(v, "enc")).expect("enc");
			let info = hex(v, "info");
			// The exporter, for every AEAD.
			let exports = v["exports"].as_array().expect("exports");
			macro_rules! check {
				($aead:ty) => {{
					let mut ctx =
						hpke::setup_receiver::<$aead, Kdf, Kem>(&OpModeR::Base, &sk_r, &enc, &info)
							.expect("receiver");
					for e in exports {
						let len = e["L"].as_u64().expect("L") as usize;
						let mut out = vec![0u8; len];
						ctx.export(&hex(e, "exporter_context"), &mut out).expect("export");
						assert_eq!(out, hex(e, "exported_value"));
					}
					for e in v["encryptions"].as_array().expect("encryptions") {
						let pt = ctx.open(&hex(e, "ct"), &hex(e, "aad")).expect("opens");
						assert_eq!(pt, hex(e, "pt"));
					}
				}};
			}
			match v["aead_id"].as_u64() {
				Some(1) => check!(hpke::aead::AesGcm128),
				Some(2) => check!(hpke::aead::AesGcm256),
				Some(3) => check!(hpke::aead::ChaCha20Poly1305),
				other => panic!("unexpected AEAD {other:?}"),
			}
		}
	}

	#[test]
	fn a_package_opens_with_the_grantee_s_key_only_and_record_keys_stay_in_place() {
		let (secret, public) = generate();
		assert_eq!(public_of(&secret).expect("a key"), public);
		let (enc, sealing) = Wrapping::seal(&public, b"grant").expect("sealed");
		let opened = Wrapping::open(&secret, &enc, b"grant").expect("opens");
		assert_eq!(sealing.key(), opened.key());
		let wrapped = sealing.wrap(7, &[3; 32]).expect("wrapped");
		assert_eq!(wrapped.len(), 48);
		assert_eq!(*opened.unwrap(7, &wrapped).expect("unwraps"), [3; 32]);
		// Another place, an altered wrap, another context, another grantee: refused.
		assert!(opened.unwrap(8, &wrapped).is_err());
		let mut altered = wrapped.clone();
		altered[0] ^= 1;
		assert!(opened.unwrap(7, &altered).is_err());
		assert!(opened.unwrap(7, &wrapped[..40]).is_err());
		let other = Wrapping::open(&secret, &enc, b"another grant").expect("opens");
		assert_ne!(other.key(), sealing.key());
		let (intruder, _) = generate();
		assert_ne!(Wrapping::open(&intruder, &enc, b"grant").expect("opens").key(), sealing.key());
		assert!(Wrapping::seal(&[0; 32], b"grant").is_err(), "the all-zero point");
		assert_ne!(package_hash(&enc, 1, b"scope"), package_hash(&enc, 2, b"scope"));
	}
}
