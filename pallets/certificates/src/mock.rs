//! A test runtime for the certificates pallet, with the data sources pallet it builds on (its
//! shared test pieces: `pallet-data-sources`' feature `mock`).

pub use pallet_data_sources::mock::text;
use pallet_data_sources::mock::MockExt;

use crate::{self as pallet_certificates, *};

medtrust_primitives::test_runtime!(
	1 => DataSources = pallet_data_sources,
	2 => Certificates = pallet_certificates,
);
pallet_data_sources::impl_mock_config!(Test, Certificates);

impl Config for Test {
	type MaxLeaves = frame_support::traits::ConstU64<{ 1 << 20 }>;
	type WeightInfo = ();
}

/// Externalities with the genesis domains; every pallet's `try_state` after each test.
pub type ExtBuilder = MockExt<Test>;
