//! A binary Merkle tree over record commitments, with domain-separated leaves and nodes: a leaf
//! is `H(0x00 ‖ commitment)`, a node `H(0x01 ‖ left ‖ right)`, so no inner node can pass for a
//! leaf (the second-preimage trick). A level of odd width promotes its last node unchanged.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

use crate::hashing::HashAlgorithm;

/// The prefix of a leaf's hash.
pub const LEAF: u8 = 0x00;
/// The prefix of an inner node's hash.
pub const NODE: u8 = 0x01;

/// A leaf's hash.
pub fn leaf_hash(algorithm: HashAlgorithm, commitment: &[u8; 32]) -> [u8; 32] {
	algorithm.hash(&[&[LEAF], commitment])
}

/// An inner node's hash.
pub fn node_hash(algorithm: HashAlgorithm, left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
	algorithm.hash(&[&[NODE], left, right])
}

/// The level above `level`: each pair's node hash, an odd level's last node going up
/// unchanged.
pub fn parent_level(algorithm: HashAlgorithm, level: &[[u8; 32]]) -> Vec<[u8; 32]> {
	level
		.chunks(2)
		.map(|pair| match (pair.first(), pair.get(1)) {
			(Some(left), Some(right)) => node_hash(algorithm, left, right),
			(Some(last), None) => *last,
			// `chunks(2)` never yields an empty chunk.
			(None, _) => [0; 32],
		})
		.collect()
}

/// The path from one leaf to the root.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct MerkleProof {
	/// The leaf's position (0 first).
	pub index: u64,
	/// How many leaves the tree has.
	pub leaf_count: u64,
	/// The sibling at each level where there is one, from the leaves up.
	pub siblings: Vec<[u8; 32]>,
}

/// Every level of a tree, leaves' hashes first, root last.
pub struct MerkleTree {
	algorithm: HashAlgorithm,
	levels: Vec<Vec<[u8; 32]>>,
}

impl MerkleTree {
	/// Builds the tree over `commitments` (at least one).
	pub fn new(algorithm: HashAlgorithm, commitments: &[[u8; 32]]) -> Option<Self> {
		let leaves = commitments.iter().map(|c| leaf_hash(algorithm, c)).collect();
		Self::from_leaf_hashes(algorithm, leaves, |level| parent_level(algorithm, level))
	}

	/// Builds the tree from its leaves' hashes ([`leaf_hash`] of each commitment, at least
	/// one), each level above computed by `parents`, which must give [`parent_level`] of its
	/// argument (a caller may share that work among threads: the halves of a level split at an
	/// even position give the halves of its parent level).
	pub fn from_leaf_hashes(
		algorithm: HashAlgorithm,
		leaves: Vec<[u8; 32]>,
		mut parents: impl FnMut(&[[u8; 32]]) -> Vec<[u8; 32]>,
	) -> Option<Self> {
		if leaves.is_empty() {
			return None;
		}
		let mut levels = Vec::new();
		let mut level = leaves;
		while level.len() > 1 {
			let next = parents(&level);
			levels.push(level);
			level = next;
		}
		levels.push(level);
		Some(Self { algorithm, levels })
	}

	/// The root.
	pub fn root(&self) -> [u8; 32] {
		self.levels.last().and_then(|l| l.first()).copied().unwrap_or_default()
	}

	/// Every level, the leaves' hashes first, the root last.
	pub fn levels(&self) -> &[Vec<[u8; 32]>] {
		&self.levels
	}

	/// The algorithm the tree hashes with.
	pub fn algorithm(&self) -> HashAlgorithm {
		self.algorithm
	}

	/// The proof for the leaf at `index`, if there is one.
	pub fn proof(&self, index: u64) -> Option<MerkleProof> {
		let leaf_count = self.levels.first()?.len() as u64;
		if index >= leaf_count {
			return None;
		}
		let mut siblings = Vec::new();
		let mut i = index as usize;
		for level in &self.levels[..self.levels.len() - 1] {
			let sibling = i ^ 1;
			if sibling < level.len() {
				siblings.push(level[sibling]);
			}
			i /= 2;
		}
		Some(MerkleProof { index, leaf_count, siblings })
	}
}

