//! What the chain will take of a run, decided before anything is encoded: every runtime bound
//! checked ([`check`], with the bound named), and a run too large for one call split into
//! parts ([`plan`]) that the chain records as one activity (`Lineage.record_part`).

use super::openlineage::{Input, Output, Run};

/// The chain's bounds on what it records (the runtime's constants, defined once in
/// [`medtrust_primitives::bounds::lineage`]). Every one is checked before a call is encoded
/// ([`check`]), so the node never sees a call it cannot decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
	/// The most runs in one call.
	pub activities: u32,
	/// The most edges in one call.
	pub edges: u32,
	/// The longest namespace, in bytes.
	pub namespace: u32,
	/// The longest dataset or job name.
	pub name: u32,
	/// The longest field name.
	pub field: u32,
	/// The most inputs (datasets and certificates) of a run.
	pub inputs: u32,
	/// The most outputs of a run.
	pub outputs: u32,
	/// The most fields with column lineage of one output.
	pub fields: u32,
	/// The most input fields of one field.
	pub parents: u32,
	/// The most calls (parts) one run is recorded in.
	pub parts: u32,
}

impl Bounds {
	/// The bounds this release's runtime is built with.
	pub const RUNTIME: Bounds = {
		use medtrust_primitives::bounds::lineage as b;
		Bounds {
			activities: b::MAX_ACTIVITIES_PER_CALL,
			edges: b::MAX_EDGES_PER_CALL,
			namespace: b::MAX_NAMESPACE_LEN,
			name: b::MAX_NAME_LEN,
			field: b::MAX_FIELD_NAME_LEN,
			inputs: b::MAX_INPUTS,
			outputs: b::MAX_OUTPUTS,
			fields: b::MAX_FIELDS_PER_OUTPUT,
			parents: b::MAX_PARENTS,
			parts: b::MAX_RUN_PARTS,
		}
	};
}

/// How many edges recording a run adds (the pallet's `ActivitySpec::edges`).
pub fn edges(run: &Run) -> u32 {
	let fields: usize =
		run.outputs.iter().flat_map(|o| &o.fields).map(|f| 1 + f.sources.len()).sum();
	let outputs = run.outputs.len() * run.inputs.len().max(1);
	u32::try_from(run.inputs.len() + outputs + fields).unwrap_or(u32::MAX)
}

/// `20000` as `20,000`.
fn thousands(n: usize) -> String {
	let digits = n.to_string();
	let mut out = String::new();
	for (i, c) in digits.chars().enumerate() {
		if i > 0 && (digits.len() - i).is_multiple_of(3) {
			out.push(',');
		}
		out.push(c);
	}
	out
}

/// Why the chain would not record a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
	/// Something in it is malformed: an empty name, a duplicate, times out of order.
	Malformed,
	/// It is beyond one of the chain's bounds (named in the reason).
	OverBound,
	/// It conflicts with what the chain holds: its run id recorded with other lineage, or an
	/// output another institution writes.
	Conflict,
	/// It names something the chain does not hold (an input certificate).
	Missing,
}

/// A run the chain would not record: what kind of refusal, and why in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
	/// What kind.
	pub kind: RefusalKind,
	/// Why, naming the bound, name or dataset at fault.
	pub reason: String,
}

impl Refusal {
	/// A refusal of `kind` for `reason`.
	pub fn new(kind: RefusalKind, reason: impl Into<String>) -> Self {
		Refusal { kind, reason: reason.into() }
	}
}

impl std::fmt::Display for Refusal {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.reason)
	}
}

fn malformed(reason: String) -> Refusal {
	Refusal::new(RefusalKind::Malformed, reason)
}

fn over(reason: String) -> Refusal {
	Refusal::new(RefusalKind::OverBound, reason)
}

/// A name as the chain takes it: not empty, no control characters, at most `limit` bytes.
fn check_name(text: &str, limit: u32, what: &str) -> Result<(), Refusal> {
	if text.is_empty() || text.chars().any(char::is_control) {
		return Err(malformed(format!("its {what} {text:?} is empty or holds control characters")));
	}
	if text.len() > limit as usize {
		return Err(over(format!(
			"its {what} `{text}` is {} bytes long; the chain keeps at most {limit}",
			thousands(text.len())
		)));
	}
	Ok(())
}

