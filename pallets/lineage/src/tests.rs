//! Unit tests: the call and every error, the graph's shape, and walks checked against an
//! independent breadth-first search on random graphs.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use frame_support::{assert_noop, assert_ok, BoundedVec};
use pallet_data_sources::{Operation, ResourceKind, SystemKind};
use sp_runtime::{DispatchError, DispatchResult};

use crate::{mock::*, Error, Event};
use crate::{
	ActivityKind, ActivityOfRun, ActivitySpec, AssetId, AssetKind, Assets, Children, ColumnInput,
	DatasetOfName, Datasets, Direction, EdgeKind, FieldOf, FieldSpec, InputRef, NextActivityId,
	NextAssetId, OutputSpec, Transformation,
};

const NS: &str = "postgres://lis.example:5432";

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn dataset(name: &str) -> InputRef<Test> {
	InputRef::Dataset { namespace: text(NS), name: text(name) }
}

fn column(input: u32, field: &str, transformation: Transformation) -> ColumnInput<Test> {
	ColumnInput { input, field: text(field), transformation, masking: false }
}

fn field(name: &str, inputs: Vec<ColumnInput<Test>>) -> FieldSpec<Test> {
	FieldSpec { name: text(name), inputs: inputs.try_into().expect("within the bound") }
}

fn output(name: &str, fields: Vec<FieldSpec<Test>>) -> OutputSpec<Test> {
	OutputSpec {
		namespace: text(NS),
		name: text(name),
		schema: None,
		fields: fields.try_into().expect("within the bound"),
	}
}

fn run(
	id: u8,
	kind: ActivityKind,
	inputs: Vec<InputRef<Test>>,
	outputs: Vec<OutputSpec<Test>>,
) -> ActivitySpec<Test> {
	ActivitySpec {
		job_namespace: text("airflow"),
		job_name: text("lis_pipeline"),
		run_id: [id; 16],
		kind,
		started: 1_700_000_000_000,
		ended: 1_700_000_060_000,
		event_hash: [id; 32],
		inputs: inputs.try_into().expect("within the bound"),
		outputs: outputs.try_into().expect("within the bound"),
	}
}

fn record(who: AccountId, activities: Vec<ActivitySpec<Test>>) -> DispatchResult {
	Lineage::record(signed(who), activities.try_into().expect("within the bound"))
		.map(|_| ())
		.map_err(|e| e.error)
}

fn latest(name: &str) -> AssetId {
	let id = DatasetOfName::<Test>::get(text::<_>(NS), text::<_>(name)).expect("a dataset");
	Datasets::<Test>::get(id).expect("a dataset").latest
}

fn field_of(edition: AssetId, name: &str) -> AssetId {
	FieldOf::<Test>::get(edition, text::<_>(name)).expect("a field")
}

/// A LIS extract de-identified: `lab_result` (read from outside) to `lab_deid`, the patient
/// id masked and the value copied.
fn deidentify() -> ActivitySpec<Test> {
	let mut pid = column(0, "patient_id", Transformation::Transformation);
	pid.masking = true;
	run(
		1,
		ActivityKind::Deidentify,
		vec![dataset("lab_result")],
		vec![output(
			"lab_deid",
			vec![
				field("pseudonym", vec![pid]),
				field("value", vec![column(0, "value", Transformation::Identity)]),
			],
		)],
	)
}

