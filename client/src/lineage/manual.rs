//! A run described by hand (`medtrust lineage record`), not by an OpenLineage producer: its
//! column grammar, its run id, and the `COMPLETE` event it is recorded from, so that it is
//! hashed, stored and exported like any other run.

use medtrust_rpc_types::lineage_json::{parse_uuid, uuid};
use pallet_lineage::{ActivityKind, Transformation};

use super::{
	export::iso,
	openlineage::{ColumnSource, DatasetName, Input, Output, OutputField, Run},
	Error,
};
use crate::{certificates::keys::random32, wire::WireName, Result};

/// What a run described by hand read, wrote and did.
#[derive(Clone, Debug, Default)]
pub struct ManualRun {
	/// The job's namespace (e.g. `airflow`).
	pub job_namespace: String,
	/// The job's name.
	pub job_name: String,
	/// What the run did.
	pub kind: Option<ActivityKind>,
	/// Its run id, a UUID (default: a new random one).
	pub run_id: Option<String>,
	/// The datasets it read, in order (input 0 first).
	pub inputs: Vec<DatasetName>,
	/// The certificates it read.
	pub certificates: Vec<u64>,
	/// The datasets it wrote (at least one).
	pub outputs: Vec<DatasetName>,
	/// Fields of the first output and their sources, each
	/// `<field>=<input>.<field>[:<transformation>][:masked]` ([`parse_column`]).
	pub columns: Vec<String>,
}

impl ManualRun {
	/// The run, ended now, with the one `COMPLETE` event it is recorded from.
	pub fn run(&self, now_ms: u64) -> Result<Run> {
		let mut outputs: Vec<Output> = self
			.outputs
			.iter()
			.map(|dataset| Output { dataset: dataset.clone(), fields: Vec::new() })
			.collect();
		let first = outputs
			.first_mut()
			.ok_or_else(|| Error::Event("a run writes at least one output".into()))?;
		for text in &self.columns {
			let field = parse_column(text, &self.inputs)?;
			match first.fields.iter_mut().find(|f| f.name == field.name) {
				Some(known) => known.sources.extend(field.sources),
				None => first.fields.push(field),
			}
		}
		let run_id = match &self.run_id {
			Some(text) => {
				parse_uuid(text).ok_or_else(|| Error::Event(format!("`{text}` is not a UUID")))?
			}
			None => random_uuid(),
		};
		let mut inputs: Vec<Input> = self.inputs.iter().cloned().map(Input::Dataset).collect();
		inputs.extend(self.certificates.iter().map(|&c| Input::Certificate(c)));
		let event = serde_json::json!({
			"eventType": "COMPLETE",
			"eventTime": iso(now_ms),
			"run": { "runId": uuid(&run_id) },
			"job": { "namespace": self.job_namespace, "name": self.job_name },
			"producer": "medtrust lineage record"
		});
		Ok(Run {
			job_namespace: self.job_namespace.clone(),
			job_name: self.job_name.clone(),
			run_id,
			kind: self.kind.unwrap_or(ActivityKind::Transform),
			started: now_ms,
			ended: now_ms,
			inputs,
			outputs,
			events: vec![event],
		})
	}
}

/// Parses `<field>=<input>.<field>[:<transformation>][:masked]`: a field of an output and
/// where it comes from (`pseudonym=0.patient_id:transformation:masked`).
pub fn parse_column(text: &str, inputs: &[DatasetName]) -> Result<OutputField> {
	let bad = || {
		Error::Event(format!("`{text}` is not <field>=<input>.<field>[:<transformation>][:masked]"))
	};
	let (name, source) = text.split_once('=').ok_or_else(bad)?;
	let mut parts = source.split(':');
	let (input, field) = parts.next().and_then(|s| s.split_once('.')).ok_or_else(bad)?;
	let input: usize = input.parse().map_err(|_| bad())?;
	let dataset = inputs
		.get(input)
		.cloned()
		.ok_or_else(|| Error::Event(format!("`{text}`: there is no input {input}")))?;
	let mut transformation = Transformation::Identity;
	let mut masking = false;
	for part in parts {
		match part {
			"masked" => masking = true,
			other => {
				transformation = Transformation::from_wire_name(other)
					.ok_or_else(|| Error::Event(format!("`{other}` is not a transformation")))?
			}
		}
	}
	if name.is_empty() || field.is_empty() {
		return Err(bad().into());
	}
	Ok(OutputField {
		name: name.to_string(),
		sources: vec![ColumnSource { dataset, field: field.to_string(), transformation, masking }],
	})
}

