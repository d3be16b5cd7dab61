//! `lineage serve`: an HTTP endpoint where OpenLineage's HTTP transport posts run events
//! (`POST /api/v1/lineage`, one event or an array), so a real integration (Spark, Airflow,
//! dbt, `openlineage-python`) sends its events to MedTrust unchanged.
//!
//! It signs with the institution's key, so it serves only who holds its token (OpenLineage's
//! `auth: {type: api_key, apiKey: <token>}` sends it as a bearer token), never a web page, and
//! within bounds ([`crate::server`]: headers, bodies, connections, time). Runs waiting for
//! their `COMPLETE` event are capped in number, events, bytes and age
//! ([`PendingLimits::GATEWAY`]); complete runs wait in a bounded queue (503 when full).
//!
//! Each event is read at once: a malformed or oversized event is refused with 400 or 413, a
//! run beyond the chain's bounds with 422 naming the bound, a run writing a dataset another
//! institution writes or reading a certificate that does not exist with 409 or 400, and a
//! run whose id is on chain with other lineage with 409 naming the difference; nothing of a
//! refused event is kept. A run that wrote nothing is acknowledged and skipped. An event
//! delivered again (OpenLineage's HTTP transport delivers at least once), or a run the chain
//! holds already with the same lineage, is acknowledged with 200 and recorded once. A run is
//! recorded when its `COMPLETE` event arrives: complete runs are gathered for a moment and
//! recorded together ([`Lineage::record_runs`]: batched, a run too large for one call in
//! parts); what the chain refuses then is logged with its run.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use serde_json::{json, Value};
use subxt_signer::sr25519::Keypair;
use tokio::sync::{mpsc, Mutex};

use super::{
	openlineage::{Gatherer, Outcome, PendingLimits, Run},
	plan::{Bounds, RefusalKind},
	record::{OnRefusal, RunStatus},
};
use crate::{
	server::{self, JsonReply, JsonRequest, Limits, Token},
	Chain, Result,
};

/// The most complete runs waiting to be recorded: past it a run is refused with 503 (the
/// client sends it again later).
pub const QUEUE: usize = 10_000;

/// Where and how the gateway listens.
#[derive(Clone, Debug)]
pub struct GatewayOptions {
	/// The address to listen on (loopback by default).
	pub listen: SocketAddr,
	/// The path events are posted to.
	pub path: String,
	/// The file holding the bearer token clients must send (made, 0600, on first start).
	pub token_file: PathBuf,
	/// What a client may make the server hold (the body limit is 8 MiB: a 4,096-input event
	/// with column lineage is over 1 MiB).
	pub limits: Limits,
	/// What is kept of runs not complete yet.
	pub pending: PendingLimits,
	/// How long complete runs are gathered before a batch is submitted.
	pub window: Duration,
	/// Where recorded runs' events are kept.
	pub store: Option<super::EventStore>,
}

impl GatewayOptions {
	/// The defaults, with the token in `token_file`.
	pub fn new(token_file: PathBuf) -> Self {
		GatewayOptions {
			listen: SocketAddr::from(([127, 0, 0, 1], 5000)),
			path: "/api/v1/lineage".into(),
			token_file,
			limits: Limits::default(),
			pending: PendingLimits::GATEWAY,
			window: Duration::from_millis(500),
			store: None,
		}
	}
}

/// The default token file: `~/.medtrust/lineage-gateway.token`.
pub fn default_token_file() -> PathBuf {
	let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
	home.join(".medtrust").join("lineage-gateway.token")
}

/// What the gateway tells once it listens.
pub struct Listening {
	pub address: SocketAddr,
	pub token_file: PathBuf,
	/// Whether the token was made now (clients must be given it).
	pub token_created: bool,
}

struct State {
	chain: Chain,
	bounds: Bounds,
	institution: u32,
	gatherer: Mutex<Gatherer>,
	queue: mpsc::Sender<Run>,
	path: String,
}

/// Serves until the process ends; `ready` is told where once listening. Logs (the `log`
/// crate, target `medtrust_client::lineage::gateway`) each recorded batch and each refusal.
pub async fn serve(
	chain: Chain,
	signer: Keypair,
	options: GatewayOptions,
	ready: impl FnOnce(Listening),
) -> Result<()> {
	let (token, token_created) = Token::load_or_create(&options.token_file)?;
	let (listener, address) = server::bind(options.listen).await?;
	let institution =
		chain.consortium().institution_of(&signer.public_key().to_account_id()).await?;
	let bounds = chain.lineage().bounds().await?;
	let (queue, runs) = mpsc::channel(QUEUE);
	let state = Arc::new(State {
		chain: chain.clone(),
		bounds,
		institution,
		gatherer: Mutex::new(Gatherer::bounded(options.pending)),
		queue,
		path: options.path.clone(),
	});
	tokio::spawn(submitter(chain, signer, runs, options.window, options.store.clone()));
	ready(Listening { address, token_file: options.token_file.clone(), token_created });
	let handler = move |request: JsonRequest| {
		let state = state.clone();
		async move { handle(request, &state).await }
	};
	server::serve(
		listener,
		options.limits,
		server::Access::Bearer(token),
		handler,
		|path, status, body| {
			tracing::warn!("refused {path} ({status}): {}", body["error"]);
		},
	)
	.await
}

