//! Signing, submitting and reporting transactions, with errors a person can act on.

use serde::Serialize;
use subxt::{
	client::OnlineClientAtBlock, extrinsics::ExtrinsicEvents, transactions::Payload, utils::H256,
};
use subxt_signer::sr25519::Keypair;

use pallet_consortium::MembershipError;

use super::{one_line, status::header_hash};
use crate::{
	runtime::{self, runtime_types::sp_runtime::DispatchError},
	Chain, Error, MedTrustConfig, Result,
};

/// One event a transaction emitted.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
	/// `Pallet.Event`.
	pub event: String,
	/// Its fields, as text.
	pub fields: String,
}

/// A transaction that was included in a finalized block and succeeded.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
	pub extrinsic_hash: H256,
	pub events: Vec<EventView>,
	/// When the transaction executed a council motion: the motion's own outcome (`ok`, or the
	/// error of the call it carried).
	pub motion_result: Option<String>,
	/// When the transaction proposed a motion that needs votes: its hash.
	pub motion_hash: Option<H256>,
}

/// Why a transaction failed when executed on chain: the pallet's error by name, with its
/// documentation, or the dispatch error as the runtime describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchFailure {
	/// The pallet and the name of its error (`FieldMapping`, `AlreadyExists`), for a module error.
	pub module: Option<(String, String)>,
	/// The error's documentation, or the whole dispatch error's text.
	pub text: String,
}

impl DispatchFailure {
	/// Whether it is `pallet`'s error `error`.
	pub fn is(&self, pallet: &str, error: &str) -> bool {
		self.module.as_ref().is_some_and(|(p, e)| p == pallet && e == error)
	}
}

impl std::fmt::Display for DispatchFailure {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match &self.module {
			Some((pallet, error)) => write!(f, "{pallet}::{error}: {}", self.text),
			None => f.write_str(&self.text),
		}
	}
}

/// Turns a node's refusal or a failed transaction into an error a person can act on: a
/// membership refusal (whatever the wording around its `Custom` code), or the text's first line.
pub(crate) fn explain(text: &str) -> Error {
	let line = one_line(text);
	let lower = line.to_lowercase();
	let refusal = lower.split("custom error: ").nth(1).and_then(|rest| {
		let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
		code.parse().ok().and_then(MembershipError::from_code)
	});
	match refusal {
		Some(refusal) => Error::Refused(refusal),
		None => Error::TransactionFailed { reason: line },
	}
}

/// What a JSON-RPC error's `data` says (the node's reason for a refused transaction, as in
/// `Transaction has a bad signature` for a 1010), which the error's message leaves out; found
/// in its `Debug` form, where jsonrpsee shows it as `RawValue(…)`.
fn rpc_error_data(debug: &str) -> Option<String> {
	let start = debug.find("RawValue(")? + "RawValue(".len();
	let data = &debug[start..][..debug[start..].find(')')?];
	let data = data.replace("\\\"", "").replace('"', "");
	let data = data.trim().trim_matches('\\').trim();
	(!data.is_empty() && data != "null").then(|| data.to_string())
}

impl Chain {
	/// [`explain`], or [`Error::Disconnected`] if the connection to the node broke (said by
	/// the error or by any error it wraps: subxt's top line may only say what it was doing,
	/// as in `Error getting account nonce at block …`).
	pub(crate) fn explain(&self, error: &dyn std::error::Error) -> Error {
		let mut causes = error.to_string();
		let mut source = error.source();
		while let Some(cause) = source {
			causes.push_str(": ");
			causes.push_str(&cause.to_string());
			source = cause.source();
		}
		// Some wrap their cause in a field that is neither shown nor a `source`.
		let debug = format!("{error:?}");
		causes.push_str(&format!(" ({debug})"));
		let mut shown = error.to_string();
		if let Some(data) = rpc_error_data(&debug).filter(|data| !shown.contains(data.as_str())) {
			shown.push_str(": ");
			shown.push_str(&data);
		}
		self.disconnected(&causes).unwrap_or_else(|| explain(&shown))
	}

