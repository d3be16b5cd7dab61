//! Verifying every record of an anchored batch against its archive at once
//! (`medtrust verify --all`): the shared evidence (the certificate on chain, or its finality
//! and storage proofs offline) is checked once, then each record's commitment on every core,
//! and the batch's Merkle tree is rebuilt once from the archive's commitments and compared with
//! the certified root, which proves every record's path at the cost of one hash a record.

use std::{
	path::{Path, PathBuf},
	time::Instant,
};

use medtrust_primitives::{commitment::commit, merkle::MerkleProof};
use serde::Serialize;

use super::{offline::verify_checked_offline, offline::TrustAnchor, Verdict, VerifyReport};
use crate::certificates::Error as CertificatesError;
use crate::{
	certificates::{
		archive::{Archive, ARCHIVE_FILE},
		pipeline::{build_tree, canonical_records, map_chunks},
	},
	files, Chain, Result,
};

/// Who is asked about the certificate the records share.
pub enum Trust<'a> {
	/// A node.
	Online(&'a Chain),
	/// The evidence in the archive, against a chain spec.
	Offline(&'a TrustAnchor),
}

/// One record that is not valid, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordVerdict {
	/// Its position in the file (1 first).
	pub record: u64,
	pub verdict: Verdict,
	pub reason: String,
}

/// What verifying a whole batch concluded.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllReport {
	/// `valid` only if every record is.
	pub verdict: Verdict,
	pub records: u64,
	pub valid: u64,
	/// What the chain (or the evidence) says of the batch's certificate.
	pub certificate: VerifyReport,
	/// The records that are not valid, in order (the first [`LISTED`]).
	pub not_valid: Vec<RecordVerdict>,
	pub archive: PathBuf,
	pub seconds: f64,
}

/// How many records that are not valid a report lists.
pub const LISTED: usize = 100;

/// The archive of `path`: the file itself, or `certificates.cbor` in an anchoring directory.
pub fn archive_path(path: &Path) -> PathBuf {
	match path.is_dir() {
		true => path.join(ARCHIVE_FILE),
		false => path.to_path_buf(),
	}
}

/// Verifies every record of `records` (the anchored file) against the archive at `archive`
/// (or in that anchoring directory).
pub async fn verify_all(records: &Path, archive: &Path, trust: Trust<'_>) -> Result<AllReport> {
	let started = Instant::now();
	let path = archive_path(archive);
	let archive = Archive::open(&path)?;
	let header = &archive.header;
	let entries = archive.entries()?;
	let text = files::read_text(records)?;
	let canonical = canonical_records(&text, header.record_format)
		.map_err(|e| CertificatesError::Records(format!("{}: {e}", records.display())))?;
	if canonical.len() as u64 != header.records {
		return Err(CertificatesError::Records(format!(
			"{} holds {} records, the archive {}",
			records.display(),
			canonical.len(),
			header.records
		))
		.into());
	}
	let commitments: Vec<[u8; 32]> = entries.iter().map(|(_, c)| *c).collect();
	let tree = build_tree(header.algorithm, &commitments);
	if tree.map(|t| t.root()) != Some(header.root) {
		let reason = "its commitments do not lead to its root".into();
		return Err(CertificatesError::Archive { path: path.to_path_buf(), reason }.into());
	}
	let mismatched = mismatches(&canonical, &entries, header.algorithm);
	drop(canonical);
	let first_good = (1..=header.records).find(|n| mismatched.binary_search(n).is_err());
	let certificate = match first_good {
		Some(n) => shared_verdict(&archive, n, entries[(n - 1) as usize].1, trust).await?,
		None => VerifyReport::new(Verdict::Unknown, "no record matches its commitment"),
	};
	Ok(report(&archive, path, certificate, &mismatched, started))
}

/// The positions (1 first) of the records whose commitment under their salt is not the
/// archive's.
fn mismatches(
	canonical: &[Vec<u8>],
	entries: &[([u8; 32], [u8; 32])],
	algorithm: medtrust_primitives::hashing::HashAlgorithm,
) -> Vec<u64> {
	map_chunks(canonical, 1, |offset, part| {
		part.iter()
			.enumerate()
			.filter(|(i, record)| {
				let (salt, commitment) = &entries[offset + i];
				commit(algorithm, salt, record) != *commitment
			})
			.map(|(i, _)| (offset + i + 1) as u64)
			.collect::<Vec<_>>()
	})
	.concat()
}

/// What the chain, or the evidence, says of the batch's certificate, through record `n`.
async fn shared_verdict(
	archive: &Archive,
	n: u64,
	commitment: [u8; 32],
	trust: Trust<'_>,
) -> Result<VerifyReport> {
	let (portable, _) = archive.extract(n)?;
	let proof = portable.batch.as_ref().map(|b| MerkleProof::try_from(&b.proof));
	let proof = proof
		.transpose()
		.map_err(|reason| CertificatesError::Archive { path: archive.path().into(), reason })?;
	Ok(match trust {
		Trust::Online(chain) => {
			chain.certificates().verify_checked(&portable, (commitment, proof)).await?
		}
		Trust::Offline(anchor) => verify_checked_offline(&portable, (commitment, proof), anchor),
	})
}

fn report(
	archive: &Archive,
	path: PathBuf,
	certificate: VerifyReport,
	mismatched: &[u64],
	started: Instant,
) -> AllReport {
	let records = archive.header.records;
	let tampered = |&record: &u64| RecordVerdict {
		record,
		verdict: Verdict::Tampered,
		reason: "the record does not match its commitment: the record or its salt was altered"
			.into(),
	};
	let shared = certificate.verdict;
	let valid = match shared {
		Verdict::Valid => records - mismatched.len() as u64,
		_ => 0,
	};
	let not_valid: Vec<RecordVerdict> = match shared {
		Verdict::Valid => mismatched.iter().take(LISTED).map(tampered).collect(),
		_ => (1..=records)
			.take(LISTED)
			.map(|record| match mismatched.binary_search(&record) {
				Ok(_) => tampered(&record),
				Err(_) => {
					RecordVerdict { record, verdict: shared, reason: certificate.reason.clone() }
				}
			})
			.collect(),
	};
	AllReport {
		verdict: if valid == records { Verdict::Valid } else { first_verdict(&not_valid, shared) },
		records,
		valid,
		certificate,
		not_valid,
		archive: path,
		seconds: started.elapsed().as_secs_f64(),
	}
}

/// The verdict of a batch not all valid: the shared one, or `tampered` if that was valid.
fn first_verdict(not_valid: &[RecordVerdict], shared: Verdict) -> Verdict {
	match shared {
		Verdict::Valid => not_valid.first().map_or(Verdict::Tampered, |r| r.verdict),
		other => other,
	}
}
