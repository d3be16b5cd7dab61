//! `medtrust-node`: the MedTrust consortium node.
//!
//! Every member institution runs one as its validator; services talk to it over JSON-RPC.

// `sc_cli::Error` and `sc_service::Error` are large; the node's functions return them as the
// Substrate service API requires.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod dev_keys;
mod founding;
mod peers;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
