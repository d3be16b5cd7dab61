//! Status and transaction outcomes.

use medtrust_client::chain::{status::Status, tx::Submitted};
use serde::Serialize;

use super::Render;

impl Render for Status {
	fn text(&self) -> String {
		let mut out = String::new();
		let mut line = |label: &str, value: String| {
			out.push_str(&format!("{label:<14} {value}\n"));
		};
		line("Node", format!("{} ({})", self.url, self.node));
		line("Chain", self.chain.clone());
		line("Genesis", format!("{:?}", self.genesis_hash));
		let r = &self.runtime;
		line(
			"Runtime",
			format!(
				"{} spec {} (impl {}, tx {})",
				r.spec_name, r.spec_version, r.impl_version, r.transaction_version
			),
		);
		let author = self
			.best_author
			.map(|i| format!(", authored by validator {}", i + 1))
			.unwrap_or_default();
		line("Best block", format!("#{} {:?}{author}", self.best.number, self.best.hash));
		line("Finalized", format!("#{} {:?}", self.finalized.number, self.finalized.hash));
		line("Peers", format!("{}{}", self.peers, if self.is_syncing { " (syncing)" } else { "" }));
		line("Validators", self.validators.len().to_string());
		for (i, v) in self.validators.iter().enumerate() {
			out.push_str(&format!("  {:>2}. aura {}  grandpa {}\n", i + 1, v.aura, v.grandpa));
		}
		out
	}
}

/// A finalized transaction, with what it did in words (`motion closed`).
#[derive(Serialize)]
pub struct Done {
	#[serde(skip)]
	pub what: &'static str,
	#[serde(flatten)]
	pub submitted: Submitted,
}

impl Render for Done {
	fn text(&self) -> String {
		let s = &self.submitted;
		let mut out = format!("{}: finalized (extrinsic {:?})\n", self.what, s.extrinsic_hash);
		if let Some(hash) = s.motion_hash {
			out.push_str(&format!("motion {hash:?} awaits votes\n"));
		}
		if let Some(result) = &s.motion_result {
			out.push_str(&format!("motion executed: {result}\n"));
		}
		for e in &s.events {
			out.push_str(&format!("  {} {}\n", e.event, e.fields));
		}
		out
	}
}

/// A transaction that registered something: its new id (the text form is the id alone, for
/// scripts).
#[derive(Serialize)]
pub struct WithId {
	pub source: u64,
	#[serde(flatten)]
	pub submitted: Submitted,
}

impl Render for WithId {
	fn text(&self) -> String {
		format!("{}\n", self.source)
	}
}

/// Session keys registered by a transaction.
#[derive(Serialize)]
pub struct WithKeys {
	pub keys: String,
	#[serde(flatten)]
	pub submitted: Submitted,
}

impl Render for WithKeys {
	fn text(&self) -> String {
		format!("session keys {} registered\n", self.keys)
			+ &Done { what: "keys", submitted: self.submitted.clone() }.text()
	}
}

/// A peer id registered by `consortium add-peer`, or found registered already (nothing
/// submitted: a provisioning rerun).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerAdded {
	pub peer_id: String,
	pub already_registered: bool,
	#[serde(flatten)]
	pub submitted: Option<Submitted>,
}

impl Render for PeerAdded {
	fn text(&self) -> String {
		match &self.submitted {
			Some(submitted) => {
				let done = Done { what: "peer id added", submitted: submitted.clone() };
				format!("{}: {}", self.peer_id, done.text())
			}
			None => format!("{}: registered already, nothing submitted\n", self.peer_id),
		}
	}
}
