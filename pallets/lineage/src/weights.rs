//! Weights for `pallet_lineage`: PROVISIONAL, to be replaced by `scripts/bench-weights.sh`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_lineage`.
pub trait WeightInfo {
	fn record(a: u32, e: u32, ) -> Weight;
}

/// Weights for `pallet_lineage` with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn record(a: u32, e: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(a.into()))
			.saturating_add(Weight::from_parts(40_000_000, 3000).saturating_mul(e.into()))
			.saturating_add(T::DbWeight::get().reads_writes(4, 4).saturating_mul(e.into()))
	}
}

// For tests
impl WeightInfo for () {
	fn record(a: u32, e: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(a.into()))
			.saturating_add(Weight::from_parts(40_000_000, 3000).saturating_mul(e.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4).saturating_mul(e.into()))
	}
}
