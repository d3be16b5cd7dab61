//! Large answers over HTTP. The node serves JSON-RPC over HTTP on the port of its WebSocket,
//! and the SDK's RPC server (`sc-rpc-server` of stable2609) does not set `TCP_NODELAY` on the
//! connections it accepts: an answer over WebSocket longer than one write waits for the
//! client's delayed acknowledgement, about 40 ms on Linux, where over HTTP it is written at
//! once. [`Chain::call_large`] posts the call over HTTP (a connection of its own, `TCP_NODELAY`
//! set) and falls back to the WebSocket when that is not possible (`wss://`, or a proxy that
//! passes WebSocket only).

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use subxt_rpcs::client::RpcParams;
use tokio::{
	io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
	net::TcpStream,
};

use super::Chain;
use crate::{Error, Result};

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
					return Err(Error::Rpc {
						url: self.url.clone(),
						method,
						reason: error
							.get("message")
							.and_then(Value::as_str)
							.map_or_else(|| error.to_string(), str::to_string),
					})
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

/// Posts one JSON-RPC call to `host` (`address:port`) over HTTP/1.1 and reads the answer.
async fn post(host: &str, method: &str, params: &Value) -> std::io::Result<Answer> {
	let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
	let stream = TcpStream::connect(host).await?;
	stream.set_nodelay(true)?;
	let mut stream = BufReader::new(stream);
	let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
	let request = format!(
		"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	);
	stream.get_mut().write_all(request.as_bytes()).await?;
	let mut line = String::new();
	stream.read_line(&mut line).await?;
	if !line.starts_with("HTTP/1.1 200") {
		return Err(bad(line.trim_end()));
	}
	let mut length = None;
	loop {
		line.clear();
		if stream.read_line(&mut line).await? == 0 {
			return Err(bad("the answer ended in its headers"));
		}
		let header = line.trim_end();
		if header.is_empty() {
			break;
		}
		if let Some((name, value)) = header.split_once(':') {
			if name.eq_ignore_ascii_case("content-length") {
				length = Some(value.trim().parse::<usize>().map_err(|_| bad(header))?);
			}
		}
	}
	let length = length.ok_or_else(|| bad("an answer without Content-Length"))?;
	if length > MAX_ANSWER {
		return Err(bad("an answer too large"));
	}
	let mut answer = vec![0u8; length];
	stream.read_exact(&mut answer).await?;
	let mut answer: Value = serde_json::from_slice(&answer).map_err(|e| bad(&e.to_string()))?;
	Ok(match answer.get_mut("error") {
		Some(error) => Answer::Error(error.take()),
		None => Answer::Result(answer.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::net::TcpListener;

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
