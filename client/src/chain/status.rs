//! `medtrust status`: what a node says about its chain.

use codec::{Decode, Encode};
use serde::Serialize;
use subxt::{
	config::{
		substrate::{BlakeTwo256, DigestItem, SubstrateHeader},
		Hasher,
	},
	utils::H256,
};

use medtrust_rpc_types::consortium_json::{ValidatorJson, ValidatorsJson};

use crate::{Chain, Result};

/// The Aura consensus engine id in block digests.
const AURA_ENGINE_ID: [u8; 4] = *b"aura";

/// A block, by number and hash.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BlockRef {
	pub number: u64,
	pub hash: H256,
}

/// The runtime a node runs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuntimeInfo {
	pub spec_name: String,
	pub spec_version: u32,
	pub impl_version: u32,
	pub transaction_version: u32,
}

/// What `medtrust status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
	pub url: String,
	pub chain: String,
	pub node: String,
	pub genesis_hash: H256,
	pub runtime: RuntimeInfo,
	pub best: BlockRef,
	/// The position in [`Status::validators`] of the validator that authored the best block.
	pub best_author: Option<usize>,
	pub finalized: BlockRef,
	pub peers: usize,
	pub is_syncing: bool,
	pub validators: Vec<ValidatorJson>,
}

impl Chain {
	/// Reads the node's chain name, runtime, best and finalized blocks, peers and validators.
	pub async fn status(&self) -> Result<Status> {
		let rpc = self.legacy();
		let chain = rpc.system_chain().await.map_err(|e| self.rpc_error("system_chain", e))?;
		let node_name = rpc.system_name().await.map_err(|e| self.rpc_error("system_name", e))?;
		let node_version =
			rpc.system_version().await.map_err(|e| self.rpc_error("system_version", e))?;
		let health = rpc.system_health().await.map_err(|e| self.rpc_error("system_health", e))?;
		let runtime = self.runtime_version(None).await?;

		let best_header = self.header(None).await?;
		let best = BlockRef { number: best_header.number, hash: header_hash(&best_header) };
		let (finalized_hash, finalized_number) = self.finalized_head().await?;
		let finalized = BlockRef { number: finalized_number, hash: finalized_hash };

		let validators = self.validators(best.hash).await?;
		let best_author = author_index(&best_header, validators.len());

		Ok(Status {
			url: self.url().to_string(),
			chain,
			node: format!("{node_name} {node_version}"),
			genesis_hash: self.api().genesis_hash(),
			runtime,
			best,
			best_author,
			finalized,
			peers: health.peers,
			is_syncing: health.is_syncing,
			validators,
		})
	}

	/// The runtime at block `at` (default: the best block), as the node reports it.
	pub async fn runtime_version(&self, at: Option<H256>) -> Result<RuntimeInfo> {
		let version = self
			.legacy()
			.state_get_runtime_version(at)
			.await
			.map_err(|e| self.rpc_error("state_getRuntimeVersion", e))?;
		let number_field = |name: &str| {
			version.other.get(name).and_then(|v| v.as_u64()).and_then(|v| u32::try_from(v).ok())
		};
		Ok(RuntimeInfo {
			spec_name: version
				.other
				.get("specName")
				.and_then(|v| v.as_str())
				.unwrap_or_default()
				.to_string(),
			spec_version: version.spec_version,
			impl_version: number_field("implVersion").unwrap_or_default(),
			transaction_version: version.transaction_version,
		})
	}

	/// The header of block `hash`, or of the best block.
	pub async fn header(&self, hash: Option<H256>) -> Result<SubstrateHeader<H256>> {
		self.legacy()
			.chain_get_header(hash)
			.await
			.map_err(|e| self.rpc_error("chain_getHeader", e))?
			.ok_or_else(|| self.rpc_error("chain_getHeader", "the node does not know this block"))
	}

	/// The node's finalized block: its hash and number.
	pub(crate) async fn finalized_head(&self) -> Result<(H256, u64)> {
		let hash = self
			.legacy()
			.chain_get_finalized_head()
			.await
			.map_err(|e| self.rpc_error("chain_getFinalizedHead", e))?;
		Ok((hash, self.header(Some(hash)).await?.number))
	}

	/// The validator set in force at block `at`: Aura and GRANDPA keys, in authoring order.
	pub async fn validators(&self, at: H256) -> Result<Vec<ValidatorJson>> {
		let set: ValidatorsJson =
			self.call("medtrust_consortiumValidators", subxt_rpcs::rpc_params![at]).await?;
		Ok(set.validators)
	}
}

/// The index, in the validator set of `validator_count` members, of the author of the block
/// with `header`: Aura assigns slot `s` to validator `s mod n`.
pub fn author_index(header: &SubstrateHeader<H256>, validator_count: usize) -> Option<usize> {
	aura_slot(header).and_then(|slot| {
		let count = u64::try_from(validator_count).ok().filter(|n| *n > 0)?;
		usize::try_from(slot % count).ok()
	})
}

/// The hash of a block header (BLAKE2b-256 of its encoding).
pub fn header_hash(header: &SubstrateHeader<H256>) -> H256 {
	BlakeTwo256.hash(&header.encode())
}

/// The Aura slot a block was authored in, from its pre-runtime digest.
pub fn aura_slot(header: &SubstrateHeader<H256>) -> Option<u64> {
	header.digest.logs.iter().find_map(|item| match item {
		DigestItem::PreRuntime(engine, data) if *engine == AURA_ENGINE_ID => {
			u64::decode(&mut &data[..]).ok()
		}
		_ => None,
	})
}
