//! The node's RPC under a burst of worst-case calls: a walk with `skip = u32::MAX` from a hub
//! of about 100,000 descendants (through `medtrust_lineageDescendants` and through
//! `state_call` of the runtime API), `medtrust_catalogPage` on the largest catalog page the node
//! serves, and `medtrust_certificatesEvidence` of 1,024 certificates each in an old block of
//! its own, `concurrency` calls at once, while `system_health` is asked every 50 ms. Each
//! worst-case call must be answered or refused within `--call-limit` seconds, and
//! `system_health` answer within `--health-p99` seconds at the 99th percentile.
//!
//! Sets its data up first, on a chain of one institution founded with short blocks
//! (`scripts/bench.sh --load-only` founds it), so that 1,024 blocks take minutes.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use codec::Encode;
use medtrust_client::{
	catalog::spec::{item_call, ItemSpec, KindSpec, ResourceSpec},
	chain::signer,
	lineage::{
		openlineage::{infer_kind, Output},
		DatasetName, Input, OnRefusal, Run,
	},
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_field_mapping::types::ItemInfo,
		},
	},
	Chain, MedTrustConfig,
};
use medtrust_primitives::hashing::HashAlgorithm;
use medtrust_rpc_types::lineage_json::WalkJson;
use pallet_data_sources::{Operation, SystemKind};
use pallet_lineage::Direction;
use serde_json::{json, Value};
use subxt::utils::Static;
use subxt_signer::sr25519::Keypair;

use crate::http::Http;

#[derive(clap::Args)]
pub struct LoadArgs {
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// A member of the chain's institution (a `--signer` value: a key file, a mnemonic).
	#[arg(long)]
	signer: String,
	/// About how many descendants the hub has (two levels: a sixteenth of them under it,
	/// the rest under those).
	#[arg(long, default_value_t = 100_000)]
	hub: u64,
	/// Certificates, each issued in a block of its own.
	#[arg(long, default_value_t = 1_024)]
	blocks: u64,
	/// Resources of 2,048 items each in the catalog.
	#[arg(long, default_value_t = 10)]
	resources: u32,
	/// The versions of one more resource (16 items each).
	#[arg(long, default_value_t = 1_024)]
	versions: u32,
	/// Worst-case calls at once.
	#[arg(long, default_value_t = 16)]
	concurrency: usize,
	/// How many worst-case calls each of the `concurrency` clients makes, one after another.
	#[arg(long, default_value_t = 4)]
	rounds: usize,
	/// The most seconds a worst-case call may take to be answered or refused.
	#[arg(long, default_value_t = 2.0)]
	call_limit: f64,
	/// The most seconds `system_health` may take at the 99th percentile meanwhile.
	#[arg(long, default_value_t = 0.5)]
	health_p99: f64,
}

/// The worst-case calls, each as `(name, method, params)`.
struct Calls(Vec<(&'static str, &'static str, Value)>);

/// Items named `prefix0`, `prefix1`, … .
fn items(prefix: &str, count: u32) -> Vec<ItemSpec> {
	(0..count)
		.map(|i| ItemSpec {
			name: format!("{prefix}{i}"),
			data_type: "VARCHAR".into(),
			length: Some(64),
			precision: None,
			scale: None,
			nullable: true,
			definition: format!("检验项目 {i} 的结果"),
			value_domain: None,
			unit: None,
			standard_element: None,
		})
		.collect()
}

fn table(name: &str, items: Vec<ItemSpec>) -> ResourceSpec {
	ResourceSpec {
		name: format!("lis.{name}"),
		kind: KindSpec::Table { database: "lis".into(), schema: "lis".into(), table: name.into() },
		address: "10.1.2.3:5432/lis".into(),
		operations: vec![Operation::Collect],
		items,
	}
}

