//! `medtrust share …`: sharing records with another institution (跨机构共享): the
//! institution's encryption keys, grants, their receipts and deletion attestations.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use medtrust_client::{
	certificates::keys::default_dir,
	sharing::{
		grant::GrantRequest,
		keys::ShareKeys,
		scope::parse_expiry,
		serve::{serve, ServeOptions},
		Purpose, Side,
	},
};

use crate::{
	context::Context,
	output::{Done, GrantList, KeyPublished, LocalKeyView},
	values::wire,
};

#[derive(Debug, Subcommand)]
pub enum ShareCommand {
	/// The institution's encryption keys (X25519, for HPKE): data shared with it is wrapped
	/// for the key it published last; every version stays on chain, every private key in the
	/// key directory.
	#[command(subcommand)]
	Key(KeyCommand),
	/// Grant records of an anchoring directory to another institution, for a purpose, until
	/// an expiry: all its records, positions (--records) or one data subject's (--subject).
	/// Prints the grant's id.
	Grant(GrantArgs),
	/// List the grants of the signer's institution (default: both sides).
	List {
		/// Only those it granted.
		#[arg(long, conflicts_with = "received")]
		granted: bool,
		/// Only those granted to it.
		#[arg(long)]
		received: bool,
	},
	/// Show a grant with its receipts, deletion attestations and pending erasures.
	Show { grant: u64 },
	/// Revoke a grant of the signer's institution: its records are served no more.
	Revoke { grant: u64 },
	/// Serve the institution's grants (the grantor's share server): ciphertext and wrapped
	/// keys of granted records only, to requests signed by a member of the grantee, checked
	/// against the grant at the finalized block. Plain HTTP: everything on it is ciphertext
	/// or signed (TLS may sit in front).
	Serve {
		/// Where to listen.
		#[arg(long, default_value = "127.0.0.1:7443")]
		listen: std::net::SocketAddr,
		/// The key directory (key-encryption keys and grant records).
		#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = default_dir())]
		keys: PathBuf,
	},
	/// Fetch a grant's records from the grantor's share server: unwrap, decrypt, verify each
	/// against its certificate on chain, write them (in the anchored file's format) and their
	/// portable certificates into a new directory, and record the receipt.
	Fetch {
		grant: u64,
		/// The grantor's share server (default: the endpoint it published).
		#[arg(long)]
		from: Option<String>,
		/// Only these of the grant's records (`1-1000,1500`, positions in the anchored file).
		#[arg(long)]
		records: Option<String>,
		/// A new directory for the records and their certificates.
		#[arg(long)]
		out: PathBuf,
		/// The key directory holding the institution's encryption keys.
		#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = default_dir())]
		keys: PathBuf,
	},
	/// Erase records of an anchoring directory (crypto-shredding): destroy their keys (one
	/// subject's, records by position, or with neither every record), record the erasure on
	/// chain and name the grants whose grantees must attest deletion. Fetches and decryptions
	/// of them fail from now on.
	Erase {
		/// The anchoring directory.
		dir: PathBuf,
		/// The records, by position (`1-1000,1500`); for a run anchored with
		/// `--subject-field`, every record of their subjects goes with them.
		#[arg(long, conflicts_with = "subject")]
		records: Option<String>,
		/// One data subject's records (the raw value of the `--subject-field` column).
		#[arg(long)]
		subject: Option<String>,
		/// The key directory.
		#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = default_dir())]
		keys: PathBuf,
	},
	/// Attest that the signer's institution deleted what it received under a grant (all of
	/// it, or with --erasure the records of an erasure it was told of).
	AttestDeleted {
		grant: u64,
		/// The erasure answered (`share show` lists the pending ones).
		#[arg(long)]
		erasure: Option<u64>,
	},
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
	/// Create a new key pair in the key directory (published by `share key publish`).
	Create(KeyDir),
	/// Publish the newest local key not on chain yet as the institution's next key version
	/// (signer: the institution's admin).
	Publish(KeyDir),
	/// Create a key pair and publish it: grants made from now on are wrapped for it; grants
	/// wrapped for older versions still open with their keys, which stay.
	Rotate(KeyDir),
}

