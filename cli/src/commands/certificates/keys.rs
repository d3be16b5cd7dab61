//! `medtrust keys create|rotate|list` and `medtrust decrypt`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use medtrust_client::{
	certificates::{
		anchor::decrypt as decrypt_record,
		keys::{default_dir, KeyStore},
	},
	files,
};

use crate::{
	context::Context,
	output::{self, KeysView},
};

#[derive(Debug, Args)]
pub struct KeysArgs {
	#[command(subcommand)]
	command: KeysCommand,
	/// The key-encryption key directory.
	#[arg(long, global = true, env = "MEDTRUST_KEYS", default_value_os_t = default_dir())]
	keys: PathBuf,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
	/// Create the first key-encryption key.
	Create,
	/// Add a new version and make it current.
	Rotate,
	/// List the versions and the current one.
	List,
}

#[derive(Debug, Args)]
pub struct DecryptArgs {
	/// The anchoring directory (`anchor --out`).
	dir: PathBuf,
	/// The record's position in the anchored file (1 first).
	#[arg(long)]
	record: u64,
	/// The key-encryption key directory.
	#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = default_dir())]
	keys: PathBuf,
	/// Write the record here instead of standard output.
	#[arg(long)]
	out: Option<PathBuf>,
}

/// Creates, rotates or lists key-encryption keys.
pub fn run(args: KeysArgs, context: &Context) -> anyhow::Result<()> {
	let store = KeyStore::new(args.keys);
	let created = match args.command {
		KeysCommand::Create => Some(store.create(false)?),
		KeysCommand::Rotate => Some(store.create(true)?),
		KeysCommand::List => None,
	};
	context.output.show(&KeysView {
		dir: store.dir().to_path_buf(),
		versions: store.versions()?,
		current: store.current().ok(),
		created,
	})
}

/// Decrypts one anchored record to a file or standard output.
pub fn decrypt(args: DecryptArgs) -> anyhow::Result<()> {
	let plaintext = decrypt_record(&args.dir, args.record, &KeyStore::new(args.keys))?;
	match args.out {
		Some(path) => Ok(files::write_atomic(&path, &plaintext)?),
		None => output::raw(&[plaintext.as_slice(), b"\n"].concat()),
	}
}
