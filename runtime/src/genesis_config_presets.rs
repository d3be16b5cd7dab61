//! Genesis presets: the only source of MedTrust chain specs.
//!
//! - `dev`: one institution (a test hospital, admin and validator Alice; Bob and Charlie its
//!   members), for a single node started with `--dev`. Alice is also the sudo key, a shortcut
//!   for development only.
//! - `local`: the local consortium of four institutions, one validator each (the session keys
//!   of Alice, Bob, Charlie and Dave), governed by their admins' majority, no sudo key. Their
//!   nodes' peer ids are those of the test node keys in `chain-specs/local-node-keys/`.
//!
//! The node builds `--dev` and `--chain local` from these; `chain-specs/local.json` is generated
//! from `local` by `scripts/chain-spec.sh`.

use alloc::{string::String, vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_consortium::{GenesisInstitution, InstitutionKind};
use pallet_data_sources::GenesisDomain;
use serde_json::Value;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{
	AccountId, Balance, BalancesConfig, ConsortiumConfig, DataSourcesConfig, RuntimeGenesisConfig,
	SessionConfig, SessionKeys, SudoConfig, UNIT,
};

/// What each development account holds: enough to exist; there are no fees.
const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// A founding institution whose admin and validator is a development key.
struct Founder {
	name: &'static str,
	credit_code: &'static str,
	region: &'static str,
	kind: InstitutionKind,
	key: (Sr25519Keyring, Ed25519Keyring),
	/// The libp2p peer id of its node, hex-encoded multihash.
	peer_id: &'static str,
	members: Vec<Sr25519Keyring>,
}

impl Founder {
	fn account(&self) -> AccountId {
		self.key.0.to_account_id()
	}

	fn institution(&self) -> GenesisInstitution<AccountId> {
		GenesisInstitution {
			name: String::from(self.name),
			credit_code: String::from(self.credit_code),
			region: String::from(self.region),
			kind: self.kind,
			admin: self.account(),
			validator: self.account(),
			peer_id: hex_bytes(self.peer_id),
			members: self.members.iter().map(|k| k.to_account_id()).collect(),
		}
	}

	fn session_keys(&self) -> (AccountId, AccountId, SessionKeys) {
		let keys =
			SessionKeys { aura: self.key.0.public().into(), grandpa: self.key.1.public().into() };
		(self.account(), self.account(), keys)
	}
}

/// Decodes a hex constant of this file (checked by the runtime tests).
fn hex_bytes(hex: &str) -> Vec<u8> {
	(0..hex.len())
		.step_by(2)
		.filter_map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
		.collect()
}

/// The business domains every preset starts with: (code, name, description, shared data
/// domains, in scope). Physical examination starts out of scope: the consortium decides.
const DOMAINS: [(&str, &str, &str, &[&str], bool); 10] = [
	(
		"OUTPATIENT",
		"门诊",
		"门诊挂号、就诊、诊断与处置",
		&["patient", "visit", "diagnosis", "order"],
		true,
	),
	(
		"INPATIENT",
		"住院",
		"入院、病程、医嘱、护理与出院",
		&["patient", "visit", "diagnosis", "order", "vital-signs"],
		true,
	),
	(
		"EMERGENCY",
		"急诊",
		"急诊分诊、抢救与留观",
		&["patient", "visit", "diagnosis", "vital-signs"],
		true,
	),
	("LABORATORY", "检验", "检验申请、标本、结果与报告", &["patient", "order", "lab-result"], true),
	(
		"IMAGING",
		"影像",
		"影像检查申请、图像与诊断报告",
		&["patient", "order", "imaging-report"],
		true,
	),
	(
		"PHARMACY",
		"药事与处方",
		"处方开具、审核、调配与发药",
		&["patient", "prescription", "medication"],
		true,
	),
	(
		"REFERRAL",
		"转诊",
		"上下转诊与远程会诊",
		&["patient", "visit", "diagnosis", "referral"],
		true,
	),
	(
		"INSURANCE_CLAIMS",
		"医保结算",
		"医疗保障费用明细与结算清单",
		&["patient", "visit", "diagnosis", "cost", "claim"],
		true,
	),
	(
		"PUBLIC_HEALTH",
		"公共卫生报告",
		"传染病、慢病与死因监测报告",
		&["patient", "diagnosis", "disease-report"],
		true,
	),
	(
		"PHYSICAL_EXAM",
		"健康体检",
		"健康体检项目、结果与总检报告",
		&["patient", "lab-result", "exam-report"],
		false,
	),
];

fn domains() -> Vec<GenesisDomain> {
	DOMAINS
		.iter()
		.map(|(code, name, description, shared, in_scope)| GenesisDomain {
			code: String::from(*code),
			name: String::from(*name),
			description: String::from(*description),
			shared_data: shared.iter().map(|d| String::from(*d)).collect(),
			in_scope: *in_scope,
		})
		.collect()
}

fn genesis(founders: Vec<Founder>, min_validators: u32, sudo: Option<AccountId>) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: Sr25519Keyring::iter()
				.filter(|k| !matches!(k, Sr25519Keyring::One | Sr25519Keyring::Two))
				.map(|k| (k.to_account_id(), ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: founders.iter().map(Founder::session_keys).collect::<Vec<_>>(),
		},
		consortium: ConsortiumConfig {
			institutions: founders.iter().map(Founder::institution).collect::<Vec<_>>(),
			min_validators,
		},
		data_sources: DataSourcesConfig { domains: domains() },
		sudo: SudoConfig { key: sudo },
	})
}

