//! Lineage (数据血缘关系上链, requirement 6): runs of jobs recorded on chain from OpenLineage
//! events, with column-level edges; ancestors, descendants and impact; `verify` of every
//! certificate up a result's lineage; exports as OpenLineage, W3C PROV-JSON, FHIR R4
//! `Provenance` and CSV.
//!
//! | part | what |
//! |---|---|
//! | [`openlineage`] | OpenLineage run events gathered into complete runs |
//! | [`plan`] | every runtime bound checked before encoding; a run too large for one call in parts |
//! | [`record`] | recording a stream's runs: skipped, already recorded, refused, recorded |
//! | [`onchain`] | the calls' arguments, and reads through `medtrust_lineage*` |
//! | [`verify`] | certificates up the lineage |
//! | [`gateway`] | `lineage serve`: OpenLineage's HTTP transport in, batches on chain out |
//! | [`export`] | OpenLineage, PROV-JSON, FHIR, CSV |
//! | [`store`] | the events runs were recorded from, kept off chain |

mod error;
pub mod export;
pub mod gateway;
pub mod import;
pub mod manual;
pub mod onchain;
pub mod openlineage;
pub mod plan;
pub mod record;
pub mod store;
pub mod verify;

crate::chain::capability!(
	/// Lineage on chain (`chain.lineage()`): runs recorded, assets read, walks and the
/// verification of an asset's ancestors.
	Lineage
);

pub use error::Error;
pub use export::{Graph, LineageFormat};
pub use import::EventImport;
pub use manual::ManualRun;
pub use onchain::Resources;
pub use openlineage::{DatasetName, Gathered, Gatherer, Input, Outcome, Run};
pub use plan::Bounds;
pub use record::{OnRefusal, RecordReport, Recorded, Refused};
pub use store::EventStore;
pub use verify::LineageVerification;