/// Why the chain would refuse `run` whatever its state (a bound, a name, a duplicate), told
/// before anything is encoded: `None` when it is recordable, whole or in parts ([`plan`]).
pub fn check(run: &Run, bounds: &Bounds) -> Option<Refusal> {
	check_all(run, bounds).err()
}

fn check_all(run: &Run, b: &Bounds) -> Result<(), Refusal> {
	check_name(&run.job_namespace, b.namespace, "job namespace")?;
	check_name(&run.job_name, b.name, "job name")?;
	let exceeds = |n: usize, most: u32| n > most as usize;
	let n = |n: usize| thousands(n);
	if exceeds(run.inputs.len(), b.inputs) {
		let (count, most) = (n(run.inputs.len()), n(b.inputs as usize));
		return Err(over(format!("it reads {count} datasets and certificates; at most {most}")));
	}
	if exceeds(run.outputs.len(), b.outputs) {
		let (count, most) = (n(run.outputs.len()), n(b.outputs as usize));
		return Err(over(format!("it writes {count} datasets; at most {most}")));
	}
	if run.started > run.ended {
		return Err(malformed("it ends before it starts".into()));
	}
	let mut inputs = std::collections::BTreeSet::new();
	for input in &run.inputs {
		if let Input::Dataset(d) = input {
			check_name(&d.namespace, b.namespace, "input namespace")?;
			check_name(&d.name, b.name, "input name")?;
		}
		if !inputs.insert(input) {
			return Err(malformed(format!("it reads {input} twice")));
		}
	}
	let mut outputs = std::collections::BTreeSet::new();
	for output in &run.outputs {
		check_output(output, b)?;
		if !outputs.insert(&output.dataset) {
			return Err(malformed(format!("it writes {} twice", output.dataset)));
		}
		if run.inputs.len().max(1) >= b.edges as usize {
			return Err(over(format!(
				"its output {} has {} inputs as parents; one call records at most {} edges",
				output.dataset,
				thousands(run.inputs.len()),
				thousands(b.edges as usize)
			)));
		}
	}
	let parts = plan(run, b).len();
	if exceeds(parts, b.parts) {
		let (count, most) = (n(parts), n(b.parts as usize));
		return Err(over(format!("it needs {count} calls to record; at most {most} a run")));
	}
	Ok(())
}

fn check_output(output: &Output, b: &Bounds) -> Result<(), Refusal> {
	check_name(&output.dataset.namespace, b.namespace, "output namespace")?;
	check_name(&output.dataset.name, b.name, "output name")?;
	if output.fields.len() > b.fields as usize {
		return Err(over(format!(
			"its output {} has {} fields with column lineage; at most {}",
			output.dataset,
			thousands(output.fields.len()),
			thousands(b.fields as usize)
		)));
	}
	let mut names = std::collections::BTreeSet::new();
	for field in &output.fields {
		check_name(&field.name, b.field, "field name")?;
		if !names.insert(&field.name) {
			let twice = format!("its output {} names field {} twice", output.dataset, field.name);
			return Err(malformed(twice));
		}
		if field.sources.len() > b.parents as usize || field.sources.len() >= b.edges as usize {
			return Err(over(format!(
				"field {} of {} comes from {} input fields; at most {}",
				field.name,
				output.dataset,
				thousands(field.sources.len()),
				thousands(b.parents.min(b.edges.saturating_sub(1)) as usize)
			)));
		}
		let mut sources = std::collections::BTreeSet::new();
		for source in &field.sources {
			check_name(&source.field, b.field, "input field name")?;
			if !sources.insert((&source.dataset, &source.field)) {
				let twice =
					format!("field {} names input field {} twice", field.name, source.field);
				return Err(malformed(twice));
			}
		}
	}
	Ok(())
}

