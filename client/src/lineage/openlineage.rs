//! OpenLineage run events (spec 2-0-2, sent by the 1.x clients) read into runs to record.
//!
//! A run may be told in several events (`START`, `RUNNING`, `COMPLETE`; inputs on one,
//! outputs on another): its events are gathered by `runId`, and the run is recorded once
//! it is `COMPLETE`, with the union of its inputs and outputs, the `columnLineage` facets
//! of its outputs, its start (the earliest event) and end (the `COMPLETE` event). A run that
//! `FAIL`ed or was `ABORT`ed wrote nothing: it is not recorded. Every event is kept as it
//! came, unknown facets included: the run's hash on chain is over all of them.
//!
//! MedTrust reads two facets of its own, both optional: a job facet `medtrust` with `kind`
//! (`extract`, `clean`, `transform`, `de-identify`, `aggregate`, `derive`, `train`, `share`;
//! otherwise the kind is inferred: masking makes `de-identify`, aggregation `aggregate`, no
//! inputs `extract`, else `transform`), and an input dataset facet `medtrust` with
//! `certificate` (the id of the certificate the input dataset was anchored under; or a run
//! facet `medtrust` with `certificates`, a list of ids), which puts the certificate in the
//! run's lineage.

use std::{
	collections::{BTreeMap, HashMap, VecDeque},
	time::{Duration, Instant},
};

use medtrust_primitives::{canonical::canonical_json, wire::WireName};
use medtrust_rpc_types::lineage_json::parse_uuid;
use pallet_lineage::{ActivityKind, Transformation};
use serde_json::Value;

use super::Error as LineageError;
use crate::{Error, Result};

/// A [`LineageError::Event`].
fn malformed(reason: impl Into<String>) -> Error {
	LineageError::Event(reason.into()).into()
}

/// A dataset as OpenLineage names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DatasetName {
	/// Its namespace, e.g. `postgres://lis.example:5432`.
	pub namespace: String,
	/// Its name, e.g. `lis.public.lab_result`.
	pub name: String,
}

/// One input field of an output field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnSource {
	/// The input dataset.
	pub dataset: DatasetName,
	/// The input field.
	pub field: String,
	/// What the computation did.
	pub transformation: Transformation,
	/// Whether the output is masked with respect to it.
	pub masking: bool,
}

/// An output field and what it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputField {
	/// Its name.
	pub name: String,
	/// Its input fields.
	pub sources: Vec<ColumnSource>,
}

/// A dataset a run wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
	/// The dataset.
	pub dataset: DatasetName,
	/// Its fields with column lineage.
	pub fields: Vec<OutputField>,
}

/// Something a run read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
	/// The latest edition of a dataset.
	Dataset(DatasetName),
	/// A certificate.
	Certificate(u64),
}

/// A complete run, ready to record.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
	/// The job's namespace.
	pub job_namespace: String,
	/// The job's name.
	pub job_name: String,
	/// Its `runId`.
	pub run_id: [u8; 16],
	/// What it did.
	pub kind: ActivityKind,
	/// When it started, in milliseconds since the Unix epoch.
	pub started: u64,
	/// When it ended.
	pub ended: u64,
	/// What it read (datasets first, in the events' order, then certificates).
	pub inputs: Vec<Input>,
	/// What it wrote.
	pub outputs: Vec<Output>,
	/// Its events, as they came.
	pub events: Vec<Value>,
}

impl Run {
	/// A run holding only `events` (to hash them).
	pub fn from_events(events: Vec<Value>) -> Self {
		Run {
			job_namespace: String::new(),
			job_name: String::new(),
			run_id: [0; 16],
			kind: ActivityKind::Transform,
			started: 0,
			ended: 0,
			inputs: Vec::new(),
			outputs: Vec::new(),
			events,
		}
	}

	/// BLAKE2b-256 of the canonical JSON (RFC 8785) of the run's events, as an array.
	pub fn event_hash(&self) -> Result<[u8; 32]> {
		let text = serde_json::to_string(&self.events)
			.map_err(|source| Error::Serialise { what: "the run's events", source })?;
		let canonical = canonical_json(&text)
			.map_err(|e| malformed(format!("the run's events are not canonical JSON: {e:?}")))?;
		Ok(sp_crypto_hashing::blake2_256(&canonical))
	}
}

impl Run {
	/// How `other`, a run of the same id delivered again, differs from this one in what the
	/// chain records of it: another job, or datasets, certificates or column lineage this one
	/// lacks. `None` when it records nothing new (the same run, or part of its events
	/// delivered again, whatever their times).
	pub fn difference(&self, other: &Run) -> Option<String> {
		if (&self.job_namespace, &self.job_name) != (&other.job_namespace, &other.job_name) {
			return Some(format!(
				"it was recorded for job {} {}; this delivery names job {} {}",
				self.job_namespace, self.job_name, other.job_namespace, other.job_name
			));
		}
		added("inputs", self.input_names(), other.input_names())
			.or_else(|| added("outputs", self.output_names(), other.output_names()))
			.or_else(|| added("column lineage", self.columns(), other.columns()))
	}

