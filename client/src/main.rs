//! `medtrust`: the MedTrust command-line tool.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use medtrust_client::{
	consortium::{self, AdmissionRequest},
	signer,
	tx::Submitted,
	Chain, DEFAULT_URL,
};
use serde::Serialize;
use subxt::utils::H256;

/// MedTrust command-line tool: inspect and use a MedTrust consortium chain.
///
/// Every command talks to one node's JSON-RPC endpoint (`--url`). Commands that write to the
/// chain sign with `--signer` and wait until their transaction is finalized. `--json` prints
/// machine-readable output instead of text.
#[derive(Debug, Parser)]
#[command(name = "medtrust", version, propagate_version = true)]
struct Cli {
	/// WebSocket URL of the node's JSON-RPC endpoint.
	#[arg(long, global = true, env = "MEDTRUST_URL", default_value = DEFAULT_URL)]
	url: String,

	/// Who signs transactions: a secret URI (`//Alice`, a mnemonic, a 0x seed) or the path of a
	/// key file holding one (or an encrypted Polkadot.js JSON export, whose password is read
	/// from MEDTRUST_SIGNER_PASSWORD).
	#[arg(long, global = true, env = "MEDTRUST_SIGNER", hide_env_values = true)]
	signer: Option<String>,

	/// Print machine-readable JSON instead of text.
	#[arg(long, global = true)]
	json: bool,

	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Show the chain's name, genesis hash, runtime version, best and finalized blocks, peers
	/// and validator set.
	Status,
	/// Member institutions, their accounts and validators, and governance.
	#[command(subcommand)]
	Consortium(ConsortiumCommand),
}

#[derive(Debug, Subcommand)]
enum ConsortiumCommand {
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
	/// Close a council motion: executes it if a majority approved; prints the outcome.
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

#[derive(Debug, Args)]
struct AdmitArgs {
	/// The institution's name (UTF-8, at most 256 bytes: 85 Chinese characters).
	#[arg(long)]
	name: String,
	/// Its 18-character unified social credit code (统一社会信用代码).
	#[arg(long)]
	credit_code: String,
	/// Its six-digit administrative division code, e.g. 110105.
	#[arg(long)]
	region: String,
	/// hospital, lab, health-commission, research-institute, insurer or other.
	#[arg(long)]
	kind: String,
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

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {e:#}");
			ExitCode::FAILURE
		}
	}
}

fn print<T: Serialize>(
	json: bool,
	value: &T,
	text: impl FnOnce(&T) -> String,
) -> anyhow::Result<()> {
	if json {
		println!("{}", serde_json::to_string_pretty(value)?);
	} else {
		print!("{}", text(value));
	}
	Ok(())
}

fn submitted_text(what: &str) -> impl FnOnce(&Submitted) -> String + '_ {
	move |s| {
		let mut out = format!("{what}: finalized (extrinsic {:?})\n", s.extrinsic_hash);
		if let Some(hash) = s.motion_hash {
			out.push_str(&format!("motion {hash:?} awaits votes\n"));
		}
		if let Some(result) = &s.motion_result {
			out.push_str(&format!("motion executed: {result}\n"));
		}
		for e in &s.events {
			out.push_str(&format!("  {} {}\n", e.event, e.fields));
		}
		out
	}
}

