//! `founding spec`: the raw chain spec of a consortium of the institutions given.

use std::{collections::HashSet, path::PathBuf, str::FromStr as _};

use medtrust_primitives::dev_keys;
use pallet_consortium::GenesisInstitution;
use sc_chain_spec::GenesisConfigBuilderRuntimeCaller;
use sc_network::{config::MultiaddrWithPeerId, PeerId};
use sc_service::ChainType;
use sp_core::{
	crypto::{AccountId32, Ss58Codec as _},
	ed25519, sr25519, H256,
};
use sp_runtime::{
	traits::{BlakeTwo256, Block as _, Hash as _},
	BuildStorage as _,
};

use super::{error, write_public, Identity, InstitutionFile, INSTITUTION_FORMAT};
use crate::chain_spec::{self, ChainSpec};
use medtrust_runtime::time;

/// Builds the raw chain spec of a consortium of the institutions whose `institution.json` files
/// are given: council = their admins, authorities = their session keys, the peer allow-list =
/// their nodes, no sudo key, no endowed account. Prints the genesis hash (`0x` and 64 hex
/// digits), which every founder compares before starting a node on the spec. An existing
/// --out is left alone when it is the same spec, and refused when it is another.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  \
	medtrust-node founding spec --id medtrust_beijing --name '北京医疗数据联盟' \\\n    \
	pumch/institution.json ruijin/institution.json kingmed/institution.json bjwjw/institution.json \\\n    \
	--out beijing.json")]
pub struct SpecCmd {
	/// The chain's id (letters, digits, `_` and `-`); it also names the network protocol and
	/// each node's database directory. `dev-*` ids are reserved for development chains.
	#[arg(long)]
	id: String,
	/// The chain's name, as Polkadot.js shows it.
	#[arg(long)]
	name: String,
	/// The founding institutions' `institution.json` files (from `founding init`).
	#[arg(required = true, value_name = "INSTITUTION_JSON")]
	institutions: Vec<PathBuf>,
	/// Where to write the raw chain spec.
	#[arg(long)]
	out: PathBuf,
	/// How many institutions must stay active (governance may not go below it); by default
	/// all of them, at most 4 (GRANDPA needs more than two thirds of the validators online).
	#[arg(long)]
	min_validators: Option<u32>,
	/// Found on this runtime (a released `medtrust_runtime.compact.compressed.wasm`) rather
	/// than the one built into this node: the consortium then starts on that release and
	/// upgrades by vote.
	#[arg(long, value_name = "WASM")]
	runtime: Option<PathBuf>,
	/// The block time in milliseconds (Aura's slot duration), fixed for the chain's life:
	/// 3000 by default and at most; below 1000 only for test networks that must make tens of
	/// thousands of blocks quickly (periods counted in blocks, such as a motion's seven days,
	/// then pass sooner).
	#[arg(long, value_name = "MS", default_value_t = medtrust_runtime::time::MILLI_SECS_PER_BLOCK)]
	block_time: u64,
}

/// The largest runtime `--runtime` reads (a release is about 0.6 MiB compressed).
const MAX_RUNTIME_BYTES: u64 = 16 << 20;

/// A founding institution read and checked.
struct Founder {
	identity: Identity,
	admin: AccountId32,
	aura: sr25519::Public,
	grandpa: ed25519::Public,
	peer_id: PeerId,
	/// Its node's public address with its peer id, as a bootnode.
	bootnode: Option<MultiaddrWithPeerId>,
}

