//! The file system's own speed at what writing portable certificates does, and offline
//! verification with the library's verifier.

use std::{path::Path, time::Instant};

use medtrust_client::{
	certificates::{
		portable::PortableCertificate,
		verify::{
			offline::{trust_anchor, verify_with_anchor},
			Verdict,
		},
	},
	files::{read_text, write_renamed},
};
use serde_json::{json, Value};

use crate::per_second;

/// Creates `count` files of `size` bytes in a new directory under `dir`, as `anchor` writes
/// certificates (under a temporary name, renamed), on every core.
pub fn create(count: u64, size: usize, dir: &Path) -> anyhow::Result<Value> {
	use medtrust_client::certificates::pipeline::{map_chunks, threads};
	let dir = tempfile::tempdir_in(dir)?;
	let body = vec![b'x'; size];
	let indices: Vec<u64> = (1..=count).collect();
	let started = Instant::now();
	for written in map_chunks(&indices, 1, |_, part| -> medtrust_client::Result<()> {
		for i in part {
			write_renamed(&dir.path().join(format!("{i}.json")), &body)?;
		}
		Ok(())
	}) {
		written?;
	}
	let elapsed = started.elapsed();
	Ok(json!({
		"files": count,
		"bytesEach": size,
		"threads": threads(),
		"seconds": elapsed.as_secs_f64(),
		"filesPerSecond": per_second(count, elapsed),
	}))
}

/// Verifies one record offline `iterations` times.
pub fn offline(
	record: &Path,
	certificate: &Path,
	chain_spec: &Path,
	iterations: u64,
) -> anyhow::Result<Value> {
	let text = read_text(record)?;
	let portable = PortableCertificate::read(certificate)?;
	// The benchmark measures on a development chain: its spec names development keys.
	let anchor = trust_anchor(chain_spec)?.allowing_dev_keys(true);
	let started = Instant::now();
	for _ in 0..iterations {
		let report = verify_with_anchor(&text, &portable, &anchor);
		anyhow::ensure!(report.verdict == Verdict::Valid, "not valid: {}", report.reason);
	}
	Ok(json!({
		"iterations": iterations,
		"offlineVerificationsPerSecond": per_second(iterations, started.elapsed()),
	}))
}
