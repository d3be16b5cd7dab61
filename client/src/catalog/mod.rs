//! The data catalog: business domains, data sources, resources and data items.
//!
//! Reads go through the node's `medtrust_*` JSON-RPC methods (their JSON shapes are
//! [`medtrust_primitives::catalog`]); writes are `DataSources` and `FieldMapping`
//! transactions. [`postgres`] and [`openapi`] turn real systems' metadata into
//! [`ResourceSpec`]s, which [`Chain::import`] registers, version by version, registering only
//! what changed since the last import; [`export`] writes the catalog as JSON, CSV or DCAT.

pub mod export;
pub mod openapi;
pub mod postgres;

use codec::Encode;
use medtrust_primitives::catalog::{CatalogPage, DomainJson, ItemsPage, ResourceJson, SourceJson};
use serde::Serialize;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

use crate::{
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			medtrust_runtime::RuntimeCall,
			pallet_data_sources::{
				pallet::Call as DataSourcesCall,
				types::{DomainInfo, Operation, ResourceKind, SystemKind},
			},
			pallet_field_mapping::types::{ItemInfo, ValueDomain},
		},
	},
	tx::Submitted,
	Chain, Error, Result,
};

/// The kinds of system a source can be, as the CLI names them.
pub const SYSTEMS: [&str; 7] = ["HIS", "LIS", "PACS", "EMR", "RIS", "CDR", "OTHER"];

/// The processing operations, as the CLI names them.
pub const OPERATIONS: [&str; 8] =
	["collect", "clean", "transform", "deidentify", "aggregate", "store", "share", "derive"];

/// Parses a system kind (`HIS`, `lis` …).
pub fn parse_system(name: &str) -> Result<SystemKind> {
	Ok(match name.to_ascii_uppercase().as_str() {
		"HIS" => SystemKind::His,
		"LIS" => SystemKind::Lis,
		"PACS" => SystemKind::Pacs,
		"EMR" => SystemKind::Emr,
		"RIS" => SystemKind::Ris,
		"CDR" => SystemKind::Cdr,
		"OTHER" => SystemKind::Other,
		_ => {
			return Err(Error::Input(format!(
				"unknown system `{name}`: one of {}",
				SYSTEMS.join(", ")
			)))
		}
	})
}

/// Parses a processing operation (`collect`, `deidentify` …).
pub fn parse_operation(name: &str) -> Result<Operation> {
	Ok(match name.to_ascii_lowercase().as_str() {
		"collect" => Operation::Collect,
		"clean" => Operation::Clean,
		"transform" => Operation::Transform,
		"deidentify" => Operation::Deidentify,
		"aggregate" => Operation::Aggregate,
		"store" => Operation::Store,
		"share" => Operation::Share,
		"derive" => Operation::Derive,
		_ => {
			return Err(Error::Input(format!(
				"unknown operation `{name}`: one of {}",
				OPERATIONS.join(", ")
			)))
		}
	})
}

/// The limits the runtime puts on catalog entries, read from its metadata constants so that
/// bad input is refused before anything is sent.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
	pub max_name_len: u32,
	pub max_locator_len: u32,
	pub max_items_per_version: u32,
	pub max_items_per_call: u32,
	pub max_type_len: u32,
	pub max_text_len: u32,
	pub max_unit_len: u32,
}

/// What a resource is, as an importer describes it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum KindSpec {
	/// A database table.
	Table { database: String, schema: String, table: String },
	/// A service interface.
	Interface { protocol: String, method: String, path: String },
}

/// Which values a field takes.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ValueDomainSpec {
	/// A code system's identifier.
	CodeSystem(String),
	/// An enumeration: its values (only their hash goes on chain).
	Enumerated(Vec<String>),
}

impl ValueDomainSpec {
	/// BLAKE2b-256 of the sorted, de-duplicated values, each SCALE-encoded.
	pub fn enumeration_hash(values: &[String]) -> [u8; 32] {
		let mut sorted = values.to_vec();
		sorted.sort();
		sorted.dedup();
		sp_crypto_hashing::blake2_256(&sorted.encode())
	}
}

