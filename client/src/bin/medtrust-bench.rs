//! `medtrust-bench`: the measurements behind `scripts/bench.sh`. Each subcommand prints its
//! figures as one JSON object.
//!
//! - `client --records N`: client-side certification throughput (canonicalise, commit,
//!   encrypt, Merkle tree) beside the raw hash throughput of the same machine on the same
//!   bytes;
//! - `chain --url U --signer S --source … --resource … --count N`: finalized `certify`
//!   extrinsics per second beside `system.remark`s of the same size, and the time from submit
//!   to finality (median, 95th percentile);
//! - `offline --record R --certificate C --chain-spec S --iterations N`: offline
//!   verifications per second.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use medtrust_client::{
	anchor::{canonical_records, prepare, PortableCertificate, RecordFormat},
	keys::{DataKey, KeyStore},
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

			// Raw hashing: one hash per record over the same canonical bytes.
			let started = Instant::now();
			let mut sink = 0u8;
			for record in &canonical {
				sink ^= algorithm.hash(&[record])[0];
			}
			let raw_hash = started.elapsed();

			let dir = tempfile::tempdir()?;
			let store = KeyStore::new(dir.path().join("keys"));
			store.create(false)?;
			let (key, _) = DataKey::generate(&store, 0, 0)?;
			let seed = [7u8; 32];
			let started = Instant::now();
			let prepared = prepare(&canonical, algorithm, &seed, &key, true, None, |_| {})?;
			let certify = started.elapsed();
			let root = prepared.tree.as_ref().map(|t| t.root()).unwrap_or_default();
			println!(
				"{}",
				serde_json::json!({
					"records": records,
					"algorithm": algorithm.name(),
					"canonicalBytes": bytes,
					"rawHashRecordsPerSecond": per_second(records, raw_hash),
					"rawHashMiBPerSecond": bytes as f64 / 1_048_576.0 / raw_hash.as_secs_f64().max(1e-9),
					"canonicaliseSeconds": canonicalise.as_secs_f64(),
					"commitEncryptMerkleSeconds": certify.as_secs_f64(),
					"certifyRecordsPerSecond": per_second(records, certify),
					"pipelineRecordsPerSecond": per_second(records, certify + canonicalise),
					"ratioToRawHash": certify.as_secs_f64() / raw_hash.as_secs_f64().max(1e-9),
					"root": hex::encode(root),
					"sink": sink,
				})
			);
		}
		Command::Chain { url, signer, source, resource, domain, count } => {
			let chain = Chain::connect(&url).await?;
			let signer = medtrust_client::signer::parse(&signer)?;
			let mut certify_latency = Vec::new();
			let started = Instant::now();
			for i in 0..count {
				let mut commitment = [0u8; 32];
				commitment[..8].copy_from_slice(&i.to_le_bytes());
				commitment[8..16]
					.copy_from_slice(&(started.elapsed().as_nanos() as u64).to_le_bytes());
				let call = medtrust_client::runtime::transactions().certificates().certify(
					source,
					resource,
					1,
					medtrust_client::runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(
						domain.as_bytes().to_vec(),
					),
					medtrust_client::runtime::runtime_types::medtrust_primitives::hashing::HashAlgorithm::Sm3,
					commitment,
				);
				let t = Instant::now();
				chain.submit(&call, &signer).await?;
				certify_latency.push(t.elapsed());
			}
			let certify_total = started.elapsed();
			// A remark of the same encoded size as a certify call's arguments.
			let remark_len = 8 + 8 + 4 + 1 + domain.len() + 1 + 32;
			let mut remark_latency = Vec::new();
			let started = Instant::now();
			for i in 0..count {
				let mut bytes = vec![0u8; remark_len];
				bytes[..8].copy_from_slice(&i.to_le_bytes());
				let call = medtrust_client::runtime::transactions().system().remark(bytes);
				let t = Instant::now();
				chain.submit(&call, &signer).await?;
				remark_latency.push(t.elapsed());
			}
			let remark_total = started.elapsed();
			certify_latency.sort();
			remark_latency.sort();
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
					"note": "one transaction at a time, each waited for until finalized",
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
