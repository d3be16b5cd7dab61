//! `medtrust-bench`: the measurements behind `scripts/bench.sh`. Each subcommand prints its
//! figures as one JSON object.
//!
//! - `client --records N`: client-side certification throughput (canonicalise, commit,
//!   encrypt, Merkle tree, on all cores) beside the raw hash throughput of the same machine on
//!   the same bytes, on one core and on all;
//! - `files --count N --size B`: how fast the file system creates files of that size in one
//!   directory, the floor under writing one portable certificate per record;
//! - `chain --url U --signer S --source … --resource … --count N`: finalized `certify`
//!   extrinsics per second beside `system.remark`s of the same size, and the time from submit
//!   to finality (median, 95th percentile);
//! - `offline --record R --certificate C --chain-spec S --iterations N`: offline
//!   verifications per second.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use medtrust_client::{
	anchor::{canonical_records, PortableCertificate, RecordFormat},
	keys::{DataKey, KeyStore},
	pipeline::{map_chunks, prepare, threads},
	Chain,
};
use medtrust_primitives::hashing::HashAlgorithm;

#[derive(Parser)]
#[command(name = "medtrust-bench", about = "MedTrust measurements (see scripts/bench.sh)")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Writes `records` synthetic FHIR Observations, one per line, to standard output.
	Generate {
		#[arg(long, default_value_t = 1_000_000)]
		records: u64,
	},
	/// Client-side certification throughput beside raw hashing.
	Client {
		#[arg(long, default_value_t = 1_000_000)]
		records: u64,
		#[arg(long, default_value = "sm3")]
		algorithm: String,
	},
	/// Finalized certify extrinsics per second, beside remarks; submit-to-finality latency.
	Chain {
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
	},
	/// How fast this file system creates `count` files of `size` bytes in one directory (the
	/// floor under writing one portable certificate per record).
	Files {
		#[arg(long, default_value_t = 100_000)]
		count: u64,
		#[arg(long, default_value_t = 4096)]
		size: usize,
		/// Where the directory is made (the bench's work directory).
		#[arg(long, default_value = ".")]
		dir: std::path::PathBuf,
	},
	/// Offline verifications per second.
	Offline {
		#[arg(long)]
		record: std::path::PathBuf,
		#[arg(long)]
		certificate: std::path::PathBuf,
		#[arg(long)]
		chain_spec: std::path::PathBuf,
		#[arg(long, default_value_t = 200)]
		iterations: u64,
	},
}

/// `n` synthetic FHIR Observations (lab results), one per line.
fn observations(n: u64) -> String {
	let mut out = String::with_capacity(n as usize * 230);
	for i in 0..n {
		out.push_str(&format!(
			"{{\"resourceType\":\"Observation\",\"id\":\"obs-{i}\",\"status\":\"final\",\
			 \"code\":{{\"coding\":[{{\"system\":\"http://loinc.org\",\"code\":\"2345-7\"}}]}},\
			 \"subject\":{{\"reference\":\"Patient/{}\"}},\"effectiveDateTime\":\"2026-11-29T08:00:00+08:00\",\
			 \"valueQuantity\":{{\"value\":{}.{},\"unit\":\"mmol/L\"}}}}\n",
			i % 50_000,
			3 + i % 7,
			i % 10
		));
	}
	out
}