	/// Its inputs, each in words (`<namespace> <name>`, `certificate <id>`).
	pub fn input_names(&self) -> Vec<String> {
		self.inputs.iter().map(Input::to_string).collect()
	}

	/// Its outputs, each `<namespace> <name>`.
	pub fn output_names(&self) -> Vec<String> {
		self.outputs.iter().map(|o| o.dataset.to_string()).collect()
	}

	/// Its column edges, each `<output>.<field> <- <input>.<field>`.
	fn columns(&self) -> Vec<String> {
		let mut all = Vec::new();
		for o in &self.outputs {
			for f in &o.fields {
				for s in &f.sources {
					all.push(format!("{}.{} <- {}.{}", o.dataset, f.name, s.dataset, s.field));
				}
			}
		}
		all
	}
}

/// What `delivered` names that `recorded` lacks, if anything: `its outputs are not those
/// recorded: this delivery adds a, b`.
pub fn added(what: &str, recorded: Vec<String>, delivered: Vec<String>) -> Option<String> {
	let recorded: std::collections::BTreeSet<String> = recorded.into_iter().collect();
	let new: Vec<&String> = delivered.iter().filter(|d| !recorded.contains(*d)).collect();
	if new.is_empty() {
		return None;
	}
	let shown: Vec<&str> = new.iter().take(3).map(|s| s.as_str()).collect();
	let more = match new.len() {
		n if n > 3 => format!(" and {} more", n - 3),
		_ => String::new(),
	};
	Some(format!(
		"its {what} are not those recorded: this delivery adds {}{more}",
		shown.join(", ")
	))
}

impl std::fmt::Display for DatasetName {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "{} {}", self.namespace, self.name)
	}
}

impl std::fmt::Display for Input {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Input::Dataset(d) => d.fmt(f),
			Input::Certificate(id) => write!(f, "certificate {id}"),
		}
	}
}

/// What became of the events given to a [`Gatherer`].
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
	/// The run is complete: record it.
	Complete(Box<Run>),
	/// The run goes on: the event was kept until it completes.
	Pending,
	/// The run failed or was aborted: nothing to record.
	Dropped,
	/// The event is one of a run completed already, delivered again: nothing new (`complete`
	/// when it is that run's `COMPLETE` event, i.e. the whole run was delivered again).
	Repeated {
		/// The run's id.
		run_id: [u8; 16],
		/// Whether the event completes the run.
		complete: bool,
	},
}

/// How many completed runs a [`Gatherer`] remembers, to know a repeated delivery: the
/// oldest are forgotten first (the chain still knows them).
pub const REMEMBERED_RUNS: usize = 10_000;

/// What a [`Gatherer`] keeps of runs that have not completed. A file is gathered whole
/// ([`PendingLimits::UNBOUNDED`]); a service that runs for months keeps at most so many runs,
/// events and bytes, and forgets a run that has not completed in time: the oldest goes first.
/// A run forgotten is recorded from its `COMPLETE` event alone if that comes (OpenLineage
/// producers repeat inputs and outputs there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingLimits {
	/// Runs waiting for their `COMPLETE` event.
	pub runs: usize,
	/// Events kept of one run.
	pub events_per_run: usize,
	/// Bytes of events kept (their canonical JSON).
	pub bytes: usize,
	/// How long a run may wait for its `COMPLETE` event.
	pub max_age: Duration,
}

impl PendingLimits {
	/// No limit: a file's events, gathered at once.
	pub const UNBOUNDED: PendingLimits = PendingLimits {
		runs: usize::MAX,
		events_per_run: usize::MAX,
		bytes: usize::MAX,
		max_age: Duration::MAX,
	};
	/// `lineage serve`'s: 1,000 runs, 256 events a run, 256 MiB, a day.
	pub const GATEWAY: PendingLimits = PendingLimits {
		runs: 1_000,
		events_per_run: 256,
		bytes: 256 << 20,
		max_age: Duration::from_secs(24 * 3600),
	};
}

/// The events of a run not complete yet.
#[derive(Clone, Debug)]
struct PendingRun {
	/// When its first event came.
	since: Instant,
	/// Its events' canonical JSON, in bytes.
	bytes: usize,
	/// Its events, each with its hash.
	events: Vec<([u8; 32], Value)>,
}

