//! A test runtime for the certificates pallet, with the data sources pallet it builds on.

use frame_support::{
	derive_impl,
	traits::{ConstU32, EnsureOrigin},
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

use crate::{self as pallet_certificates, *};
use pallet_data_sources::{GenesisDomain, InstitutionId};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type DataSources = pallet_data_sources;

	#[runtime::pallet_index(2)]
	pub type Certificates = pallet_certificates;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
}

/// Accounts 10-19 belong to institution 1, 20-29 to institution 2; others to none (as
/// `pallet-consortium` would say for accounts of active institutions).
pub struct Member;
impl EnsureOrigin<RuntimeOrigin> for Member {
	type Success = InstitutionId;

	fn try_origin(o: RuntimeOrigin) -> Result<InstitutionId, RuntimeOrigin> {
		match o.clone().into() {
			Ok(frame_system::RawOrigin::Signed(who)) if (10..30).contains(&who) => {
				Ok((who / 10) as InstitutionId)
			}
			_ => Err(o),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		Ok(RuntimeOrigin::signed(10))
	}
}

impl pallet_data_sources::Config for Test {
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type InstitutionOrigin = Member;
	type MaxCodeLen = ConstU32<32>;
	type MaxNameLen = ConstU32<64>;
	type MaxDescriptionLen = ConstU32<128>;
	type MaxLocatorLen = ConstU32<64>;
	type MaxDomains = ConstU32<12>;
	type MaxSharedData = ConstU32<4>;
	type MaxDomainsPerSource = ConstU32<3>;
	type MaxSourcesPerInstitution = ConstU32<3>;
	type MaxResourcesPerSource = ConstU32<3>;
	type MaxOperations = ConstU32<4>;
	type MaxVersions = ConstU32<3>;
	type MaxItemsPerVersion = ConstU32<6>;
	type WeightInfo = ();
}

impl Config for Test {
	type MaxLeaves = frame_support::traits::ConstU64<{ 1 << 20 }>;
	type WeightInfo = ();
}

/// Genesis: the domains `OUTPATIENT` and `LAB` in scope, `RESEARCH` out of scope.
pub struct ExtBuilder {
	domains: bool,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { domains: true }
	}
}

impl ExtBuilder {
	/// No domains at genesis (for benchmarks, which add their own).
	#[cfg(feature = "runtime-benchmarks")]
	pub fn empty() -> sp_io::TestExternalities {
		Self { domains: false }.build()
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let domain = |code: &str, name: &str, in_scope: bool| GenesisDomain {
			code: code.into(),
			name: name.into(),
			description: format!("{name}业务"),
			shared_data: vec!["patient".into(), "diagnosis".into()],
			in_scope,
		};
		let domains = if self.domains {
			vec![
				domain("OUTPATIENT", "门诊", true),
				domain("LAB", "检验", true),
				domain("RESEARCH", "科研", false),
			]
		} else {
			vec![]
		};
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			data_sources: pallet_data_sources::GenesisConfig {
				domains,
				_config: Default::default(),
			},
		}
		.build_storage()
		.expect("a valid genesis");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			DataSources::do_try_state().expect("data sources' invariants hold after the test");
			Certificates::do_try_state().expect("invariants hold after the test");
		});
	}
}
