//! The data catalog (requirements 1–3): business domains in scope, data sources, their
//! resources and data items.
//!
//! Reads go through the node's `medtrust_*` JSON-RPC methods (their JSON shapes are
//! [`medtrust_rpc_types::catalog`]); writes are `DataSources` and `FieldMapping`
//! transactions. [`import`] turns real systems' metadata (PostgreSQL, OpenAPI) into
//! [`spec::ResourceSpec`]s and registers what changed; [`export`] writes the catalog as JSON,
//! CSV or DCAT.

mod error;
pub mod export;
pub mod import;
pub mod spec;

pub use error::Error;
use error::Error as CatalogError;

crate::chain::capability!(
	/// The catalog's reads and transactions (`chain.catalog()`): domains, sources, resources,
/// items, imports and exports.
	Catalog
);

use medtrust_rpc_types::catalog::{CatalogPage, DomainJson, ItemsPage, ResourceJson, SourceJson};
use pallet_data_sources::SystemKind;
use subxt::utils::Static;
use subxt_rpcs::rpc_params;
use subxt_signer::sr25519::Keypair;

use self::spec::Limits;
use crate::chain::paging::all_pages;
use crate::{
	chain::tx::Submitted,
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			medtrust_runtime::RuntimeCall,
			pallet_data_sources::{pallet::Call as DataSourcesCall, types::DomainInfo},
		},
	},
	Result,
};

/// The governance call adding a business domain.
pub fn add_domain_call(
	code: &str,
	name: &str,
	description: &str,
	shared: &[String],
	in_scope: bool,
) -> RuntimeCall {
	RuntimeCall::DataSources(DataSourcesCall::add_domain {
		code: code.to_string(),
		info: Box::new(DomainInfo {
			name: name.to_string(),
			description: description.to_string(),
			shared_data: BoundedVec(shared.to_vec()),
		}),
		in_scope,
	})
}

/// The governance call putting a business domain in or out of scope.
pub fn set_scope_call(code: &str, in_scope: bool) -> RuntimeCall {
	RuntimeCall::DataSources(DataSourcesCall::set_scope { code: code.to_string(), in_scope })
}

/// A data source with its resources (each with its versions, without items).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceDetail {
	#[serde(flatten)]
	pub source: SourceJson,
	pub resources: Vec<ResourceJson>,
}

