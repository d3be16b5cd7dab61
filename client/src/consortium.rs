//! The consortium: institutions, their members and validators, and governance motions.

use std::str::FromStr;

use serde::Serialize;
use subxt::ext::{scale_decode::DecodeAsType, scale_encode::EncodeAsType};
use subxt::utils::{AccountId32, H256};
use subxt_signer::sr25519::Keypair;

use crate::{
	chain::one_line,
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			medtrust_runtime::RuntimeCall,
			pallet_consortium::{
				pallet::Call as ConsortiumCall,
				types::{
					Admission, CreditCode, Institution, InstitutionKind, InstitutionStatus,
					RegionCode,
				},
			},
		},
	},
	tx::Submitted,
	Chain, Error, Result,
};

/// An institution as the CLI shows it.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionView {
	pub id: u32,
	pub name: String,
	pub credit_code: String,
	pub region: String,
	pub kind: &'static str,
	pub status: &'static str,
	pub admin: String,
	pub validator: String,
	/// The node's libp2p peer id, base58 (`12D3KooW…`).
	pub peer_id: String,
	/// The X25519 public key, hex.
	pub encryption_key: Option<String>,
	pub joined: u32,
	pub member_count: u32,
}

/// One institution with its member accounts.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionDetail {
	#[serde(flatten)]
	pub institution: InstitutionView,
	pub members: Vec<String>,
}

/// The kinds of institution, as the CLI names them.
pub const KINDS: [&str; 6] =
	["hospital", "lab", "health-commission", "research-institute", "insurer", "other"];

fn kind_name(kind: &InstitutionKind) -> &'static str {
	match kind {
		InstitutionKind::Hospital => KINDS[0],
		InstitutionKind::Lab => KINDS[1],
		InstitutionKind::HealthCommission => KINDS[2],
		InstitutionKind::ResearchInstitute => KINDS[3],
		InstitutionKind::Insurer => KINDS[4],
		InstitutionKind::Other => KINDS[5],
	}
}

/// Parses a kind as the CLI names it.
pub fn parse_kind(name: &str) -> Result<InstitutionKind> {
	Ok(match name {
		"hospital" => InstitutionKind::Hospital,
		"lab" => InstitutionKind::Lab,
		"health-commission" => InstitutionKind::HealthCommission,
		"research-institute" => InstitutionKind::ResearchInstitute,
		"insurer" => InstitutionKind::Insurer,
		"other" => InstitutionKind::Other,
		_ => {
			return Err(Error::Input(format!("unknown kind `{name}`: one of {}", KINDS.join(", "))))
		}
	})
}

fn status_name(status: &InstitutionStatus) -> &'static str {
	match status {
		InstitutionStatus::Active => "active",
		InstitutionStatus::Suspended => "suspended",
		InstitutionStatus::Removed => "removed",
	}
}

fn view(
	id: u32,
	i: &Institution<AccountId32, u32, BoundedVec<u8>, BoundedVec<u8>>,
) -> InstitutionView {
	InstitutionView {
		id,
		name: String::from_utf8_lossy(&i.name.0).into_owned(),
		credit_code: String::from_utf8_lossy(&i.credit_code.0).into_owned(),
		region: String::from_utf8_lossy(&i.region.0).into_owned(),
		kind: kind_name(&i.kind),
		status: status_name(&i.status),
		admin: i.admin.to_string(),
		validator: i.validator.to_string(),
		peer_id: bs58::encode(&i.peer_id.0).into_string(),
		encryption_key: i.encryption_key.map(|k| format!("0x{}", hex::encode(k))),
		joined: i.joined,
		member_count: i.member_count,
	}
}

/// Parses an SS58 address.
pub fn parse_account(text: &str) -> Result<AccountId32> {
	AccountId32::from_str(text.trim())
		.map_err(|_| Error::Input(format!("`{text}` is not an SS58 account address")))
}

