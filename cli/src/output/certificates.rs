//! Anchoring runs, verdicts, certificates and keys.

use std::path::PathBuf;

use medtrust_client::{
	certificates::{
		anchor::AnchorReport,
		verify::{all::AllReport, VerifyReport},
	},
	wire::WireName,
};
use medtrust_rpc_types::certificate_json::{CertificateJson, StatusJson, SubjectJson};
use serde::Serialize;

use super::Render;

impl Render for AnchorReport {
	fn text(&self) -> String {
		let certificates = match self.certificates.as_slice() {
			[one] => format!("certificate #{one}"),
			[first, .., last] if self.certificates.len() > 5 => format!(
				"{} certificates (the first #{first}, the last #{last})",
				self.certificates.len()
			),
			all => format!("certificates {all:?}"),
		};
		let mut written = Vec::new();
		if let Some(archive) = &self.archive {
			written.push(format!("portable certificates archived in {}", archive.display()));
		}
		if self.per_record_files {
			let files = self.out.join("certificates");
			written.push(format!("portable certificates in {}/<record>.json", files.display()));
		}
		format!(
			"anchored {} records: {certificates} in block #{} (finalized); {} issued now\n\
			 {}\ncertified after {:.1} s, all written after {:.1} s\n",
			self.records,
			self.block.number,
			self.issued_now,
			written.join("\n"),
			self.seconds.certified,
			self.seconds.written
		)
	}
}

impl Render for VerifyReport {
	fn text(&self) -> String {
		format!("{}: {}\n", self.verdict.wire_name(), self.reason)
	}
}

impl Render for AllReport {
	fn text(&self) -> String {
		let mut text = format!(
			"{}: {} of {} records valid ({:.2} s)\ncertificate: {}: {}\n",
			self.verdict.wire_name(),
			self.valid,
			self.records,
			self.seconds,
			self.certificate.verdict.wire_name(),
			self.certificate.reason
		);
		for record in &self.not_valid {
			text.push_str(&format!(
				"record {}: {}: {}\n",
				record.record,
				record.verdict.wire_name(),
				record.reason
			));
		}
		let unlisted = self.records - self.valid - self.not_valid.len() as u64;
		if unlisted > 0 {
			text.push_str(&format!("… and {unlisted} more not valid\n"));
		}
		text
	}
}

/// A certificate extracted from an archive into a file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extracted {
	pub record: u64,
	pub out: PathBuf,
	pub bytes: usize,
}

impl Render for Extracted {
	fn text(&self) -> String {
		format!(
			"record {}'s portable certificate written to {} ({} bytes)\n",
			self.record,
			self.out.display(),
			self.bytes
		)
	}
}

impl Render for CertificateJson {
	fn text(&self) -> String {
		let subject = match &self.subject {
			SubjectJson::Record { commitment } => format!("record {commitment}"),
			SubjectJson::Batch { root, leaf_count } => {
				format!("batch of {leaf_count} records, root {root}")
			}
		};
		let status = match &self.status {
			StatusJson::Valid => "valid".to_string(),
			StatusJson::Revoked { reason, at } => format!("revoked in block #{at} ({reason})"),
			StatusJson::Superseded { by, at } => format!("superseded by #{by} in block #{at}"),
		};
		format!(
			"certificate #{} of institution #{}\nsource {} resource {} v{} domain {}\n\
			 algorithm {}\nsubject {subject}\nstatus {status}\nissued in block #{} {} ({})\n",
			self.id,
			self.issuer,
			self.source,
			self.resource,
			self.version,
			self.domain,
			self.algorithm,
			self.issued.number,
			self.issued.hash,
			if self.finalized { "finalized" } else { "not finalized" }
		)
	}
}

/// A key-encryption key directory after `keys create`, `rotate` or `list`.
#[derive(Serialize)]
pub struct KeysView {
	pub dir: PathBuf,
	pub versions: Vec<u32>,
	pub current: Option<u32>,
	pub created: Option<u32>,
}

impl Render for KeysView {
	fn text(&self) -> String {
		let mut out = String::new();
		if let Some(v) = self.created {
			out.push_str(&format!(
				"created key-encryption key version {v} in {}\n",
				self.dir.display()
			));
		}
		let current = self.current.map_or_else(|| "none".into(), |c| c.to_string());
		out.push_str(&format!("versions {:?}, current {current}\n", self.versions));
		out
	}
}

/// Certificates revoked together (`certificate revoke` of many).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revoked {
	/// Revoked by this run, in the order given.
	pub revoked: Vec<u64>,
	/// Revoked already, not again.
	pub already_revoked: Vec<u64>,
}

impl From<medtrust_client::certificates::revoke::Revocations> for Revoked {
	fn from(done: medtrust_client::certificates::revoke::Revocations) -> Self {
		Revoked { revoked: done.revoked, already_revoked: done.already }
	}
}

impl Render for Revoked {
	fn text(&self) -> String {
		let mut out = format!("{} certificates revoked", self.revoked.len());
		if !self.already_revoked.is_empty() {
			out.push_str(&format!(" ({} revoked already)", self.already_revoked.len()));
		}
		out.push('\n');
		out
	}
}
