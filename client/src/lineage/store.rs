//! The events runs were recorded from, kept off chain: one file a run (`<run id>.json`, its
//! events as a JSON array), written once the run is recorded. The chain holds each run's
//! hash of them; an export uses the stored events of a run only when they hash to it, so a
//! re-exported event is the one that was recorded, unknown facets included.

use std::path::{Path, PathBuf};

use medtrust_rpc_types::lineage_json::uuid;
use serde_json::Value;

use super::{export::Graph, openlineage::Run};
use crate::{files, Result};

/// The default folder: `$MEDTRUST_LINEAGE_EVENTS`, or `~/.medtrust/lineage-events`.
pub fn default_dir() -> PathBuf {
	std::env::var_os("MEDTRUST_LINEAGE_EVENTS").map(PathBuf::from).unwrap_or_else(|| {
		let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
		home.join(".medtrust").join("lineage-events")
	})
}

/// A folder of recorded runs' events.
#[derive(Clone, Debug)]
pub struct EventStore {
	dir: PathBuf,
}

impl EventStore {
	/// The store in `dir` (created when first written).
	pub fn new(dir: impl Into<PathBuf>) -> Self {
		EventStore { dir: dir.into() }
	}

	/// The folder.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	fn path(&self, run_id: &str) -> PathBuf {
		self.dir.join(format!("{run_id}.json"))
	}

	/// Keeps a run's events.
	pub fn save(&self, run: &Run) -> Result<()> {
		files::create_dir(&self.dir)?;
		files::write_json(&self.path(&uuid(&run.run_id)), "lineage events", &run.events)
	}

	/// A run's events, if kept (`None` too if the file is not a JSON array).
	pub fn load(&self, run_id: &str) -> Option<Vec<Value>> {
		let text = std::fs::read_to_string(self.path(run_id)).ok()?;
		serde_json::from_str(&text).ok()
	}

	/// Attaches to `graph` the kept events of each of its runs that hash to what the chain
	/// holds; returns how many runs got theirs.
	pub fn attach(&self, graph: &mut Graph) -> usize {
		let mut found = 0;
		for a in &graph.activities {
			let Some(events) = self.load(&a.run_id) else { continue };
			let probe = Run::from_events(events.clone());
			let hash = probe.event_hash().ok().map(|h| format!("0x{}", hex::encode(h)));
			if hash.as_deref() == Some(a.event_hash.as_str()) {
				graph.events.insert(a.run_id.clone(), events);
				found += 1;
			}
		}
		found
	}
}
