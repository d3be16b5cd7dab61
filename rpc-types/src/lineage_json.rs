//! The lineage graph (数据血缘) as JSON: what the node's `medtrust_lineage*` methods return and
//! what the `medtrust` CLI reads. One definition for both sides (std only).

use serde::{Deserialize, Serialize};

use pallet_certificates::Verdict;
use pallet_lineage::{ActivityKind, Direction, Transformation};

use crate::catalog::BlockRef;

/// What a node of the lineage graph is (the pallet's `AssetKind` without its data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AssetClass {
	/// An edition of a dataset.
	Dataset,
	/// A field of an edition.
	Field,
	/// A certificate (an input of a run).
	Certificate,
}

medtrust_primitives::wire_names!(AssetClass, "asset kind" {
	Dataset => "dataset",
	Field => "field",
	Certificate => "certificate",
});

/// What an edge is (the pallet's `EdgeKind` without its data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeClass {
	/// A run that read the parent wrote the child.
	Input,
	/// A field computed from the parent field.
	Column,
}

medtrust_primitives::wire_names!(EdgeClass, "edge kind" {
	Input => "input",
	Column => "column",
});

/// The verdict on an asset's lineage: the worst of its certificates' (a certificate's own
/// verdict, as `medtrust_certificatesVerify` gives it), or `uncertified` when none lies up its lineage.
/// Declared from the worst: `min` of two verdicts is the worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LineageVerdict {
	/// A certificate the chain does not know.
	Unknown,
	/// A certificate revoked by its issuer.
	Revoked,
	/// A certificate replaced by another.
	Superseded,
	/// Every certificate up the lineage is valid.
	Valid,
	/// No certificate lies up the lineage.
	Uncertified,
}

medtrust_primitives::wire_names!(LineageVerdict, "lineage verdict" {
	Unknown => "unknown",
	Revoked => "revoked",
	Superseded => "superseded",
	Valid => "valid",
	Uncertified => "uncertified",
});

impl From<Verdict> for LineageVerdict {
	fn from(verdict: Verdict) -> Self {
		match verdict {
			Verdict::Valid => Self::Valid,
			Verdict::Revoked => Self::Revoked,
			Verdict::Superseded => Self::Superseded,
			Verdict::Unknown => Self::Unknown,
		}
	}
}

impl LineageVerdict {
	/// The verdict of certificates with these verdicts: the worst, `uncertified` if none.
	pub fn of(verdicts: impl IntoIterator<Item = Verdict>) -> Self {
		verdicts.into_iter().map(Self::from).min().unwrap_or(Self::Uncertified)
	}
}

/// A dataset (OpenLineage's namespace and name) and its editions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetJson {
	/// Its on-chain id.
	pub id: u64,
	/// Its namespace, e.g. `postgres://lis.example:5432`.
	pub namespace: String,
	/// Its name in the namespace, e.g. `lis.public.lab_result`.
	pub name: String,
	/// The institution whose runs write it; `null` for a dataset only read so far.
	pub owner: Option<u32>,
	/// The registered resource it is, if its owner said so.
	pub resource: Option<u64>,
	/// How many editions it has.
	pub editions: u32,
	/// The asset id of its latest edition.
	pub latest: u64,
}

/// An edge, seen from its child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EdgeJson {
	/// The parent asset's id.
	pub parent: u64,
	/// `input` (a run that read the parent wrote the child) or `column` (a field computed
	/// from the parent field).
	#[serde(with = "crate::wire::name")]
	pub kind: EdgeClass,
	/// For a column edge: `identity`, `transformation`, `aggregation` (direct) or `join`,
	/// `group-by`, `filter`, `sort`, `window`, `conditional` (indirect).
	#[serde(skip_serializing_if = "Option::is_none", default, with = "crate::wire::optional")]
	pub transformation: Option<Transformation>,
	/// For a column edge: whether the child is masked (de-identified) with respect to it.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub masking: Option<bool>,
}

/// A node of the lineage graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetJson {
	/// Its on-chain id.
	pub id: u64,
	/// `dataset` (an edition of a dataset), `field` or `certificate`.
	#[serde(with = "crate::wire::name")]
	pub kind: AssetClass,
	/// For an edition, and a field's edition: the dataset.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub dataset: Option<DatasetRefJson>,
	/// For a field: its name.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub field: Option<String>,
	/// For a field: the asset id of its edition.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub of: Option<u64>,
	/// For a certificate: its id.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub certificate: Option<u64>,
	/// For an edition written by a recorded run: the registered resource and schema version
	/// it follows.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub schema: Option<(u64, u32)>,
	/// The activity that produced it, if any.
	pub producer: Option<u64>,
	/// The institution it belongs to, if any.
	pub institution: Option<u32>,
	/// Where it came from.
	pub parents: Vec<EdgeJson>,
	/// The block number it was created in.
	pub created: u32,
}

