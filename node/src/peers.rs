//! The network's peer allow-list, applied by every node (validator, RPC node or archive): at
//! start and at each finalized block, the peer ids of the active institutions' nodes
//! (`ConsortiumApi::authorized_peer_ids`) become the only peers this node accepts. Read from the
//! finalized block, so a peer is admitted or dropped once the consortium's decision is final,
//! the same on every node. A chain whose institutions registered no peer id restricts nothing.

use std::{collections::HashSet, sync::Arc};

use futures::StreamExt as _;
use medtrust_runtime::{apis::InstitutionInfo, opaque::Block, AccountId};
use pallet_consortium_runtime_api::ConsortiumApi;
use sc_client_api::BlockchainEvents;
use sc_network::{service::traits::NetworkService, PeerId};
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

const LOG_TARGET: &str = "medtrust::peers";

/// The peers the runtime at `hash` allows; `None` before `ConsortiumApi` version 2 (the
/// runtime's offchain worker applied them then).
fn allowed<C>(client: &C, hash: <Block as BlockT>::Hash) -> Result<Option<HashSet<PeerId>>, String>
where
	C: ProvideRuntimeApi<Block>,
	C::Api: ConsortiumApi<Block, AccountId, InstitutionInfo, medtrust_primitives::BlockNumber>,
{
	let api = client.runtime_api();
	let version = api
		.api_version::<dyn ConsortiumApi<Block, AccountId, InstitutionInfo, medtrust_primitives::BlockNumber>>(hash)
		.map_err(|e| e.to_string())?;
	if version.unwrap_or(1) < 2 {
		return Ok(None);
	}
	let ids = api.authorized_peer_ids(hash).map_err(|e| e.to_string())?;
	// The runtime stores only well-formed ids; one that is not would be skipped, not trusted.
	Ok(Some(ids.iter().filter_map(|bytes| PeerId::from_bytes(bytes).ok()).collect()))
}

/// Applies the allow-list at the finalized block, then at each one finalized after it.
pub async fn run<C>(client: Arc<C>, network: Arc<dyn NetworkService>)
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + BlockchainEvents<Block>,
	C::Api: ConsortiumApi<Block, AccountId, InstitutionInfo, medtrust_primitives::BlockNumber>,
{
	let mut finalized = client.finality_notification_stream();
	let mut applied: Option<HashSet<PeerId>> = None;
	let mut at = Some(client.info().finalized_hash);
	while let Some(hash) = at {
		match allowed(&*client, hash) {
			Ok(Some(peers)) if applied.as_ref() != Some(&peers) => {
				log::info!(
					target: LOG_TARGET,
					"🔒 {} authorized peers (the consortium's nodes at block {hash:?})",
					peers.len()
				);
				let restrict = !peers.is_empty();
				network.set_authorized_peers(peers.clone());
				network.set_authorized_only(restrict);
				applied = Some(peers);
			}
			Ok(_) => {}
			Err(why) => log::warn!(target: LOG_TARGET, "cannot read the allowed peers: {why}"),
		}
		at = finalized.next().await.map(|notification| notification.hash);
	}
}
