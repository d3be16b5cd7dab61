//! A test runtime for the data sources pallet, and what the test runtimes of the pallets built
//! on it share (feature `mock`): the [`Member`] origin, the catalog's test [`Config`] values
//! ([`impl_mock_config!`](crate::impl_mock_config)), the genesis domains and an
//! [`MockExt`] that runs every pallet's `try_state` after each test.

use frame_support::traits::EnsureOrigin;
use frame_system::RawOrigin;
use sp_runtime::{BuildStorage, TryRuntimeError};

use crate::{GenesisDomain, InstitutionId};

/// The account type of the test runtimes ([`medtrust_primitives::test_runtime!`]).
pub type AccountId = u64;

/// Accounts 10-19 belong to institution 1, 20-29 to institution 2, 30-39 to institution 3;
/// others to none (as
/// `pallet-consortium` would say for accounts of active institutions).
pub struct Member;

impl<O> EnsureOrigin<O> for Member
where
	O: Into<Result<RawOrigin<AccountId>, O>> + From<RawOrigin<AccountId>> + Clone,
{
	type Success = InstitutionId;

	fn try_origin(o: O) -> Result<InstitutionId, O> {
		match o.clone().into() {
			Ok(RawOrigin::Signed(who)) if (10..40).contains(&who) => {
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

/// Implements [`crate::Config`] for a test runtime with the catalog's test limits (its
/// institutions given by [`Member`], governance by root) and [`MockRuntime`]: genesis from
/// the domains, and `try_state` of the data sources pallet and of each pallet named after
/// the runtime (`impl_mock_config!(Test, FieldMapping)`).
#[macro_export]
macro_rules! impl_mock_config {
	($runtime:ty $(, $pallet:ident)* $(,)?) => {
		impl $crate::Config for $runtime {
			type GovernanceOrigin = frame_system::EnsureRoot<$crate::mock::AccountId>;
			type InstitutionOrigin = $crate::mock::Member;
			type MaxCodeLen = frame_support::traits::ConstU32<32>;
			type MaxNameLen = frame_support::traits::ConstU32<64>;
			type MaxDescriptionLen = frame_support::traits::ConstU32<128>;
			type MaxLocatorLen = frame_support::traits::ConstU32<64>;
			type MaxDomains = frame_support::traits::ConstU32<12>;
			type MaxSharedData = frame_support::traits::ConstU32<4>;
			type MaxDomainsPerSource = frame_support::traits::ConstU32<3>;
			type MaxSourcesPerInstitution = frame_support::traits::ConstU32<3>;
			type MaxResourcesPerSource = frame_support::traits::ConstU32<3>;
			type MaxOperations = frame_support::traits::ConstU32<4>;
			type MaxVersions = frame_support::traits::ConstU32<3>;
			type MaxItemsPerVersion = frame_support::traits::ConstU32<100>;
			type WeightInfo = ();
		}

		impl $crate::mock::MockRuntime for $runtime {
			fn genesis(
				domains: Vec<$crate::GenesisDomain>,
			) -> impl sp_runtime::BuildStorage {
				RuntimeGenesisConfig {
					system: Default::default(),
					data_sources: $crate::GenesisConfig { domains, _config: Default::default() },
				}
			}

			fn try_state() -> Result<(), sp_runtime::TryRuntimeError> {
				DataSources::do_try_state()?;
				$($pallet::do_try_state()?;)*
				Ok(())
			}
		}
	};
}

/// Text for a call argument or a stored field, within its bound.
pub fn text<S: frame_support::traits::Get<u32>>(
	text: &str,
) -> medtrust_primitives::text::BoundedText<S> {
	text.try_into().expect("within the bound")
}

/// The genesis domains of the test runtimes: `OUTPATIENT` and `LAB` in scope, `RESEARCH` out.
pub fn genesis_domains() -> Vec<GenesisDomain> {
	let domain = |code: &str, name: &str, in_scope: bool| GenesisDomain {
		code: code.into(),
		name: name.into(),
		description: format!("{name}业务"),
		shared_data: vec!["patient".into(), "diagnosis".into()],
		in_scope,
	};
	vec![
		domain("OUTPATIENT", "门诊", true),
		domain("LAB", "检验", true),
		domain("RESEARCH", "科研", false),
	]
}

/// A test runtime with the data sources pallet: its genesis from the domains, and the
/// `try_state` checks of every pallet it tests.
pub trait MockRuntime: frame_system::Config {
	/// The runtime's genesis with these business domains.
	fn genesis(domains: Vec<GenesisDomain>) -> impl BuildStorage;
	/// Every tested pallet's invariants.
	fn try_state() -> Result<(), TryRuntimeError>;
}

/// Test externalities: the genesis domains (or none), block 1; `try_state` after each test.
pub struct MockExt<R> {
	domains: bool,
	_runtime: core::marker::PhantomData<R>,
}

impl<R> Default for MockExt<R> {
	fn default() -> Self {
		Self { domains: true, _runtime: Default::default() }
	}
}

impl<R: MockRuntime> MockExt<R> {
	/// No domains at genesis (for benchmarks, which add their own).
	pub fn empty() -> sp_io::TestExternalities {
		Self { domains: false, _runtime: Default::default() }.build()
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let domains = if self.domains { genesis_domains() } else { vec![] };
		let storage = R::genesis(domains).build_storage().expect("a valid genesis");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| frame_system::Pallet::<R>::set_block_number(1u32.into()));
		ext
	}

	/// Runs `test`, then checks the invariants of every pallet of the runtime.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			R::try_state().expect("invariants hold after the test");
		});
	}
}

#[cfg(test)]
pub use self::test_runtime::*;

#[cfg(test)]
mod test_runtime {
	use super::*;
	use crate as pallet_data_sources;

	medtrust_primitives::test_runtime!(1 => DataSources = pallet_data_sources);
	crate::impl_mock_config!(Test);

	/// Externalities of this test runtime.
	pub type ExtBuilder = MockExt<Test>;
}
