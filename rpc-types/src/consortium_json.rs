//! The consortium as JSON: what the node's `medtrust_consortiumInstitution*`, `medtrust_consortiumMembers`,
//! `medtrust_consortiumMotions` and `medtrust_consortiumValidators` methods return and what the `medtrust` CLI
//! prints. One definition for both sides (std only).

use serde::{Deserialize, Serialize};

use pallet_consortium::{InstitutionKind, InstitutionStatus};

use crate::catalog::BlockRef;

/// A member institution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstitutionJson {
	/// Its on-chain id.
	pub id: u32,
	/// Its name, e.g. `MedTrust 开发测试医院`.
	pub name: String,
	/// Its 18-character unified social credit code.
	pub credit_code: String,
	/// Its six-digit administrative division code.
	pub region: String,
	/// Its kind (`hospital`, `lab`, …).
	#[serde(with = "crate::wire::name")]
	pub kind: InstitutionKind,
	/// Its status (`active`, `suspended`, `removed`).
	#[serde(with = "crate::wire::name")]
	pub status: InstitutionStatus,
	/// Its admin account (SS58).
	pub admin: String,
	/// Its validator account (SS58).
	pub validator: String,
	/// Its node's libp2p peer id, base58 (`12D3KooW…`).
	pub peer_id: String,
	/// Its X25519 public key, `0x` hex.
	pub encryption_key: Option<String>,
	/// The block it was admitted in.
	pub joined: u32,
	/// How many member accounts it has (admin and validator included).
	pub member_count: u32,
}

/// One institution with its member accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstitutionDetailJson {
	#[serde(flatten)]
	pub institution: InstitutionJson,
	/// Its member accounts (SS58), sorted.
	pub members: Vec<String>,
}

/// An open council motion with its votes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MotionJson {
	/// The motion's hash (the hash of its call), `0x` hex.
	pub hash: String,
	/// Its index (votes name it).
	pub index: u32,
	/// How many ayes pass it.
	pub threshold: u32,
	/// Who voted aye (admin accounts, SS58).
	pub ayes: Vec<String>,
	/// Who voted nay.
	pub nays: Vec<String>,
	/// The block after which it may be closed without a full vote.
	pub end: u32,
	/// The call it carries, as text (at most 200 characters).
	pub call: String,
	/// The SCALE-encoded length of the call, which `close` must bound.
	pub call_length: u32,
}

/// The open motions, read at one block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MotionsJson {
	/// The block read at.
	pub at: BlockRef,
	pub motions: Vec<MotionJson>,
}

/// One validator of the set in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidatorJson {
	/// The block-authoring (Aura, sr25519) key, as an SS58 address.
	pub aura: String,
	/// The finality (GRANDPA, ed25519) key, `0x` hex.
	pub grandpa: String,
}

/// The validator set in force at a block, in authoring order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidatorsJson {
	/// The block read at.
	pub at: BlockRef,
	pub validators: Vec<ValidatorJson>,
}