async fn run(cli: Cli) -> anyhow::Result<()> {
	// A signer given but unusable is an error even for commands that do not sign: it would
	// fail later at a worse moment.
	let keypair = cli.signer.as_deref().map(signer::parse).transpose()?;
	let need_signer = || {
		keypair.clone().ok_or_else(|| {
			anyhow::anyhow!("this command signs a transaction: give --signer (or MEDTRUST_SIGNER)")
		})
	};
	match cli.command {
		Command::Status => {
			let chain = Chain::connect(&cli.url).await?;
			let status = chain.status().await?;
			print(cli.json, &status, |s| s.render())?;
		}
		Command::Consortium(command) => {
			// Check arguments before connecting: bad input fails fast and sends nothing.
			let admission = match &command {
				ConsortiumCommand::ProposeAdmit(a) => Some(
					AdmissionRequest {
						name: a.name.clone(),
						credit_code: a.credit_code.clone(),
						region: a.region.clone(),
						kind: a.kind.clone(),
						admin: a.admin.clone(),
						validator: a.validator.clone().unwrap_or_else(|| a.admin.clone()),
						peer_id: a.peer_id.clone(),
						encryption_key: a.encryption_key.clone(),
					}
					.to_call()?,
				),
				_ => None,
			};
			let chain = Chain::connect(&cli.url).await?;
			match command {
				ConsortiumCommand::List => {
					let all = chain.institutions().await?;
					print(cli.json, &all, |all| {
						let mut out = String::new();
						for i in all {
							out.push_str(&format!(
								"{:>3}  {:<9}  {:<18}  {:<18}  {}\n",
								i.id, i.status, i.kind, i.credit_code, i.name
							));
						}
						out
					})?;
				}
				ConsortiumCommand::Show { id } => {
					let detail = chain.institution(id).await?;
					print(cli.json, &detail, |d| {
						let i = &d.institution;
						let mut out = format!(
							"{} (#{}, {}, {})\ncredit code  {}\nregion       {}\nadmin        {}\nvalidator    {}\npeer id      {}\nencryption   {}\njoined       block #{}\nmembers      {}\n",
							i.name, i.id, i.kind, i.status, i.credit_code, i.region, i.admin,
							i.validator, i.peer_id,
							i.encryption_key.as_deref().unwrap_or("-"), i.joined, i.member_count
						);
						for m in &d.members {
							out.push_str(&format!("  {m}\n"));
						}
						out
					})?;
				}
				ConsortiumCommand::ProposeAdmit(_) => {
					let call = admission.ok_or_else(|| anyhow::anyhow!("no admission"))?;
					let s = chain.propose(&need_signer()?, call).await?;
					print(cli.json, &s, submitted_text("admission proposed"))?;
				}
				ConsortiumCommand::Motions => {
					let motions = chain.motions().await?;
					print(cli.json, &motions, |ms| {
						let mut out = String::new();
						for m in ms {
							out.push_str(&format!(
								"{:?} #{}  {} of {} ayes, {} nays  {}\n",
								m.hash,
								m.index,
								m.ayes.len(),
								m.threshold,
								m.nays.len(),
								m.call
							));
						}
						out
					})?;
				}
				ConsortiumCommand::Vote { hash, aye, nay: _ } => {
					let s = chain.vote(&need_signer()?, hash, aye).await?;
					print(cli.json, &s, submitted_text("vote"))?;
				}
				ConsortiumCommand::Close { hash } => {
					let s = chain.close(&need_signer()?, hash).await?;
					print(cli.json, &s, submitted_text("motion closed"))?;
				}
				ConsortiumCommand::Suspend { id } => {
					let s = chain.propose(&need_signer()?, consortium::suspend_call(id)).await?;
					print(cli.json, &s, submitted_text("suspension proposed"))?;
				}
				ConsortiumCommand::Resume { id } => {
					let s = chain.propose(&need_signer()?, consortium::resume_call(id)).await?;
					print(cli.json, &s, submitted_text("resumption proposed"))?;
				}
				ConsortiumCommand::Remove { id } => {
					let members = chain.institution(id).await?.institution.member_count;
					let s = chain
						.propose(&need_signer()?, consortium::remove_call(id, members))
						.await?;
					print(cli.json, &s, submitted_text("removal proposed"))?;
				}
				ConsortiumCommand::AddMember { account } => {
					let account = consortium::parse_account(&account)?;
					let s = chain.add_member(&need_signer()?, account).await?;
					print(cli.json, &s, submitted_text("member added"))?;
				}
				ConsortiumCommand::RemoveMember { account } => {
					let account = consortium::parse_account(&account)?;
					let s = chain.remove_member(&need_signer()?, account).await?;
					print(cli.json, &s, submitted_text("member removed"))?;
				}
				ConsortiumCommand::SetKeys { node_url } => {
					let node_url = node_url.unwrap_or_else(|| cli.url.clone());
					let (keys, s) = chain.set_keys(&need_signer()?, &node_url).await?;
					#[derive(Serialize)]
					struct KeysSet {
						keys: String,
						#[serde(flatten)]
						submitted: Submitted,
					}
					print(cli.json, &KeysSet { keys, submitted: s }, |k| {
						format!("session keys {} registered\n", k.keys)
							+ &submitted_text("keys")(&k.submitted)
					})?;
				}
			}
		}
	}
	Ok(())
}
