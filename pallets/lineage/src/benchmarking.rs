//! Benchmarks of the calls, run as tests too. `record` is measured at its worst per edge:
//! every input dataset and every input field named for the first time (created), names at
//! their longest; `a` activities sharing `e` edges. `record_part` likewise, as the last part of
//! a run holding the most inputs (the largest activity to read and write back), whose
//! `e` edges are output fields computed from input fields named for the first time.

use alloc::{format, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{traits::EnsureOrigin, BoundedVec};
use sp_runtime::traits::Get;

use crate::*;

/// Text of `len` bytes: `prefix` padded with `_`.
fn text<S: Get<u32>>(prefix: &str, len: u32) -> medtrust_primitives::text::BoundedText<S> {
	let mut bytes = prefix.as_bytes().to_vec();
	bytes.resize((len as usize).max(bytes.len()), b'_');
	bytes.truncate(len as usize);
	bytes.try_into().expect("at most the bound")
}

/// `a` runs with `e` edges in all (at least two a run): run `r` reads a new dataset and writes
/// another; the edges beyond two a run are output fields, each computed from as many new
/// fields of the input as `MaxParents` allows.
fn runs<T: Config>(a: u32, e: u32) -> Vec<ActivitySpec<T>> {
	let ns = T::MaxNamespaceLen::get();
	let name = T::MaxLineageNameLen::get();
	let field_len = T::MaxFieldNameLen::get();
	let parents = T::MaxParents::get().max(1);
	let mut extra = e.saturating_sub(2 * a);
	let mut out = Vec::new();
	for r in 0..a {
		let mut fields = Vec::new();
		let share = extra / (a - r);
		let mut left = share;
		extra -= share;
		while left > 1 && (fields.len() as u32) < T::MaxFieldsPerOutput::get() {
			let k = (left - 1).min(parents);
			left -= 1 + k;
			let inputs: Vec<ColumnInput<T>> = (0..k)
				.map(|c| ColumnInput {
					input: 0,
					field: text(&format!("in{}-{c}", fields.len()), field_len),
					transformation: Transformation::Transformation,
					masking: false,
				})
				.collect();
			fields.push(FieldSpec {
				name: text(&format!("out{}", fields.len()), field_len),
				inputs: inputs.try_into().expect("k <= MaxParents"),
			});
		}
		let mut run_id = [0u8; 16];
		run_id[..4].copy_from_slice(&r.to_le_bytes());
		out.push(ActivitySpec {
			job_namespace: text("airflow", ns),
			job_name: text("job", name),
			run_id,
			kind: ActivityKind::Transform,
			started: 1,
			ended: 2,
			event_hash: [1; 32],
			inputs: vec![InputRef::Dataset {
				namespace: text("postgres://in", ns),
				name: text(&format!("in{r}"), name),
			}]
			.try_into()
			.expect("one input"),
			outputs: vec![OutputSpec {
				namespace: text("postgres://out", ns),
				name: text(&format!("out{r}"), name),
				schema: None,
				fields: fields.try_into().expect("at most MaxFieldsPerOutput"),
			}]
			.try_into()
			.expect("one output"),
		});
	}
	out
}

/// A header of a run recorded in parts, names at their longest.
fn header<T: Config>() -> RunHeader<T> {
	RunHeader {
		job_namespace: text("airflow", T::MaxNamespaceLen::get()),
		job_name: text("wide_report", T::MaxLineageNameLen::get()),
		kind: ActivityKind::Aggregate,
		started: 1,
		ended: 2,
		event_hash: [2; 32],
	}
}

/// A part of run `[9; 16]`, of 3.
fn part<T: Config>(number: u32, inputs_before: u32) -> RunPart<T> {
	RunPart {
		run_id: [9; 16],
		part: number,
		parts: 3,
		header: (number == 0).then(header::<T>),
		inputs_before,
		inputs: BoundedVec::new(),
		outputs: BoundedVec::new(),
		fields: BoundedVec::new(),
	}
}

/// Output fields of about `e` edges in all (at most `MaxFieldsPerOutput` fields), each
/// computed from up to 8 input fields of the run's inputs, named for the first time.
fn wide_fields<T: Config>(e: u32, inputs: u32) -> Vec<FieldSpec<T>> {
	let field_len = T::MaxFieldNameLen::get();
	let per_field = T::MaxParents::get().clamp(1, 8);
	let mut left = e;
	let mut fields = Vec::new();
	while left > 1 && (fields.len() as u32) < T::MaxFieldsPerOutput::get() {
		let k = (left - 1).min(per_field);
		left -= 1 + k;
		let n = fields.len() as u32;
		let sources: Vec<ColumnInput<T>> = (0..k)
			.map(|c| ColumnInput {
				input: (n * per_field + c) % inputs.max(1),
				field: text(&format!("in{n}-{c}"), field_len),
				transformation: Transformation::Aggregation,
				masking: false,
			})
			.collect();
		fields.push(FieldSpec {
			name: text(&format!("out{n}"), field_len),
			inputs: sources.try_into().expect("k <= MaxParents"),
		});
	}
	fields
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn record(
		a: Linear<1, { T::MaxActivitiesPerCall::get() }>,
		e: Linear<2, { T::MaxEdgesPerCall::get() }>,
	) -> Result<(), BenchmarkError> {
		let origin = <T as pallet_data_sources::Config>::InstitutionOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let activities = runs::<T>(a, e.max(2 * a));
		let edges: u32 = activities.iter().map(ActivitySpec::edges).sum();
		if edges > T::MaxEdgesPerCall::get() {
			return Err(BenchmarkError::Skip);
		}
		let activities: BoundedVec<_, _> =
			activities.try_into().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, activities);

		assert_eq!(NextActivityId::<T>::get(), a as u64);
		Ok(())
	}

	#[benchmark]
	fn record_part(e: Linear<2, { T::MaxEdgesPerCall::get() }>) -> Result<(), BenchmarkError> {
		let origin = <T as pallet_data_sources::Config>::InstitutionOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let (ns, name) = (T::MaxNamespaceLen::get(), T::MaxLineageNameLen::get());
		let n = T::MaxInputs::get();
		// Part 0: every input the run may have; part 1: its output, whose edition has them all
		// as parents.
		let mut first = part::<T>(0, 0);
		first.inputs = (0..n)
			.map(|i| InputRef::Dataset {
				namespace: text("postgres://in", ns),
				name: text(&format!("in{i}"), name),
			})
			.collect::<Vec<_>>()
			.try_into()
			.map_err(|_| BenchmarkError::Weightless)?;
		Pallet::<T>::record_part(origin.clone(), first).map_err(|_| BenchmarkError::Weightless)?;
		let mut second = part::<T>(1, n);
		second.outputs = vec![OutputSpec {
			namespace: text("postgres://out", ns),
			name: text("wide", name),
			schema: None,
			fields: BoundedVec::new(),
		}]
		.try_into()
		.map_err(|_| BenchmarkError::Weightless)?;
		Pallet::<T>::record_part(origin.clone(), second).map_err(|_| BenchmarkError::Weightless)?;
		let mut last = part::<T>(2, n);
		last.fields = vec![OutputFields {
			output: 0,
			fields: wide_fields::<T>(e, n).try_into().map_err(|_| BenchmarkError::Weightless)?,
		}]
		.try_into()
		.map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, last);

		assert!(OpenRuns::<T>::iter().next().is_none(), "the run is complete");
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty(), crate::mock::Test);
}
