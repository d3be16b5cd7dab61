//! A test runtime for the consortium pallet.

use core::cell::RefCell;
use std::collections::BTreeSet;

use frame_support::{
	parameter_types,
	traits::{ChangeMembers, ConstU32},
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

use crate::{self as pallet_consortium, *};

medtrust_primitives::test_runtime!(1 => Consortium = pallet_consortium);

thread_local! {
	/// The voters, as the governance pallet would see them.
	pub static VOTERS: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
	/// Accounts with session keys.
	pub static KEYS: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
}

/// Records the voters the pallet hands over.
pub struct Voters;
impl ChangeMembers<AccountId> for Voters {
	fn change_members_sorted(_incoming: &[AccountId], _outgoing: &[AccountId], new: &[AccountId]) {
		VOTERS.with(|v| *v.borrow_mut() = new.to_vec());
	}
}

pub fn voters() -> Vec<AccountId> {
	VOTERS.with(|v| v.borrow().clone())
}

/// Session keys, as `pallet_session` would know them.
pub struct Keys;
impl HasSessionKeys<AccountId> for Keys {
	fn has_session_keys(who: &AccountId) -> bool {
		KEYS.with(|k| k.borrow().contains(who))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn give_keys_for_benchmark(who: &AccountId) {
		give_keys(*who);
	}
}

pub fn give_keys(who: AccountId) {
	KEYS.with(|k| k.borrow_mut().insert(who));
}

parameter_types! {
	pub const MaxInstitutions: u32 = 8;
}

frame_support::ord_parameter_types! {
	/// Stands for a supermajority of the council.
	pub const Supermajority: AccountId = 99;
}

impl Config for Test {
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type SupermajorityOrigin = frame_system::EnsureSignedBy<Supermajority, AccountId>;
	type RootCall = RuntimeCall;
	type MembershipChanged = Voters;
	type SessionKeys = Keys;
	type MaxInstitutions = MaxInstitutions;
	type MaxMembers = ConstU32<4>;
	type MaxNameLen = ConstU32<64>;
	type MaxPeerIdLen = ConstU32<64>;
	type MaxKeyVersions = ConstU32<3>;
	type WeightInfo = ();
}

/// A valid credit code ending in `serial` (0-9), with its check character.
pub fn credit_code(serial: u8) -> CreditCode {
	let mut first: [u8; 17] = *b"12110000400000910";
	first[16] = b'0' + serial;
	let check = CreditCode::check_character(&first).expect("alphabet characters");
	let mut code = [0u8; 18];
	code[..17].copy_from_slice(&first);
	code[17] = check;
	CreditCode(code)
}

/// An admission for an institution with admin `admin`, validator `admin + 100`.
pub fn admission(serial: u8, name: &str, admin: AccountId) -> AdmissionOf<Test> {
	Admission {
		name: name.as_bytes().to_vec().try_into().expect("short name"),
		credit_code: credit_code(serial),
		region: RegionCode(*b"110105"),
		kind: InstitutionKind::Hospital,
		admin,
		validator: admin + 100,
		peer_id: peer(serial),
		encryption_key: None,
	}
}

/// A well-formed peer id, one for each `serial`.
pub fn peer(serial: u8) -> frame_support::BoundedVec<u8, ConstU32<64>> {
	medtrust_primitives::peer_id::ed25519_peer_id([serial; 32])
		.to_vec()
		.try_into()
		.expect("38 bytes fit")
}

/// Genesis: four institutions (ids 0-3), admins 1-4, validators 101-104 with session keys,
/// institution 0 with an extra member 11; minimum of validators 3.
pub struct ExtBuilder {
	institutions: u8,
	min_validators: u32,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { institutions: 4, min_validators: 3 }
	}
}

impl ExtBuilder {
	/// A consortium without institutions (for benchmarks, which admit their own).
	#[cfg(feature = "runtime-benchmarks")]
	pub fn empty() -> sp_io::TestExternalities {
		Self { institutions: 0, min_validators: 0 }.build()
	}

	pub fn min_validators(mut self, min: u32) -> Self {
		self.min_validators = min;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let names =
			["北京协和医院", "上海市第一人民医院", "金域医学检验中心", "北京市卫生健康委员会"];
		let institutions = (0..self.institutions)
			.map(|i| {
				let a = admission(i, names[i as usize % 4], u64::from(i) + 1);
				GenesisInstitution {
					name: names[i as usize % 4].into(),
					credit_code: String::from_utf8(a.credit_code.0.to_vec()).expect("ASCII"),
					region: "110105".into(),
					kind: a.kind,
					admin: a.admin,
					validator: a.validator,
					peer_id: a.peer_id.into_inner(),
					members: if i == 0 { vec![11] } else { vec![] },
				}
			})
			.collect();
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			consortium: pallet_consortium::GenesisConfig {
				institutions,
				min_validators: self.min_validators,
			},
		}
		.build_storage()
		.expect("a valid genesis");
		KEYS.with(|k| *k.borrow_mut() = (101..=104).collect());
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Consortium::do_try_state().expect("invariants hold after the test");
		});
	}
}
