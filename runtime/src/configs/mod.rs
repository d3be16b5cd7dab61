//! Pallet configurations, one module per pallet, with explicit production values.

mod balances;
mod consensus;
mod sudo;
mod system;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
