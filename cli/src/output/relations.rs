//! Relations: match candidates, proposals and relations on chain.

use medtrust_client::{
	relations::{export::MappingRow, Candidate, Side},
	wire::WireName,
};
use serde::Serialize;

use super::Render;

fn side(s: &Side) -> String {
	format!("{}/{}(#{}) v{} {}", s.source_name, s.resource_name, s.resource, s.version, s.item)
}

/// The signals that carried a candidate, in a few words.
fn summary(c: &Candidate) -> String {
	let e = &c.evidence;
	let mut parts = vec![format!("name {:.2}", e.name())];
	if let Some(d) = e.definition {
		parts.push(format!("definition {d:.2}"));
	}
	parts.push(format!("type {:.1}", e.data_type));
	if let Some(u) = e.unit {
		parts.push(format!(
			"unit {}",
			serde_json::to_string(&u).unwrap_or_default().trim_matches('"')
		));
	}
	if let Some(same) = e.standard_element {
		parts.push(format!("element {}", if same { "same" } else { "differs" }));
	}
	if let Some(same) = e.value_domain {
		parts.push(format!("domain {}", if same { "same" } else { "differs" }));
	}
	if let Some(o) = e.value_overlap {
		parts.push(format!("values {o:.2}"));
	}
	if e.reference {
		parts.push("reference".into());
	}
	if let Some(s) = e.structure {
		parts.push(format!("structure {s:.2}"));
	}
	parts.join(", ")
}

impl Render for [Candidate] {
	fn text(&self) -> String {
		if self.is_empty() {
			return "no candidates\n".into();
		}
		let mut out = String::new();
		for (i, c) in self.iter().enumerate() {
			out.push_str(&format!(
				"{:>3}. {:.3} {:<28} {}  ~  {}\n     {}\n",
				i + 1,
				c.score,
				c.kind.wire_name(),
				side(&c.left),
				side(&c.right),
				summary(c)
			));
		}
		out
	}
}

/// The ids of proposed relations (the text form is one id a line, for scripts).
#[derive(Serialize)]
pub struct Proposed {
	pub ids: Vec<u64>,
}

impl Render for Proposed {
	fn text(&self) -> String {
		self.ids.iter().map(|id| format!("{id}\n")).collect()
	}
}

/// Relations on chain, with names.
#[derive(Serialize)]
#[serde(transparent)]
pub struct RelationList(pub Vec<MappingRow>);

impl Render for RelationList {
	fn text(&self) -> String {
		if self.0.is_empty() {
			return "no relations\n".into();
		}
		let mut out = String::new();
		for r in &self.0 {
			out.push_str(&format!(
				"#{:<5} {:<10} {:<28} {:.3}  {}  ~  {}\n",
				r.id.map(|i| i.to_string()).unwrap_or_default(),
				r.status.map_or("candidate", |s| s.wire_name()),
				r.kind.wire_name(),
				r.score,
				side(&r.left),
				side(&r.right)
			));
		}
		out
	}
}