	/// The client at the node's best block, where a single transaction takes its nonce and
	/// anchors its mortality (the node validates against it).
	pub(crate) async fn at_best(&self) -> Result<OnlineClientAtBlock<MedTrustConfig>> {
		let best = self.header(None).await?;
		self.at_block(header_hash(&best), best.number).await
	}

	/// The client at the block of that hash and number.
	pub(super) async fn at_block(
		&self,
		hash: H256,
		number: u64,
	) -> Result<OnlineClientAtBlock<MedTrustConfig>> {
		self.api()
			.at_block_hash_and_number(subxt::backend::BlockRef::from_hash(hash), number)
			.await
			.map_err(|e| self.incompatible(e))
	}

	/// Signs `call` with `signer`, submits it, waits until it is in a finalized block, and
	/// returns its events; fails with the reason if it was refused or failed.
	pub async fn submit<Call: Payload>(&self, call: &Call, signer: &Keypair) -> Result<Submitted> {
		self.submit_with_events(call, signer).await.map(|(submitted, _)| submitted)
	}

	/// [`Chain::submit`], also returning the transaction's events for typed look-ups.
	pub async fn submit_with_events<Call: Payload>(
		&self,
		call: &Call,
		signer: &Keypair,
	) -> Result<(Submitted, ExtrinsicEvents<MedTrustConfig>)> {
		// At the best block: subxt takes the signer's nonce there (at the finalized block it
		// would miss a transaction of the signer's in a block not final yet: "outdated").
		let progress = self
			.at_best()
			.await?
			.transactions()
			.sign_and_submit_then_watch_default(call, signer)
			.await
			.map_err(|e| self.explain(&e))?;
		let events = progress.wait_for_finalized_success().await.map_err(|e| self.explain(&e))?;

		let mut views = Vec::new();
		for event in events.iter() {
			let event = event.map_err(|e| self.incompatible(e))?;
			let fields = event
				.decode_fields_unchecked_as::<subxt::dynamic::Value>()
				.map(|v| v.to_string())
				.unwrap_or_default();
			views.push(EventView {
				event: format!("{}.{}", event.pallet_name(), event.event_name()),
				fields,
			});
		}
		// A motion's own outcome; for one enacted as Root, the outcome of the call it carried.
		let enacted = match events.find_first::<runtime::consortium::events::EnactedAsRoot>() {
			Some(Ok(enacted)) => Some(enacted.result),
			_ => None,
		};
		let motion_result = match events.find_first::<runtime::council::events::Executed>() {
			Some(Ok(executed)) => Some(match enacted.unwrap_or(executed.result) {
				Ok(()) => "ok".to_string(),
				Err(error) => self.dispatch_failure(&error).await.to_string(),
			}),
			_ => None,
		};
		let motion_hash = match events.find_first::<runtime::council::events::Proposed>() {
			Some(Ok(proposed)) => Some(proposed.proposal_hash),
			_ => None,
		};
		let submitted = Submitted {
			extrinsic_hash: events.extrinsic_hash(),
			events: views,
			motion_result,
			motion_hash,
		};
		Ok((submitted, events))
	}

	/// Submits `call` unsigned (for the calls a runtime validates without a signer, such as
	/// `System::apply_authorized_upgrade`), waits until it is in a finalized block and fails
	/// if it failed; returns its hash, its block's and its events.
	pub async fn submit_unsigned<Call: Payload>(
		&self,
		call: &Call,
	) -> Result<(H256, H256, ExtrinsicEvents<MedTrustConfig>)> {
		let progress = self
			.at_best()
			.await?
			.transactions()
			.create_unsigned(call)
			.map_err(|e| self.incompatible(e))?
			.submit_and_watch()
			.await
			.map_err(|e| self.explain(&e))?;
		let in_block = progress.wait_for_finalized().await.map_err(|e| self.explain(&e))?;
		let events = in_block.wait_for_success().await.map_err(|e| self.explain(&e))?;
		Ok((in_block.extrinsic_hash(), in_block.block_hash(), events))
	}

