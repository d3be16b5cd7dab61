//! The node's lineage index: the finalized lineage graph held in memory, so that
//! `medtrust_lineageAncestors` and `medtrust_lineageDescendants` walk adjacency lists instead
//! of calling into the runtime for every node (and every node's asset and dataset).
//!
//! Assets are immutable and numbered in order of creation, and every edge points from an
//! asset to older ones; so the graph at any block is a prefix of the assets, and the graph at
//! a block after the index's is the index plus the assets created since. A query at a block
//! the index has passed on the finalized chain reads the prefix of assets created up to it; a
//! query at a later block on the same chain (the best block, usually a few blocks ahead)
//! reads the assets created since from that block's state and lays them over the index. A
//! block on another fork, or a query before the index has caught up, is answered by the
//! runtime (`LineageApi::walk`): slower, never different.
//!
//! A background task ([`run`]) catches the index up at start and at every finality
//! notification. Its memory is about 150 bytes an asset plus 24 bytes an edge.

use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, RwLock, RwLockReadGuard},
};

use futures::{FutureExt, StreamExt};
use medtrust_runtime::{
	apis::{ActivityInfo, AssetInfo, DatasetInfo},
	opaque::Block,
};
use pallet_lineage::{AssetId, AssetKind, DatasetId, Direction};
use pallet_lineage_runtime_api::LineageApi;
use sc_client_api::BlockchainEvents;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::{Block as BlockT, Header as _};

type Hash = <Block as BlockT>::Hash;

/// The first look for assets past the index: most queries find none or a few, so the first
/// read asks for few ids, and each next read for twice as many.
const FIRST_CHUNK: u64 = 256;
/// The most ids asked for in one runtime call.
const MAX_CHUNK: u64 = 16_384;
/// How far below a queried block the index's block may lie for the query to be answered from
/// the index when the queried block is on no chain the node has finalized.
const MAX_FORK_WALK: u32 = 256;

/// The lineage graph as of one finalized block.
#[derive(Default)]
pub struct Graph {
	/// The finalized block the graph is of (`None` until the first catch-up).
	at: Option<(Hash, u32)>,
	/// Every asset, by id (its index).
	assets: Vec<AssetInfo>,
	/// The children of every asset, by id, each list in ascending order.
	children: Vec<Vec<AssetId>>,
	/// Every dataset the assets name.
	datasets: HashMap<DatasetId, DatasetInfo>,
}

impl Graph {
	fn len(&self) -> u64 {
		self.assets.len() as u64
	}

	/// Appends the assets created after the graph's (ids from `len()` on), as of `at`.
	fn append(&mut self, new: Assets, at: (Hash, u32)) {
		for asset in new.assets {
			let id = self.len();
			for edge in &asset.parents {
				if let Some(children) = self.children.get_mut(edge.parent as usize) {
					children.push(id);
				}
			}
			self.assets.push(asset);
			self.children.push(Vec::new());
		}
		self.datasets.extend(new.datasets);
		self.at = Some(at);
	}
}

/// Assets read from a block's state, with the datasets they name that the index lacks.
#[derive(Default)]
struct Assets {
	assets: Vec<AssetInfo>,
	datasets: HashMap<DatasetId, DatasetInfo>,
}

/// Reads the assets of ids `first` and up at `hash` (ids are dense: the first missing id
/// ends them), with each dataset they name that `known` does not hold.
fn read_from<C>(
	client: &C,
	hash: Hash,
	first: u64,
	known: &HashMap<DatasetId, DatasetInfo>,
) -> Result<Assets, String>
where
	C: ProvideRuntimeApi<Block>,
	C::Api: LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
{
	let api = client.runtime_api();
	let mut out = Assets::default();
	let mut chunk = FIRST_CHUNK;
	loop {
		let next = first + out.assets.len() as u64;
		let found = api.assets(hash, (next..next + chunk).collect()).map_err(|e| e.to_string())?;
		let before = out.assets.len();
		out.assets.extend(found.into_iter().map_while(|a| a));
		let read = (out.assets.len() - before) as u64;
		for asset in &out.assets[before..] {
			if let AssetKind::Dataset { dataset, .. } = asset.kind {
				if !known.contains_key(&dataset) && !out.datasets.contains_key(&dataset) {
					let found = api.dataset(hash, dataset).map_err(|e| e.to_string())?;
					let found = found.ok_or_else(|| format!("dataset {dataset} is missing"))?;
					out.datasets.insert(dataset, found);
				}
			}
		}
		if read < chunk {
			return Ok(out);
		}
		chunk = (chunk * 2).min(MAX_CHUNK);
	}
}

