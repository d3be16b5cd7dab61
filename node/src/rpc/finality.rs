//! What proves a certificate's block final to an offline verifier, made within bounds: a
//! GRANDPA justification stored at the nearest block at or after it *of the same authority
//! set*, with the headers in between (never the current set's justification for a block of an
//! older set, never tens of thousands of headers), and the warp proof of the authority-set
//! changes from genesis, made once per authority set rather than once per call.

use std::sync::{Arc, Mutex};

use codec::Encode;
use medtrust_runtime::opaque::Block;
use sc_client_api::Backend;
use sc_consensus_grandpa::{AuthoritySetChanges, SharedAuthoritySet, GRANDPA_ENGINE_ID};
use sc_network_sync::strategy::warp::WarpSyncProvider;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

type Hash = <Block as BlockT>::Hash;

/// GRANDPA stores a justification every this many blocks (`justification_generation_period`,
/// set by the service) and at every authority-set change.
pub const JUSTIFICATION_PERIOD: u32 = 512;

/// The most headers between a block and the justification that proves it: twice the period,
/// so a node that missed one stored justification still answers (about 0.3 MB of JSON).
pub const MAX_PROOF_SPAN: u32 = 2 * JUSTIFICATION_PERIOD;

/// Why a block's finality cannot be proved (each becomes the RPC error's text).
#[derive(Debug, PartialEq, Eq)]
pub enum Unprovable {
	/// The node does not know which authority set finalized the block (a warp-synced node
	/// without the chain's history).
	UnknownSet(u32),
	/// No justification is stored within [`MAX_PROOF_SPAN`] blocks after the block in its set.
	NoJustification(u32),
	/// The block is final, but no justification covers it yet (the newest blocks).
	NotYet(u32),
	/// Reading the node's database failed.
	Client(String),
}

impl std::fmt::Display for Unprovable {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::UnknownSet(n) => write!(
				f,
				"this node does not know which GRANDPA authority set finalized block #{n} (it \
				 was warp-synced without the chain's history): ask a node that holds it"
			),
			Self::NoJustification(n) => write!(
				f,
				"no GRANDPA justification is stored within {MAX_PROOF_SPAN} blocks after block \
				 #{n} in its authority set: ask a node that synced the chain in full"
			),
			Self::NotYet(n) => {
				write!(f, "no finality proof for block #{n} yet; retry shortly")
			}
			Self::Client(why) => f.write_str(why),
		}
	}
}

/// Where block `number`'s proof comes from.
#[derive(Debug, PartialEq, Eq)]
pub enum Anchor {
	/// The justification stored at this block (the same set as `number`).
	Stored(u32),
	/// GRANDPA's latest justification (the block is in the current set, past its last stored
	/// justification).
	Latest,
}

/// The last block of block `number`'s authority set (`None`: the current set), from GRANDPA's
/// record of set changes: `(set id, last block of the set)` in order.
pub fn set_end(changes: &AuthoritySetChanges<u32>, number: u32) -> Result<Option<u32>, Unprovable> {
	// `iter_from(n)` yields the sets whose last block is after `n`: the first is `number`'s.
	let mut later =
		changes.iter_from(number.saturating_sub(1)).ok_or(Unprovable::UnknownSet(number))?;
	Ok(later.next().map(|&(_, last)| last))
}

/// The nearest block at or after `number`, no further than its set's last block (`set_end`),
/// the finalized block and [`MAX_PROOF_SPAN`], whose justification is stored (`stored`); when
/// there is none and the block is in the current set, GRANDPA's latest justification.
pub fn anchor(
	number: u32,
	set_end: Option<u32>,
	finalized: u32,
	mut stored: impl FnMut(u32) -> Result<bool, Unprovable>,
) -> Result<Anchor, Unprovable> {
	if number > finalized {
		return Err(Unprovable::NotYet(number));
	}
	let last =
		set_end.unwrap_or(finalized).min(finalized).min(number.saturating_add(MAX_PROOF_SPAN));
	for n in number..=last {
		if stored(n)? {
			return Ok(Anchor::Stored(n));
		}
	}
	match set_end {
		None if finalized - number <= MAX_PROOF_SPAN => Ok(Anchor::Latest),
		_ => Err(Unprovable::NoJustification(number)),
	}
}

