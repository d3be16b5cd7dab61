//! `medtrust_lineage*` JSON-RPC methods over the lineage runtime API (`LineageApi`): assets,
//! datasets, recorded runs, and ancestors and descendants of an asset (数据血缘). Every method
//! reads at the best block unless `at` names one, and says which block it read. Walks are
//! answered from the node's in-memory index of the graph ([`super::lineage_index`]) when it
//! covers the block asked about, by the runtime otherwise.

use std::{collections::BTreeMap, sync::Arc};

use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use medtrust_rpc_types::{
	catalog::BlockRef,
	lineage_json::{
		parse_uuid, uuid, ActivitiesPage, ActivityJson, AssetClass, AssetJson, DatasetJson,
		DatasetRefJson, EdgeClass, EdgeJson, ReachedJson, WalkJson,
	},
};
use medtrust_runtime::{
	apis::{ActivityInfo, AssetInfo, DatasetInfo},
	opaque::Block,
};
use pallet_lineage::{AssetKind, Direction, EdgeKind};
use pallet_lineage_runtime_api::LineageApi;
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use sp_runtime::traits::Block as BlockT;

use super::{
	catalog::{error, read_at},
	lineage_index::{LineageIndex, View},
};

/// The deepest walk (the runtime caps it too).
pub const MAX_DEPTH: u32 = 100;
/// The most nodes in one page of a walk.
pub const MAX_WALK_PAGE: u32 = 10_000;
/// The most activities in one page.
pub const MAX_ACTIVITIES_PAGE: u32 = 1000;

type Hash = <Block as BlockT>::Hash;

