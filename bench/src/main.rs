//! `medtrust-bench`: the measurements behind `scripts/bench.sh`. Each subcommand prints its
//! figures as one JSON object, and times the client library's own functions: the ones
//! `medtrust anchor` and `medtrust verify` run.
//!
//! - `generate --records N`: synthetic FHIR Observations, one per line;
//! - `client --records N`: client-side certification throughput (canonicalise, commit,
//!   Merkle tree, encrypt, on all cores) beside the raw hash throughput of the same machine on
//!   the same bytes, on one core and on all;
//! - `files --count N --size B`: how fast the file system creates files of that size in one
//!   directory, the floor under writing one portable certificate per record;
//! - `chain --url U --signer S --source … --resource … --count N`: finalized `certify`
//!   extrinsics per second beside `system.remark`s of the same size, and the time from submit
//!   to finality (median, 95th percentile);
//! - `lineage --url U --edges N --certificates C`: a power-law lineage DAG recorded (edges per
//!   second), ancestors and descendants to depth 20 timed beside a breadth-first search in
//!   memory, and `lineage verify` of an asset with 1,000 ancestors;
//! - `load --url U --signer S`: 16 worst-case RPC calls at once (a walk with `skip =
//!   u32::MAX` from a hub of 100,000 descendants, the largest catalog pages, evidence of 1,024
//!   certificates in old blocks, `state_call` of the walk), each answered or refused within
//!   2 s, while `system_health` answers within 500 ms at the 99th percentile;
//! - `offline --record R --certificate C --chain-spec S --iterations N`: offline
//!   verifications per second;
//! - `match --items N --catalog M`: the relation matcher on two resources of N items each,
//!   and on a source of N items against a catalog of M items;
//! - `evaluate --set DIR`: the matcher's precision, recall and F1 per relation kind on a
//!   labelled data set (`bench/relations/`).

mod chain;
mod client;
mod evaluation;
mod files;
mod http;
mod lineage;
mod load;
mod matching;
mod submit;

use std::{path::PathBuf, time::Duration};

use clap::{Parser, Subcommand};

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
	Chain(chain::ChainArgs),
	/// How fast this file system creates `count` files of `size` bytes in one directory (the
	/// floor under writing one portable certificate per record).
	Files {
		#[arg(long, default_value_t = 100_000)]
		count: u64,
		#[arg(long, default_value_t = 4096)]
		size: usize,
		/// Where the directory is made (the bench's work directory).
		#[arg(long, default_value = ".")]
		dir: PathBuf,
	},
	/// Lineage: a power-law DAG recorded (edges per second), walks timed beside a search in
	/// memory, and `lineage verify` of an asset with 1,000 ancestors.
	Lineage(lineage::LineageArgs),
	/// The node's RPC under a burst of worst-case calls (a walk from a hub of 100,000
	/// descendants, the largest catalog pages, evidence of 1,024 old blocks, `state_call` of
	/// the walk) beside `system_health`; exits non-zero when a target is missed.
	Load(load::LoadArgs),
	/// Offline verifications per second.
	Offline {
		#[arg(long)]
		record: PathBuf,
		#[arg(long)]
		certificate: PathBuf,
		#[arg(long)]
		chain_spec: PathBuf,
		#[arg(long, default_value_t = 200)]
		iterations: u64,
	},
	/// The relation matcher's speed: two resources of `items` items each; a source of `items`
	/// items against a catalog of `catalog` items.
	Match {
		#[arg(long, default_value_t = 2000)]
		items: usize,
		#[arg(long, default_value_t = 50_000)]
		catalog: usize,
	},
	/// The matcher's precision, recall and F1 per relation kind on a labelled data set.
	Evaluate {
		#[arg(long)]
		set: PathBuf,
	},
}

/// `n` per `elapsed`.
fn per_second(n: u64, elapsed: Duration) -> f64 {
	n as f64 / elapsed.as_secs_f64().max(1e-9)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	let figures = match Cli::parse().command {
		Command::Generate { records } => {
			use std::io::Write;
			std::io::stdout().write_all(client::observations(records).as_bytes())?;
			return Ok(());
		}
		Command::Client { records, algorithm } => client::run(records, &algorithm)?,
		Command::Chain(args) => chain::run(args).await?,
		Command::Lineage(args) => lineage::run(args).await?,
		Command::Load(args) => {
			let figures = load::run(args).await?;
			println!("{figures}");
			anyhow::ensure!(figures["met"] == true, "a target was missed");
			return Ok(());
		}
		Command::Files { count, size, dir } => files::create(count, size, &dir)?,
		Command::Offline { record, certificate, chain_spec, iterations } => {
			files::offline(&record, &certificate, &chain_spec, iterations)?
		}
		Command::Match { items, catalog } => matching::run(items, catalog),
		Command::Evaluate { set } => evaluation::run(&set)?,
	};
	println!("{figures}");
	Ok(())
}