/// A random (version 4) UUID.
pub fn random_uuid() -> [u8; 16] {
	let mut id = [0u8; 16];
	id.copy_from_slice(&random32()[..16]);
	id[6] = (id[6] & 0x0f) | 0x40;
	id[8] = (id[8] & 0x3f) | 0x80;
	id
}

#[cfg(test)]
mod tests {
	use super::*;

	fn dataset(name: &str) -> DatasetName {
		DatasetName { namespace: "postgres://lis:5432".into(), name: name.into() }
	}

	#[test]
	fn a_column_names_its_input_transformation_and_masking() {
		let inputs = [dataset("lis.public.patient"), dataset("lis.public.result")];
		let field = parse_column("pseudonym=0.patient_id:transformation:masked", &inputs).unwrap();
		assert_eq!(field.name, "pseudonym");
		let source = &field.sources[0];
		assert_eq!((&source.dataset, source.field.as_str()), (&inputs[0], "patient_id"));
		assert_eq!((source.transformation, source.masking), (Transformation::Transformation, true));
		let plain = parse_column("value=1.value", &inputs).unwrap();
		assert_eq!(plain.sources[0].transformation, Transformation::Identity);
		assert!(!plain.sources[0].masking);
	}

	#[test]
	fn a_malformed_column_is_refused_with_the_grammar() {
		let inputs = [dataset("a")];
		for bad in ["", "x", "x=", "x=0", "x=a.b", "=0.b", "x=0.", "x=0.b:shuffled", "x=1.b"] {
			let e = parse_column(bad, &inputs).unwrap_err().to_string();
			assert!(e.contains(bad) || e.contains("shuffled"), "{bad}: {e}");
		}
	}

	#[test]
	fn a_manual_run_has_one_complete_event_and_merges_a_fields_sources() {
		let manual = ManualRun {
			job_namespace: "airflow".into(),
			job_name: "deid".into(),
			kind: Some(ActivityKind::Deidentify),
			run_id: Some("01890a5d-ac96-774b-bcce-b302099a8057".into()),
			inputs: vec![dataset("patient"), dataset("result")],
			certificates: vec![7],
			outputs: vec![dataset("research")],
			columns: vec!["id=0.id".into(), "id=1.patient:join".into()],
		};
		let run = manual.run(1_700_000_000_000).unwrap();
		assert_eq!(run.outputs[0].fields.len(), 1);
		assert_eq!(run.outputs[0].fields[0].sources.len(), 2);
		assert_eq!(run.inputs.last(), Some(&Input::Certificate(7)));
		assert_eq!(run.events.len(), 1);
		assert_eq!(run.events[0]["eventType"], "COMPLETE");
		assert_eq!(run.events[0]["run"]["runId"], "01890a5d-ac96-774b-bcce-b302099a8057");
		let no_output = ManualRun { outputs: vec![], ..manual.clone() };
		assert!(no_output.run(0).is_err());
		let bad_id = ManualRun { run_id: Some("7".into()), ..manual };
		assert!(bad_id.run(0).unwrap_err().to_string().contains("not a UUID"));
	}

	#[test]
	fn random_run_ids_are_version_4_uuids() {
		let (a, b) = (random_uuid(), random_uuid());
		assert_ne!(a, b);
		assert_eq!((a[6] >> 4, a[8] >> 6), (4, 2));
	}
}