#[test]
fn a_run_is_recorded_with_dataset_and_column_edges() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(record(10, vec![deidentify()]));
		let input = latest("lab_result");
		let out = latest("lab_deid");
		assert!(input < out);
		let asset = Assets::<Test>::get(out).expect("the output");
		assert_eq!(asset.producer, Some(0));
		assert_eq!(asset.institution, Some(1));
		assert_eq!(asset.parents.len(), 1);
		assert_eq!(asset.parents[0].parent, input);
		assert_eq!(Children::<Test>::get(input, out), Some(EdgeKind::Input));
		// The input is a dataset from outside: no owner, no producer.
		let outside = Datasets::<Test>::get(0).expect("lab_result");
		assert_eq!((outside.owner, outside.editions), (None, 1));
		assert_eq!(Assets::<Test>::get(input).expect("input").producer, None);
		// Column lineage: the pseudonym comes from the masked patient id.
		let pseudonym = Assets::<Test>::get(field_of(out, "pseudonym")).expect("a field");
		assert_eq!(pseudonym.parents[0].parent, field_of(input, "patient_id"));
		assert_eq!(
			pseudonym.parents[0].kind,
			EdgeKind::Column { transformation: Transformation::Transformation, masking: true }
		);
		assert!(matches!(pseudonym.kind, AssetKind::Field { of, .. } if of == out));
		let activity = crate::Activities::<Test>::get(0).expect("recorded");
		assert_eq!(activity.recorder, 10);
		assert_eq!(activity.inputs.to_vec(), vec![input]);
		assert_eq!(activity.outputs.to_vec(), vec![out]);
		assert_eq!(ActivityOfRun::<Test>::get([1; 16]), Some(0));
		assert_eq!(
			System::events().pop().expect("an event").event,
			Event::ActivityRecorded {
				activity: 0,
				run_id: [1; 16],
				institution: 1,
				outputs: 1,
				// One input, one output edition of it, two fields of one input field each.
				edges: 6
			}
			.into()
		);
	});
}

#[test]
fn each_write_is_a_new_edition_and_inputs_read_the_latest() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(record(10, vec![deidentify()]));
		let first = latest("lab_deid");
		let mut again = deidentify();
		again.run_id = [2; 16];
		assert_ok!(record(11, vec![again]));
		let second = latest("lab_deid");
		assert!(second > first);
		let written = Datasets::<Test>::get(1).expect("lab_deid");
		assert_eq!((written.owner, written.editions), (Some(1), 2));
		assert!(matches!(
			Assets::<Test>::get(second).expect("edition").kind,
			AssetKind::Dataset { edition: 2, .. }
		));
		// The first edition is unchanged.
		assert!(matches!(
			Assets::<Test>::get(first).expect("edition").kind,
			AssetKind::Dataset { edition: 1, .. }
		));
		let report = run(
			3,
			ActivityKind::Aggregate,
			vec![dataset("lab_deid"), InputRef::Edition(first)],
			vec![output("report", vec![])],
		);
		assert_ok!(record(10, vec![report]));
		let parents: Vec<AssetId> = Assets::<Test>::get(latest("report"))
			.expect("report")
			.parents
			.iter()
			.map(|e| e.parent)
			.collect();
		assert_eq!(parents, vec![second, first]);
	});
}

#[test]
fn a_certificate_is_an_input_asset_of_its_issuer() {
	ExtBuilder::default().build_and_execute(|| {
		let certificate = certify_one(10);
		let mut spec = deidentify();
		spec.inputs.try_push(InputRef::Certificate(certificate)).expect("room");
		assert_ok!(record(10, vec![spec]));
		let asset = crate::AssetOfCertificate::<Test>::get(certificate).expect("an asset");
		let found = Assets::<Test>::get(asset).expect("asset");
		assert_eq!(found.kind, AssetKind::Certificate { certificate });
		assert_eq!(found.institution, Some(1));
		assert!(Children::<Test>::contains_key(asset, latest("lab_deid")));
	});
}

/// Institution 1's source 0 with resource 0 (version 1); certifies one record by `who`.
fn certify_one(who: AccountId) -> u64 {
	register_resource(who, "lab_result");
	assert_ok!(Certificates::certify(
		signed(who),
		0,
		0,
		1,
		text("LAB"),
		pallet_certificates::HashAlgorithm::Sm3,
		[7; 32]
	));
	0
}

fn register_resource(who: AccountId, name: &str) {
	assert_ok!(DataSources::register_source(
		signed(who),
		text("检验LIS"),
		SystemKind::Lis,
		vec![text("LAB")].try_into().expect("one")
	));
	let source = pallet_data_sources::NextSourceId::<Test>::get() - 1;
	assert_ok!(DataSources::register_resource(
		signed(who),
		source,
		text(name),
		Box::new(ResourceKind::Table {
			database: text("lis"),
			schema: text("lis"),
			table: text(name)
		}),
		text(""),
		vec![Operation::Collect].try_into().expect("one"),
		[1; 32],
		3
	));
}

