//! The runtime APIs: what the node and clients may ask the runtime. Each method delegates to a
//! pallet or to the executive in one line.

use alloc::vec::Vec;
use frame_support::genesis_builder_helper::{build_state, get_preset};
#[cfg(feature = "try-runtime")]
use frame_support::weights::Weight;
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_session::OpaqueGeneratedSessionKeys;
use sp_version::RuntimeVersion;

use crate::{
	genesis_config_presets, AccountId, Aura, Block, BlockNumber, Certificates, Consortium,
	DataSources, Executive, FieldMapping, Grandpa, InherentDataExt, Lineage, Nonce, Runtime,
	RuntimeGenesisConfig, SessionKeys, Sharing, System, VERSION,
};

/// A grant as the sharing runtime API returns it.
pub type GrantInfo = pallet_sharing::Grant<Runtime>;
/// A receipt as the sharing runtime API returns it.
pub type ReceiptInfo = pallet_sharing::Receipt<Runtime>;
/// A deletion attestation as the sharing runtime API returns it.
pub type AttestationInfo = pallet_sharing::Attestation<Runtime>;
/// An erasure as the sharing runtime API returns it.
pub type ErasureInfo = pallet_sharing::Erasure<Runtime>;

/// An institution as the consortium runtime API returns it.
pub type InstitutionInfo = pallet_consortium::InstitutionViewOf<Runtime>;
/// A business domain's code.
pub type DomainCode = pallet_data_sources::DomainCode<Runtime>;
/// A business domain as the data sources runtime API returns it.
pub type DomainInfo = pallet_data_sources::Domain<Runtime>;
/// A data source as the data sources runtime API returns it.
pub type SourceInfo = pallet_data_sources::Source<Runtime>;
/// A resource as the data sources runtime API returns it.
pub type ResourceInfo = pallet_data_sources::Resource<Runtime>;
/// A resource's schema version as the data sources runtime API returns it.
pub type VersionInfo = pallet_data_sources::ResourceVersion<Runtime>;
/// A data item as the field mapping runtime API returns it.
pub type ItemInfo = pallet_field_mapping::DataItem<Runtime>;
/// A relation between data items as the relations runtime API returns it.
pub type RelationInfo = pallet_field_mapping::Relation<Runtime>;
/// A certificate as the certificates runtime API returns it.
pub type CertificateInfo = pallet_certificates::Certificate<Runtime>;
/// A lineage asset as the lineage runtime API returns it.
pub type AssetInfo = pallet_lineage::Asset<Runtime>;
/// A recorded activity (run) as the lineage runtime API returns it.
pub type ActivityInfo = pallet_lineage::Activity<Runtime>;
/// A dataset as the lineage runtime API returns it.
pub type DatasetInfo = pallet_lineage::Dataset<Runtime>;

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block)
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Equivocations are a governance matter in a consortium; there is nothing to slash.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			// `KeyOwnerProof` is `Void`: no such proof can exist.
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_sharing_runtime_api::SharingApi<Block, GrantInfo, ReceiptInfo, AttestationInfo, ErasureInfo> for Runtime {
		fn grant(id: pallet_sharing::GrantId) -> Option<GrantInfo> {
			pallet_sharing::Grants::<Runtime>::get(id)
		}

		fn grants(
			institution: pallet_sharing::InstitutionId,
			side: pallet_sharing::Side,
			from: pallet_sharing::GrantId,
			limit: u32,
		) -> Vec<(pallet_sharing::GrantId, GrantInfo)> {
			Sharing::grants_of(institution, side, from, limit)
		}

		fn receipts(id: pallet_sharing::GrantId) -> Vec<ReceiptInfo> {
			Sharing::receipts_of(id)
		}

		fn attestations(id: pallet_sharing::GrantId) -> Vec<AttestationInfo> {
			Sharing::attestations_of(id)
		}

		fn pending_deletions(id: pallet_sharing::GrantId) -> Vec<pallet_sharing::ErasureId> {
			Sharing::pending_of(id)
		}

		fn erasure(id: pallet_sharing::ErasureId) -> Option<ErasureInfo> {
			pallet_sharing::Erasures::<Runtime>::get(id)
		}

		fn endpoint(institution: pallet_sharing::InstitutionId) -> Option<Vec<u8>> {
			pallet_sharing::Endpoints::<Runtime>::get(institution).map(|url| url.into_inner())
		}

		fn check(
			id: pallet_sharing::GrantId,
			requester: pallet_sharing::InstitutionId,
			records: Vec<pallet_sharing::RecordRange>,
		) -> Result<(), pallet_sharing::Refusal> {
			Sharing::check(id, requester, &records)
		}
	}

	#[api_version(3)]
	impl pallet_consortium_runtime_api::ConsortiumApi<Block, AccountId, InstitutionInfo, BlockNumber> for Runtime {
		fn authorized_peer_ids() -> Vec<Vec<u8>> {
			Consortium::authorized_peer_ids()
		}

		fn institutions() -> Vec<(pallet_consortium::InstitutionId, InstitutionInfo)> {
			Consortium::institution_views()
		}

		fn institution(id: pallet_consortium::InstitutionId) -> Option<InstitutionInfo> {
			Consortium::institution_view(id)
		}

		fn encryption_keys(
			id: pallet_consortium::InstitutionId,
		) -> Vec<(pallet_consortium::KeyVersion, pallet_consortium::EncryptionKey<BlockNumber>)> {
			Consortium::encryption_keys(id)
		}

		fn members(id: pallet_consortium::InstitutionId) -> Vec<AccountId> {
			Consortium::members_of(id)
		}

		fn institution_of(account: AccountId) -> Option<pallet_consortium::InstitutionId> {
			pallet_consortium::MemberOf::<Runtime>::get(account)
		}

		fn next_validators() -> Vec<AccountId> {
			Consortium::next_validators().unwrap_or_default()
		}

		fn min_validators() -> u32 {
			pallet_consortium::MinValidators::<Runtime>::get()
		}
	}

	impl pallet_data_sources_runtime_api::DataSourcesApi<
		Block, DomainCode, DomainInfo, SourceInfo, ResourceInfo, VersionInfo
	> for Runtime {
		fn domains() -> Vec<(DomainCode, DomainInfo)> {
			DataSources::domains()
		}

		fn sources_of(institution: pallet_data_sources::InstitutionId) -> Vec<(pallet_data_sources::SourceId, SourceInfo)> {
			DataSources::sources_of(institution)
		}

		fn source(id: pallet_data_sources::SourceId) -> Option<SourceInfo> {
			pallet_data_sources::Sources::<Runtime>::get(id)
		}

		fn resources_of(source: pallet_data_sources::SourceId) -> Vec<(pallet_data_sources::ResourceId, ResourceInfo)> {
			DataSources::resources_of(source)
		}

		fn resource(id: pallet_data_sources::ResourceId) -> Option<ResourceInfo> {
			pallet_data_sources::Resources::<Runtime>::get(id)
		}

		fn versions(resource: pallet_data_sources::ResourceId) -> Vec<(pallet_data_sources::Version, VersionInfo)> {
			DataSources::versions_of(resource)
		}

		fn catalog_page(
			start: pallet_data_sources::ResourceId,
			limit: u32,
		) -> Vec<(pallet_data_sources::ResourceId, ResourceInfo, Vec<(pallet_data_sources::Version, VersionInfo)>)> {
			DataSources::catalog_page(start, limit)
		}

		fn next_resource_id() -> pallet_data_sources::ResourceId {
			pallet_data_sources::NextResourceId::<Runtime>::get()
		}
	}

	impl pallet_field_mapping_runtime_api::FieldMappingApi<Block, ItemInfo> for Runtime {
		fn items(
			resource: pallet_data_sources::ResourceId,
			version: pallet_data_sources::Version,
			start: u32,
			limit: u32,
		) -> Vec<ItemInfo> {
			FieldMapping::items(resource, version, start, limit)
		}

		fn item_count(resource: pallet_data_sources::ResourceId, version: pallet_data_sources::Version) -> u32 {
			pallet_field_mapping::ItemCount::<Runtime>::get((resource, version))
		}
	}

	impl pallet_field_mapping_runtime_api::RelationsApi<Block, RelationInfo> for Runtime {
		fn relation(id: pallet_field_mapping::RelationId) -> Option<RelationInfo> {
			pallet_field_mapping::Relations::<Runtime>::get(id)
		}

		fn relations_of_item(
			resource: pallet_data_sources::ResourceId,
			version: pallet_data_sources::Version,
			item: Vec<u8>,
		) -> Vec<(pallet_field_mapping::RelationId, RelationInfo)> {
			FieldMapping::relations_of_item(resource, version, &item)
		}

		fn relations_of_resource(
			resource: pallet_data_sources::ResourceId,
		) -> Vec<(pallet_field_mapping::RelationId, RelationInfo)> {
			FieldMapping::relations_of_resource(resource)
		}

		fn relations_between(
			source: pallet_data_sources::SourceId,
			other: pallet_data_sources::SourceId,
			skip: u32,
			limit: u32,
		) -> Vec<(pallet_field_mapping::RelationId, RelationInfo)> {
			FieldMapping::relations_between(source, other, skip, limit)
		}

		fn awaiting(
			institution: pallet_data_sources::InstitutionId,
			skip: u32,
			limit: u32,
		) -> Vec<(pallet_field_mapping::RelationId, RelationInfo)> {
			FieldMapping::awaiting(institution, skip, limit)
		}

		fn next_relation_id() -> pallet_field_mapping::RelationId {
			pallet_field_mapping::NextRelationId::<Runtime>::get()
		}
	}

	#[api_version(2)]
	impl pallet_certificates_runtime_api::CertificatesApi<Block, CertificateInfo> for Runtime {
		fn certificate(id: pallet_certificates::CertificateId) -> Option<CertificateInfo> {
			pallet_certificates::Certificates::<Runtime>::get(id)
		}

		fn certificate_of(
			issuer: pallet_data_sources::InstitutionId,
			hash: [u8; 32],
		) -> Option<(pallet_certificates::CertificateId, CertificateInfo)> {
			Certificates::certificate_of(issuer, hash)
		}

		fn verify(
			issuer: pallet_data_sources::InstitutionId,
			commitment: [u8; 32],
			proof: Option<pallet_certificates::MerkleProof>,
		) -> (pallet_certificates::Verdict, Option<(pallet_certificates::CertificateId, CertificateInfo)>) {
			Certificates::verify(issuer, commitment, proof)
		}
	}

	#[api_version(2)]
	impl pallet_lineage_runtime_api::LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo> for Runtime {
		fn assets(ids: Vec<pallet_lineage::AssetId>) -> Vec<Option<AssetInfo>> {
			Lineage::assets(ids)
		}

		fn activity(id: pallet_lineage::ActivityId) -> Option<ActivityInfo> {
			pallet_lineage::Activities::<Runtime>::get(id)
		}

		fn activities(skip: pallet_lineage::ActivityId, limit: u32) -> Vec<(pallet_lineage::ActivityId, ActivityInfo)> {
			Lineage::activities(skip, limit)
		}

		fn activity_of_run(run_id: [u8; 16]) -> Option<pallet_lineage::ActivityId> {
			pallet_lineage::ActivityOfRun::<Runtime>::get(run_id)
		}

		fn dataset(id: pallet_lineage::DatasetId) -> Option<DatasetInfo> {
			pallet_lineage::Datasets::<Runtime>::get(id)
		}

		fn dataset_of(namespace: Vec<u8>, name: Vec<u8>) -> Option<(pallet_lineage::DatasetId, DatasetInfo)> {
			Lineage::dataset_of(namespace, name)
		}

		fn field_of(edition: pallet_lineage::AssetId, name: Vec<u8>) -> Option<pallet_lineage::AssetId> {
			Lineage::field_of(edition, name)
		}

		fn fields_of(edition: pallet_lineage::AssetId) -> Vec<pallet_lineage::AssetId> {
			Lineage::fields_of(edition)
		}

		fn open_run(id: pallet_lineage::ActivityId) -> Option<(u32, u32)> {
			Lineage::open_run(id)
		}

		fn asset_of_certificate(certificate: u64) -> Option<pallet_lineage::AssetId> {
			pallet_lineage::AssetOfCertificate::<Runtime>::get(certificate)
		}

		fn walk(
			start: pallet_lineage::AssetId,
			direction: pallet_lineage::Direction,
			depth: u32,
			skip: u32,
			limit: u32,
		) -> Option<pallet_lineage::Walk> {
			Lineage::walk(start, direction, depth, skip, limit)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::BenchmarkList;
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::{extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench};
			use crate::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);
			(list, AllPalletsWithSystem::storage_info())
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::BenchmarkBatch;
			use frame_support::traits::{TrackedStorageKey, WhitelistedStorageKeys};
			use frame_system_benchmarking::{extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench};
			use crate::*;

			impl frame_system_benchmarking::Config for Runtime {}

			let whitelist: Vec<TrackedStorageKey> =
				AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// try-runtime is an offline testing tool: a failed check must stop it loudly.
			let weight = Executive::try_runtime_upgrade(checks)
				.expect("try-runtime: a pre- or post-upgrade check failed");
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("try-runtime: executing the block failed")
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}
}
