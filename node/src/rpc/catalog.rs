//! `medtrust_*` JSON-RPC methods over the data catalog's runtime APIs (`DataSourcesApi`,
//! `FieldMappingApi`): business domains, sources, resources, items, and the trusted
//! verification catalog in pages. Every method reads at the best block unless `at` names one.

use std::{collections::BTreeMap, sync::Arc};

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use medtrust_rpc_types::catalog::*;
use medtrust_runtime::{
	apis::{DomainCode, DomainInfo, ItemInfo, ResourceInfo, SourceInfo, VersionInfo},
	opaque::Block,
};
use pallet_data_sources::ResourceKind;
use pallet_data_sources_runtime_api::DataSourcesApi;
use pallet_field_mapping::ValueDomain;
use pallet_field_mapping_runtime_api::FieldMappingApi;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::{Block as BlockT, Header as _};

/// The most resources in one catalog page (each with all its versions and items); the
/// runtime clamps to it too.
pub use pallet_data_sources::MAX_CATALOG_PAGE;
/// The most items in one page of `medtrust_catalogItems`; the runtime clamps to it too.
pub use pallet_field_mapping::MAX_ITEMS_PAGE;
/// The most items one catalog page reads (over all its resources' versions): versions past
/// it come without their items (`items` shorter than `registeredItems`: read them with
/// `medtrust_catalogItems`), and the page ends at the resource that reaches it.
pub const MAX_CATALOG_ITEMS: u32 = 8 * MAX_ITEMS_PAGE;
/// The most versions one catalog page reads (each a runtime call or two): the page ends at the
/// resource that reaches it. One resource has at most this many.
pub const MAX_CATALOG_VERSIONS: u32 = 1_024;
/// The most versions `medtrust_catalogResources` reads over a source's resources.
pub const MAX_RESOURCES_VERSIONS: u32 = 16 * MAX_CATALOG_VERSIONS;

type Hash = <Block as BlockT>::Hash;

/// The catalog's JSON-RPC methods.
#[rpc(client, server)]
pub trait CatalogRpc {
	/// Every business domain, by code.
	#[method(name = "medtrust_catalogDomains", aliases = ["medtrust_domains"])]
	fn domains(&self, at: Option<Hash>) -> RpcResult<Vec<DomainJson>>;

	/// The data sources of an institution, by id.
	#[method(name = "medtrust_catalogSources", aliases = ["medtrust_sources"])]
	fn sources(&self, institution: u32, at: Option<Hash>) -> RpcResult<Vec<SourceJson>>;

