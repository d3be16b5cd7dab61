//! Runs the node or one of its maintenance subcommands.

use sc_cli::SubstrateCli;
use sc_service::PartialComponents;

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"MedTrust Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"docs/operations.md of the MedTrust repository (When validators fail)".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development()?),
			"" | "local" => Box::new(chain_spec::local()?),
			path => Box::new(
				chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))
					.map_err(|e| format!("cannot load the chain spec {path}: {e}"))?,
			),
		})
	}
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let mut cli = Cli::from_args();
	// MedTrust's nodes keep their transactions in the single-state pool unless told otherwise
	// (`--pool-type fork-aware`, Substrate's default): measured on a dev node, the fork-aware
	// pool dropped 2,469 of 3,000 `system.remark`s submitted at once through @polkadot/api and
	// a third of `anchor`'s in-flight `certify`s, where the single-state pool kept every one
	// (3,000 in one block; 20,000 `certify` finalized in 19.4 s). With Aura and GRANDPA among
	// a few known validators, forks are short and rare, which is what the fork-aware pool is for.
	if !std::env::args().any(|a| a.starts_with("--pool-type")) {
		cli.run.pool_config.pool_type = sc_cli::TransactionPoolType::SingleState;
	}

	match &cli.subcommand {
		Some(Subcommand::Founding(cmd)) => cmd.run(),
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		#[allow(deprecated)]
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		}
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let chain_spec = cli.load_spec(&cmd.chain)?;
			cmd.run(chain_spec)
		}
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		}
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		}
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		}
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		}
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<medtrust_runtime::opaque::Block>(&config))
		}
		None => {
			use_founding_keys(&mut cli);
			run_node(&cli)
		}
	}
}

/// A base path that `founding init` created holds the institution's keystore and network key
/// beside `institution.json` (the chain's id was not known yet): the node uses them unless told
/// other paths.
fn use_founding_keys(cli: &mut Cli) {
	let Some(base) = cli.run.shared_params.base_path.clone() else { return };
	if !base.join(crate::founding::INSTITUTION_FILE).is_file() {
		return;
	}
	let keystore = &mut cli.run.keystore_params;
	if keystore.keystore_path.is_none() {
		keystore.keystore_path = Some(base.join(crate::founding::KEYSTORE_DIR));
	}
	let node_key = &mut cli.run.network_params.node_key_params;
	if node_key.node_key.is_none() && node_key.node_key_file.is_none() {
		node_key.node_key_file = Some(base.join(crate::founding::NETWORK_KEY_FILE));
	}
}

/// A new database keeps the state of every finalized block unless `--state-pruning` says
/// otherwise: offline evidence proves a certificate in the state of the block that issued it,
/// however old (Substrate's default keeps the last 256 blocks' states only, so the evidence of
/// a certificate anchored 13 minutes ago could no longer be made). A database that exists keeps
/// the mode it was created with (Substrate refuses to change it).
fn keep_finalized_states(config: &mut sc_service::Configuration) {
	let exists = config.database.path().is_some_and(std::path::Path::exists);
	if config.state_pruning.is_none() && !exists {
		config.state_pruning = Some(sc_service::PruningMode::ArchiveCanonical);
	}
}

/// Runs the node until it is stopped.
fn run_node(cli: &Cli) -> sc_cli::Result<()> {
	let runner = cli.create_runner(&cli.run)?;
	// MedTrust uses the libp2p backend unless told otherwise: when an institution leaves
	// the consortium, its node must be disconnected, and litep2p (Substrate's default)
	// keeps a peer dropped from the authorized set connected while it has free slots.
	let explicit_backend = std::env::args().any(|a| a.starts_with("--network-backend"));
	let allow_dev_keys = cli.allow_dev_keys;
	runner.run_node_until_exit(|mut config| async move {
		keep_finalized_states(&mut config);
		let backend = if explicit_backend {
			config.network.network_backend
		} else {
			sc_network::config::NetworkBackendType::Libp2p
		};
		match backend {
			sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
				sc_network::NetworkWorker<
					medtrust_runtime::opaque::Block,
					<medtrust_runtime::opaque::Block as sp_runtime::traits::Block>::Hash,
				>,
			>(config, allow_dev_keys)
			.map_err(sc_cli::Error::Service),
			sc_network::config::NetworkBackendType::Litep2p => {
				service::new_full::<sc_network::Litep2pNetworkBackend>(config, allow_dev_keys)
					.map_err(sc_cli::Error::Service)
			}
		}
	})
}