	/// The pallet's error and its documentation for a module error, or the error's text.
	pub(crate) async fn dispatch_failure(&self, error: &DispatchError) -> DispatchFailure {
		let unknown = || DispatchFailure { module: None, text: format!("{error:?}") };
		let DispatchError::Module(module) = error else { return unknown() };
		let Ok(at) = self.api().at_current_block().await else { return unknown() };
		let metadata = at.metadata();
		let Some(pallet) = metadata.pallet_by_error_index(module.index) else { return unknown() };
		let Some(variant) = pallet.error_variant_by_index(module.error[0]) else {
			return unknown();
		};
		DispatchFailure {
			module: Some((pallet.name().to_string(), variant.name.clone())),
			text: variant.docs.join(" ").trim().to_string(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_refusals_reason_is_read_from_the_rpc_errors_data() {
		// As jsonrpsee's `ErrorObject` shows in `Debug`, and inside another error's `Debug`.
		let debug = r#"User(UserError { code: 1010, message: "Invalid Transaction", data: Some(RawValue("Transaction has a bad signature")) })"#;
		assert_eq!(rpc_error_data(debug).as_deref(), Some("Transaction has a bad signature"));
		let nested = r#"Rpc(ClientError("User error: data: Some(RawValue("Custom error: 2"))"))"#;
		assert_eq!(rpc_error_data(nested).as_deref(), Some("Custom error: 2"));
		assert_eq!(rpc_error_data("data: Some(RawValue(null))"), None);
		assert_eq!(rpc_error_data("Invalid Transaction (1010)"), None);
	}

	#[test]
	fn a_broken_connection_is_told_apart_from_a_refusal() {
		use crate::chain::lost_connection;
		// As subxt and jsonrpsee word it when the node dies under a command.
		assert!(lost_connection(
			"Error calling Metadata_metadata_at_version: Backend error: RPC error: client error: \
			 The background task closed i/o error: Connection reset by peer (os error 104); \
			 restart required"
		));
		assert!(lost_connection(
			"Could not finalize the transaction: Cannot get the next transaction progress \
			 update: Custom backend error: chainHead_follow emitted 'stop' event during \
			 transaction submission"
		));
		assert!(lost_connection(
			"Custom backend error: No more transaction progress events, but we haven't seen a \
			 Finalized one yet"
		));
		// subxt's `AccountNonceError` keeps its cause in a field only its `Debug` shows.
		assert!(lost_connection(
			"Error getting account nonce at block 0x02 (AccountNonceError { reason: \
			 CouldNotRetrieve(Rpc(ClientError(RestartNeeded(Transport(…))))) })"
		));
		assert!(!lost_connection("Invalid Transaction (1010): Custom error: 2"));
		assert!(!lost_connection("Module error: Consortium::NotAuthorized"));
	}

	#[test]
	fn membership_refusals_are_explained_whatever_the_wording() {
		let subxt = "Could not finalize the transaction: Error during transaction progress: The \
			transaction is not valid: Invalid transaction with custom error: 1";
		let e = explain(subxt);
		assert!(matches!(e, Error::Refused(MembershipError::NotAMember)), "{e}");
		assert!(e.to_string().contains("not an account of any active institution"), "{e}");
		let rpc = "Invalid Transaction (1010): Custom error: 2";
		assert!(explain(rpc).to_string().contains("institution is suspended"));
		assert!(matches!(
			explain("Custom error: 3"),
			Error::Refused(MembershipError::InstitutionRemoved)
		));
		assert!(matches!(explain("Custom error: 17"), Error::TransactionFailed { .. }));
		assert_eq!(
			explain("Module error: Consortium::NotAuthorized").to_string(),
			"transaction failed: Module error: Consortium::NotAuthorized"
		);
	}
}
