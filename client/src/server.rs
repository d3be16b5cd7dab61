//! A bounded, authenticated HTTP/1.1 endpoint taking JSON, for the services that act for an
//! institution (`lineage serve`; the sharing service builds on it too).
//!
//! Built on `hyper` (the HTTP implementation of jsonrpsee, and so of the node): the server
//! caps what a client may make it hold or do before it is known, and refuses what it is not
//! meant to serve:
//! - headers: at most [`Limits::max_header_bytes`] bytes and [`Limits::max_headers`] lines,
//!   read within [`Limits::header_timeout`] (431 or a closed connection; an idle keep-alive
//!   connection is closed after the same time);
//! - connections: at most [`Limits::max_connections`] at once (more are closed at once);
//! - bodies: at most [`Limits::max_body`] bytes (413), read within [`Limits::body_timeout`]
//!   (408), `application/json` only (415);
//! - a request from a web page (it carries an `Origin` header) is refused (403): no page open
//!   in a browser on the institution's network can make the server act;
//! - every request must carry `Authorization: Bearer <token>` (401), the token generated on
//!   first start and kept in a file readable by its owner only ([`Token`]); or, for a service
//!   whose requests are each signed by an account the chain knows (the share server), the
//!   handler checks the signature ([`Access::Signed`]).

use std::{
	convert::Infallible, future::Future, net::SocketAddr, path::Path, sync::Arc, time::Duration,
};

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::{
	body::{Bytes, Incoming},
	header, Method, StatusCode,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{json, Value};
use tokio::{net::TcpListener, sync::Semaphore};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// What a client may make the server hold, and for how long.
#[derive(Clone, Debug)]
pub struct Limits {
	/// Connections served at once; more are closed as they arrive.
	pub max_connections: usize,
	/// The request line and headers, in bytes.
	pub max_header_bytes: usize,
	/// Header lines.
	pub max_headers: usize,
	/// The body, in bytes.
	pub max_body: usize,
	/// To send the request line and headers (and how long a kept-alive connection may idle).
	pub header_timeout: Duration,
	/// To send the body.
	pub body_timeout: Duration,
}

impl Default for Limits {
	fn default() -> Self {
		Limits {
			max_connections: 64,
			max_header_bytes: 16 << 10,
			max_headers: 64,
			max_body: 8 << 20,
			header_timeout: Duration::from_secs(10),
			body_timeout: Duration::from_secs(60),
		}
	}
}

/// A bearer token: 32 random bytes, hex, in a file readable by its owner only.
#[derive(Clone)]
pub struct Token(Arc<Zeroizing<String>>);

impl Token {
	/// The token in `path`, or a new one written there (0600 from its first byte). A file
	/// that others may read is refused, as ssh refuses such a key.
	pub fn load_or_create(path: &Path) -> Result<(Token, bool)> {
		match crate::files::read_private(path) {
			Ok(text) => {
				let token = Zeroizing::new(text.trim().to_string());
				if token.len() < 32 {
					return Err(Error::WeakToken { path: path.to_path_buf() });
				}
				Ok((Token(Arc::new(token)), false))
			}
			Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
				let token = Zeroizing::new(hex::encode(crate::certificates::keys::random32()));
				if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
					crate::files::create_private_dir(dir)?;
				}
				crate::files::write_private(path, token.as_bytes())?;
				Ok((Token(Arc::new(token)), true))
			}
			Err(e) => Err(e),
		}
	}

	/// Whether `presented` is this token, in time independent of where they differ.
	fn matches(&self, presented: &str) -> bool {
		let (a, b) = (self.0.as_bytes(), presented.as_bytes());
		a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
	}
}

/// Who may call a server.
#[derive(Clone)]
pub enum Access {
	/// Every request carries `Authorization: Bearer <token>`.
	Bearer(Token),
	/// Every request is signed; the handler verifies it before it acts.
	Signed,
}

/// A request that passed every check: a POST of JSON with the right token.
pub struct JsonRequest {
	pub path: String,
	pub body: Bytes,
}

/// The answer to a request: a status and a JSON body.
pub struct JsonReply {
	pub status: u16,
	pub body: Value,
}

impl JsonReply {
	/// A refusal: `{"error": reason}`.
	pub fn refuse(status: u16, reason: impl ToString) -> Self {
		JsonReply { status, body: json!({ "error": reason.to_string() }) }
	}
}

