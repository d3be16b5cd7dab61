//! `medtrust`: the MedTrust command-line tool. This file parses the command line, builds the
//! context every command shares and dispatches; each command group lives in
//! [`commands`], and everything printed is rendered in [`output`].

mod commands;
mod context;
mod output;
mod values;

use std::process::ExitCode;

use clap::Parser;

use crate::{commands::Command, context::Context, output::Output};

/// MedTrust command-line tool: inspect and use a MedTrust consortium chain.
///
/// Every command talks to one node's JSON-RPC endpoint (`--url`). Commands that write to the
/// chain sign with `--signer` and wait until their transaction is finalized. `--json` prints
/// machine-readable output instead of text.
#[derive(Debug, Parser)]
#[command(name = "medtrust", version, propagate_version = true)]
struct Cli {
	#[command(flatten)]
	context: context::Args,

	/// Print machine-readable JSON instead of text.
	#[arg(long, global = true)]
	json: bool,

	#[command(subcommand)]
	command: Command,
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	let output = Output { json: cli.json };
	let outcome = match Context::new(cli.context, output) {
		Ok(context) => commands::run(cli.command, &context).await,
		Err(e) => Err(e),
	};
	match outcome {
		Ok(code) => code,
		Err(e) if e.is::<output::Closed>() => ExitCode::SUCCESS,
		Err(e) => {
			output::note(&format!("error: {e:#}"));
			ExitCode::from(exit_status(&e))
		}
	}
}

/// The exit status of a failure, by its kind (docs/cli.md): 1 the node or a local file failed,
/// 2 bad input (clap's own usage errors exit 2 too), 5 not found, 6 refused by the chain.
/// Verdicts other than valid (3) and refused lineage runs (4) are outcomes, not failures.
fn exit_status(e: &anyhow::Error) -> u8 {
	use medtrust_client::error::ErrorKind;
	let library = e.chain().find_map(|cause| cause.downcast_ref::<medtrust_client::Error>());
	match library.map(medtrust_client::Error::kind) {
		// The command's own checks of its arguments.
		None | Some(ErrorKind::Invalid) => 2,
		Some(ErrorKind::NotFound) => 5,
		Some(ErrorKind::Refused) => 6,
		Some(ErrorKind::Unavailable | ErrorKind::Local | ErrorKind::Internal) => 1,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::CommandFactory;

	#[test]
	fn the_command_line_is_consistent() {
		Cli::command().debug_assert();
	}

	/// Parses `medtrust <args>`.
	pub(crate) fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
		Cli::try_parse_from(std::iter::once("medtrust").chain(args.iter().copied()))
	}

	#[test]
	fn each_kind_of_failure_has_its_exit_status() {
		use medtrust_client::Error;
		let status = |e: Error| exit_status(&anyhow::Error::from(e));
		let connect = Error::Connect { url: "ws://127.0.0.1:1".into(), reason: "refused".into() };
		assert_eq!(status(connect), 1);
		let exposed = Error::Exposed { path: "k".into(), mode: 0o644 };
		assert_eq!(status(exposed), 2);
		assert_eq!(status(Error::not_found("certificate", "#7")), 5);
		let refused = Error::TransactionFailed { reason: "Module error".into() };
		assert_eq!(status(refused), 6);
		let other = Error::from(medtrust_client::catalog::Error::NotOwner {
			data_source: 1,
			owner: 2,
			signer: 3,
		});
		assert_eq!(status(other), 6);
		assert_eq!(status(Error::Internal("a bug".into())), 1);
		// The command's own refusal of an argument, and a library error under context.
		assert_eq!(exit_status(&anyhow::anyhow!("give --postgres or --openapi")), 2);
		let wrapped = anyhow::Error::from(Error::not_found("relation", "#9")).context("listing");
		assert_eq!(exit_status(&wrapped), 5);
	}

	#[test]
	fn every_listing_is_also_group_list() {
		for group in ["consortium", "catalog", "relation", "keys"] {
			assert!(parse(&[group, "list"]).is_ok(), "{group} list");
		}
		assert!(parse(&["catalog", "list", "--institution", "1"]).is_ok());
	}

	#[test]
	fn add_peer_takes_a_peer_id_or_a_node_key_file_not_both() {
		let id = "12D3KooWFLzmPxkUS6Ja3QfSa9KB2tgaiRQbsB7KhaQ9aSkort3f";
		assert!(parse(&["consortium", "add-peer", id]).is_ok());
		assert!(parse(&["consortium", "add-peer", "--node-key-file", "k"]).is_ok());
		assert!(parse(&["consortium", "add-peer"]).is_err(), "neither");
		assert!(parse(&["consortium", "add-peer", id, "--node-key-file", "k"]).is_err(), "both");
	}

	#[test]
	fn closed_sets_refuse_unknown_names_with_the_choices() {
		let e =
			parse(&["catalog", "add-source", "--name", "x", "--system", "SAP", "--domain", "L"])
				.unwrap_err()
				.to_string();
		assert!(e.contains("unknown system `SAP`: one of HIS, LIS"), "{e}");
	}

	#[test]
	fn every_name_printed_is_accepted_back() {
		use medtrust_client::wire::WireName;
		for reason in pallet_certificates::RevocationReason::ALL {
			let name = reason.wire_name();
			assert!(parse(&["certificate", "revoke", "1", "--reason", name]).is_ok(), "{name}");
		}
		for system in pallet_data_sources::SystemKind::ALL {
			let name = system.wire_name();
			let args = ["catalog", "add-source", "--name", "x", "--system", name, "--domain", "L"];
			assert!(parse(&args).is_ok(), "{name}");
		}
		for op in pallet_data_sources::Operation::ALL {
			let args = ["catalog", "import", "--openapi", "a.yaml", "--source", "1"];
			let with = [&args[..], &["--operations", op.wire_name()]].concat();
			assert!(parse(&with).is_ok(), "{}", op.wire_name());
		}
		for kind in pallet_consortium::InstitutionKind::ALL {
			let args = [
				"consortium",
				"propose-admit",
				"--name",
				"x",
				"--credit-code",
				"x",
				"--region",
				"x",
				"--admin",
				"x",
				"--peer-id",
				"x",
				"--kind",
				kind.wire_name(),
			];
			assert!(parse(&args).is_ok(), "{}", kind.wire_name());
		}
		for algorithm in medtrust_primitives::hashing::HashAlgorithm::ALL {
			let args = ["anchor", "r.ndjson", "--source", "1", "--resource", "1"];
			let with = [&args[..], &["--algorithm", algorithm.wire_name()]].concat();
			assert!(parse(&with).is_ok(), "{}", algorithm.wire_name());
		}
	}
}