/// One field, as an importer describes it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemSpec {
	pub name: String,
	pub data_type: String,
	pub length: Option<u32>,
	pub precision: Option<u32>,
	pub scale: Option<u32>,
	pub nullable: bool,
	pub definition: String,
	pub value_domain: Option<ValueDomainSpec>,
	pub unit: Option<String>,
	pub standard_element: Option<String>,
}

/// One resource with its fields, as an importer describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSpec {
	/// Its name, unique in its source (`schema.table`, `GET /path`).
	pub name: String,
	pub kind: KindSpec,
	/// Where it is stored (no credentials).
	pub address: String,
	pub operations: Vec<String>,
	pub items: Vec<ItemSpec>,
}

impl ResourceSpec {
	/// BLAKE2b-256 of the SCALE encoding of its kind and items, in order: what changes when
	/// the schema changes, and only then.
	pub fn schema_hash(&self) -> [u8; 32] {
		sp_crypto_hashing::blake2_256(&(&self.kind, &self.items).encode())
	}

	/// Checks it against the runtime's limits, naming the resource and field at fault.
	pub fn check(&self, limits: &Limits) -> Result<()> {
		let too_long = |what: &str, text: &str, max: u32| -> Result<()> {
			if text.len() > max as usize {
				return Err(Error::Input(format!(
					"{}: {what} `{text}` is {} bytes, more than the chain's limit of {max}",
					self.name,
					text.len()
				)));
			}
			Ok(())
		};
		if self.name.is_empty() {
			return Err(Error::Input("a resource without a name".into()));
		}
		too_long("name", &self.name, limits.max_name_len)?;
		too_long("address", &self.address, limits.max_locator_len)?;
		let parts: Vec<&String> = match &self.kind {
			KindSpec::Table { database, schema, table } => vec![database, schema, table],
			KindSpec::Interface { protocol, method, path } => vec![protocol, method, path],
		};
		for part in parts {
			too_long("locator", part, limits.max_locator_len)?;
		}
		if self.items.len() > limits.max_items_per_version as usize {
			return Err(Error::Input(format!(
				"{}: {} fields, more than the chain's limit of {}",
				self.name,
				self.items.len(),
				limits.max_items_per_version
			)));
		}
		let mut seen = std::collections::BTreeSet::new();
		for item in &self.items {
			if item.name.is_empty() {
				return Err(Error::Input(format!("{}: a field without a name", self.name)));
			}
			if !seen.insert(&item.name) {
				return Err(Error::Input(format!(
					"{}: the field `{}` appears twice",
					self.name, item.name
				)));
			}
			too_long("field name", &item.name, limits.max_name_len)?;
			too_long("data type", &item.data_type, limits.max_type_len)?;
			too_long("definition", &item.definition, limits.max_text_len)?;
			if let Some(ValueDomainSpec::CodeSystem(id)) = &item.value_domain {
				too_long("code system", id, limits.max_text_len)?;
			}
			if let Some(unit) = &item.unit {
				too_long("unit", unit, limits.max_unit_len)?;
			}
		}
		for op in &self.operations {
			parse_operation(op)?;
		}
		Ok(())
	}
}

/// Finds a standard data element identifier (`DE02.01.039.00`) in a text.
pub fn find_element_id(text: &str) -> Option<String> {
	let bytes = text.as_bytes();
	(0..bytes.len()).find_map(|i| {
		let candidate = text.get(i..i + 14)?;
		pallet_field_mapping::is_valid_element_id(candidate.as_bytes())
			.then(|| candidate.to_string())
	})
}

fn bounded(text: &str) -> BoundedVec<u8> {
	BoundedVec(text.as_bytes().to_vec())
}

