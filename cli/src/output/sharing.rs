//! Sharing: keys, grants, their receipts and attestations.

use medtrust_client::{
	chain::tx::Submitted,
	sharing::{
		fetch::FetchReport,
		grant::{ErasureReport, GrantReport},
		keys::LocalKey,
		GrantDetailJson, GrantJson,
	},
	wire::WireName,
};
use medtrust_rpc_types::sharing_json::ranges_text;
use serde::Serialize;

use super::Render;

/// A local encryption key.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalKeyView {
	/// The public key, `0x` hex.
	pub public: String,
	pub file: String,
}

impl From<&LocalKey> for LocalKeyView {
	fn from(key: &LocalKey) -> Self {
		Self { public: key.public_hex(), file: key.path.display().to_string() }
	}
}

impl Render for LocalKeyView {
	fn text(&self) -> String {
		format!("key {}\n  private key in {}\n", self.public, self.file)
	}
}

/// A key published on chain.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPublished {
	pub institution: u32,
	pub version: u32,
	pub key: LocalKeyView,
	#[serde(flatten)]
	pub submitted: Submitted,
}

impl Render for KeyPublished {
	fn text(&self) -> String {
		format!(
			"institution #{} encryption key version {}: {}\n",
			self.institution, self.version, self.key.public
		)
	}
}

impl Render for GrantReport {
	fn text(&self) -> String {
		format!("{}\n", self.grant)
	}
}

fn grant_line(g: &GrantJson) -> String {
	format!(
		"#{:<5} {:>5} → {:<5} {:<24} {:>8} records  {:<8} expires {}\n",
		g.id,
		format!("#{}", g.grantor),
		format!("#{}", g.grantee),
		g.purpose.wire_name(),
		g.record_count,
		g.state.wire_name(),
		expiry(g.expires),
	)
}

fn expiry(seconds: u64) -> String {
	medtrust_client::sharing::scope::date_text(seconds)
}

/// Grants, one a line.
#[derive(Serialize)]
#[serde(transparent)]
pub struct GrantList(pub Vec<GrantJson>);

impl Render for GrantList {
	fn text(&self) -> String {
		if self.0.is_empty() {
			return "no grants\n".into();
		}
		self.0.iter().map(grant_line).collect()
	}
}

impl Render for GrantDetailJson {
	fn text(&self) -> String {
		let g = &self.grant;
		let mut out = String::new();
		let mut line = |label: &str, value: String| out.push_str(&format!("{label:<14} {value}\n"));
		line("Grant", format!("#{}", g.id));
		line("Grantor", format!("institution #{}", g.grantor));
		line("Grantee", format!("institution #{} (key version {})", g.grantee, g.grantee_key));
		line("Purpose", g.purpose.wire_name().into());
		line("Legal basis", g.legal_basis.clone());
		line("State", g.state.wire_name().into());
		line("Expires", expiry(g.expires));
		line(
			"Certificates",
			g.certificates.iter().map(|c| format!("#{c}")).collect::<Vec<_>>().join(", "),
		);
		line("Records", format!("{} ({})", g.record_count, ranges_text(&g.records)));
		if g.subject.is_some() {
			line("Subject", "one data subject's records".into());
		}
		line("Package", g.package.clone());
		line("Granted", format!("block #{}", g.granted));
		line("Receipts", self.receipt_list.len().to_string());
		for r in &self.receipt_list {
			out.push_str(&format!(
				"  block #{}: {} records, ciphertext {}\n",
				r.at, r.records, r.ciphertext
			));
		}
		out.push_str(&format!("{:<14} {}\n", "Deletions", self.attestation_list.len()));
		for a in &self.attestation_list {
			let what =
				a.erasure.map_or("everything received".to_string(), |e| format!("erasure #{e}"));
			out.push_str(&format!("  block #{}: {what}\n", a.at));
		}
		if !self.pending_erasures.is_empty() {
			let pending = self.pending_erasures.iter().map(|e| format!("#{e}")).collect::<Vec<_>>();
			out.push_str(&format!(
				"{:<14} {} (the grantee must attest deletion)\n",
				"Erasures",
				pending.join(", ")
			));
		}
		out
	}
}

impl Render for ErasureReport {
	fn text(&self) -> String {
		let mut out = format!(
			"erased {} records ({}): their keys are destroyed\n",
			self.records,
			ranges_text(&self.ranges)
		);
		let ids: Vec<String> = self.erasures.iter().map(|e| format!("#{e}")).collect();
		out.push_str(&format!("recorded as erasure {}\n", ids.join(", ")));
		if !self.grants.is_empty() {
			let grants: Vec<String> = self.grants.iter().map(|g| format!("#{g}")).collect();
			out.push_str(&format!(
				"grantees must attest deletion for grants {}\n",
				grants.join(", ")
			));
		}
		out
	}
}

impl Render for FetchReport {
	fn text(&self) -> String {
		format!(
			"grant #{}: {} records fetched, decrypted and verified into {}\nreceipt recorded (ciphertext {})\n",
			self.grant,
			self.records,
			self.file.display(),
			self.ciphertext
		)
	}
}
