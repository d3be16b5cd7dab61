//! Records as they are anchored: the formats of record files, and the canonical form of one
//! record (RFC 8785 JSON; a CSV row as a JSON object keyed by its header).
//!
//! Whole files are canonicalised on every core by [`super::pipeline::canonical_records`];
//! a single record, as verification needs, is canonicalised here directly.

use std::path::Path;

use medtrust_primitives::canonical::{canonical_json, parse_csv, CsvCanonicaliser};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::certificates::Error as CertificatesError;
use crate::{Error, Result};

/// The format of a record file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordFormat {
	/// One JSON value per line.
	Ndjson,
	/// A header line, then one record per row.
	Csv,
	/// A FHIR Bundle: each `entry[].resource` is a record.
	FhirBundle,
}

medtrust_primitives::wire_names!(RecordFormat, "record format" {
	Ndjson => "ndjson",
	Csv => "csv",
	FhirBundle => "fhir-bundle",
});

impl RecordFormat {
	/// The format of a file, from its extension: `.csv`, `.json` (a FHIR Bundle), else NDJSON.
	pub fn guess(path: &Path) -> Self {
		match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
			Some("csv") => Self::Csv,
			Some("json") => Self::FhirBundle,
			_ => Self::Ndjson,
		}
	}
}

/// The canonical form of a file holding one record: a JSON object (an NDJSON line, a FHIR
/// resource) or, for CSV, a header and one row.
pub fn canonical_single(text: &str, format: RecordFormat) -> Result<Vec<u8>> {
	let bad = |e: medtrust_primitives::canonical::CanonicalError| -> Error {
		CertificatesError::Records(e.to_string()).into()
	};
	if format != RecordFormat::Csv {
		return canonical_json(text.trim()).map_err(bad);
	}
	let rows = parse_csv(text).map_err(bad)?;
	match rows.as_slice() {
		[header, row] => CsvCanonicaliser::new(header).and_then(|c| c.row(row)).map_err(bad),
		[] | [_] => Err(bad_count(0)),
		[_, rows @ ..] => Err(bad_count(rows.len())),
	}
}

/// A record file holding `count` records where one was expected.
fn bad_count(count: usize) -> Error {
	CertificatesError::Records(format!("the record file holds {count} records, not one")).into()
}

/// The resources of a FHIR Bundle's entries, as written.
pub fn bundle_entries(text: &str) -> Result<Vec<&RawValue>> {
	#[derive(Deserialize)]
	#[serde(rename_all = "camelCase")]
	struct Bundle<'a> {
		resource_type: String,
		#[serde(default, borrow)]
		entry: Option<Vec<Entry<'a>>>,
	}
	#[derive(Deserialize)]
	struct Entry<'a> {
		#[serde(borrow)]
		resource: Option<&'a RawValue>,
	}
	let bad = |reason: String| -> Error { CertificatesError::Records(reason).into() };
	let bundle: Bundle =
		serde_json::from_str(text).map_err(|e| bad(format!("not a FHIR Bundle: {e}")))?;
	if bundle.resource_type != "Bundle" {
		return Err(bad("not a FHIR Bundle (its resourceType is not \"Bundle\")".into()));
	}
	let entries = bundle.entry.ok_or_else(|| bad("the FHIR Bundle has no entry array".into()))?;
	entries
		.iter()
		.enumerate()
		.map(|(n, entry)| {
			entry.resource.ok_or_else(|| bad(format!("entry {} has no resource", n + 1)))
		})
		.collect()
}

