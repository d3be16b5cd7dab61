//! `medtrust_*` JSON-RPC methods over the relations runtime API (`RelationsApi`): relations
//! between data items (数据来源确认), of an item, a resource, between two sources, and the
//! proposals awaiting an institution. Every method reads at the best block unless `at` names
//! one, and says which block it read.

use std::sync::Arc;

use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use medtrust_rpc_types::relation_json::{EndpointJson, RelationJson, RelationsPage};
use medtrust_runtime::{apis::RelationInfo, opaque::Block};
use pallet_field_mapping::Endpoint;
use pallet_field_mapping_runtime_api::RelationsApi;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::catalog::{error, read_at};

/// The most relations in one page of the paged methods.
pub const MAX_RELATIONS_PAGE: u32 = 1000;

type Hash = <Block as BlockT>::Hash;

/// The relations' JSON-RPC methods.
#[rpc(client, server)]
pub trait RelationsRpc {
	/// One relation, whatever its status, or `null`.
	#[method(name = "medtrust_relationsGet", aliases = ["medtrust_relation"])]
	fn relation(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<RelationJson>>;

	/// The open (proposed or confirmed) relations of one data item.
	#[method(name = "medtrust_relationsOfItem")]
	fn relations_of_item(
		&self,
		resource: u64,
		version: u32,
		item: String,
		at: Option<Hash>,
	) -> RpcResult<RelationsPage>;

	/// The open relations of a resource's items at its current version.
	#[method(name = "medtrust_relationsOfResource")]
	fn relations_of_resource(&self, resource: u64, at: Option<Hash>) -> RpcResult<RelationsPage>;

	/// Up to `limit` (default and most 1000) open relations between items of two data
	/// sources, either way round, skipping `skip` (default 0). Pass the returned `at.hash`
	/// and `next` to read the next page at the same block.
	#[method(name = "medtrust_relationsBetween")]
	fn relations_between(
		&self,
		source: u64,
		other: u64,
		skip: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<RelationsPage>;

	/// Up to `limit` (default and most 1000) proposed relations awaiting an institution's
	/// decision, skipping `skip` (default 0); paged as `medtrust_relationsBetween`.
	#[method(name = "medtrust_relationsAwaiting")]
	fn relations_awaiting(
		&self,
		institution: u32,
		skip: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<RelationsPage>;
}

/// The relations' RPC methods over a client.
pub struct Relations<C> {
	client: Arc<C>,
}

impl<C> Relations<C> {
	/// Serves relations from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

fn endpoint_json(end: Endpoint<medtrust_runtime::Runtime>) -> EndpointJson {
	EndpointJson {
		resource: end.item.resource,
		version: end.item.version,
		item: String::from_utf8_lossy(end.item.item.as_bytes()).into_owned(),
		source: end.source,
		institution: end.institution,
		accepted: end.accepted,
	}
}

/// A stored relation as JSON.
pub fn relation_json(id: u64, r: RelationInfo) -> RelationJson {
	RelationJson {
		id,
		left: endpoint_json(r.left),
		right: endpoint_json(r.right),
		kind: r.kind,
		score: f64::from(r.score.deconstruct()) / 1_000_000.0,
		evidence: format!("0x{}", hex::encode(r.evidence)),
		proposer: r.proposer,
		status: r.status,
		proposed: r.proposed,
		updated: r.updated,
	}
}

/// The page's relations as JSON, and the `skip` of the next page if this one is full.
fn page(
	at: medtrust_rpc_types::catalog::BlockRef,
	found: Vec<(u64, RelationInfo)>,
	paged: Option<(u32, u32)>,
) -> RelationsPage {
	let next = paged
		.filter(|(_, limit)| found.len() as u32 == *limit)
		.map(|(skip, limit)| skip.saturating_add(limit));
	let relations = found.into_iter().map(|(id, r)| relation_json(id, r)).collect();
	RelationsPage { at, relations, next }
}

fn limits(skip: Option<u32>, limit: Option<u32>) -> (u32, u32) {
	(skip.unwrap_or(0), limit.unwrap_or(MAX_RELATIONS_PAGE).clamp(1, MAX_RELATIONS_PAGE))
}

impl<C> RelationsRpcServer for Relations<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: RelationsApi<Block, RelationInfo>,
{
	fn relation(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<RelationJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let found = self.client.runtime_api().relation(hash, id).map_err(error)?;
		Ok(found.map(|r| relation_json(id, r)))
	}

	fn relations_of_item(
		&self,
		resource: u64,
		version: u32,
		item: String,
		at: Option<Hash>,
	) -> RpcResult<RelationsPage> {
		let (hash, block) = read_at(&*self.client, at)?;
		let found = self
			.client
			.runtime_api()
			.relations_of_item(hash, resource, version, item.into_bytes())
			.map_err(error)?;
		Ok(page(block, found, None))
	}

	fn relations_of_resource(&self, resource: u64, at: Option<Hash>) -> RpcResult<RelationsPage> {
		let (hash, block) = read_at(&*self.client, at)?;
		let found =
			self.client.runtime_api().relations_of_resource(hash, resource).map_err(error)?;
		Ok(page(block, found, None))
	}

	fn relations_between(
		&self,
		source: u64,
		other: u64,
		skip: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<RelationsPage> {
		let (hash, block) = read_at(&*self.client, at)?;
		let (skip, limit) = limits(skip, limit);
		let found = self
			.client
			.runtime_api()
			.relations_between(hash, source, other, skip, limit)
			.map_err(error)?;
		Ok(page(block, found, Some((skip, limit))))
	}

	fn relations_awaiting(
		&self,
		institution: u32,
		skip: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<RelationsPage> {
		let (hash, block) = read_at(&*self.client, at)?;
		let (skip, limit) = limits(skip, limit);
		let found =
			self.client.runtime_api().awaiting(hash, institution, skip, limit).map_err(error)?;
		Ok(page(block, found, Some((skip, limit))))
	}
}