/// The lineage index, shared by the RPC methods and the task that keeps it.
#[derive(Default)]
pub struct LineageIndex {
	graph: RwLock<Graph>,
}

impl LineageIndex {
	/// Brings the index to the finalized block `hash` (number `number`): reads the assets
	/// created since its own block. Returns how many it added.
	pub fn catch_up<C>(&self, client: &C, hash: Hash, number: u32) -> Result<usize, String>
	where
		C: ProvideRuntimeApi<Block>,
		C::Api: LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
	{
		let new = {
			let graph = self.read();
			if graph.at.is_some_and(|(_, at)| at >= number) {
				return Ok(0);
			}
			// Only this task writes: the graph cannot grow while it is read here.
			read_from(client, hash, graph.len(), &graph.datasets)?
		};
		let added = new.assets.len();
		self.graph.write().unwrap_or_else(|p| p.into_inner()).append(new, (hash, number));
		Ok(added)
	}

	fn read(&self) -> RwLockReadGuard<'_, Graph> {
		self.graph.read().unwrap_or_else(|p| p.into_inner())
	}

	/// The graph as of block `hash` (number `number`), if the index can answer for it: `None`
	/// before the first catch-up and for a block on another fork (ask the runtime then).
	pub fn view<C>(&self, client: &C, hash: Hash, number: u32) -> Result<Option<View<'_>>, String>
	where
		C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
		C::Api: LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
	{
		let graph = self.read();
		let Some((indexed, indexed_number)) = graph.at else { return Ok(None) };
		let canonical = client.hash(number).map_err(|e| e.to_string())? == Some(hash);
		if number <= indexed_number {
			if !canonical {
				return Ok(None);
			}
			let end = graph.assets.partition_point(|a| a.created <= number) as u64;
			return Ok(Some(View::new(graph, end, Assets::default())));
		}
		if hash != indexed && !canonical && !descends_from(client, hash, indexed, indexed_number)? {
			return Ok(None);
		}
		let extra = read_from(client, hash, graph.len(), &graph.datasets)?;
		let end = graph.len();
		Ok(Some(View::new(graph, end, extra)))
	}
}

/// Whether block `hash` descends from block `ancestor` (number `number`), looked for at most
/// [`MAX_FORK_WALK`] blocks back.
fn descends_from<C: HeaderBackend<Block>>(
	client: &C,
	mut hash: Hash,
	ancestor: Hash,
	number: u32,
) -> Result<bool, String> {
	for _ in 0..MAX_FORK_WALK {
		let Some(header) = client.header(hash).map_err(|e| e.to_string())? else {
			return Ok(false);
		};
		if *header.number() <= number {
			return Ok(hash == ancestor);
		}
		hash = *header.parent_hash();
	}
	Ok(false)
}

/// The graph at one block: the index's assets below `end`, then `extra` (read from that
/// block's state).
pub struct View<'a> {
	graph: RwLockReadGuard<'a, Graph>,
	end: u64,
	extra: Assets,
	extra_children: BTreeMap<AssetId, Vec<AssetId>>,
}

impl<'a> View<'a> {
	fn new(graph: RwLockReadGuard<'a, Graph>, end: u64, extra: Assets) -> Self {
		let mut extra_children: BTreeMap<AssetId, Vec<AssetId>> = BTreeMap::new();
		for (i, asset) in extra.assets.iter().enumerate() {
			for edge in &asset.parents {
				extra_children.entry(edge.parent).or_default().push(end + i as u64);
			}
		}
		Self { graph, end, extra, extra_children }
	}

	/// An asset, if it exists at the view's block.
	pub fn asset(&self, id: AssetId) -> Option<&AssetInfo> {
		if id < self.end {
			self.graph.assets.get(id as usize)
		} else {
			self.extra.assets.get((id - self.end) as usize)
		}
	}

	/// A dataset that an asset of the view names.
	pub fn dataset(&self, id: DatasetId) -> Option<&DatasetInfo> {
		self.graph.datasets.get(&id).or_else(|| self.extra.datasets.get(&id))
	}