#[derive(Debug, Args)]
pub struct KeyDir {
	/// The key directory.
	#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = default_dir())]
	keys: PathBuf,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
	/// The anchoring directory (`anchor --out`) whose records are granted.
	dir: PathBuf,
	/// The institution granted to (the id `consortium list` prints).
	#[arg(long)]
	to: u32,
	/// What for: treatment, referral, research, public-health-reporting, quality-control,
	/// insurance or audit.
	#[arg(long, value_parser = wire::<Purpose>())]
	purpose: Purpose,
	/// Until when: `12h`, `30d`, or an RFC 3339 date (`2027-06-30T00:00:00+08:00`).
	#[arg(long)]
	expires: String,
	/// The records, by position in the anchored file (`1-1000,1500`; 1 the first, as
	/// `certificate extract --record` counts). Default: every record.
	#[arg(long, conflicts_with = "subject")]
	records: Option<String>,
	/// One data subject's records: the raw value of the anchoring's `--subject-field` column.
	#[arg(long)]
	subject: Option<String>,
	/// The legal basis, in words (a consent's reference, a statute, a contract).
	#[arg(long, default_value = "not stated")]
	legal_basis: String,
	/// The key directory.
	#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = default_dir())]
	keys: PathBuf,
}

/// Runs a `share` command.
pub async fn run(command: ShareCommand, context: &Context) -> anyhow::Result<()> {
	use ShareCommand as S;
	let out = context.output;
	match command {
		S::Key(command) => key(command, context).await,
		S::Grant(args) => {
			// Checked before connecting: bad input fails fast and sends nothing.
			let expires = parse_expiry(&args.expires, medtrust_client::sharing::scope::unix_now())?;
			let request = GrantRequest {
				dir: args.dir,
				grantee: args.to,
				purpose: args.purpose,
				legal_basis: args.legal_basis,
				expires,
				records: args.records,
				subject: args.subject,
			};
			let chain = context.connect().await?;
			out.show(&chain.sharing().grant(context.signer()?, &request, &args.keys).await?)
		}
		S::List { granted, received } => list(context, granted, received).await,
		S::Show { grant } => out.show(&context.connect().await?.sharing().get(grant).await?),
		S::Revoke { grant } => {
			let chain = context.connect().await?;
			let submitted = chain.sharing().revoke(context.signer()?, grant).await?;
			out.show(&Done { what: "grant revoked", submitted })
		}
		S::Serve { listen, keys } => {
			let chain = context.connect().await?;
			crate::output::log_service("share serve");
			let options = ServeOptions { listen, keys, limits: Default::default() };
			serve(chain, options, |address| {
				crate::output::note(&format!("share serve: listening on http://{address}"))
			})
			.await?;
			Ok(())
		}
		S::Fetch { grant, from, records, out: dir, keys } => {
			let chain = context.connect().await?;
			let which = (from.as_deref(), records.as_deref());
			let report =
				chain.sharing().fetch(context.signer()?, grant, which, &dir, &keys).await?;
			out.show(&report)
		}
		S::Erase { dir, records, subject, keys } => {
			let chain = context.connect().await?;
			let sharing = chain.sharing();
			let report = sharing
				.erase(context.signer()?, &dir, records.as_deref(), subject.as_deref(), &keys)
				.await?;
			out.show(&report)
		}
		S::AttestDeleted { grant, erasure } => {
			let chain = context.connect().await?;
			let submitted =
				chain.sharing().attest_deletion(context.signer()?, grant, erasure).await?;
			out.show(&Done { what: "deletion attested", submitted })
		}
	}
}

/// Runs a `share key` command.
async fn key(command: KeyCommand, context: &Context) -> anyhow::Result<()> {
	match command {
		KeyCommand::Create(KeyDir { keys }) => {
			let key = ShareKeys::new(keys).create()?;
			context.output.show(&LocalKeyView::from(&key))
		}
		KeyCommand::Publish(KeyDir { keys }) => publish(context, ShareKeys::new(keys), false).await,
		KeyCommand::Rotate(KeyDir { keys }) => publish(context, ShareKeys::new(keys), true).await,
	}
}

/// The signer's institution's grants: those it made, those it received, or both.
async fn list(context: &Context, granted: bool, received: bool) -> anyhow::Result<()> {
	let chain = context.connect().await?;
	let account = context.signer()?.public_key().to_account_id();
	let institution = chain.consortium().institution_of(&account).await?;
	let mut grants = Vec::new();
	if !received {
		grants.extend(chain.sharing().list(institution, Side::Granted).await?);
	}
	if !granted {
		grants.extend(chain.sharing().list(institution, Side::Received).await?);
	}
	context.output.show(&GrantList(grants))
}

/// Publishes the newest local key not on chain yet (with `create`, a new one).
async fn publish(context: &Context, keys: ShareKeys, create: bool) -> anyhow::Result<()> {
	let signer = context.signer()?;
	let chain = context.connect().await?;
	let institution =
		chain.consortium().institution_of(&signer.public_key().to_account_id()).await?;
	let key = if create {
		keys.create()?
	} else {
		keys.unpublished(&chain.sharing().encryption_keys(institution).await?)?
	};
	let (version, submitted) = chain.sharing().publish_key(signer, &key.public).await?;
	context.output.show(&KeyPublished {
		institution,
		version,
		key: LocalKeyView::from(&key),
		submitted,
	})
}
