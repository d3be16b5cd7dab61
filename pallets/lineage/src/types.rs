//! The types of the lineage graph: assets (dataset editions, fields, certificates), the
//! activities (runs of jobs) that produce them, and the edges between them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use medtrust_primitives::text::BoundedText;
use pallet_certificates::CertificateId;
use pallet_data_sources::{InstitutionId, ResourceId, Version};
use scale_info::TypeInfo;

use crate::Config;

/// An asset's on-chain identifier, assigned in order of creation: every edge points from an
/// asset to assets of smaller ids, which is why the graph cannot have a cycle.
pub type AssetId = u64;

/// An activity's (a run's) on-chain identifier, assigned in order of recording.
pub type ActivityId = u64;

/// A dataset's identifier (its editions are assets), assigned in order of first mention.
pub type DatasetId = u64;

/// A dataset's namespace as OpenLineage names it (e.g. `postgres://lis.example:5432`).
pub type Namespace<T> = BoundedText<<T as Config>::MaxNamespaceLen>;

/// A dataset's or a job's name (e.g. `lis.public.lab_result`).
pub type LineageName<T> = BoundedText<<T as Config>::MaxLineageNameLen>;

/// A field's (column's) name.
pub type FieldName<T> = BoundedText<<T as Config>::MaxFieldNameLen>;

/// A dataset: what OpenLineage names by namespace and name. Each run that writes it makes a
/// new edition (an asset); editions are never changed.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Dataset<T: Config> {
	/// Its namespace.
	pub namespace: Namespace<T>,
	/// Its name in the namespace.
	pub name: LineageName<T>,
	/// The institution whose runs write it (the first to write it); `None` while it has only
	/// been read (a dataset from outside the consortium).
	pub owner: Option<InstitutionId>,
	/// The registered resource it is, if its owner said so.
	pub resource: Option<ResourceId>,
	/// How many editions it has (the latest is `editions`; 1 and up).
	pub editions: u32,
	/// The asset of its latest edition.
	pub latest: AssetId,
}

/// What an asset is.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub enum AssetKind<T: Config> {
	/// An edition of a dataset (the state a run left it in).
	Dataset {
		/// The dataset.
		dataset: DatasetId,
		/// Which edition (1 and up).
		edition: u32,
		/// The registered resource version it follows, if its writer said so.
		schema: Option<(ResourceId, Version)>,
	},
	/// A field (column) of a dataset edition.
	Field {
		/// The dataset edition's asset.
		of: AssetId,
		/// The field's name.
		name: FieldName<T>,
	},
	/// A certificate of `pallet-certificates` (a certified record or batch).
	Certificate {
		/// The certificate.
		certificate: CertificateId,
	},
}

/// What a column-level edge did to its input (OpenLineage's column lineage types and
/// subtypes).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
)]
pub enum Transformation {
	/// `DIRECT` / `IDENTITY`: copied as is.
	Identity,
	/// `DIRECT` / `TRANSFORMATION`: computed from the input value.
	Transformation,
	/// `DIRECT` / `AGGREGATION`: aggregated over input values.
	Aggregation,
	/// `INDIRECT` / `JOIN`: the input decided which rows were joined.
	Join,
	/// `INDIRECT` / `GROUP_BY`: the input grouped the rows.
	GroupBy,
	/// `INDIRECT` / `FILTER`: the input filtered the rows.
	Filter,
	/// `INDIRECT` / `SORT`: the input ordered the rows.
	Sort,
	/// `INDIRECT` / `WINDOW`: the input defined a window.
	Window,
	/// `INDIRECT` / `CONDITIONAL`: the input decided a condition.
	Conditional,
}

impl Transformation {
	/// Whether the output's value is computed from the input's (OpenLineage `DIRECT`).
	pub fn is_direct(self) -> bool {
		matches!(self, Self::Identity | Self::Transformation | Self::Aggregation)
	}
}

/// How an asset came from one of its parents.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum EdgeKind {
	/// A dataset edition was written by a run that read the parent (dataset edition or
	/// certificate).
	Input,
	/// A field was computed from the parent field.
	Column {
		/// What the computation did.
		transformation: Transformation,
		/// Whether the output is masked (de-identified) with respect to this input.
		masking: bool,
	},
}

/// One edge, seen from its child.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct Edge {
	/// The parent asset (always of a smaller id than the child).
	pub parent: AssetId,
	/// How the child came from it.
	pub kind: EdgeKind,
}

/// A node of the lineage graph.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Asset<T: Config> {
	/// What it is.
	pub kind: AssetKind<T>,
	/// The run that produced it; `None` for what was only read (a dataset from outside, the
	/// fields of one, a certificate).
	pub producer: Option<ActivityId>,
	/// The institution it belongs to (its writer's, or a certificate's issuer); `None` for a
	/// dataset from outside the consortium and its fields.
	pub institution: Option<InstitutionId>,
	/// Where it came from: for a dataset edition, its run's inputs; for a field, the fields
	/// it was computed from.
	pub parents: BoundedVec<Edge, T::MaxParents>,
	/// The block it was created in.
	pub created: BlockNumberFor<T>,
}

