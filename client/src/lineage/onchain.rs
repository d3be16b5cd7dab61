//! Lineage on chain: runs as the calls' arguments (`Lineage.record`, `Lineage.record_part`),
//! and reads through the node's `medtrust_lineage*` methods (JSON shapes in
//! [`medtrust_rpc_types::lineage_json`]).

use medtrust_rpc_types::{
	catalog::{ResourceJson, ResourceKindJson},
	lineage_json::{ActivitiesPage, ActivityJson, AssetJson, DatasetJson, WalkJson},
};
use subxt::utils::Static;
use subxt_rpcs::rpc_params;

pub use super::plan::{edges, Bounds, PartPlan};
use super::{
	export::Graph,
	openlineage::{DatasetName, Input, OutputField, Run},
};
use crate::chain::paging::{all_pages, every_page};
use crate::lineage::{Error as LineageError, Lineage};
use crate::{
	runtime::runtime_types::{
		bounded_collections::bounded_vec::BoundedVec,
		pallet_lineage::types::{
			ActivitySpec, ColumnInput, FieldSpec, InputRef, OutputFields, OutputSpec, RunHeader,
			RunPart,
		},
	},
	Error, Result,
};
use pallet_lineage::Direction;

/// An asset as a user names it: a dataset edition by id, or a dataset by namespace and name
/// (its latest edition), and optionally a field of it (column-level lineage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetRef {
	/// The dataset edition.
	pub dataset: DatasetRef,
	/// A field of it.
	pub field: Option<String>,
}

/// A dataset edition: by id, or a dataset's latest by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatasetRef {
	/// The asset's id on chain.
	Id(u64),
	/// A dataset's namespace and name, exactly as OpenLineage names it.
	Named(DatasetName),
}

fn bounded(text: &str, limit: u32, what: &str) -> Result<String> {
	if text.len() > limit as usize {
		return Err(LineageError::Bounds(format!(
			"{what} `{text}` is {} bytes long; the chain keeps at most {limit}",
			text.len()
		))
		.into());
	}
	Ok(text.to_string())
}

/// The host and port of a namespace or an address (`postgres://lis.example:5432/lis` and
/// `lis.example:5432/lis` both give `lis.example:5432`), lower case.
fn authority(text: &str) -> String {
	let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
	rest.split('/').next().unwrap_or_default().to_ascii_lowercase()
}

/// The names OpenLineage gives a registered resource's dataset in its namespace: a table as
/// `database.schema.table`, `schema.table` or `database.table` (as the integration for its
/// database names it); a file set by its pattern; an interface is no dataset.
pub fn openlineage_names(kind: &ResourceKindJson) -> Vec<String> {
	match kind {
		ResourceKindJson::Table { database, schema, table } => vec![
			format!("{database}.{schema}.{table}"),
			format!("{schema}.{table}"),
			format!("{database}.{table}"),
		],
		ResourceKindJson::FileSet { pattern } => {
			vec![pattern.clone(), pattern.trim_start_matches('/').to_string()]
		}
		ResourceKindJson::Interface { .. } => Vec::new(),
	}
}

/// An institution's registered resources by the OpenLineage names of their datasets: an
/// output dataset that is one of them is recorded as an edition of its current version.
#[derive(Clone, Debug, Default)]
pub struct Resources(Vec<(String, Vec<String>, u64, u32)>);

impl Resources {
	/// The resources given, as registered in the catalog.
	pub fn new(resources: &[ResourceJson]) -> Self {
		Self(
			resources
				.iter()
				.map(|r| (authority(&r.address), openlineage_names(&r.kind), r.id, r.version))
				.collect(),
		)
	}

	/// The registered resource and version `dataset` is, if one: the same host and port as
	/// its namespace and one of its names.
	pub fn of(&self, dataset: &DatasetName) -> Option<(u64, u32)> {
		let host = authority(&dataset.namespace);
		self.0
			.iter()
			.find(|(at, names, ..)| *at == host && names.contains(&dataset.name))
			.map(|&(_, _, id, version)| (id, version))
	}
}