/// One call of a run recorded in parts: which inputs it gives, which outputs it writes (with
/// their first fields), and which further fields of outputs written already.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartPlan {
	/// The run's inputs this part gives.
	pub inputs: std::ops::Range<usize>,
	/// The outputs it writes, by index, each with the range of its fields written with it.
	pub outputs: Vec<(usize, std::ops::Range<usize>)>,
	/// Further fields of outputs written in this part or an earlier one.
	pub fields: Vec<(usize, std::ops::Range<usize>)>,
}

/// How a run is recorded: in one call when it fits (one part, possibly batched with other
/// runs), else in parts, each within the call's edges: every input first, then each output
/// (an edition whose parents are all the inputs), then its fields. [`check`] first.
pub fn plan(run: &Run, bounds: &Bounds) -> Vec<PartPlan> {
	let budget = bounds.edges as usize;
	let mut parts = vec![PartPlan::default()];
	let mut load = 0usize;
	let mut room = |cost: usize, parts: &mut Vec<PartPlan>| {
		if load + cost > budget && load > 0 {
			parts.push(PartPlan::default());
			load = 0;
		}
		load += cost;
	};
	for i in 0..run.inputs.len() {
		room(1, &mut parts);
		let part = parts.last_mut().expect("at least one part; qed");
		if part.inputs.is_empty() {
			part.inputs = i..i;
		}
		part.inputs.end = i + 1;
	}
	let parents = run.inputs.len().max(1);
	for (o, output) in run.outputs.iter().enumerate() {
		room(parents, &mut parts);
		parts.last_mut().expect("at least one part; qed").outputs.push((o, 0..0));
		for (f, field) in output.fields.iter().enumerate() {
			let before = parts.len();
			room(1 + field.sources.len(), &mut parts);
			let same_part = parts.len() == before;
			let part = parts.last_mut().expect("at least one part; qed");
			let extend = |list: &mut Vec<(usize, std::ops::Range<usize>)>| match list.last_mut() {
				Some((at, range)) if *at == o && range.end == f => {
					range.end = f + 1;
					true
				}
				_ => false,
			};
			if same_part && (extend(&mut part.outputs) || extend(&mut part.fields)) {
				continue;
			}
			part.fields.push((o, f..f + 1));
		}
	}
	parts
}

#[cfg(test)]
mod tests {
	use pallet_lineage::{ActivityKind, Transformation};

	use super::*;
	use crate::lineage::openlineage::{ColumnSource, DatasetName, OutputField};

	fn dataset(name: &str) -> DatasetName {
		DatasetName { namespace: "postgres://dw:5432".into(), name: name.into() }
	}

	/// A run reading `inputs` districts, writing one report of `columns` columns each from
	/// `per_column` fields of one district.
	fn report(inputs: usize, columns: usize, per_column: usize) -> Run {
		let fields = (0..columns)
			.map(|c| OutputField {
				name: format!("c{c}"),
				sources: (0..per_column)
					.map(|f| ColumnSource {
						dataset: dataset(&format!("d{}", c % inputs.max(1))),
						field: format!("f{f}"),
						transformation: Transformation::Aggregation,
						masking: false,
					})
					.collect(),
			})
			.collect();
		Run {
			job_namespace: "dbt".into(),
			job_name: "report".into(),
			run_id: [1; 16],
			kind: ActivityKind::Aggregate,
			started: 1,
			ended: 2,
			inputs: (0..inputs).map(|i| Input::Dataset(dataset(&format!("d{i}")))).collect(),
			outputs: vec![Output { dataset: dataset("report"), fields }],
			events: vec![],
		}
	}

	/// The edges a part adds, as the pallet's `RunPart::edges` counts them.
	fn part_edges(run: &Run, parts: &[PartPlan], n: usize) -> usize {
		let before: usize = parts[..n].iter().map(|p| p.inputs.len()).sum();
		let p = &parts[n];
		let inputs = (before + p.inputs.len()).max(1);
		let fields = |o: usize, r: &std::ops::Range<usize>| -> usize {
			run.outputs[o].fields[r.clone()].iter().map(|f| 1 + f.sources.len()).sum()
		};
		p.inputs.len()
			+ p.outputs.iter().map(|(o, r)| inputs + fields(*o, r)).sum::<usize>()
			+ p.fields.iter().map(|(o, r)| fields(*o, r)).sum::<usize>()
	}

