//! Finalized `certify` transactions per second beside `system.remark`s of the same size,
//! submitted through the client library's own path.

use std::time::{Duration, Instant};

use medtrust_client::{chain::signer, runtime, Chain};
use medtrust_primitives::hashing::HashAlgorithm;
use serde_json::{json, Value};
use subxt::utils::Static;

use crate::per_second;

#[derive(clap::Args)]
pub struct ChainArgs {
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	#[arg(long, default_value = "//Alice")]
	signer: String,
	#[arg(long)]
	source: u64,
	#[arg(long)]
	resource: u64,
	#[arg(long, default_value = "LABORATORY")]
	domain: String,
	#[arg(long, default_value_t = 60)]
	count: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
	if sorted.is_empty() {
		return 0.0;
	}
	let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
	sorted[index.min(sorted.len() - 1)].as_secs_f64()
}

/// The id the next certificate gets: one more than the highest issued.
async fn next_certificate(chain: &Chain) -> anyhow::Result<u64> {
	let mut id = 0u64;
	let mut step = 1u64 << 20;
	// The highest id with a certificate, by exponential then binary search.
	while step > 0 {
		if chain.certificates().get(id + step - 1).await.is_ok() {
			id += step;
		} else {
			step /= 2;
		}
	}
	Ok(id)
}

impl ChainArgs {
	/// A `certify` call of a distinct commitment (`i`, `stamp`, `tag`).
	fn certify(&self, i: u64, stamp: u64, tag: u8) -> impl subxt::transactions::Payload {
		let mut commitment = [tag; 32];
		commitment[..8].copy_from_slice(&i.to_le_bytes());
		commitment[8..16].copy_from_slice(&stamp.to_le_bytes());
		runtime::transactions().certificates().certify(
			self.source,
			self.resource,
			1,
			self.domain.clone(),
			Static(HashAlgorithm::Sm3),
			commitment,
		)
	}
}

/// Measures the chain's rate and latency.
pub async fn run(args: ChainArgs) -> anyhow::Result<Value> {
	let chain = Chain::connect(&args.url).await?;
	let signer = signer::parse(&args.signer)?;
	let count = args.count;
	let stamp = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_nanos() as u64)
		.unwrap_or_default();
	let certify: Vec<_> = (0..count).map(|i| args.certify(i, stamp, 0)).collect();
	// Remarks of the same encoded size as a certify call's arguments.
	let remark_len = 8 + 8 + 4 + 1 + args.domain.len() + 1 + 32;
	let remarks: Vec<_> = (0..count)
		.map(|i| {
			let mut bytes = vec![0u8; remark_len];
			bytes[..8].copy_from_slice(&i.to_le_bytes());
			runtime::transactions().system().remark(bytes)
		})
		.collect();
	let before = next_certificate(&chain).await?;
	let started = Instant::now();
	let mut certify_latency = crate::submit::submit_all(&chain, &certify, &signer).await?;
	let certify_total = started.elapsed();
	let issued = next_certificate(&chain).await? - before;
	anyhow::ensure!(issued == count, "{issued} of {count} certify transactions succeeded");
	let started = Instant::now();
	let mut remark_latency = crate::submit::submit_all(&chain, &remarks, &signer).await?;
	let remark_total = started.elapsed();
	// One at a time: the latency a single user sees.
	let mut single = Vec::new();
	for i in 0..5u64 {
		let t = Instant::now();
		chain.submit(&args.certify(i, stamp, 1), &signer).await?;
		single.push(t.elapsed());
	}
	certify_latency.sort();
	remark_latency.sort();
	single.sort();
	Ok(json!({
		"count": count,
		"certifyPerSecond": per_second(count, certify_total),
		"remarkPerSecond": per_second(count, remark_total),
		"certifyFinalityMedianSeconds": percentile(&certify_latency, 0.5),
		"certifyFinalityP95Seconds": percentile(&certify_latency, 0.95),
		"remarkFinalityMedianSeconds": percentile(&remark_latency, 0.5),
		"remarkFinalityP95Seconds": percentile(&remark_latency, 0.95),
		"singleCertifyFinalityMedianSeconds": percentile(&single, 0.5),
		"note": "count transactions submitted at once, each waited for until finalized",
	}))
}
