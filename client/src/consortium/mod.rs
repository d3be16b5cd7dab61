//! The consortium (requirement: member institutions, one validator each, governance):
//! institutions, their members and validators, council motions, and runtime upgrades by a
//! two-thirds vote ([`upgrade`]).
//!
//! Reads go through the node's `medtrust_consortiumInstitution*`, `medtrust_consortiumMembers`, `medtrust_consortiumMotions`
//! and `medtrust_consortiumValidators` methods (their JSON shapes are
//! [`medtrust_rpc_types::consortium_json`]); writes are `Consortium`, `Council` and `Session`
//! transactions. [`admission`] checks an admission before anything is sent.

pub mod admission;
mod error;

pub use error::Error;
use error::Error as ConsortiumError;
pub mod upgrade;

crate::chain::capability!(
	/// The consortium's reads and transactions (`chain.consortium()`): institutions, members,
/// validators, peers, council motions and runtime upgrades.
	Consortium
);

use std::str::FromStr;

use medtrust_rpc_types::consortium_json::MotionsJson;
pub use medtrust_rpc_types::consortium_json::{InstitutionDetailJson, InstitutionJson, MotionJson};
use pallet_consortium::InstitutionStatus;
use subxt::{
	ext::scale_decode::DecodeAsType,
	utils::{AccountId32, H256},
};
use subxt_rpcs::rpc_params;
use subxt_signer::sr25519::Keypair;

use crate::{
	chain::tx::Submitted,
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			medtrust_runtime::{RuntimeCall, SessionKeys},
			pallet_consortium::pallet::Call,
		},
	},
	Chain, Result,
};

/// Parses an SS58 address.
pub fn parse_account(text: &str) -> Result<AccountId32> {
	AccountId32::from_str(text.trim())
		.map_err(|_| ConsortiumError::Account(text.to_string()).into())
}

/// The governance call suspending an institution.
pub fn suspend_call(id: u32) -> RuntimeCall {
	RuntimeCall::Consortium(Call::suspend_institution { institution: id })
}

/// The governance call re-activating a suspended institution.
pub fn resume_call(id: u32) -> RuntimeCall {
	RuntimeCall::Consortium(Call::resume_institution { institution: id })
}

/// The governance call removing an institution; `members` bounds its weight.
pub fn remove_call(id: u32, members: u32) -> RuntimeCall {
	RuntimeCall::Consortium(Call::remove_institution { institution: id, member_count: members })
}