impl Run {
	/// The run as the call's argument, its hash given; outputs that are registered
	/// `resources` say so. [`check`](super::plan::check) it first.
	pub fn call_argument(
		&self,
		bounds: &Bounds,
		event_hash: [u8; 32],
		resources: &Resources,
	) -> Result<ActivitySpec> {
		let inputs = self.inputs.iter().map(|i| input_ref(i, bounds)).collect::<Result<_>>()?;
		let outputs = (0..self.outputs.len())
			.map(|o| self.output_spec(o, 0..self.outputs[o].fields.len(), bounds, resources))
			.collect::<Result<_>>()?;
		Ok(ActivitySpec {
			job_namespace: bounded(&self.job_namespace, bounds.namespace, "job namespace")?,
			job_name: bounded(&self.job_name, bounds.name, "job name")?,
			run_id: self.run_id,
			kind: Static(self.kind),
			started: self.started,
			ended: self.ended,
			event_hash,
			inputs: BoundedVec(inputs),
			outputs: BoundedVec(outputs),
		})
	}

	/// Part `number` of the run's `parts` ([`plan`](super::plan::plan)) as the call's argument.
	pub fn part_argument(
		&self,
		parts: &[PartPlan],
		number: usize,
		bounds: &Bounds,
		event_hash: [u8; 32],
		resources: &Resources,
	) -> Result<RunPart> {
		let part = parts
			.get(number)
			.ok_or_else(|| Error::Internal(format!("the run has no part {number}")))?;
		let inputs_before: usize = parts[..number].iter().map(|p| p.inputs.len()).sum();
		let header = match number {
			0 => Some(RunHeader {
				job_namespace: bounded(&self.job_namespace, bounds.namespace, "job namespace")?,
				job_name: bounded(&self.job_name, bounds.name, "job name")?,
				kind: Static(self.kind),
				started: self.started,
				ended: self.ended,
				event_hash,
			}),
			_ => None,
		};
		let inputs = self.inputs[part.inputs.clone()]
			.iter()
			.map(|i| input_ref(i, bounds))
			.collect::<Result<_>>()?;
		let outputs = part
			.outputs
			.iter()
			.map(|(o, fields)| self.output_spec(*o, fields.clone(), bounds, resources))
			.collect::<Result<_>>()?;
		let mut fields = Vec::with_capacity(part.fields.len());
		for (o, range) in &part.fields {
			let specs = self.outputs[*o].fields[range.clone()]
				.iter()
				.map(|f| self.field_spec(f, bounds))
				.collect::<Result<_>>()?;
			// The output's index among those the run wrote, in order: its place in the run.
			fields.push(OutputFields { output: *o as u32, fields: BoundedVec(specs) });
		}
		Ok(RunPart {
			run_id: self.run_id,
			part: number as u32,
			parts: parts.len() as u32,
			header,
			inputs_before: inputs_before as u32,
			inputs: BoundedVec(inputs),
			outputs: BoundedVec(outputs),
			fields: BoundedVec(fields),
		})
	}

	/// Output `o` with its fields `fields`.
	fn output_spec(
		&self,
		o: usize,
		fields: std::ops::Range<usize>,
		bounds: &Bounds,
		resources: &Resources,
	) -> Result<OutputSpec> {
		let output = &self.outputs[o];
		let specs = output.fields[fields]
			.iter()
			.map(|f| self.field_spec(f, bounds))
			.collect::<Result<_>>()?;
		Ok(OutputSpec {
			namespace: bounded(&output.dataset.namespace, bounds.namespace, "namespace")?,
			name: bounded(&output.dataset.name, bounds.name, "dataset name")?,
			schema: resources.of(&output.dataset),
			fields: BoundedVec(specs),
		})
	}

	/// A field with its column inputs, each named by its input's index in the run.
	fn field_spec(&self, field: &OutputField, bounds: &Bounds) -> Result<FieldSpec> {
		let mut sources = Vec::with_capacity(field.sources.len());
		for s in &field.sources {
			let input = self
				.inputs
				.iter()
				.position(|i| matches!(i, Input::Dataset(x) if *x == s.dataset))
				.ok_or_else(|| {
					LineageError::Event(format!(
						"column input {}.{} is not an input",
						s.dataset.name, s.field
					))
				})?;
			sources.push(ColumnInput {
				input: input as u32,
				field: bounded(&s.field, bounds.field, "field name")?,
				transformation: Static(s.transformation),
				masking: s.masking,
			});
		}
		Ok(FieldSpec {
			name: bounded(&field.name, bounds.field, "field name")?,
			inputs: BoundedVec(sources),
		})
	}
}

