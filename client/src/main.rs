//! `medtrust`: the MedTrust command-line tool.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use medtrust_client::{signer, Chain, DEFAULT_URL};

/// MedTrust command-line tool: inspect and use a MedTrust consortium chain.
///
/// Every command talks to one node's JSON-RPC endpoint (`--url`). Commands that write to the
/// chain sign with `--signer`. `--json` prints machine-readable output instead of text.
#[derive(Debug, Parser)]
#[command(name = "medtrust", version, propagate_version = true)]
struct Cli {
	/// WebSocket URL of the node's JSON-RPC endpoint.
	#[arg(long, global = true, env = "MEDTRUST_URL", default_value = DEFAULT_URL)]
	url: String,

	/// Who signs transactions: a secret URI (`//Alice`, a mnemonic, a 0x seed) or the path of a
	/// key file holding one (or an encrypted Polkadot.js JSON export, whose password is read
	/// from MEDTRUST_SIGNER_PASSWORD).
	#[arg(long, global = true, env = "MEDTRUST_SIGNER", hide_env_values = true)]
	signer: Option<String>,

	/// Print machine-readable JSON instead of text.
	#[arg(long, global = true)]
	json: bool,

	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Show the chain's name, genesis hash, runtime version, best and finalized blocks, peers
	/// and validator set.
	Status,
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {e:#}");
			ExitCode::FAILURE
		}
	}
}

async fn run(cli: Cli) -> anyhow::Result<()> {
	// A signer given but unusable is an error even for commands that do not sign: it would
	// fail later at a worse moment.
	if let Some(s) = &cli.signer {
		signer::parse(s)?;
	}
	match cli.command {
		Command::Status => {
			let chain = Chain::connect(&cli.url).await?;
			let status = chain.status().await?;
			if cli.json {
				println!("{}", serde_json::to_string_pretty(&status)?);
			} else {
				print!("{}", status.render());
			}
		}
	}
	Ok(())
}
