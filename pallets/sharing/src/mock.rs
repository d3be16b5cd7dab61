//! A test runtime for the sharing pallet, with the data sources and certificates pallets it
//! builds on. Institutions 1, 2 and 3 (accounts 10–39, the data sources pallet's mock members)
//! are active; 4 is not. Admins are accounts 10, 20 and 30.

use core::cell::RefCell;
use std::collections::BTreeMap;

use frame_support::traits::{ConstU32, ConstU64, EnsureOrigin, UnixTime};
use frame_system::RawOrigin;
pub use pallet_data_sources::mock::text;
use pallet_data_sources::mock::MockExt;

use crate::{self as pallet_sharing, *};

medtrust_primitives::test_runtime!(
	1 => DataSources = pallet_data_sources,
	2 => Certificates = pallet_certificates,
	3 => Sharing = pallet_sharing,
);
pallet_data_sources::impl_mock_config!(Test, Certificates, Sharing);

impl pallet_certificates::Config for Test {
	type MaxLeaves = ConstU64<{ 1 << 20 }>;
	type WeightInfo = ();
}

thread_local! {
	static NOW: RefCell<u64> = const { RefCell::new(1_800_000_000) };
	static KEYS: RefCell<BTreeMap<InstitutionId, KeyVersion>> = const { RefCell::new(BTreeMap::new()) };
}

/// Sets the clock, in seconds since the Unix epoch.
pub fn set_now(seconds: u64) {
	NOW.with(|now| *now.borrow_mut() = seconds);
}

/// The clock, in seconds since the Unix epoch.
pub fn now() -> u64 {
	NOW.with(|now| *now.borrow())
}

/// Institution `id` publishes key version `version`.
pub fn publish_key(id: InstitutionId, version: KeyVersion) {
	KEYS.with(|keys| keys.borrow_mut().insert(id, version));
}

/// The mock clock.
pub struct Clock;

impl UnixTime for Clock {
	fn now() -> core::time::Duration {
		core::time::Duration::from_secs(now())
	}
}

/// Institutions 1–3 active; their keys as [`publish_key`] set them.
pub struct Keys;

impl InstitutionKeys<AccountId> for Keys {
	fn is_active(id: InstitutionId) -> bool {
		(1..=3).contains(&id)
	}

	fn current_key(id: InstitutionId) -> Option<KeyVersion> {
		KEYS.with(|keys| keys.borrow().get(&id).copied())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_grantee(not: InstitutionId) -> (InstitutionId, AccountId) {
		let id = if not == 2 { 3 } else { 2 };
		publish_key(id, 1);
		(id, u64::from(id) * 10)
	}
}

/// The admins: accounts 10, 20 and 30.
pub struct Admin;

impl<O> EnsureOrigin<O> for Admin
where
	O: Into<Result<RawOrigin<AccountId>, O>> + From<RawOrigin<AccountId>> + Clone,
{
	type Success = InstitutionId;

	fn try_origin(o: O) -> Result<InstitutionId, O> {
		match o.clone().into() {
			Ok(RawOrigin::Signed(who)) if [10, 20, 30].contains(&who) => {
				Ok((who / 10) as InstitutionId)
			}
			_ => Err(o),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		Ok(O::from(RawOrigin::Signed(10)))
	}
}

impl Config for Test {
	type Keys = Keys;
	type AdminOrigin = Admin;
	type Time = Clock;
	type MaxCertificates = ConstU32<8>;
	type MaxRanges = ConstU32<8>;
	type MaxLegalBasisLen = ConstU32<64>;
	type MaxGrantSeconds = ConstU64<{ 365 * 86_400 }>;
	type MaxReceipts = ConstU32<3>;
	type MaxAttestations = ConstU32<3>;
	type MaxGrantsPerErasure = ConstU32<4>;
	type MaxEndpointLen = ConstU32<64>;
	type WeightInfo = ();
}

/// Externalities with the genesis domains, a clock at 2027-01-15 and no published keys;
/// every pallet's `try_state` after each test.
pub struct ExtBuilder;

impl ExtBuilder {
	/// Runs `test`, then every pallet's invariants.
	pub fn build_and_execute(test: impl FnOnce()) {
		set_now(1_800_000_000);
		KEYS.with(|keys| keys.borrow_mut().clear());
		MockExt::<Test>::default().build_and_execute(test);
	}

	/// Externalities for the benchmarks' test suite.
	#[cfg(feature = "runtime-benchmarks")]
	pub fn build() -> sp_io::TestExternalities {
		set_now(1_800_000_000);
		MockExt::<Test>::default().build()
	}
}
