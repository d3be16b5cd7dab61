//! A connection to one MedTrust node: reads through JSON-RPC, transactions through subxt.
//!
//! - [`Chain`]: the connection, and [`Chain::call`] for the node's `medtrust_*` methods;
//! - [`tx`]: signing, submitting and explaining refusals;
//! - [`bulk`]: many transactions of one signer in flight, their outcomes from finalized blocks;
//! - [`http`]: large answers over HTTP, where the node writes them at once;
//! - [`paging`]: every page of a listing, read at one block;
//! - [`status`]: what `medtrust status` reports;
//! - [`signer`]: turns a `--signer` argument into a key pair.

pub mod bulk;
pub mod http;
pub mod paging;
pub mod signer;
pub mod status;
pub mod tx;

use serde::de::DeserializeOwned;
use subxt::{client::OnlineClientAtBlock, config::RpcConfigFor, OnlineClient, PolkadotConfig};
use subxt_rpcs::{client::RpcParams, methods::LegacyRpcMethods, RpcClient};

use crate::{
	catalog::Catalog, certificates::Certificates, consortium::Consortium, lineage::Lineage,
	relations::Relations, Error, Result,
};

/// Defines a capability's handle: a copy of a borrowed [`Chain`], made by `chain.<name>()`,
/// whose methods are the capability's reads and transactions.
macro_rules! capability {
	($(#[$doc:meta])* $name:ident) => {
		$(#[$doc])*
		#[derive(Clone, Copy)]
		pub struct $name<'a> {
			chain: &'a $crate::Chain,
		}

		impl<'a> $name<'a> {
			pub(crate) fn new(chain: &'a $crate::Chain) -> Self {
				Self { chain }
			}

			/// The connection this handle borrows.
			pub fn chain(&self) -> &'a $crate::Chain {
				self.chain
			}
		}
	};
}
pub(crate) use capability;

/// MedTrust's chain configuration for subxt: 32-byte account ids, `MultiAddress<AccountId, ()>`
/// addresses, `MultiSignature`s and BLAKE2b-256 hashes: the same shapes as Polkadot's.
pub type MedTrustConfig = PolkadotConfig;

/// The URL a command connects to when `--url` is not given.
pub const DEFAULT_URL: &str = "ws://127.0.0.1:9944";

/// A live connection to a node: typed transactions through subxt, reads through JSON-RPC.
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

	/// Institutions, their members, validators and peers, council motions, runtime upgrades.
	pub fn consortium(&self) -> Consortium<'_> {
		Consortium::new(self)
	}

	/// Business domains, data sources, resources, items; imports and exports.
	pub fn catalog(&self) -> Catalog<'_> {
		Catalog::new(self)
	}

	/// Relations between data items: matching, proposals, confirmations.
	pub fn relations(&self) -> Relations<'_> {
		Relations::new(self)
	}

	/// Lineage: OpenLineage runs recorded, assets, walks, verification up the lineage.
	pub fn lineage(&self) -> Lineage<'_> {
		Lineage::new(self)
	}

	/// Certificates: anchoring, reading, evidence, revocation, verification.
	pub fn certificates(&self) -> Certificates<'_> {
		Certificates::new(self)
	}

	/// Sharing: encryption keys, grants, receipts, deletion attestations, erasures.
	pub fn sharing(&self) -> crate::sharing::Sharing<'_> {
		crate::sharing::Sharing::new(self)
	}

	/// The URL this connection was made to.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// Typed access to transactions, constants and metadata.
	pub fn api(&self) -> &OnlineClient<MedTrustConfig> {
		&self.api
	}

	/// Typed access at the node's current block: metadata, constants, runtime types.
	pub(crate) async fn at_current(&self) -> Result<OnlineClientAtBlock<MedTrustConfig>> {
		self.api.at_current_block().await.map_err(|e| self.incompatible(e))
	}

	/// The node's standard (legacy) JSON-RPC methods.
	pub fn legacy(&self) -> &LegacyRpcMethods<RpcConfigFor<MedTrustConfig>> {
		&self.legacy
	}

	/// The chain's genesis hash, `0x` hex (as certificates and exports name the chain).
	pub fn genesis(&self) -> String {
		format!("{:?}", self.api.genesis_hash())
	}

	/// Calls one of the node's JSON-RPC methods (MedTrust's `medtrust_*` ones above all) and
	/// decodes its answer.
	pub async fn call<T: DeserializeOwned>(
		&self,
		method: &'static str,
		params: RpcParams,
	) -> Result<T> {
		self.rpc.request(method, params).await.map_err(|e| self.rpc_error(method, e))
	}

	/// Wraps a JSON-RPC failure of `method` into an [`Error::Rpc`] ([`Error::Disconnected`]
	/// if the connection broke).
	pub(crate) fn rpc_error(&self, method: &'static str, e: impl ToString) -> Error {
		let text = e.to_string();
		self.disconnected(&text).unwrap_or_else(|| answered_error(&self.url, method, &text))
	}

	/// Wraps a failure to use the node's runtime into an [`Error::IncompatibleRuntime`]
	/// ([`Error::Disconnected`] if the connection broke).
	pub(crate) fn incompatible(&self, e: impl ToString) -> Error {
		let text = e.to_string();
		self.disconnected(&text).unwrap_or_else(|| Error::IncompatibleRuntime {
			url: self.url.clone(),
			reason: one_line(&text),
		})
	}

	/// [`Error::Disconnected`] if `text` says the connection to the node broke.
	pub(crate) fn disconnected(&self, text: &str) -> Option<Error> {
		lost_connection(text).then(|| Error::Disconnected {
			url: self.url.clone(),
			reason: "the connection closed".into(),
		})
	}
}

/// Whether an error's text says the WebSocket connection broke (subxt and jsonrpsee word it
/// in several ways, none of them a type).
pub(crate) fn lost_connection(text: &str) -> bool {
	const SIGNS: [&str; 9] = [
		"background task closed",
		"connection reset",
		"connection closed",
		"broken pipe",
		"restart required",
		"restartneeded",
		"emitted 'stop' event",
		"connection refused",
		"no more transaction progress events",
	];
	let lower = text.to_lowercase();
	SIGNS.iter().any(|sign| lower.contains(sign))
}

/// The node's error answer to `method`: [`Error::Busy`] when its gate says to retry (the one
/// place its wording is read), else [`Error::Rpc`].
pub(crate) fn answered_error(url: &str, method: &'static str, text: &str) -> Error {
	match text.contains("retry shortly") {
		true => Error::Busy { url: url.to_string(), method },
		false => Error::Rpc { url: url.to_string(), method, reason: one_line(text) },
	}
}

/// Keeps the first line of an error text: the CLI reports failures in one line.
pub(crate) fn one_line(text: &str) -> String {
	text.lines().next().unwrap_or_default().trim().to_string()
}
