//! The runtime's bounds that clients check before they encode a call, defined once: the
//! runtime's configuration takes its constants from here, and a client checks what it builds
//! against the same numbers (read from the chain's metadata, which holds these), so a call the
//! client built is never one the runtime cannot decode.

/// `pallet-lineage`'s bounds.
pub mod lineage {
	/// The longest dataset or job namespace, in bytes (namespaces are URIs:
	/// `postgres://lis.example:5432`, `s3://bucket`).
	pub const MAX_NAMESPACE_LEN: u32 = 256;
	/// The longest dataset or job name, in bytes (`lis.public.lab_result`, a path in a bucket).
	pub const MAX_NAME_LEN: u32 = 256;
	/// The longest field (column) name, in bytes.
	pub const MAX_FIELD_NAME_LEN: u32 = 128;
	/// The most datasets and certificates one run reads: a warehouse's reporting job reads
	/// every department's tables (50 to 200 is ordinary), a public-health report every
	/// district's extract.
	pub const MAX_INPUTS: u32 = 4096;
	/// The most datasets one run writes.
	pub const MAX_OUTPUTS: u32 = 16;
	/// The most fields with column lineage one output of a run has (a wide table's columns).
	pub const MAX_FIELDS_PER_OUTPUT: u32 = 4096;
	/// The most parents of one asset: a dataset edition's are its run's inputs (so at least
	/// [`MAX_INPUTS`]), a field's the input fields it is computed from.
	pub const MAX_PARENTS: u32 = MAX_INPUTS;
	/// The most runs recorded in one call.
	pub const MAX_ACTIVITIES_PER_CALL: u32 = 64;
	/// The most edges recorded in one call: bounds its weight. At about 170 µs an edge with
	/// the database's writes (the pallet's `weights.rs`), 5,120 edges weigh about 0.87 s, a
	/// third of a block's 2.5 s; a dataset edition with the most inputs ([`MAX_INPUTS`]
	/// parents, created whole) fits in one call with room for its part's other edges.
	pub const MAX_EDGES_PER_CALL: u32 = MAX_INPUTS + 1024;
	/// The most calls one run is recorded in (a run too large for one call is recorded in
	/// parts, as one activity).
	pub const MAX_RUN_PARTS: u32 = 256;
}
