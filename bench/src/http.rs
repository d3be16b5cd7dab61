//! A minimal JSON-RPC client over HTTP/1.1 for timing the node's answers.

use std::{
	io::{BufRead, BufReader, Read, Write},
	net::TcpStream,
};

use anyhow::ensure;
use serde_json::{json, Value};

/// A keep-alive HTTP/1.1 connection to the node's JSON-RPC server (the port of `ws://` serves
/// HTTP as well), `TCP_NODELAY` set: what a service posting JSON-RPC would use. Beside the
/// WebSocket client because the SDK's RPC server does not set `TCP_NODELAY` on the sockets
/// it accepts, so an answer over WebSocket longer than one 8 KiB write waits for the client's
/// delayed acknowledgement (about 40 ms on Linux); over HTTP it is written at once.
pub struct Http {
	stream: BufReader<TcpStream>,
	host: String,
}

impl Http {
	pub fn connect(url: &str) -> anyhow::Result<Self> {
		let host = url.split_once("://").map_or(url, |(_, h)| h).trim_end_matches('/');
		let stream = TcpStream::connect(host)?;
		stream.set_nodelay(true)?;
		Ok(Self { stream: BufReader::new(stream), host: host.to_string() })
	}

	pub fn call(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
		let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
		let body = body.to_string();
		let request = format!(
			"POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
			self.host,
			body.len()
		);
		self.stream.get_mut().write_all(request.as_bytes())?;
		let mut length = 0usize;
		let mut line = String::new();
		loop {
			line.clear();
			ensure!(self.stream.read_line(&mut line)? > 0, "the node closed the connection");
			let header = line.trim_end();
			if header.is_empty() {
				break;
			}
			if let Some((name, value)) = header.split_once(':') {
				if name.eq_ignore_ascii_case("content-length") {
					length = value.trim().parse()?;
				}
			}
		}
		let mut answer = vec![0u8; length];
		self.stream.read_exact(&mut answer)?;
		let mut answer: Value = serde_json::from_slice(&answer)?;
		ensure!(answer.get("error").is_none(), "{method}: {}", answer["error"]);
		Ok(answer["result"].take())
	}

	/// [`Http::call`], telling the node's error (`Ok(Err(message))`) from a broken connection.
	pub fn answer(&mut self, method: &str, params: Value) -> anyhow::Result<Result<Value, String>> {
		match self.call(method, params) {
			Ok(result) => Ok(Ok(result)),
			Err(e) if e.to_string().starts_with(&format!("{method}: ")) => Ok(Err(e.to_string())),
			Err(e) => Err(e),
		}
	}
}
