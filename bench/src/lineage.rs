//! Lineage at scale: a power-law DAG of runs recorded on a node (ingest rate), then walks to a
//! depth through `medtrust_lineageAncestors` / `medtrust_lineageDescendants` timed and checked
//! against a breadth-first search over the same graph in memory (the physical floor), and
//! `lineage verify` of an asset with at least 1,000 ancestors.
//!
//! The graph: each run reads 1 to 8 datasets (fewer more often: P(k) ∝ 1/k²), picked with
//! preferential attachment (a dataset is picked in proportion to one more than how often it
//! was read: power-law fan-out), and writes a new dataset (one run in twenty a new edition of
//! an earlier one) of 2 to 11 fields, each computed from 1 to 3 input fields (diamonds
//! wherever two paths meet). One run in ten is a source: it reads a table from outside (a
//! hospital system) and, if certificates are given, one of them.

use std::{
	collections::HashSet,
	time::{Duration, Instant},
};

use anyhow::{ensure, Context};
use futures::{StreamExt, TryStreamExt};
use medtrust_client::lineage::openlineage::{ColumnSource, Output, OutputField};
use medtrust_client::wire::WireName;
use medtrust_client::{
	chain::signer,
	lineage::{onchain, openlineage::infer_kind, DatasetName, Input, OnRefusal, Run},
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	Chain,
};
use medtrust_rpc_types::lineage_json::{ActivitiesPage, AssetJson, WalkJson};
use pallet_lineage::Transformation;
use serde_json::{json, Value};
use subxt_rpcs::rpc_params;

use crate::{http::Http, per_second};

#[derive(clap::Args)]
pub struct LineageArgs {
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	#[arg(long, default_value = "//Alice")]
	signer: String,
	/// About how many edges to record (the last run may pass it).
	#[arg(long, default_value_t = 100_000)]
	edges: u64,
	/// Walks timed in each direction, from assets picked at random.
	#[arg(long, default_value_t = 200)]
	queries: usize,
	/// The depth of the timed walks.
	#[arg(long, default_value_t = 20)]
	depth: u32,
	/// Certificates on the chain (ids 0 to N-1) that source runs read.
	#[arg(long, default_value_t = 0)]
	certificates: u64,
	/// How many calls are in flight at once while recording (each is signed mortal for 32
	/// blocks: a window must be included within that).
	#[arg(long, default_value_t = 64)]
	window: usize,
	/// The most edges in one call (at most the runtime's `MaxEdgesPerCall`). A block admits
	/// a call only while its weight charged before dispatch fits what is left; smaller calls
	/// let a block fill up to what calls actually weigh after their refunds.
	#[arg(long, default_value_t = 256)]
	call_edges: u32,
	#[arg(long, default_value_t = 1)]
	seed: u64,
}

use medtrust_primitives::testing::XorShift as Rng;

/// 1 to 8 with P(k) ∝ 1/k².
fn fan_in(rng: &mut Rng) -> usize {
	let weights: Vec<f64> = (1..=8).map(|k| 1.0 / (k * k) as f64).collect();
	let mut x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * weights.iter().sum::<f64>();
	for (k, w) in weights.iter().enumerate() {
		if x < *w {
			return k + 1;
		}
		x -= w;
	}
	8
}

const TRANSFORMATIONS: [Transformation; 9] = [
	Transformation::Identity,
	Transformation::Transformation,
	Transformation::Aggregation,
	Transformation::Join,
	Transformation::GroupBy,
	Transformation::Filter,
	Transformation::Sort,
	Transformation::Window,
	Transformation::Conditional,
];

/// Makes the runs of the graph.
struct Generator {
	rng: Rng,
	stamp: u64,
	certificates: u64,
	/// Every dataset so far, with its field count, and whether a run of this graph writes it.
	datasets: Vec<(DatasetName, u64, bool)>,
	/// Each dataset once, and once more each time it was read (preferential attachment).
	urn: Vec<usize>,
}