	/// Appends the parents or children of `id` to `out`.
	pub fn neighbours(&self, id: AssetId, direction: Direction, out: &mut Vec<AssetId>) {
		match direction {
			Direction::Ancestors => {
				if let Some(asset) = self.asset(id) {
					out.extend(asset.parents.iter().map(|e| e.parent));
				}
			}
			Direction::Descendants => {
				if let Some(children) = self.graph.children.get(id as usize) {
					out.extend(children.iter().copied().take_while(|&c| c < self.end));
				}
				if let Some(children) = self.extra_children.get(&id) {
					out.extend(children);
				}
			}
		}
	}
}

/// Keeps `index` at the finalized block: catches up at start, then at every finality
/// notification. A failed catch-up is logged and tried again at the next one; queries are
/// answered by the runtime meanwhile.
pub async fn run<C>(client: Arc<C>, index: Arc<LineageIndex>)
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + BlockchainEvents<Block>,
	C::Api: LineageApi<Block, AssetInfo, ActivityInfo, DatasetInfo>,
{
	let mut finality = client.finality_notification_stream();
	let info = client.info();
	let mut next = Some((info.finalized_hash, info.finalized_number));
	loop {
		if let Some((hash, number)) = next.take() {
			match index.catch_up(&*client, hash, number) {
				Ok(0) => {}
				Ok(added) => {
					log::debug!(target: "lineage-index", "{added} assets indexed at #{number}")
				}
				Err(e) => log::warn!(target: "lineage-index", "catching up at #{number}: {e}"),
			}
		}
		// Only the latest notification matters: skip those that queued up meanwhile.
		let Some(mut latest) = finality.next().await else { return };
		while let Some(Some(newer)) = finality.next().now_or_never() {
			latest = newer;
		}
		next = Some((latest.hash, *latest.header.number()));
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_lineage::{Edge, EdgeKind};

	fn asset(parents: &[AssetId], created: u32) -> AssetInfo {
		AssetInfo {
			kind: AssetKind::Certificate { certificate: 0 },
			producer: None,
			institution: None,
			parents: parents
				.iter()
				.map(|&parent| Edge { parent, kind: EdgeKind::Input })
				.collect::<Vec<_>>()
				.try_into()
				.expect("few parents"),
			created,
		}
	}

	fn graph(assets: Vec<AssetInfo>) -> Graph {
		let mut graph = Graph::default();
		graph.append(Assets { assets, datasets: HashMap::new() }, (Hash::zero(), 9));
		graph
	}

	fn neighbours(view: &View, id: AssetId, direction: Direction) -> Vec<AssetId> {
		let mut out = Vec::new();
		view.neighbours(id, direction, &mut out);
		out
	}

	#[test]
	fn a_view_is_a_prefix_of_the_index_plus_the_assets_past_it() {
		// 0 <- 1 <- 3, 0 <- 2 <- 3; 1 and 2 created at block 1, 3 at block 2.
		let index = LineageIndex {
			graph: RwLock::new(graph(vec![
				asset(&[], 1),
				asset(&[0], 1),
				asset(&[0], 1),
				asset(&[1, 2], 2),
			])),
		};
		let full = View::new(index.read(), 4, Assets::default());
		assert_eq!(neighbours(&full, 0, Direction::Descendants), vec![1, 2]);
		assert_eq!(neighbours(&full, 3, Direction::Ancestors), vec![1, 2]);
		// At block 1 asset 3 does not exist: neither as an asset nor as a child.
		let end = index.read().assets.partition_point(|a| a.created <= 1) as u64;
		let early = View::new(index.read(), end, Assets::default());
		assert_eq!(end, 3);
		assert!(early.asset(3).is_none());
		assert_eq!(neighbours(&early, 1, Direction::Descendants), Vec::<AssetId>::new());
		// Past the index: asset 4 from 3 and 0, as the best block's state would give it.
		let extra = Assets { assets: vec![asset(&[0, 3], 3)], datasets: HashMap::new() };
		let later = View::new(index.read(), 4, extra);
		assert_eq!(neighbours(&later, 0, Direction::Descendants), vec![1, 2, 4]);
		assert_eq!(neighbours(&later, 3, Direction::Descendants), vec![4]);
		assert_eq!(neighbours(&later, 4, Direction::Ancestors), vec![0, 3]);
		assert!(later.asset(5).is_none());
		let walk = pallet_lineage::walk(0, 20, 0, 100, |n, most, out| {
			later.neighbours(n, Direction::Descendants, out);
			out.truncate(most);
		});
		let reached: Vec<_> = walk.nodes.iter().map(|r| (r.asset, r.depth)).collect();
		assert_eq!(reached, vec![(1, 1), (2, 1), (4, 1), (3, 2)]);
	}
}
