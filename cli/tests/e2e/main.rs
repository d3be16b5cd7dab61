//! End-to-end tests: real `medtrust-node` processes on loopback, driven as users drive them
//! (the `medtrust` CLI, the client library, and Polkadot.js' `@polkadot/api`).

mod harness;

mod catalog;
mod certificates;
mod consortium;
mod dev_chain;
mod faults;
mod founding;
mod governance;
mod lineage;
mod lineage_streams;
mod long;
mod peers;
mod polkadot_js;
mod postgres_tls;
mod relations;
mod sharing;
mod upgrade;