/// What governance needs to admit an institution, as typed by a user; checked before anything
/// is sent.
#[derive(Debug, Clone)]
pub struct AdmissionRequest {
	pub name: String,
	pub credit_code: String,
	pub region: String,
	pub kind: String,
	pub admin: String,
	pub validator: String,
	pub peer_id: String,
	pub encryption_key: Option<String>,
}

impl AdmissionRequest {
	/// Checks every field with the same rules the runtime applies.
	pub fn to_call(&self) -> Result<RuntimeCall> {
		let name = self.name.trim();
		if name.is_empty() || name.len() > 256 {
			return Err(Error::Input(format!(
				"the name must have 1 to 256 UTF-8 bytes; it has {}",
				name.len()
			)));
		}
		let code: [u8; 18] = self.credit_code.as_bytes().try_into().map_err(|_| {
			Error::Input(format!("credit code `{}` does not have 18 characters", self.credit_code))
		})?;
		if !pallet_consortium::CreditCode(code).is_valid() {
			return Err(Error::Input(format!(
				"credit code `{}` is malformed or its check character is wrong",
				self.credit_code
			)));
		}
		let region: [u8; 6] = self
			.region
			.as_bytes()
			.try_into()
			.map_err(|_| Error::Input(format!("region `{}` is not six digits", self.region)))?;
		if !pallet_consortium::RegionCode(region).is_valid() {
			return Err(Error::Input(format!(
				"region `{}` is not six digits starting with a province code",
				self.region
			)));
		}
		let peer_id = bs58::decode(self.peer_id.trim()).into_vec().map_err(|_| {
			Error::Input(format!("`{}` is not a base58 peer id (12D3KooW…)", self.peer_id))
		})?;
		if peer_id.is_empty() || peer_id.len() > 64 {
			return Err(Error::Input(format!("`{}` is not a peer id", self.peer_id)));
		}
		let encryption_key = match &self.encryption_key {
			None => None,
			Some(text) => Some(
				hex::decode(text.trim_start_matches("0x"))
					.ok()
					.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
					.ok_or_else(|| {
						Error::Input(format!("`{text}` is not a 32-byte hex X25519 public key"))
					})?,
			),
		};
		let admission = Admission {
			name: BoundedVec(name.as_bytes().to_vec()),
			credit_code: CreditCode(code),
			region: RegionCode(region),
			kind: parse_kind(&self.kind)?,
			admin: parse_account(&self.admin)?,
			validator: parse_account(&self.validator)?,
			peer_id: BoundedVec(peer_id),
			encryption_key,
		};
		Ok(RuntimeCall::Consortium(ConsortiumCall::admit_institution {
			admission: Box::new(admission),
		}))
	}
}

/// The governance motions this CLI proposes besides admissions.
pub fn suspend_call(id: u32) -> RuntimeCall {
	RuntimeCall::Consortium(ConsortiumCall::suspend_institution { institution: id })
}

/// Re-activates a suspended institution.
pub fn resume_call(id: u32) -> RuntimeCall {
	RuntimeCall::Consortium(ConsortiumCall::resume_institution { institution: id })
}

/// Removes an institution; `members` bounds the weight.
pub fn remove_call(id: u32, members: u32) -> RuntimeCall {
	RuntimeCall::Consortium(ConsortiumCall::remove_institution {
		institution: id,
		member_count: members,
	})
}

/// A motion before the council.
#[derive(Debug, Clone, Serialize)]
pub struct Motion {
	pub hash: H256,
	pub index: u32,
	pub threshold: u32,
	pub ayes: Vec<String>,
	pub nays: Vec<String>,
	/// The call, as text.
	pub call: String,
}

impl Chain {
	/// Every institution, in id order.
	pub async fn institutions(&self) -> Result<Vec<InstitutionView>> {
		let at = self.api().at_current_block().await.map_err(|e| self.incompatible(e))?;
		let all = at
			.runtime_apis()
			.call(runtime::runtime_apis().consortium_api().institutions())
			.await
			.map_err(|e| self.incompatible(e))?;
		Ok(all.iter().map(|(id, i)| view(*id, i)).collect())
	}

