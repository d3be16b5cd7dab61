//! Institutions and motions.

use medtrust_client::consortium::{InstitutionDetailJson, InstitutionJson, MotionJson};

use super::Render;

impl Render for [InstitutionJson] {
	fn text(&self) -> String {
		self.iter()
			.map(|i| {
				format!(
					"{:>3}  {:<9}  {:<18}  {:<18}  {}\n",
					i.id, i.status, i.kind, i.credit_code, i.name
				)
			})
			.collect()
	}
}

impl Render for InstitutionDetailJson {
	fn text(&self) -> String {
		let i = &self.institution;
		let mut out = format!("{} (#{}, {}, {})\n", i.name, i.id, i.kind, i.status);
		for (label, value) in [
			("credit code", i.credit_code.clone()),
			("region", i.region.clone()),
			("admin", i.admin.clone()),
			("validator", i.validator.clone()),
			("peer id", i.peer_id.clone()),
			("encryption", i.encryption_key.clone().unwrap_or_else(|| "-".into())),
			("joined", format!("block #{}", i.joined)),
			("members", i.member_count.to_string()),
		] {
			out.push_str(&format!("{label:<12} {value}\n"));
		}
		for m in &self.members {
			out.push_str(&format!("  {m}\n"));
		}
		out
	}
}

impl Render for [MotionJson] {
	fn text(&self) -> String {
		self.iter()
			.map(|m| {
				format!(
					"{} #{}  {} of {} ayes, {} nays  {}\n",
					m.hash,
					m.index,
					m.ayes.len(),
					m.threshold,
					m.nays.len(),
					m.call
				)
			})
			.collect()
	}
}
