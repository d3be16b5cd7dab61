//! The well-known development keys, which no chain but a development chain may trust.
//!
//! Everybody holding Substrate or this repository holds their secrets: the keyring accounts
//! (`//Alice` … `//Ferdie`, their stashes, `//One`, `//Two`) as sr25519 and ed25519 keys, and
//! the test node keys of the local consortium (`chain-specs/local-node-keys/`). A chain whose
//! genesis names one of them can be governed, authored and finalized by anyone; the node
//! refuses to run such a chain outside development, and `medtrust verify --offline` refuses to
//! trust its chain spec, unless told `--allow-dev-keys`.

use sp_core::{ed25519, Pair as _};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// The committed test node keys of the local consortium, hex-encoded ed25519 secrets.
const TEST_NODE_KEYS: [&str; 4] = [
	include_str!("../../chain-specs/local-node-keys/node-1.key"),
	include_str!("../../chain-specs/local-node-keys/node-2.key"),
	include_str!("../../chain-specs/local-node-keys/node-3.key"),
	include_str!("../../chain-specs/local-node-keys/node-4.key"),
];

/// The name of a well-known development key with this 32-byte public key (sr25519 or ed25519):
/// `Alice`, `Bob (ed25519)`, `the test node key 2`, …
pub fn name_of_key(public: &[u8; 32]) -> Option<String> {
	if let Some(k) = Sr25519Keyring::iter().find(|k| k.public().0 == *public) {
		return Some(format!("{k:?}"));
	}
	if let Some(k) = Ed25519Keyring::iter().find(|k| k.public().0 == *public) {
		return Some(format!("{k:?} (ed25519)"));
	}
	test_node_publics().position(|p| p == *public).map(|i| format!("the test node key {}", i + 1))
}

/// The name of a well-known key with this account id or public key, of any length (anything
/// but 32 bytes is no key of the keyring).
pub fn name_of(bytes: &[u8]) -> Option<String> {
	<&[u8; 32]>::try_from(bytes).ok().and_then(name_of_key)
}

/// The name of the test node key whose libp2p peer id (multihash bytes) this is.
pub fn name_of_peer_id(peer_id: &[u8]) -> Option<String> {
	test_node_publics()
		.position(|p| peer_id_bytes(&p) == peer_id)
		.map(|i| format!("the test node key {}", i + 1))
}

/// The peer id (multihash bytes) of an ed25519 node key: the identity multihash of its
/// protobuf-encoded public key, as libp2p computes it.
pub fn peer_id_bytes(public: &[u8; 32]) -> Vec<u8> {
	let mut bytes = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
	bytes.extend_from_slice(public);
	bytes
}

fn test_node_publics() -> impl Iterator<Item = [u8; 32]> {
	TEST_NODE_KEYS.iter().filter_map(|hex_seed| {
		let seed = decode_hex_32(hex_seed.trim())?;
		Some(ed25519::Pair::from_seed(&seed).public().0)
	})
}

fn decode_hex_32(text: &str) -> Option<[u8; 32]> {
	let text = text.as_bytes();
	if text.len() != 64 {
		return None;
	}
	let mut out = [0u8; 32];
	for (i, pair) in text.chunks(2).enumerate() {
		let digits = core::str::from_utf8(pair).ok()?;
		out[i] = u8::from_str_radix(digits, 16).ok()?;
	}
	Some(out)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_keyring_and_the_test_node_keys_are_known_and_fresh_keys_are_not() {
		assert_eq!(name_of_key(&Sr25519Keyring::Alice.public().0).as_deref(), Some("Alice"));
		assert_eq!(
			name_of_key(&Ed25519Keyring::Dave.public().0).as_deref(),
			Some("Dave (ed25519)")
		);
		assert_eq!(
			name_of(Sr25519Keyring::Ferdie.to_account_id().as_ref()).as_deref(),
			Some("Ferdie")
		);
		assert_eq!(test_node_publics().count(), 4, "every committed node key decodes");
		let (fresh, _) = ed25519::Pair::generate();
		assert_eq!(name_of_key(&fresh.public().0), None);
		assert_eq!(name_of(&[1, 2, 3]), None);
	}

	#[test]
	fn the_local_presets_peer_ids_are_those_of_the_test_node_keys() {
		// The peer id of node 1, as `chain-specs/local.json` registers it: the identity
		// multihash prefix, then the node key's public key.
		let node_1 = "0024080112208d62bc58923bce68522cad764c693ae4e3ba33efae383e78aba70383de36bf9b";
		let (prefix, public) = node_1.split_at(12);
		assert_eq!(prefix, "002408011220");
		let bytes = peer_id_bytes(&decode_hex_32(public).expect("32 bytes of hex"));
		assert_eq!(name_of_peer_id(&bytes).as_deref(), Some("the test node key 1"));
		let (fresh, _) = ed25519::Pair::generate();
		assert_eq!(name_of_peer_id(&peer_id_bytes(&fresh.public().0)), None);
	}
}