	/// One institution and its members.
	pub async fn institution(&self, id: u32) -> Result<InstitutionDetail> {
		let at = self.api().at_current_block().await.map_err(|e| self.incompatible(e))?;
		let apis = at.runtime_apis();
		let institution = apis
			.call(runtime::runtime_apis().consortium_api().institution(id))
			.await
			.map_err(|e| self.incompatible(e))?
			.ok_or_else(|| Error::Input(format!("no institution has id {id}")))?;
		let mut members: Vec<String> = apis
			.call(runtime::runtime_apis().consortium_api().members(id))
			.await
			.map_err(|e| self.incompatible(e))?
			.iter()
			.map(|a| a.to_string())
			.collect();
		members.sort();
		Ok(InstitutionDetail { institution: view(id, &institution), members })
	}

	/// The number of active institutions (the council's size).
	pub async fn council_size(&self) -> Result<u32> {
		let at = self.api().at_current_block().await.map_err(|e| self.incompatible(e))?;
		let members = at
			.storage()
			.fetch(runtime::storage().council().members(), ())
			.await
			.map_err(|e| self.incompatible(e))?
			.decode()
			.map_err(|e| self.incompatible(e))?;
		Ok(members.len() as u32)
	}

	/// Proposes `call` to the council with a majority threshold; the signer must be an
	/// active institution's admin. With a council of one, the call executes at once.
	pub async fn propose(&self, signer: &Keypair, call: RuntimeCall) -> Result<Submitted> {
		let size = self.council_size().await?;
		let threshold = size / 2 + 1;
		let length = self.call_length(&call).await?;
		let tx = runtime::transactions().council().propose(threshold, call, length);
		self.submit(&tx, signer).await
	}

	/// The open motions.
	pub async fn motions(&self) -> Result<Vec<Motion>> {
		let at = self.api().at_current_block().await.map_err(|e| self.incompatible(e))?;
		let storage = at.storage();
		let hashes = storage
			.fetch(runtime::storage().council().proposals(), ())
			.await
			.map_err(|e| self.incompatible(e))?
			.decode()
			.map_err(|e| self.incompatible(e))?;
		let mut motions = Vec::new();
		for hash in hashes.0 {
			let voting = storage
				.try_fetch(runtime::storage().council().voting(), (hash,))
				.await
				.map_err(|e| self.incompatible(e))?;
			let call = storage
				.try_fetch(runtime::storage().council().proposal_of(), (hash,))
				.await
				.map_err(|e| self.incompatible(e))?;
			if let (Some(voting), Some(call)) = (voting, call) {
				let voting = voting.decode().map_err(|e| self.incompatible(e))?;
				let call = call.decode().map_err(|e| self.incompatible(e))?;
				motions.push(Motion {
					hash,
					index: voting.index,
					threshold: voting.threshold,
					ayes: voting.ayes.iter().map(|a| a.to_string()).collect(),
					nays: voting.nays.iter().map(|a| a.to_string()).collect(),
					call: call_text(&call),
				});
			}
		}
		Ok(motions)
	}

	async fn motion(&self, hash: H256) -> Result<(Motion, RuntimeCall)> {
		let at = self.api().at_current_block().await.map_err(|e| self.incompatible(e))?;
		let call = at
			.storage()
			.try_fetch(runtime::storage().council().proposal_of(), (hash,))
			.await
			.map_err(|e| self.incompatible(e))?
			.ok_or_else(|| Error::Input(format!("no open motion has hash {hash:?}")))?
			.decode()
			.map_err(|e| self.incompatible(e))?;
		let motion = self
			.motions()
			.await?
			.into_iter()
			.find(|m| m.hash == hash)
			.ok_or_else(|| Error::Input(format!("no open motion has hash {hash:?}")))?;
		Ok((motion, call))
	}