/// An input as the call names it.
fn input_ref(input: &Input, bounds: &Bounds) -> Result<InputRef> {
	Ok(match input {
		Input::Dataset(d) => InputRef::Dataset {
			namespace: bounded(&d.namespace, bounds.namespace, "namespace")?,
			name: bounded(&d.name, bounds.name, "dataset name")?,
		},
		Input::Certificate(id) => InputRef::Certificate(*id),
	})
}

/// Splits runs into calls within the chain's bounds (the order kept).
pub fn batches<'a>(
	runs: impl IntoIterator<Item = &'a Run>,
	bounds: &Bounds,
) -> Result<Vec<std::ops::Range<usize>>> {
	let mut out = Vec::new();
	let (mut start, mut count, mut load, mut end) = (0, 0u32, 0u32, 0);
	for (i, run) in runs.into_iter().enumerate() {
		let e = edges(run);
		if e > bounds.edges {
			return Err(LineageError::Bounds(format!(
				"run {} of job {} has {e} edges; one call records at most {}",
				medtrust_rpc_types::lineage_json::uuid(&run.run_id),
				run.job_name,
				bounds.edges
			))
			.into());
		}
		if count == bounds.activities || load + e > bounds.edges {
			out.push(start..i);
			(start, count, load) = (i, 0, 0);
		}
		count += 1;
		load += e;
		end = i + 1;
	}
	if count > 0 {
		out.push(start..end);
	}
	Ok(out)
}

