//! Client-side certification throughput: exactly what `anchor` runs on the CPU
//! (`canonical_records`, `commit_all`, `encrypt_to_file`), beside raw hashing of the same bytes.

use std::time::Instant;

use anyhow::Context;
use medtrust_client::certificates::{
	keys::{DataKey, KeyStore},
	pipeline::{canonical_records, commit_all, encrypt_to_file, map_chunks, threads, RecordKeys},
	record_keys::KeyTable,
	records::RecordFormat,
};
use medtrust_primitives::hashing::HashAlgorithm;
use serde_json::{json, Value};

use crate::per_second;

/// `n` synthetic FHIR Observations (lab results), one per line.
pub fn observations(n: u64) -> String {
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

/// Hashes every record once on one core and once on all; their times and a byte that keeps
/// the work from being optimised away.
fn raw_hashing(
	canonical: &[Vec<u8>],
	algorithm: HashAlgorithm,
) -> (std::time::Duration, std::time::Duration, u8) {
	let started = Instant::now();
	let mut sink = 0u8;
	for record in canonical {
		sink ^= algorithm.hash(&[record])[0];
	}
	let one = started.elapsed();
	let started = Instant::now();
	for part in map_chunks(canonical, 1, |_, part| {
		part.iter().fold(0u8, |acc, record| acc ^ algorithm.hash(&[record])[0])
	}) {
		sink ^= part;
	}
	(one, started.elapsed(), sink)
}

/// Measures the client pipeline on `records` synthetic records.
pub fn run(records: u64, algorithm: &str) -> anyhow::Result<Value> {
	let algorithm = HashAlgorithm::from_name(algorithm).context("unknown algorithm")?;
	let text = observations(records);
	let started = Instant::now();
	let canonical = canonical_records(&text, RecordFormat::Ndjson)?;
	let canonicalise = started.elapsed();
	let bytes: u64 = canonical.iter().map(|r| r.len() as u64).sum();
	let (raw_one, raw_all, sink) = raw_hashing(&canonical, algorithm);

	let dir = tempfile::tempdir()?;
	let store = KeyStore::new(dir.path().join("keys"));
	store.create(false)?;
	let (key, _) = DataKey::generate(&store, 0, 0)?;
	let started = Instant::now();
	let committed = commit_all(&canonical, algorithm, &[7u8; 32], true, |_| {});
	let commit = started.elapsed();
	// As `anchor` does: a record-key table drawn and sealed, every record under its own key.
	let started = Instant::now();
	let table = KeyTable::for_records(&canonical, None, &[7u8; 32])?;
	std::fs::write(dir.path().join("keys.bin"), table.seal(&key)?)?;
	let keys = RecordKeys { table: &table, source: 0, resource: 0, kek_version: key.kek_version() };
	encrypt_to_file(&canonical, &keys, &dir.path().join("records.bin"))?;
	let encrypt = started.elapsed();
	let pipeline = canonicalise + commit + encrypt;
	let root = committed.tree.as_ref().map(|t| t.root()).unwrap_or_default();
	Ok(json!({
		"records": records,
		"algorithm": algorithm.name(),
		"threads": threads(),
		"canonicalBytes": bytes,
		"rawHashOneCoreRecordsPerSecond": per_second(records, raw_one),
		"rawHashAllCoresRecordsPerSecond": per_second(records, raw_all),
		"rawHashOneCoreMiBPerSecond": bytes as f64 / 1_048_576.0 / raw_one.as_secs_f64().max(1e-9),
		"canonicaliseSeconds": canonicalise.as_secs_f64(),
		"commitMerkleSeconds": commit.as_secs_f64(),
		"encryptSeconds": encrypt.as_secs_f64(),
		"commitEncryptMerkleSeconds": (commit + encrypt).as_secs_f64(),
		"pipelineRecordsPerSecond": per_second(records, pipeline),
		"ratioToRawHashAllCores": pipeline.as_secs_f64() / raw_all.as_secs_f64().max(1e-9),
		"ratioToRawHashOneCore": pipeline.as_secs_f64() / raw_one.as_secs_f64().max(1e-9),
		"root": hex::encode(root),
		"sink": sink,
	}))
}
