//! # MedTrust RPC types
//!
//! The JSON shapes of the node's `medtrust_*` JSON-RPC methods: what the node writes and the
//! client reads, one definition for both (and, later, the browser). The crate sits above the
//! pallets so that every closed set of values a shape holds (statuses, kinds, verdicts,
//! directions, algorithms) is the pallets' own enum, written by its wire name
//! ([`medtrust_primitives::wire_names!`]): a new variant cannot fall into a `_ =>` of a string
//! comparison, and no name of a closed set is compared as text outside this crate.
//!
//! - [`catalog`]: business domains, data sources, resources, versions, items;
//! - [`relation_json`]: relations between data items;
//! - [`lineage_json`]: assets, edges, walks, runs, and the lineage verification verdict;
//! - [`certificate_json`]: certificates, their evidence and verification;
//! - [`consortium_json`]: institutions, motions, validators;
//! - [`sharing_json`]: grants, receipts, deletion attestations, erasures, encryption keys;
//! - [`wire`]: serde for the closed sets, by wire name.

pub mod catalog;
pub mod certificate_json;
pub mod consortium_json;
pub mod lineage_json;
pub mod relation_json;
pub mod sharing_json;
pub mod wire;