/// The answer to a request: JSON, or bytes of another media type.
pub enum Reply {
	Json(JsonReply),
	Bytes { status: u16, content_type: &'static str, body: Vec<u8> },
}

impl From<JsonReply> for Reply {
	fn from(reply: JsonReply) -> Self {
		Reply::Json(reply)
	}
}

/// Serves `handler` on `listener` until the process ends: each request is checked (see the
/// module) before `handler` sees it. `refused` is told each refusal, for the caller's log.
pub async fn serve<H, F, R>(
	listener: TcpListener,
	limits: Limits,
	access: Access,
	handler: H,
	refused: fn(&str, u16, &Value),
) -> Result<()>
where
	H: Fn(JsonRequest) -> F + Clone + Send + Sync + 'static,
	F: Future<Output = R> + Send + 'static,
	R: Into<Reply> + 'static,
{
	let permits = Arc::new(Semaphore::new(limits.max_connections));
	let mut http = hyper::server::conn::http1::Builder::new();
	http.timer(TokioTimer::new())
		.header_read_timeout(limits.header_timeout)
		.max_header_size(limits.max_header_bytes)
		.max_headers(limits.max_headers)
		.max_buf_size(limits.max_header_bytes.max(8192));
	loop {
		let (stream, peer) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(_) => {
				// Out of file descriptors, say: wait rather than spin.
				tokio::time::sleep(Duration::from_millis(100)).await;
				continue;
			}
		};
		// Over the cap: closed at once, before anything is read.
		let Ok(permit) = permits.clone().try_acquire_owned() else { continue };
		let (handler, access, limits) = (handler.clone(), access.clone(), limits.clone());
		let service = hyper::service::service_fn(move |request| {
			let (handler, access, limits) = (handler.clone(), access.clone(), limits.clone());
			async move {
				let path = request.uri().path().to_string();
				let reply = checked(request, &access, &limits, handler).await;
				if let Reply::Json(JsonReply { status, body }) = &reply {
					if *status >= 400 {
						refused(&path, *status, body);
					}
				}
				Ok::<_, Infallible>(response(reply))
			}
		});
		let connection = http.serve_connection(TokioIo::new(stream), service);
		tokio::spawn(async move {
			let _permit = permit;
			if let Err(e) = connection.await {
				tracing::debug!("connection from {peer} closed: {e}");
			}
		});
	}
}

/// Checks a request in order (origin, token, method, media type, size, time) and hands it to
/// `handler`.
async fn checked<H, F, R>(
	request: hyper::Request<Incoming>,
	access: &Access,
	limits: &Limits,
	handler: H,
) -> Reply
where
	H: Fn(JsonRequest) -> F,
	F: Future<Output = R>,
	R: Into<Reply>,
{
	let refuse = |status, reason: &str| Reply::Json(JsonReply::refuse(status, reason));
	let headers = request.headers();
	if headers.contains_key(header::ORIGIN) {
		return refuse(403, "requests from web pages are refused");
	}
	if let Access::Bearer(token) = access {
		let bearer = headers
			.get(header::AUTHORIZATION)
			.and_then(|v| v.to_str().ok())
			.and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
		if !bearer.is_some_and(|presented| token.matches(presented.trim())) {
			return refuse(401, "send the gateway's token: Authorization: Bearer <token>");
		}
	}
	if request.method() != Method::POST {
		return refuse(405, "requests are POSTed");
	}
	let json = headers
		.get(header::CONTENT_TYPE)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.split(';').next())
		.is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
	if !json {
		return refuse(415, "send JSON: Content-Type: application/json");
	}
	let path = request.uri().path().to_string();
	let body = Limited::new(request.into_body(), limits.max_body).collect();
	let body = match tokio::time::timeout(limits.body_timeout, body).await {
		Err(_) => return refuse(408, "the body was not sent in time"),
		Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
			return refuse(413, &format!("the body is over {} bytes", limits.max_body))
		}
		Ok(Err(e)) => return refuse(400, &format!("the body cannot be read: {e}")),
		Ok(Ok(collected)) => collected.to_bytes(),
	};
	handler(JsonRequest { path, body }).await.into()
}

fn response(reply: Reply) -> hyper::Response<Full<Bytes>> {
	let (status, content_type, body) = match reply {
		Reply::Json(JsonReply { status, body }) => {
			(status, "application/json", Bytes::from(body.to_string()))
		}
		Reply::Bytes { status, content_type, body } => (status, content_type, Bytes::from(body)),
	};
	let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
	let mut response = hyper::Response::new(Full::new(body));
	*response.status_mut() = status;
	let headers = response.headers_mut();
	headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static(content_type));
	if status == StatusCode::UNAUTHORIZED {
		headers.insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
	}
	response
}

/// Binds `address`, saying which address could not be bound.
pub async fn bind(address: SocketAddr) -> Result<(TcpListener, SocketAddr)> {
	let listener = TcpListener::bind(address)
		.await
		.map_err(|e| Error::Listen { address: address.to_string(), reason: e.to_string() })?;
	let bound = listener
		.local_addr()
		.map_err(|e| Error::Listen { address: address.to_string(), reason: e.to_string() })?;
	Ok((listener, bound))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tokens_match_exactly() {
		let token = Token(Arc::new(Zeroizing::new("a".repeat(64))));
		assert!(token.matches(&"a".repeat(64)));
		assert!(!token.matches(&"a".repeat(63)));
		assert!(!token.matches(&format!("{}b", "a".repeat(63))));
		assert!(!token.matches(""));
	}

	#[test]
	fn a_token_is_created_private_and_read_back_and_a_readable_one_refused() {
		use std::os::unix::fs::PermissionsExt as _;
		let dir = tempfile::tempdir().expect("a temporary directory");
		let path = dir.path().join("sub/token");
		let (made, created) = Token::load_or_create(&path).expect("a new token");
		assert!(created);
		assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
		assert_eq!(
			std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777,
			0o700
		);
		let (read, created) = Token::load_or_create(&path).expect("the same token");
		assert!(!created && read.matches(made.0.as_str()));
		std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
		let refused = Token::load_or_create(&path).err().expect("refused").to_string();
		assert!(refused.contains("readable"), "{refused}");
	}
}
