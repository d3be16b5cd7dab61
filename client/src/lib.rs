//! # MedTrust client
//!
//! The library behind the `medtrust` command-line tool, laid out by capability: one module per
//! requirement of the buyer, each with its own types, reads (the node's `medtrust_*` JSON-RPC
//! methods) and transactions (subxt, with types generated from the committed runtime metadata,
//! `artifacts/metadata.scale`).
//!
//! | module | requirement | pallet | runtime API |
//! |---|---|---|---|
//! | [`consortium`] | member institutions, validators, governance | `pallet-consortium` | `ConsortiumApi` |
//! | [`catalog`] | 1–3: business domains in scope, data sources, data items | `pallet-data-sources`, `pallet-field-mapping` | `DataSourcesApi`, `FieldMappingApi` |
//! | [`relations`] | 4: data-source confirmation, relations between data items | `pallet-field-mapping` | `RelationsApi` |
//! | [`lineage`] | 6: data lineage, OpenLineage in, PROV / FHIR out | `pallet-lineage` | `LineageApi` |
//! | [`certificates`] | 5, 7: encrypted anchoring, certificates, verification | `pallet-certificates` | `CertificatesApi` |
//! | [`sharing`] | sharing across institutions: grants, receipts, erasure | `pallet-sharing` | `SharingApi` |
//!
//! Below them:
//! [`chain`] (the connection, transactions, status, signers), [`files`] (writes never left
//! torn, never readable by others), [`server`] (the bounded, authenticated HTTP endpoint of the
//! services that act for an institution), [`wire`] (the one spelling of every closed set of values) and [`error`].

pub mod catalog;
pub mod certificates;
pub mod chain;
pub mod consortium;
pub mod error;
pub mod files;
pub mod lineage;
pub mod postgres;
pub mod relations;
pub mod server;
pub mod sharing;
pub mod wire;

pub use chain::{Chain, MedTrustConfig, DEFAULT_URL};
pub use error::{Error, Result};

/// Types and calls generated from the runtime metadata committed in `artifacts/metadata.scale`.
///
/// `scripts/refresh-metadata.sh` rewrites that file from the current runtime; a runtime test
/// fails while it is stale. The closed sets with wire names are the pallets' own types (SCALE
/// encoded as they are), so that each has one definition; a stored certificate also decodes
/// from plain SCALE (`codec::Decode`), for offline verification of storage proofs.
#[subxt::subxt(
	runtime_metadata_path = "artifacts/metadata.scale",
	derive_for_all_types = "Clone, PartialEq, Eq",
	derive_for_type(
		path = "pallet_certificates::types::Certificate",
		derive = "::codec::Decode",
		recursive
	),
	substitute_type(
		path = "pallet_certificates::types::RevocationReason",
		with = "::subxt::utils::Static<::pallet_certificates::RevocationReason>"
	),
	substitute_type(
		path = "medtrust_primitives::hashing::HashAlgorithm",
		with = "::subxt::utils::Static<::medtrust_primitives::hashing::HashAlgorithm>"
	),
	substitute_type(
		path = "pallet_data_sources::types::SystemKind",
		with = "::subxt::utils::Static<::pallet_data_sources::SystemKind>"
	),
	substitute_type(
		path = "pallet_data_sources::types::Operation",
		with = "::subxt::utils::Static<::pallet_data_sources::Operation>"
	),
	substitute_type(
		path = "pallet_field_mapping::types::RelationKind",
		with = "::subxt::utils::Static<::pallet_field_mapping::RelationKind>"
	),
	substitute_type(
		path = "pallet_field_mapping::types::RelationStatus",
		with = "::subxt::utils::Static<::pallet_field_mapping::RelationStatus>"
	),
	substitute_type(
		path = "pallet_lineage::types::ActivityKind",
		with = "::subxt::utils::Static<::pallet_lineage::ActivityKind>"
	),
	substitute_type(
		path = "pallet_lineage::types::Transformation",
		with = "::subxt::utils::Static<::pallet_lineage::Transformation>"
	),
	substitute_type(
		path = "pallet_consortium::types::InstitutionKind",
		with = "::subxt::utils::Static<::pallet_consortium::InstitutionKind>"
	),
	substitute_type(
		path = "pallet_consortium::types::KeyScheme",
		with = "::subxt::utils::Static<::pallet_consortium::KeyScheme>"
	),
	substitute_type(
		path = "pallet_sharing::types::Purpose",
		with = "::subxt::utils::Static<::pallet_sharing::Purpose>"
	)
)]
pub mod runtime {}