fn kind_call(kind: &KindSpec) -> ResourceKind {
	match kind {
		KindSpec::Table { database, schema, table } => ResourceKind::Table {
			database: bounded(database),
			schema: bounded(schema),
			table: bounded(table),
		},
		KindSpec::Interface { protocol, method, path } => ResourceKind::Interface {
			protocol: bounded(protocol),
			method: bounded(method),
			path: bounded(path),
		},
	}
}

fn item_call(item: &ItemSpec) -> ItemInfo {
	ItemInfo {
		name: bounded(&item.name),
		data_type: bounded(&item.data_type),
		length: item.length,
		precision: item.precision,
		scale: item.scale,
		nullable: item.nullable,
		definition: bounded(&item.definition),
		value_domain: item.value_domain.as_ref().map(|v| match v {
			ValueDomainSpec::CodeSystem(id) => ValueDomain::CodeSystem(bounded(id)),
			ValueDomainSpec::Enumerated(values) => {
				ValueDomain::Enumerated(ValueDomainSpec::enumeration_hash(values))
			}
		}),
		unit: item.unit.as_deref().map(bounded),
		standard_element: item.standard_element.as_deref().map(bounded),
	}
}

/// What an import did to one resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
	pub resource: u64,
	pub name: String,
	/// `registered` (new resource), `versioned` (schema changed), `completed` (an interrupted
	/// import finished) or `unchanged`.
	pub action: &'static str,
	pub version: u32,
	pub items_registered: u32,
	pub schema_hash: String,
}

/// The outcome of one import run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
	pub source: u64,
	pub resources: Vec<ImportOutcome>,
}

impl ImportReport {
	/// How many resources had `action`.
	pub fn count(&self, action: &str) -> usize {
		self.resources.iter().filter(|r| r.action == action).count()
	}
}

/// The governance call adding a business domain.
pub fn add_domain_call(
	code: &str,
	name: &str,
	description: &str,
	shared: &[String],
	in_scope: bool,
) -> RuntimeCall {
	RuntimeCall::DataSources(DataSourcesCall::add_domain {
		code: bounded(code),
		info: Box::new(DomainInfo {
			name: bounded(name),
			description: bounded(description),
			shared_data: BoundedVec(shared.iter().map(|s| bounded(s)).collect()),
		}),
		in_scope,
	})
}

/// The governance call putting a business domain in or out of scope.
pub fn set_scope_call(code: &str, in_scope: bool) -> RuntimeCall {
	RuntimeCall::DataSources(DataSourcesCall::set_scope { code: bounded(code), in_scope })
}

impl Chain {
	async fn medtrust<T: serde::de::DeserializeOwned>(
		&self,
		method: &'static str,
		params: subxt_rpcs::client::RpcParams,
	) -> Result<T> {
		self.rpc().request(method, params).await.map_err(|e| self.rpc_error(method, e))
	}