/// What a run did to its outputs, as OpenLineage classifies jobs in health data.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ActivityKind {
	/// 采集: extracted from a source system.
	Extract,
	/// 清洗: cleaned.
	Clean,
	/// 转换: transformed to another structure or code system.
	Transform,
	/// 脱敏: de-identified.
	Deidentify,
	/// 汇总: aggregated.
	Aggregate,
	/// 衍生: derived by computation.
	Derive,
	/// 训练: a model trained.
	Train,
	/// 共享: shared with another institution.
	Share,
}

/// A recorded run of a job.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Activity<T: Config> {
	/// The job's namespace.
	pub job_namespace: Namespace<T>,
	/// The job's name.
	pub job_name: LineageName<T>,
	/// The run's id (OpenLineage's `runId`, a UUID).
	pub run_id: [u8; 16],
	/// What the run did.
	pub kind: ActivityKind,
	/// The institution that ran it.
	pub institution: InstitutionId,
	/// The account that recorded it.
	pub recorder: T::AccountId,
	/// When it started and ended, in milliseconds since the Unix epoch.
	pub started: u64,
	/// When it ended (not before it started).
	pub ended: u64,
	/// The hash of the full event, kept off chain (BLAKE2b-256 of its canonical JSON, unknown
	/// facets included).
	pub event_hash: [u8; 32],
	/// The assets it read.
	pub inputs: BoundedVec<AssetId, T::MaxInputs>,
	/// The dataset editions it wrote.
	pub outputs: BoundedVec<AssetId, T::MaxOutputs>,
	/// The block it was recorded in.
	pub recorded: BlockNumberFor<T>,
}

/// An input of a run to record.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub enum InputRef<T: Config> {
	/// The latest edition of a dataset, by namespace and name (a dataset never seen before
	/// becomes a dataset from outside, with one edition).
	Dataset {
		/// Its namespace.
		namespace: Namespace<T>,
		/// Its name.
		name: LineageName<T>,
	},
	/// An existing dataset edition, by asset id.
	Edition(AssetId),
	/// A certificate.
	Certificate(CertificateId),
}

/// A column of an output and where it came from.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct FieldSpec<T: Config> {
	/// The output field's name.
	pub name: FieldName<T>,
	/// The input fields it was computed from.
	pub inputs: BoundedVec<ColumnInput<T>, T::MaxParents>,
}

/// One input field of an output field.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct ColumnInput<T: Config> {
	/// Which of the run's inputs (its index in `inputs`; a dataset edition).
	pub input: u32,
	/// The input field's name.
	pub field: FieldName<T>,
	/// What the computation did.
	pub transformation: Transformation,
	/// Whether the output is masked with respect to this input.
	pub masking: bool,
}

/// A dataset a run wrote: its new edition, with its columns' lineage.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct OutputSpec<T: Config> {
	/// Its namespace.
	pub namespace: Namespace<T>,
	/// Its name.
	pub name: LineageName<T>,
	/// The registered resource version it follows, if any (of a source of the caller's).
	pub schema: Option<(ResourceId, Version)>,
	/// Its fields with their lineage (may be empty: dataset-level lineage only).
	pub fields: BoundedVec<FieldSpec<T>, T::MaxFieldsPerOutput>,
}

/// A run to record.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct ActivitySpec<T: Config> {
	/// The job's namespace.
	pub job_namespace: Namespace<T>,
	/// The job's name.
	pub job_name: LineageName<T>,
	/// The run's id (unique: a run is recorded once).
	pub run_id: [u8; 16],
	/// What the run did.
	pub kind: ActivityKind,
	/// When it started, in milliseconds since the Unix epoch.
	pub started: u64,
	/// When it ended.
	pub ended: u64,
	/// The hash of the full event, kept off chain.
	pub event_hash: [u8; 32],
	/// What it read.
	pub inputs: BoundedVec<InputRef<T>, T::MaxInputs>,
	/// What it wrote.
	pub outputs: BoundedVec<OutputSpec<T>, T::MaxOutputs>,
}

impl<T: Config> ActivitySpec<T> {
	/// How many edges recording it adds: one per input and output edition, one per field and
	/// one per column input (the unit the weight scales with).
	pub fn edges(&self) -> u32 {
		let fields: usize =
			self.outputs.iter().flat_map(|o| o.fields.iter()).map(|f| 1 + f.inputs.len()).sum();
		let outputs = self.outputs.len().saturating_mul(self.inputs.len().max(1));
		(self.inputs.len().saturating_add(outputs).saturating_add(fields)) as u32
	}

	/// How many child entries recording it writes: one per output edition and input, one per
	/// column input (the graph's own edges).
	pub fn child_entries(&self) -> u32 {
		let columns: usize =
			self.outputs.iter().flat_map(|o| o.fields.iter()).map(|f| f.inputs.len()).sum();
		self.outputs.len().saturating_mul(self.inputs.len()).saturating_add(columns) as u32
	}
}