/// The largest catalog pages the node serves: a source whose first resource has `versions`
/// versions, the first eight of 2,048 items (both of a page's budgets), then `resources`
/// resources of 2,048 items (a page of items). Returns the source and that first resource.
async fn catalog(chain: &Chain, signer: &Keypair, args: &LoadArgs) -> anyhow::Result<(u64, u64)> {
	let domains = ["LABORATORY".to_string()];
	let (source, _) =
		chain.catalog().add_source(signer, "负载检验LIS", SystemKind::Lis, &domains).await?;
	let first = [table("versioned", items("v1_", 2_048))];
	let report = chain.catalog().import(signer, source, &first, |_| {}).await?;
	let versioned = report.resources.first().context("no resource imported")?.resource;
	let limits = chain.catalog().limits().await?;
	let add = |v: u32, count: u32| {
		let hash = sp_crypto_hashing::blake2_256(&v.to_le_bytes());
		runtime::transactions().data_sources().add_version(versioned, hash, count)
	};
	// Items only go to the current version: a version, then its items, eight times.
	let full = args.versions.min(8);
	for v in 2..=full {
		chain.submit(&add(v, 2_048), signer).await?;
		let all: Vec<ItemInfo> = items(&format!("v{v}_"), 2_048).iter().map(item_call).collect();
		let calls: Vec<_> = all
			.chunks(limits.max_items_per_call.max(1) as usize)
			.map(|batch| {
				runtime::transactions().field_mapping().register_items(
					versioned,
					v,
					BoundedVec(batch.to_vec()),
				)
			})
			.collect();
		in_flight(chain, signer, &calls, "a version's items").await?;
	}
	let empty: Vec<_> = (full + 1..=args.versions).map(|v| add(v, 0)).collect();
	in_flight(chain, signer, &empty, "a version").await?;
	let wide: Vec<ResourceSpec> =
		(0..args.resources).map(|r| table(&format!("wide_{r}"), items("c", 2_048))).collect();
	chain.catalog().import(signer, source, &wide, |_| {}).await?;
	Ok((source, versioned))
}

/// Submits `calls` in flight, failing on the first that fails.
async fn in_flight<Call: subxt::transactions::Payload>(
	chain: &Chain,
	signer: &Keypair,
	calls: &[Call],
	what: &str,
) -> anyhow::Result<()> {
	chain
		.submit_in_flight(calls, signer, |landed| match landed.failed {
			Some(failure) => {
				Err(medtrust_client::Error::Dispatch { what: what.to_string(), failure })
			}
			None => Ok(()),
		})
		.await?;
	Ok(())
}

/// A run reading `input`, writing 16 new datasets named after `run`.
fn fan_out(stamp: u64, run: u64, input: DatasetName) -> Run {
	let outputs: Vec<Output> = (0..16)
		.map(|o| Output {
			dataset: DatasetName {
				namespace: "postgres://dw.example:5432".into(),
				name: format!("dw.public.h{stamp}_{run}_{o}"),
			},
			fields: Vec::new(),
		})
		.collect();
	let inputs = vec![Input::Dataset(input)];
	let mut run_id = [0u8; 16];
	run_id[..8].copy_from_slice(&stamp.to_le_bytes());
	run_id[8..].copy_from_slice(&run.to_le_bytes());
	Run {
		job_namespace: "airflow://dw".into(),
		job_name: "fan_out".into(),
		run_id,
		kind: infer_kind(&inputs, &outputs),
		started: 1_700_000_000_000 + run,
		ended: 1_700_000_000_001 + run,
		inputs,
		outputs,
		events: vec![json!({ "run": run })],
	}
}

/// A hub dataset with about `descendants` descendants over two levels; its asset id.
async fn hub(chain: &Chain, signer: &Keypair, descendants: u64) -> anyhow::Result<u64> {
	let stamp = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or_default();
	let hub = DatasetName {
		namespace: "postgres://his.example:5432".into(),
		name: format!("his.hub_{stamp}"),
	};
	// `first` datasets under the hub (16 a run), 16 under each of those.
	let first = descendants.div_ceil(17).div_ceil(16);
	let mut runs: Vec<Run> = (0..first).map(|r| fan_out(stamp, r, hub.clone())).collect();
	let level_one: Vec<DatasetName> =
		runs.iter().flat_map(|r| r.outputs.iter().map(|o| o.dataset.clone())).collect();
	for (i, input) in level_one.into_iter().enumerate() {
		runs.push(fan_out(stamp, first + i as u64, input));
	}
	let report = chain.lineage().record_runs(signer, &runs, None, OnRefusal::RecordNothing).await?;
	if let Some(refused) = report.refused.first() {
		anyhow::bail!("{refused}");
	}
	let found = chain.lineage().dataset(&hub.namespace, &hub.name).await?;
	Ok(found.context("the hub is not recorded")?.latest)
}

