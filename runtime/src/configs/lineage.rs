//! `pallet_lineage`: the lineage graph of dataset editions, fields and certificates.

use frame_support::parameter_types;

use crate::Runtime;

parameter_types! {
	/// Namespaces are URIs (`postgres://lis.example:5432`, `s3://bucket`).
	pub const MaxNamespaceLen: u32 = 256;
	/// Dataset and job names (`lis.public.lab_result`, a path in a bucket).
	pub const MaxLineageNameLen: u32 = 256;
	/// Column names.
	pub const MaxFieldNameLen: u32 = 128;
	/// A run's inputs (fan-in): joins of dozens of tables are rare, of more rarer still.
	pub const MaxInputs: u32 = 32;
	/// A run's outputs (fan-out).
	pub const MaxOutputs: u32 = 16;
	/// The fields of one output with column lineage: a wide table's columns.
	pub const MaxFieldsPerOutput: u32 = 128;
	/// A field's input fields, and a dataset edition's inputs (at least `MaxInputs`).
	pub const MaxParents: u32 = 32;
	/// Runs in one call: a gateway batches what arrives while a block is made.
	pub const MaxActivitiesPerCall: u32 = 64;
	/// Edges in one call: bounds its weight. At about 170 µs an edge with the database's
	/// writes (`weights.rs`), 1,024 edges weigh about 0.19 s, so four calls share a block's
	/// 0.75 s for transactions, and a slow validator's block never waits on one huge call.
	pub const MaxEdgesPerCall: u32 = 1024;
}

impl pallet_lineage::Config for Runtime {
	type MaxNamespaceLen = MaxNamespaceLen;
	type MaxLineageNameLen = MaxLineageNameLen;
	type MaxFieldNameLen = MaxFieldNameLen;
	type MaxInputs = MaxInputs;
	type MaxOutputs = MaxOutputs;
	type MaxFieldsPerOutput = MaxFieldsPerOutput;
	type MaxParents = MaxParents;
	type MaxActivitiesPerCall = MaxActivitiesPerCall;
	type MaxEdgesPerCall = MaxEdgesPerCall;
	type WeightInfo = pallet_lineage::weights::SubstrateWeight<Runtime>;
}