	/// The encoded length of a call, which council motions must bound.
	async fn call_length(&self, call: &RuntimeCall) -> Result<u32> {
		let metadata =
			self.api().at_current_block().await.map_err(|e| self.incompatible(e))?.metadata();
		let call_type = metadata
			.pallet_by_name("Council")
			.and_then(|p| p.call_variant_by_name("propose"))
			.and_then(|v| v.fields.iter().find(|f| f.name.as_deref() == Some("proposal")))
			.map(|f| f.ty.id)
			.ok_or_else(|| self.incompatible("no Council.propose call"))?;
		let bytes =
			call.encode_as_type(call_type, metadata.types()).map_err(|e| self.incompatible(e))?;
		Ok(bytes.len() as u32)
	}

	/// Votes on an open motion.
	pub async fn vote(&self, signer: &Keypair, hash: H256, approve: bool) -> Result<Submitted> {
		let (motion, _) = self.motion(hash).await?;
		let tx = runtime::transactions().council().vote(hash, motion.index, approve);
		self.submit(&tx, signer).await
	}

	/// Closes a motion: executes it if approved (reporting the call's own outcome).
	pub async fn close(&self, signer: &Keypair, hash: H256) -> Result<Submitted> {
		let (motion, call) = self.motion(hash).await?;
		let length = self.call_length(&call).await?;
		let max_weight = self
			.api()
			.at_current_block()
			.await
			.map_err(|e| self.incompatible(e))?
			.constants()
			.entry(runtime::constants().council().max_proposal_weight())
			.map_err(|e| self.incompatible(e))?;
		let tx = runtime::transactions().council().close(hash, motion.index, max_weight, length);
		self.submit(&tx, signer).await
	}

	/// Adds a member account to the signer's institution (the signer is its admin).
	pub async fn add_member(&self, signer: &Keypair, account: AccountId32) -> Result<Submitted> {
		self.submit(&runtime::transactions().consortium().add_member(account), signer).await
	}

	/// Removes a member account from the signer's institution.
	pub async fn remove_member(&self, signer: &Keypair, account: AccountId32) -> Result<Submitted> {
		self.submit(&runtime::transactions().consortium().remove_member(account), signer).await
	}

	/// Has the node at `node_url` generate session keys owned by the signer's account, and
	/// registers them on chain (`session.set_keys`). Returns the keys, hex.
	pub async fn set_keys(&self, signer: &Keypair, node_url: &str) -> Result<(String, Submitted)> {
		let node =
			if node_url == self.url() { self.clone() } else { Chain::connect(node_url).await? };
		let owner = signer.public_key().to_account_id();
		let generated: serde_json::Value = node
			.rpc()
			.request(
				"author_rotateKeysWithOwner",
				subxt_rpcs::rpc_params![format!("0x{}", hex::encode(owner.0))],
			)
			.await
			.map_err(|e| node.rpc_error("author_rotateKeysWithOwner", e))?;
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
		let keys_bytes = field("keys")?;
		let proof = field("proof")?;
		let metadata =
			self.api().at_current_block().await.map_err(|e| self.incompatible(e))?.metadata();
		let keys_type = metadata
			.pallet_by_name("Session")
			.and_then(|p| p.call_variant_by_name("set_keys"))
			.and_then(|v| v.fields.first())
			.map(|f| f.ty.id)
			.ok_or_else(|| self.incompatible("no Session.set_keys call"))?;
		let keys = runtime::runtime_types::medtrust_runtime::SessionKeys::decode_as_type(
			&mut &keys_bytes[..],
			keys_type,
			metadata.types(),
		)
		.map_err(|e| self.incompatible(e))?;
		let submitted =
			self.submit(&runtime::transactions().session().set_keys(keys, proof), signer).await?;
		Ok((format!("0x{}", hex::encode(keys_bytes)), submitted))
	}
}

/// A short text for a call: pallet and call name with its arguments.
pub fn call_text(call: &RuntimeCall) -> String {
	let text = format!("{call:?}");
	let text = one_line(&text);
	if text.len() > 200 {
		format!("{}…", &text[..text.char_indices().nth(200).map(|(i, _)| i).unwrap_or(text.len())])
	} else {
		text
	}
}
