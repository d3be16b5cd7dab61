//! Recording activities, behind the thin call, and the pallet's invariants.

use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::{ensure, pallet_prelude::*};
use pallet_certificates::CertificateId;
use pallet_data_sources::InstitutionId;
use sp_runtime::DispatchError;

use crate::{pallet::*, types::*};

/// Whether `text` is a usable name: not empty, no control characters.
fn is_valid_name(text: &str) -> bool {
	!text.is_empty() && !text.chars().any(char::is_control)
}

/// The database writes `record`'s generated weight charges for `a` activities and `e` edges
/// (`weights.rs`: 104 + 2a + 3e, every edge at its worst: an input field created for it).
/// Regenerated weights change it: the test `the_writes_a_record_did_not_make_are_refunded`
/// checks it against `weights.rs`.
pub(crate) fn charged_writes(a: u32, e: u32) -> u64 {
	104 + 2 * u64::from(a) + 3 * u64::from(e)
}

/// `record`'s weight once run: its generated weight `full` less the writes (of weight `write`
/// each) it was charged for and did not make. Its computation and reads stay charged at
/// their worst.
pub(crate) fn actual_weight(full: Weight, a: u32, e: u32, writes: u64, write: Weight) -> Weight {
	let unused = charged_writes(a, e).saturating_sub(writes);
	full.saturating_sub(write.saturating_mul(unused))
}

impl<T: Config> Pallet<T> {
	/// Records `activities`; returns how many storage writes that made, at most (counted from
	/// what was created: per run its activity, run id and counter; per asset the asset, the
	/// counter and its field or certificate index; per edge its child entry; per new dataset
	/// three entries; per output its dataset's update).
	pub(crate) fn do_record(
		who: &T::AccountId,
		institution: InstitutionId,
		activities: Vec<ActivitySpec<T>>,
	) -> Result<u64, DispatchError> {
		ensure!(!activities.is_empty(), Error::<T>::TooMuch);
		let edges = activities.iter().map(ActivitySpec::edges).fold(0u32, u32::saturating_add);
		ensure!(edges <= T::MaxEdgesPerCall::get(), Error::<T>::TooMuch);
		let (assets, datasets) = (NextAssetId::<T>::get(), NextDatasetId::<T>::get());
		let mut writes = 0u64;
		for spec in activities {
			writes += 3 + u64::from(spec.child_entries()) + spec.outputs.len() as u64;
			Self::record_one(who, institution, spec)?;
		}
		let assets = NextAssetId::<T>::get().saturating_sub(assets);
		let datasets = NextDatasetId::<T>::get().saturating_sub(datasets);
		Ok(writes.saturating_add(3 * assets).saturating_add(3 * datasets))
	}