/// Gathers events by run until each run completes.
#[derive(Debug)]
pub struct Gatherer {
	pending: BTreeMap<[u8; 16], PendingRun>,
	/// The bytes of every pending run's events.
	pending_bytes: usize,
	/// The event hashes of the runs completed lately, and their order (oldest first).
	done: HashMap<[u8; 16], Vec<[u8; 32]>>,
	done_order: VecDeque<[u8; 16]>,
	limits: PendingLimits,
	/// Runs forgotten before they completed.
	forgotten: u64,
}

impl Default for Gatherer {
	fn default() -> Self {
		Gatherer::bounded(PendingLimits::UNBOUNDED)
	}
}

/// The hash of one event: BLAKE2b-256 of its canonical JSON (RFC 8785).
pub fn event_hash(event: &Value) -> Result<[u8; 32]> {
	hashed(event).map(|(hash, _)| hash)
}

/// An event's hash and the length of its canonical JSON.
fn hashed(event: &Value) -> Result<([u8; 32], usize)> {
	let text = serde_json::to_string(event)
		.map_err(|source| Error::Serialise { what: "the event", source })?;
	let canonical = canonical_json(&text)
		.map_err(|e| malformed(format!("the event is not canonical JSON: {e:?}")))?;
	Ok((sp_crypto_hashing::blake2_256(&canonical), canonical.len()))
}

fn field<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a Value> {
	v.get(key).ok_or_else(|| malformed(format!("{what} has no `{key}`")))
}

fn string<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a str> {
	field(v, key, what)?
		.as_str()
		.filter(|s| !s.is_empty())
		.ok_or_else(|| malformed(format!("{what}'s `{key}` is not a non-empty string")))
}

/// The `runId` of an event.
pub fn run_id(event: &Value) -> Result<[u8; 16]> {
	let run = field(event, "run", "the event")?;
	let id = string(run, "runId", "the event's run")?;
	parse_uuid(id).ok_or_else(|| malformed(format!("runId `{id}` is not a UUID")))
}

/// An event's time in milliseconds since the Unix epoch.
fn event_time(event: &Value) -> Result<u64> {
	let text = string(event, "eventTime", "the event")?;
	let time = chrono::DateTime::parse_from_rfc3339(text)
		.map_err(|e| malformed(format!("eventTime `{text}` is not an ISO 8601 time: {e}")))?;
	u64::try_from(time.timestamp_millis())
		.map_err(|_| malformed(format!("eventTime `{text}` is before 1970")))
}

impl Gatherer {
	/// A gatherer keeping at most `limits` of runs not complete yet.
	pub fn bounded(limits: PendingLimits) -> Self {
		Gatherer {
			pending: BTreeMap::new(),
			pending_bytes: 0,
			done: HashMap::new(),
			done_order: VecDeque::new(),
			limits,
			forgotten: 0,
		}
	}

	/// Takes one event; says whether its run is now complete.
	pub fn add(&mut self, event: Value) -> Result<Outcome> {
		if !event.is_object() {
			return Err(malformed("an OpenLineage event is a JSON object"));
		}
		let id = run_id(&event)?;
		event_time(&event)?;
		field(&event, "job", "the event")?;
		let kind = event.get("eventType").and_then(Value::as_str).unwrap_or("OTHER");
		let kind = kind.to_ascii_uppercase();
		let (hash, bytes) = hashed(&event)?;
		let complete = kind == "COMPLETE";
		if self.done.get(&id).is_some_and(|hashes| hashes.contains(&hash)) {
			return Ok(Outcome::Repeated { run_id: id, complete });
		}
		self.keep(id, hash, bytes, event)?;
		match kind.as_str() {
			"COMPLETE" => {
				let events = self.forget(&id).map(|run| run.events).unwrap_or_default();
				let hashes = events.iter().map(|(h, _)| *h).collect();
				let run = run_of(id, events.into_iter().map(|(_, e)| e).collect())?;
				self.remember(id, hashes);
				Ok(Outcome::Complete(Box::new(run)))
			}
			"FAIL" | "ABORT" => {
				self.forget(&id);
				Ok(Outcome::Dropped)
			}
			_ => Ok(Outcome::Pending),
		}
	}

	/// Keeps an event of run `id` (once), within the limits: a new run makes room by
	/// forgetting runs too old, then the oldest; a run with too many events is refused.
	fn keep(&mut self, id: [u8; 16], hash: [u8; 32], bytes: usize, event: Value) -> Result<()> {
		let now = Instant::now();
		if !self.pending.contains_key(&id) {
			self.forget_older_than(now);
			while self.pending.len() >= self.limits.runs && self.forget_oldest(None) {}
			self.pending.insert(id, PendingRun { since: now, bytes: 0, events: Vec::new() });
		}
		let Some(run) = self.pending.get_mut(&id) else { return Ok(()) };
		if run.events.iter().any(|(h, _)| *h == hash) {
			return Ok(());
		}
		if run.events.len() >= self.limits.events_per_run {
			let (run, events) = (medtrust_rpc_types::lineage_json::uuid(&id), run.events.len());
			return Err(LineageError::Backlog { run, events }.into());
		}
		run.events.push((hash, event));
		run.bytes = run.bytes.saturating_add(bytes);
		self.pending_bytes = self.pending_bytes.saturating_add(bytes);
		while self.pending_bytes > self.limits.bytes && self.forget_oldest(Some(id)) {}
		Ok(())
	}

