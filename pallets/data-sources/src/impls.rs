//! The pallet's logic, behind its thin calls.

use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::{DispatchError, DispatchResult};

use crate::{pallet::*, types::*};

impl<T: Config> Pallet<T> {
	/// Turns a genesis domain into a code and its description, or says which field is bad.
	pub fn genesis_domain(
		g: &GenesisDomain,
	) -> Result<(DomainCode<T>, DomainInfo<T>), &'static str> {
		let shared = g
			.shared_data
			.iter()
			.map(|d| d.as_bytes().to_vec().try_into().map_err(|_| "shared data domain too long"))
			.collect::<Result<Vec<DomainCode<T>>, _>>()?;
		Ok((
			g.code.as_bytes().to_vec().try_into().map_err(|_| "code too long")?,
			DomainInfo {
				name: g.name.as_bytes().to_vec().try_into().map_err(|_| "name too long")?,
				description: g
					.description
					.as_bytes()
					.to_vec()
					.try_into()
					.map_err(|_| "description too long")?,
				shared_data: shared.try_into().map_err(|_| "too many shared data domains")?,
			},
		))
	}

	fn check_domain_info(info: &DomainInfo<T>) -> DispatchResult {
		ensure!(is_valid_text(&info.name), Error::<T>::InvalidName);
		ensure!(core::str::from_utf8(info.description.as_bytes()).is_ok(), Error::<T>::InvalidName);
		let mut seen = BTreeSet::new();
		for data in &info.shared_data {
			ensure!(is_valid_data_domain(data), Error::<T>::InvalidCode);
			ensure!(seen.insert(data), Error::<T>::Duplicate);
		}
		Ok(())
	}

	pub(crate) fn do_add_domain(
		code: DomainCode<T>,
		info: DomainInfo<T>,
		in_scope: bool,
	) -> DispatchResult {
		ensure!(is_valid_code(&code), Error::<T>::InvalidCode);
		Self::check_domain_info(&info)?;
		ensure!(!Domains::<T>::contains_key(&code), Error::<T>::AlreadyExists);
		let count = DomainCount::<T>::get();
		ensure!(count < T::MaxDomains::get(), Error::<T>::TooManyDomains);
		let DomainInfo { name, description, shared_data } = info;
		Domains::<T>::insert(
			&code,
			Domain {
				name,
				description,
				shared_data,
				in_scope,
				registered: frame_system::Pallet::<T>::block_number(),
			},
		);
		// `count < MaxDomains <= u32::MAX`: no overflow.
		DomainCount::<T>::put(count.saturating_add(1));
		Self::deposit_event(Event::DomainAdded { code, in_scope });
		Ok(())
	}

	pub(crate) fn do_update_domain(code: DomainCode<T>, info: DomainInfo<T>) -> DispatchResult {
		Self::check_domain_info(&info)?;
		Domains::<T>::try_mutate(&code, |maybe| -> DispatchResult {
			let domain = maybe.as_mut().ok_or(Error::<T>::NotFound)?;
			domain.name = info.name;
			domain.description = info.description;
			domain.shared_data = info.shared_data;
			Ok(())
		})?;
		Self::deposit_event(Event::DomainUpdated { code });
		Ok(())
	}

	pub(crate) fn do_set_scope(code: DomainCode<T>, in_scope: bool) -> DispatchResult {
		Domains::<T>::try_mutate(&code, |maybe| -> DispatchResult {
			maybe.as_mut().ok_or(Error::<T>::NotFound)?.in_scope = in_scope;
			Ok(())
		})?;
		Self::deposit_event(Event::ScopeSet { code, in_scope });
		Ok(())
	}

	/// Checks a source's domains: at least one, no repeats, each one existing and in scope.
	fn check_source_domains(domains: &[DomainCode<T>]) -> DispatchResult {
		ensure!(!domains.is_empty(), Error::<T>::NoDomains);
		let mut seen = BTreeSet::new();
		for code in domains {
			ensure!(seen.insert(code), Error::<T>::Duplicate);
			let domain = Domains::<T>::get(code).ok_or(Error::<T>::NotFound)?;
			ensure!(domain.in_scope, Error::<T>::OutOfScope);
		}
		Ok(())
	}

	/// Registers a source; returns its id.
	pub(crate) fn do_register_source(
		institution: InstitutionId,
		name: Name<T>,
		system: SystemKind,
		domains: BoundedVec<DomainCode<T>, T::MaxDomainsPerSource>,
	) -> Result<SourceId, DispatchError> {
		ensure!(is_valid_text(&name), Error::<T>::InvalidName);
		Self::check_source_domains(&domains)?;
		let count = SourceCount::<T>::get(institution);
		ensure!(count < T::MaxSourcesPerInstitution::get(), Error::<T>::TooManySources);
		let id = NextSourceId::<T>::get();
		Sources::<T>::insert(
			id,
			Source {
				institution,
				name,
				system,
				domains,
				status: SourceStatus::Active,
				registered: frame_system::Pallet::<T>::block_number(),
				resource_count: 0,
			},
		);
		SourceOf::<T>::insert(institution, id, ());
		// `count < MaxSourcesPerInstitution`; source ids are u64, one per extrinsic: neither
		// overflows.
		SourceCount::<T>::insert(institution, count.saturating_add(1));
		NextSourceId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::SourceRegistered { source: id, institution });
		Ok(id)
	}

	/// The source `id` if `institution` owns it.
	pub fn owned_source(
		institution: InstitutionId,
		id: SourceId,
	) -> Result<Source<T>, DispatchError> {
		let source = Sources::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		ensure!(source.institution == institution, Error::<T>::NotAuthorized);
		Ok(source)
	}

	/// The resource `id` and its source, if `institution` owns the source and it is active.
	pub fn owned_active_resource(
		institution: InstitutionId,
		id: ResourceId,
	) -> Result<(Resource<T>, Source<T>), DispatchError> {
		let resource = Resources::<T>::get(id).ok_or(Error::<T>::NotFound)?;
		let source = Self::owned_source(institution, resource.source)?;
		ensure!(source.status == SourceStatus::Active, Error::<T>::SourceRetired);
		Ok((resource, source))
	}

	pub(crate) fn do_update_source(
		institution: InstitutionId,
		id: SourceId,
		name: Name<T>,
		domains: BoundedVec<DomainCode<T>, T::MaxDomainsPerSource>,
	) -> DispatchResult {
		let mut source = Self::owned_source(institution, id)?;
		ensure!(is_valid_text(&name), Error::<T>::InvalidName);
		Self::check_source_domains(&domains)?;
		source.name = name;
		source.domains = domains;
		Sources::<T>::insert(id, source);
		Self::deposit_event(Event::SourceUpdated { source: id });
		Ok(())
	}

	pub(crate) fn do_set_source_status(
		institution: InstitutionId,
		id: SourceId,
		status: SourceStatus,
	) -> DispatchResult {
		let mut source = Self::owned_source(institution, id)?;
		ensure!(source.status != status, Error::<T>::UnchangedStatus);
		source.status = status;
		Sources::<T>::insert(id, source);
		Self::deposit_event(Event::SourceStatusSet { source: id, status });
		Ok(())
	}

	fn check_kind(kind: &ResourceKind<T>) -> DispatchResult {
		let parts: &[&Locator<T>] = match kind {
			ResourceKind::Table { database, schema, table } => &[database, schema, table],
			ResourceKind::Interface { protocol, method, path } => &[protocol, method, path],
			ResourceKind::FileSet { pattern } => &[pattern],
		};
		ensure!(parts.iter().all(is_valid_text), Error::<T>::InvalidLocator);
		Ok(())
	}

	fn check_operations(operations: &[Operation]) -> DispatchResult {
		let mut seen = BTreeSet::new();
		ensure!(operations.iter().all(|op| seen.insert(*op)), Error::<T>::Duplicate);
		Ok(())
	}

	/// Registers a resource with its first version; returns its id.
	pub(crate) fn do_register_resource(
		institution: InstitutionId,
		source_id: SourceId,
		name: Name<T>,
		kind: ResourceKind<T>,
		address: Locator<T>,
		operations: BoundedVec<Operation, T::MaxOperations>,
		schema_hash: [u8; 32],
		item_count: u32,
	) -> Result<ResourceId, DispatchError> {
		let mut source = Self::owned_source(institution, source_id)?;
		ensure!(source.status == SourceStatus::Active, Error::<T>::SourceRetired);
		ensure!(is_valid_text(&name), Error::<T>::InvalidName);
		Self::check_kind(&kind)?;
		ensure!(core::str::from_utf8(address.as_bytes()).is_ok(), Error::<T>::InvalidLocator);
		Self::check_operations(&operations)?;
		ensure!(item_count <= T::MaxItemsPerVersion::get(), Error::<T>::TooManyItems);
		ensure!(!ResourceOfName::<T>::contains_key(source_id, &name), Error::<T>::AlreadyExists);
		ensure!(
			source.resource_count < T::MaxResourcesPerSource::get(),
			Error::<T>::TooManyResources
		);
		let id = NextResourceId::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		ResourceOfName::<T>::insert(source_id, &name, id);
		Resources::<T>::insert(
			id,
			Resource {
				source: source_id,
				name,
				kind,
				address,
				operations,
				version: 1,
				registered: now,
			},
		);
		Versions::<T>::insert(id, 1, ResourceVersion { schema_hash, item_count, registered: now });
		// Below `MaxResourcesPerSource`; resource ids are u64, one per extrinsic.
		source.resource_count = source.resource_count.saturating_add(1);
		Sources::<T>::insert(source_id, source);
		NextResourceId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::ResourceRegistered {
			resource: id,
			source: source_id,
			schema_hash,
		});
		Ok(id)
	}

	/// Adds a schema version to a resource; returns the new version.
	pub(crate) fn do_add_version(
		institution: InstitutionId,
		id: ResourceId,
		schema_hash: [u8; 32],
		item_count: u32,
	) -> Result<Version, DispatchError> {
		let (mut resource, _) = Self::owned_active_resource(institution, id)?;
		ensure!(item_count <= T::MaxItemsPerVersion::get(), Error::<T>::TooManyItems);
		let current = Versions::<T>::get(id, resource.version).ok_or(Error::<T>::NotFound)?;
		ensure!(current.schema_hash != schema_hash, Error::<T>::UnchangedSchema);
		ensure!(resource.version < T::MaxVersions::get(), Error::<T>::TooManyVersions);
		// Below `MaxVersions <= u32::MAX`.
		let version = resource.version.saturating_add(1);
		let now = frame_system::Pallet::<T>::block_number();
		Versions::<T>::insert(
			id,
			version,
			ResourceVersion { schema_hash, item_count, registered: now },
		);
		resource.version = version;
		Resources::<T>::insert(id, resource);
		Self::deposit_event(Event::VersionAdded { resource: id, version, schema_hash });
		Ok(version)
	}

	pub(crate) fn do_set_resource_details(
		institution: InstitutionId,
		id: ResourceId,
		address: Locator<T>,
		operations: BoundedVec<Operation, T::MaxOperations>,
	) -> DispatchResult {
		let (mut resource, _) = Self::owned_active_resource(institution, id)?;
		ensure!(core::str::from_utf8(address.as_bytes()).is_ok(), Error::<T>::InvalidLocator);
		Self::check_operations(&operations)?;
		resource.address = address;
		resource.operations = operations;
		Resources::<T>::insert(id, resource);
		Self::deposit_event(Event::ResourceUpdated { resource: id });
		Ok(())
	}

	/// Whether a business domain exists and is in scope for anchoring.
	pub fn in_scope(code: &[u8]) -> bool {
		DomainCode::<T>::try_from(code).ok().and_then(Domains::<T>::get).is_some_and(|d| d.in_scope)
	}

	/// The pallet's invariants: counters match the stored records, every resource's source
	/// exists, names are indexed, versions run from 1 to the current one without gaps.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(
			Domains::<T>::iter_keys().count() as u32 == DomainCount::<T>::get(),
			"domain count out of date"
		);
		let mut per_institution = alloc::collections::BTreeMap::<InstitutionId, u32>::new();
		for (id, source) in Sources::<T>::iter() {
			ensure!(id < NextSourceId::<T>::get(), "source id beyond the next id");
			ensure!(
				SourceOf::<T>::contains_key(source.institution, id),
				"source index out of date"
			);
			let n = per_institution.entry(source.institution).or_default();
			*n += 1;
			let resources = ResourceOfName::<T>::iter_prefix(id).count() as u32;
			ensure!(resources == source.resource_count, "resource count out of date");
		}
		for (institution, n) in per_institution {
			ensure!(SourceCount::<T>::get(institution) == n, "source count out of date");
		}
		ensure!(
			SourceOf::<T>::iter_keys().all(|(_, id)| Sources::<T>::contains_key(id)),
			"stray source index entry"
		);
		for (id, resource) in Resources::<T>::iter() {
			ensure!(id < NextResourceId::<T>::get(), "resource id beyond the next id");
			ensure!(Sources::<T>::contains_key(resource.source), "a resource's source is missing");
			ensure!(
				ResourceOfName::<T>::get(resource.source, &resource.name) == Some(id),
				"resource name index out of date"
			);
			let versions: Vec<Version> = Versions::<T>::iter_key_prefix(id).collect();
			ensure!(versions.len() as u32 == resource.version, "versions do not run from 1");
			ensure!(
				versions.iter().all(|v| *v >= 1 && *v <= resource.version),
				"a version beyond the current one"
			);
			let mut by_number: Vec<(Version, ResourceVersion<T>)> =
				Versions::<T>::iter_prefix(id).collect();
			by_number.sort_by_key(|(v, _)| *v);
			for pair in by_number.windows(2) {
				ensure!(
					pair[0].1.registered <= pair[1].1.registered,
					"a later version registered earlier"
				);
			}
			for (_, version) in &by_number {
				ensure!(version.item_count <= T::MaxItemsPerVersion::get(), "too many items");
			}
		}
		ensure!(
			Versions::<T>::iter_keys().all(|(id, _)| Resources::<T>::contains_key(id)),
			"a version of a missing resource"
		);
		ensure!(
			ResourceOfName::<T>::iter_values().all(Resources::<T>::contains_key),
			"stray resource name entry"
		);
		Ok(())
	}
}
