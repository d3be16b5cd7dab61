//! `medtrust governance …`: running the consortium across releases (runtime upgrades by vote).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::context::Context;

#[derive(Debug, Subcommand)]
pub enum GovernanceCommand {
	/// Upgrade the chain's runtime, without restarting any node. Without options: propose the
	/// council motion authorizing this code (signer: an active institution's admin); it
	/// needs the ayes of two thirds of the active institutions (`consortium vote`, then
	/// `consortium close`). Prints the motion hash, the code hash and the runtime versions.
	/// `--check` first: run the code's migrations and checks on a copy of the chain's state.
	/// `--apply` last: supply the authorized code (anyone may; no signer needed); the next
	/// block runs the new runtime.
	Upgrade(UpgradeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
	/// The new runtime's Wasm code (`…/wbuild/medtrust-runtime/medtrust_runtime.compact.compressed.wasm`
	/// of the new release's build).
	pub wasm: PathBuf,
	/// Supply the code the council authorized, and wait until the block that sets it is
	/// final; `medtrust status` then shows the new runtime.
	#[arg(long, conflicts_with = "check")]
	pub apply: bool,
	/// Only check: copy the finalized state from the node and run the code's migrations with
	/// their pre- and post-upgrade checks, every pallet's storage version and `try_state`
	/// (the code must be built with `try-runtime`). Sends nothing.
	#[arg(long)]
	pub check: bool,
}

/// Runs a `governance` command.
pub async fn run(command: GovernanceCommand, context: &Context) -> anyhow::Result<()> {
	match command {
		GovernanceCommand::Upgrade(args) => upgrade(args, context).await,
	}
}

async fn upgrade(args: UpgradeArgs, context: &Context) -> anyhow::Result<()> {
	// Read the code before connecting: a wrong file fails fast and sends nothing.
	let wasm = medtrust_upgrade_check::read(&args.wasm)?;
	let chain = context.connect().await?;
	let out = context.output;
	if args.check {
		// A failed check is reported in the runtime's words, which reach this process as
		// `log` records.
		medtrust_upgrade_check::RuntimeLog::install();
		out.show(&medtrust_upgrade_check::check(&chain, &wasm).await?)
	} else if args.apply {
		out.show(&chain.consortium().apply_upgrade(&wasm).await?)
	} else {
		out.show(&chain.consortium().propose_upgrade(context.signer()?, &wasm).await?)
	}
}