impl Generator {
	fn inputs(&mut self, r: u64) -> (Vec<Input>, Vec<usize>) {
		if self.datasets.len() < 8 || self.rng.below(10) == 0 {
			let name = DatasetName {
				namespace: "postgres://his.example:5432".into(),
				name: format!("his.public.t{}_{r}", self.stamp),
			};
			self.datasets.push((name.clone(), 8, false));
			self.urn.push(self.datasets.len() - 1);
			let mut inputs = vec![Input::Dataset(name)];
			if self.certificates > 0 {
				inputs.push(Input::Certificate(self.rng.below(self.certificates)));
			}
			return (inputs, vec![self.datasets.len() - 1]);
		}
		let k = fan_in(&mut self.rng).min(self.datasets.len());
		let mut picked = Vec::with_capacity(k);
		while picked.len() < k {
			let d = self.urn[self.rng.below(self.urn.len() as u64) as usize];
			if !picked.contains(&d) {
				picked.push(d);
			}
		}
		self.urn.extend(&picked);
		(picked.iter().map(|&d| Input::Dataset(self.datasets[d].0.clone())).collect(), picked)
	}

	fn fields(&mut self, read: &[usize], count: u64) -> Vec<OutputField> {
		(0..count)
			.map(|j| {
				let mut sources: Vec<ColumnSource> = Vec::new();
				for _ in 0..1 + self.rng.below(3) {
					let d = read[self.rng.below(read.len() as u64) as usize];
					let (dataset, fields, _) = &self.datasets[d];
					let field = format!("c{}", self.rng.below(*fields));
					if sources.iter().any(|s| s.dataset == *dataset && s.field == field) {
						continue;
					}
					sources.push(ColumnSource {
						dataset: dataset.clone(),
						field,
						transformation: TRANSFORMATIONS[self.rng.below(9) as usize],
						masking: self.rng.below(10) == 0,
					});
				}
				OutputField { name: format!("c{j}"), sources }
			})
			.collect()
	}

	/// A dataset this graph wrote that the run does not read, for a new edition.
	fn rewrite(&mut self, read: &[usize]) -> Option<usize> {
		(0..5)
			.map(|_| self.rng.below(self.datasets.len() as u64) as usize)
			.find(|d| self.datasets[*d].2 && !read.contains(d))
	}

	fn run(&mut self, r: u64) -> Run {
		let (inputs, read) = self.inputs(r);
		let count = 2 + self.rng.below(10);
		let fields = self.fields(&read, count);
		let again = if self.rng.below(20) == 0 { self.rewrite(&read) } else { None };
		let dataset = if let Some(d) = again {
			self.datasets[d].1 = count;
			self.datasets[d].0.clone()
		} else {
			let name = DatasetName {
				namespace: "postgres://dw.example:5432".into(),
				name: format!("dw.public.d{}_{r}", self.stamp),
			};
			self.datasets.push((name.clone(), count, true));
			self.urn.push(self.datasets.len() - 1);
			name
		};
		let outputs = vec![Output { dataset, fields }];
		let mut run_id = [0u8; 16];
		run_id[..8].copy_from_slice(&self.stamp.to_le_bytes());
		run_id[8..].copy_from_slice(&r.to_le_bytes());
		Run {
			job_namespace: "airflow://dw".into(),
			job_name: format!("job{}", r % 97),
			run_id,
			kind: infer_kind(&inputs, &outputs),
			started: 1_700_000_000_000 + r,
			ended: 1_700_000_000_001 + r,
			inputs,
			outputs,
			events: vec![json!({ "run": r })],
		}
	}
}

/// The edges a run adds to the graph: its output editions' input edges and its output
/// fields' column edges (the pallet's count, the unit of its weight, adds one a field and one
/// an input).
fn graph_edges(run: &Run) -> u64 {
	let columns: usize = run.outputs.iter().flat_map(|o| &o.fields).map(|f| f.sources.len()).sum();
	(run.outputs.len() * run.inputs.len() + columns) as u64
}

/// Runs of about `edges` graph edges in all; with the pallet's count of their edges.
fn generate(edges: u64, certificates: u64, seed: u64) -> (Vec<Run>, u64, u64) {
	let stamp = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or_default();
	let mut generator = Generator {
		rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
		stamp,
		certificates,
		datasets: Vec::new(),
		urn: Vec::new(),
	};
	let (mut runs, mut total, mut counted) = (Vec::new(), 0u64, 0u64);
	while total < edges {
		let run = generator.run(runs.len() as u64);
		total += graph_edges(&run);
		counted += u64::from(onchain::edges(&run));
		runs.push(run);
	}
	(runs, total, counted)
}

