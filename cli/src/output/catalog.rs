//! Business domains, sources, resources, items and imports.

use medtrust_client::catalog::{
	import::{ImportAction, ImportReport},
	spec::ResourceSpec,
	SourceDetail,
};
use medtrust_rpc_types::catalog::{DomainJson, ItemJson, SourceJson};
use serde::Serialize;

use super::Render;

impl Render for [DomainJson] {
	fn text(&self) -> String {
		self.iter()
			.map(|d| {
				format!(
					"{:<18} {:<3} {:<12} shares {}\n",
					d.code,
					if d.in_scope { "in" } else { "out" },
					d.name,
					d.shared_data.join(",")
				)
			})
			.collect()
	}
}

impl Render for [SourceJson] {
	fn text(&self) -> String {
		self.iter()
			.map(|s| {
				format!(
					"{:>4}  institution {:<3} {:<5} {:<7} {:>4} resources  {}  [{}]\n",
					s.id,
					s.institution,
					s.system,
					s.status,
					s.resource_count,
					s.name,
					s.domains.join(",")
				)
			})
			.collect()
	}
}

impl Render for SourceDetail {
	fn text(&self) -> String {
		let s = &self.source;
		let mut out = format!(
			"{} (#{}, {}, {}, institution #{})\ndomains     {}\nregistered  block #{}\n",
			s.name,
			s.id,
			s.system,
			s.status,
			s.institution,
			s.domains.join(", "),
			s.registered
		);
		for r in &self.resources {
			out.push_str(&format!("  resource {:>4}  v{}  {}\n", r.id, r.version, r.name));
			for v in &r.versions {
				out.push_str(&format!(
					"      v{} block #{}  {}/{} items  schema {}\n",
					v.version, v.registered, v.registered_items, v.item_count, v.schema_hash
				));
			}
		}
		out
	}
}

/// The items of one resource version: a list in JSON, a titled table in text.
pub struct Items {
	/// `<resource name> v<version>`.
	pub title: String,
	pub items: Vec<ItemJson>,
}

impl Serialize for Items {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		self.items.serialize(serializer)
	}
}

impl Render for Items {
	fn text(&self) -> String {
		let mut out = format!("{}\n", self.title);
		for i in &self.items {
			out.push_str(&format!(
				"{:>4}  {:<24} {:<20} {:<5} {:<16} {}\n",
				i.position,
				i.name,
				i.data_type,
				if i.nullable { "null" } else { "" },
				i.standard_element.as_deref().unwrap_or("-"),
				i.definition
			));
		}
		out
	}
}

/// What an import read, when it registers nothing (`--dry-run`).
#[derive(Serialize)]
#[serde(transparent)]
pub struct Specs(pub Vec<ResourceSpec>);

impl Render for Specs {
	fn text(&self) -> String {
		let mut out = String::new();
		for s in &self.0 {
			out.push_str(&format!("{}  ({} fields)\n", s.name, s.items.len()));
			for i in &s.items {
				out.push_str(&format!("  {:<24} {:<20} {}\n", i.name, i.data_type, i.definition));
			}
		}
		out
	}
}

impl Render for ImportReport {
	fn text(&self) -> String {
		format!(
			"source {}: {} registered, {} versioned, {} completed, {} unchanged\n",
			self.source,
			self.count(ImportAction::Registered),
			self.count(ImportAction::Versioned),
			self.count(ImportAction::Completed),
			self.count(ImportAction::Unchanged)
		)
	}
}