#[test]
fn an_output_may_follow_a_registered_resource_of_its_institution() {
	ExtBuilder::default().build_and_execute(|| {
		register_resource(10, "lab_deid");
		let mut spec = deidentify();
		spec.outputs[0].schema = Some((0, 1));
		assert_ok!(record(10, vec![spec.clone()]));
		assert_eq!(Datasets::<Test>::get(1).expect("lab_deid").resource, Some(0));
		spec.run_id = [9; 16];
		assert_noop!(record(20, vec![spec.clone()]), Error::<Test>::NotOwner);
		spec.outputs[0].schema = Some((0, 2));
		assert_noop!(record(10, vec![spec.clone()]), Error::<Test>::NotFound);
		spec.outputs[0].schema = Some((5, 1));
		assert_noop!(record(10, vec![spec]), Error::<Test>::NotFound);
	});
}

#[test]
fn bad_origins_runs_and_references_are_refused_and_nothing_is_recorded() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(record(5, vec![deidentify()]), DispatchError::BadOrigin);
		assert_noop!(record(10, vec![]), Error::<Test>::TooMuch);
		let mut spec = deidentify();
		spec.ended = spec.started - 1;
		assert_noop!(record(10, vec![spec]), Error::<Test>::BadTimes);
		let mut spec = deidentify();
		spec.outputs = BoundedVec::new();
		assert_noop!(record(10, vec![spec]), Error::<Test>::NoOutputs);
		let mut spec = deidentify();
		spec.job_name = text("");
		assert_noop!(record(10, vec![spec]), Error::<Test>::InvalidName);
		let mut spec = deidentify();
		spec.outputs[0].name = text("lab\ndeid");
		assert_noop!(record(10, vec![spec]), Error::<Test>::InvalidName);
		let mut spec = deidentify();
		spec.inputs[0] = InputRef::Edition(99);
		assert_noop!(record(10, vec![spec]), Error::<Test>::NotFound);
		let mut spec = deidentify();
		spec.inputs[0] = InputRef::Certificate(99);
		assert_noop!(record(10, vec![spec]), Error::<Test>::NotFound);
		let mut spec = deidentify();
		spec.inputs.try_push(dataset("lab_result")).expect("room");
		assert_noop!(record(10, vec![spec]), Error::<Test>::Duplicate);
		let mut spec = deidentify();
		spec.outputs.try_push(output("lab_deid", vec![])).expect("room");
		assert_noop!(record(10, vec![spec]), Error::<Test>::Duplicate);
		let mut spec = deidentify();
		let again = spec.outputs[0].fields[0].clone();
		spec.outputs[0].fields.try_push(again).expect("room");
		assert_noop!(record(10, vec![spec]), Error::<Test>::Duplicate);
		let mut spec = deidentify();
		let again = spec.outputs[0].fields[1].inputs[0].clone();
		spec.outputs[0].fields[1].inputs.try_push(again).expect("room");
		assert_noop!(record(10, vec![spec]), Error::<Test>::Duplicate);
		let mut spec = deidentify();
		spec.outputs[0].fields[0].inputs[0].input = 1;
		assert_noop!(record(10, vec![spec]), Error::<Test>::BadColumnInput);
	});
}

#[test]
fn a_run_is_recorded_once_and_a_batch_is_all_or_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(record(10, vec![deidentify()]));
		assert_noop!(record(10, vec![deidentify()]), Error::<Test>::AlreadyRecorded);
		let mut fine = deidentify();
		fine.run_id = [2; 16];
		let mut bad = deidentify();
		bad.run_id = [3; 16];
		bad.ended = 0;
		assert_noop!(record(10, vec![fine, bad]), Error::<Test>::BadTimes);
		assert_eq!(NextActivityId::<Test>::get(), 1);
	});
}

#[test]
fn another_institutions_dataset_cannot_be_written() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(record(10, vec![deidentify()]));
		let mut theirs = deidentify();
		theirs.run_id = [2; 16];
		assert_noop!(record(20, vec![theirs]), Error::<Test>::NotOwner);
		// A dataset only read so far is written by whoever writes it first.
		let claim = run(3, ActivityKind::Extract, vec![], vec![output("lab_result", vec![])]);
		assert_ok!(record(20, vec![claim]));
		assert_eq!(Datasets::<Test>::get(0).expect("lab_result").owner, Some(2));
	});
}