/// The lineage JSON-RPC methods.
#[rpc(client, server)]
pub trait LineageRpc {
	/// One asset (a dataset edition, a field or a certificate), or `null`.
	#[method(name = "medtrust_lineageAsset")]
	fn asset(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<AssetJson>>;

	/// A dataset by its namespace and name exactly as OpenLineage names it, or `null`.
	#[method(name = "medtrust_lineageDataset")]
	fn dataset(
		&self,
		namespace: String,
		name: String,
		at: Option<Hash>,
	) -> RpcResult<Option<DatasetJson>>;

	/// The asset of a field of a dataset edition, or `null`.
	#[method(name = "medtrust_lineageField")]
	fn field(&self, edition: u64, name: String, at: Option<Hash>) -> RpcResult<Option<AssetJson>>;

	/// The fields of a dataset edition (at most 1,000), with their column lineage.
	#[method(name = "medtrust_lineageFields")]
	fn fields(&self, edition: u64, at: Option<Hash>) -> RpcResult<Vec<AssetJson>>;

	/// The asset of a certificate that lineage mentions, or `null`.
	#[method(name = "medtrust_lineageCertificate")]
	fn certificate(&self, certificate: u64, at: Option<Hash>) -> RpcResult<Option<AssetJson>>;

	/// What an asset came from, breadth first up to `depth` (default 20, at most 100): each
	/// node once at its shortest depth with the node it was reached from; at most `limit`
	/// (default and most 10,000) after skipping `skip`; `truncated` when the answer is not
	/// the whole graph. Pass `at.hash` and `next` to read the next page at the same block.
	#[method(name = "medtrust_lineageAncestors", blocking)]
	fn ancestors(
		&self,
		asset: u64,
		depth: Option<u32>,
		skip: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Option<WalkJson>>;

	/// What came from an asset; as `medtrust_lineageAncestors`.
	#[method(name = "medtrust_lineageDescendants", blocking)]
	fn descendants(
		&self,
		asset: u64,
		depth: Option<u32>,
		skip: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Option<WalkJson>>;

	/// One recorded run, by its id on chain or (as a UUID string) its run id; or `null`.
	#[method(name = "medtrust_lineageActivity")]
	fn activity(&self, id: String, at: Option<Hash>) -> RpcResult<Option<ActivityJson>>;

	/// Up to `limit` (default and most 1000) recorded runs from id `skip` on (default 0).
	#[method(name = "medtrust_lineageActivities")]
	fn activities(
		&self,
		skip: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<ActivitiesPage>;
}

/// The lineage RPC methods over a client.
pub struct Lineage<C> {
	client: Arc<C>,
	index: Arc<LineageIndex>,
	gate: super::gate::Gate,
}

impl<C> Lineage<C> {
	/// Serves lineage from `client`, walks from `index` where it can, a few at once (`gate`).
	pub fn new(client: Arc<C>, index: Arc<LineageIndex>, gate: super::gate::Gate) -> Self {
		Self { client, index, gate }
	}
}

fn text(bytes: impl AsRef<[u8]>) -> String {
	String::from_utf8_lossy(bytes.as_ref()).into_owned()
}

fn edge_json(edge: &pallet_lineage::Edge) -> EdgeJson {
	match edge.kind {
		EdgeKind::Input => EdgeJson {
			parent: edge.parent,
			kind: EdgeClass::Input,
			transformation: None,
			masking: None,
		},
		EdgeKind::Column { transformation, masking } => EdgeJson {
			parent: edge.parent,
			kind: EdgeClass::Column,
			transformation: Some(transformation),
			masking: Some(masking),
		},
	}
}

/// A dataset as JSON.
pub fn dataset_json(id: u64, d: DatasetInfo) -> DatasetJson {
	DatasetJson {
		id,
		namespace: text(d.namespace),
		name: text(d.name),
		owner: d.owner,
		resource: d.resource,
		editions: d.editions,
		latest: d.latest,
	}
}

/// An activity as JSON (`complete` unless a run recorded in parts awaits its last part).
pub fn activity_json(id: u64, a: ActivityInfo, complete: bool) -> ActivityJson {
	let format = Ss58AddressFormat::custom(medtrust_primitives::SS58_PREFIX);
	ActivityJson {
		id,
		job_namespace: text(a.job_namespace),
		job_name: text(a.job_name),
		run_id: uuid(&a.run_id),
		kind: a.kind,
		institution: a.institution,
		recorder: a.recorder.to_ss58check_with_version(format),
		started: a.started,
		ended: a.ended,
		event_hash: format!("0x{}", hex::encode(a.event_hash)),
		inputs: a.inputs.into_inner(),
		outputs: a.outputs.into_inner(),
		recorded: a.recorded,
		complete,
	}
}

/// Whether activity `id` is complete at block `hash`: not a run recorded in parts awaiting its
/// last part (`LineageApi` version 2; a runtime before it records no run in parts).
fn is_complete<C>(client: &C, hash: Hash, id: u64) -> RpcResult<bool>
where
	C: ProvideRuntimeApi<Block>,
	C::Api: LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
{
	let api = client.runtime_api();
	let version = api
		.api_version::<dyn LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>>(hash)
		.map_err(error)?;
	if version.unwrap_or(1) < 2 {
		return Ok(true);
	}
	Ok(api.open_run(hash, id).map_err(error)?.is_none())
}

/// Reads assets at one block and turns them into JSON, looking up each dataset once: from
/// the index's view of that block if there is one, from the runtime otherwise.
struct Reader<'a, C: ProvideRuntimeApi<Block>> {
	client: &'a C,
	hash: Hash,
	view: Option<View<'a>>,
	datasets: BTreeMap<u64, Option<DatasetInfo>>,
	editions: BTreeMap<u64, Option<AssetInfo>>,
}

impl<'a, C> Reader<'a, C>
where
	C: ProvideRuntimeApi<Block>,
	C::Api: LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
{
	fn new(client: &'a C, hash: Hash) -> Self {
		Self { client, hash, view: None, datasets: BTreeMap::new(), editions: BTreeMap::new() }
	}

	/// A reader that takes what it can from `view`.
	fn with_view(client: &'a C, hash: Hash, view: Option<View<'a>>) -> Self {
		Self { view, ..Self::new(client, hash) }
	}

	fn assets(&self, ids: Vec<u64>) -> RpcResult<Vec<Option<AssetInfo>>> {
		match &self.view {
			Some(view) => Ok(ids.into_iter().map(|id| view.asset(id).cloned()).collect()),
			None => self.client.runtime_api().assets(self.hash, ids).map_err(error),
		}
	}

	fn dataset(&mut self, id: u64) -> RpcResult<Option<DatasetInfo>> {
		if let Some(found) = self.datasets.get(&id) {
			return Ok(found.clone());
		}
		if let Some(found) = self.view.as_ref().and_then(|v| v.dataset(id)) {
			return Ok(Some(found.clone()));
		}
		let found = self.client.runtime_api().dataset(self.hash, id).map_err(error)?;
		self.datasets.insert(id, found.clone());
		Ok(found)
	}

	fn edition(&mut self, id: u64) -> RpcResult<Option<AssetInfo>> {
		if let Some(found) = self.editions.get(&id) {
			return Ok(found.clone());
		}
		let found = self.assets(vec![id])?.pop().flatten();
		self.editions.insert(id, found.clone());
		Ok(found)
	}

	fn dataset_ref(&mut self, dataset: u64, edition: u32) -> RpcResult<Option<DatasetRefJson>> {
		Ok(self.dataset(dataset)?.map(|d| DatasetRefJson {
			id: dataset,
			namespace: text(d.namespace),
			name: text(d.name),
			edition,
		}))
	}

	fn json(&mut self, id: u64, a: AssetInfo) -> RpcResult<AssetJson> {
		let mut out = AssetJson {
			id,
			kind: AssetClass::Dataset,
			dataset: None,
			field: None,
			of: None,
			certificate: None,
			schema: None,
			producer: a.producer,
			institution: a.institution,
			parents: a.parents.iter().map(edge_json).collect(),
			created: a.created,
		};
		match a.kind {
			AssetKind::Dataset { dataset, edition, schema } => {
				out.kind = AssetClass::Dataset;
				out.dataset = self.dataset_ref(dataset, edition)?;
				out.schema = schema;
			}
			AssetKind::Field { of, name } => {
				out.kind = AssetClass::Field;
				out.field = Some(text(name));
				out.of = Some(of);
				if let Some(AssetKind::Dataset { dataset, edition, .. }) =
					self.edition(of)?.map(|e| e.kind)
				{
					out.dataset = self.dataset_ref(dataset, edition)?;
				}
			}
			AssetKind::Certificate { certificate } => {
				out.kind = AssetClass::Certificate;
				out.certificate = Some(certificate);
			}
		}
		Ok(out)
	}

	fn asset(&mut self, id: u64) -> RpcResult<Option<AssetJson>> {
		match self.assets(vec![id])?.pop().flatten() {
			Some(a) => self.json(id, a).map(Some),
			None => Ok(None),
		}
	}

	fn walk(
		&mut self,
		block: BlockRef,
		start: u64,
		direction: Direction,
		(depth, skip, limit): (u32, u32, u32),
	) -> RpcResult<Option<WalkJson>> {
		let walk = match &self.view {
			Some(view) if view.asset(start).is_some() => {
				Some(pallet_lineage::walk(start, depth, skip, limit, |node, most, out| {
					view.neighbours(node, direction, out);
					out.truncate(most);
				}))
			}
			Some(_) => None,
			None => self
				.client
				.runtime_api()
				.walk(self.hash, start, direction, depth, skip, limit)
				.map_err(error)?,
		};
		let Some(walk) = walk else { return Ok(None) };
		let Some(start) = self.asset(start)? else { return Ok(None) };
		let ids = walk.nodes.iter().map(|n| n.asset).collect();
		let mut nodes = Vec::with_capacity(walk.nodes.len());
		for (reached, asset) in walk.nodes.iter().zip(self.assets(ids)?) {
			let asset = asset.ok_or_else(|| error("a reached asset vanished"))?;
			let asset = self.json(reached.asset, asset)?;
			nodes.push(ReachedJson { depth: reached.depth, via: reached.via, asset });
		}
		Ok(Some(WalkJson {
			at: block,
			start,
			direction,
			depth,
			nodes,
			truncated: walk.truncated,
			next: walk.next,
			deeper: walk.deeper,
		}))
	}
}

/// A walk's depth, skip and page size, defaulted and clamped (the walk itself visits at most
/// `pallet_lineage::MAX_VISITED` nodes, so no `skip` costs more than that).
fn walk_limits(depth: Option<u32>, skip: Option<u32>, limit: Option<u32>) -> (u32, u32, u32) {
	(
		depth.unwrap_or(20).min(MAX_DEPTH),
		skip.unwrap_or(0),
		limit.unwrap_or(MAX_WALK_PAGE).clamp(1, MAX_WALK_PAGE),
	)
}

impl<C> Lineage<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
{
	/// A walk at `at` (the best block if `None`), from the index if it covers that block.
	fn walk(
		&self,
		asset: u64,
		direction: Direction,
		limits: (u32, u32, u32),
		at: Option<Hash>,
	) -> RpcResult<Option<WalkJson>> {
		let _turn = self.gate.enter()?;
		let (hash, block) = read_at(&*self.client, at)?;
		let view = self.index.view(&*self.client, hash, block.number).map_err(error)?;
		Reader::with_view(&*self.client, hash, view).walk(block, asset, direction, limits)
	}
}

impl<C> LineageRpcServer for Lineage<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
{
	fn asset(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<AssetJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		Reader::new(&*self.client, hash).asset(id)
	}

	fn dataset(
		&self,
		namespace: String,
		name: String,
		at: Option<Hash>,
	) -> RpcResult<Option<DatasetJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		let found =
			api.dataset_of(hash, namespace.into_bytes(), name.into_bytes()).map_err(error)?;
		Ok(found.map(|(id, d)| dataset_json(id, d)))
	}

	fn field(&self, edition: u64, name: String, at: Option<Hash>) -> RpcResult<Option<AssetJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		match api.field_of(hash, edition, name.into_bytes()).map_err(error)? {
			Some(id) => Reader::new(&*self.client, hash).asset(id),
			None => Ok(None),
		}
	}

	fn fields(&self, edition: u64, at: Option<Hash>) -> RpcResult<Vec<AssetJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let ids = self.client.runtime_api().fields_of(hash, edition).map_err(error)?;
		let mut reader = Reader::new(&*self.client, hash);
		let mut out = Vec::with_capacity(ids.len());
		for (id, asset) in ids.iter().zip(reader.assets(ids.clone())?) {
			if let Some(asset) = asset {
				out.push(reader.json(*id, asset)?);
			}
		}
		Ok(out)
	}

