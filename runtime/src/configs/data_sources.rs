//! `pallet_data_sources`: business domains in scope, data sources and their versioned
//! resources. Domains are governed by the consortium; sources belong to institutions.

use frame_support::parameter_types;

use crate::{configs::consortium::GovernanceOrigin, Runtime};

parameter_types! {
	/// Domain codes and shared data-domain names: `PUBLIC_HEALTH_REPORTING` fits.
	pub const MaxCodeLen: u32 = 32;
	/// 256 bytes: 85 Chinese characters.
	pub const MaxNameLen: u32 = 256;
	/// 1 KiB: about 340 Chinese characters.
	pub const MaxDescriptionLen: u32 = 1024;
	/// Database, schema, table, protocol, method, path, file pattern or storage address.
	pub const MaxLocatorLen: u32 = 256;
	/// Business domains of the consortium.
	pub const MaxDomains: u32 = 128;
	/// Data domains one business shares.
	pub const MaxSharedData: u32 = 16;
	/// Business domains one system serves.
	pub const MaxDomainsPerSource: u32 = 16;
	/// Systems of one institution.
	pub const MaxSourcesPerInstitution: u32 = 256;
	/// Tables, interfaces and file sets of one system.
	pub const MaxResourcesPerSource: u32 = 4096;
	/// Processing operations recorded for one resource.
	pub const MaxOperations: u32 = 8;
	/// Schema versions of one resource.
	pub const MaxVersions: u32 = 1024;
	/// Fields of one table or interface version.
	pub const MaxItemsPerVersion: u32 = 2048;
}

impl pallet_data_sources::Config for Runtime {
	type GovernanceOrigin = GovernanceOrigin;
	type InstitutionOrigin = pallet_consortium::EnsureMember<Runtime>;
	type MaxCodeLen = MaxCodeLen;
	type MaxNameLen = MaxNameLen;
	type MaxDescriptionLen = MaxDescriptionLen;
	type MaxLocatorLen = MaxLocatorLen;
	type MaxDomains = MaxDomains;
	type MaxSharedData = MaxSharedData;
	type MaxDomainsPerSource = MaxDomainsPerSource;
	type MaxSourcesPerInstitution = MaxSourcesPerInstitution;
	type MaxResourcesPerSource = MaxResourcesPerSource;
	type MaxOperations = MaxOperations;
	type MaxVersions = MaxVersions;
	type MaxItemsPerVersion = MaxItemsPerVersion;
	type WeightInfo = pallet_data_sources::weights::SubstrateWeight<Runtime>;
}