/// A dataset edition's dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetRefJson {
	/// The dataset's id.
	pub id: u64,
	/// Its namespace.
	pub namespace: String,
	/// Its name.
	pub name: String,
	/// Which edition (1 and up).
	pub edition: u32,
}

/// A node a walk reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReachedJson {
	/// Its shortest distance from the start.
	pub depth: u32,
	/// The asset it was first reached from (one depth nearer the start).
	pub via: u64,
	/// The asset.
	pub asset: AssetJson,
}

/// A page of ancestors or descendants, read at one block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalkJson {
	/// The block it was read at.
	pub at: BlockRef,
	/// Where the walk started.
	pub start: AssetJson,
	/// `ancestors` or `descendants`.
	#[serde(with = "crate::wire::name")]
	pub direction: Direction,
	/// The depth asked for (after capping at 100).
	pub depth: u32,
	/// The nodes, by depth then id, each once at its shortest depth.
	pub nodes: Vec<ReachedJson>,
	/// Whether the answer is not the whole graph within `depth`, or nodes lie deeper: never
	/// silently partial. Truncated with no `next` and not `deeper`: the walk stopped at the
	/// most nodes one walk visits (100,000; `pallet_lineage::MAX_VISITED`), answering the
	/// levels it completed; ask for less depth.
	pub truncated: bool,
	/// The `skip` of the next page, if there are more nodes within the depth.
	pub next: Option<u32>,
	/// Whether nodes lie deeper than `depth` (told on the last page).
	pub deeper: bool,
}

/// A recorded run of a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityJson {
	/// Its on-chain id.
	pub id: u64,
	/// The job's namespace.
	pub job_namespace: String,
	/// The job's name.
	pub job_name: String,
	/// The run's id, a UUID.
	pub run_id: String,
	/// `extract`, `clean`, `transform`, `de-identify`, `aggregate`, `derive`, `train` or
	/// `share`.
	#[serde(with = "crate::wire::name")]
	pub kind: ActivityKind,
	/// The institution that ran it.
	pub institution: u32,
	/// The account that recorded it (SS58).
	pub recorder: String,
	/// When it started, in milliseconds since the Unix epoch.
	pub started: u64,
	/// When it ended.
	pub ended: u64,
	/// BLAKE2b-256 of its full event's canonical JSON, `0x`-prefixed hex.
	pub event_hash: String,
	/// The asset ids it read.
	pub inputs: Vec<u64>,
	/// The asset ids of the dataset editions it wrote.
	pub outputs: Vec<u64>,
	/// The block number it was recorded in.
	pub recorded: u32,
	/// Whether it is complete: `false` while a run recorded in parts awaits its last part
	/// (walks then show what has landed).
	#[serde(default = "yes")]
	pub complete: bool,
}

fn yes() -> bool {
	true
}

/// Activities read at one block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivitiesPage {
	/// The block they were read at.
	pub at: BlockRef,
	/// The activities, in order of recording.
	pub activities: Vec<ActivityJson>,
	/// The `skip` to ask for next, if there may be more.
	pub next: Option<u64>,
}

/// Formats a run id (16 bytes) as a UUID.
pub fn uuid(bytes: &[u8; 16]) -> String {
	let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
	format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Parses a UUID (with or without hyphens, any case) into its 16 bytes.
pub fn parse_uuid(text: &str) -> Option<[u8; 16]> {
	let hex: String = text.chars().filter(|c| *c != '-').collect();
	if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
		return None;
	}
	let mut out = [0u8; 16];
	for (i, byte) in out.iter_mut().enumerate() {
		*byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
	}
	Some(out)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn run_ids_print_and_parse_as_uuids() {
		let id = parse_uuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301").expect("a UUID");
		assert_eq!(uuid(&id), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
		assert_eq!(parse_uuid("3f2504e04f8911d39a0c0305e82c3301"), Some(id));
		assert_eq!(parse_uuid("3f2504e0"), None);
		assert_eq!(parse_uuid("zz2504e04f8911d39a0c0305e82c3301"), None);
	}
}