impl SpecCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		check_id(&self.id)?;
		if self.name.trim().is_empty() {
			return Err(error("--name: the chain needs a name"));
		}
		let founders = self.read_founders()?;
		let count = founders.len() as u32;
		let min_validators = self.min_validators.unwrap_or(count.min(4));
		if min_validators == 0 || min_validators > count {
			return Err(error(format!(
				"--min-validators must be between 1 and the {count} institutions"
			)));
		}
		let wasm = match &self.runtime {
			Some(path) => read_runtime(path)?,
			None => chain_spec::wasm().map_err(error)?.to_vec(),
		};
		let range = time::MIN_SLOT_DURATION..=time::MAX_SLOT_DURATION;
		if !range.contains(&self.block_time) {
			return Err(error(format!(
				"--block-time {}: between {} and {} milliseconds",
				self.block_time,
				range.start(),
				range.end()
			)));
		}
		let mut spec = build(&wasm, &self.id, self.name.trim(), &founders, min_validators)?;
		if self.block_time != time::MILLI_SECS_PER_BLOCK {
			set_block_time(&mut spec, self.block_time)?;
		}
		let raw = spec.as_json(true).map_err(error)?;
		let genesis = genesis_hash(&spec)?;
		match std::fs::read(&self.out) {
			// Built again from the same files: the founders' check, or a provisioning rerun.
			Ok(existing) if existing == raw.as_bytes() => {}
			Ok(_) => {
				return Err(error(format!(
					"{} exists and is another chain spec: nodes may run on it already; write \
					 the new one elsewhere, or remove it first",
					self.out.display()
				)))
			}
			Err(_) => write_public(&self.out, raw.as_bytes())
				.map_err(|e| error(format!("cannot write {}: {e}", self.out.display())))?,
		}
		println!("{genesis:?}");
		eprintln!(
			"Wrote {}: chain {} of {count} institutions, genesis {genesis:?}. Every founder \
			 compares this genesis hash before starting: medtrust-node --chain {} --base-path \
			 <dir> --validator",
			self.out.display(),
			self.id,
			self.out.display()
		);
		Ok(())
	}

	fn read_founders(&self) -> sc_cli::Result<Vec<Founder>> {
		let mut founders = Vec::with_capacity(self.institutions.len());
		let mut seen = HashSet::new();
		for path in &self.institutions {
			let founder =
				read_founder(path).map_err(|why| error(format!("{}: {why}", path.display())))?;
			for (what, key) in [
				("credit code", founder.identity.credit_code.as_bytes().to_vec()),
				("admin account", AsRef::<[u8]>::as_ref(&founder.admin).to_vec()),
				("Aura key", founder.aura.0.to_vec()),
				("GRANDPA key", founder.grandpa.0.to_vec()),
				("peer id", founder.peer_id.to_bytes()),
			] {
				if !seen.insert(key) {
					return Err(error(format!(
						"{}: its {what} is also another institution's: each institution runs \
						 `founding init` once, on its own machine",
						path.display()
					)));
				}
			}
			founders.push(founder);
		}
		Ok(founders)
	}
}

/// A chain id that names directories and the network protocol safely.
fn check_id(id: &str) -> sc_cli::Result<()> {
	let well_formed = !id.is_empty()
		&& id.len() <= 64
		&& id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
	if !well_formed {
		return Err(error(format!(
			"--id `{id}`: 1 to 64 letters, digits, `_` or `-`, as it names directories"
		)));
	}
	if crate::dev_keys::is_development_id(id) {
		return Err(error(format!("--id `{id}`: ids of development chains are reserved")));
	}
	Ok(())
}

/// Reads one `institution.json` and checks every field, refusing well-known development keys.
fn read_founder(path: &std::path::Path) -> Result<Founder, String> {
	let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
	let file: InstitutionFile =
		serde_json::from_str(&text).map_err(|e| format!("not an institution.json: {e}"))?;
	if file.format != INSTITUTION_FORMAT {
		return Err(format!("format `{}`, expected `{INSTITUTION_FORMAT}`", file.format));
	}
	let identity = Identity::parse(&file.name, &file.credit_code, &file.kind, &file.region)?;
	let admin = AccountId32::from_ss58check(&file.admin)
		.map_err(|e| format!("admin `{}` is not an SS58 address: {e:?}", file.admin))?;
	let aura = sr25519::Public::from(key_32(&file.session_keys.aura, "Aura")?);
	let grandpa = ed25519::Public::from(key_32(&file.session_keys.grandpa, "GRANDPA")?);
	let peer_id = PeerId::from_str(&file.peer_id)
		.map_err(|e| format!("peer id `{}` is not a libp2p peer id: {e}", file.peer_id))?;
	let dev = [
		dev_keys::name_of(admin.as_ref()),
		dev_keys::name_of_key(&aura.0),
		dev_keys::name_of_key(&grandpa.0),
		dev_keys::name_of_peer_id(&peer_id.to_bytes()),
	];
	if let Some(name) = dev.into_iter().flatten().next() {
		return Err(format!(
			"it names a well-known development key ({name}), whose secret everybody holds: run \
			 `medtrust-node founding init` for fresh keys"
		));
	}
	let bootnode = match &file.address {
		Some(address) => {
			super::check_address(address)?;
			let full = format!("{}/p2p/{}", address.trim_end_matches('/'), file.peer_id);
			Some(full.parse().map_err(|e| format!("address `{full}`: {e}"))?)
		}
		None => None,
	};
	Ok(Founder { identity, admin, aura, grandpa, peer_id, bootnode })
}

