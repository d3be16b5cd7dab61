//! A test runtime for the field mapping pallet, with the data sources pallet it builds on (its
//! shared test pieces: `pallet-data-sources`' feature `mock`).

pub use pallet_data_sources::mock::text;
use pallet_data_sources::mock::MockExt;

use crate::{self as pallet_field_mapping, *};

medtrust_primitives::test_runtime!(
	1 => DataSources = pallet_data_sources,
	2 => FieldMapping = pallet_field_mapping,
);
pallet_data_sources::impl_mock_config!(Test, FieldMapping);

impl Config for Test {
	type MaxItemsPerCall = frame_support::traits::ConstU32<4>;
	type MaxTypeLen = frame_support::traits::ConstU32<16>;
	type MaxTextLen = frame_support::traits::ConstU32<64>;
	type MaxUnitLen = frame_support::traits::ConstU32<16>;
	type MaxProposalsPerCall = frame_support::traits::ConstU32<4>;
	type MaxRelationsPerItem = frame_support::traits::ConstU32<2>;
	type MaxRelationsPerVersion = frame_support::traits::ConstU32<4>;
	type WeightInfo = ();
}

/// Externalities with the genesis domains; every pallet's `try_state` after each test.
pub type ExtBuilder = MockExt<Test>;
