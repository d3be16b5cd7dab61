//! The lineage graph read from the chain, exported as OpenLineage events (re-importable to
//! the same graph), W3C PROV-JSON, FHIR R4 `Provenance` resources, and a CSV impact report.

use std::collections::BTreeMap;

use medtrust_rpc_types::lineage_json::{ActivityJson, AssetClass, AssetJson, ReachedJson};
use pallet_lineage::Transformation;
use serde_json::{json, Map, Value};

use crate::{wire::WireName, Error, Result};

/// What the exports read: recorded runs and every asset they mention.
#[derive(Clone, Debug, Default)]
pub struct Graph {
	/// The runs, in order of recording.
	pub activities: Vec<ActivityJson>,
	/// The assets, by id.
	pub assets: BTreeMap<u64, AssetJson>,
	/// The events each run was recorded from, where the exporter has them (checked against
	/// the hash on chain), by run id.
	pub events: BTreeMap<String, Vec<Value>>,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineageFormat {
	/// OpenLineage run events, NDJSON.
	OpenLineage,
	/// W3C PROV-JSON.
	Prov,
	/// A FHIR R4 `Bundle` of `Provenance` resources.
	Fhir,
}

impl LineageFormat {
	/// Reads `openlineage`, `prov` or `fhir`.
	pub fn parse(text: &str) -> Result<Self> {
		match text.to_ascii_lowercase().as_str() {
			"openlineage" => Ok(Self::OpenLineage),
			"prov" | "prov-json" => Ok(Self::Prov),
			"fhir" => Ok(Self::Fhir),
			_ => Err(Error::UnknownName {
				what: "lineage format",
				name: text.to_string(),
				choices: "openlineage, prov, fhir or csv".into(),
			}),
		}
	}
}

/// The namespace IRIs of MedTrust's identifiers in PROV and FHIR.
const NS: &str = "urn:medtrust:";

/// Milliseconds since the epoch as an ISO 8601 instant (UTC, milliseconds).
pub fn iso(ms: u64) -> String {
	let time = chrono::DateTime::from_timestamp_millis(ms as i64).unwrap_or_default();
	time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl Graph {
	fn asset(&self, id: u64) -> Result<&AssetJson> {
		self.assets.get(&id).ok_or_else(|| Error::Internal(format!("asset {id} was not read")))
	}

	/// A dataset edition's namespace and name.
	fn dataset_of(&self, id: u64) -> Result<(String, String)> {
		let asset = self.asset(id)?;
		let d = asset
			.dataset
			.as_ref()
			.ok_or_else(|| Error::Internal(format!("asset {id} is not a dataset edition")))?;
		Ok((d.namespace.clone(), d.name.clone()))
	}

	/// The fields of an output edition with their column lineage, as OpenLineage's facet.
	fn column_lineage(&self, edition: u64) -> Result<Option<Value>> {
		let mut fields = Map::new();
		for field in self.assets.values().filter(|a| a.of == Some(edition)) {
			let mut inputs = Vec::new();
			for edge in &field.parents {
				let parent = self.asset(edge.parent)?;
				let of =
					parent.of.ok_or_else(|| Error::Internal("a column edge to no field".into()))?;
				let (namespace, name) = self.dataset_of(of)?;
				let t = edge.transformation.unwrap_or(Transformation::Transformation);
				let (kind, subtype) = openlineage_transformation(t);
				inputs.push(json!({
					"namespace": namespace,
					"name": name,
					"field": parent.field,
					"transformations": [{
						"type": kind, "subtype": subtype, "description": "",
						"masking": edge.masking.unwrap_or(false)
					}]
				}));
			}
			let name = field.field.clone().unwrap_or_default();
			fields.insert(name, json!({ "inputFields": inputs }));
		}
		Ok((!fields.is_empty()).then(|| {
			json!({
				"_producer": "https://medtrust.invalid/lineage",
				"_schemaURL": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
				"fields": fields
			})
		}))
	}

	/// One run as OpenLineage events: those it was recorded from if at hand, else a `START`
	/// and a `COMPLETE` event rebuilt from the chain.
	pub fn openlineage_events(&self, a: &ActivityJson) -> Result<Vec<Value>> {
		if let Some(events) = self.events.get(&a.run_id) {
			return Ok(events.clone());
		}
		let mut inputs = Vec::new();
		let mut certificates = Vec::new();
		for &id in &a.inputs {
			match self.asset(id)?.certificate {
				Some(c) => certificates.push(c),
				None => {
					let (namespace, name) = self.dataset_of(id)?;
					inputs.push(json!({ "namespace": namespace, "name": name }));
				}
			}
		}
		let mut outputs = Vec::new();
		for &id in &a.outputs {
			let (namespace, name) = self.dataset_of(id)?;
			let mut output = json!({ "namespace": namespace, "name": name });
			if let Some(facet) = self.column_lineage(id)? {
				output["facets"] = json!({ "columnLineage": facet });
			}
			outputs.push(output);
		}
		let run = match certificates.is_empty() {
			true => json!({ "runId": a.run_id }),
			false => json!({ "runId": a.run_id,
				"facets": { "medtrust": { "certificates": certificates } } }),
		};
		let event = |kind: &str, time: u64, inputs: Value, outputs: Value| {
			json!({
				"eventType": kind,
				"eventTime": iso(time),
				"run": run,
				"job": { "namespace": a.job_namespace, "name": a.job_name,
					"facets": { "medtrust": { "kind": a.kind.wire_name() } } },
				"inputs": inputs,
				"outputs": outputs,
				"producer": "https://medtrust.invalid/lineage",
				"schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
			})
		};
		Ok(vec![
			event("START", a.started, json!([]), json!([])),
			event("COMPLETE", a.ended, Value::Array(inputs), Value::Array(outputs)),
		])
	}

	/// Every run as OpenLineage events, NDJSON.
	pub fn openlineage(&self) -> Result<String> {
		let mut out = String::new();
		for a in &self.activities {
			for event in self.openlineage_events(a)? {
				out.push_str(&event.to_string());
				out.push('\n');
			}
		}
		Ok(out)
	}

	fn prov_entity(&self, asset: &AssetJson) -> Value {
		let mut e = Map::new();
		match asset.kind {
			AssetClass::Certificate => {
				e.insert("prov:type".into(), json!("mt:Certificate"));
				e.insert("mt:certificate".into(), json!(asset.certificate));
			}
			kind @ (AssetClass::Field | AssetClass::Dataset) => {
				let prov = match kind {
					AssetClass::Field => "mt:Field",
					_ => "mt:DatasetEdition",
				};
				e.insert("prov:type".into(), json!(prov));
				if let Some(d) = &asset.dataset {
					e.insert("mt:namespace".into(), json!(d.namespace));
					e.insert("mt:name".into(), json!(d.name));
					e.insert("mt:edition".into(), json!(d.edition));
				}
				if let Some(f) = &asset.field {
					e.insert("mt:field".into(), json!(f));
				}
			}
		}
		if let Some(i) = asset.institution {
			e.insert("prov:label".into(), json!(format!("asset {} of institution {i}", asset.id)));
		}
		Value::Object(e)
	}

	/// W3C PROV-JSON: assets as entities, runs as activities, institutions as agents, with
	/// `used`, `wasGeneratedBy`, `wasDerivedFrom` (each edge) and `wasAssociatedWith`.
	pub fn prov(&self) -> Result<Value> {
		let mut entity = Map::new();
		for asset in self.assets.values() {
			entity.insert(format!("mt:asset-{}", asset.id), self.prov_entity(asset));
		}
		let (mut activity, mut agent, mut used, mut generated, mut derived, mut associated) =
			(Map::new(), Map::new(), Map::new(), Map::new(), Map::new(), Map::new());
		for a in &self.activities {
			let act = format!("mt:activity-{}", a.id);
			activity.insert(
				act.clone(),
				json!({
					"prov:startTime": iso(a.started),
					"prov:endTime": iso(a.ended),
					"prov:type": format!("mt:{}", a.kind),
					"mt:job": format!("{}/{}", a.job_namespace, a.job_name),
					"mt:runId": a.run_id,
					"mt:eventHash": a.event_hash
				}),
			);
			let who = format!("mt:institution-{}", a.institution);
			agent.insert(who.clone(), json!({ "prov:type": "prov:Organization" }));
			associated.insert(
				format!("_:assoc-{}", a.id),
				json!({ "prov:activity": act, "prov:agent": who }),
			);
			for &i in &a.inputs {
				used.insert(
					format!("_:used-{}-{i}", a.id),
					json!({ "prov:activity": act, "prov:entity": format!("mt:asset-{i}") }),
				);
			}
			for &o in &a.outputs {
				generated.insert(format!("_:gen-{o}"), json!({ "prov:entity": format!("mt:asset-{o}"), "prov:activity": act, "prov:time": iso(a.ended) }));
			}
		}
		for asset in self.assets.values() {
			for edge in &asset.parents {
				let mut d = json!({
					"prov:generatedEntity": format!("mt:asset-{}", asset.id),
					"prov:usedEntity": format!("mt:asset-{}", edge.parent)
				});
				if let Some(p) = asset.producer {
					d["prov:activity"] = json!(format!("mt:activity-{p}"));
				}
				if let Some(t) = &edge.transformation {
					d["mt:transformation"] = json!(t.wire_name());
					d["mt:masking"] = json!(edge.masking.unwrap_or(false));
				}
				derived.insert(format!("_:der-{}-{}", asset.id, edge.parent), d);
			}
		}
		Ok(json!({
			"prefix": { "mt": NS },
			"entity": entity,
			"activity": activity,
			"agent": agent,
			"used": used,
			"wasGeneratedBy": generated,
			"wasDerivedFrom": derived,
			"wasAssociatedWith": associated
		}))
	}

	fn fhir_reference(&self, id: u64) -> Value {
		let display = match self.assets.get(&id) {
			Some(AssetJson { dataset: Some(d), field: None, .. }) => {
				format!("{} {} (edition {})", d.namespace, d.name, d.edition)
			}
			Some(AssetJson { certificate: Some(c), .. }) => format!("certificate {c}"),
			_ => format!("asset {id}"),
		};
		json!({ "identifier": { "system": format!("{NS}asset"), "value": id.to_string() }, "display": display })
	}

	/// A FHIR R4 `Bundle` (type `collection`) of one `Provenance` per run: its outputs as
	/// targets, its inputs as source entities, its institution as author.
	pub fn fhir(&self) -> Value {
		let entries: Vec<Value> = self
			.activities
			.iter()
			.map(|a| {
				let entity: Vec<Value> = a
					.inputs
					.iter()
					.map(|&i| json!({ "role": "source", "what": self.fhir_reference(i) }))
					.collect();
				json!({
					"fullUrl": format!("urn:uuid:{}", a.run_id),
					"resource": {
						"resourceType": "Provenance",
						"id": format!("run-{}", a.id),
						"target": a.outputs.iter().map(|&o| self.fhir_reference(o)).collect::<Vec<_>>(),
						"occurredPeriod": { "start": iso(a.started), "end": iso(a.ended) },
						"recorded": iso(a.ended),
						"activity": { "coding": [{ "system": format!("{NS}activity-kind"), "code": a.kind.wire_name() }],
							"text": format!("{} {}/{}", a.kind, a.job_namespace, a.job_name) },
						"agent": [{
							"type": { "coding": [{
								"system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
								"code": "author" }] },
							"who": { "identifier": { "system": format!("{NS}institution"),
								"value": a.institution.to_string() } },
							"onBehalfOf": { "identifier": { "system": format!("{NS}account"), "value": a.recorder } }
						}],
						"entity": entity
					}
				})
			})
			.collect();
		json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
	}
}

/// OpenLineage's type and subtype of a transformation's wire name.
fn openlineage_transformation(t: Transformation) -> (&'static str, &'static str) {
	match t {
		Transformation::Identity => ("DIRECT", "IDENTITY"),
		Transformation::Transformation => ("DIRECT", "TRANSFORMATION"),
		Transformation::Aggregation => ("DIRECT", "AGGREGATION"),
		Transformation::Join => ("INDIRECT", "JOIN"),
		Transformation::GroupBy => ("INDIRECT", "GROUP_BY"),
		Transformation::Filter => ("INDIRECT", "FILTER"),
		Transformation::Sort => ("INDIRECT", "SORT"),
		Transformation::Window => ("INDIRECT", "WINDOW"),
		Transformation::Conditional => ("INDIRECT", "CONDITIONAL"),
	}
}

/// The CSV impact report of a walk: one line per reached asset, by depth.
pub fn impact_csv(nodes: &[ReachedJson]) -> String {
	let mut out =
		String::from("depth,asset,kind,namespace,name,edition,field,certificate,institution,via\n");
	for n in nodes {
		let a = &n.asset;
		let d = a.dataset.as_ref();
		let cell = |s: &str| crate::catalog::export::csv_field(s);
		out.push_str(&format!(
			"{},{},{},{},{},{},{},{},{},{}\n",
			n.depth,
			a.id,
			a.kind,
			cell(d.map(|d| d.namespace.as_str()).unwrap_or("")),
			cell(d.map(|d| d.name.as_str()).unwrap_or("")),
			d.map(|d| d.edition.to_string()).unwrap_or_default(),
			cell(a.field.as_deref().unwrap_or("")),
			a.certificate.map(|c| c.to_string()).unwrap_or_default(),
			a.institution.map(|i| i.to_string()).unwrap_or_default(),
			n.via
		));
	}
	out
}
