//! `founding init`: one institution's keys, created on its own machine.

use std::path::{Path, PathBuf};

use sc_keystore::LocalKeystore;
use sc_network::config::{NodeKeyConfig, Secret};
use sp_core::{
	crypto::{key_types, AccountId32},
	sr25519, Pair as _,
};
use sp_keystore::Keystore as _;
use zeroize::Zeroizing;

use super::{
	error, private_dir, ss58, write_private, write_public, Identity, InstitutionFile,
	SessionKeysFile, ADMIN_KEY_FILE, INSTITUTION_FILE, INSTITUTION_FORMAT, KEYSTORE_DIR,
	NETWORK_KEY_FILE,
};

/// Creates one institution's keys under `--base-path`: its admin account (the secret phrase in
/// `admin.key`, for `medtrust --signer`), its Aura (sr25519) and GRANDPA (ed25519) keys in the
/// node's keystore (`keystore/`), its network key (`network/secret_ed25519`), all readable by
/// their owner only; then writes `institution.json` with the public parts, for `founding spec`.
/// A base path that already holds this institution (same name, code, kind, region and address)
/// is left as it is and its institution.json printed again; one holding another institution is
/// refused: keys are never overwritten.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  \
	medtrust-node founding init --name 北京协和医院 --credit-code 121000004000003011 \\\n    \
	--kind hospital --region 110101 --base-path /var/lib/medtrust")]
pub struct InitCmd {
	/// The institution's name.
	#[arg(long)]
	name: String,
	/// Its unified social credit code (统一社会信用代码), 18 characters.
	#[arg(long)]
	credit_code: String,
	/// What kind of organisation it is: hospital, lab, health-commission, research-institute,
	/// insurer or other.
	#[arg(long)]
	kind: String,
	/// Its administrative division, a six-digit code (e.g. 110101).
	#[arg(long)]
	region: String,
	/// The node's base path: the keys go here, and the node started with this base path uses
	/// them.
	#[arg(long)]
	base_path: PathBuf,
	/// Where the other institutions' nodes will reach this one, as a multiaddr without peer id
	/// (`/dns/node.example.org/tcp/30333`, `/ip4/10.1.2.3/tcp/30333`): the chain spec then
	/// names it as a bootnode.
	#[arg(long, value_name = "MULTIADDR")]
	public_addr: Option<String>,
}

impl InitCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		let identity = Identity::parse(&self.name, &self.credit_code, &self.kind, &self.region)
			.map_err(error)?;
		if let Some(address) = &self.public_addr {
			super::check_address(address).map_err(|e| error(format!("--public-addr {e}")))?;
		}
		if let Some(file) = existing(&self.base_path, &identity, &self.public_addr)? {
			println!("{}", serde_json::to_string_pretty(&file).unwrap_or_default());
			eprintln!(
				"{} already holds the keys of {}: nothing changed",
				self.base_path.display(),
				file.name
			);
			return Ok(());
		}
		let file = create_keys(&self.base_path, identity, self.public_addr.clone())?;
		let json = serde_json::to_string_pretty(&file)
			.map_err(|e| error(format!("cannot write the institution's JSON: {e}")))?;
		println!("{json}");
		eprintln!(
			"Keys of {} created under {} (readable by you only): keep admin.key, keystore/ and \
			 network/ secret and backed up. Send {} to the founder who builds the chain spec.",
			file.name,
			self.base_path.display(),
			self.base_path.join(INSTITUTION_FILE).display()
		);
		Ok(())
	}
}

