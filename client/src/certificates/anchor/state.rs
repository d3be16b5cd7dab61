//! An anchoring run's state, kept in `<out>/anchor-state.json` so that a second run with the
//! same file and options resumes where the first stopped, certifying nothing twice. It is
//! written atomically after every round: an interrupted write leaves the previous state.

use std::path::Path;

use medtrust_rpc_types::certificate_json::{hash_hex, parse_hash};
use serde::{Deserialize, Serialize};

use crate::certificates::records::RecordFormat;
use crate::certificates::Error as CertificatesError;
use crate::{certificates::keys::WrappedKey, files, Result};

/// An anchoring run's state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AnchorState {
	/// BLAKE2b-256 of the input file.
	pub input: String,
	pub format: RecordFormat,
	pub source: u64,
	pub resource: u64,
	pub version: u32,
	pub domain: String,
	pub algorithm: String,
	pub batch: bool,
	/// The field naming each record's data subject (`anchor --subject-field`): record keys
	/// per subject.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub subject_field: Option<String>,
	/// The secret the salts derive from (`salt_i = BLAKE2b-256(tag ‖ seed ‖ i)`), hex.
	pub seed: String,
	pub wrapped_key: WrappedKey,
	/// The certificate (id, block number) of each record, or of the batch, as issued so far.
	pub certificates: Vec<Option<(u64, u32)>>,
	/// Whether every portable certificate is written.
	#[serde(default)]
	pub written: bool,
}

impl AnchorState {
	/// Whether `other` anchors the same input with the same options (salts, key and progress
	/// aside).
	fn same_run(&self, other: &Self) -> bool {
		(&self.input, self.format, self.source, self.resource, self.version)
			== (&other.input, other.format, other.source, other.resource, other.version)
			&& (&self.domain, &self.algorithm, self.batch, &self.subject_field)
				== (&other.domain, &other.algorithm, other.batch, &other.subject_field)
	}

	/// The state saved at `path` if there is one for the same run (then `true`: resumed), or
	/// `fresh` saved there. A state of another run is an error: nothing is overwritten.
	pub fn load_or_start(path: &Path, fresh: Self) -> Result<(Self, bool)> {
		if !path.is_file() {
			fresh.save(path)?;
			return Ok((fresh, false));
		}
		let saved: Self = files::read_json(path)?;
		if !saved.same_run(&fresh) {
			return Err(CertificatesError::State(format!(
				"{} holds another anchoring (other file or options): choose another --out",
				path.parent().unwrap_or(path).display()
			))
			.into());
		}
		Ok((saved, true))
	}

	/// Writes the state atomically.
	pub fn save(&self, path: &Path) -> Result<()> {
		files::write_json(path, "the anchoring state", self)
	}

	/// The salts' seed.
	pub fn seed(&self) -> Result<[u8; 32]> {
		parse_hash(&self.seed)
			.map_err(|e| CertificatesError::State(format!("the state's seed: {e}")).into())
	}

	/// A fresh seed, hex.
	pub fn new_seed() -> String {
		hash_hex(&crate::certificates::keys::random32())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn state(input: &str) -> AnchorState {
		AnchorState {
			input: input.into(),
			format: RecordFormat::Ndjson,
			source: 1,
			resource: 2,
			version: 1,
			domain: "LABORATORY".into(),
			algorithm: "sm3".into(),
			batch: false,
			subject_field: None,
			seed: AnchorState::new_seed(),
			wrapped_key: WrappedKey { kek_version: 1, nonce: "00".into(), wrapped: "00".into() },
			certificates: vec![None, None],
			written: false,
		}
	}

	#[test]
	fn a_second_run_resumes_the_saved_state_and_refuses_another_run() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let path = dir.path().join("anchor-state.json");
		let (mut first, resumed) = AnchorState::load_or_start(&path, state("0xaa")).expect("new");
		assert!(!resumed);
		first.certificates[0] = Some((7, 12));
		first.save(&path).expect("saved");

		let (again, resumed) = AnchorState::load_or_start(&path, state("0xaa")).expect("resumed");
		assert!(resumed);
		assert_eq!(again, first, "the saved seed, key and progress, not the fresh ones");
		let e = AnchorState::load_or_start(&path, state("0xbb")).unwrap_err().to_string();
		assert!(e.contains("holds another anchoring"), "{e}");
	}

	#[test]
	fn an_interrupted_state_write_leaves_the_previous_state() {
		let dir = tempfile::tempdir().expect("a temp dir");
		let path = dir.path().join("anchor-state.json");
		let (mut saved, _) = AnchorState::load_or_start(&path, state("0xaa")).expect("new");
		saved.certificates[0] = Some((7, 12));
		saved.save(&path).expect("saved");
		// Cut off half-way through the next save: its temporary file is torn, never renamed.
		let mut next = saved.clone();
		next.certificates[1] = Some((8, 12));
		let bytes = serde_json::to_vec_pretty(&next).expect("JSON");
		std::fs::write(files::temporary(&path), &bytes[..bytes.len() / 2]).expect("torn");

		let (resumed, _) = AnchorState::load_or_start(&path, state("0xaa")).expect("whole");
		assert_eq!(resumed, saved);
	}
}
