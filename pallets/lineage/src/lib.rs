//! # Lineage pallet
//!
//! Data lineage on chain (数据血缘关系上链): where each data asset came from and what was done
//! to it, so anyone can ask what a dataset was derived from, what a change would affect, and
//! whether every ancestor of a result is still certified.
//!
//! ## Overview
//!
//! The graph's nodes are *assets*, never changed once created:
//! - an *edition* of a dataset (OpenLineage's namespace and name): each run that writes a
//!   dataset makes a new edition, as OpenLineage consumers keep dataset versions;
//! - a *field* (column) of an edition;
//! - a *certificate* of `pallet-certificates` (a certified record or batch).
//!
//! [`Pallet::record`] records a batch of *activities* (runs of jobs): each with its job, kind,
//! times, the hash of its full event (kept off chain), its inputs (dataset editions,
//! certificates) and its outputs (new editions), and column-level lineage: each output field
//! with its input fields and the transformation (OpenLineage's direct and indirect types,
//! and masking). Edges point from new assets to existing ones, whose ids are smaller: the
//! graph is acyclic by construction.
//!
//! Datasets are written by one institution: the first to write one owns it, and no other may
//! write it. A dataset that is only read (from outside the consortium) has no owner until an
//! institution writes it.
//!
//! [`Pallet::walk`] answers ancestors and descendants, at the dataset or the column level
//! (the start asset's), breadth first: every node once, at its shortest depth, with the node
//! it was reached from; a depth, a limit, a cursor and an explicit `truncated` flag.
//!
//! A run too large for one call (a reporting job reading hundreds of tables, an output of a
//! thousand columns) is recorded in *parts* with [`Pallet::record_part`], as one activity: the
//! first part gives the run's job, kind, times and hash, the parts after it more inputs, then
//! the outputs (each a new edition whose parents are all the run's inputs, so assets stay
//! immutable once created) and more of their fields. The activity is complete when its last
//! part lands ([`Event::ActivityRecorded`], as for a run recorded whole); until then it is
//! listed in [`OpenRuns`], and walks show what has landed.
//!
//! ## Calls
//!
//! [`Pallet::record`] and [`Pallet::record_part`], by an account of an active institution
//! (the institution that ran the activities).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
mod query;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use query::{walk, MAX_DEPTH, MAX_LIMIT, MAX_READS, MAX_VISITED};
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use pallet_certificates::CertificateId;
	use pallet_data_sources::InstitutionId;

	/// The storage layout's version; migrations in `migrations/` move between versions.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_certificates::Config {
		/// The longest dataset or job namespace, in bytes.
		#[pallet::constant]
		type MaxNamespaceLen: Get<u32>;

		/// The longest dataset or job name, in bytes.
		#[pallet::constant]
		type MaxLineageNameLen: Get<u32>;

		/// The longest field name, in bytes.
		#[pallet::constant]
		type MaxFieldNameLen: Get<u32>;

		/// The most inputs of one activity (its fan-in).
		#[pallet::constant]
		type MaxInputs: Get<u32>;

		/// The most outputs of one activity (its fan-out).
		#[pallet::constant]
		type MaxOutputs: Get<u32>;

		/// The most fields of one output with column lineage.
		#[pallet::constant]
		type MaxFieldsPerOutput: Get<u32>;

		/// The most parents of one asset: a field's input fields (a dataset edition's parents
		/// are its run's inputs, at most `MaxInputs`, which must not exceed this).
		#[pallet::constant]
		type MaxParents: Get<u32>;

		/// The most activities recorded in one call.
		#[pallet::constant]
		type MaxActivitiesPerCall: Get<u32>;

		/// The most edges recorded in one call (see [`ActivitySpec::edges`]).
		#[pallet::constant]
		type MaxEdgesPerCall: Get<u32>;

		/// The most parts one run is recorded in (see [`Pallet::record_part`]).
		#[pallet::constant]
		type MaxRunParts: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Every asset, by id.
	// Ids are assigned in sequence by this pallet: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Assets<T: Config> = StorageMap<_, Twox64Concat, AssetId, Asset<T>>;

	/// The id the next asset gets.
	#[pallet::storage]
	pub type NextAssetId<T: Config> = StorageValue<_, AssetId, ValueQuery>;

	/// The children of each asset (what was derived from it), for descendants.
	// Both keys are assigned by this pallet: `Twox64Concat`.
	#[pallet::storage]
	pub type Children<T: Config> =
		StorageDoubleMap<_, Twox64Concat, AssetId, Twox64Concat, AssetId, EdgeKind>;

	/// Every dataset, by id.
	// Ids are assigned in sequence by this pallet: `Twox64Concat`.
	#[pallet::storage]
	pub type Datasets<T: Config> = StorageMap<_, Twox64Concat, DatasetId, Dataset<T>>;

	/// The id the next dataset gets.
	#[pallet::storage]
	pub type NextDatasetId<T: Config> = StorageValue<_, DatasetId, ValueQuery>;

	/// The dataset of each namespace and name.
	// Names are chosen by callers: `Blake2_128Concat`.
	#[pallet::storage]
	pub type DatasetOfName<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		Namespace<T>,
		Blake2_128Concat,
		LineageName<T>,
		DatasetId,
	>;

	/// The field assets of each dataset edition, by name.
	// Edition ids are assigned (`Twox64Concat`); names are chosen by callers.
	#[pallet::storage]
	pub type FieldOf<T: Config> =
		StorageDoubleMap<_, Twox64Concat, AssetId, Blake2_128Concat, FieldName<T>, AssetId>;

	/// The asset of each certificate that lineage mentions.
	// Certificate ids are assigned by pallet-certificates: `Twox64Concat`.
	#[pallet::storage]
	pub type AssetOfCertificate<T: Config> = StorageMap<_, Twox64Concat, CertificateId, AssetId>;

	/// Every recorded activity, by id.
	// Ids are assigned in sequence by this pallet: `Twox64Concat`.
	#[pallet::storage]
	pub type Activities<T: Config> = StorageMap<_, Twox64Concat, ActivityId, Activity<T>>;

	/// The id the next activity gets.
	#[pallet::storage]
	pub type NextActivityId<T: Config> = StorageValue<_, ActivityId, ValueQuery>;

	/// The activity of each run id: a run is recorded once.
	// Run ids are chosen by callers: `Blake2_128Concat`.
	#[pallet::storage]
	pub type ActivityOfRun<T: Config> = StorageMap<_, Blake2_128Concat, [u8; 16], ActivityId>;

	/// The runs being recorded in parts, by activity, until their last part lands.
	// Activity ids are assigned in sequence by this pallet: `Twox64Concat`.
	#[pallet::storage]
	pub type OpenRuns<T: Config> = StorageMap<_, Twox64Concat, ActivityId, OpenRun<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An institution recorded a run: its outputs are new dataset editions.
		ActivityRecorded {
			activity: ActivityId,
			run_id: [u8; 16],
			institution: InstitutionId,
			outputs: u32,
			edges: u32,
		},
		/// A part of a run recorded in parts landed (the last one also deposits
		/// `ActivityRecorded`, with the whole run's outputs and edges).
		RunPartRecorded {
			activity: ActivityId,
			run_id: [u8; 16],
			part: u32,
			parts: u32,
			edges: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No asset, certificate, resource or schema version has this id.
		NotFound,
		/// This run is recorded already.
		AlreadyRecorded,
		/// An output is a dataset another institution writes, or follows a resource of
		/// another institution's source.
		NotOwner,
		/// An input given by asset id is not a dataset edition.
		NotAnEdition,
		/// A column input names an input that is not there, or that is not a dataset.
		BadColumnInput,
		/// A run writes the same dataset twice, or names the same field of an output twice.
		Duplicate,
		/// A run ends before it starts.
		BadTimes,
		/// A run writes nothing.
		NoOutputs,
		/// A call records no activity, more than `MaxActivitiesPerCall`, or more than
		/// `MaxEdgesPerCall` edges.
		TooMuch,
		/// A name or namespace is empty, or holds control characters.
		InvalidName,
		/// A part of a run is not the one expected next: its number, its count of parts
		/// (2 to `MaxRunParts`) or its `inputs_before` disagree with the parts recorded, the
		/// first part lacks the run's header or a later one has one, or it gives inputs after
		/// the run wrote an output. Send the parts in order, as the client builds them.
		WrongPart,
		/// A later part of a run comes from another institution than its first part.
		NotAuthorized,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MaxInputs::get() <= T::MaxParents::get(),
				"a dataset edition's parents are its run's inputs: MaxInputs <= MaxParents"
			);
			assert!(
				T::MaxInputs::get() < T::MaxEdgesPerCall::get(),
				"an edition with the most inputs is created in one call: MaxInputs < MaxEdgesPerCall"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Records runs of the caller's institution: each output a new edition of its dataset,
		/// with dataset- and column-level edges to the inputs. All or nothing.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::record(
			activities.len() as u32,
			activities.iter().map(ActivitySpec::edges).fold(0, u32::saturating_add),
		))]
		///
		/// Charged for every edge at its worst (an input field named for the first time); the
		/// database writes it did not make are refunded after it runs.
		pub fn record(
			origin: OriginFor<T>,
			activities: BoundedVec<ActivitySpec<T>, T::MaxActivitiesPerCall>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin.clone())?;
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			let a = activities.len() as u32;
			let e = activities.iter().map(ActivitySpec::edges).fold(0, u32::saturating_add);
			let writes = Self::do_record(&who, institution, activities.into_inner())?;
			let write = <T as frame_system::Config>::DbWeight::get().writes(1);
			Ok(Some(impls::actual_weight(
				<T as Config>::WeightInfo::record(a, e),
				a,
				e,
				writes,
				write,
			))
			.into())
		}

		/// Records one part of a run too large for one call (see the module's docs): parts
		/// in order, the first with the run's header; the run is complete with its last.
		/// Charged for every edge at its worst (an input field named for the first time).
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::record_part(part.edges()))]
		pub fn record_part(origin: OriginFor<T>, part: RunPart<T>) -> DispatchResult {
			let who = ensure_signed(origin.clone())?;
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_record_part(&who, institution, part)
		}
	}
}
