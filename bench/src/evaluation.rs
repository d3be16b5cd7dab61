//! The relation matcher's quality on a labelled data set (`bench/relations/<set>/`):
//! precision, recall and F1 per relation kind; of relations with their kind (a pair counts
//! when its kind is the labelled one, against every labelled relation); of pairs of any
//! kind; and for `same` alone (what `valentine`'s matchers find, compared on the same pairs
//! by `scripts/valentine-eval.py`).

use std::{
	collections::{BTreeMap, BTreeSet},
	path::Path,
};

use medtrust_client::relations::{match_fields, profile::ValueProfile, Field, MatchOptions, Side};
use medtrust_rpc_types::catalog::FieldJson;
use serde_json::{json, Value};

/// The key the evaluation's value profiles are computed under.
const KEY: &[u8] = b"medtrust-evaluation";

/// The fields of one side: `table name type definition unit element values` a line.
pub fn read_side(path: &Path, source: u64) -> anyhow::Result<Vec<Field>> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
	let mut tables: BTreeMap<String, u64> = BTreeMap::new();
	let mut fields = Vec::new();
	for (n, line) in text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
		let c: Vec<&str> = line.split('\t').collect();
		if c.len() != 7 {
			anyhow::bail!("{} line {}: expected 7 tab-separated columns", path.display(), n + 1);
		}
		let next = source * 1000 + tables.len() as u64;
		let resource = *tables.entry(c[0].to_string()).or_insert(next);
		let values: Vec<String> =
			c[6].split('|').filter(|v| !v.is_empty()).map(String::from).collect();
		let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
		let length = c[2]
			.split_once('(')
			.and_then(|(_, l)| l.trim_end_matches(')').split(',').next()?.parse().ok());
		fields.push(Field {
			at: Side {
				source,
				source_name: format!("source {source}"),
				resource,
				resource_name: c[0].to_string(),
				version: 1,
				item: c[1].to_string(),
			},
			institution: source as u32,
			info: FieldJson {
				name: c[1].to_string(),
				data_type: c[2].to_string(),
				length,
				precision: None,
				scale: None,
				nullable: true,
				definition: c[3].to_string(),
				value_domain: None,
				unit: some(c[4]),
				standard_element: some(c[5]),
			},
			profile: (!values.is_empty()).then(|| {
				ValueProfile::of(values.len() as u64, 0, values.len() as u64, &values, KEY)
			}),
		});
	}
	Ok(fields)
}

/// The labelled relations: `(left table.name, right table.name) -> kind`.
pub fn read_truth(path: &Path) -> anyhow::Result<BTreeMap<(String, String), String>> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
	let mut truth = BTreeMap::new();
	for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
		let c: Vec<&str> = line.split('\t').collect();
		if c.len() != 3 {
			anyhow::bail!("{}: `{line}` is not left, right, kind", path.display());
		}
		truth.insert((c[0].to_string(), c[1].to_string()), c[2].to_string());
	}
	Ok(truth)
}

fn scores(tp: usize, predicted: usize, actual: usize) -> Value {
	let precision = if predicted == 0 { 0.0 } else { tp as f64 / predicted as f64 };
	let recall = if actual == 0 { 0.0 } else { tp as f64 / actual as f64 };
	let f1 = if precision + recall == 0.0 {
		0.0
	} else {
		2.0 * precision * recall / (precision + recall)
	};
	json!({ "precision": precision, "recall": recall, "f1": f1, "truePositives": tp, "predicted": predicted, "actual": actual })
}

/// Runs the matcher on the data set in `dir` and scores it per kind.
pub fn run(dir: &Path) -> anyhow::Result<Value> {
	let left = read_side(&dir.join("left.tsv"), 1)?;
	let right = read_side(&dir.join("right.tsv"), 2)?;
	let truth = read_truth(&dir.join("truth.tsv"))?;
	let options = MatchOptions { min_score: 0.5, per_item: 2 };
	let found = match_fields(left, right, options);
	let name = |s: &Side| format!("{}.{}", s.resource_name, s.item);
	let predicted: BTreeSet<(String, String, String)> = found
		.iter()
		.map(|c| {
			(
				name(&c.left),
				name(&c.right),
				medtrust_client::wire::WireName::wire_name(c.kind).to_string(),
			)
		})
		.collect();
	let kinds: BTreeSet<&str> =
		truth.values().map(String::as_str).chain(predicted.iter().map(|p| p.2.as_str())).collect();
	let mut per_kind = serde_json::Map::new();
	for kind in kinds {
		let tp = predicted
			.iter()
			.filter(|p| {
				p.2 == kind
					&& truth.get(&(p.0.clone(), p.1.clone())).map(String::as_str) == Some(kind)
			})
			.count();
		let guessed = predicted.iter().filter(|p| p.2 == kind).count();
		let actual = truth.values().filter(|k| *k == kind).count();
		per_kind.insert(kind.to_string(), scores(tp, guessed, actual));
	}
	let tp_any =
		predicted.iter().filter(|p| truth.contains_key(&(p.0.clone(), p.1.clone()))).count();
	let tp_kind = predicted
		.iter()
		.filter(|p| {
			truth.get(&(p.0.clone(), p.1.clone())).map(String::as_str) == Some(p.2.as_str())
		})
		.count();
	// What went wrong, for a person to look at: wrong pairs or kinds, and labelled relations
	// not found with their kind.
	let wrong: Vec<Value> = predicted
		.iter()
		.filter(|p| truth.get(&(p.0.clone(), p.1.clone())).map(String::as_str) != Some(p.2.as_str()))
		.map(|p| json!({ "left": p.0, "right": p.1, "found": p.2, "labelled": truth.get(&(p.0.clone(), p.1.clone())) }))
		.collect();
	let missed: Vec<Value> = truth
		.iter()
		.filter(|((l, r), kind)| !predicted.contains(&(l.clone(), r.clone(), kind.to_string())))
		.map(|((l, r), kind)| json!({ "left": l, "right": r, "labelled": kind }))
		.collect();
	Ok(json!({
		"dataSet": dir.file_name().map(|n| n.to_string_lossy().into_owned()),
		"wrong": wrong,
		"missed": missed,
		"perKind": per_kind,
		"anyKind": scores(tp_any, predicted.len(), truth.len()),
		"withKind": scores(tp_kind, predicted.len(), truth.len()),
	}))
}