/// `blocks` certificates of `resource`, each submitted once the one before is in a block, so
/// that each is issued in a block of its own; their ids and how many distinct blocks hold them.
async fn certificates(
	chain: &Chain,
	signer: &Keypair,
	(source, resource): (u64, u64),
	blocks: u64,
) -> anyhow::Result<(Vec<u64>, usize)> {
	let account = signer.public_key().to_account_id();
	let first: u64 =
		chain.call("system_accountNextIndex", subxt_rpcs::rpc_params![account.to_string()]).await?;
	let stamp = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_nanos() as u64)
		.unwrap_or_default();
	let mut commitments = Vec::new();
	for i in 0..blocks {
		let mut commitment = [0xCE; 32];
		commitment[..8].copy_from_slice(&i.to_le_bytes());
		commitment[8..16].copy_from_slice(&stamp.to_le_bytes());
		commitments.push(commitment);
		let call = runtime::transactions().certificates().certify(
			source,
			resource,
			1,
			"LABORATORY".into(),
			Static(HashAlgorithm::Sm3),
			commitment,
		);
		let params = subxt::config::PolkadotExtrinsicParamsBuilder::<MedTrustConfig>::new()
			.nonce(first + i)
			.build();
		let signed = chain
			.api()
			.at_current_block()
			.await?
			.transactions()
			.create_signed(&call, signer, params)
			.await?;
		signed.submit().await?;
		// The next one once this one is in a block (the pool is empty): it goes to the next.
		let waited = Instant::now();
		loop {
			let pending: Vec<String> =
				chain.call("author_pendingExtrinsics", subxt_rpcs::rpc_params![]).await?;
			if pending.is_empty() {
				break;
			}
			ensure!(waited.elapsed() < Duration::from_secs(30), "not included in 30 s");
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
	}
	let issuer = chain.consortium().institution_of(&account).await?;
	let mut ids = Vec::new();
	let mut seen = std::collections::BTreeSet::new();
	let started = Instant::now();
	for commitment in &commitments {
		let found = loop {
			let found = chain.certificates().certificate_of(issuer, commitment).await?;
			match found {
				Some(c) if c.finalized => break c,
				_ => {
					ensure!(started.elapsed() < Duration::from_secs(600), "certificates not final");
					tokio::time::sleep(Duration::from_millis(200)).await;
				}
			}
		};
		seen.insert(found.issued.number);
		ids.push(found.id);
	}
	Ok((ids, seen.len()))
}

/// One worst-case call over its own connection: (seconds, answered, refused).
fn timed_call(url: &str, method: &str, params: &Value) -> anyhow::Result<(f64, bool, bool)> {
	let mut http = Http::connect(url)?;
	let started = Instant::now();
	let answer = http.answer(method, params.clone())?;
	let took = started.elapsed().as_secs_f64();
	Ok(match answer {
		Ok(_) => (took, true, false),
		Err(why) if why.contains("retry") || why.contains("busy") => (took, false, true),
		Err(why) => anyhow::bail!("{why}"),
	})
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
	let i = ((sorted.len().max(1) - 1) as f64 * p).round() as usize;
	sorted.get(i).copied().unwrap_or_default()
}

/// `concurrency` clients, each making `rounds` worst-case calls in turn, while another asks
/// `system_health` every 50 ms: each call's figures and the health latencies.
async fn burst(args: &LoadArgs, calls: &Calls) -> anyhow::Result<Value> {
	let url = args.url.clone();
	let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
	let health = {
		let (url, stop) = (url.clone(), stop.clone());
		tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<f64>> {
			let mut http = Http::connect(&url)?;
			let mut took = Vec::new();
			while !stop.load(std::sync::atomic::Ordering::Relaxed) {
				let started = Instant::now();
				http.call("system_health", json!([]))?;
				took.push(started.elapsed().as_secs_f64());
				std::thread::sleep(Duration::from_millis(50));
			}
			Ok(took)
		})
	};
	let mut clients = Vec::new();
	for c in 0..args.concurrency {
		let url = url.clone();
		let mine: Vec<_> =
			(0..args.rounds).map(|r| calls.0[(c + r) % calls.0.len()].clone()).collect();
		clients.push(tokio::task::spawn_blocking(move || {
			mine.iter()
				.map(|(name, method, params)| {
					timed_call(&url, method, params).map(|(s, ok, refused)| (*name, s, ok, refused))
				})
				.collect::<anyhow::Result<Vec<_>>>()
		}));
	}
	let mut results = Vec::new();
	for client in clients {
		results.extend(client.await??);
	}
	stop.store(true, std::sync::atomic::Ordering::Relaxed);
	let mut health = health.await??;
	health.sort_by(f64::total_cmp);
	let mut per_call = serde_json::Map::new();
	let mut slowest = 0f64;
	for (name, _, _) in &calls.0 {
		let mine: Vec<_> = results.iter().filter(|r| r.0 == *name).collect();
		let mut seconds: Vec<f64> = mine.iter().map(|r| r.1).collect();
		seconds.sort_by(f64::total_cmp);
		slowest = slowest.max(seconds.last().copied().unwrap_or_default());
		per_call.insert(
			(*name).into(),
			json!({
				"calls": mine.len(),
				"answered": mine.iter().filter(|r| r.2).count(),
				"refused": mine.iter().filter(|r| r.3).count(),
				"medianSeconds": percentile(&seconds, 0.5),
				"maxSeconds": seconds.last(),
			}),
		);
	}
	let health_p99 = percentile(&health, 0.99);
	Ok(json!({
		"concurrency": args.concurrency,
		"rounds": args.rounds,
		"calls": per_call,
		"slowestCallSeconds": slowest,
		"healthCalls": health.len(),
		"healthMedianSeconds": percentile(&health, 0.5),
		"healthP99Seconds": health_p99,
		"healthMaxSeconds": health.last(),
		"met": slowest <= args.call_limit && health_p99 <= args.health_p99,
	}))
}

