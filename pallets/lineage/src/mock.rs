//! A test runtime for the lineage pallet, with the data sources and certificates pallets it
//! builds on (their shared test pieces: `pallet-data-sources`' feature `mock`).

pub use pallet_data_sources::mock::text;
use pallet_data_sources::mock::MockExt;

use crate::{self as pallet_lineage, *};

medtrust_primitives::test_runtime!(
	1 => DataSources = pallet_data_sources,
	2 => Certificates = pallet_certificates,
	3 => Lineage = pallet_lineage,
);
pallet_data_sources::impl_mock_config!(Test, Certificates, Lineage);

impl pallet_certificates::Config for Test {
	type MaxLeaves = frame_support::traits::ConstU64<1024>;
	type WeightInfo = ();
}

impl Config for Test {
	type MaxNamespaceLen = frame_support::traits::ConstU32<64>;
	type MaxLineageNameLen = frame_support::traits::ConstU32<64>;
	type MaxFieldNameLen = frame_support::traits::ConstU32<32>;
	type MaxInputs = frame_support::traits::ConstU32<4>;
	type MaxOutputs = frame_support::traits::ConstU32<3>;
	type MaxFieldsPerOutput = frame_support::traits::ConstU32<4>;
	type MaxParents = frame_support::traits::ConstU32<4>;
	type MaxActivitiesPerCall = frame_support::traits::ConstU32<8>;
	type MaxEdgesPerCall = frame_support::traits::ConstU32<64>;
	type MaxRunParts = frame_support::traits::ConstU32<4>;
	type WeightInfo = ();
}

/// Externalities with the genesis domains; every pallet's `try_state` after each test.
pub type ExtBuilder = MockExt<Test>;
