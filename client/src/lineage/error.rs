//! What can go wrong with lineage's inputs: OpenLineage events and runs that are not well
//! formed, and runs beyond what the chain records.

/// Lineage's errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// An OpenLineage event, or a run built from events or by hand, that is not well formed.
	#[error("{0}")]
	Event(String),
	/// A run beyond the chain's bounds (names, edges, inputs, parts).
	#[error("{0}")]
	Bounds(String),
	/// A run with as many events waiting for its `COMPLETE` event as are kept.
	#[error("run {run} has {events} events waiting for its COMPLETE event already, the most kept")]
	Backlog { run: String, events: usize },
}