/// Canonical records (JSON objects) written back in their anchored file's kind: JSON lines
/// for NDJSON and FHIR resources (FHIR's NDJSON), CSV with a header of the first record's
/// fields (in canonical order) for CSV. Returns the file's name and its text.
pub fn render_records<'a>(
	format: RecordFormat,
	records: impl Iterator<Item = &'a [u8]>,
) -> Result<(&'static str, String)> {
	let mut text = String::new();
	match format {
		RecordFormat::Ndjson | RecordFormat::FhirBundle => {
			for record in records {
				text.push_str(
					std::str::from_utf8(record)
						.map_err(|_| CertificatesError::Records("a record is not UTF-8".into()))?,
				);
				text.push('\n');
			}
			let name =
				if format == RecordFormat::Ndjson { "records.ndjson" } else { "resources.ndjson" };
			Ok((name, text))
		}
		RecordFormat::Csv => {
			let mut header: Option<Vec<String>> = None;
			for record in records {
				let object: serde_json::Map<String, serde_json::Value> =
					serde_json::from_slice(record).map_err(|_| {
						CertificatesError::Records("a record is not a JSON object".into())
					})?;
				let fields = header.get_or_insert_with(|| object.keys().cloned().collect());
				if text.is_empty() {
					text.push_str(
						&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","),
					);
					text.push('\n');
				}
				let cell = |f: &String| match object.get(f) {
					Some(serde_json::Value::String(s)) => csv_field(s),
					Some(serde_json::Value::Null) | None => String::new(),
					Some(other) => csv_field(&other.to_string()),
				};
				text.push_str(&fields.iter().map(cell).collect::<Vec<_>>().join(","));
				text.push('\n');
			}
			Ok(("records.csv", text))
		}
	}
}

/// A CSV field, quoted when it must be.
fn csv_field(text: &str) -> String {
	if text.contains([',', '"', '\n', '\r']) {
		format!("\"{}\"", text.replace('"', "\"\""))
	} else {
		text.to_string()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_single_record_canonicalises_without_the_pipeline() {
		let csv = "order_no,item,value\nA1,GLU,5.6\n";
		assert_eq!(
			canonical_single(csv, RecordFormat::Csv).expect("one row"),
			br#"{"item":"GLU","order_no":"A1","value":"5.6"}"#.to_vec()
		);
		let two = "order_no,item\nA1,GLU\nA2,HBA1C\n";
		let e = canonical_single(two, RecordFormat::Csv).unwrap_err().to_string();
		assert!(e.contains("holds 2 records"), "{e}");
		assert!(canonical_single("order_no\n", RecordFormat::Csv).is_err());
		assert_eq!(
			canonical_single(" { \"b\":1, \"a\":\"患者\" }\n", RecordFormat::Ndjson).expect("JSON"),
			"{\"a\":\"患者\",\"b\":1}".as_bytes()
		);
		assert!(canonical_single("{\"a\":1}\n{\"a\":2}", RecordFormat::Ndjson).is_err());
	}

	#[test]
	fn formats_are_guessed_from_the_extension() {
		assert_eq!(RecordFormat::guess(Path::new("a.CSV")), RecordFormat::Csv);
		assert_eq!(RecordFormat::guess(Path::new("bundle.json")), RecordFormat::FhirBundle);
		assert_eq!(RecordFormat::guess(Path::new("results.ndjson")), RecordFormat::Ndjson);
		assert_eq!(RecordFormat::guess(Path::new("results")), RecordFormat::Ndjson);
	}

	#[test]
	fn canonical_records_are_written_back_as_anchored() {
		let records = [&br#"{"a":"x,y","b":1}"#[..], br#"{"a":"say \"hi\"","b":null}"#];
		let (name, csv) = render_records(RecordFormat::Csv, records.iter().copied()).expect("CSV");
		assert_eq!(name, "records.csv");
		assert_eq!(csv, "a,b\n\"x,y\",1\n\"say \"\"hi\"\"\",\n");
		let (name, lines) =
			render_records(RecordFormat::Ndjson, records.iter().copied()).expect("lines");
		assert_eq!((name, lines.lines().count()), ("records.ndjson", 2));
		assert_eq!(
			render_records(RecordFormat::FhirBundle, records.iter().copied()).expect("FHIR").0,
			"resources.ndjson"
		);
		assert!(render_records(RecordFormat::Csv, [&b"[1]"[..]].into_iter()).is_err());
		assert!(render_records(RecordFormat::Ndjson, [&b"\xff"[..]].into_iter()).is_err());
	}
}