/// Records `runs` with `window` calls in flight; returns how many calls.
async fn ingest(chain: &Chain, args: &LineageArgs, runs: &[Run]) -> anyhow::Result<usize> {
	let signer = signer::parse(&args.signer)?;
	let mut bounds = chain.lineage().bounds().await?;
	bounds.edges = bounds.edges.min(args.call_edges.max(1));
	let mut calls = Vec::new();
	for range in onchain::batches(runs, &bounds)? {
		let specs = runs[range]
			.iter()
			.map(|r| r.call_argument(&bounds, r.event_hash()?, &onchain::Resources::default()))
			.collect::<medtrust_client::Result<Vec<_>>>()?;
		calls.push(runtime::transactions().lineage().record(BoundedVec(specs)));
	}
	for window in calls.chunks(args.window.max(1)) {
		crate::submit::submit_all(chain, window, &signer).await?;
	}
	Ok(calls.len())
}

/// The lineage graph on chain, in memory: the parents and children of every asset.
#[derive(Default)]
struct Memory {
	parents: Vec<Vec<u64>>,
	children: Vec<Vec<u64>>,
	activities: usize,
	/// The dataset editions runs wrote, in order.
	editions: Vec<u64>,
}

impl Memory {
	fn add(&mut self, id: u64, parents: impl IntoIterator<Item = u64>) {
		let parents: Vec<u64> = parents.into_iter().collect();
		let top = parents.iter().copied().chain([id]).max().unwrap_or(id) as usize;
		if self.parents.len() <= top {
			self.parents.resize(top + 1, Vec::new());
			self.children.resize(top + 1, Vec::new());
		}
		for &p in &parents {
			self.children[p as usize].push(id);
		}
		self.parents[id as usize] = parents;
	}

	fn edges(&self) -> usize {
		self.parents.iter().map(Vec::len).sum()
	}
}

/// Reads the whole graph back through the node's RPC methods: every run, the fields of
/// every edition a run wrote (with their column lineage).
async fn read_graph(chain: &Chain) -> anyhow::Result<Memory> {
	let mut memory = Memory::default();
	let (mut skip, mut at) = (0u64, None::<String>);
	let mut editions = Vec::new();
	loop {
		let page: ActivitiesPage =
			chain.call("medtrust_lineageActivities", rpc_params![skip, 1000, at.clone()]).await?;
		at = Some(page.at.hash.clone());
		for a in &page.activities {
			for &edition in &a.outputs {
				memory.add(edition, a.inputs.iter().copied());
				editions.push(edition);
				memory.editions.push(edition);
			}
		}
		memory.activities += page.activities.len();
		match page.next {
			Some(next) => skip = next,
			None => break,
		}
	}
	let fields: Vec<Vec<AssetJson>> = futures::stream::iter(editions)
		.map(|e| chain.call("medtrust_lineageFields", rpc_params![e, at.clone()]))
		.buffer_unordered(16)
		.try_collect()
		.await?;
	for field in fields.into_iter().flatten() {
		memory.add(field.id, field.parents.iter().map(|e| e.parent));
	}
	Ok(memory)
}

/// Breadth first from `start` to `depth` over `next`: each node once at its shortest depth,
/// by depth then id (the order the node answers in).
fn bfs(next: &[Vec<u64>], start: u64, depth: u32) -> Vec<(u64, u32)> {
	let mut seen = HashSet::from([start]);
	let (mut frontier, mut out) = (vec![start], Vec::new());
	for level in 1..=depth {
		let mut found = Vec::new();
		for node in &frontier {
			for &n in next.get(*node as usize).map(Vec::as_slice).unwrap_or_default() {
				if seen.insert(n) {
					found.push(n);
				}
			}
		}
		if found.is_empty() {
			break;
		}
		found.sort_unstable();
		out.extend(found.iter().map(|&n| (n, level)));
		frontier = found;
	}
	out
}

fn seconds_at(sorted: &[Duration], p: f64) -> f64 {
	let i = ((sorted.len().max(1) - 1) as f64 * p).round() as usize;
	sorted.get(i).map_or(0.0, Duration::as_secs_f64)
}