impl Catalog<'_> {
	/// The runtime's catalog limits, read from its metadata constants so that bad input is
	/// refused before anything is sent.
	pub async fn limits(&self) -> Result<Limits> {
		let at = self.chain.at_current().await?;
		let constant = |pallet: &str, name: &str| -> Result<u32> {
			let address = subxt::dynamic::constant::<u32>(pallet, name);
			at.constants().entry(address).map_err(|e| self.chain.incompatible(e))
		};
		Ok(Limits {
			max_name_len: constant("DataSources", "MaxNameLen")?,
			max_locator_len: constant("DataSources", "MaxLocatorLen")?,
			max_items_per_version: constant("DataSources", "MaxItemsPerVersion")?,
			max_items_per_call: constant("FieldMapping", "MaxItemsPerCall")?,
			max_type_len: constant("FieldMapping", "MaxTypeLen")?,
			max_text_len: constant("FieldMapping", "MaxTextLen")?,
			max_unit_len: constant("FieldMapping", "MaxUnitLen")?,
		})
	}

	/// Every business domain.
	pub async fn domains(&self) -> Result<Vec<DomainJson>> {
		self.chain.call("medtrust_catalogDomains", rpc_params![]).await
	}

	/// The sources of an institution.
	pub async fn sources_of(&self, institution: u32) -> Result<Vec<SourceJson>> {
		self.chain.call("medtrust_catalogSources", rpc_params![institution]).await
	}

	/// The sources of one institution, or of every institution.
	pub async fn sources(&self, institution: Option<u32>) -> Result<Vec<SourceJson>> {
		let institutions = match institution {
			Some(id) => vec![id],
			None => {
				self.chain.consortium().institutions().await?.into_iter().map(|i| i.id).collect()
			}
		};
		let mut all = Vec::new();
		for id in institutions {
			all.extend(self.sources_of(id).await?);
		}
		Ok(all)
	}

	/// One source, or an error saying there is none.
	pub async fn source(&self, id: u64) -> Result<SourceJson> {
		let found: Option<SourceJson> =
			self.chain.call("medtrust_catalogSource", rpc_params![id]).await?;
		found.ok_or_else(|| crate::Error::not_found("data source", format!("#{id}")))
	}

	/// One source with its resources and their versions.
	pub async fn source_detail(&self, id: u64) -> Result<SourceDetail> {
		Ok(SourceDetail { source: self.source(id).await?, resources: self.resources_of(id).await? })
	}

	/// The resources of a source, with their versions.
	pub async fn resources_of(&self, source: u64) -> Result<Vec<ResourceJson>> {
		self.chain.call("medtrust_catalogResources", rpc_params![source]).await
	}

	/// One resource with its versions, or an error saying there is none.
	pub async fn resource(&self, id: u64) -> Result<ResourceJson> {
		let found: Option<ResourceJson> =
			self.chain.call("medtrust_catalogResource", rpc_params![id]).await?;
		found.ok_or_else(|| crate::Error::not_found("resource", format!("#{id}")))
	}

	/// A resource of `source`, or an error saying it belongs to another.
	pub async fn resource_of(&self, source: u64, id: u64) -> Result<ResourceJson> {
		let resource = self.resource(id).await?;
		if resource.source != source {
			let belongs = resource.source;
			return Err(CatalogError::WrongSource { resource: id, belongs, named: source }.into());
		}
		Ok(resource)
	}

	/// Every item of a resource version, reading page after page.
	pub async fn items(&self, resource: u64, version: u32) -> Result<ItemsPage> {
		self.items_at(resource, version, None).await
	}

	/// [`Catalog::items`] at block `at` (`0x` hash; the best block when `None`).
	async fn items_at(&self, resource: u64, version: u32, at: Option<&str>) -> Result<ItemsPage> {
		let params = rpc_params![resource, version, 0u32, None::<u32>, at];
		let mut page: ItemsPage = self.chain.call("medtrust_catalogItems", params).await?;
		while let Some(next) = page.next {
			let params = rpc_params![resource, version, next, None::<u32>, &page.at.hash];
			let more: ItemsPage = self.chain.call("medtrust_catalogItems", params).await?;
			page.items.extend(more.items);
			page.next = more.next;
		}
		Ok(page)
	}

	/// The whole trusted verification catalog, every page read at the same block, with every
	/// version's items (those a page left out, past its budget, read by `medtrust_catalogItems`).
	pub async fn all(&self) -> Result<CatalogPage> {
		let mut all: CatalogPage = all_pages(|skip, at| {
			self.chain.call("medtrust_catalogPage", rpc_params![skip, 50u32, at])
		})
		.await?;
		let at = all.at.hash.clone();
		for entry in &mut all.entries {
			let id = entry.resource.id;
			for version in &mut entry.resource.versions {
				if (version.items.len() as u32) < version.registered_items {
					version.items = self.items_at(id, version.version, Some(&at)).await?.items;
				}
			}
		}
		Ok(all)
	}

	/// Registers a data source of the signer's institution; returns its id.
	pub async fn add_source(
		&self,
		signer: &Keypair,
		name: &str,
		system: SystemKind,
		domains: &[String],
	) -> Result<(u64, Submitted)> {
		let limits = self.limits().await?;
		if name.trim().is_empty() || name.len() > limits.max_name_len as usize {
			let (name, max) = (name.to_string(), limits.max_name_len);
			return Err(CatalogError::SourceName { name, max }.into());
		}
		let call = runtime::transactions().data_sources().register_source(
			name.to_string(),
			Static(system),
			BoundedVec(domains.to_vec()),
		);
		let (submitted, events) = self.chain.submit_with_events(&call, signer).await?;
		let id = events
			.find_first::<runtime::data_sources::events::SourceRegistered>()
			.and_then(|e| e.ok())
			.map(|e| e.source)
			.ok_or_else(|| crate::Error::Internal("no SourceRegistered event".into()))?;
		Ok((id, submitted))
	}

	/// The institution of `signer`, checked to own the active data source `source`.
	pub async fn owned_source(&self, signer: &Keypair, source: u64) -> Result<(u32, SourceJson)> {
		let owner =
			self.chain.consortium().institution_of(&signer.public_key().to_account_id()).await?;
		let found = self.source(source).await?;
		if found.institution != owner {
			let (data_source, signer) = (source, owner);
			return Err(
				CatalogError::NotOwner { data_source, owner: found.institution, signer }.into()
			);
		}
		Ok((owner, found))
	}
}
