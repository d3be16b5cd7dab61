//! Importing a real system's metadata into the catalog: [`postgres`] and [`openapi`] read it
//! as [`ResourceSpec`]s; [`Catalog::import`] registers, version by version, only what changed
//! since the last import, and completes an import that was interrupted. It works in three
//! rounds, each all in flight ([`Chain::submit_in_flight`]): the new resources, the new
//! versions, then every item.

pub mod openapi;
pub mod postgres;

use medtrust_rpc_types::catalog::ResourceJson;
use serde::Serialize;
use subxt::utils::Static;
use subxt_signer::sr25519::Keypair;

use super::spec::{item_call, kind_call, ItemSpec, Limits, ResourceSpec};
use crate::catalog::{Catalog, Error as CatalogError};
use crate::chain::tx::DispatchFailure;
use crate::{
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	Error, Result,
};

/// How many times an import plans and submits when transactions of an interrupted run of it,
/// still in a node's pool when it began, register what it set out to register (it then plans
/// again from what the chain holds).
const PASSES: u32 = 3;

/// Whether a refused registration says it was done already: by an interrupted run's
/// transaction that landed first.
fn done_before(failure: &DispatchFailure) -> bool {
	["DataSources", "FieldMapping"]
		.iter()
		.any(|pallet| failure.is(pallet, "AlreadyExists") || failure.is(pallet, "Duplicate"))
}

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

