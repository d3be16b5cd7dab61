//! The four-institution local consortium (`chain-specs/local.json`): every node sees the three
//! others, all four validators author blocks in turn, and all agree on finality.

use std::{collections::BTreeSet, time::Duration};

use crate::harness::{exclusive, start_local_consortium, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn e2e_local_consortium_of_four_validators_authors_in_turn_and_finalizes() {
	let _lock = exclusive().await;
	let (_nodes, chains, _) = start_local_consortium().await;

	// Every node sees the three others.
	for (chain, name) in chains.iter().zip(["alice", "bob", "charlie", "dave"]) {
		wait_for(&format!("{name} to see 3 peers"), Duration::from_secs(90), || {
			let chain = chain.clone();
			async move {
				let health = chain.legacy().system_health().await.map_err(|e| e.to_string())?;
				Ok((health.peers == 3).then_some(()))
			}
		})
		.await;
	}

	// The validator set is the four institutions' keys.
	let status = chains[0].status().await.expect("status");
	assert_eq!(status.chain, "MedTrust Local Consortium");
	assert_eq!(status.validators.len(), 4);

	// Blocks are authored by all four validators in turn: Aura gives slot s to validator s mod 4.
	let first = &chains[0];
	let authors = wait_for("blocks by all four validators", Duration::from_secs(120), || async {
		let best = first.header(None).await.map_err(|e| e.to_string())?;
		let mut authors = Vec::new();
		for number in 1..=best.number {
			let hash = first
				.legacy()
				.chain_get_block_hash(Some(number.into()))
				.await
				.map_err(|e| e.to_string())?
				.ok_or("a canonical block is missing")?;
			let header = first.header(Some(hash)).await.map_err(|e| e.to_string())?;
			authors.push(
				medtrust_client::chain::status::author_index(&header, 4)
					.ok_or("a block without Aura slot")?,
			);
		}
		let distinct: BTreeSet<usize> = authors.iter().copied().collect();
		Ok((distinct.len() == 4).then_some(authors))
	})
	.await;
	// No validator authors two blocks in a row while the others are online.
	for pair in authors.windows(2) {
		assert_ne!(pair[0], pair[1], "one validator authored consecutive blocks: {authors:?}");
	}

	// All four report the same finalized hash at a common height.
	let height = wait_for("all nodes to finalize block #5", Duration::from_secs(120), || {
		let chains = chains.clone();
		async move {
			let mut lowest = u64::MAX;
			for chain in &chains {
				let hash =
					chain.legacy().chain_get_finalized_head().await.map_err(|e| e.to_string())?;
				let number = chain.header(Some(hash)).await.map_err(|e| e.to_string())?.number;
				lowest = lowest.min(number);
			}
			Ok((lowest >= 5).then_some(lowest))
		}
	})
	.await;
	let mut hashes = BTreeSet::new();
	for chain in &chains {
		let hash = chain
			.legacy()
			.chain_get_block_hash(Some(height.into()))
			.await
			.expect("block hash")
			.expect("a finalized block is known");
		hashes.insert(hash);
	}
	assert_eq!(hashes.len(), 1, "nodes disagree on finalized block #{height}: {hashes:?}");
}
