//! libp2p peer ids as the chain stores them (the multihash bytes of `PeerId::to_bytes`): checked
//! before they are stored, so that the allow-list every node applies holds nothing it cannot
//! parse.

/// The identity multihash of a protobuf-encoded Ed25519 public key: what a MedTrust node's
/// `12D3KooW…` peer id is, as bytes.
pub fn ed25519_peer_id(public: [u8; 32]) -> [u8; 38] {
	let mut out = [0u8; 38];
	out[..6].copy_from_slice(&[0x00, 0x24, 0x08, 0x01, 0x12, 0x20]);
	out[6..].copy_from_slice(&public);
	out
}

/// Whether `bytes` is a libp2p peer id: the identity multihash (code 0, length up to 42) of a
/// protobuf public key (`KeyType` 0–3, then its bytes, lengths consistent), or the SHA-256
/// multihash (code 0x12, 32 bytes) of a larger key.
pub fn is_peer_id(bytes: &[u8]) -> bool {
	match bytes {
		[0x12, 0x20, digest @ ..] => digest.len() == 32,
		[0x00, len, key @ ..] => {
			usize::from(*len) == key.len() && key.len() <= 42 && is_public_key(key)
		}
		_ => false,
	}
}

/// A protobuf `PublicKey { KeyType Type = 1; bytes Data = 2; }` with a short data field.
fn is_public_key(key: &[u8]) -> bool {
	match key {
		[0x08, kind, 0x12, len, data @ ..] => {
			*kind <= 3 && usize::from(*len) == data.len() && !data.is_empty()
		}
		_ => false,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn node_peer_ids_pass_and_other_bytes_do_not() {
		let id = ed25519_peer_id([7; 32]);
		assert!(is_peer_id(&id));
		// The local preset's first node, as hex in the genesis.
		let text = "002408011220cba54124d1b78753d7aa48ff3778c9ed58e9f6eabf4070504456a3583ce370c4";
		let alice: alloc::vec::Vec<u8> = (0..text.len())
			.step_by(2)
			.map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
			.collect();
		assert!(is_peer_id(&alice));
		let mut sha = alloc::vec![0x12, 0x20];
		sha.extend([1; 32]);
		assert!(is_peer_id(&sha));
		for bad in [
			&[][..],
			&[0x00][..],
			&id[..37],
			&[2u8; 38][..],
			&[0x12, 0x20, 1, 2][..],
			&[0x00, 0x04, 0x08, 0x09, 0x12, 0x00][..],
		] {
			assert!(!is_peer_id(bad), "{bad:?}");
		}
		let mut wrong_kind = id;
		wrong_kind[3] = 9;
		assert!(!is_peer_id(&wrong_kind));
	}
}
