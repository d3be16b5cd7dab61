//! `medtrust-node`: the MedTrust consortium node.
//!
//! Every member institution runs one as its validator; services talk to it over JSON-RPC.

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
