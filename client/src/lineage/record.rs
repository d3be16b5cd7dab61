//! Recording runs as a real stream delivers them: each run is told apart first — one that
//! wrote nothing (skipped), one the chain holds already with the same lineage (a repeated
//! delivery: acknowledged), one the chain would refuse (with the run, its job and the reason,
//! before anything is sent) — and the rest are recorded in as few calls as the chain's
//! bounds allow, all in flight: runs that fit one call batched (`Lineage.record`), a run too
//! large for one call in parts (`Lineage.record_part`, one activity). A batch the chain
//! refuses is retried run by run, so a refusal names its run, never the first of its batch.

use std::collections::{BTreeMap, HashMap};

use medtrust_rpc_types::lineage_json::{uuid, ActivityJson};
use subxt_signer::sr25519::Keypair;

use super::{
	onchain::{batches, Resources},
	openlineage::{added, Input, Run},
	plan::{check, plan, Bounds, PartPlan, Refusal, RefusalKind},
	EventStore,
};
use crate::lineage::Lineage;
use crate::{
	runtime::{
		self, lineage::events::ActivityRecorded,
		runtime_types::bounded_collections::bounded_vec::BoundedVec,
	},
	Error, Result,
};

/// Which activity a recorded run got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
	/// The run's id.
	pub run_id: [u8; 16],
	/// Its activity's id on chain.
	pub activity: u64,
	/// The edges it added.
	pub edges: u32,
}

/// A run that was not recorded, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
	/// The run's id (`None` for an event that names no readable run).
	pub run_id: Option<[u8; 16]>,
	/// Its job's namespace and name, if known.
	pub job: Option<String>,
	/// Why, in words naming the bound, dataset or difference at fault.
	pub reason: String,
}

impl Refused {
	fn of(run: &Run, reason: impl Into<String>) -> Self {
		Refused {
			run_id: Some(run.run_id),
			job: Some(format!("{} {}", run.job_namespace, run.job_name)),
			reason: reason.into(),
		}
	}
}

impl std::fmt::Display for Refused {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match (&self.run_id, &self.job) {
			(Some(id), Some(job)) => write!(f, "run {} of job {job}: {}", uuid(id), self.reason),
			(Some(id), None) => write!(f, "run {}: {}", uuid(id), self.reason),
			_ => write!(f, "{}", self.reason),
		}
	}
}

/// What became of each run given to [`Lineage::record_runs`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordReport {
	/// The runs recorded now.
	pub recorded: Vec<Recorded>,
	/// The runs the chain holds already with the same lineage (a repeated delivery), by id.
	pub already_recorded: Vec<[u8; 16]>,
	/// The runs that wrote nothing: no edge to record, by id.
	pub skipped: Vec<[u8; 16]>,
	/// The runs not recorded, each with why.
	pub refused: Vec<Refused>,
}

/// What [`Lineage::record_runs`] does when a run would be refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnRefusal {
	/// Record every other run (the refused ones are listed).
	RecordTheRest,
	/// Record nothing if any run would be refused (all or nothing, as far as can be told
	/// before sending).
	RecordNothing,
}

/// What the chain holds of a run's id.
enum OnChain {
	/// Nothing.
	Nothing,
	/// The run, with the same lineage.
	Same,
	/// Another run of that id, or the same run from other events: why.
	Differs(String),
	/// The run, recorded in parts up to (not including) `next`.
	Open { next: usize },
}

/// What recording a run would do, told before it is sent ([`Lineage::classify_run`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunStatus {
	/// It wrote nothing: no edge to record.
	Skipped,
	/// The chain holds it already, with the same lineage.
	AlreadyRecorded,
	/// The chain would refuse it: why.
	Refused(Refusal),
	/// It is recorded next (from its part `next` if it was recorded in part already).
	ToRecord {
		/// The first part not recorded yet.
		next: usize,
	},
}

/// A run to record, planned.
struct Planned<'a> {
	run: &'a Run,
	hash: [u8; 32],
	parts: Vec<PartPlan>,
	/// The first part not recorded yet (0 unless an earlier recording was interrupted).
	next: usize,
}

