//! Anchoring runs, verdicts, certificates and keys.

use std::path::PathBuf;

use medtrust_client::{
	certificates::{anchor::AnchorReport, verify::VerifyReport},
	wire::WireName,
};
use medtrust_primitives::certificate_json::{CertificateJson, StatusJson, SubjectJson};
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
		format!(
			"anchored {} records: {certificates} in block #{} (finalized); {} issued now\n\
			 portable certificates in {}\n\
			 certified after {:.1} s, all written after {:.1} s\n",
			self.records,
			self.block.number,
			self.issued_now,
			self.out.join("certificates").display(),
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
