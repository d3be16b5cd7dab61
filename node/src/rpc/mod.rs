//! The node's JSON-RPC methods beyond the standard ones that `sc_service` installs
//! (`chain_*`, `state_*`, `author_*`, `system_*` and the new `chainHead_v1_*` family).
//!
//! - `system_accountNextIndex`, which wallets use to pick a nonce that counts transactions
//!   waiting in the pool;
//! - MedTrust's own `medtrust_*` methods over the runtime APIs: the consortium ([`consortium`]),
//!   the data catalog ([`catalog`]), relations between data items ([`relations`]),
//!   certificates and their offline evidence ([`certificates`]), lineage ([`lineage`]).
//!
//! Every `medtrust_*` method is documented in `docs/rpc.md`; an end-to-end test
//! (`dev_chain`) fails when the node serves one it does not list, or lists one the node does
//! not serve.

pub mod catalog;
pub mod certificates;
pub mod consortium;
pub mod finality;
pub mod gate;
pub mod lineage;
pub mod lineage_index;
pub mod relations;
pub mod sharing;

use std::sync::Arc;

use jsonrpsee::RpcModule;
use medtrust_runtime::{
	apis::{
		ActivityInfo, AssetInfo, CertificateInfo, DatasetInfo, DomainCode, DomainInfo,
		InstitutionInfo, ItemInfo, RelationInfo, ResourceInfo, SourceInfo, VersionInfo,
	},
	opaque::Block,
	AccountId, Nonce,
};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC methods need from the node.
pub struct FullDeps<C, P, B> {
	/// The client, to read state and call runtime APIs.
	pub client: Arc<C>,
	/// The transaction pool, for pending nonces.
	pub pool: Arc<P>,
	/// GRANDPA's finality and warp-sync proofs, for certificates' offline evidence.
	pub finality: certificates::FinalityDeps<B>,
	/// The in-memory lineage graph that lineage walks are answered from.
	pub lineage_index: Arc<lineage_index::LineageIndex>,
}

/// Builds the node's own RPC methods.
pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ sc_client_api::ProofProvider<Block>
		+ sc_client_api::StorageProvider<Block, B>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: BlockBuilder<Block>,
	C::Api: pallet_data_sources_runtime_api::DataSourcesApi<
		Block,
		DomainCode,
		DomainInfo,
		SourceInfo,
		ResourceInfo,
		VersionInfo,
	>,
	C::Api: pallet_field_mapping_runtime_api::FieldMappingApi<Block, ItemInfo>,
	C::Api: pallet_field_mapping_runtime_api::RelationsApi<Block, RelationInfo>,
	C::Api: pallet_certificates_runtime_api::CertificatesApi<Block, CertificateInfo>,
	C::Api: pallet_consortium_runtime_api::ConsortiumApi<
		Block,
		AccountId,
		InstitutionInfo,
		medtrust_primitives::BlockNumber,
	>,
	C::Api: pallet_lineage_runtime_api::LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
	C::Api: pallet_sharing_runtime_api::SharingApi<
		Block,
		medtrust_runtime::apis::GrantInfo,
		medtrust_runtime::apis::ReceiptInfo,
		medtrust_runtime::apis::AttestationInfo,
		medtrust_runtime::apis::ErasureInfo,
	>,
	C::Api: sp_consensus_aura::AuraApi<Block, sp_consensus_aura::sr25519::AuthorityId>,
	C::Api: sp_consensus_grandpa::GrandpaApi<Block>,
	P: TransactionPool + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
{
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, finality, lineage_index } = deps;
	// One gate for every expensive method: walks, catalog pages and items, offline evidence.
	let gate = gate::Gate::default();

	use catalog::{Catalog, CatalogRpcServer};
	use certificates::CertificatesRpcServer;
	use consortium::{Consortium, ConsortiumRpcServer};
	use lineage::{Lineage, LineageRpcServer};
	use relations::{Relations, RelationsRpcServer};
	use sharing::{Sharing, SharingRpcServer};
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(Consortium::<C, B>::new(client.clone()).into_rpc())?;
	module.merge(Catalog::new(client.clone(), gate.clone()).into_rpc())?;
	module.merge(Relations::new(client.clone()).into_rpc())?;
	module.merge(Sharing::<C, B>::new(client.clone()).into_rpc())?;
	module.merge(Lineage::new(client.clone(), lineage_index, gate.clone()).into_rpc())?;
	module.merge(certificates::Certificates::new(client, finality, gate).into_rpc())?;

	Ok(module)
}