impl Catalog<'_> {
	/// Registers what changed in `specs` under `source`: new resources, new versions of
	/// resources whose schema changed, the missing items of an interrupted import. Resources
	/// whose schema is unchanged and complete are left alone. When an interrupted run's
	/// transactions, still in the pool, register some of it first, it plans again from the
	/// chain (up to [`PASSES`] times). `progress` is told each resource's outcome.
	pub async fn import(
		&self,
		signer: &Keypair,
		source: u64,
		specs: &[ResourceSpec],
		mut progress: impl FnMut(&ImportOutcome),
	) -> Result<ImportReport> {
		let limits = self.limits().await?;
		for spec in specs {
			spec.check(&limits)?;
		}
		let (_, found) = self.owned_source(signer, source).await?;
		if found.status != pallet_data_sources::SourceStatus::Active {
			return Err(CatalogError::Retired(source).into());
		}
		let mut passes = 1;
		let outcomes = loop {
			match self.import_pass(signer, source, specs, &limits).await {
				Err(Error::Dispatch { failure, .. })
					if passes < PASSES && done_before(&failure) =>
				{
					passes += 1
				}
				outcomes => break outcomes?,
			}
		};
		let mut report = ImportReport { source, resources: Vec::new() };
		for outcome in outcomes {
			progress(&outcome);
			report.resources.push(outcome);
		}
		Ok(report)
	}

	/// Plans what `specs` change against the chain's catalog and submits it, round by round.
	async fn import_pass(
		&self,
		signer: &Keypair,
		source: u64,
		specs: &[ResourceSpec],
		limits: &Limits,
	) -> Result<Vec<ImportOutcome>> {
		let existing = self.resources_of(source).await?;
		let mut plans = Vec::with_capacity(specs.len());
		for spec in specs {
			plans.push(match existing.iter().find(|r| r.name == spec.name) {
				None => Plan::new(spec, None, ImportAction::Registered, 1, spec.items.clone()),
				Some(resource) => self.plan_update(resource, spec).await?,
			});
		}
		self.register_new_resources(signer, source, &mut plans).await?;
		self.add_versions(signer, &plans).await?;
		self.register_all_items(signer, &plans, limits).await?;
		plans.into_iter().map(|plan| plan.outcome()).collect()
	}

	/// Registers `spec` as a new resource of `source` (version 1, declaring its items) without
	/// registering the items; returns the resource's id. [`Catalog::import`] registers the items
	/// next, or completes them on a later run if it is interrupted in between.
	pub async fn register_resource(
		&self,
		signer: &Keypair,
		source: u64,
		spec: &ResourceSpec,
	) -> Result<u64> {
		let (_, events) =
			self.chain.submit_with_events(&register_call(source, spec), signer).await?;
		events
			.find_first::<runtime::data_sources::events::ResourceRegistered>()
			.and_then(|e| e.ok())
			.map(|e| e.resource)
			.ok_or_else(|| Error::Internal("no ResourceRegistered event".into()))
	}

	/// What an import must do to an existing resource: nothing if its schema is unchanged and
	/// complete, register the items an interrupted import left out, or a new version.
	async fn plan_update<'a>(
		&self,
		resource: &ResourceJson,
		spec: &'a ResourceSpec,
	) -> Result<Plan<'a>> {
		let current =
			resource.versions.iter().find(|v| v.version == resource.version).ok_or_else(|| {
				Error::Internal(format!("resource #{} has no current version", resource.id))
			})?;
		let (id, version) = (Some(resource.id), current.version);
		if current.schema_hash != hex0x(&spec.schema_hash()) {
			let items = spec.items.clone();
			return Ok(Plan::new(spec, id, ImportAction::Versioned, version + 1, items));
		}
		if current.registered_items >= current.item_count {
			return Ok(Plan::new(spec, id, ImportAction::Unchanged, version, Vec::new()));
		}
		// An earlier import stopped half-way: register the items still missing.
		let have = self.items(resource.id, version).await?;
		let missing: Vec<ItemSpec> = spec
			.items
			.iter()
			.filter(|i| !have.items.iter().any(|h| h.name == i.name))
			.cloned()
			.collect();
		Ok(Plan::new(spec, id, ImportAction::Completed, version, missing))
	}

	/// Registers every new resource (version 1, declaring its items), all in flight; notes
	/// each one's id in its plan.
	async fn register_new_resources(
		&self,
		signer: &Keypair,
		source: u64,
		plans: &mut [Plan<'_>],
	) -> Result<()> {
		let new: Vec<usize> =
			(0..plans.len()).filter(|&i| plans[i].action == ImportAction::Registered).collect();
		let calls: Vec<_> = new.iter().map(|&i| register_call(source, plans[i].spec)).collect();
		self.chain
			.submit_in_flight(&calls, signer, |landed| {
				let plan = &mut plans[new[landed.index]];
				if let Some(failure) = landed.failed {
					let what = format!("registering {}", plan.spec.name);
					return Err(Error::Dispatch { what, failure });
				}
				let registered =
					landed.event::<runtime::data_sources::events::ResourceRegistered>();
				let registered = registered
					.ok_or_else(|| Error::Internal("no ResourceRegistered event".into()))?;
				plan.resource = Some(registered.resource);
				Ok(())
			})
			.await
	}

	/// Adds a version to every resource whose schema changed, all in flight.
	async fn add_versions(&self, signer: &Keypair, plans: &[Plan<'_>]) -> Result<()> {
		let changed: Vec<&Plan> =
			plans.iter().filter(|p| p.action == ImportAction::Versioned).collect();
		let calls: Vec<_> = changed
			.iter()
			.map(|plan| {
				runtime::transactions().data_sources().add_version(
					plan.resource.unwrap_or_default(),
					plan.spec.schema_hash(),
					plan.spec.items.len() as u32,
				)
			})
			.collect();
		self.chain
			.submit_in_flight(&calls, signer, |landed| match landed.failed {
				Some(failure) => {
					let what = format!("a new version of {}", changed[landed.index].spec.name);
					Err(Error::Dispatch { what, failure })
				}
				None => Ok(()),
			})
			.await
	}

	/// Registers every plan's items, in calls of the runtime's limit, all in flight.
	async fn register_all_items(
		&self,
		signer: &Keypair,
		plans: &[Plan<'_>],
		limits: &Limits,
	) -> Result<()> {
		let mut calls = Vec::new();
		let mut names = Vec::new();
		for plan in plans {
			let resource = plan.resource.unwrap_or_default();
			for batch in plan.items.chunks(limits.max_items_per_call.max(1) as usize) {
				calls.push(runtime::transactions().field_mapping().register_items(
					resource,
					plan.version,
					BoundedVec(batch.iter().map(item_call).collect()),
				));
				names.push(&plan.spec.name);
			}
		}
		self.chain
			.submit_in_flight(&calls, signer, |landed| match landed.failed {
				Some(failure) => Err(Error::Dispatch {
					what: format!("items of {}", names[landed.index]),
					failure,
				}),
				None => Ok(()),
			})
			.await
	}
}

/// What an import does to one resource.
struct Plan<'a> {
	spec: &'a ResourceSpec,
	/// Its id, once it exists.
	resource: Option<u64>,
	action: ImportAction,
	version: u32,
	/// The items to register.
	items: Vec<ItemSpec>,
}

impl<'a> Plan<'a> {
	fn new(
		spec: &'a ResourceSpec,
		resource: Option<u64>,
		action: ImportAction,
		version: u32,
		items: Vec<ItemSpec>,
	) -> Self {
		Self { spec, resource, action, version, items }
	}

	fn outcome(&self) -> Result<ImportOutcome> {
		let resource = self
			.resource
			.ok_or_else(|| Error::Internal(format!("{} was not registered", self.spec.name)))?;
		Ok(outcome(resource, self.spec, self.action, self.version, self.items.len() as u32))
	}
}

/// The call registering `spec` as a new resource of `source`.
fn register_call(source: u64, spec: &ResourceSpec) -> impl subxt::transactions::Payload {
	runtime::transactions().data_sources().register_resource(
		source,
		spec.name.clone(),
		kind_call(&spec.kind),
		spec.address.clone(),
		BoundedVec(spec.operations.iter().copied().map(Static).collect()),
		spec.schema_hash(),
		spec.items.len() as u32,
	)
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