#[test]
fn column_inputs_must_be_fields_of_dataset_inputs() {
	ExtBuilder::default().build_and_execute(|| {
		let certificate = certify_one(10);
		let spec = run(
			1,
			ActivityKind::Derive,
			vec![InputRef::Certificate(certificate)],
			vec![output(
				"derived",
				vec![field("x", vec![column(0, "x", Transformation::Identity)])],
			)],
		);
		assert_noop!(record(10, vec![spec]), Error::<Test>::BadColumnInput);
		assert_ok!(record(10, vec![deidentify()]));
		let field = field_of(latest("lab_deid"), "value");
		let spec =
			run(2, ActivityKind::Derive, vec![InputRef::Edition(field)], vec![output("d", vec![])]);
		assert_noop!(record(10, vec![spec]), Error::<Test>::NotAnEdition);
	});
}

#[test]
fn too_many_edges_in_one_call_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		// 8 runs of 4 inputs and 3 outputs: 8 × (4 + 12) = 128 edges, over 64.
		let runs: Vec<ActivitySpec<Test>> = (0..8u8)
			.map(|i| {
				let inputs = (0..4).map(|j| dataset(&format!("in{i}-{j}"))).collect();
				let outputs = (0..3).map(|j| output(&format!("out{i}-{j}"), vec![])).collect();
				run(i, ActivityKind::Transform, inputs, outputs)
			})
			.collect();
		assert_noop!(record(10, runs), Error::<Test>::TooMuch);
	});
}

/// The example of the walks: a diamond and a chain.
///
/// ```text
/// a ─┬─> b ─┬─> d ─> e
///    └─> c ─┘
/// ```
fn diamond() {
	let step = |id: u8, inputs: &[&str], out: &str| {
		run(
			id,
			ActivityKind::Transform,
			inputs.iter().map(|n| dataset(n)).collect(),
			vec![output(out, vec![])],
		)
	};
	assert_ok!(record(
		10,
		vec![
			step(1, &["a"], "b"),
			step(2, &["a"], "c"),
			step(3, &["b", "c"], "d"),
			step(4, &["d"], "e")
		]
	));
}