/// Times `queries` walks from random assets, each checked against the in-memory search.
async fn time_walks(
	chain: &Chain,
	memory: &Memory,
	args: &LineageArgs,
	ancestors: bool,
	(starts, warm): (&[u64], usize),
) -> anyhow::Result<Value> {
	let (method, next) = if ancestors {
		("medtrust_lineageAncestors", &memory.parents)
	} else {
		("medtrust_lineageDescendants", &memory.children)
	};
	let mut http = Http::connect(&args.url)?;
	let (mut node, mut floor, mut sizes, mut posted) =
		(Vec::new(), Vec::new(), Vec::new(), Vec::new());
	for (i, &start) in starts.iter().enumerate() {
		let t = Instant::now();
		let walk: Option<WalkJson> =
			chain.call(method, rpc_params![start, args.depth, 0, 10_000]).await?;
		let took = t.elapsed();
		let t = Instant::now();
		let over_http = http.call(method, json!([start, args.depth, 0, 10_000]))?;
		let http_took = t.elapsed();
		let over_http: Option<WalkJson> = serde_json::from_value(over_http)?;
		ensure!(
			over_http.map(|w| w.nodes) == walk.as_ref().map(|w| w.nodes.clone()),
			"{method} from {start}: another answer over HTTP"
		);
		let t = Instant::now();
		let expected = bfs(next, start, args.depth);
		let floor_took = t.elapsed();
		let walk = walk.with_context(|| format!("asset {start} is missing on chain"))?;
		let got: Vec<(u64, u32)> = walk.nodes.iter().map(|n| (n.asset.id, n.depth)).collect();
		ensure!(
			got[..] == expected[..expected.len().min(10_000)],
			"{method} from {start}: {} nodes, the search in memory {}",
			got.len(),
			expected.len()
		);
		ensure!(walk.truncated == (expected.len() > 10_000) || walk.deeper, "{method}: truncated");
		// The first `warm` warm the connection and the node's caches.
		if i >= warm {
			node.push(took);
			posted.push(http_took);
			floor.push(floor_took);
			sizes.push(expected.len());
		}
	}
	node.sort();
	posted.sort();
	floor.sort();
	sizes.sort();
	Ok(json!({
		"queries": node.len(),
		"depth": args.depth,
		"medianMs": seconds_at(&node, 0.5) * 1e3,
		"p95Ms": seconds_at(&node, 0.95) * 1e3,
		"maxMs": seconds_at(&node, 1.0) * 1e3,
		"httpMedianMs": seconds_at(&posted, 0.5) * 1e3,
		"httpP95Ms": seconds_at(&posted, 0.95) * 1e3,
		"httpMaxMs": seconds_at(&posted, 1.0) * 1e3,
		"inMemoryBfsMedianMs": seconds_at(&floor, 0.5) * 1e3,
		"inMemoryBfsP95Ms": seconds_at(&floor, 0.95) * 1e3,
		"nodesMedian": sizes.get(sizes.len() / 2),
		"nodesP95": sizes.get((sizes.len().max(1) - 1) * 95 / 100),
		"nodesMax": sizes.last(),
	}))
}

/// Records a report run of `inputs` (named datasets) writing `name`; its edition.
async fn record_one_report(
	chain: &Chain,
	args: &LineageArgs,
	inputs: Vec<Input>,
	name: String,
) -> anyhow::Result<u64> {
	let output = DatasetName { namespace: "postgres://dw.example:5432".into(), name };
	let mut run_id = [0xEE; 16];
	run_id[..8].copy_from_slice(&sp_crypto_hashing::blake2_64(output.name.as_bytes()));
	let run = Run {
		job_namespace: "airflow://dw".into(),
		job_name: "public_health_report".into(),
		run_id,
		kind: pallet_lineage::ActivityKind::Aggregate,
		started: 1_800_000_000_000,
		ended: 1_800_000_000_001,
		inputs,
		outputs: vec![Output { dataset: output.clone(), fields: Vec::new() }],
		events: vec![json!({ "report": output.name })],
	};
	let signer = signer::parse(&args.signer)?;
	let report =
		chain.lineage().record_runs(&signer, &[run], None, OnRefusal::RecordNothing).await?;
	if let Some(refused) = report.refused.first() {
		anyhow::bail!("{refused}");
	}
	let report = chain.lineage().dataset(&output.namespace, &output.name).await?;
	Ok(report.context("the report is not recorded")?.latest)
}

