//! `medtrust_consortiumInstitutions`, `medtrust_consortiumInstitution`, `medtrust_consortiumMembers`,
//! `medtrust_consortiumInstitutionOf`, `medtrust_consortiumMotions` and `medtrust_consortiumValidators`: the consortium over
//! JSON-RPC, so that services read every pallet through one transport. Institutions come from
//! the `ConsortiumApi` runtime API, the validator set from `AuraApi` and `GrandpaApi`, and the
//! council's open motions from its storage.

use std::sync::Arc;

use codec::{Decode, Encode};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use medtrust_primitives::{AccountId, BlockNumber};
use medtrust_rpc_types::consortium_json::{
	InstitutionDetailJson, InstitutionJson, MotionJson, MotionsJson, ValidatorJson, ValidatorsJson,
};
use medtrust_runtime::{apis::InstitutionInfo, opaque::Block, Runtime, RuntimeCall};
use pallet_consortium_runtime_api::ConsortiumApi;
use sc_client_api::{StorageKey, StorageProvider};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_consensus_aura::{sr25519::AuthorityId as AuraId, AuraApi};
use sp_consensus_grandpa::GrandpaApi;
use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use sp_runtime::traits::Block as BlockT;

use super::catalog::{error, read_at};

type Hash = <Block as BlockT>::Hash;
type Council = pallet_collective::Instance1;

/// The longest call text a motion shows.
const MAX_CALL_TEXT: usize = 200;

/// The consortium's JSON-RPC methods.
#[rpc(client, server)]
pub trait ConsortiumRpc {
	/// Every institution ever admitted (removed ones included), in id order.
	#[method(name = "medtrust_consortiumInstitutions", aliases = ["medtrust_institutions"])]
	fn institutions(&self, at: Option<Hash>) -> RpcResult<Vec<InstitutionJson>>;

	/// One institution with its member accounts, or `null`.
	#[method(name = "medtrust_consortiumInstitution", aliases = ["medtrust_institution"])]
	fn institution(&self, id: u32, at: Option<Hash>) -> RpcResult<Option<InstitutionDetailJson>>;

	/// The member accounts (SS58) of an institution, sorted.
	#[method(name = "medtrust_consortiumMembers", aliases = ["medtrust_members"])]
	fn members(&self, id: u32, at: Option<Hash>) -> RpcResult<Vec<String>>;

	/// The institution an account (SS58) belongs to, or `null`.
	#[method(name = "medtrust_consortiumInstitutionOf", aliases = ["medtrust_institutionOf"])]
	fn institution_of(&self, account: String, at: Option<Hash>) -> RpcResult<Option<u32>>;

	/// The council's open motions with their votes.
	#[method(name = "medtrust_consortiumMotions", aliases = ["medtrust_motions"])]
	fn motions(&self, at: Option<Hash>) -> RpcResult<MotionsJson>;

	/// The validator set in force: Aura and GRANDPA keys, in authoring order.
	#[method(name = "medtrust_consortiumValidators", aliases = ["medtrust_validators"])]
	fn validators(&self, at: Option<Hash>) -> RpcResult<ValidatorsJson>;

	/// Every version of an institution's encryption key, oldest first (the last is current);
	/// empty when it published none (or the runtime predates versioned keys).
	#[method(name = "medtrust_consortiumEncryptionKeys")]
	fn encryption_keys(
		&self,
		id: u32,
		at: Option<Hash>,
	) -> RpcResult<Vec<medtrust_rpc_types::sharing_json::EncryptionKeyJson>>;
}

/// The consortium's RPC methods over a client.
pub struct Consortium<C, B> {
	client: Arc<C>,
	_backend: std::marker::PhantomData<B>,
}

impl<C, B> Consortium<C, B> {
	/// Serves the consortium from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _backend: Default::default() }
	}
}

/// An account as SS58 text with the chain's prefix.
fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(medtrust_primitives::SS58_PREFIX))
}

fn institution_json(id: u32, i: &InstitutionInfo) -> InstitutionJson {
	let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
	InstitutionJson {
		id,
		name: i.name.to_string(),
		credit_code: text(&i.credit_code.0),
		region: text(&i.region.0),
		kind: i.kind,
		status: i.status,
		admin: ss58(&i.admin),
		validator: ss58(&i.validator),
		peer_id: bs58::encode(&i.peer_id).into_string(),
		encryption_key: i.encryption_key.map(|k| format!("0x{}", hex::encode(k))),
		joined: i.joined,
		member_count: i.member_count,
	}
}

/// The votes on a motion, as `pallet_collective::Votes` encodes them (its fields are private).
#[derive(Decode)]
struct Votes {
	index: u32,
	threshold: u32,
	ayes: Vec<AccountId>,
	nays: Vec<AccountId>,
	end: BlockNumber,
}

/// A call as one line of text, cut at [`MAX_CALL_TEXT`] characters.
fn call_text(call: &RuntimeCall) -> String {
	let text = format!("{call:?}").split_whitespace().collect::<Vec<_>>().join(" ");
	match text.char_indices().nth(MAX_CALL_TEXT) {
		Some((cut, _)) => format!("{}…", &text[..cut]),
		None => text,
	}
}