#[test]
fn a_walk_finds_each_node_once_at_its_shortest_depth() {
	ExtBuilder::default().build_and_execute(|| {
		diamond();
		let [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map(latest);
		let walk = Lineage::walk(e, Direction::Ancestors, 10, 0, 100).expect("an asset");
		let found: Vec<(AssetId, u32, AssetId)> =
			walk.nodes.iter().map(|n| (n.asset, n.depth, n.via)).collect();
		assert_eq!(found, vec![(d, 1, e), (b, 2, d), (c, 2, d), (a, 3, b)]);
		assert!(!walk.truncated && !walk.deeper && walk.next.is_none());
		let down = Lineage::walk(a, Direction::Descendants, 10, 0, 100).expect("an asset");
		let found: Vec<(AssetId, u32)> = down.nodes.iter().map(|n| (n.asset, n.depth)).collect();
		assert_eq!(found, vec![(b, 1), (c, 1), (d, 2), (e, 3)]);
		assert_eq!(Lineage::walk(999, Direction::Ancestors, 10, 0, 100), None);
	});
}

#[test]
fn a_walk_says_when_it_is_cut_by_depth_or_by_the_limit() {
	ExtBuilder::default().build_and_execute(|| {
		diamond();
		let [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map(latest);
		let shallow = Lineage::walk(e, Direction::Ancestors, 2, 0, 100).expect("an asset");
		assert_eq!(shallow.nodes.len(), 3);
		assert!(shallow.truncated && shallow.deeper && shallow.next.is_none());
		let first = Lineage::walk(e, Direction::Ancestors, 10, 0, 2).expect("an asset");
		assert_eq!(first.nodes.iter().map(|n| n.asset).collect::<Vec<_>>(), vec![d, b]);
		assert!(first.truncated);
		assert_eq!(first.next, Some(2));
		let second = Lineage::walk(e, Direction::Ancestors, 10, 2, 2).expect("an asset");
		assert_eq!(second.nodes.iter().map(|n| n.asset).collect::<Vec<_>>(), vec![c, a]);
		assert!(!second.truncated && second.next.is_none());
		// Depth and limit are capped, not refused.
		let capped = Lineage::walk(e, Direction::Ancestors, u32::MAX, 0, u32::MAX).expect("one");
		assert_eq!(capped.nodes.len(), 4);
	});
}

/// A small deterministic generator for the random graphs (xorshift64*).
struct Random(u64);

impl Random {
	fn below(&mut self, n: u64) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
	}
}

/// Breadth-first search over the test's own record of the edges.
fn expected(
	edges: &BTreeMap<AssetId, BTreeSet<AssetId>>,
	start: AssetId,
	depth: u32,
) -> BTreeMap<AssetId, u32> {
	let mut found = BTreeMap::new();
	let mut queue = VecDeque::from([(start, 0u32)]);
	let mut seen = BTreeSet::from([start]);
	while let Some((node, d)) = queue.pop_front() {
		if d == depth {
			continue;
		}
		for &next in edges.get(&node).into_iter().flatten() {
			if seen.insert(next) {
				found.insert(next, d + 1);
				queue.push_back((next, d + 1));
			}
		}
	}
	found
}

#[test]
// `next` counts assets, not iterations: inputs named for the first time take ids too.
#[allow(clippy::explicit_counter_loop)]
fn walks_agree_with_a_breadth_first_search_on_random_graphs() {
	for seed in 1..=20u64 {
		ExtBuilder::default().build_and_execute(|| {
			let mut random = Random(seed * 0x9e37_79b9_7f4a_7c15);
			let mut up: BTreeMap<AssetId, BTreeSet<AssetId>> = BTreeMap::new();
			let mut down: BTreeMap<AssetId, BTreeSet<AssetId>> = BTreeMap::new();
			let names: Vec<String> = (0..40).map(|i| format!("d{i}")).collect();
			let mut model: BTreeMap<String, AssetId> = BTreeMap::new();
			let mut next: AssetId = 0;
			for i in 0..40u8 {
				let reads = 1 + random.below(3);
				let mut inputs: Vec<&str> = (0..reads)
					.map(|_| names[random.below(40) as usize].as_str())
					.filter(|n| *n != names[i as usize])
					.collect();
				inputs.sort_unstable();
				inputs.dedup();
				// The test's own model: inputs read a dataset's latest edition, a dataset named
				// for the first time gets the next id, then the output edition the one after.
				let parents: Vec<AssetId> = inputs
					.iter()
					.map(|n| {
						*model.entry(n.to_string()).or_insert_with(|| {
							next += 1;
							next - 1
						})
					})
					.collect();
				let out = next;
				next += 1;
				model.insert(names[i as usize].clone(), out);
				let spec = run(
					i,
					ActivityKind::Transform,
					inputs.iter().map(|n| dataset(n)).collect(),
					vec![output(&names[i as usize], vec![])],
				);
				assert_ok!(record(10, vec![spec]));
				assert_eq!(latest(&names[i as usize]), out);
				for p in parents {
					up.entry(out).or_default().insert(p);
					down.entry(p).or_default().insert(out);
				}
			}
			let assets = NextAssetId::<Test>::get();
			for _ in 0..10 {
				let start = random.below(assets);
				let depth = 1 + random.below(6) as u32;
				for (direction, edges) in
					[(Direction::Ancestors, &up), (Direction::Descendants, &down)]
				{
					let mut got = BTreeMap::new();
					let mut skip = 0;
					loop {
						let page =
							Lineage::walk(start, direction, depth, skip, 7).expect("an asset");
						for n in &page.nodes {
							assert!(got.insert(n.asset, n.depth).is_none(), "each node once");
							assert!(edges[&n.via].contains(&n.asset), "reached along an edge");
						}
						match page.next {
							Some(next) => skip = next,
							None => break,
						}
					}
					assert_eq!(got, expected(edges, start, depth), "seed {seed}, start {start}");
				}
			}
		});
	}
}

#[test]
fn the_writes_a_record_did_not_make_are_refunded() {
	ExtBuilder::default().build_and_execute(|| {
		let run = deidentify();
		let e = run.edges();
		assert_eq!(e, 6, "one input, one output edition, two fields of one input field each");
		let writes = Lineage::do_record(&10, 0, vec![run]).expect("recorded");
		// 3 for the run; 6 assets (the input and output editions, two input fields named for
		// the first time, two output fields) of 3; 3 child entries; 2 new datasets of 3; 1
		// output's dataset.
		assert_eq!(writes, 3 + 6 * 3 + 3 + 2 * 3 + 1);
		assert_eq!(NextAssetId::<Test>::get(), 6);
		assert_eq!(crate::impls::charged_writes(1, e), 104 + 2 + 18);
		// The generated weight charges at least those 3 writes for each further edge.
		use crate::WeightInfo;
		let write = frame_support::weights::constants::RocksDbWeight::get().writes(1);
		let edge = <() as WeightInfo>::record(1, e + 1) - <() as WeightInfo>::record(1, e);
		assert!(edge.ref_time() >= 3 * write.ref_time(), "3 writes an edge are charged");
		let write = frame_support::weights::Weight::from_parts(25_000_000, 0);
		let full = frame_support::weights::Weight::from_parts(3_000_000_000, 5_000);
		let actual = crate::impls::actual_weight(full, 1, e, writes, write);
		assert_eq!(actual, full - write * (124 - 31));
		// Never more than charged, and never a refund of writes that were made.
		assert_eq!(crate::impls::actual_weight(full, 1, e, 10_000, write), full);
	});
}

#[test]
fn the_call_reports_its_actual_weight() {
	ExtBuilder::default().build_and_execute(|| {
		let info = Lineage::record(signed(10), vec![deidentify()].try_into().expect("bounded"))
			.expect("recorded");
		assert!(info.actual_weight.is_some());
	});
}

mod parts {
	use super::*;
	use crate::{OpenRuns, OutputFields, RunHeader, RunPart};

	/// Part `number` of run `[7; 16]`, of `parts`, with `inputs_before` inputs before it.
	fn part(number: u32, parts: u32, inputs_before: u32) -> RunPart<Test> {
		RunPart {
			run_id: [7; 16],
			part: number,
			parts,
			header: (number == 0).then(|| RunHeader {
				job_namespace: text("airflow"),
				job_name: text("district_report"),
				kind: ActivityKind::Aggregate,
				started: 1_700_000_000_000,
				ended: 1_700_000_060_000,
				event_hash: [7; 32],
			}),
			inputs_before,
			inputs: BoundedVec::new(),
			outputs: BoundedVec::new(),
			fields: BoundedVec::new(),
		}
	}

	fn inputs(names: &[&str]) -> BoundedVec<InputRef<Test>, <Test as crate::Config>::MaxInputs> {
		names.iter().map(|n| dataset(n)).collect::<Vec<_>>().try_into().expect("bounded")
	}

	fn more(output: u32, fields: Vec<FieldSpec<Test>>) -> OutputFields<Test> {
		OutputFields { output, fields: fields.try_into().expect("bounded") }
	}

	fn send(who: AccountId, part: RunPart<Test>) -> DispatchResult {
		Lineage::record_part(signed(who), part)
	}

	/// The run's four parts: two inputs, two more, the output with two fields, two more
	/// fields (the mock allows 4 inputs and 4 fields an output).
	fn four_parts() -> Vec<RunPart<Test>> {
		let mut first = part(0, 4, 0);
		first.inputs = inputs(&["district_1", "district_2"]);
		let mut second = part(1, 4, 2);
		second.inputs = inputs(&["district_3", "district_4"]);
		let mut third = part(2, 4, 4);
		let sum = |name: &str, input: u32| {
			field(name, vec![column(input, "cases", Transformation::Aggregation)])
		};
		third.outputs =
			vec![output("report", vec![sum("d1", 0), sum("d2", 1)])].try_into().expect("bounded");
		let mut fourth = part(3, 4, 4);
		fourth.fields = vec![more(0, vec![sum("d3", 2), sum("d4", 3)])].try_into().expect("1");
		vec![first, second, third, fourth]
	}

	#[test]
	fn a_run_in_parts_is_one_activity_complete_with_its_last_part() {
		ExtBuilder::default().build_and_execute(|| {
			let parts = four_parts();
			let edges: u32 = parts.iter().map(RunPart::edges).sum();
			// 4 inputs; the output of 4 inputs; 4 fields of one input field each.
			assert_eq!(edges, 4 + 4 + 8);
			for (n, p) in parts.into_iter().enumerate() {
				let last = n == 3;
				assert_ok!(send(10, p));
				assert_eq!(OpenRuns::<Test>::contains_key(0), !last, "part {n}");
				let open = (!last).then_some((n as u32 + 1, 4));
				assert_eq!(Lineage::open_run(0), open, "the runtime API's answer");
			}
			let activity = crate::Activities::<Test>::get(0).expect("one activity");
			assert_eq!((activity.inputs.len(), activity.outputs.len()), (4, 1));
			assert_eq!(NextActivityId::<Test>::get(), 1);
			let report = latest("report");
			let parents: Vec<AssetId> = Assets::<Test>::get(report)
				.expect("the edition")
				.parents
				.iter()
				.map(|e| e.parent)
				.collect();
			assert_eq!(parents, activity.inputs.to_vec(), "every input, created whole");
			let d4 = Assets::<Test>::get(field_of(report, "d4")).expect("a later field");
			assert_eq!(d4.parents[0].parent, field_of(latest("district_4"), "cases"));
			let walk = Lineage::walk(report, Direction::Ancestors, 1, 0, 100).expect("a walk");
			assert_eq!(walk.nodes.len(), 4);
			let events: Vec<_> = System::events().into_iter().map(|r| r.event).collect();
			let parts_seen = events
				.iter()
				.filter(|e| {
					matches!(e, RuntimeEvent::Lineage(Event::RunPartRecorded { parts: 4, .. }))
				})
				.count();
			assert_eq!(parts_seen, 4);
			assert_eq!(
				events.last(),
				Some(
					&Event::ActivityRecorded {
						activity: 0,
						run_id: [7; 16],
						institution: 1,
						outputs: 1,
						edges
					}
					.into()
				)
			);
			// Recorded: no part of it again, whole or in parts.
			assert_noop!(send(10, four_parts().remove(0)), Error::<Test>::AlreadyRecorded);
			assert_noop!(send(10, four_parts().remove(3)), Error::<Test>::AlreadyRecorded);
		});
	}

	#[test]
	fn parts_out_of_order_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let parts = four_parts();
			assert_noop!(send(10, parts[1].clone()), Error::<Test>::NotFound);
			let mut headless = parts[0].clone();
			headless.header = None;
			assert_noop!(send(10, headless), Error::<Test>::WrongPart);
			let mut one = parts[0].clone();
			one.parts = 1;
			assert_noop!(send(10, one), Error::<Test>::WrongPart);
			let mut past = parts[0].clone();
			past.part = 4;
			assert_noop!(send(10, past), Error::<Test>::WrongPart);
			let mut many = parts[0].clone();
			many.parts = 5;
			assert_noop!(send(10, many), Error::<Test>::TooMuch);
			assert_ok!(send(10, parts[0].clone()));
			assert_noop!(send(10, parts[2].clone()), Error::<Test>::WrongPart);
			let mut miscounted = parts[1].clone();
			miscounted.inputs_before = 1;
			assert_noop!(send(10, miscounted), Error::<Test>::WrongPart);
			let mut other_count = parts[1].clone();
			other_count.parts = 3;
			assert_noop!(send(10, other_count), Error::<Test>::WrongPart);
			let mut second_header = parts[1].clone();
			second_header.header = parts[0].header.clone();
			assert_noop!(send(10, second_header), Error::<Test>::WrongPart);
			assert_noop!(send(20, parts[1].clone()), Error::<Test>::NotAuthorized);
			assert_noop!(send(5, parts[1].clone()), DispatchError::BadOrigin);
			assert_ok!(send(10, parts[1].clone()));
			assert_ok!(send(10, parts[2].clone()));
			// Inputs after an output: the output's edition would lack them.
			let mut late = parts[3].clone();
			late.inputs = inputs(&["district_5"]);
			late.inputs_before = 4;
			assert_noop!(send(10, late), Error::<Test>::WrongPart);
		});
	}

	#[test]
	fn bad_parts_are_refused_and_undo_nothing_else() {
		ExtBuilder::default().build_and_execute(|| {
			let parts = four_parts();
			let mut bad = parts[0].clone();
			if let Some(h) = bad.header.as_mut() {
				h.ended = 0;
			}
			assert_noop!(send(10, bad), Error::<Test>::BadTimes);
			let mut bad = parts[0].clone();
			if let Some(h) = bad.header.as_mut() {
				h.job_name = text("");
			}
			assert_noop!(send(10, bad), Error::<Test>::InvalidName);
			assert_ok!(send(10, parts[0].clone()));
			let mut again = parts[1].clone();
			again.inputs = inputs(&["district_1"]);
			assert_noop!(send(10, again), Error::<Test>::Duplicate);
			assert_ok!(send(10, parts[1].clone()));
			assert_ok!(send(10, parts[2].clone()));
			let mut twice = parts[3].clone();
			twice.outputs = vec![output("report", vec![])].try_into().expect("1");
			assert_noop!(send(10, twice), Error::<Test>::Duplicate);
			let mut same_field = parts[3].clone();
			same_field.fields[0].fields[0].name = text("d1");
			assert_noop!(send(10, same_field), Error::<Test>::Duplicate);
			let mut no_output = parts[3].clone();
			no_output.fields[0].output = 1;
			assert_noop!(send(10, no_output), Error::<Test>::BadColumnInput);
			let mut wide = parts[3].clone();
			let extra = field("d5", vec![column(0, "deaths", Transformation::Aggregation)]);
			wide.fields[0].fields.try_push(extra).expect("room in one call");
			assert_noop!(send(10, wide), Error::<Test>::TooMuch);
			assert_ok!(send(10, parts[3].clone()));
		});
	}

	#[test]
	fn a_run_in_parts_must_write_something_and_fit_a_call() {
		ExtBuilder::default().build_and_execute(|| {
			let mut first = part(0, 2, 0);
			first.inputs = inputs(&["district_1"]);
			assert_ok!(send(10, first));
			assert_noop!(send(10, part(1, 2, 1)), Error::<Test>::NoOutputs);
			// 4 inputs and 3 outputs of them with 4 fields of 4 column inputs: over 64 edges.
			let mut huge = part(0, 2, 0);
			huge.run_id = [8; 16];
			huge.inputs = inputs(&["a", "b", "c", "d"]);
			let wide = |name: &str| {
				let columns: Vec<_> =
					(0..4).map(|i| column(i, "x", Transformation::Identity)).collect();
				let fields =
					(0..4).map(|f| field(&format!("{name}{f}"), columns.clone())).collect();
				output(name, fields)
			};
			huge.outputs = vec![wide("o1"), wide("o2"), wide("o3")].try_into().expect("3");
			assert!(huge.edges() > 64);
			assert_noop!(send(10, huge), Error::<Test>::TooMuch);
		});
	}
}