/// The warp proof from genesis, kept while the authority set is the same.
#[derive(Default)]
pub struct WarpCache {
	/// (set id, proof as `0x` hex).
	cached: Mutex<Option<(u64, Arc<String>)>>,
}

impl WarpCache {
	/// The warp proof from `genesis` while the current set is `set_id`: made by `make` once a
	/// set.
	pub fn get(
		&self,
		set_id: u64,
		make: impl FnOnce() -> Result<String, String>,
	) -> Result<Arc<String>, String> {
		let mut cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		if let Some((id, proof)) = cached.as_ref() {
			if *id == set_id {
				return Ok(proof.clone());
			}
		}
		let proof = Arc::new(make()?);
		*cached = Some((set_id, proof.clone()));
		Ok(proof)
	}
}

/// What proves blocks final: the backend's stored justifications, GRANDPA's record of
/// authority-set changes, its warp proofs (cached per set).
pub struct Prover<B> {
	pub backend: Arc<B>,
	pub authority_set: SharedAuthoritySet<Hash, u32>,
	pub warp: Arc<dyn WarpSyncProvider<Block>>,
	pub warp_cache: Arc<WarpCache>,
}

impl<B: Backend<Block>> Prover<B> {
	/// The warp proof from genesis, as `0x` hex.
	pub fn warp_proof(&self, genesis: Hash) -> Result<Arc<String>, String> {
		let set_id = self.authority_set.set_id();
		self.warp_cache.get(set_id, || {
			let proof = self.warp.generate(genesis).map_err(|e| e.to_string())?;
			Ok(format!("0x{}", hex::encode(proof.0)))
		})
	}

	/// Whether a GRANDPA justification is stored at block `number`.
	fn stored(&self, number: u32) -> Result<Option<Vec<u8>>, Unprovable> {
		let chain = self.backend.blockchain();
		let client = |e: sp_blockchain::Error| Unprovable::Client(e.to_string());
		let Some(hash) = chain.hash(number).map_err(client)? else { return Ok(None) };
		let found = sp_blockchain::Backend::justifications(chain, hash).map_err(client)?;
		Ok(found.and_then(|j| j.into_justification(GRANDPA_ENGINE_ID)))
	}