impl Lineage<'_> {
	/// Records `runs` for `signer`'s institution (see the module's docs): returns what
	/// became of each. Runs recorded already are told apart by their id, so an interrupted
	/// import run again records the rest, and a run recorded in parts resumes at its next
	/// part. An output dataset that is a registered resource of the institution (see
	/// [`Resources`]) is recorded as an edition of its current version. Each run's events are
	/// kept in `store` first (an export uses them only if the chain then holds their hash).
	/// Fails only when the chain cannot be asked or a transaction cannot be sent.
	pub async fn record_runs(
		&self,
		signer: &Keypair,
		runs: &[Run],
		store: Option<&EventStore>,
		on_refusal: OnRefusal,
	) -> Result<RecordReport> {
		let bounds = self.bounds().await?;
		let institution =
			self.chain.consortium().institution_of(&signer.public_key().to_account_id()).await?;
		let resources = self.resources(institution).await?;
		let mut report = RecordReport::default();
		let planned = self.sort_out(runs, &bounds, institution, &mut report).await?;
		if on_refusal == OnRefusal::RecordNothing && !report.refused.is_empty() {
			return Ok(report);
		}
		if let Some(store) = store {
			for p in &planned {
				store.save(p.run)?;
			}
		}
		let (whole, in_parts): (Vec<Planned>, Vec<Planned>) =
			planned.into_iter().partition(|p| p.parts.len() == 1);
		self.record_whole(signer, &whole, &bounds, &resources, &mut report).await?;
		for p in &in_parts {
			self.record_in_parts(signer, p, &bounds, &resources, &mut report).await?;
		}
		Ok(report)
	}

	/// Tells each run apart (skipped, recorded already, refused), and plans the others.
	async fn sort_out<'a>(
		&self,
		runs: &'a [Run],
		bounds: &Bounds,
		institution: u32,
		report: &mut RecordReport,
	) -> Result<Vec<Planned<'a>>> {
		let mut planned = Vec::new();
		let mut first: HashMap<[u8; 16], &Run> = HashMap::new();
		let mut owners = BTreeMap::new();
		for run in runs {
			if run.outputs.is_empty() {
				report.skipped.push(run.run_id);
				continue;
			}
			if let Some(earlier) = first.get(&run.run_id) {
				if report.refused.iter().any(|r| r.run_id == Some(run.run_id)) {
					continue; // refused once already
				}
				match earlier.difference(run) {
					None => report.already_recorded.push(run.run_id),
					Some(why) => {
						report.refused.push(Refused::of(run, format!("delivered again: {why}")))
					}
				}
				continue;
			}
			first.insert(run.run_id, run);
			let next = match self.classify_run(run, bounds, institution, &mut owners).await? {
				RunStatus::Skipped => {
					report.skipped.push(run.run_id);
					continue;
				}
				RunStatus::AlreadyRecorded => {
					report.already_recorded.push(run.run_id);
					continue;
				}
				RunStatus::Refused(why) => {
					report.refused.push(Refused::of(run, why.reason));
					continue;
				}
				RunStatus::ToRecord { next } => next,
			};
			let hash = run.event_hash()?;
			planned.push(Planned { run, hash, parts: plan(run, bounds), next });
		}
		Ok(planned)
	}

	/// What recording `run` for `institution` would do (see [`RunStatus`]): whether it wrote
	/// nothing, is on chain already, breaks a bound, differs from the run of its id on chain,
	/// writes another institution's dataset or reads a certificate that does not exist.
	/// `owners` remembers the datasets looked up (give the same map for a stream's runs).
	pub async fn classify_run(
		&self,
		run: &Run,
		bounds: &Bounds,
		institution: u32,
		owners: &mut BTreeMap<(String, String), Option<u32>>,
	) -> Result<RunStatus> {
		if run.outputs.is_empty() {
			return Ok(RunStatus::Skipped);
		}
		if let Some(refusal) = check(run, bounds) {
			return Ok(RunStatus::Refused(refusal));
		}
		Ok(match self.on_chain(run, run.event_hash()?).await? {
			OnChain::Nothing => match self.would_refuse(run, institution, owners).await? {
				Some(why) => RunStatus::Refused(why),
				None => RunStatus::ToRecord { next: 0 },
			},
			OnChain::Same => RunStatus::AlreadyRecorded,
			OnChain::Differs(why) => RunStatus::Refused(Refusal::new(RefusalKind::Conflict, why)),
			OnChain::Open { next } => RunStatus::ToRecord { next },
		})
	}

	/// What the chain holds of `run`'s id, its events hashing to `hash`.
	async fn on_chain(&self, run: &Run, hash: [u8; 32]) -> Result<OnChain> {
		let Some(found) = self.activity(&uuid(&run.run_id)).await? else {
			return Ok(OnChain::Nothing);
		};
		let same_events = found.event_hash == format!("0x{}", hex::encode(hash));
		if let Some(next) = self.open_run_next(found.id).await? {
			return Ok(match same_events {
				true => OnChain::Open { next },
				false => OnChain::Differs(
					"a run of this id is being recorded in parts from other events".into(),
				),
			});
		}
		if same_events {
			return Ok(OnChain::Same);
		}
		Ok(match self.lineage_difference(&found, run).await? {
			None => OnChain::Same,
			Some(why) => OnChain::Differs(why),
		})
	}

	/// The next part of activity `id` if it is being recorded in parts.
	async fn open_run_next(&self, id: u64) -> Result<Option<usize>> {
		let at = self.chain.at_current().await?;
		let entry = at
			.storage()
			.entry(runtime::storage().lineage().open_runs())
			.map_err(|e| self.chain.incompatible(e))?;
		let found = entry.try_fetch((id,)).await.map_err(|e| self.chain.incompatible(e))?;
		match found {
			None => Ok(None),
			Some(value) => {
				let open = value.decode().map_err(|e| self.chain.incompatible(e))?;
				Ok(Some(open.next as usize))
			}
		}
	}

	/// How `run` differs from the recorded activity of its id in what the chain holds: another
	/// job, or datasets and certificates read or written that the activity lacks (a delivery
	/// of part of the run's events again is no difference).
	async fn lineage_difference(&self, found: &ActivityJson, run: &Run) -> Result<Option<String>> {
		if (found.job_namespace.as_str(), found.job_name.as_str())
			!= (run.job_namespace.as_str(), run.job_name.as_str())
		{
			return Ok(Some(format!(
				"run {} is recorded for job {} {}, this delivery names job {} {}",
				uuid(&run.run_id),
				found.job_namespace,
				found.job_name,
				run.job_namespace,
				run.job_name
			)));
		}
		let names = |ids: Vec<u64>| async move {
			let mut out = Vec::with_capacity(ids.len());
			for id in ids {
				let asset = self.asset(id).await?;
				out.push(match asset {
					Some(a) if a.certificate.is_some() => {
						format!("certificate {}", a.certificate.unwrap_or_default())
					}
					Some(a) => {
						a.dataset.map(|d| format!("{} {}", d.namespace, d.name)).unwrap_or_default()
					}
					None => format!("asset {id}"),
				});
			}
			Ok::<_, Error>(out)
		};
		let inputs = names(found.inputs.clone()).await?;
		let outputs = names(found.outputs.clone()).await?;
		Ok(added("inputs", inputs, run.input_names())
			.or_else(|| added("outputs", outputs, run.output_names())))
	}

	/// Why the chain would refuse `run` of `institution` in its present state, told before
	/// anything is sent: an output another institution writes, an input certificate that does
	/// not exist. `owners` remembers the datasets looked up.
	async fn would_refuse(
		&self,
		run: &Run,
		institution: u32,
		owners: &mut BTreeMap<(String, String), Option<u32>>,
	) -> Result<Option<Refusal>> {
		for output in &run.outputs {
			let d = &output.dataset;
			let key = (d.namespace.clone(), d.name.clone());
			let owner = match owners.get(&key) {
				Some(owner) => *owner,
				None => {
					let found = self.dataset(&d.namespace, &d.name).await?;
					let owner = found.and_then(|f| f.owner);
					owners.insert(key, owner);
					owner
				}
			};
			if let Some(owner) = owner.filter(|o| *o != institution) {
				return Ok(Some(Refusal::new(
					RefusalKind::Conflict,
					format!("its output {d} is written by institution {owner}, not by this one ({institution})"),
				)));
			}
		}
		for input in &run.inputs {
			if let Input::Certificate(id) = input {
				if self.chain.certificates().find(*id).await?.is_none() {
					let why = format!("it reads certificate {id}, which does not exist");
					return Ok(Some(Refusal::new(RefusalKind::Missing, why)));
				}
			}
		}
		Ok(None)
	}

	/// Records runs that fit one call each, batched; a refused batch is retried run by run.
	async fn record_whole(
		&self,
		signer: &Keypair,
		planned: &[Planned<'_>],
		bounds: &Bounds,
		resources: &Resources,
		report: &mut RecordReport,
	) -> Result<()> {
		let ranges = batches(planned.iter().map(|p| p.run), bounds)?;
		let mut calls = Vec::with_capacity(ranges.len());
		for range in &ranges {
			let args = planned[range.clone()]
				.iter()
				.map(|p| p.run.call_argument(bounds, p.hash, resources))
				.collect::<Result<Vec<_>>>()?;
			calls.push(runtime::transactions().lineage().record(BoundedVec(args)));
		}
		let mut refused_batches = Vec::new();
		self.chain
			.submit_in_flight(&calls, signer, |landed| {
				match landed.failed {
					Some(why) => refused_batches.push((landed.index, why)),
					None => report.recorded.extend(recorded(&landed)),
				}
				Ok(())
			})
			.await?;
		for (index, why) in refused_batches {
			let batch = &planned[ranges[index].clone()];
			if batch.len() == 1 {
				report.refused.push(Refused::of(batch[0].run, why.to_string()));
				continue;
			}
			// Which of them: each alone.
			let singles = batch
				.iter()
				.map(|p| {
					let arg = p.run.call_argument(bounds, p.hash, resources)?;
					Ok(runtime::transactions().lineage().record(BoundedVec(vec![arg])))
				})
				.collect::<Result<Vec<_>>>()?;
			self.chain
				.submit_in_flight(&singles, signer, |landed| {
					match landed.failed {
						Some(why) => report
							.refused
							.push(Refused::of(batch[landed.index].run, why.to_string())),
						None => report.recorded.extend(recorded(&landed)),
					}
					Ok(())
				})
				.await?;
		}
		Ok(())
	}

	/// Records one run in parts, from its next part on.
	async fn record_in_parts(
		&self,
		signer: &Keypair,
		p: &Planned<'_>,
		bounds: &Bounds,
		resources: &Resources,
		report: &mut RecordReport,
	) -> Result<()> {
		let calls = (p.next..p.parts.len())
			.map(|n| {
				let arg = p.run.part_argument(&p.parts, n, bounds, p.hash, resources)?;
				Ok(runtime::transactions().lineage().record_part(arg))
			})
			.collect::<Result<Vec<_>>>()?;
		let mut failed: Option<String> = None;
		self.chain
			.submit_in_flight(&calls, signer, |landed| {
				match landed.failed {
					// The parts after a refused one are refused as out of order: the first says why.
					Some(why) if failed.is_none() => {
						let part = p.next + landed.index;
						failed = Some(format!("part {} of {}: {why}", part + 1, p.parts.len()));
					}
					Some(_) => {}
					None => report.recorded.extend(recorded(&landed)),
				}
				Ok(())
			})
			.await?;
		if let Some(why) = failed {
			report.refused.push(Refused::of(p.run, why));
		}
		Ok(())
	}
}

/// The runs a landed call completed.
fn recorded(landed: &crate::chain::bulk::Landed<'_>) -> Vec<Recorded> {
	landed
		.events
		.iter()
		.filter_map(|e| {
			let e = e.decode_fields_as::<ActivityRecorded>()?.ok()?;
			Some(Recorded { run_id: e.run_id, activity: e.activity, edges: e.edges })
		})
		.collect()
}
