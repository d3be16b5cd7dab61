//! Large answers over HTTP. The node serves JSON-RPC over HTTP on the port of its WebSocket,
//! and the SDK's RPC server (`sc-rpc-server` of stable2609) does not set `TCP_NODELAY` on the
//! connections it accepts: an answer over WebSocket longer than one write waits for the
//! client's delayed acknowledgement, about 40 ms on Linux, where over HTTP it is written at
//! once. [`Chain::call_large`] posts the call over HTTP (hyper's HTTP/1.1 client on a connection
//! of its own, `TCP_NODELAY` set) and falls back to the WebSocket when that is not possible (`wss://`, or a proxy that
//! passes WebSocket only).

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use subxt_rpcs::client::RpcParams;
use tokio::net::TcpStream;

use super::Chain;
use crate::Result;

/// The largest answer read (a page of 10,000 assets is a few MB).
const MAX_ANSWER: usize = 64 << 20;

impl Chain {
	/// Calls `method` with `params` (a JSON array) over HTTP when the node's URL is
	/// `ws://`, else (or when HTTP cannot be reached) over the WebSocket.
	pub async fn call_large<T: DeserializeOwned>(
		&self,
		method: &'static str,
		params: Value,
	) -> Result<T> {
		if let Some(host) = self.url.strip_prefix("ws://") {
			let host = host.split('/').next().unwrap_or(host);
			match post(host, method, &params).await {
				Ok(Answer::Result(result)) => {
					return serde_json::from_value(result)
						.map_err(|e| self.incompatible(format!("{method}'s answer: {e}")))
				}
				Ok(Answer::Error(error)) => {
					let message = error.get("message").and_then(Value::as_str);
					let text = message.map_or_else(|| error.to_string(), str::to_string);
					return Err(super::answered_error(&self.url, method, &text));
				}
				// Not served over HTTP here: the WebSocket answers.
				Err(_) => {}
			}
		}
		let mut over_ws = RpcParams::new();
		for param in params.as_array().into_iter().flatten() {
			over_ws.push(param).map_err(|e| self.incompatible(e))?;
		}
		self.call(method, over_ws).await
	}
}

/// A JSON-RPC answer: its result, or its error object.
enum Answer {
	Result(Value),
	Error(Value),
}

/// Posts one JSON-RPC call to `host` (`address:port`) over HTTP/1.1 (hyper) and reads the
/// answer, at most [`MAX_ANSWER`] bytes.
async fn post(host: &str, method: &str, params: &Value) -> std::io::Result<Answer> {
	let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
	let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
	let (status, answer) = send(host, "/", body.into_bytes(), MAX_ANSWER).await?;
	if status != 200 {
		return Err(bad(format!("HTTP {status}")));
	}
	let mut answer: Value = serde_json::from_slice(&answer).map_err(|e| bad(e.to_string()))?;
	Ok(match answer.get_mut("error") {
		Some(error) => Answer::Error(error.take()),
		None => Answer::Result(answer.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
	})
}

/// POSTs JSON `body` to `path` of `host` (`address:port`) over HTTP/1.1 (hyper, on a
/// connection of its own with `TCP_NODELAY`), reading at most `max` bytes of the answer:
/// (status, body).
async fn send(
	host: &str,
	path: &str,
	body: Vec<u8>,
	max: usize,
) -> std::io::Result<(u16, Vec<u8>)> {
	use http_body_util::{BodyExt as _, Full, Limited};
	use hyper::{body::Bytes, header, Request};
	let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
	let stream = TcpStream::connect(host).await?;
	stream.set_nodelay(true)?;
	let (mut sender, connection) =
		hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
			.await
			.map_err(|e| bad(e.to_string()))?;
	let driving = tokio::spawn(connection);
	let request = Request::post(path)
		.header(header::HOST, host)
		.header(header::CONTENT_TYPE, "application/json")
		.body(Full::new(Bytes::from(body)))
		.map_err(|e| bad(e.to_string()))?;
	let answer = async {
		let response = sender.send_request(request).await.map_err(|e| bad(e.to_string()))?;
		let status = response.status().as_u16();
		let body = Limited::new(response.into_body(), max)
			.collect()
			.await
			.map_err(|e| bad(format!("the answer: {e}")))?;
		Ok((status, body.to_bytes().to_vec()))
	}
	.await;
	driving.abort();
	answer
}

/// Posts JSON `body` to `path` of the HTTP server at `url` (`http://host:port`), reading at
/// most `max` bytes of its answer: (status, body). The share fetch's client.
pub async fn post_bytes(
	url: &str,
	path: &str,
	body: Vec<u8>,
	max: usize,
) -> Result<(u16, Vec<u8>)> {
	let unreachable = |reason: String| crate::Error::Connect { url: url.to_string(), reason };
	let host = url
		.strip_prefix("http://")
		.map(|rest| rest.split('/').next().unwrap_or(rest))
		.filter(|host| !host.is_empty())
		.ok_or_else(|| {
			unreachable("give the server as http://host:port (put TLS in front as a proxy)".into())
		})?;
	send(host, path, body, max).await.map_err(|e| unreachable(e.to_string()))
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::{
		io::{AsyncReadExt, AsyncWriteExt},
		net::TcpListener,
	};

	/// A server that reads one request and answers `reply`; its address.
	async fn answering(reply: &'static str) -> String {
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
		let address = listener.local_addr().expect("an address").to_string();
		tokio::spawn(async move {
			let (mut socket, _) = listener.accept().await.expect("a connection");
			let mut request = vec![0u8; 4096];
			let _ = socket.read(&mut request).await;
			socket.write_all(reply.as_bytes()).await.expect("answered");
		});
		address
	}

	#[tokio::test]
	async fn a_result_an_error_and_a_refusal_are_told_apart() {
		let ok = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[1,2]}\n";
		match post(&answering(ok).await, "m", &json!([])).await.expect("an answer") {
			Answer::Result(result) => assert_eq!(result, json!([1, 2])),
			Answer::Error(e) => panic!("an error: {e}"),
		}
		let error = "HTTP/1.1 200 OK\r\ncontent-length: 65\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"nope\"}}";
		match post(&answering(error).await, "m", &json!([])).await.expect("an answer") {
			Answer::Error(e) => assert_eq!(e["message"], "nope"),
			Answer::Result(r) => panic!("a result: {r}"),
		}
		// A server that speaks WebSocket only refuses a plain POST: the caller falls back.
		let refused = "HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n";
		assert!(post(&answering(refused).await, "m", &json!([])).await.is_err());
		let cut = "HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n{\"jsonrpc\"";
		assert!(post(&answering(cut).await, "m", &json!([])).await.is_err(), "a cut answer");
	}
}
