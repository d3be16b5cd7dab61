//! The node's JSON-RPC methods beyond the standard ones that `sc_service` installs
//! (`chain_*`, `state_*`, `author_*`, `system_*` and the new `chainHead_v1_*` family).
//!
//! Today: `system_accountNextIndex`, which wallets use to pick a nonce that counts
//! transactions waiting in the pool. Each MedTrust capability adds its `medtrust_*` methods here.

use std::sync::Arc;

use jsonrpsee::RpcModule;
use medtrust_runtime::{opaque::Block, AccountId, Nonce};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC methods need from the node.
pub struct FullDeps<C, P> {
	/// The client, to read state and call runtime APIs.
	pub client: Arc<C>,
	/// The transaction pool, for pending nonces.
	pub pool: Arc<P>,
}

/// Builds the node's own RPC methods.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client, pool).into_rpc())?;

	Ok(module)
}
