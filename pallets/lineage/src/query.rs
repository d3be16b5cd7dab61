//! Walking the lineage graph: ancestors and descendants, breadth first.

use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::traits::Get;

use crate::{pallet::*, types::*};

/// The deepest walk answered.
pub const MAX_DEPTH: u32 = 100;

/// The most nodes in one page of a walk.
pub const MAX_LIMIT: u32 = 10_000;

/// The most nodes one walk visits, whatever its page (a `skip` far beyond the graph included):
/// a walk that reaches it stops, answering the levels it completed, `truncated` with no `next`
/// page and not `deeper` (narrow it by depth).
pub const MAX_VISITED: u32 = 100_000;

/// The most neighbours one walk reads, over all the nodes it expands.
pub const MAX_READS: u32 = 4 * MAX_VISITED;

impl<T: Config> Pallet<T> {
	/// The neighbours of `asset` in `direction`, at most `most`: its parents, or its children.
	pub fn neighbours(asset: AssetId, direction: Direction, most: usize) -> Vec<AssetId> {
		match direction {
			Direction::Ancestors => Assets::<T>::get(asset)
				.map(|a| a.parents.iter().map(|e| e.parent).take(most).collect())
				.unwrap_or_default(),
			Direction::Descendants => Children::<T>::iter_key_prefix(asset).take(most).collect(),
		}
	}

	/// The ancestors or descendants of `start` up to `depth` (at most [`MAX_DEPTH`]),
	/// breadth first, read from storage (see [`walk`]). `None` if `start` is no asset.
	pub fn walk(
		start: AssetId,
		direction: Direction,
		depth: u32,
		skip: u32,
		limit: u32,
	) -> Option<Walk> {
		if !Assets::<T>::contains_key(start) {
			return None;
		}
		Some(walk(start, depth, skip, limit, |node, most, out| {
			out.extend(Self::neighbours(node, direction, most))
		}))
	}
}

/// The nodes reachable from `start` up to `depth` (at most [`MAX_DEPTH`]) in the graph whose
/// edges `neighbours` gives (it appends at most the given number of a node's neighbours to
/// the vector), breadth first: every node once, at its shortest depth, by depth then id; the
/// page after the first `skip` nodes, of at most `limit` (at most [`MAX_LIMIT`]). It visits at
/// most [`MAX_VISITED`] nodes and reads at most [`MAX_READS`] neighbours, whatever `skip`.
/// The runtime walks storage with it, the node its in-memory index: one algorithm, one answer.
pub fn walk(
	start: AssetId,
	depth: u32,
	skip: u32,
	limit: u32,
	mut neighbours: impl FnMut(AssetId, usize, &mut Vec<AssetId>),
) -> Walk {
	let (depth, limit) = (depth.min(MAX_DEPTH), limit.min(MAX_LIMIT));
	let mut seen = BTreeSet::from([start]);
	let mut frontier = alloc::vec![start];
	let mut nodes = Vec::new();
	let mut passed = 0u32;
	let mut around = Vec::new();
	let mut reads = 0usize;
	let bounded = |nodes| Walk { nodes, truncated: true, next: None, deeper: false };
	for level in 1..=depth {
		let mut next: Vec<(AssetId, AssetId)> = Vec::new();
		for &node in &frontier {
			// Room for new nodes, and for reads: a node with more neighbours than the room
			// ends the walk at the levels it completed.
			let room = (MAX_VISITED as usize)
				.saturating_sub(seen.len())
				.min((MAX_READS as usize).saturating_sub(reads));
			around.clear();
			neighbours(node, room.saturating_add(1), &mut around);
			reads = reads.saturating_add(around.len());
			if around.len() > room {
				return bounded(nodes);
			}
			for &neighbour in &around {
				if seen.insert(neighbour) {
					next.push((neighbour, node));
				}
			}
		}
		next.sort_unstable();
		for &(asset, via) in &next {
			if passed < skip {
				passed += 1;
				continue;
			}
			if nodes.len() as u32 >= limit {
				let next_page = skip.saturating_add(limit);
				return Walk { nodes, truncated: true, next: Some(next_page), deeper: false };
			}
			nodes.push(Reached { asset, depth: level, via });
		}
		frontier = next.into_iter().map(|(asset, _)| asset).collect();
		if frontier.is_empty() {
			return Walk { nodes, truncated: false, next: None, deeper: false };
		}
	}
	// Deeper if a node of the last level has a neighbour not seen: one with more neighbours
	// than nodes seen has one; reads past the budget count as deeper.
	let mut deeper = false;
	for &node in &frontier {
		if reads >= MAX_READS as usize {
			deeper = true;
			break;
		}
		around.clear();
		let most = seen.len().saturating_add(1).min(MAX_READS as usize - reads);
		neighbours(node, most, &mut around);
		reads = reads.saturating_add(around.len());
		if around.iter().any(|n| !seen.contains(n)) {
			deeper = true;
			break;
		}
	}
	Walk { nodes, truncated: deeper, next: None, deeper }
}

impl<T: Config> Pallet<T> {
	/// Assets by id, in the order asked (`None` for an id that is no asset).
	pub fn assets(ids: Vec<AssetId>) -> Vec<Option<Asset<T>>> {
		ids.into_iter().map(Assets::<T>::get).collect()
	}

	/// The activities from `skip` on, at most `limit` (at most 1,000), in order of recording.
	pub fn activities(skip: ActivityId, limit: u32) -> Vec<(ActivityId, Activity<T>)> {
		let end = skip.saturating_add(u64::from(limit.min(1000)));
		(skip..end.min(NextActivityId::<T>::get()))
			.filter_map(|id| Activities::<T>::get(id).map(|a| (id, a)))
			.collect()
	}

	/// The dataset of a namespace and name given as UTF-8 bytes, if known.
	pub fn dataset_of(namespace: Vec<u8>, name: Vec<u8>) -> Option<(DatasetId, Dataset<T>)> {
		let namespace = Namespace::<T>::try_from(namespace).ok()?;
		let name = LineageName::<T>::try_from(name).ok()?;
		let id = DatasetOfName::<T>::get(namespace, name)?;
		Datasets::<T>::get(id).map(|d| (id, d))
	}

	/// The parts of activity `id` recorded so far and its count of parts, while it is being
	/// recorded in parts.
	pub fn open_run(id: ActivityId) -> Option<(u32, u32)> {
		OpenRuns::<T>::get(id).map(|open| (open.next, open.parts))
	}

	/// The field assets of a dataset edition (at most `MaxFieldsPerOutput`, the most a run
	/// gives an output), in storage order.
	pub fn fields_of(edition: AssetId) -> Vec<AssetId> {
		let most = T::MaxFieldsPerOutput::get() as usize;
		FieldOf::<T>::iter_prefix_values(edition).take(most).collect()
	}

	/// The asset of a field of a dataset edition, the name given as UTF-8 bytes, if known.
	pub fn field_of(edition: AssetId, name: Vec<u8>) -> Option<AssetId> {
		FieldOf::<T>::get(edition, FieldName::<T>::try_from(name).ok()?)
	}
}