	#[test]
	fn a_run_within_one_call_is_one_part() {
		let run = report(600, 600, 3);
		assert_eq!(edges(&run), 600 + 600 + 600 * 4);
		let parts = plan(&run, &Bounds::RUNTIME);
		assert_eq!(parts.len(), 1);
		assert_eq!(parts[0].inputs, 0..600);
		assert_eq!(parts[0].outputs, vec![(0, 0..600)]);
		assert!(check(&run, &Bounds::RUNTIME).is_none());
	}

	#[test]
	fn a_wide_run_is_split_into_parts_within_the_call_bound_inputs_first() {
		let run = report(1000, 1000, 3);
		let bounds = Bounds::RUNTIME;
		let parts = plan(&run, &bounds);
		assert!(parts.len() >= 2, "{parts:?}");
		let mut inputs = 0;
		let mut fields = 0;
		let mut written = false;
		for (n, part) in parts.iter().enumerate() {
			let e = part_edges(&run, &parts, n);
			assert!(e <= bounds.edges as usize, "part {n}: {e} edges");
			assert!(part.inputs.is_empty() || !written, "no input after an output");
			if !part.inputs.is_empty() {
				assert_eq!(part.inputs.start, inputs, "inputs in order, each once");
			}
			inputs += part.inputs.len();
			written |= !part.outputs.is_empty();
			fields += part.outputs.iter().chain(&part.fields).map(|(_, r)| r.len()).sum::<usize>();
		}
		assert_eq!((inputs, fields), (1000, 1000), "every input and field once");
		let total: usize = (0..parts.len()).map(|n| part_edges(&run, &parts, n)).sum();
		assert_eq!(total, edges(&run) as usize, "the parts add up to the run");
	}

	#[test]
	fn every_bound_is_named_before_anything_is_encoded() {
		let b = Bounds { parts: 3, ..Bounds::RUNTIME };
		let why = |run: &Run| check(run, &b).map(|r| (r.kind, r.reason)).expect("refused");
		let (kind, reason) = why(&report(20_000, 1, 1));
		assert_eq!(kind, RefusalKind::OverBound);
		assert_eq!(reason, "it reads 20,000 datasets and certificates; at most 4,096");
		let mut many = report(2, 1, 1);
		many.outputs = (0..17)
			.map(|i| Output { dataset: dataset(&format!("o{i}")), fields: vec![] })
			.collect();
		assert_eq!(why(&many).1, "it writes 17 datasets; at most 16");
		assert!(why(&report(4, 4097, 1))
			.1
			.contains("has 4,097 fields with column lineage; at most 4,096"));
		assert!(why(&report(4, 1, 4097))
			.1
			.contains("comes from 4,097 input fields; at most 4,096"));
		let mut long = report(1, 1, 1);
		long.job_name = "x".repeat(257);
		assert!(why(&long).1.contains("is 257 bytes long; the chain keeps at most 256"));
		let mut empty = report(1, 1, 1);
		empty.outputs[0].fields[0].name = String::new();
		assert_eq!(why(&empty).0, RefusalKind::Malformed);
		let mut control = report(1, 1, 1);
		control.inputs[0] = Input::Dataset(dataset("a\nb"));
		assert_eq!(why(&control).0, RefusalKind::Malformed);
		let mut backwards = report(1, 1, 1);
		backwards.ended = 0;
		assert_eq!(why(&backwards).1, "it ends before it starts");
		let mut twice = report(2, 1, 1);
		twice.inputs[1] = twice.inputs[0].clone();
		assert!(why(&twice).1.contains("reads postgres://dw:5432 d0 twice"));
		// Within every other bound, but more calls than a run may take.
		let (kind, reason) = why(&report(4000, 4000, 4));
		assert_eq!(kind, RefusalKind::OverBound);
		assert!(reason.starts_with("it needs") && reason.ends_with("at most 3 a run"), "{reason}");
	}

	#[test]
	fn numbers_are_grouped_by_thousands() {
		assert_eq!(thousands(0), "0");
		assert_eq!(thousands(999), "999");
		assert_eq!(thousands(4096), "4,096");
		assert_eq!(thousands(1_234_567), "1,234,567");
	}
}
