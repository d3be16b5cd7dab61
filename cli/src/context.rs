//! What every command shares: the node to talk to, who signs, and where output goes.

use medtrust_client::{chain::signer, Chain, DEFAULT_URL};
use subxt_signer::sr25519::Keypair;

use crate::output::Output;

/// The global options.
#[derive(Debug, clap::Args)]
pub struct Args {
	/// WebSocket URL of the node's JSON-RPC endpoint.
	#[arg(long, global = true, env = "MEDTRUST_URL", default_value = DEFAULT_URL)]
	pub url: String,

	/// Who signs transactions: a secret URI (`//Alice`, a mnemonic, a 0x seed) or the path of a
	/// key file holding one (or an encrypted Polkadot.js JSON export, whose password is read
	/// from MEDTRUST_SIGNER_PASSWORD).
	#[arg(long, global = true, env = "MEDTRUST_SIGNER", hide_env_values = true)]
	pub signer: Option<String>,
}

/// The context of one command.
pub struct Context {
	pub url: String,
	pub output: Output,
	signer: Option<Keypair>,
}

impl Context {
	/// Checks the global options. A signer given but unusable is an error even for commands
	/// that do not sign: it would fail later at a worse moment.
	pub fn new(args: Args, output: Output) -> anyhow::Result<Self> {
		let signer = args.signer.as_deref().map(signer::parse).transpose()?;
		Ok(Self { url: args.url, output, signer })
	}

	/// The signer, for a command that signs a transaction.
	pub fn signer(&self) -> anyhow::Result<&Keypair> {
		self.signer.as_ref().ok_or_else(|| {
			anyhow::anyhow!("this command signs a transaction: give --signer (or MEDTRUST_SIGNER)")
		})
	}

	/// Connects to the node at `--url`.
	pub async fn connect(&self) -> anyhow::Result<Chain> {
		Ok(Chain::connect(&self.url).await?)
	}
}