/// Records reports that read the latest editions with the most ancestors (up to 32 a run, the
/// benchmark's size of report; a report reads the previous one while there are fewer than
/// 1,000 ancestors); the last report's edition.
async fn record_report(
	chain: &Chain,
	args: &LineageArgs,
	memory: &mut Memory,
) -> anyhow::Result<u64> {
	let mut counted: Vec<(u64, Vec<(u64, u32)>)> = memory
		.editions
		.iter()
		.rev()
		.take(3000)
		.map(|&e| (e, bfs(&memory.parents, e, 90)))
		.collect();
	counted.sort_by_key(|(_, a)| std::cmp::Reverse(a.len()));
	let mut candidates = counted.into_iter();
	let stamp = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis())
		.unwrap_or_default();
	let (mut union, mut previous) = (HashSet::new(), None::<(u64, Input)>);
	for level in 0..4 {
		let mut inputs: Vec<(u64, Input)> = previous.take().into_iter().collect();
		for (edition, ancestors) in candidates.by_ref() {
			let Some(d) = chain.lineage().asset(edition).await?.and_then(|a| a.dataset) else {
				continue;
			};
			let latest = chain.lineage().dataset(&d.namespace, &d.name).await?.map(|d| d.latest);
			if latest != Some(edition) {
				continue;
			}
			union.insert(edition);
			union.extend(ancestors.iter().map(|(a, _)| *a));
			let name = DatasetName { namespace: d.namespace, name: d.name };
			inputs.push((edition, Input::Dataset(name)));
			if union.len() >= 1000 || inputs.len() == 32 {
				break;
			}
		}
		let name = format!("public_health.report_{stamp}_{level}");
		let ins = inputs.iter().map(|(_, i)| i.clone()).collect();
		let report = record_one_report(chain, args, ins, name.clone()).await?;
		memory.add(report, inputs.iter().map(|(e, _)| *e));
		union.insert(report);
		let output = DatasetName { namespace: "postgres://dw.example:5432".into(), name };
		previous = Some((report, Input::Dataset(output)));
		if union.len() > 1000 {
			break;
		}
	}
	previous.map(|(report, _)| report).context("no report")
}

/// Times `verify_lineage` of a report with at least 1,000 ancestors (see [`record_report`]).
async fn time_verify(
	chain: &Chain,
	args: &LineageArgs,
	memory: &mut Memory,
) -> anyhow::Result<Value> {
	let asset = record_report(chain, args, memory).await?;
	let ancestors = bfs(&memory.parents, asset, 100).len();
	let t = Instant::now();
	let verified = chain.lineage().verify(asset).await?.context("the asset vanished")?;
	let took = t.elapsed();
	ensure!(verified.ancestors == ancestors, "verify walked {} ancestors", verified.ancestors);
	Ok(json!({
		"asset": asset,
		"ancestors": ancestors,
		"certificatesChecked": verified.certificates.len(),
		"verdict": verified.verdict.wire_name(),
		"seconds": took.as_secs_f64(),
	}))
}

/// Records the graph, reads it back, times the walks and a verification.
pub async fn run(args: LineageArgs) -> anyhow::Result<Value> {
	let chain = Chain::connect(&args.url).await?;
	let (runs, edges, counted) = generate(args.edges, args.certificates, args.seed);
	let started = Instant::now();
	let calls = ingest(&chain, &args, &runs).await?;
	let ingest_time = started.elapsed();
	let mut memory = read_graph(&chain).await?;
	ensure!(memory.activities >= runs.len(), "{} runs on chain", memory.activities);
	// Random assets (the first three warm up), then the 20 assets with the most children.
	let mut rng = Rng(args.seed.wrapping_add(7) | 1);
	let random: Vec<u64> =
		(0..args.queries + 3).map(|_| rng.below(memory.parents.len() as u64)).collect();
	let ancestors = time_walks(&chain, &memory, &args, true, (&random, 3)).await?;
	let descendants = time_walks(&chain, &memory, &args, false, (&random, 3)).await?;
	let mut hubs: Vec<u64> = (0..memory.children.len() as u64).collect();
	hubs.sort_by_key(|&a| std::cmp::Reverse(memory.children[a as usize].len()));
	hubs.truncate(20);
	let from_hubs = time_walks(&chain, &memory, &args, false, (&hubs, 0)).await?;
	let verify = time_verify(&chain, &args, &mut memory).await?;
	Ok(json!({
		"runs": runs.len(),
		"edges": edges,
		"palletEdges": counted,
		"calls": calls,
		"ingestSeconds": ingest_time.as_secs_f64(),
		"ingestEdgesPerSecond": per_second(edges, ingest_time),
		"ingestPalletEdgesPerSecond": per_second(counted, ingest_time),
		"graphAssets": memory.parents.len(),
		"graphEdges": memory.edges(),
		"ancestors": ancestors,
		"descendants": descendants,
		"hubDescendants": from_hubs,
		"verify": verify,
		"note": "walks: one page (up to 10,000 nodes) through the node's RPC, checked against the search in memory",
	}))
}