	/// One data source, or `null`.
	#[method(name = "medtrust_catalogSource", aliases = ["medtrust_source"])]
	fn source(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<SourceJson>>;

	/// The resources of a data source, each with its versions (without items); refused when
	/// they have more than [`MAX_RESOURCES_VERSIONS`] versions in all (read them by
	/// `medtrust_catalogResource` or `medtrust_catalogPage`).
	#[method(name = "medtrust_catalogResources", aliases = ["medtrust_resources"], blocking)]
	fn resources(&self, source: u64, at: Option<Hash>) -> RpcResult<Vec<ResourceJson>>;

	/// One resource with its versions (without items), or `null`.
	#[method(name = "medtrust_catalogResource", aliases = ["medtrust_resource"], blocking)]
	fn resource(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<ResourceJson>>;

	/// Up to `limit` (default and most 2048) items of a resource version from position
	/// `start` (default 0) on.
	#[method(name = "medtrust_catalogItems", aliases = ["medtrust_items"], blocking)]
	fn items(
		&self,
		resource: u64,
		version: u32,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<ItemsPage>;

	/// A page of the trusted verification catalog: up to `limit` (default 10, most 50)
	/// resources with ids from `start` (default 0) on, each with its source, every version
	/// and every version's items. Pass the returned `at.hash` to read further pages at the
	/// same block.
	#[method(name = "medtrust_catalogPage", aliases = ["medtrust_catalog"], blocking)]
	fn catalog(
		&self,
		start: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<CatalogPage>;
}

/// The catalog's RPC methods over a client.
pub struct Catalog<C> {
	client: Arc<C>,
	gate: super::gate::Gate,
}

impl<C> Catalog<C> {
	/// Serves the catalog from `client`, its pages and items a few at once (`gate`).
	pub fn new(client: Arc<C>, gate: super::gate::Gate) -> Self {
		Self { client, gate }
	}
}

/// A JSON-RPC error (code 1) with `message`.
pub(crate) fn error(message: impl ToString) -> ErrorObjectOwned {
	ErrorObject::owned(1, message.to_string(), None::<()>)
}

/// The block to read at (`at`, or the best block), and its number and hash for the answer:
/// both from one look-up, so an answer names the block it was read at.
pub(crate) fn read_at<C: HeaderBackend<Block>>(
	client: &C,
	at: Option<Hash>,
) -> RpcResult<(Hash, BlockRef)> {
	let hash = at.unwrap_or_else(|| client.info().best_hash);
	let header = client
		.header(hash)
		.map_err(error)?
		.ok_or_else(|| error(format!("unknown block {hash:?}")))?;
	Ok((hash, BlockRef { number: *header.number(), hash: hex0x(hash.as_ref()) }))
}

fn text(bytes: impl AsRef<[u8]>) -> String {
	String::from_utf8_lossy(bytes.as_ref()).into_owned()
}

fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn domain_json(code: DomainCode, d: DomainInfo) -> DomainJson {
	DomainJson {
		code: text(&code),
		name: text(&d.name),
		description: text(&d.description),
		shared_data: d.shared_data.iter().map(text).collect(),
		in_scope: d.in_scope,
		registered: d.registered,
	}
}

fn source_json(id: u64, s: SourceInfo) -> SourceJson {
	SourceJson {
		id,
		institution: s.institution,
		name: text(&s.name),
		system: s.system,
		domains: s.domains.iter().map(text).collect(),
		status: s.status,
		registered: s.registered,
		resource_count: s.resource_count,
	}
}

fn kind_json(kind: &ResourceKind<medtrust_runtime::Runtime>) -> ResourceKindJson {
	match kind {
		ResourceKind::Table { database, schema, table } => ResourceKindJson::Table {
			database: text(database),
			schema: text(schema),
			table: text(table),
		},
		ResourceKind::Interface { protocol, method, path } => ResourceKindJson::Interface {
			protocol: text(protocol),
			method: text(method),
			path: text(path),
		},
		ResourceKind::FileSet { pattern } => ResourceKindJson::FileSet { pattern: text(pattern) },
	}
}

fn item_json(item: ItemInfo) -> ItemJson {
	let info = item.info;
	let field = FieldJson {
		name: text(&info.name),
		data_type: text(&info.data_type),
		length: info.length,
		precision: info.precision,
		scale: info.scale,
		nullable: info.nullable,
		definition: text(&info.definition),
		value_domain: info.value_domain.map(|v| match v {
			ValueDomain::CodeSystem(id) => ValueDomainJson::CodeSystem(text(&id)),
			ValueDomain::Enumerated(hash) => ValueDomainJson::Enumerated(hex0x(&hash)),
		}),
		unit: info.unit.map(|u| text(&u)),
		standard_element: info.standard_element.map(|e| text(&e)),
	};
	ItemJson { field, position: item.position, registered: item.registered }
}

impl<C> Catalog<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DataSourcesApi<Block, DomainCode, DomainInfo, SourceInfo, ResourceInfo, VersionInfo>
		+ FieldMappingApi<Block, ItemInfo>,
{
	/// `at`, or the best block: where the methods without a block reference read.
	fn best_or(&self, at: Option<Hash>) -> Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}

	/// A resource with its versions; with their items if `with_items`.
	fn resource_json(
		&self,
		hash: Hash,
		id: u64,
		r: ResourceInfo,
		versions: Vec<(u32, VersionInfo)>,
		mut items_left: Option<&mut u32>,
	) -> RpcResult<ResourceJson> {
		let api = self.client.runtime_api();
		let mut out = Vec::with_capacity(versions.len());
		for (version, v) in versions {
			let registered_items = api.item_count(hash, id, version).map_err(error)?;
			// Items while the page's budget lasts (with the items asked for).
			let items: Vec<ItemJson> = match items_left.as_deref_mut() {
				Some(left) if *left > 0 && registered_items > 0 => {
					let read = api.items(hash, id, version, 0, MAX_ITEMS_PAGE).map_err(error)?;
					*left = left.saturating_sub(read.len() as u32);
					read.into_iter().map(item_json).collect()
				}
				_ => Vec::new(),
			};
			out.push(VersionJson {
				version,
				schema_hash: hex0x(&v.schema_hash),
				item_count: v.item_count,
				registered_items,
				registered: v.registered,
				items,
			});
		}
		Ok(ResourceJson {
			id,
			source: r.source,
			name: text(&r.name),
			kind: kind_json(&r.kind),
			address: text(&r.address),
			operations: r.operations.iter().copied().collect(),
			version: r.version,
			registered: r.registered,
			versions: out,
		})
	}
}

impl<C> CatalogRpcServer for Catalog<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DataSourcesApi<Block, DomainCode, DomainInfo, SourceInfo, ResourceInfo, VersionInfo>
		+ FieldMappingApi<Block, ItemInfo>,
{
	fn domains(&self, at: Option<Hash>) -> RpcResult<Vec<DomainJson>> {
		let all = self.client.runtime_api().domains(self.best_or(at)).map_err(error)?;
		Ok(all.into_iter().map(|(code, d)| domain_json(code, d)).collect())
	}

	fn sources(&self, institution: u32, at: Option<Hash>) -> RpcResult<Vec<SourceJson>> {
		let all =
			self.client.runtime_api().sources_of(self.best_or(at), institution).map_err(error)?;
		Ok(all.into_iter().map(|(id, s)| source_json(id, s)).collect())
	}

	fn source(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<SourceJson>> {
		let found = self.client.runtime_api().source(self.best_or(at), id).map_err(error)?;
		Ok(found.map(|s| source_json(id, s)))
	}

	fn resources(&self, source: u64, at: Option<Hash>) -> RpcResult<Vec<ResourceJson>> {
		let _turn = self.gate.enter()?;
		let hash = self.best_or(at);
		let api = self.client.runtime_api();
		let all = api.resources_of(hash, source).map_err(error)?;
		let mut versions_left = MAX_RESOURCES_VERSIONS;
		all.into_iter()
			.map(|(id, r)| {
				let versions = api.versions(hash, id).map_err(error)?;
				versions_left =
					versions_left.checked_sub(versions.len() as u32).ok_or_else(|| {
						error(format!(
							"source #{source}'s resources have more than {MAX_RESOURCES_VERSIONS} \
						 versions: read them with medtrust_catalogPage or medtrust_resource"
						))
					})?;
				self.resource_json(hash, id, r, versions, None)
			})
			.collect()
	}

	fn resource(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<ResourceJson>> {
		let _turn = self.gate.enter()?;
		let hash = self.best_or(at);
		let api = self.client.runtime_api();
		let Some(r) = api.resource(hash, id).map_err(error)? else { return Ok(None) };
		let versions = api.versions(hash, id).map_err(error)?;
		self.resource_json(hash, id, r, versions, None).map(Some)
	}

	fn items(
		&self,
		resource: u64,
		version: u32,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<ItemsPage> {
		let _turn = self.gate.enter()?;
		let (hash, block) = read_at(&*self.client, at)?;
		let start = start.unwrap_or(0);
		let limit = limit.unwrap_or(MAX_ITEMS_PAGE).clamp(1, MAX_ITEMS_PAGE);
		let api = self.client.runtime_api();
		let items: Vec<ItemJson> = api
			.items(hash, resource, version, start, limit)
			.map_err(error)?
			.into_iter()
			.map(item_json)
			.collect();
		let count = api.item_count(hash, resource, version).map_err(error)?;
		let next = items.last().map(|i| i.position + 1).filter(|n| *n < count);
		Ok(ItemsPage { at: block, items, next })
	}

	fn catalog(
		&self,
		start: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<CatalogPage> {
		let _turn = self.gate.enter()?;
		let (hash, block) = read_at(&*self.client, at)?;
		let limit = limit.unwrap_or(10).clamp(1, MAX_CATALOG_PAGE);
		let api = self.client.runtime_api();
		let page = api.catalog_page(hash, start.unwrap_or(0), limit).map_err(error)?;
		let end = api.next_resource_id(hash).map_err(error)?;
		let mut next = page.last().map(|(id, ..)| id + 1).filter(|n| *n < end);
		let mut sources = BTreeMap::new();
		let mut entries = Vec::with_capacity(page.len());
		let (mut items_left, mut versions_left) = (MAX_CATALOG_ITEMS, MAX_CATALOG_VERSIONS);
		for (id, r, versions) in page {
			// A page holds whole resources; it ends once the versions or items read reach
			// their budgets.
			if items_left == 0 || versions_left == 0 {
				next = Some(id);
				break;
			}
			versions_left = versions_left.saturating_sub(versions.len() as u32);
			let source = match sources.get(&r.source) {
				Some(s) => Clone::clone(s),
				None => {
					let s = api
						.source(hash, r.source)
						.map_err(error)?
						.map(|s| source_json(r.source, s))
						.ok_or_else(|| error(format!("resource {id}'s source is missing")))?;
					sources.insert(r.source, s.clone());
					s
				}
			};
			entries.push(CatalogEntry {
				source,
				resource: self.resource_json(hash, id, r, versions, Some(&mut items_left))?,
			});
		}
		Ok(CatalogPage { at: block, entries, next })
	}
}
