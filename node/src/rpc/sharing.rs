//! `medtrust_sharing*` JSON-RPC methods over the sharing runtime API (`SharingApi`): grants with
//! their receipts, deletion attestations and pending erasures, erasures, share servers'
//! endpoints, and the check a share server makes before it serves. Reads are at the best
//! block unless `at` names one; the check is at the finalized block unless `at` names one.

use std::sync::Arc;

use codec::Decode;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use medtrust_rpc_types::{
	catalog::BlockRef,
	sharing_json::{
		AttestationJson, CheckJson, ErasureJson, GrantDetailJson, GrantJson, GrantState, RangeJson,
		ReceiptJson,
	},
	wire,
};
use medtrust_runtime::{
	apis::{AttestationInfo, ErasureInfo, GrantInfo, ReceiptInfo},
	opaque::Block,
};
use pallet_sharing::{GrantStatus, RecordRange, Side};
use pallet_sharing_runtime_api::SharingApi;
use sc_client_api::{StorageKey, StorageProvider};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::catalog::{error, read_at};

type Hash = <Block as BlockT>::Hash;

/// The most grants in one page.
pub const MAX_GRANTS_PAGE: u32 = 1000;

/// The sharing JSON-RPC methods.
#[rpc(client, server)]
pub trait SharingRpc {
	/// One grant with its receipts, deletion attestations and pending erasures, or `null`.
	#[method(name = "medtrust_sharingGrant")]
	fn grant(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<GrantDetailJson>>;

	/// An institution's grants (`side` `granted`) or the grants to it (`received`), from id
	/// `from` (default 0), at most `limit` (default and most 1,000), ascending.
	#[method(name = "medtrust_sharingGrants")]
	fn grants(
		&self,
		institution: u32,
		side: String,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<GrantJson>>;

	/// One erasure, or `null`.
	#[method(name = "medtrust_sharingErasure")]
	fn erasure(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<ErasureJson>>;

	/// Where an institution's share server answers, or `null`.
	#[method(name = "medtrust_sharingEndpoint")]
	fn endpoint(&self, institution: u32, at: Option<Hash>) -> RpcResult<Option<String>>;

	/// Whether institution `requester` may be served `records` of grant `id`: `refusal` null,
	/// or why not (`not-found`, `not-grantee`, `revoked`, `expired`, `outside-grant`). At
	/// the finalized block unless `at` names one.
	#[method(name = "medtrust_sharingCheck")]
	fn check(
		&self,
		id: u64,
		requester: u32,
		records: Vec<RangeJson>,
		at: Option<Hash>,
	) -> RpcResult<CheckJson>;
}

/// Serves the sharing methods from a client.
pub struct Sharing<C, B> {
	client: Arc<C>,
	_backend: std::marker::PhantomData<B>,
}

impl<C, B> Sharing<C, B> {
	/// Serves the sharing methods from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _backend: Default::default() }
	}
}

fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// A grant as JSON; `now` (seconds since the Unix epoch, the block's time) decides expiry.
pub fn grant_json(id: u64, g: &GrantInfo, now: u64) -> GrantJson {
	let (state, revoked_at) = match g.status {
		GrantStatus::Revoked { at } => (GrantState::Revoked, Some(at)),
		GrantStatus::Active if now >= g.expires => (GrantState::Expired, None),
		GrantStatus::Active => (GrantState::Active, None),
	};
	GrantJson {
		id,
		grantor: g.grantor,
		grantee: g.grantee,
		grantee_key: g.grantee_key,
		certificates: g.scope.certificates.to_vec(),
		records: g.scope.records.iter().map(|r| RangeJson::from(*r)).collect(),
		record_count: g.record_count,
		subject: g.scope.subject.map(|s| hex0x(&s)),
		purpose: g.purpose,
		legal_basis: g.legal_basis.as_str().to_string(),
		expires: g.expires,
		package: hex0x(&g.package),
		granted: g.granted,
		state,
		revoked_at,
		receipts: g.receipts,
		attestations: g.attestations,
		pending: g.pending,
	}
}

fn receipt_json(r: &ReceiptInfo) -> ReceiptJson {
	ReceiptJson { records: r.records, ciphertext: hex0x(&r.ciphertext), at: r.at }
}

fn attestation_json(a: &AttestationInfo) -> AttestationJson {
	AttestationJson { erasure: a.erasure, at: a.at }
}

fn erasure_json(id: u64, e: &ErasureInfo) -> ErasureJson {
	ErasureJson {
		id,
		institution: e.institution,
		certificates: e.scope.certificates.to_vec(),
		records: e.scope.records.iter().map(|r| RangeJson::from(*r)).collect(),
		record_count: e.record_count,
		subject: e.scope.subject.map(|s| hex0x(&s)),
		grants: e.grants.to_vec(),
		at: e.at,
	}
}

impl<C, B> Sharing<C, B>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ StorageProvider<Block, B>
		+ Send
		+ Sync
		+ 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
{
	/// The time of block `hash` (its `Timestamp::Now`), in seconds since the Unix epoch.
	fn time_at(&self, hash: Hash) -> RpcResult<u64> {
		let key = [sp_crypto_hashing::twox_128(b"Timestamp"), sp_crypto_hashing::twox_128(b"Now")]
			.concat();
		let Some(data) = self.client.storage(hash, &StorageKey(key)).map_err(error)? else {
			return Ok(0);
		};
		let millis = u64::decode(&mut data.0.as_slice())
			.map_err(|e| error(format!("the block's time does not decode: {e}")))?;
		Ok(millis / 1000)
	}
}

impl<C, B> SharingRpcServer for Sharing<C, B>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ StorageProvider<Block, B>
		+ Send
		+ Sync
		+ 'static,
	C::Api: SharingApi<Block, GrantInfo, ReceiptInfo, AttestationInfo, ErasureInfo>,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
{
	fn grant(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<GrantDetailJson>> {
		let (hash, block) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		let Some(grant) = api.grant(hash, id).map_err(error)? else { return Ok(None) };
		let now = self.time_at(hash)?;
		Ok(Some(GrantDetailJson {
			grant: grant_json(id, &grant, now),
			receipt_list: api.receipts(hash, id).map_err(error)?.iter().map(receipt_json).collect(),
			attestation_list: api
				.attestations(hash, id)
				.map_err(error)?
				.iter()
				.map(attestation_json)
				.collect(),
			pending_erasures: api.pending_deletions(hash, id).map_err(error)?,
			block,
		}))
	}

	fn grants(
		&self,
		institution: u32,
		side: String,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<GrantJson>> {
		let side: Side = wire::parse(&side).map_err(error)?;
		let limit = limit.unwrap_or(MAX_GRANTS_PAGE).min(MAX_GRANTS_PAGE);
		let (hash, _) = read_at(&*self.client, at)?;
		let now = self.time_at(hash)?;
		let grants = self
			.client
			.runtime_api()
			.grants(hash, institution, side, from.unwrap_or(0), limit)
			.map_err(error)?;
		Ok(grants.iter().map(|(id, g)| grant_json(*id, g, now)).collect())
	}

	fn erasure(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<ErasureJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let found = self.client.runtime_api().erasure(hash, id).map_err(error)?;
		Ok(found.map(|e| erasure_json(id, &e)))
	}

	fn endpoint(&self, institution: u32, at: Option<Hash>) -> RpcResult<Option<String>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let found = self.client.runtime_api().endpoint(hash, institution).map_err(error)?;
		Ok(found.map(|url| String::from_utf8_lossy(&url).into_owned()))
	}

	fn check(
		&self,
		id: u64,
		requester: u32,
		records: Vec<RangeJson>,
		at: Option<Hash>,
	) -> RpcResult<CheckJson> {
		if records.len() > pallet_sharing_max_ranges() {
			return Err(error(format!("at most {} ranges", pallet_sharing_max_ranges())));
		}
		let at = at.or_else(|| Some(self.client.info().finalized_hash));
		let (hash, block): (Hash, BlockRef) = read_at(&*self.client, at)?;
		let ranges: Vec<RecordRange> = records.into_iter().map(RecordRange::from).collect();
		let answer = self.client.runtime_api().check(hash, id, requester, ranges).map_err(error)?;
		Ok(CheckJson { refusal: answer.err(), block })
	}
}

/// The most ranges a check takes: a grant's own bound.
fn pallet_sharing_max_ranges() -> usize {
	<medtrust_runtime::Runtime as pallet_sharing::Config>::MaxRanges::get() as usize
}