	/// Forgets run `id`'s pending events; returns them.
	fn forget(&mut self, id: &[u8; 16]) -> Option<PendingRun> {
		let run = self.pending.remove(id)?;
		self.pending_bytes = self.pending_bytes.saturating_sub(run.bytes);
		Some(run)
	}

	/// Forgets the run waiting longest (but `keep`); whether there was one.
	fn forget_oldest(&mut self, keep: Option<[u8; 16]>) -> bool {
		let oldest = self
			.pending
			.iter()
			.filter(|(id, _)| Some(**id) != keep)
			.min_by_key(|(_, run)| run.since)
			.map(|(id, _)| *id);
		match oldest {
			Some(id) => {
				self.forget(&id);
				self.forgotten += 1;
				true
			}
			None => false,
		}
	}

	fn forget_older_than(&mut self, now: Instant) {
		let max_age = self.limits.max_age;
		let old: Vec<[u8; 16]> = self
			.pending
			.iter()
			.filter(|(_, run)| now.saturating_duration_since(run.since) > max_age)
			.map(|(id, _)| *id)
			.collect();
		for id in old {
			self.forget(&id);
			self.forgotten += 1;
		}
	}

	fn remember(&mut self, run: [u8; 16], hashes: Vec<[u8; 32]>) {
		if self.done.insert(run, hashes).is_none() {
			self.done_order.push_back(run);
		}
		while self.done_order.len() > REMEMBERED_RUNS {
			if let Some(oldest) = self.done_order.pop_front() {
				self.done.remove(&oldest);
			}
		}
	}

	/// A gatherer holding only `run`'s pending events and what it knows of `run`'s completed
	/// deliveries: to try an event without keeping it.
	pub fn fork(&self, run: [u8; 16]) -> Gatherer {
		let mut fork = Gatherer::default();
		if let Some(pending) = self.pending.get(&run) {
			fork.pending.insert(run, pending.clone());
		}
		if let Some(hashes) = self.done.get(&run) {
			fork.remember(run, hashes.clone());
		}
		fork
	}

	/// How many runs are waiting for their `COMPLETE` event.
	pub fn pending(&self) -> usize {
		self.pending.len()
	}

	/// How many runs were forgotten before they completed (too many, too large, too old).
	pub fn forgotten(&self) -> u64 {
		self.forgotten
	}
}

/// The runs of a stream of events, gathered whole (see [`Gatherer::gather`]).
#[derive(Debug, Default)]
pub struct Gathered {
	/// The complete runs, in the order they completed (a run delivered twice with other
	/// content is here twice: the recorder compares them).
	pub runs: Vec<Run>,
	/// The runs delivered again whole (their `COMPLETE` event repeated), by id.
	pub repeated: Vec<[u8; 16]>,
	/// Events that could not be read, each with the run it names (if any) and why: that run
	/// is not recorded from this stream.
	pub malformed: Vec<(Option<[u8; 16]>, String)>,
	/// How many runs failed or were aborted (nothing to record).
	pub dropped: usize,
	/// How many runs lack their `COMPLETE` event.
	pub pending: usize,
}

impl Gatherer {
	/// Gathers a whole stream: every run that completes, what was delivered again, and each
	/// event that cannot be read (numbered from 1), with its run.
	pub fn gather(events: Vec<Value>) -> Gathered {
		let mut gatherer = Gatherer::default();
		let mut out = Gathered::default();
		for (n, event) in events.into_iter().enumerate() {
			let named = run_id(&event).ok();
			match gatherer.add(event) {
				Ok(Outcome::Complete(run)) => out.runs.push(*run),
				Ok(Outcome::Repeated { run_id, complete: true }) => out.repeated.push(run_id),
				Ok(Outcome::Dropped) => out.dropped += 1,
				Ok(Outcome::Pending | Outcome::Repeated { .. }) => {}
				Err(e) => {
					if let Some(id) = named {
						gatherer.forget(&id);
					}
					out.malformed.push((named, format!("event {}: {e}", n + 1)));
				}
			}
		}
		// A run with a malformed event is refused whole, even if it completed.
		out.runs.retain(|r| !out.malformed.iter().any(|(id, _)| *id == Some(r.run_id)));
		out.pending = gatherer.pending();
		out
	}
}