/// `dev`: a single test hospital validating with Alice's keys.
pub fn development_genesis() -> Value {
	genesis(
		vec![Founder {
			name: "MedTrust 开发测试医院",
			credit_code: "12110105MB00000019",
			region: "110105",
			kind: InstitutionKind::Hospital,
			key: (Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			// A dev chain runs one node: this test peer id (of node 4 of the local consortium)
			// only has to be well formed.
			peer_id: "002408011220cba54124d1b78753d7aa48ff3778c9ed58e9f6eabf4070504456a3583ce370c4",
			members: vec![Sr25519Keyring::Bob, Sr25519Keyring::Charlie],
		}],
		1,
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// `local`: four institutions, four validators; GRANDPA needs three of them online, so no
/// governance decision may leave fewer than four active.
pub fn local_genesis() -> Value {
	genesis(
		vec![
			Founder {
				name: "北京协和医院",
				credit_code: "121000004000003011",
				region: "110101",
				kind: InstitutionKind::Hospital,
				key: (Sr25519Keyring::Alice, Ed25519Keyring::Alice),
				peer_id:
					"0024080112208d62bc58923bce68522cad764c693ae4e3ba33efae383e78aba70383de36bf9b",
				members: vec![Sr25519Keyring::Eve],
			},
			Founder {
				name: "上海交通大学医学院附属瑞金医院",
				credit_code: "123100004250005125",
				region: "310101",
				kind: InstitutionKind::Hospital,
				key: (Sr25519Keyring::Bob, Ed25519Keyring::Bob),
				peer_id:
					"002408011220cf4a671392dd0e423ada604263658b9c18f03b941788d41cc4fb442121b67401",
				members: vec![],
			},
			Founder {
				name: "广州金域医学检验中心",
				credit_code: "91440101MA5CXN2K7P",
				region: "440112",
				kind: InstitutionKind::Lab,
				key: (Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
				peer_id:
					"0024080112208845cc30819e136b6f722c9778764a96f0a121bb040379d996de101b2407e77c",
				members: vec![],
			},
			Founder {
				name: "北京市卫生健康委员会",
				credit_code: "11110000000021135M",
				region: "110102",
				kind: InstitutionKind::HealthCommission,
				key: (Sr25519Keyring::Dave, Ed25519Keyring::Dave),
				peer_id:
					"002408011220cba54124d1b78753d7aa48ff3778c9ed58e9f6eabf4070504456a3583ce370c4",
				members: vec![],
			},
		],
		4,
		None,
	)
}

/// The JSON patch of a named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_genesis(),
		_ => return None,
	};
	// Serialising a `serde_json::Value` cannot fail: it holds no non-string map keys.
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)]
}
