//! Genesis presets: the only source of MedTrust chain specs.
//!
//! - `dev`: one validator (Alice), for a single node started with `--dev`;
//! - `local`: a consortium of four validators (Alice, Bob, Charlie, Dave) on one machine or LAN.
//!
//! The node builds `--dev` and `--chain local` from these; `chain-specs/local.json` is generated
//! from `local` by `scripts/chain-spec.sh`.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{AccountId, Balance, BalancesConfig, RuntimeGenesisConfig, SudoConfig, UNIT};

/// What each pre-funded account holds: enough to exist, there are no fees.
const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// One validator's keys.
struct Validator {
	aura: AuraId,
	grandpa: GrandpaId,
}

impl Validator {
	fn dev(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Self {
		Self { aura: sr.public().into(), grandpa: ed.public().into() }
	}
}

fn genesis(validators: Vec<Validator>, endowed: Vec<AccountId>, root: AccountId) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|account| (account, ENDOWMENT)).collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: validators.iter().map(|v| v.aura.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: validators.iter().map(|v| (v.grandpa.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

/// The well-known development accounts that are funded on both presets.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| !matches!(k, Sr25519Keyring::One | Sr25519Keyring::Two))
		.map(|k| k.to_account_id())
		.collect()
}

/// `dev`: a single validator, Alice.
pub fn development_genesis() -> Value {
	genesis(
		vec![Validator::dev(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `local`: four validators, one per institution of the local consortium.
pub fn local_genesis() -> Value {
	genesis(
		vec![
			Validator::dev(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			Validator::dev(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			Validator::dev(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			Validator::dev(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
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