	/// An encoded `FinalityProof` of block `number` (see [`anchor`]).
	pub fn prove(&self, number: u32) -> Result<Vec<u8>, Unprovable> {
		let chain = self.backend.blockchain();
		let finalized = chain.info().finalized_number;
		let end = set_end(&self.authority_set.authority_set_changes(), number)?;
		// The scan keeps the justification it finds: read once.
		let mut found = None;
		let anchored = anchor(number, end, finalized, |n| {
			found = self.stored(n)?;
			Ok(found.is_some())
		})?;
		let (target, justification) = match anchored {
			Anchor::Stored(n) => (n, found.ok_or(Unprovable::NotYet(number))?),
			Anchor::Latest => {
				let latest = sc_consensus_grandpa::best_justification::<_, Block>(&*self.backend)
					.map_err(|e| Unprovable::Client(e.to_string()))?
					.ok_or(Unprovable::NotYet(number))?;
				let (target, _) = latest.target();
				if target < number {
					return Err(Unprovable::NotYet(number));
				}
				if target - number > MAX_PROOF_SPAN {
					return Err(Unprovable::NoJustification(number));
				}
				(target, latest.encode())
			}
		};
		let client = |e: sp_blockchain::Error| Unprovable::Client(e.to_string());
		let block = chain.hash(target).map_err(client)?.ok_or(Unprovable::NotYet(number))?;
		let mut headers = Vec::with_capacity((target - number) as usize);
		for n in number + 1..=target {
			let hash = chain.hash(n).map_err(client)?.ok_or(Unprovable::NotYet(number))?;
			headers.push(chain.header(hash).map_err(client)?.ok_or(Unprovable::NotYet(number))?);
		}
		Ok(sc_consensus_grandpa::FinalityProof { block, justification, unknown_headers: headers }
			.encode())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A chain whose justifications are stored every period and at each set's last block.
	fn stored_at(ends: &'static [u32]) -> impl FnMut(u32) -> Result<bool, Unprovable> {
		move |n| Ok(n % JUSTIFICATION_PERIOD == 0 || ends.contains(&n))
	}

	#[test]
	fn a_block_50_000_blocks_old_is_proved_by_the_next_stored_justification() {
		// One authority set all along: block 1,000 of a chain finalized at 51,000.
		assert_eq!(anchor(1_000, None, 51_000, stored_at(&[])), Ok(Anchor::Stored(1_024)));
		assert_eq!(anchor(1_024, None, 51_000, stored_at(&[])), Ok(Anchor::Stored(1_024)));
		// The newest blocks, past the last stored justification: the latest one.
		assert_eq!(anchor(50_990, None, 51_000, stored_at(&[])), Ok(Anchor::Latest));
		assert_eq!(anchor(51_001, None, 51_000, stored_at(&[])), Err(Unprovable::NotYet(51_001)));
	}

	#[test]
	fn a_block_of_an_older_set_is_never_proved_by_a_later_set() {
		// Sets end at blocks 700 and 30,000; the current set's justifications come after.
		let ends = &[700, 30_000];
		assert_eq!(anchor(600, Some(700), 51_000, stored_at(ends)), Ok(Anchor::Stored(700)));
		assert_eq!(anchor(701, Some(30_000), 51_000, stored_at(ends)), Ok(Anchor::Stored(1_024)));
		// A node that lost its stored justifications: refused, not proved by another set.
		let none = |_| Ok(false);
		assert_eq!(
			anchor(29_000, Some(30_000), 51_000, none),
			Err(Unprovable::NoJustification(29_000))
		);
		assert_eq!(anchor(100, None, 51_000, none), Err(Unprovable::NoJustification(100)));
		// No further than the span, whatever the set.
		let mut asked = Vec::new();
		let _ = anchor(5, None, 51_000, |n| {
			asked.push(n);
			Ok(false)
		});
		assert_eq!(asked.len() as u32, MAX_PROOF_SPAN + 1);
	}

	#[test]
	fn the_set_of_a_block_comes_from_the_recorded_changes() {
		let changes = AuthoritySetChanges::from(vec![(0, 700), (1, 30_000)]);
		assert_eq!(set_end(&changes, 1), Ok(Some(700)));
		assert_eq!(set_end(&changes, 700), Ok(Some(700)), "a set's last block is of that set");
		assert_eq!(set_end(&changes, 701), Ok(Some(30_000)));
		assert_eq!(set_end(&changes, 30_001), Ok(None), "the current set");
		// A warp-synced node knows set 1's end only: set 0's blocks are of an unknown set.
		let partial = AuthoritySetChanges::from(vec![(1, 30_000)]);
		assert_eq!(set_end(&partial, 500), Err(Unprovable::UnknownSet(500)));
	}

	#[test]
	fn the_warp_proof_is_made_once_a_set() {
		let cache = WarpCache::default();
		let mut made = 0;
		for set in [0, 0, 0, 1, 1] {
			let proof = cache
				.get(set, || {
					made += 1;
					Ok(format!("0x{set:02x}"))
				})
				.expect("made");
			assert_eq!(*proof, format!("0x{set:02x}"));
		}
		assert_eq!(made, 2);
		assert!(cache.get(2, || Err("no proof".into())).is_err());
		assert_eq!(*cache.get(1, || Err("not called".into())).expect("still cached"), "0x01");
	}
}