#[test]
fn a_walk_visits_a_bounded_number_of_nodes_whatever_its_skip() {
	use crate::{walk, MAX_LIMIT, MAX_VISITED};
	// A hub whose children outnumber the bound, each child with one child of its own.
	let hub_children = u64::from(MAX_VISITED) + 50_000;
	let mut read = 0usize;
	let mut graph = |node: AssetId, most: usize, out: &mut Vec<AssetId>| {
		let before = out.len();
		match node {
			0 => out.extend((1..=hub_children).take(most)),
			n if n <= hub_children => out.extend([n + hub_children].into_iter().take(most)),
			_ => {}
		}
		read += out.len() - before;
	};
	let page = walk(0, 5, u32::MAX, MAX_LIMIT, &mut graph);
	assert_eq!(
		(page.nodes.len(), page.truncated, page.next, page.deeper),
		(0, true, None, false),
		"stopped at the bound: no page, not deeper"
	);
	assert!(read <= MAX_VISITED as usize + 1, "read {read}");

	// Under the bound, the same hub's walk is whole and pages as before.
	let small = u64::from(MAX_VISITED) / 2;
	let mut graph = |node: AssetId, most: usize, out: &mut Vec<AssetId>| {
		if node == 0 {
			out.extend((1..=small).take(most));
		}
	};
	let first = walk(0, 5, 0, MAX_LIMIT, &mut graph);
	assert_eq!((first.nodes.len() as u32, first.next), (MAX_LIMIT, Some(MAX_LIMIT)));
	let past = walk(0, 5, u32::MAX, MAX_LIMIT, &mut graph);
	assert_eq!((past.nodes.len(), past.truncated, past.next), (0, false, None));
}