fn key_32(text: &str, what: &str) -> Result<[u8; 32], String> {
	hex::decode(text.trim_start_matches("0x"))
		.ok()
		.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
		.ok_or_else(|| format!("the {what} key `{text}` is not 32 bytes of 0x hex"))
}

/// The chain spec: the runtime's defaults, its business domains (from its `local_testnet`
/// preset) and the founders, as a genesis patch.
fn build(
	wasm: &[u8],
	id: &str,
	name: &str,
	founders: &[Founder],
	min_validators: u32,
) -> sc_cli::Result<ChainSpec> {
	let preset = GenesisConfigBuilderRuntimeCaller::<()>::new(wasm)
		.get_named_preset(Some(&sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET.to_string()))
		.map_err(|e| error(format!("cannot read the runtime's presets: {e}")))?;
	let domains = preset
		.pointer("/dataSources")
		.cloned()
		.ok_or_else(|| error("the runtime's local preset has no business domains"))?;
	let institutions: Vec<GenesisInstitution<AccountId32>> = founders
		.iter()
		.map(|f| GenesisInstitution {
			name: f.identity.name.clone(),
			credit_code: f.identity.credit_code.clone(),
			region: f.identity.region.clone(),
			kind: f.identity.kind,
			admin: f.admin.clone(),
			validator: f.admin.clone(),
			peer_id: f.peer_id.to_bytes(),
			members: Vec::new(),
		})
		.collect();
	let session_keys: Vec<_> = founders
		.iter()
		.map(|f| {
			let keys =
				medtrust_runtime::SessionKeys { aura: f.aura.into(), grandpa: f.grandpa.into() };
			(f.admin.clone(), f.admin.clone(), keys)
		})
		.collect();
	let patch = serde_json::json!({
		"session": { "keys": session_keys },
		"consortium": { "institutions": institutions, "minValidators": min_validators },
		"dataSources": domains,
	});
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id(id)
		.with_chain_type(ChainType::Live)
		.with_properties(chain_spec::properties())
		.with_boot_nodes(founders.iter().filter_map(|f| f.bootnode.clone()).collect())
		.with_genesis_config_patch(patch)
		.build())
}

/// Founds the chain with blocks every `millis` ms: the runtime's `SlotDuration` parameter in
/// the genesis storage (the spec becomes raw).
fn set_block_time(spec: &mut ChainSpec, millis: u64) -> sc_cli::Result<()> {
	use sc_chain_spec::ChainSpec as _;
	let mut storage =
		spec.build_storage().map_err(|e| error(format!("genesis does not build: {e}")))?;
	storage.top.insert(time::SlotDuration::key().to_vec(), codec::Encode::encode(&millis));
	spec.set_storage(storage);
	Ok(())
}

/// A runtime's Wasm from `path`, bounded in size (its presets, read next, say whether it is a
/// MedTrust runtime).
fn read_runtime(path: &std::path::Path) -> sc_cli::Result<Vec<u8>> {
	use std::io::Read as _;
	let file = std::fs::File::open(path)
		.map_err(|e| error(format!("--runtime {}: {e}", path.display())))?;
	let mut wasm = Vec::new();
	file.take(MAX_RUNTIME_BYTES + 1)
		.read_to_end(&mut wasm)
		.map_err(|e| error(format!("--runtime {}: {e}", path.display())))?;
	if wasm.len() as u64 > MAX_RUNTIME_BYTES || wasm.is_empty() {
		return Err(error(format!(
			"--runtime {}: not a runtime (empty or over {} MiB)",
			path.display(),
			MAX_RUNTIME_BYTES >> 20
		)));
	}
	Ok(wasm)
}

/// The hash of the genesis block the spec's genesis storage gives.
fn genesis_hash(spec: &ChainSpec) -> sc_cli::Result<H256> {
	let storage =
		spec.build_storage().map_err(|e| error(format!("genesis does not build: {e}")))?;
	if !storage.children_default.is_empty() {
		return Err(error("a MedTrust genesis has no child tries"));
	}
	let state_version = medtrust_runtime::VERSION.state_version();
	let root = BlakeTwo256::trie_root(storage.top.into_iter().collect(), state_version);
	let block =
		sc_service::construct_genesis_block::<medtrust_runtime::opaque::Block>(root, state_version);
	Ok(block.header().hash())
}
