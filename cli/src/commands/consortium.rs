//! `medtrust consortium …`: member institutions, their accounts and validators, governance.

use clap::{Args, Subcommand};
use medtrust_client::consortium::{self, admission::AdmissionRequest, parse_account};
use pallet_consortium::InstitutionKind;
use subxt::utils::H256;

use crate::{
	context::Context,
	output::{Done, PeerAdded, WithKeys},
	values::wire,
};

#[derive(Debug, Subcommand)]
pub enum ConsortiumCommand {
	/// List every institution (removed ones included).
	List,
	/// Show one institution and its member accounts.
	Show { id: u32 },
	/// Propose to admit an institution (signer: an active institution's admin). Prints the
	/// motion's hash for the others to `vote` on; with a single institution it executes at once.
	ProposeAdmit(AdmitArgs),
	/// List the open council motions with their votes.
	Motions,
	/// Vote on a council motion (signer: an active institution's admin).
	Vote {
		/// The motion's hash (from `propose-*` or `motions`).
		hash: H256,
		/// Approve the motion.
		#[arg(long, conflicts_with = "nay", required_unless_present = "nay")]
		aye: bool,
		/// Reject the motion.
		#[arg(long)]
		nay: bool,
	},
	/// Close a council motion: executes it if its threshold of ayes was reached (a majority;
	/// two thirds for a runtime upgrade); prints the outcome.
	Close {
		/// The motion's hash.
		hash: H256,
	},
	/// Propose to suspend an institution (its accounts are refused, its validator leaves).
	Suspend { id: u32 },
	/// Propose to re-activate a suspended institution.
	Resume { id: u32 },
	/// Propose to remove an institution for good.
	Remove { id: u32 },
	/// Add a member account to the signer's institution (signer: its admin).
	AddMember { account: String },
	/// Register another node of the signer's institution (an RPC or standby node) by its peer
	/// id, so that every node of the network accepts it (signer: its admin; at most 3).
	/// Registering one the institution holds already submits nothing (a provisioning rerun).
	#[command(arg_required_else_help = true)]
	AddPeer {
		/// The node's peer id, `12D3KooW…` (`medtrust-node key inspect-node-key --file <key>`).
		#[arg(required_unless_present = "node_key_file", conflicts_with = "node_key_file")]
		peer_id: Option<String>,
		/// Or the node's network key, whose peer id is registered (the file `medtrust-node key
		/// generate-node-key` writes, e.g. `<base>/chains/<chain id>/network/secret_ed25519`).
		#[arg(long, value_name = "FILE")]
		node_key_file: Option<std::path::PathBuf>,
	},
	/// Withdraw a peer id registered with `add-peer` (signer: its admin).
	RemovePeer { peer_id: String },
	/// Remove a member account from the signer's institution (signer: its admin).
	RemoveMember { account: String },
	/// Generate session keys in a node's keystore, owned by the signer, and register them on
	/// chain. Run it against your own node (its unsafe RPC methods must be reachable, as they
	/// are on localhost).
	SetKeys {
		/// The node that keeps the keys (default: `--url`).
		#[arg(long)]
		node_url: Option<String>,
	},
}

#[derive(Debug, Clone, Args)]
pub struct AdmitArgs {
	/// The institution's name (UTF-8, at most 256 bytes: 85 Chinese characters).
	#[arg(long)]
	name: String,
	/// Its 18-character unified social credit code (统一社会信用代码).
	#[arg(long)]
	credit_code: String,
	/// Its six-digit administrative division code, e.g. 110105.
	#[arg(long)]
	region: String,
	/// What kind of institution it is.
	#[arg(long, value_parser = wire::<InstitutionKind>())]
	kind: InstitutionKind,
	/// Its admin account (SS58): manages its members, votes for it.
	#[arg(long)]
	admin: String,
	/// Its validator account (SS58; default: the admin).
	#[arg(long)]
	validator: Option<String>,
	/// Its node's peer id (`medtrust-node key inspect-node-key --file <node key>`).
	#[arg(long)]
	peer_id: String,
	/// Its X25519 public key for encrypted sharing, 32 bytes hex.
	#[arg(long)]
	encryption_key: Option<String>,
}

impl AdmitArgs {
	fn request(self) -> AdmissionRequest {
		AdmissionRequest {
			validator: self.validator.unwrap_or_else(|| self.admin.clone()),
			name: self.name,
			credit_code: self.credit_code,
			region: self.region,
			kind: self.kind,
			admin: self.admin,
			peer_id: self.peer_id,
			encryption_key: self.encryption_key,
		}
	}
}

/// Runs a `consortium` command.
pub async fn run(command: ConsortiumCommand, context: &Context) -> anyhow::Result<()> {
	use ConsortiumCommand as C;
	// Check arguments before connecting: bad input fails fast and sends nothing.
	let admission = match &command {
		C::ProposeAdmit(args) => Some(args.clone().request().to_call()?),
		_ => None,
	};
	let chain = context.connect().await?;
	let out = context.output;
	let done = |what, submitted| out.show(&Done { what, submitted });
	match command {
		C::List => out.show(chain.consortium().institutions().await?.as_slice()),
		C::Show { id } => out.show(&chain.consortium().institution(id).await?),
		C::Motions => out.show(chain.consortium().motions().await?.as_slice()),
		C::ProposeAdmit(_) => {
			let call = admission.ok_or_else(|| anyhow::anyhow!("no admission"))?;
			done("admission proposed", chain.consortium().propose(context.signer()?, call).await?)
		}
		C::Vote { hash, aye, nay: _ } => {
			done("vote", chain.consortium().vote(context.signer()?, hash, aye).await?)
		}
		C::Close { hash } => {
			done("motion closed", chain.consortium().close_motion(context.signer()?, hash).await?)
		}
		C::Suspend { id } => {
			let call = consortium::suspend_call(id);
			done("suspension proposed", chain.consortium().propose(context.signer()?, call).await?)
		}
		C::Resume { id } => {
			let call = consortium::resume_call(id);
			done("resumption proposed", chain.consortium().propose(context.signer()?, call).await?)
		}
		C::Remove { id } => {
			let members = chain.consortium().institution(id).await?.institution.member_count;
			let call = consortium::remove_call(id, members);
			done("removal proposed", chain.consortium().propose(context.signer()?, call).await?)
		}
		C::AddMember { account } => {
			let account = parse_account(&account)?;
			done("member added", chain.consortium().add_member(context.signer()?, account).await?)
		}
		C::AddPeer { peer_id, node_key_file } => {
			let peer_id = match (peer_id, node_key_file) {
				(Some(peer_id), _) => peer_id,
				(None, Some(file)) => consortium::peer_id_of_node_key(&file)?,
				(None, None) => anyhow::bail!("give the node's peer id or --node-key-file"),
			};
			let submitted = chain.consortium().add_peer_id(context.signer()?, &peer_id).await?;
			out.show(&PeerAdded { already_registered: submitted.is_none(), peer_id, submitted })
		}
		C::RemovePeer { peer_id } => done(
			"peer id removed",
			chain.consortium().remove_peer_id(context.signer()?, &peer_id).await?,
		),
		C::RemoveMember { account } => {
			let account = parse_account(&account)?;
			done(
				"member removed",
				chain.consortium().remove_member(context.signer()?, account).await?,
			)
		}
		C::SetKeys { node_url } => {
			let node_url = node_url.unwrap_or_else(|| context.url.clone());
			let (keys, submitted) =
				chain.consortium().set_keys(context.signer()?, &node_url).await?;
			out.show(&WithKeys { keys, submitted })
		}
	}
}
