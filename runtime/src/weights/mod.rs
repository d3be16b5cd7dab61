//! The runtime's own weights, measured on this project's reference machine by
//! `scripts/bench-weights.sh` (the pallets' weights are in each pallet's `weights.rs`):
//! frame_system's calls and its transaction extensions (`CheckNonce`, `CheckMortality`, …),
//! which every signed transaction pays, `pallet_migrations`' (multi-block migrations), and the
//! overhead of a block and of an extrinsic.

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system;
pub mod frame_system_extensions;
pub mod pallet_migrations;