/// Reads events from a file's text: a JSON array, one JSON object, or NDJSON (one event a
/// line).
pub fn parse_events(text: &str) -> Result<Vec<Value>> {
	let trimmed = text.trim_start();
	if trimmed.starts_with('[') {
		return serde_json::from_str(trimmed)
			.map_err(|e| malformed(format!("not a JSON array of events: {e}")));
	}
	if let Ok(one) = serde_json::from_str::<Value>(trimmed) {
		return Ok(vec![one]);
	}
	text.lines()
		.enumerate()
		.filter(|(_, l)| !l.trim().is_empty())
		.map(|(n, l)| {
			serde_json::from_str(l).map_err(|e| malformed(format!("line {}: {e}", n + 1)))
		})
		.collect()
}

/// A dataset of an event's `inputs` or `outputs`.
fn dataset_name(v: &Value) -> Result<DatasetName> {
	Ok(DatasetName {
		namespace: string(v, "namespace", "a dataset")?.to_string(),
		name: string(v, "name", "a dataset")?.to_string(),
	})
}

/// One column-lineage transformation: the 2-0-2 `transformations` entry, or the older
/// field-level `transformationType` (`IDENTITY`, `MASKED`).
fn transformation(t: &Value) -> Result<(Transformation, bool)> {
	let kind = t.get("type").or_else(|| t.get("transformationType"));
	let kind = kind.and_then(Value::as_str).unwrap_or("DIRECT").to_ascii_uppercase();
	let subtype = t.get("subtype").and_then(Value::as_str).unwrap_or("").to_ascii_uppercase();
	let masking = t.get("masking").and_then(Value::as_bool).unwrap_or(false);
	let found = match (kind.as_str(), subtype.as_str()) {
		("DIRECT", "IDENTITY") | ("IDENTITY", _) => Transformation::Identity,
		("DIRECT", "TRANSFORMATION" | "") => Transformation::Transformation,
		("MASKED", _) => return Ok((Transformation::Transformation, true)),
		("DIRECT", "AGGREGATION") => Transformation::Aggregation,
		("INDIRECT", "JOIN") => Transformation::Join,
		("INDIRECT", "GROUP_BY") => Transformation::GroupBy,
		("INDIRECT", "FILTER") => Transformation::Filter,
		("INDIRECT", "SORT") => Transformation::Sort,
		("INDIRECT", "WINDOW") => Transformation::Window,
		("INDIRECT", "CONDITIONAL" | "") => Transformation::Conditional,
		_ => {
			return Err(malformed(format!(
				"unknown column lineage transformation {kind}/{subtype}"
			)))
		}
	};
	Ok((found, masking))
}

/// The fields of an output's `columnLineage` facet.
fn column_lineage(output: &Value) -> Result<Vec<OutputField>> {
	let Some(fields) = output.pointer("/facets/columnLineage/fields").and_then(Value::as_object)
	else {
		return Ok(Vec::new());
	};
	let mut out = Vec::new();
	for (name, spec) in fields {
		let mut sources = Vec::new();
		let inputs = spec.get("inputFields").and_then(Value::as_array).cloned().unwrap_or_default();
		for input in &inputs {
			let dataset = dataset_name(input)?;
			let field = string(input, "field", "an input field")?.to_string();
			let transformations = match input.get("transformations").and_then(Value::as_array) {
				Some(list) if !list.is_empty() => list.clone(),
				_ => vec![spec.clone()],
			};
			for t in &transformations {
				let (transformation, masking) = transformation(t)?;
				let source = ColumnSource {
					dataset: dataset.clone(),
					field: field.clone(),
					transformation,
					masking,
				};
				// One edge per input field: the first (direct before indirect) wins.
				if !sources.iter().any(|s: &ColumnSource| s.dataset == dataset && s.field == field)
				{
					sources.push(source);
				}
			}
		}
		out.push(OutputField { name: name.clone(), sources });
	}
	Ok(out)
}

