//! A connection to one MedTrust node.

use subxt::{config::RpcConfigFor, OnlineClient, PolkadotConfig};
use subxt_rpcs::{methods::LegacyRpcMethods, RpcClient};

use crate::{Error, Result};

/// MedTrust's chain configuration for subxt: 32-byte account ids, `MultiAddress<AccountId, ()>`
/// addresses, `MultiSignature`s and BLAKE2b-256 hashes: the same shapes as Polkadot's.
pub type MedTrustConfig = PolkadotConfig;

/// A live connection to a node: typed access through subxt and raw JSON-RPC beside it.
#[derive(Clone)]
pub struct Chain {
	url: String,
	rpc: RpcClient,
	legacy: LegacyRpcMethods<RpcConfigFor<MedTrustConfig>>,
	api: OnlineClient<MedTrustConfig>,
}

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`).
	///
	/// Fails with [`Error::Connect`] naming the URL when nothing answers there.
	pub async fn connect(url: &str) -> Result<Self> {
		let connect_error = |reason: String| Error::Connect { url: url.to_string(), reason };
		if !(url.starts_with("ws://") || url.starts_with("wss://")) {
			return Err(connect_error("the URL must start with ws:// or wss://".into()));
		}
		let rpc = RpcClient::from_insecure_url(url)
			.await
			.map_err(|e| connect_error(one_line(&e.to_string())))?;
		let config = PolkadotConfig::builder().use_historic_types(false).build();
		let api = OnlineClient::from_rpc_client_with_config(config, rpc.clone())
			.await
			.map_err(|e| connect_error(one_line(&e.to_string())))?;
		let legacy = LegacyRpcMethods::new(rpc.clone());
		Ok(Self { url: url.to_string(), rpc, legacy, api })
	}

	/// The URL this connection was made to.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// Typed access to storage, runtime APIs and transactions.
	pub fn api(&self) -> &OnlineClient<MedTrustConfig> {
		&self.api
	}

	/// The node's standard (legacy) JSON-RPC methods.
	pub fn legacy(&self) -> &LegacyRpcMethods<RpcConfigFor<MedTrustConfig>> {
		&self.legacy
	}

	/// The raw JSON-RPC client, for MedTrust's own `medtrust_*` methods.
	pub fn rpc(&self) -> &RpcClient {
		&self.rpc
	}

	/// Wraps a JSON-RPC failure of `method` into an [`Error::Rpc`].
	pub(crate) fn rpc_error(&self, method: &'static str, e: impl ToString) -> Error {
		Error::Rpc { url: self.url.clone(), method, reason: one_line(&e.to_string()) }
	}
}

/// Keeps the first line of an error text: the CLI reports failures in one line.
pub(crate) fn one_line(text: &str) -> String {
	text.lines().next().unwrap_or_default().trim().to_string()
}
