//! `lineage serve`: an HTTP endpoint where OpenLineage's HTTP transport posts run events
//! (`POST /api/v1/lineage`, one event or an array), so a real integration (Spark, Airflow,
//! dbt, `openlineage-python`) sends its events to MedTrust unchanged.
//!
//! Each event is read at once: a malformed or oversized event is refused with 400 or 413, a
//! run beyond the chain's bounds with 422 naming the bound, a run writing a dataset another
//! institution writes or reading a certificate that does not exist with 409 or 400, and a
//! run whose id is on chain with other lineage with 409 naming the difference; nothing of a
//! refused event is kept. A run that wrote nothing is acknowledged and skipped. An event
//! delivered again (OpenLineage's HTTP transport delivers at least once), or a run the chain
//! holds already with the same lineage, is acknowledged with 200 and recorded once. A run is
//! recorded when its `COMPLETE` event arrives: complete runs are gathered for a moment and
//! recorded together ([`Chain::record_runs`]: batched, a run too large for one call in
//! parts); what the chain refuses then is logged with its run.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use serde_json::{json, Value};
use subxt_signer::sr25519::Keypair;
use tokio::{
	io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
	net::{TcpListener, TcpStream},
	sync::{mpsc, Mutex},
};

use super::{
	openlineage::{Gatherer, Outcome, Run},
	plan::{Bounds, RefusalKind},
	record::{OnRefusal, RunStatus},
};
use crate::{Chain, Error, Result};

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
	/// The largest request body accepted, in bytes.
	pub max_body: usize,
	/// How long complete runs are gathered before a batch is submitted.
	pub window: Duration,
	/// Where recorded runs' events are kept.
	pub store: Option<super::EventStore>,
}

impl Default for GatewayOptions {
	fn default() -> Self {
		GatewayOptions {
			listen: SocketAddr::from(([127, 0, 0, 1], 5000)),
			path: "/api/v1/lineage".into(),
			max_body: 8 << 20,
			window: Duration::from_millis(500),
			store: None,
		}
	}
}

/// What the gateway says about a request.
struct Reply {
	status: u16,
	body: Value,
}

impl Reply {
	fn refuse(status: u16, reason: impl ToString) -> Self {
		Reply { status, body: json!({ "error": reason.to_string() }) }
	}
}

struct State {
	chain: Chain,
	bounds: Bounds,
	institution: u32,
	gatherer: Mutex<Gatherer>,
	queue: mpsc::Sender<Run>,
	options: GatewayOptions,
}

/// Serves until the process ends; `ready` is told the address once listening. Logs each
/// recorded batch and each refusal on standard error.
pub async fn serve(
	chain: Chain,
	signer: Keypair,
	options: GatewayOptions,
	ready: impl FnOnce(SocketAddr),
) -> Result<()> {
	let listener = TcpListener::bind(options.listen)
		.await
		.map_err(|e| Error::Input(format!("cannot listen on {}: {e}", options.listen)))?;
	let address = listener.local_addr().map_err(|e| Error::Input(e.to_string()))?;
	let institution = chain.institution_of(&signer.public_key().to_account_id()).await?;
	let bounds = chain.lineage_bounds().await?;
	let (queue, runs) = mpsc::channel(QUEUE);
	let state = Arc::new(State {
		chain: chain.clone(),
		bounds,
		institution,
		gatherer: Mutex::new(Gatherer::default()),
		queue,
		options: options.clone(),
	});
	tokio::spawn(submitter(chain, signer, runs, options.window, options.store.clone()));
	ready(address);
	loop {
		let Ok((stream, _)) = listener.accept().await else { continue };
		let state = state.clone();
		tokio::spawn(async move {
			if let Err(e) = connection(stream, &state).await {
				eprintln!("lineage serve: connection closed: {e}");
			}
		});
	}
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
		match chain.record_runs(&signer, &batch, store, OnRefusal::RecordTheRest).await {
			Ok(report) => {
				eprintln!(
					"lineage serve: recorded {} runs ({} already recorded, {} wrote nothing)",
					report.recorded.len(),
					report.already_recorded.len(),
					report.skipped.len()
				);
				for refused in &report.refused {
					eprintln!("lineage serve: refused {refused}");
				}
			}
			Err(e) => {
				eprintln!("lineage serve: a batch of {} runs was not recorded: {e}", batch.len())
			}
		}
	}
}

fn uuid(run: &Run) -> String {
	medtrust_primitives::lineage_json::uuid(&run.run_id)
}

/// One request: its method, path, and body (or why it cannot be read).
struct Request {
	method: String,
	path: String,
	body: std::result::Result<Vec<u8>, Reply>,
	close: bool,
}