impl<C, B> Consortium<C, B>
where
	C: StorageProvider<Block, B> + Send + Sync + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
{
	/// A council storage value at `hash`, decoded; `None` when absent.
	fn council_value<T: Decode>(&self, hash: Hash, key: Vec<u8>) -> RpcResult<Option<T>> {
		let Some(data) = self.client.storage(hash, &StorageKey(key)).map_err(error)? else {
			return Ok(None);
		};
		T::decode(&mut data.0.as_slice())
			.map(Some)
			.map_err(|e| error(format!("council storage does not decode: {e}")))
	}

	fn motion(&self, at: Hash, motion: Hash) -> RpcResult<Option<MotionJson>> {
		let voting = pallet_collective::Voting::<Runtime, Council>::hashed_key_for(motion);
		let proposal = pallet_collective::ProposalOf::<Runtime, Council>::hashed_key_for(motion);
		let (Some(votes), Some(call)) = (
			self.council_value::<Votes>(at, voting)?,
			self.council_value::<RuntimeCall>(at, proposal)?,
		) else {
			return Ok(None);
		};
		Ok(Some(MotionJson {
			hash: format!("{motion:?}"),
			index: votes.index,
			threshold: votes.threshold,
			ayes: votes.ayes.iter().map(ss58).collect(),
			nays: votes.nays.iter().map(ss58).collect(),
			end: votes.end,
			call: call_text(&call),
			call_length: call.encoded_size() as u32,
		}))
	}
}

impl<C, B> ConsortiumRpcServer for Consortium<C, B>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ StorageProvider<Block, B>
		+ Send
		+ Sync
		+ 'static,
	C::Api: ConsortiumApi<Block, AccountId, InstitutionInfo, BlockNumber>
		+ AuraApi<Block, AuraId>
		+ GrandpaApi<Block>,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
{
	fn encryption_keys(
		&self,
		id: u32,
		at: Option<Hash>,
	) -> RpcResult<Vec<medtrust_rpc_types::sharing_json::EncryptionKeyJson>> {
		use sp_api::ApiExt;
		let (hash, _) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		let version = api
			.api_version::<dyn ConsortiumApi<Block, AccountId, InstitutionInfo, BlockNumber>>(hash)
			.map_err(error)?;
		if version.unwrap_or(1) < 3 {
			return Ok(Vec::new());
		}
		let keys = api.encryption_keys(hash, id).map_err(error)?;
		Ok(keys
			.into_iter()
			.map(|(version, key)| medtrust_rpc_types::sharing_json::EncryptionKeyJson {
				version,
				scheme: key.scheme,
				public: format!("0x{}", hex::encode(&key.public)),
				published: key.published,
			})
			.collect())
	}

	fn institutions(&self, at: Option<Hash>) -> RpcResult<Vec<InstitutionJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let all = self.client.runtime_api().institutions(hash).map_err(error)?;
		Ok(all.iter().map(|(id, i)| institution_json(*id, i)).collect())
	}

	fn institution(&self, id: u32, at: Option<Hash>) -> RpcResult<Option<InstitutionDetailJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let Some(found) = self.client.runtime_api().institution(hash, id).map_err(error)? else {
			return Ok(None);
		};
		Ok(Some(InstitutionDetailJson {
			institution: institution_json(id, &found),
			members: self.members(id, Some(hash))?,
		}))
	}

	fn members(&self, id: u32, at: Option<Hash>) -> RpcResult<Vec<String>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let mut members: Vec<String> =
			self.client.runtime_api().members(hash, id).map_err(error)?.iter().map(ss58).collect();
		members.sort();
		Ok(members)
	}

	fn institution_of(&self, account: String, at: Option<Hash>) -> RpcResult<Option<u32>> {
		let account = AccountId::from_ss58check(account.trim())
			.map_err(|_| error(format!("`{account}` is not an SS58 account address")))?;
		let (hash, _) = read_at(&*self.client, at)?;
		self.client.runtime_api().institution_of(hash, account).map_err(error)
	}

	fn motions(&self, at: Option<Hash>) -> RpcResult<MotionsJson> {
		let (hash, block) = read_at(&*self.client, at)?;
		let proposals = pallet_collective::Proposals::<Runtime, Council>::hashed_key();
		let hashes: Vec<Hash> = self.council_value(hash, proposals.to_vec())?.unwrap_or_default();
		let mut motions = Vec::with_capacity(hashes.len());
		for motion in hashes {
			motions.extend(self.motion(hash, motion)?);
		}
		Ok(MotionsJson { at: block, motions })
	}

	fn validators(&self, at: Option<Hash>) -> RpcResult<ValidatorsJson> {
		let (hash, block) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		let aura = api.authorities(hash).map_err(error)?;
		let grandpa = api.grandpa_authorities(hash).map_err(error)?;
		let validators = aura
			.iter()
			.enumerate()
			.map(|(i, key)| ValidatorJson {
				aura: ss58(&AccountId::from(key.clone().into_inner())),
				grandpa: grandpa
					.get(i)
					.map(|(key, _weight)| format!("0x{}", hex::encode(AsRef::<[u8]>::as_ref(key))))
					.unwrap_or_default(),
			})
			.collect();
		Ok(ValidatorsJson { at: block, validators })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn motion_votes_decode_as_the_council_encodes_them() {
		let alice = AccountId::from([1u8; 32]);
		let bob = AccountId::from([2u8; 32]);
		// `pallet_collective::Votes` encodes its fields in declaration order; keep in step.
		let encoded = (7u32, 3u32, vec![alice.clone()], vec![bob.clone()], 42u32).encode();
		let votes = Votes::decode(&mut encoded.as_slice()).expect("the council's layout");
		assert_eq!((votes.index, votes.threshold, votes.end), (7, 3, 42));
		assert_eq!((votes.ayes, votes.nays), (vec![alice], vec![bob]));
	}

	#[test]
	fn long_calls_are_cut_to_one_line_of_200_characters() {
		let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 500] });
		let text = call_text(&call);
		assert!(!text.contains('\n'));
		assert_eq!(text.chars().count(), MAX_CALL_TEXT + 1, "{text}");
	}
}
