//! Command-line interface of `medtrust-node`.

use sc_cli::RunCmd;

/// The MedTrust node: runs one institution's validator (or a non-validating full node) of the
/// MedTrust consortium chain. Without a subcommand it runs the node.
#[derive(Debug, clap::Parser)]
#[command(after_help = "Examples:\n  \
	medtrust-node --dev --tmp                      a throw-away single-validator dev chain\n  \
	medtrust-node founding init --name … --credit-code … --kind hospital --region 110101 \\\n    \
	  --base-path /var/lib/medtrust               one institution's keys, on its machine\n  \
	medtrust-node founding spec --id … --name … a/institution.json b/institution.json … \\\n    \
	  --out consortium.json                       the consortium's chain spec\n  \
	medtrust-node --chain consortium.json --base-path /var/lib/medtrust --validator\n  \
	medtrust-node --chain local --alice --allow-dev-keys --tmp   the local test network")]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// Run a chain that is no development chain although its genesis names, or this node
	/// uses, well-known development keys (Alice … Ferdie, the test node keys of
	/// chain-specs/local-node-keys): for the local test network only. Everybody holds those
	/// secrets.
	#[arg(long)]
	pub allow_dev_keys: bool,
}

/// Maintenance subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Found a consortium on the institutions' own keys: `init` on each institution's
	/// machine, then `spec` from every institution.json.
	#[command(subcommand)]
	Founding(crate::founding::FoundingCmd),

	/// Key management: generate and inspect account and node keys, insert session keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (`--chain dev|local|<file>`), optionally `--raw`.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a chain specification without starting a node (the successor of `build-spec`).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Show the database's chain information (best and finalized block, genesis).
	ChainInfo(sc_cli::ChainInfoCmd),
}