/// A complete run from its events (the last one `COMPLETE`).
fn run_of(run_id: [u8; 16], events: Vec<Value>) -> Result<Run> {
	let last = events.last().ok_or_else(|| malformed("a run without events"))?;
	let job = field(last, "job", "the event")?;
	let job_namespace = string(job, "namespace", "the job")?.to_string();
	let job_name = string(job, "name", "the job")?.to_string();
	let mut times = Vec::new();
	let mut inputs: Vec<Input> = Vec::new();
	let mut certificates = Vec::new();
	let mut outputs: Vec<Output> = Vec::new();
	for event in &events {
		times.push(event_time(event)?);
		let listed = event.pointer("/run/facets/medtrust/certificates").and_then(Value::as_array);
		for id in listed.into_iter().flatten().filter_map(Value::as_u64) {
			if !certificates.contains(&id) {
				certificates.push(id);
			}
		}
		for input in event.get("inputs").and_then(Value::as_array).into_iter().flatten() {
			let dataset = Input::Dataset(dataset_name(input)?);
			if !inputs.contains(&dataset) {
				inputs.push(dataset);
			}
			if let Some(id) = input.pointer("/facets/medtrust/certificate").and_then(Value::as_u64)
			{
				if !certificates.contains(&id) {
					certificates.push(id);
				}
			}
		}
		for output in event.get("outputs").and_then(Value::as_array).into_iter().flatten() {
			let dataset = dataset_name(output)?;
			let fields = column_lineage(output)?;
			match outputs.iter_mut().find(|o| o.dataset == dataset) {
				Some(known) if known.fields.is_empty() => known.fields = fields,
				Some(_) => {}
				None => outputs.push(Output { dataset, fields }),
			}
		}
	}
	// Column lineage may name input datasets the events did not list: they were read too.
	for source in outputs.iter().flat_map(|o| &o.fields).flat_map(|f| &f.sources) {
		let dataset = Input::Dataset(source.dataset.clone());
		if !inputs.contains(&dataset) {
			inputs.push(dataset);
		}
	}
	inputs.extend(certificates.into_iter().map(Input::Certificate));
	let kind = match job.pointer("/facets/medtrust/kind").and_then(Value::as_str) {
		Some(name) => ActivityKind::from_wire_name(name).ok_or_else(|| {
			malformed(format!(
				"job facet medtrust.kind `{name}` is not {}",
				medtrust_primitives::wire::one_of::<ActivityKind>()
			))
		})?,
		None => infer_kind(&inputs, &outputs),
	};
	let started = times.iter().copied().min().unwrap_or(0);
	let ended = times.last().copied().unwrap_or(started).max(started);
	Ok(Run { job_namespace, job_name, run_id, kind, started, ended, inputs, outputs, events })
}

/// The kind a run's lineage shows: masking de-identifies, aggregation aggregates, reading
/// nothing extracts; anything else transforms.
pub fn infer_kind(inputs: &[Input], outputs: &[Output]) -> ActivityKind {
	let sources: Vec<&ColumnSource> =
		outputs.iter().flat_map(|o| &o.fields).flat_map(|f| &f.sources).collect();
	if sources.iter().any(|s| s.masking) {
		ActivityKind::Deidentify
	} else if sources
		.iter()
		.any(|s| matches!(s.transformation, Transformation::Aggregation | Transformation::GroupBy))
	{
		ActivityKind::Aggregate
	} else if inputs.is_empty() {
		ActivityKind::Extract
	} else {
		ActivityKind::Transform
	}
}

#[cfg(test)]
mod tests {
	use serde_json::json;

	use super::*;

	const RUN: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

	fn event(kind: &str, time: &str, inputs: Value, outputs: Value) -> Value {
		json!({
			"eventType": kind,
			"eventTime": time,
			"run": { "runId": RUN },
			"job": { "namespace": "airflow", "name": "lis_deid" },
			"inputs": inputs,
			"outputs": outputs,
			"producer": "https://github.com/OpenLineage/OpenLineage/tree/1.40.0/client/python",
			"schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
		})
	}

	/// A START event of run number `n`.
	fn start_of(n: u32) -> Value {
		let mut start = event("START", "2025-06-01T01:00:00Z", json!([]), json!([]));
		start["run"]["runId"] = json!(format!("3f2504e0-4f89-11d3-9a0c-{n:012x}"));
		start
	}

	#[test]
	fn a_bounded_gatherer_keeps_its_pending_runs_under_the_cap() {
		let mut gatherer = Gatherer::bounded(PendingLimits::GATEWAY);
		for n in 0..10_000 {
			assert_eq!(gatherer.add(start_of(n)).expect("kept"), Outcome::Pending);
			assert!(gatherer.pending() <= PendingLimits::GATEWAY.runs);
		}
		assert_eq!(gatherer.pending(), 1_000);
		assert_eq!(gatherer.forgotten(), 9_000);
		// The newest are kept, the oldest forgotten: run 9,999 completes with its START.
		let mut complete = start_of(9_999);
		complete["eventType"] = json!("COMPLETE");
		complete["eventTime"] = json!("2025-06-01T01:05:00Z");
		let Outcome::Complete(run) = gatherer.add(complete).expect("complete") else {
			panic!("run 9,999 completes")
		};
		assert_eq!(run.events.len(), 2, "its START was kept");
		assert_eq!(gatherer.pending(), 999);
	}

