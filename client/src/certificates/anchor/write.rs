//! Writing an anchoring run's portable certificates: a batch's archive, and one file per
//! record on every core, the evidence of each certificate rendered once and shared by all its
//! records.

use std::collections::{BTreeMap, HashSet};

use medtrust_primitives::hashing::HashAlgorithm;
use medtrust_rpc_types::{
	catalog::BlockRef,
	certificate_json::{hash_hex, EvidenceJson, ProofJson},
};

use super::{dir::AnchorDir, state::AnchorState, AnchorRequest, Stage};
use crate::certificates::Error as CertificatesError;
use crate::{
	certificates::{
		archive::{write_archive, ArchiveContents},
		pipeline::{map_chunks, salt, Committed, ROUND},
		portable::{
			render_certificate, render_evidence, BatchRef, CertificateRef, PortableCertificate,
			RecordRef, CERTIFICATE_FORMAT,
		},
	},
	files, Error, Result,
};

/// Each certificate's block and, when portable certificates are still to be written, its
/// evidence, also rendered once ([`crate::certificates::portable::render_evidence`]).
pub(super) type Issued = BTreeMap<u64, (BlockRef, Option<(EvidenceJson, String)>)>;

/// What every portable certificate of a run shares.
pub(super) struct Shared<'a> {
	pub genesis: String,
	pub owner: u32,
	pub state: &'a AnchorState,
	pub seed: [u8; 32],
	pub committed: &'a Committed,
	pub issued: &'a Issued,
}

impl Shared<'_> {
	/// Record `i`'s portable certificate (0 first), rendered.
	fn certificate(&self, i: u64) -> Result<Vec<u8>> {
		let state = self.state;
		let slot = if state.batch { 0 } else { i as usize };
		let (id, _) = state.certificates[slot]
			.ok_or_else(|| Error::Internal("a record was left uncertified".into()))?;
		let (block, evidence) = self
			.issued
			.get(&id)
			.ok_or_else(|| Error::Internal(format!("certificate #{id} was not read")))?;
		self.render(i, id, block, evidence.as_ref().map(|(_, rendered)| rendered.as_str()))
	}

	/// Record `i`'s portable certificate (0 first) under certificate `id` of `block`, with
	/// its rendered evidence, rendered.
	pub fn render(
		&self,
		i: u64,
		id: u64,
		block: &BlockRef,
		evidence: Option<&str>,
	) -> Result<Vec<u8>> {
		let state = self.state;
		let tree = self.committed.tree.as_ref();
		let portable = PortableCertificate {
			format: CERTIFICATE_FORMAT.into(),
			genesis: self.genesis.clone(),
			certificate: self.certificate_ref(id),
			algorithm: state.algorithm.clone(),
			record: RecordRef {
				index: i + 1,
				format: state.format,
				salt: hash_hex(&salt(&self.seed, i)),
				commitment: hash_hex(&self.committed.commitments[i as usize]),
			},
			batch: tree.and_then(|tree| {
				Some(BatchRef {
					root: hash_hex(&tree.root()),
					leaf_count: self.committed.commitments.len() as u64,
					proof: ProofJson::from(&tree.proof(i)?),
				})
			}),
			block: block.clone(),
			evidence: None,
		};
		render_certificate(&portable, evidence)
	}

	/// Writes what the run is asked for: a batch's archive, one file per record (but those
	/// of records `written` already).
	pub fn write(
		&self,
		request: &AnchorRequest,
		dir: &AnchorDir,
		written: &HashSet<u64>,
		progress: &mut impl FnMut(Stage, u64, u64),
	) -> Result<()> {
		if request.batch {
			self.write_archive(dir)?;
		}
		if request.writes_files() {
			self.write_all(dir, written, progress)?;
		}
		Ok(())
	}

	/// Writes the files of records `(i, certificate, evidence)` (0 first) on every core;
	/// returns those written.
	pub fn write_some(&self, dir: &AnchorDir, records: &[(u64, u64, EvidenceJson)]) -> Vec<u64> {
		let parts = map_chunks(records, 1, |_, part| -> Vec<u64> {
			let mut written = Vec::with_capacity(part.len());
			for (i, id, evidence) in part {
				let rendered = render_evidence(evidence);
				let bytes = rendered
					.and_then(|rendered| self.render(*i, *id, &evidence.block, Some(&rendered)));
				if bytes.and_then(|b| files::write_renamed(&dir.certificate(i + 1), &b)).is_ok() {
					written.push(*i);
				}
			}
			written
		});
		parts.into_iter().flatten().collect()
	}

	/// Writes a batch's archive into `dir`.
	pub fn write_archive(&self, dir: &AnchorDir) -> Result<()> {
		let state = self.state;
		let (id, _) = state
			.certificates
			.first()
			.copied()
			.flatten()
			.ok_or_else(|| Error::Internal("the batch was left uncertified".into()))?;
		let (block, evidence) = self
			.issued
			.get(&id)
			.ok_or_else(|| Error::Internal(format!("certificate #{id} was not read")))?;
		let tree =
			self.committed.tree.as_ref().ok_or_else(|| Error::Internal("not a batch".into()))?;
		let algorithm = HashAlgorithm::from_name(&state.algorithm).ok_or_else(|| {
			CertificatesError::State(format!("unknown hash algorithm `{}`", state.algorithm))
		})?;
		write_archive(
			&dir.archive(),
			&ArchiveContents {
				genesis: &self.genesis,
				certificate: self.certificate_ref(id),
				algorithm,
				record_format: state.format,
				block,
				evidence: evidence.as_ref().map(|(evidence, _)| evidence),
				seed: self.seed,
				commitments: &self.committed.commitments,
				tree,
			},
		)
	}

	fn certificate_ref(&self, id: u64) -> CertificateRef {
		let state = self.state;
		CertificateRef {
			id,
			issuer: self.owner,
			source: state.source,
			resource: state.resource,
			version: state.version,
			domain: state.domain.clone(),
		}
	}

	/// Writes every record's portable certificate into `dir` (but those of records
	/// `written` already), round by round.
	pub fn write_all(
		&self,
		dir: &AnchorDir,
		written: &HashSet<u64>,
		progress: &mut impl FnMut(Stage, u64, u64),
	) -> Result<()> {
		let n = self.committed.commitments.len() as u64;
		files::create_dir(&dir.root.join("certificates"))?;
		let indices: Vec<u64> = (0..n).filter(|i| !written.contains(i)).collect();
		for round in indices.chunks(ROUND) {
			for written in map_chunks(round, 1, |_, part| -> Result<()> {
				for &i in part {
					files::write_renamed(&dir.certificate(i + 1), &self.certificate(i)?)?;
				}
				Ok(())
			}) {
				written?;
			}
			progress(Stage::Written, round.last().map_or(0, |i| i + 1), n);
		}
		Ok(())
	}
}