/// Submits complete runs in batches, gathered for `window` after the first arrives.
async fn submitter(
	chain: Chain,
	signer: Keypair,
	mut runs: mpsc::Receiver<Run>,
	window: Duration,
	store: Option<super::EventStore>,
) {
	let store = store.as_ref();
	while let Some(first) = runs.recv().await {
		let mut batch = vec![first];
		let deadline = tokio::time::Instant::now() + window;
		while let Ok(Some(run)) = tokio::time::timeout_at(deadline, runs.recv()).await {
			batch.push(run);
		}
		match chain.lineage().record_runs(&signer, &batch, store, OnRefusal::RecordTheRest).await {
			Ok(report) => {
				tracing::info!(
					"recorded {} runs ({} already recorded, {} wrote nothing)",
					report.recorded.len(),
					report.already_recorded.len(),
					report.skipped.len()
				);
				for refused in &report.refused {
					tracing::warn!("refused {refused}");
				}
			}
			Err(e) => {
				tracing::error!("a batch of {} runs was not recorded: {e}", batch.len())
			}
		}
	}
}

fn uuid(run: &Run) -> String {
	medtrust_rpc_types::lineage_json::uuid(&run.run_id)
}

/// One request that passed the server's checks: the path, then its events.
async fn handle(request: JsonRequest, state: &State) -> JsonReply {
	if request.path.trim_end_matches('/') != state.path.trim_end_matches('/') {
		return JsonReply::refuse(404, format!("events are posted to {}", state.path));
	}
	let mut reply = events(&request.body, state).await;
	if let Value::Object(body) = &mut reply.body {
		let gatherer = state.gatherer.lock().await;
		body.insert("pendingRuns".into(), json!(gatherer.pending()));
		body.insert("forgottenRuns".into(), json!(gatherer.forgotten()));
	}
	reply
}

/// Takes the events of one request: 201 when something new was accepted, 200 when every
/// event was one delivered before (or of a run on chain already), or the first refusal.
async fn events(body: &[u8], state: &State) -> JsonReply {
	let value: Value = match serde_json::from_slice(body) {
		Ok(v) => v,
		Err(e) => return JsonReply::refuse(400, format!("not JSON: {e}")),
	};
	let events = match value {
		Value::Array(events) => events,
		one => vec![one],
	};
	let mut answers = Vec::new();
	let mut fresh = false;
	for event in events {
		// Tried on a copy of its run's events, without holding the lock across the chain's
		// answers; kept only once accepted.
		let trial = {
			let gatherer = state.gatherer.lock().await;
			match super::openlineage::run_id(&event) {
				Ok(id) => gatherer.fork(id).add(event.clone()),
				Err(e) => Err(e),
			}
		};
		let answer = match trial {
			Err(e) => return JsonReply::refuse(400, e),
			Ok(Outcome::Complete(run)) => match complete(*run, state).await {
				Ok(answer) => answer,
				Err(reply) => return reply,
			},
			Ok(Outcome::Pending) => json!({ "status": "pending" }),
			Ok(Outcome::Dropped) => json!({ "status": "dropped: the run failed or was aborted" }),
			Ok(Outcome::Repeated { run_id, .. }) => {
				answers.push(json!({
					"runId": medtrust_rpc_types::lineage_json::uuid(&run_id),
					"status": "already recorded"
				}));
				continue;
			}
		};
		if answer["status"] != "already recorded" {
			fresh = true;
		}
		// Accepted: kept (a repeat of it is then known as such).
		if let Err(e) = state.gatherer.lock().await.add(event) {
			return JsonReply::refuse(422, e);
		}
		answers.push(answer);
	}
	JsonReply { status: if fresh { 201 } else { 200 }, body: json!({ "events": answers }) }
}

/// A complete run: queued, skipped, acknowledged as recorded already, or refused.
async fn complete(run: Run, state: &State) -> std::result::Result<Value, JsonReply> {
	let id = uuid(&run);
	let mut owners = Default::default();
	let status = state
		.chain
		.lineage()
		.classify_run(&run, &state.bounds, state.institution, &mut owners)
		.await;
	match status.map_err(|e| JsonReply::refuse(503, e))? {
		RunStatus::Skipped => {
			Ok(json!({ "runId": id, "status": "skipped: the run wrote nothing" }))
		}
		RunStatus::AlreadyRecorded => Ok(json!({ "runId": id, "status": "already recorded" })),
		RunStatus::Refused(why) => {
			let status = match why.kind {
				RefusalKind::Conflict => 409,
				RefusalKind::OverBound => 422,
				RefusalKind::Malformed | RefusalKind::Missing => 400,
			};
			let job = format!("{} {}", run.job_namespace, run.job_name);
			Err(JsonReply::refuse(status, format!("run {id} of job {job}: {why}")))
		}
		RunStatus::ToRecord { .. } => {
			if state.queue.try_send(run).is_err() {
				return Err(JsonReply::refuse(
					503,
					"the gateway's queue is full; send again later",
				));
			}
			Ok(json!({ "runId": id, "status": "queued" }))
		}
	}
}