	/// Records one run (the call is transactional: an error undoes the whole batch).
	fn record_one(
		who: &T::AccountId,
		institution: InstitutionId,
		spec: ActivitySpec<T>,
	) -> Result<ActivityId, DispatchError> {
		ensure!(!ActivityOfRun::<T>::contains_key(spec.run_id), Error::<T>::AlreadyRecorded);
		ensure!(spec.started <= spec.ended, Error::<T>::BadTimes);
		ensure!(!spec.outputs.is_empty(), Error::<T>::NoOutputs);
		ensure!(
			is_valid_name(&spec.job_namespace) && is_valid_name(&spec.job_name),
			Error::<T>::InvalidName
		);
		let mut inputs = Vec::with_capacity(spec.inputs.len());
		let mut seen = BTreeSet::new();
		for input in &spec.inputs {
			let asset = Self::resolve_input(input)?;
			ensure!(seen.insert(asset), Error::<T>::Duplicate);
			inputs.push(asset);
		}
		let mut written = BTreeSet::new();
		for output in &spec.outputs {
			ensure!(
				written.insert((output.namespace.as_bytes(), output.name.as_bytes())),
				Error::<T>::Duplicate
			);
		}

		let id = NextActivityId::<T>::get();
		let edges = spec.edges();
		let mut outputs = BoundedVec::<AssetId, T::MaxOutputs>::new();
		for output in &spec.outputs {
			let edition = Self::write_output(id, institution, &inputs, output)?;
			outputs.try_push(edition).map_err(|_| Error::<T>::TooMuch)?;
		}
		let output_count = outputs.len() as u32;
		Activities::<T>::insert(
			id,
			Activity {
				job_namespace: spec.job_namespace,
				job_name: spec.job_name,
				run_id: spec.run_id,
				kind: spec.kind,
				institution,
				recorder: who.clone(),
				started: spec.started,
				ended: spec.ended,
				event_hash: spec.event_hash,
				inputs: inputs.try_into().map_err(|_| Error::<T>::TooMuch)?,
				outputs,
				recorded: frame_system::Pallet::<T>::block_number(),
			},
		);
		ActivityOfRun::<T>::insert(spec.run_id, id);
		// One id per activity: a u64 does not run out.
		NextActivityId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::ActivityRecorded {
			activity: id,
			run_id: spec.run_id,
			institution,
			outputs: output_count,
			edges,
		});
		Ok(id)
	}

	/// Records one part of a run recorded in parts (see [`Pallet::record_part`]); the call is
	/// transactional: an error undoes the part.
	pub(crate) fn do_record_part(
		who: &T::AccountId,
		institution: InstitutionId,
		part: RunPart<T>,
	) -> DispatchResult {
		let edges = part.edges();
		ensure!(edges <= T::MaxEdgesPerCall::get(), Error::<T>::TooMuch);
		ensure!(part.parts <= T::MaxRunParts::get(), Error::<T>::TooMuch);
		ensure!(part.parts >= 2 && part.part < part.parts, Error::<T>::WrongPart);
		let RunPart { run_id, part: number, parts, header, inputs_before, inputs, outputs, fields } =
			part;
		let (id, mut activity, mut open) = match header {
			Some(header) => {
				ensure!(number == 0 && inputs_before == 0, Error::<T>::WrongPart);
				Self::begin_run(who, institution, run_id, parts, header)?
			}
			None => {
				ensure!(number > 0, Error::<T>::WrongPart);
				let id = ActivityOfRun::<T>::get(run_id).ok_or(Error::<T>::NotFound)?;
				let open = OpenRuns::<T>::get(id).ok_or(Error::<T>::AlreadyRecorded)?;
				let activity = Activities::<T>::get(id).ok_or(Error::<T>::NotFound)?;
				ensure!(activity.institution == institution, Error::<T>::NotAuthorized);
				ensure!(
					open.next == number
						&& open.parts == parts
						&& activity.inputs.len() as u32 == inputs_before,
					Error::<T>::WrongPart
				);
				(id, activity, open)
			}
		};
		ensure!(inputs.is_empty() || activity.outputs.is_empty(), Error::<T>::WrongPart);
		let mut seen: BTreeSet<AssetId> = activity.inputs.iter().copied().collect();
		for input in &inputs {
			let asset = Self::resolve_input(input)?;
			ensure!(seen.insert(asset), Error::<T>::Duplicate);
			activity.inputs.try_push(asset).map_err(|_| Error::<T>::TooMuch)?;
		}
		for output in &outputs {
			ensure!(!Self::written_by(id, output), Error::<T>::Duplicate);
			let edition = Self::write_output(id, institution, &activity.inputs, output)?;
			activity.outputs.try_push(edition).map_err(|_| Error::<T>::TooMuch)?;
			open.fields.try_push(output.fields.len() as u32).map_err(|_| Error::<T>::TooMuch)?;
		}
		for more in &fields {
			let edition =
				*activity.outputs.get(more.output as usize).ok_or(Error::<T>::BadColumnInput)?;
			let count =
				open.fields.get_mut(more.output as usize).ok_or(Error::<T>::BadColumnInput)?;
			*count = count.saturating_add(more.fields.len() as u32);
			ensure!(*count <= T::MaxFieldsPerOutput::get(), Error::<T>::TooMuch);
			for field in &more.fields {
				ensure!(is_valid_name(&field.name), Error::<T>::InvalidName);
				ensure!(!FieldOf::<T>::contains_key(edition, &field.name), Error::<T>::Duplicate);
				Self::write_field(id, institution, &activity.inputs, edition, field)?;
			}
		}
		open.edges = open.edges.saturating_add(edges);
		Self::deposit_event(Event::RunPartRecorded {
			activity: id,
			run_id,
			part: number,
			parts,
			edges,
		});
		if number + 1 == parts {
			ensure!(!activity.outputs.is_empty(), Error::<T>::NoOutputs);
			OpenRuns::<T>::remove(id);
			Self::deposit_event(Event::ActivityRecorded {
				activity: id,
				run_id,
				institution,
				outputs: activity.outputs.len() as u32,
				edges: open.edges,
			});
		} else {
			open.next = number + 1;
			OpenRuns::<T>::insert(id, open);
		}
		Activities::<T>::insert(id, activity);
		Ok(())
	}

	/// A new activity for the first part of a run recorded in parts, not yet complete.
	fn begin_run(
		who: &T::AccountId,
		institution: InstitutionId,
		run_id: [u8; 16],
		parts: u32,
		header: RunHeader<T>,
	) -> Result<(ActivityId, Activity<T>, OpenRun<T>), DispatchError> {
		ensure!(!ActivityOfRun::<T>::contains_key(run_id), Error::<T>::AlreadyRecorded);
		ensure!(header.started <= header.ended, Error::<T>::BadTimes);
		ensure!(
			is_valid_name(&header.job_namespace) && is_valid_name(&header.job_name),
			Error::<T>::InvalidName
		);
		let id = NextActivityId::<T>::get();
		ActivityOfRun::<T>::insert(run_id, id);
		// One id per activity: a u64 does not run out.
		NextActivityId::<T>::put(id.saturating_add(1));
		let activity = Activity {
			job_namespace: header.job_namespace,
			job_name: header.job_name,
			run_id,
			kind: header.kind,
			institution,
			recorder: who.clone(),
			started: header.started,
			ended: header.ended,
			event_hash: header.event_hash,
			inputs: BoundedVec::new(),
			outputs: BoundedVec::new(),
			recorded: frame_system::Pallet::<T>::block_number(),
		};
		let open = OpenRun { parts, next: 0, fields: BoundedVec::new(), edges: 0 };
		Ok((id, activity, open))
	}

	/// Whether activity `id` wrote `output`'s dataset already (its latest edition is the
	/// activity's).
	fn written_by(id: ActivityId, output: &OutputSpec<T>) -> bool {
		DatasetOfName::<T>::get(&output.namespace, &output.name)
			.and_then(Datasets::<T>::get)
			.and_then(|dataset| Assets::<T>::get(dataset.latest))
			.is_some_and(|edition| edition.producer == Some(id))
	}

	/// The asset an input names; a dataset or certificate mentioned for the first time gets
	/// one.
	fn resolve_input(input: &InputRef<T>) -> Result<AssetId, DispatchError> {
		match input {
			InputRef::Dataset { namespace, name } => {
				ensure!(is_valid_name(namespace) && is_valid_name(name), Error::<T>::InvalidName);
				match DatasetOfName::<T>::get(namespace, name) {
					Some(dataset) => {
						Ok(Datasets::<T>::get(dataset).ok_or(Error::<T>::NotFound)?.latest)
					}
					None => Ok(Self::new_dataset(namespace, name, None, None)?.1),
				}
			}
			InputRef::Edition(asset) => {
				let found = Assets::<T>::get(asset).ok_or(Error::<T>::NotFound)?;
				ensure!(matches!(found.kind, AssetKind::Dataset { .. }), Error::<T>::NotAnEdition);
				Ok(*asset)
			}
			InputRef::Certificate(certificate) => Self::certificate_asset(*certificate),
		}
	}

	/// The asset of a certificate, created when first mentioned.
	fn certificate_asset(certificate: CertificateId) -> Result<AssetId, DispatchError> {
		if let Some(asset) = AssetOfCertificate::<T>::get(certificate) {
			return Ok(asset);
		}
		let issued =
			pallet_certificates::Certificates::<T>::get(certificate).ok_or(Error::<T>::NotFound)?;
		let asset = Self::new_asset(
			AssetKind::Certificate { certificate },
			None,
			Some(issued.issuer),
			BoundedVec::new(),
		);
		AssetOfCertificate::<T>::insert(certificate, asset);
		Ok(asset)
	}

	/// A new dataset with its first edition (read from outside when `owner` is `None`).
	fn new_dataset(
		namespace: &Namespace<T>,
		name: &LineageName<T>,
		owner: Option<InstitutionId>,
		producer: Option<(ActivityId, &[AssetId], Option<(u64, u32)>)>,
	) -> Result<(DatasetId, AssetId), DispatchError> {
		let dataset = NextDatasetId::<T>::get();
		let (activity, parents, schema) = match producer {
			Some((activity, parents, schema)) => (Some(activity), parents, schema),
			None => (None, &[][..], None),
		};
		let edition = Self::new_edition(dataset, 1, schema, activity, owner, parents)?;
		Datasets::<T>::insert(
			dataset,
			Dataset {
				namespace: namespace.clone(),
				name: name.clone(),
				owner,
				resource: schema.map(|(resource, _)| resource),
				editions: 1,
				latest: edition,
			},
		);
		DatasetOfName::<T>::insert(namespace, name, dataset);
		// One id per dataset: a u64 does not run out.
		NextDatasetId::<T>::put(dataset.saturating_add(1));
		Ok((dataset, edition))
	}

	/// A new edition asset, with an input edge to (and a child entry under) each parent.
	fn new_edition(
		dataset: DatasetId,
		edition: u32,
		schema: Option<(u64, u32)>,
		producer: Option<ActivityId>,
		institution: Option<InstitutionId>,
		parents: &[AssetId],
	) -> Result<AssetId, DispatchError> {
		let edges: Vec<Edge> =
			parents.iter().map(|&parent| Edge { parent, kind: EdgeKind::Input }).collect();
		let edges = edges.try_into().map_err(|_| Error::<T>::TooMuch)?;
		Ok(Self::new_asset(
			AssetKind::Dataset { dataset, edition, schema },
			producer,
			institution,
			edges,
		))
	}

	/// Stores a new asset and its parents' child entries; returns its id.
	fn new_asset(
		kind: AssetKind<T>,
		producer: Option<ActivityId>,
		institution: Option<InstitutionId>,
		parents: BoundedVec<Edge, T::MaxParents>,
	) -> AssetId {
		let id = NextAssetId::<T>::get();
		for edge in &parents {
			Children::<T>::insert(edge.parent, id, edge.kind);
		}
		Assets::<T>::insert(
			id,
			Asset {
				kind,
				producer,
				institution,
				parents,
				created: frame_system::Pallet::<T>::block_number(),
			},
		);
		// One id per asset: a u64 does not run out.
		NextAssetId::<T>::put(id.saturating_add(1));
		id
	}

	/// Writes a new edition of an output's dataset, and its fields with their column edges.
	fn write_output(
		activity: ActivityId,
		institution: InstitutionId,
		inputs: &[AssetId],
		output: &OutputSpec<T>,
	) -> Result<AssetId, DispatchError> {
		ensure!(
			is_valid_name(&output.namespace) && is_valid_name(&output.name),
			Error::<T>::InvalidName
		);
		if let Some((resource, version)) = output.schema {
			let found =
				pallet_data_sources::Resources::<T>::get(resource).ok_or(Error::<T>::NotFound)?;
			let source =
				pallet_data_sources::Sources::<T>::get(found.source).ok_or(Error::<T>::NotFound)?;
			ensure!(source.institution == institution, Error::<T>::NotOwner);
			ensure!(
				pallet_data_sources::Versions::<T>::contains_key(resource, version),
				Error::<T>::NotFound
			);
		}
		let produced = Some((activity, inputs, output.schema));
		let edition = match DatasetOfName::<T>::get(&output.namespace, &output.name) {
			None => {
				Self::new_dataset(&output.namespace, &output.name, Some(institution), produced)?.1
			}
			Some(id) => {
				let mut dataset = Datasets::<T>::get(id).ok_or(Error::<T>::NotFound)?;
				ensure!(dataset.owner.unwrap_or(institution) == institution, Error::<T>::NotOwner);
				let number = dataset.editions.checked_add(1).ok_or(Error::<T>::TooMuch)?;
				let edition = Self::new_edition(
					id,
					number,
					output.schema,
					Some(activity),
					Some(institution),
					inputs,
				)?;
				dataset.owner = Some(institution);
				dataset.editions = number;
				dataset.latest = edition;
				if let Some((resource, _)) = output.schema {
					dataset.resource = Some(resource);
				}
				Datasets::<T>::insert(id, dataset);
				edition
			}
		};
		let mut names = BTreeSet::new();
		for field in &output.fields {
			ensure!(is_valid_name(&field.name), Error::<T>::InvalidName);
			ensure!(names.insert(field.name.as_bytes()), Error::<T>::Duplicate);
			Self::write_field(activity, institution, inputs, edition, field)?;
		}
		Ok(edition)
	}

	/// A field of a new edition, with an edge to each input field it was computed from.
	fn write_field(
		activity: ActivityId,
		institution: InstitutionId,
		inputs: &[AssetId],
		edition: AssetId,
		field: &FieldSpec<T>,
	) -> Result<AssetId, DispatchError> {
		let mut parents = BoundedVec::<Edge, T::MaxParents>::new();
		for column in &field.inputs {
			ensure!(is_valid_name(&column.field), Error::<T>::InvalidName);
			let input = *inputs.get(column.input as usize).ok_or(Error::<T>::BadColumnInput)?;
			let parent = Self::field_asset(input, &column.field)?;
			ensure!(parents.iter().all(|e| e.parent != parent), Error::<T>::Duplicate);
			let kind =
				EdgeKind::Column { transformation: column.transformation, masking: column.masking };
			parents.try_push(Edge { parent, kind }).map_err(|_| Error::<T>::TooMuch)?;
		}
		let asset = Self::new_asset(
			AssetKind::Field { of: edition, name: field.name.clone() },
			Some(activity),
			Some(institution),
			parents,
		);
		FieldOf::<T>::insert(edition, &field.name, asset);
		Ok(asset)
	}

	/// The asset of a field of an input edition, created when first mentioned (its column
	/// lineage is then unknown).
	fn field_asset(edition: AssetId, name: &FieldName<T>) -> Result<AssetId, DispatchError> {
		if let Some(asset) = FieldOf::<T>::get(edition, name) {
			return Ok(asset);
		}
		let of = Assets::<T>::get(edition).ok_or(Error::<T>::NotFound)?;
		ensure!(matches!(of.kind, AssetKind::Dataset { .. }), Error::<T>::BadColumnInput);
		let asset = Self::new_asset(
			AssetKind::Field { of: edition, name: name.clone() },
			None,
			of.institution,
			BoundedVec::new(),
		);
		FieldOf::<T>::insert(edition, name, asset);
		Ok(asset)
	}

	/// The pallet's invariants: the graph is acyclic (every edge points to a smaller id),
	/// every reference exists, and the indexes agree with the assets.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next = NextAssetId::<T>::get();
		for (id, asset) in Assets::<T>::iter() {
			ensure!(id < next, "an asset id is not below NextAssetId");
			for edge in &asset.parents {
				ensure!(edge.parent < id, "an edge points to a later asset: a cycle is possible");
				ensure!(Assets::<T>::contains_key(edge.parent), "an edge points to no asset");
				ensure!(
					Children::<T>::get(edge.parent, id) == Some(edge.kind),
					"an edge has no child entry"
				);
			}
			Self::try_state_kind(id, &asset)?;
			if let Some(activity) = asset.producer {
				let found = Activities::<T>::get(activity).ok_or("a producer is not recorded")?;
				ensure!(Some(found.institution) == asset.institution, "a producer ran elsewhere");
			}
		}
		for (parent, child, kind) in Children::<T>::iter() {
			let asset = Assets::<T>::get(child).ok_or("a child entry points to no asset")?;
			ensure!(
				asset.parents.iter().any(|e| e.parent == parent && e.kind == kind),
				"a child entry has no edge"
			);
		}
		let next_dataset = NextDatasetId::<T>::get();
		for (id, dataset) in Datasets::<T>::iter() {
			ensure!(id < next_dataset, "a dataset id is not below NextDatasetId");
			ensure!(
				DatasetOfName::<T>::get(&dataset.namespace, &dataset.name) == Some(id),
				"a dataset's name does not lead to it"
			);
			let latest = Assets::<T>::get(dataset.latest).ok_or("a latest edition is missing")?;
			ensure!(
				matches!(latest.kind, AssetKind::Dataset { dataset: d, edition, .. }
					if d == id && edition == dataset.editions),
				"a dataset's latest edition is not its last"
			);
		}
		let next_activity = NextActivityId::<T>::get();
		for (id, open) in OpenRuns::<T>::iter() {
			let activity = Activities::<T>::get(id).ok_or("an open run has no activity")?;
			ensure!(open.next >= 1 && open.next < open.parts, "an open run's next part is off");
			ensure!(
				open.fields.len() == activity.outputs.len(),
				"an open run counts fields of outputs it did not write"
			);
		}
		for (id, activity) in Activities::<T>::iter() {
			ensure!(id < next_activity, "an activity id is not below NextActivityId");
			ensure!(
				OpenRuns::<T>::contains_key(id) || !activity.outputs.is_empty(),
				"a complete activity wrote nothing"
			);
			ensure!(
				ActivityOfRun::<T>::get(activity.run_id) == Some(id),
				"a run id does not lead to its activity"
			);
			for output in &activity.outputs {
				let asset = Assets::<T>::get(output).ok_or("an output is missing")?;
				ensure!(asset.producer == Some(id), "an output has another producer");
			}
			for input in &activity.inputs {
				ensure!(Assets::<T>::contains_key(input), "an input is missing");
			}
		}
		Ok(())
	}

	fn try_state_kind(id: AssetId, asset: &Asset<T>) -> Result<(), sp_runtime::TryRuntimeError> {
		match &asset.kind {
			AssetKind::Dataset { dataset, edition, .. } => {
				let found = Datasets::<T>::get(dataset).ok_or("an edition's dataset is missing")?;
				ensure!(*edition >= 1 && *edition <= found.editions, "an edition out of range");
			}
			AssetKind::Field { of, name } => {
				ensure!(FieldOf::<T>::get(of, name) == Some(id), "a field is not indexed");
				let edition = Assets::<T>::get(of).ok_or("a field's edition is missing")?;
				ensure!(
					matches!(edition.kind, AssetKind::Dataset { .. }),
					"a field belongs to no edition"
				);
				ensure!(
					asset.parents.iter().all(|e| matches!(e.kind, EdgeKind::Column { .. })),
					"a field has a dataset edge"
				);
			}
			AssetKind::Certificate { certificate } => {
				ensure!(
					AssetOfCertificate::<T>::get(certificate) == Some(id),
					"a certificate asset is not indexed"
				);
				ensure!(
					pallet_certificates::Certificates::<T>::contains_key(certificate),
					"a certificate asset names no certificate"
				);
				ensure!(asset.parents.is_empty(), "a certificate has parents");
			}
		}
		Ok(())
	}
}
