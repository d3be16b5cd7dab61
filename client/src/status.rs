//! `medtrust status`: what a node says about its chain.

use codec::{Decode, Encode};
use serde::Serialize;
use subxt::{
	config::{
		substrate::{BlakeTwo256, DigestItem, SubstrateHeader},
		Hasher,
	},
	utils::{AccountId32, H256},
};

use crate::{runtime, Chain, Result};

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

/// One validator of the current set.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Validator {
	/// The block-authoring (Aura, sr25519) key, as an SS58 address.
	pub aura: String,
	/// The finality (GRANDPA, ed25519) key, hex.
	pub grandpa: String,
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
	pub validators: Vec<Validator>,
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
		let version = rpc
			.state_get_runtime_version(None)
			.await
			.map_err(|e| self.rpc_error("state_getRuntimeVersion", e))?;
		let number_field = |name: &str| {
			version.other.get(name).and_then(|v| v.as_u64()).and_then(|v| u32::try_from(v).ok())
		};
		let runtime = RuntimeInfo {
			spec_name: version
				.other
				.get("specName")
				.and_then(|v| v.as_str())
				.unwrap_or_default()
				.to_string(),
			spec_version: version.spec_version,
			impl_version: number_field("implVersion").unwrap_or_default(),
			transaction_version: version.transaction_version,
		};

		let best_header = self.header(None).await?;
		let best = BlockRef { number: best_header.number, hash: header_hash(&best_header) };
		let finalized_hash = rpc
			.chain_get_finalized_head()
			.await
			.map_err(|e| self.rpc_error("chain_getFinalizedHead", e))?;
		let finalized_header = self.header(Some(finalized_hash)).await?;
		let finalized = BlockRef { number: finalized_header.number, hash: finalized_hash };

		let validators = self.validators(best.hash).await?;
		let best_author = self.author_index(&best_header, validators.len());

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

	/// The header of block `hash`, or of the best block.
	pub async fn header(&self, hash: Option<H256>) -> Result<SubstrateHeader<H256>> {
		self.legacy()
			.chain_get_header(hash)
			.await
			.map_err(|e| self.rpc_error("chain_getHeader", e))?
			.ok_or_else(|| self.rpc_error("chain_getHeader", "the node does not know this block"))
	}

	/// The validator set in force at block `at`: Aura and GRANDPA keys, in authoring order.
	pub async fn validators(&self, at: H256) -> Result<Vec<Validator>> {
		let at_block = self.api().at_block(at).await.map_err(|e| self.incompatible(e))?;
		let apis = at_block.runtime_apis();
		let aura = apis
			.call(runtime::runtime_apis().aura_api().authorities())
			.await
			.map_err(|e| self.incompatible(e))?;
		let grandpa = apis
			.call(runtime::runtime_apis().grandpa_api().grandpa_authorities())
			.await
			.map_err(|e| self.incompatible(e))?;
		Ok(aura
			.into_iter()
			.enumerate()
			.map(|(i, key)| Validator {
				aura: AccountId32(key.0).to_string(),
				grandpa: grandpa
					.get(i)
					.map(|(key, _weight)| format!("0x{}", hex::encode(key.0)))
					.unwrap_or_default(),
			})
			.collect())
	}

	/// The index, in the validator set of `validator_count` members, of the author of the block
	/// with `header`: Aura assigns slot `s` to validator `s mod n`.
	pub fn author_index(
		&self,
		header: &SubstrateHeader<H256>,
		validator_count: usize,
	) -> Option<usize> {
		aura_slot(header).and_then(|slot| {
			let count = u64::try_from(validator_count).ok().filter(|n| *n > 0)?;
			usize::try_from(slot % count).ok()
		})
	}

	pub(crate) fn incompatible(&self, e: impl ToString) -> crate::Error {
		crate::Error::IncompatibleRuntime {
			url: self.url().to_string(),
			reason: crate::chain::one_line(&e.to_string()),
		}
	}
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

impl Status {
	/// The human-readable form printed by `medtrust status`.
	pub fn render(&self) -> String {
		let mut out = String::new();
		let mut line = |label: &str, value: String| {
			out.push_str(&format!("{label:<14} {value}\n"));
		};
		line("Node", format!("{} ({})", self.url, self.node));
		line("Chain", self.chain.clone());
		line("Genesis", format!("{:?}", self.genesis_hash));
		line(
			"Runtime",
			format!(
				"{} spec {} (impl {}, tx {})",
				self.runtime.spec_name,
				self.runtime.spec_version,
				self.runtime.impl_version,
				self.runtime.transaction_version
			),
		);
		let author = self
			.best_author
			.map(|i| format!(", authored by validator {}", i + 1))
			.unwrap_or_default();
		line("Best block", format!("#{} {:?}{author}", self.best.number, self.best.hash));
		line("Finalized", format!("#{} {:?}", self.finalized.number, self.finalized.hash));
		line("Peers", format!("{}{}", self.peers, if self.is_syncing { " (syncing)" } else { "" }));
		line("Validators", self.validators.len().to_string());
		for (i, v) in self.validators.iter().enumerate() {
			out.push_str(&format!("  {:>2}. aura {}  grandpa {}\n", i + 1, v.aura, v.grandpa));
		}
		out
	}
}
