//! `lineage import`: an OpenLineage event file (a JSON array, NDJSON, or one event) gathered
//! into complete runs and recorded. Events that cannot be read refuse the run they name; with
//! `strict`, any refusal records nothing.

use subxt_signer::sr25519::Keypair;

use super::{
	openlineage::{parse_events, Gatherer},
	record::{OnRefusal, RecordReport, Refused},
	store::EventStore,
	Lineage,
};
use crate::Result;

/// What importing an event file did.
#[derive(Debug, Default)]
pub struct EventImport {
	/// The runs recorded, already recorded, skipped and refused by the chain's bounds.
	pub report: RecordReport,
	/// How many runs were delivered again whole (their `COMPLETE` event repeated).
	pub repeated: usize,
	/// Events that could not be read, each refusing the run it names.
	pub malformed: Vec<Refused>,
	/// How many runs lack their `COMPLETE` event (not recorded).
	pub pending: usize,
}

impl EventImport {
	/// Whether a run was refused, by the chain's bounds or as malformed.
	pub fn refused(&self) -> bool {
		!self.report.refused.is_empty() || !self.malformed.is_empty()
	}
}

impl Lineage<'_> {
	/// Records the complete runs of an event file's `text` (their events kept in `store`):
	/// every run the chain will take, the rest reported; with `strict`, nothing if any run is
	/// refused or malformed.
	pub async fn import_events(
		&self,
		signer: &Keypair,
		text: &str,
		store: Option<&EventStore>,
		strict: bool,
	) -> Result<EventImport> {
		let gathered = Gatherer::gather(parse_events(text)?);
		let malformed: Vec<Refused> = gathered
			.malformed
			.into_iter()
			.map(|(run_id, reason)| Refused { run_id, job: None, reason })
			.collect();
		let on_refusal = match strict {
			true if !malformed.is_empty() => None,
			true => Some(OnRefusal::RecordNothing),
			false => Some(OnRefusal::RecordTheRest),
		};
		let report = match on_refusal {
			Some(on_refusal) => self.record_runs(signer, &gathered.runs, store, on_refusal).await?,
			None => RecordReport::default(),
		};
		Ok(EventImport {
			report,
			repeated: gathered.repeated.len(),
			malformed,
			pending: gathered.pending,
		})
	}
}