/// Sets the data up, then the burst; `met` says whether the targets were.
pub async fn run(args: LoadArgs) -> anyhow::Result<Value> {
	let chain = Chain::connect(&args.url).await?;
	let signer = signer::parse(&args.signer)?;
	let started = Instant::now();
	let (source, resource) = catalog(&chain, &signer, &args).await?;
	let catalog_seconds = started.elapsed().as_secs_f64();
	let started = Instant::now();
	let hub = hub(&chain, &signer, args.hub).await?;
	let hub_seconds = started.elapsed().as_secs_f64();
	// The hub as walks see it: its first level whole, the two levels past the walks' cap.
	let level: WalkJson = chain
		.call("medtrust_lineageDescendants", subxt_rpcs::rpc_params![hub, 1, 0, 10_000])
		.await?;
	let whole: WalkJson = chain
		.call("medtrust_lineageDescendants", subxt_rpcs::rpc_params![hub, 2, 0, 10_000])
		.await?;
	let capped = whole.truncated && whole.next.is_none() && !whole.deeper;
	let started = Instant::now();
	let (ids, distinct) = certificates(&chain, &signer, (source, resource), args.blocks).await?;
	let certificates_seconds = started.elapsed().as_secs_f64();
	let walk = pallet_lineage::MAX_DEPTH;
	let state_call = (hub, Direction::Descendants, walk, u32::MAX, 10_000u32).encode();
	let calls = Calls(vec![
		("descendantsSkipMax", "medtrust_lineageDescendants", json!([hub, walk, u32::MAX, 10_000])),
		("catalogVersions", "medtrust_catalogPage", json!([resource, 50])),
		("catalogItems", "medtrust_catalogPage", json!([resource + 1, 50])),
		("certificatesEvidence", "medtrust_certificatesEvidence", json!([ids])),
		(
			"stateCallWalk",
			"state_call",
			json!(["LineageApi_walk", format!("0x{}", hex::encode(state_call))]),
		),
	]);
	// What each call does alone, on an idle node.
	let mut alone = serde_json::Map::new();
	for (name, method, params) in &calls.0 {
		let (seconds, answered, _) =
			tokio::task::block_in_place(|| timed_call(&args.url, method, params))?;
		alone.insert((*name).into(), json!({ "seconds": seconds, "answered": answered }));
	}
	let burst = burst(&args, &calls).await?;
	// Met when the data is the worst case asked for and the burst met its targets.
	let worst = capped && distinct as u64 == args.blocks;
	let met = burst["met"] == true && worst;
	Ok(json!({
		"met": met,
		"setUp": {
			"catalogSeconds": catalog_seconds,
			"hub": hub,
			"hubDescendantsAsked": args.hub,
			"hubSeconds": hub_seconds,
			"hubFirstLevel": level.nodes.len(),
			"hubWalkStopsAtTheCap": capped,
			"certificates": ids.len(),
			"distinctBlocks": distinct,
			"certificatesSeconds": certificates_seconds,
		},
		"alone": alone,
		"burst": burst,
	}))
}