	#[test]
	fn a_bounded_gatherer_refuses_a_run_past_its_events_and_forgets_by_bytes_and_age() {
		let limits = PendingLimits {
			runs: 10,
			events_per_run: 3,
			bytes: 2_000,
			max_age: Duration::from_secs(3600),
		};
		let mut gatherer = Gatherer::bounded(limits);
		for minute in 0..3 {
			let time = format!("2025-06-01T01:0{minute}:00Z");
			gatherer.add(event("RUNNING", &time, json!([]), json!([]))).expect("kept");
		}
		let refused = gatherer.add(event("RUNNING", "2025-06-01T01:09:00Z", json!([]), json!([])));
		assert!(refused.unwrap_err().to_string().contains("the most kept"));
		// A run whose events pass the byte cap makes the others go, oldest first.
		let mut big = start_of(7);
		big["job"]["description"] = json!("x".repeat(1_500));
		gatherer.add(big).expect("kept");
		assert_eq!(gatherer.pending(), 1, "the first run was forgotten for the bytes");
		let mut aged = Gatherer::bounded(PendingLimits { max_age: Duration::ZERO, ..limits });
		aged.add(start_of(1)).expect("kept");
		std::thread::sleep(Duration::from_millis(5));
		aged.add(start_of(2)).expect("kept");
		assert_eq!((aged.pending(), aged.forgotten()), (1, 1), "run 1 expired");
	}

	fn lab() -> Value {
		json!([{ "namespace": "postgres://lis:5432", "name": "lis.public.lab_result",
			"facets": { "medtrust": { "certificate": 4 } } }])
	}

	fn deid() -> Value {
		json!([{ "namespace": "postgres://research:5432", "name": "research.lab_deid",
			"facets": { "columnLineage": { "fields": {
				"pseudonym": { "inputFields": [{ "namespace": "postgres://lis:5432",
					"name": "lis.public.lab_result", "field": "patient_id",
					"transformations": [{ "type": "DIRECT", "subtype": "TRANSFORMATION", "masking": true }] }] },
				"value": { "inputFields": [{ "namespace": "postgres://lis:5432",
					"name": "lis.public.lab_result", "field": "value",
					"transformations": [{ "type": "DIRECT", "subtype": "IDENTITY" }] }] }
			} }, "x-unknown": { "kept": true } } }])
	}

	#[test]
	fn a_run_is_gathered_from_its_events_until_complete() {
		let mut g = Gatherer::default();
		let start = event("START", "2024-01-05T11:00:00Z", lab(), json!([]));
		assert_eq!(g.add(start).expect("an event"), Outcome::Pending);
		assert_eq!(g.pending(), 1);
		let done = event("COMPLETE", "2024-01-05T11:00:30.500+00:00", json!([]), deid());
		let Outcome::Complete(run) = g.add(done).expect("an event") else { panic!("complete") };
		assert_eq!(g.pending(), 0);
		assert_eq!(run.started, 1_704_452_400_000);
		assert_eq!(run.ended, 1_704_452_430_500);
		assert_eq!(run.kind, ActivityKind::Deidentify);
		assert_eq!(run.inputs.len(), 2);
		assert_eq!(run.inputs[1], Input::Certificate(4));
		assert_eq!(run.outputs[0].fields.len(), 2);
		let pseudonym = &run.outputs[0].fields[0];
		assert_eq!(pseudonym.name, "pseudonym");
		assert!(pseudonym.sources[0].masking);
		assert_eq!(run.events.len(), 2);
		// Unknown facets are kept in the events, and so in the hash.
		let hash = run.event_hash().expect("a hash");
		let mut other = (*run).clone();
		other.events[1]["outputs"][0]["facets"]["x-unknown"]["kept"] = json!(false);
		assert_ne!(other.event_hash().expect("a hash"), hash);
	}

	#[test]
	fn failed_runs_are_dropped_and_bad_events_refused() {
		let mut g = Gatherer::default();
		g.add(event("START", "2024-01-05T11:00:00Z", lab(), json!([]))).expect("an event");
		let fail = event("FAIL", "2024-01-05T11:01:00Z", json!([]), json!([]));
		assert_eq!(g.add(fail).expect("an event"), Outcome::Dropped);
		assert_eq!(g.pending(), 0);
		let mut bad = event("COMPLETE", "yesterday", json!([]), deid());
		assert!(g.add(bad.clone()).is_err());
		bad["eventTime"] = json!("2024-01-05T11:00:00Z");
		bad["run"]["runId"] = json!("not-a-uuid");
		assert!(g.add(bad).is_err());
		assert!(g.add(json!([1, 2])).is_err());
	}

