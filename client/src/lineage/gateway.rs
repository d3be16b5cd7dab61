//! `lineage serve`: an HTTP endpoint where OpenLineage's HTTP transport posts run events
//! (`POST /api/v1/lineage`, one event or an array), so a real integration (Spark, Airflow,
//! dbt, `openlineage-python`) sends its events to MedTrust unchanged.
//!
//! Each event is read at once: a malformed or oversized event, a run whose names exceed the
//! chain's bounds, an output dataset another institution writes, or an input certificate
//! that does not exist is refused with a 4xx status and the reason (which the client logs),
//! and nothing of it is recorded. A run is recorded when its `COMPLETE` event arrives:
//! complete runs are gathered for a moment and signed and submitted in batches; a batch the
//! chain refuses is retried run by run, so one bad run does not sink the others, and what
//! is refused then is logged. Runs recorded already (by run id) are skipped.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use serde_json::{json, Value};
use subxt_signer::sr25519::Keypair;
use tokio::{
	io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
	net::{TcpListener, TcpStream},
	sync::{mpsc, Mutex},
};

use super::{
	onchain::{edges, Bounds},
	openlineage::{Gatherer, Input, Outcome, Run},
};
use crate::{Chain, Error, Result};

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
			max_body: 1 << 20,
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
	queue: mpsc::UnboundedSender<Run>,
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
	let (queue, runs) = mpsc::unbounded_channel();
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
	mut runs: mpsc::UnboundedReceiver<Run>,
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
		match chain.record_runs(&signer, &batch, store).await {
			Ok(done) => eprintln!("lineage serve: recorded {} runs", done.len()),
			Err(e) if batch.len() > 1 => {
				eprintln!(
					"lineage serve: a batch of {} runs was refused ({e}); run by run",
					batch.len()
				);
				for run in &batch {
					if let Err(e) =
						chain.record_runs(&signer, std::slice::from_ref(run), store).await
					{
						eprintln!("lineage serve: refused run {}: {e}", uuid(run));
					}
				}
			}
			Err(e) => eprintln!("lineage serve: refused run {}: {e}", uuid(&batch[0])),
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

/// Takes the events of one request.
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
	for event in events {
		// Checked before it is kept: a refused event leaves nothing behind.
		let outcome = {
			let mut gatherer = state.gatherer.lock().await;
			let mut trial = Gatherer::default();
			if let Ok(id) = super::openlineage::run_id(&event) {
				trial = gatherer.fork(id);
			}
			match trial.add(event.clone()) {
				Err(e) => return Reply::refuse(400, e),
				Ok(Outcome::Complete(run)) => match check(&run, state).await {
					Err(reply) => return reply,
					Ok(()) => {
						gatherer.add(event).ok();
						Outcome::Complete(run)
					}
				},
				Ok(other) => {
					gatherer.add(event).ok();
					other
				}
			}
		};
		answers.push(match outcome {
			Outcome::Complete(run) => {
				let id = uuid(&run);
				if state.queue.send(*run).is_err() {
					return Reply::refuse(503, "the gateway is shutting down");
				}
				json!({ "runId": id, "status": "queued" })
			}
			Outcome::Pending => json!({ "status": "pending" }),
			Outcome::Dropped => json!({ "status": "dropped: the run failed or was aborted" }),
		});
	}
	Reply { status: 201, body: json!({ "events": answers }) }
}

/// What the chain would refuse of a complete run, told before it is queued.
async fn check(run: &Run, state: &State) -> std::result::Result<(), Reply> {
	let b = &state.bounds;
	if edges(run) > b.edges {
		return Err(Reply::refuse(
			413,
			format!("the run has {} edges; at most {}", edges(run), b.edges),
		));
	}
	if let Err(e) = run.call_argument(b, [0; 32], &super::onchain::Resources::default()) {
		return Err(Reply::refuse(400, e));
	}
	for output in &run.outputs {
		let d = &output.dataset;
		match state.chain.lineage_dataset(&d.namespace, &d.name).await {
			Ok(Some(found)) if found.owner.is_some_and(|o| o != state.institution) => {
				return Err(Reply::refuse(
					409,
					format!(
						"{} {} is written by institution {}, not by this gateway's ({})",
						d.namespace,
						d.name,
						found.owner.unwrap_or_default(),
						state.institution
					),
				))
			}
			Ok(_) => {}
			Err(e) => return Err(Reply::refuse(503, e)),
		}
	}
	for input in &run.inputs {
		if let Input::Certificate(id) = input {
			let found = state.chain.find_certificate(*id).await;
			match found {
				Ok(Some(_)) => {}
				Ok(None) => {
					return Err(Reply::refuse(400, format!("certificate {id} does not exist")))
				}
				Err(e) => return Err(Reply::refuse(503, e)),
			}
		}
	}
	Ok(())
}