	fn certificate(&self, certificate: u64, at: Option<Hash>) -> RpcResult<Option<AssetJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		match api.asset_of_certificate(hash, certificate).map_err(error)? {
			Some(id) => Reader::new(&*self.client, hash).asset(id),
			None => Ok(None),
		}
	}

	fn ancestors(
		&self,
		asset: u64,
		depth: Option<u32>,
		skip: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Option<WalkJson>> {
		self.walk(asset, Direction::Ancestors, walk_limits(depth, skip, limit), at)
	}

	fn descendants(
		&self,
		asset: u64,
		depth: Option<u32>,
		skip: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Option<WalkJson>> {
		self.walk(asset, Direction::Descendants, walk_limits(depth, skip, limit), at)
	}

	fn activity(&self, id: String, at: Option<Hash>) -> RpcResult<Option<ActivityJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		let id = match (id.parse::<u64>(), parse_uuid(&id)) {
			(Ok(id), _) => Some(id),
			(Err(_), Some(run)) => api.activity_of_run(hash, run).map_err(error)?,
			(Err(_), None) => return Err(error(format!("`{id}` is neither an id nor a UUID"))),
		};
		let Some(id) = id else { return Ok(None) };
		let Some(found) = api.activity(hash, id).map_err(error)? else { return Ok(None) };
		Ok(Some(activity_json(id, found, is_complete(&*self.client, hash, id)?)))
	}

	fn activities(
		&self,
		skip: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<ActivitiesPage> {
		let (hash, block) = read_at(&*self.client, at)?;
		let skip = skip.unwrap_or(0);
		let limit = limit.unwrap_or(MAX_ACTIVITIES_PAGE).clamp(1, MAX_ACTIVITIES_PAGE);
		let found = self.client.runtime_api().activities(hash, skip, limit).map_err(error)?;
		let next = (found.len() as u32 == limit).then(|| skip.saturating_add(u64::from(limit)));
		let activities = found
			.into_iter()
			.map(|(id, a)| Ok(activity_json(id, a, is_complete(&*self.client, hash, id)?)))
			.collect::<RpcResult<_>>()?;
		Ok(ActivitiesPage { at: block, activities, next })
	}
}