impl Lineage<'_> {
	/// The chain's bounds on recording.
	pub async fn bounds(&self) -> Result<Bounds> {
		let at = self.chain.at_current().await?;
		let get = |name: &'static str| -> Result<u32> {
			let address = subxt::dynamic::constant::<u32>("Lineage", name);
			at.constants().entry(address).map_err(|e| self.chain.incompatible(e))
		};
		Ok(Bounds {
			activities: get("MaxActivitiesPerCall")?.max(1),
			edges: get("MaxEdgesPerCall")?,
			namespace: get("MaxNamespaceLen")?,
			name: get("MaxLineageNameLen")?,
			field: get("MaxFieldNameLen")?,
			inputs: get("MaxInputs")?,
			outputs: get("MaxOutputs")?,
			fields: get("MaxFieldsPerOutput")?,
			parents: get("MaxParents")?,
			parts: get("MaxRunParts")?,
		})
	}

	/// The registered resources of `institution`'s sources.
	pub async fn resources(&self, institution: u32) -> Result<Resources> {
		let mut all = Vec::new();
		for source in self.chain.catalog().sources_of(institution).await? {
			all.extend(self.chain.catalog().resources_of(source.id).await?);
		}
		Ok(Resources::new(&all))
	}

	/// The asset `asset` names: an id, or a dataset's latest edition, or a field of either.
	pub async fn resolve(&self, asset: &AssetRef) -> Result<u64> {
		let edition = match &asset.dataset {
			DatasetRef::Id(id) => *id,
			DatasetRef::Named(name) => {
				self.dataset(&name.namespace, &name.name)
					.await?
					.ok_or_else(|| {
						let which = format!("{} {}", name.namespace, name.name);
						Error::not_found("dataset in the lineage", which)
					})?
					.latest
			}
		};
		let Some(field) = &asset.field else { return Ok(edition) };
		let found = self.field(edition, field).await?;
		Ok(found
			.ok_or_else(|| Error::not_found("asset", format!("field {field} of asset {edition}")))?
			.id)
	}

	/// One asset, if it exists.
	pub async fn asset(&self, id: u64) -> Result<Option<AssetJson>> {
		self.chain.call("medtrust_lineageAsset", rpc_params![id]).await
	}

	/// A dataset by namespace and name, if known.
	pub async fn dataset(&self, namespace: &str, name: &str) -> Result<Option<DatasetJson>> {
		self.chain.call("medtrust_lineageDataset", rpc_params![namespace, name]).await
	}

	/// The asset of a field of a dataset edition, if known.
	pub async fn field(&self, edition: u64, name: &str) -> Result<Option<AssetJson>> {
		self.chain.call("medtrust_lineageField", rpc_params![edition, name]).await
	}

	/// A run by its activity id or its run id (UUID), if recorded.
	pub async fn activity(&self, id: &str) -> Result<Option<ActivityJson>> {
		self.chain.call("medtrust_lineageActivity", rpc_params![id]).await
	}

	/// Every page of a walk from `start`, read at one block.
	pub async fn walk(
		&self,
		start: u64,
		direction: Direction,
		depth: u32,
		limit: u32,
	) -> Result<Option<WalkJson>> {
		let method = match direction {
			Direction::Ancestors => "medtrust_lineageAncestors",
			Direction::Descendants => "medtrust_lineageDescendants",
		};
		// A page's `skip` is the number of nodes read before it.
		every_page(limit as usize, |skip, at| {
			let page_limit = u64::from(limit).saturating_sub(skip).clamp(1, 10_000);
			let params = serde_json::json!([start, depth, skip, page_limit, at]);
			self.chain.call_large(method, params)
		})
		.await
	}

	/// Every recorded run and every asset they mention, read at one block (for exports).
	pub async fn graph(&self) -> Result<Graph> {
		let mut graph = Graph::default();
		let page: ActivitiesPage = all_pages(|skip, at| {
			self.chain.call("medtrust_lineageActivities", rpc_params![skip, 1000, at])
		})
		.await?;
		let at = Some(page.at.hash);
		graph.activities = page.activities;
		// Every asset the runs mention, the output editions' fields (their column lineage),
		// and whatever those come from, each read once.
		let mut wanted: Vec<u64> = Vec::new();
		for a in &graph.activities {
			wanted.extend(a.inputs.iter().chain(&a.outputs));
			for &edition in &a.outputs {
				let fields: Vec<AssetJson> = self
					.chain
					.call("medtrust_lineageFields", rpc_params![edition, at.clone()])
					.await?;
				wanted.extend(fields.iter().flat_map(|f| f.parents.iter().map(|e| e.parent)));
				graph.assets.extend(fields.into_iter().map(|f| (f.id, f)));
			}
		}
		while let Some(id) = wanted.pop() {
			if graph.assets.contains_key(&id) {
				continue;
			}
			let asset: Option<AssetJson> =
				self.chain.call("medtrust_lineageAsset", rpc_params![id, at.clone()]).await?;
			let Some(asset) = asset else { continue };
			wanted.extend(asset.parents.iter().map(|e| e.parent).chain(asset.of));
			graph.assets.insert(id, asset);
		}
		Ok(graph)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn table(id: u64, address: &str, database: &str, schema: &str, table: &str) -> ResourceJson {
		ResourceJson {
			id,
			source: 0,
			name: format!("{schema}.{table}"),
			kind: ResourceKindJson::Table {
				database: database.into(),
				schema: schema.into(),
				table: table.into(),
			},
			address: address.into(),
			operations: Vec::new(),
			version: 3,
			registered: 1,
			versions: Vec::new(),
		}
	}

	fn dataset(namespace: &str, name: &str) -> DatasetName {
		DatasetName { namespace: namespace.into(), name: name.into() }
	}

	#[test]
	fn outputs_are_registered_resources_by_host_and_openlineage_name() {
		let resources = Resources::new(&[
			table(7, "LIS.example:5432/lis", "lis", "public", "lab_result"),
			table(8, "postgres://research.example:5432", "research", "research", "lab_deid"),
		]);
		let lis = "postgres://lis.example:5432";
		assert_eq!(resources.of(&dataset(lis, "lis.public.lab_result")), Some((7, 3)));
		assert_eq!(resources.of(&dataset(lis, "public.lab_result")), Some((7, 3)));
		let research = "postgres://research.example:5432";
		assert_eq!(resources.of(&dataset(research, "research.lab_deid")), Some((8, 3)));
		// Another host, another table, another name: none.
		assert_eq!(
			resources.of(&dataset("postgres://lis.example:5433", "public.lab_result")),
			None
		);
		assert_eq!(resources.of(&dataset(lis, "public.lab_order")), None);
		assert_eq!(resources.of(&dataset(research, "lis.public.lab_result")), None);
	}
}