	#[test]
	fn transformations_of_both_facet_versions_are_read() {
		let t = |v: Value| transformation(&v).expect("known");
		assert_eq!(
			t(json!({"type": "INDIRECT", "subtype": "JOIN"})),
			(Transformation::Join, false)
		);
		assert_eq!(
			t(json!({"type": "DIRECT", "subtype": "AGGREGATION"})).0,
			Transformation::Aggregation
		);
		assert_eq!(t(json!({"transformationType": "IDENTITY"})).0, Transformation::Identity);
		assert_eq!(
			t(json!({"transformationType": "MASKED"})),
			(Transformation::Transformation, true)
		);
		assert_eq!(t(json!({"type": "MASKED"})), (Transformation::Transformation, true));
		assert!(transformation(&json!({"type": "DIRECT", "subtype": "TELEPORT"})).is_err());
	}

	#[test]
	fn a_repeated_delivery_is_recognised_and_kept_once() {
		let mut g = Gatherer::default();
		let start = event("START", "2024-01-05T11:00:00Z", lab(), json!([]));
		let done = event("COMPLETE", "2024-01-05T11:00:30Z", json!([]), deid());
		assert_eq!(g.add(start.clone()).expect("an event"), Outcome::Pending);
		// The same START twice before COMPLETE: kept once, so the hash is the same.
		assert_eq!(g.add(start.clone()).expect("an event"), Outcome::Pending);
		let Outcome::Complete(run) = g.add(done.clone()).expect("an event") else {
			panic!("complete")
		};
		assert_eq!(run.events.len(), 2);
		let id = run.run_id;
		assert_eq!(g.add(start).expect("again"), Outcome::Repeated { run_id: id, complete: false });
		assert_eq!(
			g.add(done.clone()).expect("again"),
			Outcome::Repeated { run_id: id, complete: true }
		);
		// The same run id with other content is a run again, for the recorder to compare.
		// The COMPLETE alone, with a time of its own: part of the run again, nothing new.
		let mut alone = done.clone();
		alone["eventTime"] = json!("2024-01-05T11:00:31Z");
		let Outcome::Complete(part) = g.add(alone).expect("an event") else { panic!("complete") };
		assert_eq!(run.difference(&part), None);
		let mut other = done;
		other["eventTime"] = json!("2024-01-05T11:00:32Z");
		other["outputs"][0]["name"] = json!("research.other");
		let Outcome::Complete(second) = g.add(other).expect("an event") else { panic!("complete") };
		let why = run.difference(&second).expect("another output");
		assert!(
			why.contains("outputs are not those recorded") && why.contains("research.other"),
			"{why}"
		);
		assert_eq!(run.difference(&run.clone()), None);
	}

	#[test]
	fn a_stream_is_gathered_with_what_was_repeated_dropped_and_event() {
		let start = event("START", "2024-01-05T11:00:00Z", lab(), json!([]));
		let done = event("COMPLETE", "2024-01-05T11:00:30Z", json!([]), deid());
		let mut broken = event("COMPLETE", "2024-01-05T11:00:30Z", json!([]), deid());
		broken["run"]["runId"] = json!("3f2504e0-4f89-11d3-9a0c-0305e82c3302");
		broken["eventTime"] = json!("not a time");
		let failed = {
			let mut e = event("FAIL", "2024-01-05T11:00:30Z", json!([]), json!([]));
			e["run"]["runId"] = json!("3f2504e0-4f89-11d3-9a0c-0305e82c3303");
			e
		};
		let gathered = Gatherer::gather(vec![
			start.clone(),
			done.clone(),
			start,
			done,
			broken,
			json!({ "no": "run" }),
			failed,
			event("START", "2024-01-05T12:00:00Z", lab(), json!([])),
		]);
		assert_eq!(gathered.runs.len(), 1);
		assert_eq!(gathered.repeated.len(), 1);
		assert_eq!(gathered.dropped, 1);
		assert_eq!(gathered.malformed.len(), 2);
		assert!(
			gathered.malformed[0].0.is_some() && gathered.malformed[0].1.starts_with("event 5:")
		);
		assert_eq!(gathered.malformed[1].0, None);
		// The last START reopened the run completed above: a run waiting for its COMPLETE.
		assert_eq!(gathered.pending, 1);
	}

	#[test]
	fn files_are_arrays_objects_or_ndjson() {
		let one = event("COMPLETE", "2024-01-05T11:00:00Z", lab(), deid());
		let ndjson = format!("{}\n\n{}\n", one, one);
		assert_eq!(parse_events(&ndjson).expect("ndjson").len(), 2);
		assert_eq!(parse_events(&format!("[{one}]")).expect("array").len(), 1);
		assert_eq!(parse_events(&one.to_string()).expect("object").len(), 1);
		assert!(parse_events("{\n").is_err());
	}
}