/// The root that `proof` leads to from `commitment`, or `None` if the proof is malformed
/// (an index beyond the leaves, too few or too many siblings).
pub fn root_from_proof(
	algorithm: HashAlgorithm,
	commitment: &[u8; 32],
	proof: &MerkleProof,
) -> Option<[u8; 32]> {
	if proof.index >= proof.leaf_count {
		return None;
	}
	let mut hash = leaf_hash(algorithm, commitment);
	let (mut index, mut width) = (proof.index, proof.leaf_count);
	let mut siblings = proof.siblings.iter();
	while width > 1 {
		let promoted = index == width - 1 && width % 2 == 1;
		if !promoted {
			let sibling = siblings.next()?;
			hash = if index % 2 == 0 {
				node_hash(algorithm, &hash, sibling)
			} else {
				node_hash(algorithm, sibling, &hash)
			};
		}
		index /= 2;
		width = width.div_ceil(2);
	}
	siblings.next().is_none().then_some(hash)
}

/// Whether `proof` leads from `commitment` to `root`.
pub fn verify(
	algorithm: HashAlgorithm,
	commitment: &[u8; 32],
	proof: &MerkleProof,
	root: &[u8; 32],
) -> bool {
	root_from_proof(algorithm, commitment, proof).as_ref() == Some(root)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn commitments(n: u32) -> Vec<[u8; 32]> {
		(0..n).map(|i| HashAlgorithm::Sha256.hash(&[&i.to_le_bytes()])).collect()
	}

	#[test]
	fn every_leaf_proves_its_membership_for_every_width() {
		for algorithm in HashAlgorithm::ALL {
			for n in 1..=33u32 {
				let leaves = commitments(n);
				let tree = MerkleTree::new(algorithm, &leaves).expect("non-empty");
				for (i, leaf) in leaves.iter().enumerate() {
					let proof = tree.proof(i as u64).expect("in range");
					assert!(verify(algorithm, leaf, &proof, &tree.root()), "n={n} i={i}");
					// Another leaf, a truncated or padded path, a wrong index all fail.
					let other = leaves[(i + 1) % leaves.len()];
					if n > 1 {
						assert!(!verify(algorithm, &other, &proof, &tree.root()));
						let mut moved = proof.clone();
						moved.index = (moved.index + 1) % u64::from(n);
						assert!(!verify(algorithm, leaf, &moved, &tree.root()));
						let mut short = proof.clone();
						short.siblings.pop();
						assert!(!verify(algorithm, leaf, &short, &tree.root()));
					}
					let mut long = proof.clone();
					long.siblings.push([0; 32]);
					assert!(!verify(algorithm, leaf, &long, &tree.root()));
				}
				assert!(tree.proof(u64::from(n)).is_none());
			}
		}
	}

	#[test]
	fn a_single_leaf_is_its_own_root_hash() {
		let c = [7u8; 32];
		let tree = MerkleTree::new(HashAlgorithm::Sm3, &[c]).expect("non-empty");
		assert_eq!(tree.root(), leaf_hash(HashAlgorithm::Sm3, &c));
		assert!(MerkleTree::new(HashAlgorithm::Sm3, &[]).is_none());
	}

	#[test]
	fn an_inner_node_cannot_pass_for_a_leaf() {
		// Second-preimage attempt: present the two children of the root's left node as a
		// "commitment" of a two-leaf tree. Domain separation makes the root differ.
		let leaves = commitments(4);
		let tree = MerkleTree::new(HashAlgorithm::Sha256, &leaves).expect("non-empty");
		let left = node_hash(
			HashAlgorithm::Sha256,
			&leaf_hash(HashAlgorithm::Sha256, &leaves[0]),
			&leaf_hash(HashAlgorithm::Sha256, &leaves[1]),
		);
		let right = tree.levels[1][1];
		let forged = MerkleProof { index: 0, leaf_count: 2, siblings: vec![right] };
		assert!(!verify(HashAlgorithm::Sha256, &left, &forged, &tree.root()));
	}
}