/// The institution `base` holds already, if it is this one with all its keys; `None` if `base`
/// holds no institution.
fn existing(
	base: &Path,
	identity: &Identity,
	address: &Option<String>,
) -> sc_cli::Result<Option<InstitutionFile>> {
	let path = base.join(INSTITUTION_FILE);
	if !path.exists() {
		return Ok(None);
	}
	let text = std::fs::read_to_string(&path)
		.map_err(|e| error(format!("cannot read {}: {e}", path.display())))?;
	let file: InstitutionFile = serde_json::from_str(&text)
		.map_err(|e| error(format!("{} is not an institution.json: {e}", path.display())))?;
	let same = file.name == identity.name
		&& file.credit_code == identity.credit_code
		&& file.kind == medtrust_primitives::wire::WireName::wire_name(identity.kind)
		&& file.region == identity.region
		&& file.address == *address;
	let complete = [ADMIN_KEY_FILE, KEYSTORE_DIR, NETWORK_KEY_FILE]
		.iter()
		.all(|name| base.join(name).exists());
	if same && complete {
		return Ok(Some(file));
	}
	Err(error(format!(
		"{} already holds the keys of {} ({}), which founding never overwrites; choose another \
		 --base-path",
		base.display(),
		file.name,
		file.credit_code
	)))
}

/// Creates the keys and `institution.json` under `base`; refuses a base path already used.
pub fn create_keys(
	base: &Path,
	identity: Identity,
	address: Option<String>,
) -> sc_cli::Result<InstitutionFile> {
	for existing in [INSTITUTION_FILE, ADMIN_KEY_FILE, KEYSTORE_DIR, NETWORK_KEY_FILE] {
		if base.join(existing).exists() {
			return Err(error(format!(
				"{} already exists: {} already holds an institution's keys, which founding never \
				 overwrites; choose another --base-path",
				base.join(existing).display(),
				base.display()
			)));
		}
	}
	let io = |what: &str, path: &Path| {
		let what = format!("{what} {}", path.display());
		move |e: std::io::Error| error(format!("cannot create {what}: {e}"))
	};
	private_dir(base).map_err(io("the base path", base))?;
	// A base path that existed before (a container's volume, a package's directory) is made
	// private too.
	std::fs::set_permissions(base, std::os::unix::fs::PermissionsExt::from_mode(0o700))
		.map_err(io("the base path", base))?;
	let network_dir = base.join(NETWORK_KEY_FILE);
	let network_dir = network_dir.parent().unwrap_or(base);
	private_dir(network_dir).map_err(io("the directory", network_dir))?;
	let keystore_dir = base.join(KEYSTORE_DIR);
	private_dir(&keystore_dir).map_err(io("the keystore", &keystore_dir))?;

	let (admin, phrase, _) = sr25519::Pair::generate_with_phrase(None);
	let phrase = Zeroizing::new(phrase);
	let admin_file = base.join(ADMIN_KEY_FILE);
	write_private(&admin_file, Zeroizing::new(format!("{}\n", *phrase)).as_bytes())
		.map_err(io("the admin key", &admin_file))?;
	let admin = AccountId32::from(admin.public());

	let keystore = LocalKeystore::open(&keystore_dir, None)
		.map_err(|e| error(format!("cannot open the keystore {}: {e}", keystore_dir.display())))?;
	let aura = keystore
		.sr25519_generate_new(key_types::AURA, None)
		.map_err(|e| error(format!("cannot create the Aura key: {e}")))?;
	let grandpa = keystore
		.ed25519_generate_new(key_types::GRANDPA, None)
		.map_err(|e| error(format!("cannot create the GRANDPA key: {e}")))?;

	let network_key = base.join(NETWORK_KEY_FILE);
	let peer_id = NodeKeyConfig::Ed25519(Secret::File(network_key.clone()))
		.into_keypair()
		.map_err(io("the network key", &network_key))?
		.public()
		.to_peer_id();

	let file = InstitutionFile {
		format: INSTITUTION_FORMAT.into(),
		name: identity.name,
		credit_code: identity.credit_code,
		kind: medtrust_primitives::wire::WireName::wire_name(identity.kind).into(),
		region: identity.region,
		admin: ss58(&admin),
		session_keys: SessionKeysFile {
			aura: format!("0x{}", hex::encode(aura.0)),
			grandpa: format!("0x{}", hex::encode(grandpa.0)),
		},
		peer_id: peer_id.to_base58(),
		address,
	};
	let json = serde_json::to_vec_pretty(&file)
		.map_err(|e| error(format!("cannot write the institution's JSON: {e}")))?;
	let path = base.join(INSTITUTION_FILE);
	write_public(&path, &json).map_err(io("", &path))?;
	Ok(file)
}
