//! Everything `medtrust` prints: each result type's text form ([`Render`]) beside its JSON
//! (`--json`), by capability. Commands hand their results here and print nothing themselves.
//!
//! Standard output that closes early (`medtrust … | head -3`) ends the command quietly
//! ([`Closed`]); notes on standard error never fail a command.

mod catalog;
pub mod certificates;
mod chain;
mod consortium;
mod governance;
mod lineage;
mod relations;
mod sharing;

use std::io::Write;

pub use self::{
	catalog::{Items, Specs},
	certificates::KeysView,
	chain::{Done, PeerAdded, WithId, WithKeys},
	lineage::{Impact, Recorded, Walked},
	relations::{Proposed, RelationList},
	sharing::{GrantList, KeyPublished, LocalKeyView},
};

/// A result a command prints: its text form here, its JSON form by `serde`.
pub trait Render: serde::Serialize {
	/// The human-readable form, ending in a newline.
	fn text(&self) -> String;
}

/// Standard output was closed by its reader: the command stops, quietly and successfully.
#[derive(Debug, thiserror::Error)]
#[error("standard output closed")]
pub struct Closed;

/// Where results go: text or JSON on standard output.
#[derive(Debug, Clone, Copy)]
pub struct Output {
	/// `--json`: machine-readable output.
	pub json: bool,
}

impl Output {
	/// Prints a result as text or, with `--json`, as pretty JSON.
	pub fn show<T: Render + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
		let text =
			if self.json { serde_json::to_string_pretty(value)? + "\n" } else { value.text() };
		raw(text.as_bytes())
	}
}

/// Writes bytes to standard output as they are.
pub fn raw(bytes: &[u8]) -> anyhow::Result<()> {
	let mut out = std::io::stdout().lock();
	match out.write_all(bytes).and_then(|_| out.flush()) {
		Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Closed.into()),
		other => Ok(other?),
	}
}

/// A note for the person at the terminal (progress, where output went), on standard error.
pub fn note(text: &str) {
	let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// The log of a long-running service (`lineage serve`): the client library's `tracing` events
/// at `info` and above, one line each on standard error, prefixed with `prefix`.
pub fn log_service(prefix: &'static str) {
	use tracing_subscriber::layer::SubscriberExt as _;
	let subscriber = tracing_subscriber::registry().with(ServiceLog(prefix));
	// Only the first service of a process installs it (there is one).
	let _ = tracing::subscriber::set_global_default(subscriber);
}

/// [`log_service`]'s layer: an event's message, after the prefix.
struct ServiceLog(&'static str);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ServiceLog {
	fn enabled(
		&self,
		metadata: &tracing::Metadata<'_>,
		_: tracing_subscriber::layer::Context<'_, S>,
	) -> bool {
		*metadata.level() <= tracing::Level::INFO && metadata.target().starts_with("medtrust")
	}

	fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
		struct Message(String);
		impl tracing::field::Visit for Message {
			fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
				if field.name() == "message" {
					self.0 = format!("{value:?}");
				}
			}
		}
		let mut message = Message(String::new());
		event.record(&mut message);
		note(&format!("{}: {}", self.0, message.0));
	}
}

/// A progress bar on standard error for long work, hidden when it is not a terminal.
pub fn progress_bar() -> indicatif::ProgressBar {
	let bar = indicatif::ProgressBar::new(0);
	bar.set_style(
		indicatif::ProgressStyle::with_template("{msg:>9} {bar:40} {pos}/{len} {per_sec}")
			.unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
	);
	bar
}
