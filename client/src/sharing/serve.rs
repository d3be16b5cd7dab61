//! `share serve`: the grantor's share server. It serves the ciphertext and the wrapped keys of
//! granted records only, to requests signed by a member account of the grantee institution,
//! each checked against the grant at the finalized block (active, not expired, not revoked,
//! the records within it), its nonce new and its time near; bounded as the lineage gateway is
//! (the same server code, [`crate::server`]). Every refusal is logged.

use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	sync::{Arc, Mutex},
};

use medtrust_rpc_types::sharing_json::{CheckJson, RangeJson, Refusal};
use subxt_rpcs::rpc_params;

use crate::{
	certificates::{anchor::dir::read_ciphertexts, archive::Archive, keys::KeyStore},
	server::{self, Access, JsonReply, JsonRequest, Limits, Reply},
	sharing::{
		grant::{GrantStore, SharedRun},
		scope,
		transfer::{FetchRequest, ReplayGuard, RequestRefusal, Served, ServedRecord},
	},
	Chain, Result,
};

/// The path fetches are posted to.
pub const FETCH_PATH: &str = "/share/v1/fetch";

/// How `share serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
	pub listen: SocketAddr,
	/// The institution's key directory (key-encryption keys and grant records).
	pub keys: PathBuf,
	pub limits: Limits,
}

struct State {
	chain: Chain,
	keys: PathBuf,
	guard: Mutex<ReplayGuard>,
}

/// Serves fetches until the process ends; `bound` hears the address once listening.
pub async fn serve(
	chain: Chain,
	options: ServeOptions,
	bound: impl FnOnce(SocketAddr),
) -> Result<()> {
	let (listener, address) = server::bind(options.listen).await?;
	bound(address);
	let state =
		Arc::new(State { chain, keys: options.keys, guard: Mutex::new(ReplayGuard::new(1 << 20)) });
	let handler = move |request: JsonRequest| {
		let state = state.clone();
		async move { handle(request, &state).await }
	};
	server::serve(listener, options.limits, Access::Signed, handler, |path, status, body| {
		tracing::warn!("refused {path} ({status}): {}", body["error"]);
	})
	.await
}

fn refuse(status: u16, reason: impl ToString) -> Reply {
	Reply::Json(JsonReply::refuse(status, reason))
}

async fn handle(request: JsonRequest, state: &State) -> Reply {
	if request.path != FETCH_PATH {
		return refuse(404, format!("fetches are posted to {FETCH_PATH}"));
	}
	let fetch: FetchRequest = match serde_json::from_slice(&request.body) {
		Ok(fetch) => fetch,
		Err(e) => return refuse(400, format!("not a fetch: {e}")),
	};
	match fetch_records(&fetch, state).await {
		Ok(served) => {
			tracing::info!(
				"grant #{} served {} records to {}",
				fetch.grant,
				served.records.len(),
				fetch.account
			);
			Reply::Bytes { status: 200, content_type: "application/cbor", body: served.encode() }
		}
		Err(reply) => reply,
	}
}

/// The checks, in order, then the records.
async fn fetch_records(fetch: &FetchRequest, state: &State) -> std::result::Result<Served, Reply> {
	let refused = |r: RequestRefusal| refuse(r.status(), r);
	let account = fetch.verify(&state.chain.genesis()).map_err(refused)?;
	let admitted =
		state.guard.lock().map(|mut g| g.admit(&fetch.nonce, fetch.time, scope::unix_now()));
	admitted.unwrap_or(Err(RequestRefusal::Busy)).map_err(refused)?;
	let unavailable = |e: crate::Error| refuse(503, e);
	let finalized =
		state.chain.legacy().chain_get_finalized_head().await.map_err(|e| refuse(503, e))?;
	let institution: Option<u32> = state
		.chain
		.call("medtrust_consortiumInstitutionOf", rpc_params![account.to_string(), finalized])
		.await
		.map_err(unavailable)?;
	let Some(institution) = institution else {
		return Err(refuse(403, format!("{account} is not a member of an institution")));
	};
	let check: CheckJson = state
		.chain
		.call(
			"medtrust_sharingCheck",
			rpc_params![fetch.grant, institution, &fetch.records, finalized],
		)
		.await
		.map_err(unavailable)?;
	if let Some(refusal) = check.refusal {
		let status = if refusal == Refusal::NotFound { 404 } else { 403 };
		return Err(refuse(status, format!("grant #{}: {refusal}", fetch.grant)));
	}
	served(fetch.grant, &fetch.records, &state.keys).map_err(|e| match e.kind() {
		crate::error::ErrorKind::NotFound => refuse(410, e),
		_ => refuse(500, e),
	})
}

/// The records `ranges` of grant `grant` as served: each record's key wrapped, its ciphertext
/// and portable certificate. An erased record refuses the whole request (nothing served).
pub fn served(grant: u64, ranges: &[RangeJson], keys: &Path) -> Result<Served> {
	let record = GrantStore::new(keys).get(grant)?;
	let run = SharedRun::open(&record.dir, &KeyStore::new(keys))?;
	let wrapping = GrantStore::wrapping(&record, &run.data_key)?;
	let enc = crate::sharing::grant::hex32(&record.enc)?;
	let ciphertexts = read_ciphertexts(&run.dir.ciphertexts())?;
	let archive = run.state.batch.then(|| Archive::open(&run.dir.archive())).transpose()?;
	let mut records = Vec::new();
	for position in scope::positions(ranges) {
		let index = position - 1;
		let key = run.table.record_key(index, run.key.source, run.key.resource)?;
		let ciphertext = ciphertexts
			.get(index as usize)
			.ok_or_else(|| crate::Error::not_found("ciphertext of record", position))?
			.to_vec();
		let certificate = match &archive {
			Some(archive) => archive.extract(position)?.1,
			None => std::fs::read(run.dir.certificate(position))
				.map_err(|e| crate::Error::io("read", &run.dir.certificate(position), e))?,
		};
		records.push(ServedRecord {
			position,
			wrapped_key: wrapping.wrap(position, &key)?,
			ciphertext,
			certificate,
		});
	}
	Ok(Served { grant, enc, kek_version: run.key.wrapped.kek_version, records })
}