impl Consortium<'_> {
	/// Every institution, in id order.
	pub async fn institutions(&self) -> Result<Vec<InstitutionJson>> {
		self.chain.call("medtrust_consortiumInstitutions", rpc_params![]).await
	}

	/// One institution and its members.
	pub async fn institution(&self, id: u32) -> Result<InstitutionDetailJson> {
		let found: Option<InstitutionDetailJson> =
			self.chain.call("medtrust_consortiumInstitution", rpc_params![id]).await?;
		found.ok_or_else(|| crate::Error::not_found("institution", format!("#{id}")))
	}

	/// The institution an account belongs to, or an error saying it belongs to none.
	pub async fn institution_of(&self, account: &AccountId32) -> Result<u32> {
		let found: Option<u32> = self
			.chain
			.call("medtrust_consortiumInstitutionOf", rpc_params![account.to_string()])
			.await?;
		found.ok_or_else(|| crate::Error::not_found("institution with the account", account))
	}

	/// The number of active institutions: the council's size (each votes by its admin).
	pub async fn council_size(&self) -> Result<u32> {
		let all = self.institutions().await?;
		Ok(all.iter().filter(|i| i.status == InstitutionStatus::Active).count() as u32)
	}

	/// The open motions.
	pub async fn motions(&self) -> Result<Vec<MotionJson>> {
		let open: MotionsJson =
			self.chain.call("medtrust_consortiumMotions", rpc_params![]).await?;
		Ok(open.motions)
	}

	async fn motion(&self, hash: H256) -> Result<MotionJson> {
		let wanted = format!("{hash:?}");
		self.motions()
			.await?
			.into_iter()
			.find(|m| m.hash == wanted)
			.ok_or_else(|| crate::Error::not_found("open motion", format!("{hash:?}")))
	}

	/// Proposes `call` to the council with a majority threshold; the signer must be an
	/// active institution's admin. With a council of one, the call executes at once.
	pub async fn propose(&self, signer: &Keypair, call: RuntimeCall) -> Result<Submitted> {
		let threshold = self.council_size().await? / 2 + 1;
		self.propose_with_threshold(signer, call, threshold).await
	}

	/// Proposes `call` to the council, executed once `threshold` admins approve (a Root call
	/// needs two thirds: [`upgrade::supermajority`]).
	pub async fn propose_with_threshold(
		&self,
		signer: &Keypair,
		call: RuntimeCall,
		threshold: u32,
	) -> Result<Submitted> {
		let length = self.call_length(&call).await?;
		// Unvalidated: a proposal holds a whole `RuntimeCall`, whose shape changes with any
		// pallet's calls (a runtime upgrade proposed from this client to a chain on the
		// release before it). Its fields are still encoded by name against the live metadata,
		// as `call_length` did, and a call the chain does not have is refused there.
		let tx = runtime::transactions().council().propose(threshold, call, length).unvalidated();
		self.chain.submit(&tx, signer).await
	}

	/// The encoded length of a call, which council motions must bound.
	async fn call_length(&self, call: &RuntimeCall) -> Result<u32> {
		use subxt::ext::scale_encode::EncodeAsType;
		let metadata = self.chain.at_current().await?.metadata();
		let call_type = metadata
			.pallet_by_name("Council")
			.and_then(|p| p.call_variant_by_name("propose"))
			.and_then(|v| v.fields.iter().find(|f| f.name.as_deref() == Some("proposal")))
			.map(|f| f.ty.id)
			.ok_or_else(|| self.chain.incompatible("no Council.propose call"))?;
		let bytes = call
			.encode_as_type(call_type, metadata.types())
			.map_err(|e| self.chain.incompatible(e))?;
		Ok(bytes.len() as u32)
	}

	/// Votes on an open motion.
	pub async fn vote(&self, signer: &Keypair, hash: H256, approve: bool) -> Result<Submitted> {
		let motion = self.motion(hash).await?;
		let tx = runtime::transactions().council().vote(hash, motion.index, approve);
		self.chain.submit(&tx, signer).await
	}

	/// Closes a motion: executes it if approved (reporting the call's own outcome).
	pub async fn close_motion(&self, signer: &Keypair, hash: H256) -> Result<Submitted> {
		let motion = self.motion(hash).await?;
		let max_weight = self
			.chain
			.at_current()
			.await?
			.constants()
			.entry(runtime::constants().council().max_proposal_weight())
			.map_err(|e| self.chain.incompatible(e))?;
		let tx = runtime::transactions().council().close(
			hash,
			motion.index,
			max_weight,
			motion.call_length,
		);
		self.chain.submit(&tx, signer).await
	}

	/// Registers another node of the signer's institution (an RPC or standby node) by its peer
	/// id (`12D3KooW…`): every node of the network then accepts it (the signer is its admin).
	/// `None` when the institution has registered it already (a provisioning rerun).
	pub async fn add_peer_id(&self, signer: &Keypair, peer_id: &str) -> Result<Option<Submitted>> {
		let bytes = parse_peer_id(peer_id)?;
		let institution = self.institution_of(&signer.public_key().to_account_id()).await?;
		if self.extra_peer_ids(institution).await?.contains(&bytes) {
			return Ok(None);
		}
		let call = runtime::transactions().consortium().add_peer_id(BoundedVec(bytes));
		self.chain.submit(&call, signer).await.map(Some)
	}

	/// The peer ids institution `id` registered for its other nodes, as bytes.
	pub async fn extra_peer_ids(&self, id: u32) -> Result<Vec<Vec<u8>>> {
		let at = self.chain.at_current().await?;
		let entry = at
			.storage()
			.entry(runtime::storage().consortium().extra_peer_ids())
			.map_err(|e| self.chain.incompatible(e))?;
		let found = entry.try_fetch((id,)).await.map_err(|e| self.chain.incompatible(e))?;
		let Some(value) = found else { return Ok(Vec::new()) };
		let ids = value.decode().map_err(|e| self.chain.incompatible(e))?;
		Ok(ids.0.into_iter().map(|id| id.0).collect())
	}

	/// Withdraws a peer id registered by [`Consortium::add_peer_id`].
	pub async fn remove_peer_id(&self, signer: &Keypair, peer_id: &str) -> Result<Submitted> {
		let call = runtime::transactions()
			.consortium()
			.remove_peer_id(BoundedVec(parse_peer_id(peer_id)?));
		self.chain.submit(&call, signer).await
	}

	/// Adds a member account to the signer's institution (the signer is its admin).
	pub async fn add_member(&self, signer: &Keypair, account: AccountId32) -> Result<Submitted> {
		self.chain.submit(&runtime::transactions().consortium().add_member(account), signer).await
	}

	/// Removes a member account from the signer's institution.
	pub async fn remove_member(&self, signer: &Keypair, account: AccountId32) -> Result<Submitted> {
		self.chain
			.submit(&runtime::transactions().consortium().remove_member(account), signer)
			.await
	}

	/// Has the node at `node_url` generate session keys owned by the signer's account, and
	/// registers them on chain (`session.set_keys`). Returns the keys, hex.
	pub async fn set_keys(&self, signer: &Keypair, node_url: &str) -> Result<(String, Submitted)> {
		let node = if node_url == self.chain.url() {
			self.chain.clone()
		} else {
			Chain::connect(node_url).await?
		};
		let owner = signer.public_key().to_account_id();
		let generated: serde_json::Value = node
			.call("author_rotateKeysWithOwner", rpc_params![format!("0x{}", hex::encode(owner.0))])
			.await?;
		let field = |name: &str| -> Result<Vec<u8>> {
			generated
				.get(name)
				.and_then(|v| v.as_str())
				.and_then(|s| hex::decode(s.trim_start_matches("0x")).ok())
				.ok_or_else(|| {
					node.rpc_error(
						"author_rotateKeysWithOwner",
						format!("no `{name}` in the answer"),
					)
				})
		};
		let (keys, proof) = (field("keys")?, field("proof")?);
		let session_keys = self.session_keys(&keys).await?;
		let tx = runtime::transactions().session().set_keys(session_keys, proof);
		let submitted = self.chain.submit(&tx, signer).await?;
		Ok((format!("0x{}", hex::encode(keys)), submitted))
	}

	/// Decodes the session keys a node generated, by the runtime's own type.
	async fn session_keys(&self, bytes: &[u8]) -> Result<SessionKeys> {
		let metadata = self.chain.at_current().await?.metadata();
		let keys_type = metadata
			.pallet_by_name("Session")
			.and_then(|p| p.call_variant_by_name("set_keys"))
			.and_then(|v| v.fields.first())
			.map(|f| f.ty.id)
			.ok_or_else(|| self.chain.incompatible("no Session.set_keys call"))?;
		SessionKeys::decode_as_type(&mut &bytes[..], keys_type, metadata.types())
			.map_err(|e| self.chain.incompatible(e))
	}
}