	/// The runtime's catalog limits.
	pub async fn catalog_limits(&self) -> Result<Limits> {
		let at = self.api().at_current_block().await.map_err(|e| self.incompatible(e))?;
		let constant = |pallet: &str, name: &str| -> Result<u32> {
			let address = subxt::dynamic::constant::<u32>(pallet, name);
			at.constants().entry(address).map_err(|e| self.incompatible(e))
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
		self.medtrust("medtrust_domains", subxt_rpcs::rpc_params![]).await
	}

	/// The sources of an institution.
	pub async fn sources_of(&self, institution: u32) -> Result<Vec<SourceJson>> {
		self.medtrust("medtrust_sources", subxt_rpcs::rpc_params![institution]).await
	}

	/// One source, or an error saying there is none.
	pub async fn source(&self, id: u64) -> Result<SourceJson> {
		let found: Option<SourceJson> =
			self.medtrust("medtrust_source", subxt_rpcs::rpc_params![id]).await?;
		found.ok_or_else(|| {
			Error::Input(format!("no data source #{id}: see `medtrust catalog sources`"))
		})
	}

	/// The resources of a source, with their versions.
	pub async fn resources_of(&self, source: u64) -> Result<Vec<ResourceJson>> {
		self.medtrust("medtrust_resources", subxt_rpcs::rpc_params![source]).await
	}

	/// One resource with its versions, or an error saying there is none.
	pub async fn resource(&self, id: u64) -> Result<ResourceJson> {
		let found: Option<ResourceJson> =
			self.medtrust("medtrust_resource", subxt_rpcs::rpc_params![id]).await?;
		found.ok_or_else(|| Error::Input(format!("no resource #{id}")))
	}

	/// Every item of a resource version, reading page after page.
	pub async fn items(&self, resource: u64, version: u32) -> Result<ItemsPage> {
		let mut page: ItemsPage = self
			.medtrust("medtrust_items", subxt_rpcs::rpc_params![resource, version, 0u32])
			.await?;
		while let Some(next) = page.next {
			let more: ItemsPage = self
				.medtrust(
					"medtrust_items",
					subxt_rpcs::rpc_params![resource, version, next, None::<u32>, &page.at.hash],
				)
				.await?;
			page.items.extend(more.items);
			page.next = more.next;
		}
		Ok(page)
	}

	/// The whole trusted verification catalog, every page read at the same block.
	pub async fn catalog(&self) -> Result<CatalogPage> {
		let mut all: CatalogPage =
			self.medtrust("medtrust_catalog", subxt_rpcs::rpc_params![0u64, 50u32]).await?;
		while let Some(next) = all.next {
			let page: CatalogPage = self
				.medtrust("medtrust_catalog", subxt_rpcs::rpc_params![next, 50u32, &all.at.hash])
				.await?;
			all.entries.extend(page.entries);
			all.next = page.next;
		}
		Ok(all)
	}

	/// The institution an account belongs to, or an error saying it belongs to none.
	pub async fn institution_of(&self, account: &AccountId32) -> Result<u32> {
		let at = self.api().at_current_block().await.map_err(|e| self.incompatible(e))?;
		at.runtime_apis()
			.call(runtime::runtime_apis().consortium_api().institution_of(*account))
			.await
			.map_err(|e| self.incompatible(e))?
			.ok_or_else(|| Error::Input(format!("{account} is not an account of any institution")))
	}

	/// Registers a data source of the signer's institution; returns its id.
	pub async fn add_source(
		&self,
		signer: &Keypair,
		name: &str,
		system: SystemKind,
		domains: &[String],
	) -> Result<(u64, Submitted)> {
		let limits = self.catalog_limits().await?;
		if name.trim().is_empty() || name.len() > limits.max_name_len as usize {
			return Err(Error::Input(format!(
				"a source name must have 1 to {} bytes (a Chinese character takes 3); `{name}` has {}",
				limits.max_name_len,
				name.len()
			)));
		}
		let call = runtime::transactions().data_sources().register_source(
			bounded(name),
			system,
			BoundedVec(domains.iter().map(|d| bounded(d)).collect()),
		);
		let (submitted, events) = self.submit_with_events(&call, signer).await?;
		let id = events
			.find_first::<runtime::data_sources::events::SourceRegistered>()
			.and_then(|e| e.ok())
			.map(|e| e.source)
			.ok_or_else(|| Error::Transaction("no SourceRegistered event".into()))?;
		Ok((id, submitted))
	}

	/// Registers what changed in `specs` under `source`: new resources, new versions of
	/// resources whose schema changed, the missing items of an interrupted import. Resources
	/// whose schema is unchanged and complete are left alone. `progress` is told each
	/// resource's outcome as it is done.
	pub async fn import(
		&self,
		signer: &Keypair,
		source: u64,
		specs: &[ResourceSpec],
		mut progress: impl FnMut(&ImportOutcome),
	) -> Result<ImportReport> {
		let limits = self.catalog_limits().await?;
		for spec in specs {
			spec.check(&limits)?;
		}
		let owner = self.institution_of(&signer.public_key().to_account_id()).await?;
		let found = self.source(source).await?;
		if found.institution != owner {
			return Err(Error::Input(format!(
				"data source #{source} belongs to institution #{}, not to the signer's (#{owner})",
				found.institution
			)));
		}
		if found.status != "active" {
			return Err(Error::Input(format!("data source #{source} is retired")));
		}
		let existing = self.resources_of(source).await?;
		let mut report = ImportReport { source, resources: Vec::new() };
		for spec in specs {
			let hash = spec.schema_hash();
			let outcome = match existing.iter().find(|r| r.name == spec.name) {
				None => self.register_new(signer, source, spec, hash, &limits).await?,
				Some(resource) => self.update(signer, resource, spec, hash, &limits).await?,
			};
			progress(&outcome);
			report.resources.push(outcome);
		}
		Ok(report)
	}

	/// Registers `spec` as a new resource of `source` (version 1, declaring its items) without
	/// registering the items; returns the resource's id. [`Chain::import`] registers the items
	/// next, or completes them on a later run if it is interrupted in between.
	pub async fn register_resource(
		&self,
		signer: &Keypair,
		source: u64,
		spec: &ResourceSpec,
	) -> Result<u64> {
		let operations =
			spec.operations.iter().map(|o| parse_operation(o)).collect::<Result<Vec<_>>>()?;
		let call = runtime::transactions().data_sources().register_resource(
			source,
			bounded(&spec.name),
			kind_call(&spec.kind),
			bounded(&spec.address),
			BoundedVec(operations),
			spec.schema_hash(),
			spec.items.len() as u32,
		);
		let (_, events) = self.submit_with_events(&call, signer).await?;
		events
			.find_first::<runtime::data_sources::events::ResourceRegistered>()
			.and_then(|e| e.ok())
			.map(|e| e.resource)
			.ok_or_else(|| Error::Transaction("no ResourceRegistered event".into()))
	}

	async fn register_new(
		&self,
		signer: &Keypair,
		source: u64,
		spec: &ResourceSpec,
		hash: [u8; 32],
		limits: &Limits,
	) -> Result<ImportOutcome> {
		let resource = self.register_resource(signer, source, spec).await?;
		let registered = self.register_items(signer, resource, 1, &spec.items, limits).await?;
		Ok(ImportOutcome {
			resource,
			name: spec.name.clone(),
			action: "registered",
			version: 1,
			items_registered: registered,
			schema_hash: format!("0x{}", hex::encode(hash)),
		})
	}

	async fn update(
		&self,
		signer: &Keypair,
		resource: &ResourceJson,
		spec: &ResourceSpec,
		hash: [u8; 32],
		limits: &Limits,
	) -> Result<ImportOutcome> {
		let hash_text = format!("0x{}", hex::encode(hash));
		let current =
			resource.versions.iter().find(|v| v.version == resource.version).ok_or_else(|| {
				Error::Input(format!("resource #{} has no current version", resource.id))
			})?;
		let outcome = |action, version, items_registered| ImportOutcome {
			resource: resource.id,
			name: spec.name.clone(),
			action,
			version,
			items_registered,
			schema_hash: hash_text.clone(),
		};
		if current.schema_hash == hash_text {
			if current.registered_items >= current.item_count {
				return Ok(outcome("unchanged", current.version, 0));
			}
			// An earlier import stopped half-way: register the items still missing.
			let have = self.items(resource.id, current.version).await?;
			let missing: Vec<ItemSpec> = spec
				.items
				.iter()
				.filter(|i| !have.items.iter().any(|h| h.name == i.name))
				.cloned()
				.collect();
			let n =
				self.register_items(signer, resource.id, current.version, &missing, limits).await?;
			return Ok(outcome("completed", current.version, n));
		}
		let call = runtime::transactions().data_sources().add_version(
			resource.id,
			hash,
			spec.items.len() as u32,
		);
		self.submit(&call, signer).await?;
		let version = resource.version + 1;
		let n = self.register_items(signer, resource.id, version, &spec.items, limits).await?;
		Ok(outcome("versioned", version, n))
	}

	/// Registers `items` of a resource version in batches of the runtime's limit.
	async fn register_items(
		&self,
		signer: &Keypair,
		resource: u64,
		version: u32,
		items: &[ItemSpec],
		limits: &Limits,
	) -> Result<u32> {
		for batch in items.chunks(limits.max_items_per_call.max(1) as usize) {
			let call = runtime::transactions().field_mapping().register_items(
				resource,
				version,
				BoundedVec(batch.iter().map(item_call).collect()),
			);
			self.submit(&call, signer).await?;
		}
		Ok(items.len() as u32)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn item(name: &str) -> ItemSpec {
		ItemSpec {
			name: name.into(),
			data_type: "varchar".into(),
			length: Some(20),
			precision: None,
			scale: None,
			nullable: false,
			definition: "患者姓名".into(),
			value_domain: None,
			unit: None,
			standard_element: None,
		}
	}

	fn spec(items: Vec<ItemSpec>) -> ResourceSpec {
		ResourceSpec {
			name: "public.patient".into(),
			kind: KindSpec::Table {
				database: "his".into(),
				schema: "public".into(),
				table: "patient".into(),
			},
			address: "127.0.0.1:5432/his".into(),
			operations: vec!["collect".into()],
			items,
		}
	}

	const LIMITS: Limits = Limits {
		max_name_len: 256,
		max_locator_len: 256,
		max_items_per_version: 3,
		max_items_per_call: 2,
		max_type_len: 32,
		max_text_len: 512,
		max_unit_len: 32,
	};

	#[test]
	fn the_schema_hash_changes_with_the_schema_only() {
		let a = spec(vec![item("id"), item("name")]);
		let mut b = a.clone();
		b.address = "elsewhere".into();
		assert_eq!(a.schema_hash(), b.schema_hash());
		b.items[1].length = Some(40);
		assert_ne!(a.schema_hash(), b.schema_hash());
		let reordered = spec(vec![item("name"), item("id")]);
		assert_ne!(a.schema_hash(), reordered.schema_hash());
	}

	#[test]
	fn specs_over_the_limits_are_refused_with_the_field_named() {
		assert!(spec(vec![item("id")]).check(&LIMITS).is_ok());
		let e = spec(vec![item("id"), item("id")]).check(&LIMITS).unwrap_err();
		assert!(e.to_string().contains("`id` appears twice"), "{e}");
		let e = spec(vec![item("a"), item("b"), item("c"), item("d")]).check(&LIMITS).unwrap_err();
		assert!(e.to_string().contains("4 fields"), "{e}");
		let mut long = item("x");
		long.data_type = "t".repeat(33);
		let e = spec(vec![long]).check(&LIMITS).unwrap_err();
		assert!(e.to_string().contains("data type"), "{e}");
		let mut bad = spec(vec![]);
		bad.operations = vec!["shred".into()];
		assert!(bad.check(&LIMITS).unwrap_err().to_string().contains("unknown operation"));
	}

	#[test]
	fn element_ids_are_found_in_comments() {
		assert_eq!(find_element_id("患者姓名 DE02.01.039.00").as_deref(), Some("DE02.01.039.00"));
		assert_eq!(find_element_id("[DE04.50.001.00] 空腹血糖"), Some("DE04.50.001.00".into()));
		assert_eq!(find_element_id("no element DE02.01"), None);
	}

	#[test]
	fn enumeration_hashes_ignore_order_and_repeats() {
		let a = ValueDomainSpec::enumeration_hash(&["男".into(), "女".into()]);
		let b = ValueDomainSpec::enumeration_hash(&["女".into(), "男".into(), "女".into()]);
		assert_eq!(a, b);
		assert_ne!(a, ValueDomainSpec::enumeration_hash(&["男".into()]));
	}
}
