//! # Data sources pallet
//!
//! Which medical business goes on chain, and where its data comes from: the first half of
//! MedTrust's trusted verification catalog (可信验证目录).
//!
//! ## Overview
//!
//! - **Business domains** (医疗业务: outpatient, inpatient, laboratory …) list the data domains
//!   they share with other business and are *in scope* for anchoring or not. Consortium
//!   governance ([`Config::GovernanceOrigin`]) adds and changes them.
//! - **Data sources** are systems of one institution (HIS, LIS, PACS, EMR …) serving in-scope
//!   business domains. Only accounts of the owning institution ([`Config::InstitutionOrigin`])
//!   change a source or its resources.
//! - **Resources** of a source are database tables, service interfaces or file sets, with
//!   their storage address, the processing operations applied, and a **schema version**: each
//!   schema change adds a version with the new schema hash and item count; old versions stay
//!   queryable. The fields of each version (data items) are registered by
//!   `pallet-field-mapping`.
//!
//! ## Terminology
//!
//! - *Domain code*: a business domain's key, ASCII capitals (`OUTPATIENT`).
//! - *Shared data domain*: a kind of data several businesses use (`patient`, `diagnosis`),
//!   lower-case ASCII.
//! - *Schema hash*: BLAKE2b-256 of a resource's canonical schema, computed by the importer so
//!   that a second import can tell whether anything changed.
//!
//! ## Calls
//!
//! Governance: [`Pallet::add_domain`], [`Pallet::update_domain`], [`Pallet::set_scope`].
//! An institution's accounts: [`Pallet::register_source`], [`Pallet::update_source`],
//! [`Pallet::set_source_status`], [`Pallet::register_resource`], [`Pallet::add_version`],
//! [`Pallet::set_resource_details`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(any(test, feature = "mock"))]
pub mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// The most resources in one page of [`Pallet::catalog_page`] (the runtime API clamps to it).
pub const MAX_CATALOG_PAGE: u32 = 50;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// The storage layout's version; migrations in `migrations/` move between versions.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Who adds and changes business domains and their scope.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// An account of an active institution; gives the institution's id.
		type InstitutionOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = InstitutionId>;

		/// The longest domain code or shared data-domain name, in bytes.
		#[pallet::constant]
		type MaxCodeLen: Get<u32>;

		/// The longest name (domain, source, resource), in UTF-8 bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// The longest domain description, in UTF-8 bytes.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;

		/// The longest locator (database, schema, table, protocol, path, address), in bytes.
		#[pallet::constant]
		type MaxLocatorLen: Get<u32>;

		/// The most business domains.
		#[pallet::constant]
		type MaxDomains: Get<u32>;

		/// The most shared data domains of one business domain.
		#[pallet::constant]
		type MaxSharedData: Get<u32>;

		/// The most business domains one source serves.
		#[pallet::constant]
		type MaxDomainsPerSource: Get<u32>;

		/// The most data sources of one institution.
		#[pallet::constant]
		type MaxSourcesPerInstitution: Get<u32>;

		/// The most resources of one source.
		#[pallet::constant]
		type MaxResourcesPerSource: Get<u32>;

		/// The most processing operations recorded for one resource.
		#[pallet::constant]
		type MaxOperations: Get<u32>;

		/// The most schema versions of one resource.
		#[pallet::constant]
		type MaxVersions: Get<u32>;

		/// The most data items of one resource version.
		#[pallet::constant]
		type MaxItemsPerVersion: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The business domains, by code.
	// Codes are chosen by governance, not by arbitrary callers, but `Blake2_128Concat` costs
	// little and keeps the trie balanced whatever the codes.
	#[pallet::storage]
	pub type Domains<T: Config> = StorageMap<_, Blake2_128Concat, DomainCode<T>, Domain<T>>;

	/// How many business domains there are.
	#[pallet::storage]
	pub type DomainCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Every data source, by id.
	// Ids are assigned in sequence by this pallet: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Sources<T: Config> = StorageMap<_, Twox64Concat, SourceId, Source<T>>;

	/// The id the next data source gets.
	#[pallet::storage]
	pub type NextSourceId<T: Config> = StorageValue<_, SourceId, ValueQuery>;

	/// The sources of each institution.
	// Both keys are assigned (by pallet-consortium and this pallet), never chosen by callers.
	#[pallet::storage]
	pub type SourceOf<T: Config> =
		StorageDoubleMap<_, Twox64Concat, InstitutionId, Twox64Concat, SourceId, ()>;

	/// How many sources each institution has.
	// Institution ids are assigned by pallet-consortium: `Twox64Concat`.
	#[pallet::storage]
	pub type SourceCount<T: Config> = StorageMap<_, Twox64Concat, InstitutionId, u32, ValueQuery>;

	/// Every resource, by id.
	// Ids are assigned in sequence by this pallet: `Twox64Concat`.
	#[pallet::storage]
	pub type Resources<T: Config> = StorageMap<_, Twox64Concat, ResourceId, Resource<T>>;

	/// The id the next resource gets.
	#[pallet::storage]
	pub type NextResourceId<T: Config> = StorageValue<_, ResourceId, ValueQuery>;

	/// The resources of each source, by name (unique in a source).
	// Source ids are assigned (`Twox64Concat`); names are chosen by callers (`Blake2_128Concat`).
	#[pallet::storage]
	pub type ResourceOfName<T: Config> =
		StorageDoubleMap<_, Twox64Concat, SourceId, Blake2_128Concat, Name<T>, ResourceId>;

	/// Every schema version of every resource.
	// Both keys are assigned by this pallet: `Twox64Concat`.
	#[pallet::storage]
	pub type Versions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ResourceId, Twox64Concat, Version, ResourceVersion<T>>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The business domains the consortium starts with.
		pub domains: Vec<GenesisDomain>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for domain in &self.domains {
				let (code, info) = Pallet::<T>::genesis_domain(domain)
					.expect("genesis business domains must be well formed");
				Pallet::<T>::do_add_domain(code, info, domain.in_scope)
					.expect("genesis business domains must be valid and distinct");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance added a business domain.
		DomainAdded { code: DomainCode<T>, in_scope: bool },
		/// Governance changed a business domain's name, description or shared data.
		DomainUpdated { code: DomainCode<T> },
		/// Governance put a business domain in or out of scope for anchoring.
		ScopeSet { code: DomainCode<T>, in_scope: bool },
		/// An institution registered a data source.
		SourceRegistered { source: SourceId, institution: InstitutionId },
		/// An institution changed a data source's name or domains.
		SourceUpdated { source: SourceId },
		/// An institution retired or re-activated a data source.
		SourceStatusSet { source: SourceId, status: SourceStatus },
		/// An institution registered a resource of one of its sources (version 1).
		ResourceRegistered { resource: ResourceId, source: SourceId, schema_hash: [u8; 32] },
		/// An institution registered a new schema version of a resource.
		VersionAdded { resource: ResourceId, version: Version, schema_hash: [u8; 32] },
		/// An institution changed a resource's address or processing operations.
		ResourceUpdated { resource: ResourceId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No business domain, source or resource has this key. Check `medtrust catalog
		/// domains` / `sources` / `show`.
		NotFound,
		/// A business domain with this code exists already, or a resource with this name exists
		/// in the source already (import it again to add a version instead).
		AlreadyExists,
		/// A domain code is empty or not ASCII capitals, digits, `_` and `-`; or a shared data
		/// domain is not lower-case ASCII, digits, `_` and `-`.
		InvalidCode,
		/// A name or description is empty or not UTF-8.
		InvalidName,
		/// A locator (database, schema, table, protocol, method, path, pattern) is empty.
		InvalidLocator,
		/// The source's business domain is out of scope: the consortium does not anchor its data.
		OutOfScope,
		/// A list names the same domain or operation twice.
		Duplicate,
		/// A source must serve at least one business domain.
		NoDomains,
		/// The consortium has `MaxDomains` business domains already.
		TooManyDomains,
		/// The institution has `MaxSourcesPerInstitution` sources already.
		TooManySources,
		/// The source has `MaxResourcesPerSource` resources already.
		TooManyResources,
		/// The resource has `MaxVersions` versions already.
		TooManyVersions,
		/// The item count is above `MaxItemsPerVersion`.
		TooManyItems,
		/// The caller's institution does not own this source or resource.
		NotAuthorized,
		/// The source is retired: re-activate it first.
		SourceRetired,
		/// The new schema hash is the current one: nothing changed, no version is added.
		UnchangedSchema,
		/// The source already has this status.
		UnchangedStatus,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds a business domain (governance).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_domain(info.shared_data.len() as u32))]
		pub fn add_domain(
			origin: OriginFor<T>,
			code: DomainCode<T>,
			info: Box<DomainInfo<T>>,
			in_scope: bool,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_add_domain(code, *info, in_scope)
		}

		/// Changes a business domain's name, description and shared data (governance).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_domain(info.shared_data.len() as u32))]
		pub fn update_domain(
			origin: OriginFor<T>,
			code: DomainCode<T>,
			info: Box<DomainInfo<T>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_update_domain(code, *info)
		}

		/// Puts a business domain in or out of scope for anchoring (governance). Sources that
		/// serve it keep existing; anchoring its data is refused while it is out of scope.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_scope())]
		pub fn set_scope(
			origin: OriginFor<T>,
			code: DomainCode<T>,
			in_scope: bool,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_set_scope(code, in_scope)
		}

		/// Registers a data source of the caller's institution, serving in-scope domains.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::register_source(domains.len() as u32))]
		pub fn register_source(
			origin: OriginFor<T>,
			name: Name<T>,
			system: SystemKind,
			domains: BoundedVec<DomainCode<T>, T::MaxDomainsPerSource>,
		) -> DispatchResult {
			let institution = T::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_register_source(institution, name, system, domains).map(|_| ())
		}

		/// Changes the name and domains of one of the caller's institution's sources.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::update_source(domains.len() as u32))]
		pub fn update_source(
			origin: OriginFor<T>,
			source: SourceId,
			name: Name<T>,
			domains: BoundedVec<DomainCode<T>, T::MaxDomainsPerSource>,
		) -> DispatchResult {
			let institution = T::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_update_source(institution, source, name, domains)
		}

		/// Retires or re-activates one of the caller's institution's sources.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_source_status())]
		pub fn set_source_status(
			origin: OriginFor<T>,
			source: SourceId,
			status: SourceStatus,
		) -> DispatchResult {
			let institution = T::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_set_source_status(institution, source, status)
		}

		/// Registers a resource of one of the caller's institution's active sources, with its
		/// first schema version (`schema_hash`, `item_count` items to register).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::register_resource())]
		pub fn register_resource(
			origin: OriginFor<T>,
			source: SourceId,
			name: Name<T>,
			kind: Box<ResourceKind<T>>,
			address: Locator<T>,
			operations: BoundedVec<Operation, T::MaxOperations>,
			schema_hash: [u8; 32],
			item_count: u32,
		) -> DispatchResult {
			let institution = T::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_register_resource(
				institution,
				source,
				name,
				*kind,
				address,
				operations,
				schema_hash,
				item_count,
			)
			.map(|_| ())
		}

		/// Registers a new schema version of a resource (its schema changed).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::add_version())]
		pub fn add_version(
			origin: OriginFor<T>,
			resource: ResourceId,
			schema_hash: [u8; 32],
			item_count: u32,
		) -> DispatchResult {
			let institution = T::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_add_version(institution, resource, schema_hash, item_count).map(|_| ())
		}

		/// Changes a resource's storage address and processing operations.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_resource_details())]
		pub fn set_resource_details(
			origin: OriginFor<T>,
			resource: ResourceId,
			address: Locator<T>,
			operations: BoundedVec<Operation, T::MaxOperations>,
		) -> DispatchResult {
			let institution = T::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_set_resource_details(institution, resource, address, operations)
		}
	}

	/// Read queries, for the runtime API.
	impl<T: Config> Pallet<T> {
		/// Every business domain, by code.
		pub fn domains() -> Vec<(DomainCode<T>, Domain<T>)> {
			let mut all: Vec<_> = Domains::<T>::iter().collect();
			all.sort_by(|a, b| a.0.cmp(&b.0));
			all
		}

		/// The sources of an institution, in id order.
		pub fn sources_of(institution: InstitutionId) -> Vec<(SourceId, Source<T>)> {
			let mut ids: Vec<SourceId> = SourceOf::<T>::iter_key_prefix(institution).collect();
			ids.sort();
			ids.into_iter().filter_map(|id| Sources::<T>::get(id).map(|s| (id, s))).collect()
		}

		/// The resources of a source, in id order.
		pub fn resources_of(source: SourceId) -> Vec<(ResourceId, Resource<T>)> {
			let mut ids: Vec<ResourceId> =
				ResourceOfName::<T>::iter_prefix_values(source).collect();
			ids.sort();
			ids.into_iter().filter_map(|id| Resources::<T>::get(id).map(|r| (id, r))).collect()
		}

		/// Every version of a resource, oldest first.
		pub fn versions_of(resource: ResourceId) -> Vec<(Version, ResourceVersion<T>)> {
			let mut all: Vec<_> = Versions::<T>::iter_prefix(resource).collect();
			all.sort_by_key(|(v, _)| *v);
			all
		}

		/// Up to `limit` (at most [`MAX_CATALOG_PAGE`]) resources with ids from `start` on, each
		/// with its versions: a page of the trusted verification catalog.
		pub fn catalog_page(
			start: ResourceId,
			limit: u32,
		) -> Vec<(ResourceId, Resource<T>, Vec<(Version, ResourceVersion<T>)>)> {
			let end = NextResourceId::<T>::get();
			(start..end)
				.filter_map(|id| Resources::<T>::get(id).map(|r| (id, r, Self::versions_of(id))))
				.take(limit.min(MAX_CATALOG_PAGE) as usize)
				.collect()
		}
	}
}