/// The peer id (`12D3KooW…`) of the node whose network key is the file at `path`: what
/// `medtrust-node key generate-node-key` writes (the Ed25519 secret, 64 hex digits, or 32
/// bytes with `--bin`), in a node's `chains/<id>/network/secret_ed25519`.
pub fn peer_id_of_node_key(path: &std::path::Path) -> Result<String> {
	use sp_core::Pair as _;
	use std::io::Read as _;
	let mut bytes = zeroize::Zeroizing::new(Vec::new());
	std::fs::File::open(path)
		.and_then(|f| f.take(129).read_to_end(&mut bytes))
		.map_err(|e| crate::Error::io("read", path, e))?;
	let mut seed = zeroize::Zeroizing::new([0u8; 32]);
	let text = std::str::from_utf8(&bytes).map(str::trim).unwrap_or_default();
	let from_hex = text.len() == 64 && hex::decode_to_slice(text, &mut seed[..]).is_ok();
	if !from_hex && bytes.len() == 32 {
		seed.copy_from_slice(&bytes);
	} else if !from_hex {
		return Err(ConsortiumError::NodeKey { path: path.to_path_buf() }.into());
	}
	let public = sp_core::ed25519::Pair::from_seed(&seed).public();
	Ok(bs58::encode(medtrust_primitives::peer_id::ed25519_peer_id(public.0)).into_string())
}

/// A libp2p peer id in its base58 form (`12D3KooW…`, as `--bootnodes` and `institution.json`
/// give it) as the chain stores it, checked as the runtime checks it.
pub fn parse_peer_id(text: &str) -> Result<Vec<u8>> {
	let bytes = bs58::decode(text.trim())
		.into_vec()
		.map_err(|_| ConsortiumError::PeerId(text.to_string()))?;
	if !medtrust_primitives::peer_id::is_peer_id(&bytes) {
		return Err(ConsortiumError::PeerId(text.to_string()).into());
	}
	Ok(bytes)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_node_key_file_gives_the_peer_id_the_node_has_and_anything_else_is_refused() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		// libp2p's own test vector: the Ed25519 secret of all ones.
		let seed = [1u8; 32];
		let public = {
			use sp_core::Pair as _;
			sp_core::ed25519::Pair::from_seed(&seed).public().0
		};
		let expected =
			bs58::encode(medtrust_primitives::peer_id::ed25519_peer_id(public)).into_string();
		assert!(expected.starts_with("12D3KooW"), "{expected}");
		let text = dir.path().join("secret_ed25519");
		std::fs::write(&text, format!("{}\n", hex::encode(seed))).expect("written");
		assert_eq!(peer_id_of_node_key(&text).expect("a key"), expected);
		let binary = dir.path().join("secret.bin");
		std::fs::write(&binary, seed).expect("written");
		assert_eq!(peer_id_of_node_key(&binary).expect("a key"), expected);
		assert_eq!(parse_peer_id(&expected).expect("a peer id").len(), 38);
		for (name, bytes) in [
			("short", vec![b'a'; 63]),
			("not-hex", vec![b'z'; 64]),
			("long", vec![7u8; 4096]),
			("empty", Vec::new()),
		] {
			let path = dir.path().join(name);
			std::fs::write(&path, &bytes).expect("written");
			let refused = peer_id_of_node_key(&path).expect_err(name).to_string();
			assert!(refused.contains("is not a node key"), "{name}: {refused}");
		}
		assert!(peer_id_of_node_key(&dir.path().join("missing")).is_err());
	}
}
