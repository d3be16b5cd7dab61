//! Well-known development keys are trusted on development chains only.
//!
//! A node refuses to start on any other chain while its genesis names a well-known key
//! (Alice's admin account, Bob's Aura key, a committed test node key, …) or it would use one
//! itself (`--alice`, a dev key in its keystore, a test node key), because everybody holds
//! their secrets: such a chain can be governed, authored and finalized by anyone. The local
//! test network runs on them with an explicit `--allow-dev-keys`.

use medtrust_primitives::dev_keys;
use medtrust_runtime::opaque::Block;
use pallet_consortium_runtime_api::ConsortiumApi as _;
use sc_network::config::{NodeKeyConfig, Secret};
use sc_service::{error::Error as ServiceError, ChainType, Configuration};
use sp_api::ProvideRuntimeApi as _;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::GrandpaApi as _;
use sp_core::crypto::key_types;
use sp_keystore::KeystorePtr;

use crate::service::FullClient;

/// Whether a chain id is reserved for development chains: `medtrust_dev` (`--dev`) and
/// `dev-*`.
pub fn is_development_id(id: &str) -> bool {
	id == "medtrust_dev" || id.starts_with("dev-")
}

/// Whether the chain is a development chain: a development chain type and a development id.
pub fn is_development(config: &Configuration) -> bool {
	config.chain_spec.chain_type() == ChainType::Development
		&& is_development_id(config.chain_spec.id())
}

/// Refuses to run a chain other than a development chain on well-known keys, unless `allow`.
pub fn check(
	config: &Configuration,
	client: &FullClient,
	keystore: &KeystorePtr,
	allow: bool,
) -> Result<(), ServiceError> {
	if is_development(config) {
		return Ok(());
	}
	let mut found = in_genesis(client)?;
	found.extend(held(config, keystore));
	if found.is_empty() {
		return Ok(());
	}
	found.dedup();
	let shown = found.iter().take(6).cloned().collect::<Vec<_>>().join("; ");
	if allow {
		log::warn!(
			"⚠️  chain {} runs on well-known development keys ({shown}): anyone can govern, author \
			 and finalize it. Allowed by --allow-dev-keys: a test network only.",
			config.chain_spec.id()
		);
		return Ok(());
	}
	Err(ServiceError::Other(format!(
		"refusing to run chain {}: it is no development chain, and it relies on well-known \
		 development keys whose secrets everybody holds ({shown}{}). Found a consortium on the \
		 institutions' own keys (`medtrust-node founding init`, then `founding spec`), or pass \
		 --allow-dev-keys to run a test network such as `local`.",
		config.chain_spec.id(),
		if found.len() > 6 { format!(", and {} more", found.len() - 6) } else { String::new() }
	)))
}

/// The well-known keys the chain names: authorities, admins, validators, members and peer ids
/// of the institutions, read in the genesis block's state, or in the finalized block's once the
/// genesis state is pruned (a node restarted on an old database).
fn in_genesis(client: &FullClient) -> Result<Vec<String>, ServiceError> {
	use sc_client_api::HeaderBackend as _;
	let info = client.info();
	named_at(client, info.genesis_hash)
		.or_else(|_| named_at(client, info.finalized_hash))
		.map_err(|e| ServiceError::Other(format!("cannot read the chain's authorities: {e}")))
}

/// The well-known keys named in the state of block `at`.
fn named_at(client: &FullClient, at: sp_core::H256) -> Result<Vec<String>, sp_api::ApiError> {
	let api = client.runtime_api();
	let mut found = Vec::new();
	for key in sp_consensus_aura::AuraApi::<Block, AuraId>::authorities(&*api, at)? {
		if let Some(name) = dev_keys::name_of(key.as_ref()) {
			found.push(format!("{name} is an Aura authority"));
		}
	}
	for (key, _) in api.grandpa_authorities(at)? {
		if let Some(name) = dev_keys::name_of(key.as_ref()) {
			found.push(format!("{name} is a GRANDPA authority"));
		}
	}
	for (id, institution) in api.institutions(at)? {
		let mut accounts = vec![("admin", institution.admin), ("validator", institution.validator)];
		for member in api.members(at, id)? {
			accounts.push(("member", member));
		}
		for (role, account) in accounts {
			if let Some(name) = dev_keys::name_of(account.as_ref()) {
				found.push(format!("{name} is an institution's {role}"));
			}
		}
		if let Some(name) = dev_keys::name_of_peer_id(&institution.peer_id) {
			found.push(format!("{name} is an institution's node"));
		}
	}
	Ok(found)
}

/// The well-known keys this node would use: `--alice` and its like, its keystore's session
/// keys, its network key.
fn held(config: &Configuration, keystore: &KeystorePtr) -> Vec<String> {
	let mut found = Vec::new();
	if let Some(seed) = &config.dev_key_seed {
		found.push(format!("this node is started with the development seed {seed}"));
	}
	for key in keystore.sr25519_public_keys(key_types::AURA) {
		if let Some(name) = dev_keys::name_of_key(&key.0) {
			found.push(format!("this node's keystore holds {name}'s Aura key"));
		}
	}
	for key in keystore.ed25519_public_keys(key_types::GRANDPA) {
		if let Some(name) = dev_keys::name_of_key(&key.0) {
			found.push(format!("this node's keystore holds {name}'s GRANDPA key"));
		}
	}
	let node_key = match &config.network.node_key {
		NodeKeyConfig::Ed25519(Secret::File(path)) if path.exists() => {
			config.network.node_key.clone().into_keypair().ok()
		}
		NodeKeyConfig::Ed25519(Secret::Input(_)) => {
			config.network.node_key.clone().into_keypair().ok()
		}
		_ => None,
	};
	if let Some(name) =
		node_key.and_then(|key| dev_keys::name_of_peer_id(&key.public().to_peer_id().to_bytes()))
	{
		found.push(format!("this node's network key is {name}"));
	}
	found
}