fn per_second(n: u64, elapsed: Duration) -> f64 {
	n as f64 / elapsed.as_secs_f64().max(1e-9)
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
		if chain.certificate(id + step - 1).await.is_ok() {
			id += step;
		} else {
			step /= 2;
		}
	}
	Ok(id)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	match Cli::parse().command {
		Command::Generate { records } => {
			use std::io::Write;
			std::io::stdout().write_all(observations(records).as_bytes())?;
		}
		Command::Client { records, algorithm } => {
			let algorithm = HashAlgorithm::from_name(&algorithm).context("unknown algorithm")?;
			let text = observations(records);
			let started = Instant::now();
			let canonical = canonical_records(&text, RecordFormat::Ndjson)?;
			let canonicalise = started.elapsed();
			let bytes: u64 = canonical.iter().map(|r| r.len() as u64).sum();

			// Raw hashing: one hash per record over the same canonical bytes, on one core and
			// on all.
			let started = Instant::now();
			let mut sink = 0u8;
			for record in &canonical {
				sink ^= algorithm.hash(&[record])[0];
			}
			let raw_one = started.elapsed();
			let started = Instant::now();
			for part in map_chunks(&canonical, 1, |_, part| {
				part.iter().fold(0u8, |acc, record| acc ^ algorithm.hash(&[record])[0])
			}) {
				sink ^= part;
			}
			let raw_all = started.elapsed();

			let dir = tempfile::tempdir()?;
			let store = KeyStore::new(dir.path().join("keys"));
			store.create(false)?;
			let (key, _) = DataKey::generate(&store, 0, 0)?;
			let seed = [7u8; 32];
			let started = Instant::now();
			let prepared = prepare(&canonical, algorithm, &seed, &key, true, None)?;
			let certify = started.elapsed();
			let pipeline = canonicalise + certify;
			let root = prepared.tree.as_ref().map(|t| t.root()).unwrap_or_default();
			println!(
				"{}",
				serde_json::json!({
					"records": records,
					"algorithm": algorithm.name(),
					"threads": threads(),
					"canonicalBytes": bytes,
					"rawHashOneCoreRecordsPerSecond": per_second(records, raw_one),
					"rawHashAllCoresRecordsPerSecond": per_second(records, raw_all),
					"rawHashOneCoreMiBPerSecond": bytes as f64 / 1_048_576.0 / raw_one.as_secs_f64().max(1e-9),
					"canonicaliseSeconds": canonicalise.as_secs_f64(),
					"commitEncryptMerkleSeconds": certify.as_secs_f64(),
					"pipelineRecordsPerSecond": per_second(records, pipeline),
					"ratioToRawHashAllCores": pipeline.as_secs_f64() / raw_all.as_secs_f64().max(1e-9),
					"ratioToRawHashOneCore": pipeline.as_secs_f64() / raw_one.as_secs_f64().max(1e-9),
					"root": hex::encode(root),
					"sink": sink,
				})
			);
		}
		Command::Files { count, size, dir } => {
			// The file system's own speed at what writing portable certificates does.
			let dir = tempfile::tempdir_in(&dir)?;
			let body = vec![b'x'; size];
			let indices: Vec<u64> = (1..=count).collect();
			let started = Instant::now();
			for written in map_chunks(&indices, 1, |_, part| -> std::io::Result<()> {
				for i in part {
					std::fs::write(dir.path().join(format!("{i}.json")), &body)?;
				}
				Ok(())
			}) {
				written?;
			}
			let elapsed = started.elapsed();
			println!(
				"{}",
				serde_json::json!({
					"files": count,
					"bytesEach": size,
					"threads": threads(),
					"seconds": elapsed.as_secs_f64(),
					"filesPerSecond": per_second(count, elapsed),
				})
			);
		}
		Command::Chain { url, signer, source, resource, domain, count } => {
			use medtrust_client::runtime::{self, runtime_types};
			let chain = Chain::connect(&url).await?;
			let signer = medtrust_client::signer::parse(&signer)?;
			let stamp = std::time::SystemTime::now()
				.duration_since(std::time::UNIX_EPOCH)
				.map(|d| d.as_nanos() as u64)
				.unwrap_or_default();
			let certify: Vec<_> = (0..count)
				.map(|i| {
					let mut commitment = [0u8; 32];
					commitment[..8].copy_from_slice(&i.to_le_bytes());
					commitment[8..16].copy_from_slice(&stamp.to_le_bytes());
					runtime::transactions().certificates().certify(
						source,
						resource,
						1,
						runtime_types::bounded_collections::bounded_vec::BoundedVec(
							domain.as_bytes().to_vec(),
						),
						runtime_types::medtrust_primitives::hashing::HashAlgorithm::Sm3,
						commitment,
					)
				})
				.collect();
			// Remarks of the same encoded size as a certify call's arguments.
			let remark_len = 8 + 8 + 4 + 1 + domain.len() + 1 + 32;
			let remarks: Vec<_> = (0..count)
				.map(|i| {
					let mut bytes = vec![0u8; remark_len];
					bytes[..8].copy_from_slice(&i.to_le_bytes());
					runtime::transactions().system().remark(bytes)
				})
				.collect();
			let before = next_certificate(&chain).await?;
			let started = Instant::now();
			let mut certify_latency = chain.submit_all(&certify, &signer).await?;
			let certify_total = started.elapsed();
			let issued = next_certificate(&chain).await? - before;
			anyhow::ensure!(issued == count, "{issued} of {count} certify transactions succeeded");
			let started = Instant::now();
			let mut remark_latency = chain.submit_all(&remarks, &signer).await?;
			let remark_total = started.elapsed();
			// One at a time: the latency a single user sees.
			let mut single = Vec::new();
			for i in 0..5u64 {
				let mut commitment = [1u8; 32];
				commitment[..8].copy_from_slice(&i.to_le_bytes());
				commitment[8..16].copy_from_slice(&stamp.to_le_bytes());
				let call = runtime::transactions().certificates().certify(
					source,
					resource,
					1,
					runtime_types::bounded_collections::bounded_vec::BoundedVec(
						domain.as_bytes().to_vec(),
					),
					runtime_types::medtrust_primitives::hashing::HashAlgorithm::Sm3,
					commitment,
				);
				let t = Instant::now();
				chain.submit(&call, &signer).await?;
				single.push(t.elapsed());
			}
			certify_latency.sort();
			remark_latency.sort();
			single.sort();
			println!(
				"{}",
				serde_json::json!({
					"count": count,
					"certifyPerSecond": per_second(count, certify_total),
					"remarkPerSecond": per_second(count, remark_total),
					"certifyFinalityMedianSeconds": percentile(&certify_latency, 0.5),
					"certifyFinalityP95Seconds": percentile(&certify_latency, 0.95),
					"remarkFinalityMedianSeconds": percentile(&remark_latency, 0.5),
					"remarkFinalityP95Seconds": percentile(&remark_latency, 0.95),
					"singleCertifyFinalityMedianSeconds": percentile(&single, 0.5),
					"note": "count transactions submitted at once, each waited for until finalized",
				})
			);
		}
		Command::Offline { record, certificate, chain_spec, iterations } => {
			let text = std::fs::read_to_string(&record)?;
			let portable: PortableCertificate =
				serde_json::from_str(&std::fs::read_to_string(&certificate)?)?;
			let anchor =
				medtrust_client::offline::trust_anchor(&chain_spec).map_err(anyhow::Error::msg)?;
			let started = Instant::now();
			for _ in 0..iterations {
				let report =
					medtrust_client::offline::verify_with_anchor(&text, &portable, &anchor);
				anyhow::ensure!(
					report.verdict == medtrust_client::anchor::Verdict::Valid,
					"not valid: {}",
					report.reason
				);
			}
			println!(
				"{}",
				serde_json::json!({
					"iterations": iterations,
					"offlineVerificationsPerSecond": per_second(iterations, started.elapsed()),
				})
			);
		}
	}
	Ok(())
}