/// What a run recorded in parts is: given in its first part.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct RunHeader<T: Config> {
	/// The job's namespace.
	pub job_namespace: Namespace<T>,
	/// The job's name.
	pub job_name: LineageName<T>,
	/// What the run did.
	pub kind: ActivityKind,
	/// When it started, in milliseconds since the Unix epoch.
	pub started: u64,
	/// When it ended.
	pub ended: u64,
	/// The hash of the run's full events, kept off chain.
	pub event_hash: [u8; 32],
}

/// More fields of an output a run wrote in an earlier part (or earlier in this one).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct OutputFields<T: Config> {
	/// Which output of the run: its index in the order the run wrote them.
	pub output: u32,
	/// The fields, with their lineage.
	pub fields: BoundedVec<FieldSpec<T>, T::MaxFieldsPerOutput>,
}

/// One part of a run too large for one call. A run in parts gives all its inputs before any
/// output: an output's edition is created whole, with every input of the run as a parent.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct RunPart<T: Config> {
	/// The run's id.
	pub run_id: [u8; 16],
	/// Which part this is (0 first).
	pub part: u32,
	/// How many parts the run has (2 and up, the same in every part).
	pub parts: u32,
	/// The run's job, kind, times and hash: in the first part, and only there.
	pub header: Option<RunHeader<T>>,
	/// How many inputs the run's earlier parts gave (its weight depends on it; checked).
	pub inputs_before: u32,
	/// More inputs of the run (none once it wrote an output).
	pub inputs: BoundedVec<InputRef<T>, T::MaxInputs>,
	/// Outputs the run wrote, each a new edition of its dataset.
	pub outputs: BoundedVec<OutputSpec<T>, T::MaxOutputs>,
	/// More fields of outputs written already.
	pub fields: BoundedVec<OutputFields<T>, T::MaxOutputs>,
}

impl<T: Config> RunPart<T> {
	/// How many edges recording it adds, counted as for a run recorded whole
	/// ([`ActivitySpec::edges`]): one per input; per output, one per input of the run; one
	/// per field and per column input.
	pub fn edges(&self) -> u32 {
		let inputs = (self.inputs_before as usize).saturating_add(self.inputs.len());
		let outputs = self.outputs.len().saturating_mul(inputs.max(1));
		let fields = self
			.outputs
			.iter()
			.flat_map(|o| o.fields.iter())
			.chain(self.fields.iter().flat_map(|o| o.fields.iter()))
			.map(|f| 1 + f.inputs.len())
			.fold(0usize, usize::saturating_add);
		let edges = self.inputs.len().saturating_add(outputs).saturating_add(fields);
		u32::try_from(edges).unwrap_or(u32::MAX)
	}
}

/// A run being recorded in parts, until its last part lands.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct OpenRun<T: Config> {
	/// How many parts the run has.
	pub parts: u32,
	/// The part expected next.
	pub next: u32,
	/// How many fields each output has so far (at most `MaxFieldsPerOutput` each).
	pub fields: BoundedVec<u32, T::MaxOutputs>,
	/// The edges recorded so far.
	pub edges: u32,
}

/// Which way a walk goes.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Direction {
	/// Towards what an asset came from.
	Ancestors,
	/// Towards what came from it.
	Descendants,
}

/// One node a walk reached.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Reached {
	/// The asset.
	pub asset: AssetId,
	/// Its shortest distance from the start (1 and up).
	pub depth: u32,
	/// The node it was first reached from at `depth - 1` (the start, or another reached
	/// node): following `via` leads back to the start along a shortest path.
	pub via: AssetId,
}

/// A page of a walk.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Walk {
	/// The nodes, by depth then id, each once at its shortest depth.
	pub nodes: alloc::vec::Vec<Reached>,
	/// Whether more nodes lie beyond this page (ask again with `skip` = `next`) or beyond the
	/// depth asked for: the answer is then not the whole graph.
	pub truncated: bool,
	/// The `skip` of the next page, if there are more nodes within the depth.
	pub next: Option<u32>,
	/// Whether nodes lie deeper than the depth asked for (told on the last page).
	pub deeper: bool,
}

medtrust_primitives::wire_names!(Direction, "direction" {
	Ancestors => "ancestors",
	Descendants => "descendants",
});

medtrust_primitives::wire_names!(ActivityKind, "activity kind" {
	Extract => "extract",
	Clean => "clean",
	Transform => "transform",
	Deidentify => "de-identify",
	Aggregate => "aggregate",
	Derive => "derive",
	Train => "train",
	Share => "share",
});

medtrust_primitives::wire_names!(Transformation, "transformation" {
	Identity => "identity",
	Transformation => "transformation",
	Aggregation => "aggregation",
	Join => "join",
	GroupBy => "group-by",
	Filter => "filter",
	Sort => "sort",
	Window => "window",
	Conditional => "conditional",
});
