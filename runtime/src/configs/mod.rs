//! Pallet configurations, one module per pallet, with explicit production values.

mod balances;
mod certificates;
pub mod consensus;
pub mod consortium;
mod data_sources;
mod field_mapping;
pub mod governance;
mod lineage;
mod migrations;
mod session;
mod sharing;
mod sudo;
mod system;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
