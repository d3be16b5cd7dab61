//! Lineage: recorded runs, walks, impact and verification.

use std::collections::BTreeMap;

use medtrust_client::lineage::{
	LineageVerification, RecordReport, Recorded as RecordedRun, Refused,
};
use medtrust_client::wire::WireName;
use medtrust_rpc_types::lineage_json::{uuid, AssetClass, AssetJson, WalkJson};
use serde::Serialize;

use super::Render;

/// An asset in a few words: `#12 dataset postgres://lis:5432 lis.lab_result (edition 2)`.
pub fn asset(a: &AssetJson) -> String {
	let dataset = a
		.dataset
		.as_ref()
		.map(|d| format!("{} {} (edition {})", d.namespace, d.name, d.edition))
		.unwrap_or_default();
	match (a.kind, &a.field, a.certificate) {
		(AssetClass::Certificate, _, Some(c)) => format!("#{} certificate {c}", a.id),
		(AssetClass::Field, Some(f), _) => format!("#{} field {f} of {dataset}", a.id),
		_ => format!("#{} dataset {dataset}", a.id),
	}
}

/// What a command did with the runs it was given: recorded, already recorded (a repeated
/// delivery), skipped (wrote nothing), refused (each with its run, job and reason), and how
/// many still lack their COMPLETE event.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recorded {
	/// How many runs were recorded now.
	pub recorded: usize,
	/// How many the chain held already with the same lineage, or were delivered twice.
	pub already_recorded: usize,
	/// How many wrote nothing (no edge to record).
	pub skipped: usize,
	/// The runs not recorded, and why.
	#[serde(serialize_with = "refused")]
	pub refused: Vec<Refused>,
	/// Each recorded run.
	#[serde(serialize_with = "runs")]
	pub runs: Vec<RecordedRun>,
	/// Runs still waiting for their COMPLETE event.
	pub pending: usize,
}

impl Recorded {
	/// The report of `record_runs`, with `repeated` runs delivered twice in the input and
	/// `refused` ones refused before it (malformed events), and `pending` runs.
	pub fn new(
		report: RecordReport,
		repeated: usize,
		mut refused: Vec<Refused>,
		pending: usize,
	) -> Self {
		refused.extend(report.refused);
		Recorded {
			recorded: report.recorded.len(),
			already_recorded: report.already_recorded.len() + repeated,
			skipped: report.skipped.len(),
			refused,
			runs: report.recorded,
			pending,
		}
	}
}

fn runs<S: serde::Serializer>(runs: &[RecordedRun], s: S) -> Result<S::Ok, S::Error> {
	let list: Vec<serde_json::Value> = runs
		.iter()
		.map(
			|r| serde_json::json!({ "runId": uuid(&r.run_id), "activity": r.activity, "edges": r.edges }),
		)
		.collect();
	list.serialize(s)
}

fn refused<S: serde::Serializer>(refused: &[Refused], s: S) -> Result<S::Ok, S::Error> {
	let list: Vec<serde_json::Value> = refused
		.iter()
		.map(|r| {
			serde_json::json!({
				"runId": r.run_id.as_ref().map(uuid),
				"job": r.job,
				"reason": r.reason,
			})
		})
		.collect();
	list.serialize(s)
}

impl Render for Recorded {
	fn text(&self) -> String {
		let mut out: String = self
			.runs
			.iter()
			.map(|r| {
				format!(
					"run {} recorded as activity {} ({} edges)\n",
					uuid(&r.run_id),
					r.activity,
					r.edges
				)
			})
			.collect();
		for r in &self.refused {
			out.push_str(&format!("REFUSED {r}\n"));
		}
		out.push_str(&format!(
			"{} recorded, {} already recorded, {} runs without outputs, skipped, {} refused\n",
			self.recorded,
			self.already_recorded,
			self.skipped,
			self.refused.len()
		));
		out
	}
}

fn flags(w: &WalkJson) -> String {
	match (w.truncated, w.next, w.deeper) {
		(false, _, _) => "complete".into(),
		(true, Some(next), _) => format!("TRUNCATED: more beyond --limit (next page skips {next})"),
		(true, None, true) => format!("TRUNCATED: more lie deeper than depth {}", w.depth),
		(true, None, false) => "TRUNCATED".into(),
	}
}

/// Ancestors or descendants.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Walked(pub WalkJson);

impl Render for Walked {
	fn text(&self) -> String {
		let w = &self.0;
		let mut out = format!("{} of {} (depth {}):\n", w.direction, asset(&w.start), w.depth);
		for n in &w.nodes {
			out.push_str(&format!("{:>4}  {}  (via #{})\n", n.depth, asset(&n.asset), n.via));
		}
		out.push_str(&format!("{} nodes; {}\n", w.nodes.len(), flags(w)));
		out
	}
}

/// Descendants grouped by depth and kind.
pub struct Impact(pub WalkJson);

impl Impact {
	fn groups(&self) -> BTreeMap<u32, BTreeMap<&str, Vec<&AssetJson>>> {
		let mut groups: BTreeMap<u32, BTreeMap<&str, Vec<&AssetJson>>> = BTreeMap::new();
		for n in &self.0.nodes {
			let by_kind = groups.entry(n.depth).or_default();
			by_kind.entry(n.asset.kind.wire_name()).or_default().push(&n.asset);
		}
		groups
	}
}

impl Serialize for Impact {
	fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
		let groups: Vec<serde_json::Value> = self
			.groups()
			.into_iter()
			.flat_map(|(depth, kinds)| {
				kinds.into_iter().map(move |(kind, assets)| {
					serde_json::json!({ "depth": depth, "kind": kind, "count": assets.len(), "assets": assets })
				})
			})
			.collect();
		let w = &self.0;
		serde_json::json!({
			"at": w.at, "start": w.start, "depth": w.depth, "affected": w.nodes.len(),
			"groups": groups, "truncated": w.truncated, "next": w.next, "deeper": w.deeper
		})
		.serialize(s)
	}
}

impl Render for Impact {
	fn text(&self) -> String {
		let w = &self.0;
		let mut out =
			format!("a change to {} affects {} assets:\n", asset(&w.start), w.nodes.len());
		for (depth, kinds) in &self.groups() {
			for (kind, assets) in kinds {
				out.push_str(&format!("  depth {depth}, {} {kind}(s):\n", assets.len()));
				for a in assets {
					out.push_str(&format!("    {}\n", asset(a)));
				}
			}
		}
		out.push_str(&format!("{}\n", flags(w)));
		out
	}
}

impl Render for LineageVerification {
	fn text(&self) -> String {
		let mut out = format!(
			"{}: {} certificates among {} ancestors of #{}{}\n",
			self.verdict.wire_name().to_uppercase(),
			self.certificates.len(),
			self.ancestors,
			self.asset,
			if self.complete { "" } else { " (the walk was cut: not every ancestor was checked)" }
		);
		for c in &self.certificates {
			out.push_str(&format!(
				"  certificate {} (#{}, depth {}): {}\n",
				c.certificate, c.asset, c.depth, c.verdict
			));
			if c.verdict != pallet_certificates::Verdict::Valid {
				let path: Vec<String> = c.path.iter().map(|a| format!("#{a}")).collect();
				out.push_str(&format!("    path: {}\n", path.join(" <- ")));
			}
		}
		out
	}
}