/// Reads one HTTP/1.1 request; `None` when the peer closed the connection.
async fn read_request(
	reader: &mut BufReader<TcpStream>,
	max_body: usize,
) -> std::io::Result<Option<Request>> {
	let mut line = String::new();
	if reader.read_line(&mut line).await? == 0 {
		return Ok(None);
	}
	let mut parts = line.split_whitespace();
	let method = parts.next().unwrap_or_default().to_string();
	let path = parts.next().unwrap_or_default().to_string();
	let (mut length, mut close, mut chunked) = (0usize, false, false);
	loop {
		let mut header = String::new();
		if reader.read_line(&mut header).await? == 0 || header.trim().is_empty() {
			break;
		}
		let Some((name, value)) = header.split_once(':') else { continue };
		let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_ascii_lowercase());
		match name.as_str() {
			"content-length" => length = value.parse().unwrap_or(usize::MAX),
			"connection" => close = value == "close",
			"transfer-encoding" => chunked = value.contains("chunked"),
			_ => {}
		}
	}
	let body = if chunked {
		Err(Reply::refuse(411, "send the event with a Content-Length"))
	} else if length > max_body {
		Err(Reply::refuse(413, format!("the body is over {max_body} bytes")))
	} else {
		let mut body = vec![0; length];
		reader.read_exact(&mut body).await?;
		Ok(body)
	};
	// A body left unread makes the connection unusable.
	let close = close || body.is_err();
	Ok(Some(Request { method, path, body, close }))
}

async fn connection(stream: TcpStream, state: &State) -> std::io::Result<()> {
	let mut reader = BufReader::new(stream);
	while let Some(request) = read_request(&mut reader, state.options.max_body).await? {
		let path = request.path.split('?').next().unwrap_or_default();
		let reply = if path.trim_end_matches('/') != state.options.path.trim_end_matches('/') {
			Reply::refuse(404, format!("events are posted to {}", state.options.path))
		} else if request.method != "POST" {
			Reply::refuse(405, "events are POSTed")
		} else {
			match request.body {
				Ok(body) => handle(&body, state).await,
				Err(reply) => reply,
			}
		};
		let text = reply.body.to_string();
		let head = format!(
			"HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{}\r\n",
			reply.status,
			reason(reply.status),
			text.len(),
			if request.close { "connection: close\r\n" } else { "" }
		);
		let stream = reader.get_mut();
		stream.write_all(head.as_bytes()).await?;
		stream.write_all(text.as_bytes()).await?;
		if reply.status >= 400 {
			eprintln!("lineage serve: refused ({}): {}", reply.status, reply.body["error"]);
		}
		if request.close {
			break;
		}
	}
	Ok(())
}

fn reason(status: u16) -> &'static str {
	match status {
		200 => "OK",
		201 => "Created",
		400 => "Bad Request",
		404 => "Not Found",
		405 => "Method Not Allowed",
		409 => "Conflict",
		411 => "Length Required",
		413 => "Payload Too Large",
		_ => "Error",
	}
}

/// Takes the events of one request: 201 when something new was accepted, 200 when every
/// event was one delivered before (or of a run on chain already), or the first refusal.
async fn handle(body: &[u8], state: &State) -> Reply {
	let value: Value = match serde_json::from_slice(body) {
		Ok(v) => v,
		Err(e) => return Reply::refuse(400, format!("not JSON: {e}")),
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
			Err(e) => return Reply::refuse(400, e),
			Ok(Outcome::Complete(run)) => match complete(*run, state).await {
				Ok(answer) => answer,
				Err(reply) => return reply,
			},
			Ok(Outcome::Pending) => json!({ "status": "pending" }),
			Ok(Outcome::Dropped) => json!({ "status": "dropped: the run failed or was aborted" }),
			Ok(Outcome::Repeated { run_id, .. }) => {
				answers.push(json!({
					"runId": medtrust_primitives::lineage_json::uuid(&run_id),
					"status": "already recorded"
				}));
				continue;
			}
		};
		if answer["status"] != "already recorded" {
			fresh = true;
		}
		// Accepted: kept (a repeat of it is then known as such).
		state.gatherer.lock().await.add(event).ok();
		answers.push(answer);
	}
	Reply { status: if fresh { 201 } else { 200 }, body: json!({ "events": answers }) }
}

/// A complete run: queued, skipped, acknowledged as recorded already, or refused.
async fn complete(run: Run, state: &State) -> std::result::Result<Value, Reply> {
	let id = uuid(&run);
	let mut owners = Default::default();
	let status =
		state.chain.classify_run(&run, &state.bounds, state.institution, &mut owners).await;
	match status.map_err(|e| Reply::refuse(503, e))? {
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
			Err(Reply::refuse(status, format!("run {id} of job {job}: {why}")))
		}
		RunStatus::ToRecord { .. } => {
			if state.queue.try_send(run).is_err() {
				return Err(Reply::refuse(503, "the gateway's queue is full; send again later"));
			}
			Ok(json!({ "runId": id, "status": "queued" }))
		}
	}
}
