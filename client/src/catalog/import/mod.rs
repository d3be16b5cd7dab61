//! Importing a real system's metadata into the catalog: [`postgres`] and [`openapi`] read it
//! as [`ResourceSpec`]s; [`Chain::import`] registers, version by version, only what changed
//! since the last import, and completes an import that was interrupted.

pub mod openapi;
pub mod postgres;

use medtrust_primitives::{catalog::ResourceJson, wire::WireName};
use serde::Serialize;
use subxt::utils::Static;
use subxt_signer::sr25519::Keypair;

use super::spec::{item_call, kind_call, ItemSpec, Limits, ResourceSpec};
use crate::{
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	Chain, Error, Result,
};

/// What an import did to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportAction {
	/// A new resource, version 1.
	Registered,
	/// Its schema changed: a new version.
	Versioned,
	/// An interrupted import of its current version was finished.
	Completed,
	/// Its schema is unchanged and complete.
	Unchanged,
}

medtrust_primitives::wire_names!(ImportAction, "import action" {
	Registered => "registered",
	Versioned => "versioned",
	Completed => "completed",
	Unchanged => "unchanged",
});

/// What an import did to one resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
	pub resource: u64,
	pub name: String,
	pub action: ImportAction,
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
	pub fn count(&self, action: ImportAction) -> usize {
		self.resources.iter().filter(|r| r.action == action).count()
	}
}

impl Chain {
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
		let (_, found) = self.owned_source(signer, source).await?;
		if found.status != pallet_data_sources::SourceStatus::Active.wire_name() {
			return Err(Error::Input(format!("data source #{source} is retired")));
		}
		let existing = self.resources_of(source).await?;
		let mut report = ImportReport { source, resources: Vec::new() };
		for spec in specs {
			let outcome = match existing.iter().find(|r| r.name == spec.name) {
				None => self.register_new(signer, source, spec, &limits).await?,
				Some(resource) => self.update(signer, resource, spec, &limits).await?,
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
		let call = runtime::transactions().data_sources().register_resource(
			source,
			spec.name.clone(),
			kind_call(&spec.kind),
			spec.address.clone(),
			BoundedVec(spec.operations.iter().copied().map(Static).collect()),
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
		limits: &Limits,
	) -> Result<ImportOutcome> {
		let resource = self.register_resource(signer, source, spec).await?;
		let registered = self.register_items(signer, resource, 1, &spec.items, limits).await?;
		Ok(outcome(resource, spec, ImportAction::Registered, 1, registered))
	}

	async fn update(
		&self,
		signer: &Keypair,
		resource: &ResourceJson,
		spec: &ResourceSpec,
		limits: &Limits,
	) -> Result<ImportOutcome> {
		let hash = spec.schema_hash();
		let current =
			resource.versions.iter().find(|v| v.version == resource.version).ok_or_else(|| {
				Error::Input(format!("resource #{} has no current version", resource.id))
			})?;
		if current.schema_hash == hex0x(&hash) {
			if current.registered_items >= current.item_count {
				return Ok(outcome(resource.id, spec, ImportAction::Unchanged, current.version, 0));
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
			return Ok(outcome(resource.id, spec, ImportAction::Completed, current.version, n));
		}
		let call = runtime::transactions().data_sources().add_version(
			resource.id,
			hash,
			spec.items.len() as u32,
		);
		self.submit(&call, signer).await?;
		let version = resource.version + 1;
		let n = self.register_items(signer, resource.id, version, &spec.items, limits).await?;
		Ok(outcome(resource.id, spec, ImportAction::Versioned, version, n))
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

fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn outcome(
	resource: u64,
	spec: &ResourceSpec,
	action: ImportAction,
	version: u32,
	items_registered: u32,
) -> ImportOutcome {
	ImportOutcome {
		resource,
		name: spec.name.clone(),
		action,
		version,
		items_registered,
		schema_hash: hex0x(&spec.schema_hash()),
	}
}
