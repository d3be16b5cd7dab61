//! Record canonicalisation, so that the same record hashes the same whoever serialises it.
//!
//! - JSON: the JSON Canonicalization Scheme (RFC 8785): no whitespace, object members sorted
//!   by the UTF-16 code units of their names, strings with the minimal escapes, numbers as
//!   ECMAScript prints IEEE 754 doubles. A FHIR resource canonicalises to the same bytes
//!   whatever the tool that wrote it. Duplicate member names are refused, as RFC 8785 asks.
//! - CSV (RFC 4180): a row with its header canonicalises as the JSON object
//!   `{header: value, …}` (values as strings), so a record keeps its commitment whether it
//!   travels as CSV or JSON.
//! - Raw bytes stay as they are.

use alloc::{
	collections::BTreeMap,
	format,
	string::{String, ToString},
	vec::Vec,
};

/// A parsed JSON value, numbers kept as the doubles JSON numbers are.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
	Null,
	Bool(bool),
	Number(f64),
	String(String),
	Array(Vec<Json>),
	/// Members keyed by their UTF-16 code units: the order RFC 8785 sorts them in.
	Object(BTreeMap<Vec<u16>, (String, Json)>),
}

/// Why a text is not canonicalisable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalError(pub String);

impl core::fmt::Display for CanonicalError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(&self.0)
	}
}

/// The RFC 8785 canonical form of a JSON text.
pub fn canonical_json(text: &str) -> Result<Vec<u8>, CanonicalError> {
	let value = parse_json(text)?;
	let mut out = String::new();
	write_json(&value, &mut out);
	Ok(out.into_bytes())
}

/// Parses one JSON text (RFC 8259), refusing duplicate member names.
pub fn parse_json(text: &str) -> Result<Json, CanonicalError> {
	let mut parser = Parser { bytes: text.as_bytes(), at: 0, depth: 0 };
	parser.skip_ws();
	let value = parser.value()?;
	parser.skip_ws();
	if parser.at != parser.bytes.len() {
		return Err(parser.error("text after the JSON value"));
	}
	Ok(value)
}

/// Writes a parsed value in canonical form.
pub fn write_json(value: &Json, out: &mut String) {
	match value {
		Json::Null => out.push_str("null"),
		Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
		Json::Number(n) => out.push_str(&number(*n)),
		Json::String(s) => write_string(s, out),
		Json::Array(items) => {
			out.push('[');
			for (i, item) in items.iter().enumerate() {
				if i > 0 {
					out.push(',');
				}
				write_json(item, out);
			}
			out.push(']');
		}
		Json::Object(members) => {
			out.push('{');
			for (i, (name, value)) in members.values().enumerate() {
				if i > 0 {
					out.push(',');
				}
				write_string(name, out);
				out.push(':');
				write_json(value, out);
			}
			out.push('}');
		}
	}
}

/// An ECMAScript `Number.prototype.toString` of a finite double (RFC 8785 section 3.2.2.3).
fn number(n: f64) -> String {
	if n == 0.0 {
		return "0".into();
	}
	let mut buffer = ryu_js::Buffer::new();
	buffer.format_finite(n).to_string()
}

fn write_string(s: &str, out: &mut String) {
	out.push('"');
	for c in s.chars() {
		match c {
			'"' => out.push_str("\\\""),
			'\\' => out.push_str("\\\\"),
			'\u{08}' => out.push_str("\\b"),
			'\t' => out.push_str("\\t"),
			'\n' => out.push_str("\\n"),
			'\u{0C}' => out.push_str("\\f"),
			'\r' => out.push_str("\\r"),
			c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
			c => out.push(c),
		}
	}
	out.push('"');
}

struct Parser<'a> {
	bytes: &'a [u8],
	at: usize,
	depth: u32,
}

/// Nesting deeper than this is refused (no stack exhaustion on hostile input).
const MAX_DEPTH: u32 = 512;

impl Parser<'_> {
	fn error(&self, what: &str) -> CanonicalError {
		CanonicalError(format!("invalid JSON at byte {}: {what}", self.at))
	}

	fn skip_ws(&mut self) {
		while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
			self.at += 1;
		}
	}

	fn expect(&mut self, literal: &str, value: Json) -> Result<Json, CanonicalError> {
		if self.bytes[self.at..].starts_with(literal.as_bytes()) {
			self.at += literal.len();
			Ok(value)
		} else {
			Err(self.error("unknown literal"))
		}
	}

	fn value(&mut self) -> Result<Json, CanonicalError> {
		match self.bytes.get(self.at) {
			None => Err(self.error("unexpected end")),
			Some(b'n') => self.expect("null", Json::Null),
			Some(b't') => self.expect("true", Json::Bool(true)),
			Some(b'f') => self.expect("false", Json::Bool(false)),
			Some(b'"') => self.string().map(Json::String),
			Some(b'[') => self.nested(Self::array),
			Some(b'{') => self.nested(Self::object),
			Some(b'-' | b'0'..=b'9') => self.number(),
			Some(_) => Err(self.error("unexpected character")),
		}
	}

	fn nested(
		&mut self,
		inner: fn(&mut Self) -> Result<Json, CanonicalError>,
	) -> Result<Json, CanonicalError> {
		self.depth += 1;
		if self.depth > MAX_DEPTH {
			return Err(self.error("nested too deep"));
		}
		let value = inner(self);
		self.depth -= 1;
		value
	}

	fn array(&mut self) -> Result<Json, CanonicalError> {
		self.at += 1;
		let mut items = Vec::new();
		self.skip_ws();
		if self.bytes.get(self.at) == Some(&b']') {
			self.at += 1;
			return Ok(Json::Array(items));
		}
		loop {
			self.skip_ws();
			items.push(self.value()?);
			self.skip_ws();
			match self.bytes.get(self.at) {
				Some(b',') => self.at += 1,
				Some(b']') => {
					self.at += 1;
					return Ok(Json::Array(items));
				}
				_ => return Err(self.error("expected `,` or `]`")),
			}
		}
	}

	fn object(&mut self) -> Result<Json, CanonicalError> {
		self.at += 1;
		let mut members = BTreeMap::new();
		self.skip_ws();
		if self.bytes.get(self.at) == Some(&b'}') {
			self.at += 1;
			return Ok(Json::Object(members));
		}
		loop {
			self.skip_ws();
			if self.bytes.get(self.at) != Some(&b'"') {
				return Err(self.error("expected a member name"));
			}
			let name = self.string()?;
			self.skip_ws();
			if self.bytes.get(self.at) != Some(&b':') {
				return Err(self.error("expected `:`"));
			}
			self.at += 1;
			self.skip_ws();
			let value = self.value()?;
			let key: Vec<u16> = name.encode_utf16().collect();
			if members.contains_key(&key) {
				return Err(CanonicalError(format!("duplicate member name `{name}`")));
			}
			members.insert(key, (name, value));
			self.skip_ws();
			match self.bytes.get(self.at) {
				Some(b',') => self.at += 1,
				Some(b'}') => {
					self.at += 1;
					return Ok(Json::Object(members));
				}
				_ => return Err(self.error("expected `,` or `}`")),
			}
		}
	}

	fn hex4(&mut self) -> Result<u32, CanonicalError> {
		let digits = self
			.bytes
			.get(self.at..self.at + 4)
			.and_then(|d| core::str::from_utf8(d).ok())
			.and_then(|d| u32::from_str_radix(d, 16).ok())
			.ok_or_else(|| self.error("bad \\u escape"))?;
		self.at += 4;
		Ok(digits)
	}

	fn string(&mut self) -> Result<String, CanonicalError> {
		self.at += 1;
		let mut out = String::new();
		loop {
			let start = self.at;
			while let Some(&b) = self.bytes.get(self.at) {
				if b == b'"' || b == b'\\' || b < 0x20 {
					break;
				}
				self.at += 1;
			}
			let run = core::str::from_utf8(&self.bytes[start..self.at])
				.map_err(|_| self.error("not UTF-8"))?;
			out.push_str(run);
			match self.bytes.get(self.at) {
				Some(b'"') => {
					self.at += 1;
					return Ok(out);
				}
				Some(b'\\') => {
					self.at += 1;
					let escape =
						*self.bytes.get(self.at).ok_or_else(|| self.error("unexpected end"))?;
					self.at += 1;
					match escape {
						b'"' => out.push('"'),
						b'\\' => out.push('\\'),
						b'/' => out.push('/'),
						b'b' => out.push('\u{08}'),
						b'f' => out.push('\u{0C}'),
						b'n' => out.push('\n'),
						b'r' => out.push('\r'),
						b't' => out.push('\t'),
						b'u' => {
							let first = self.hex4()?;
							let c = if (0xD800..0xDC00).contains(&first) {
								if !self.bytes[self.at..].starts_with(b"\\u") {
									return Err(self.error("lone surrogate"));
								}
								self.at += 2;
								let second = self.hex4()?;
								if !(0xDC00..0xE000).contains(&second) {
									return Err(self.error("lone surrogate"));
								}
								0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
							} else {
								first
							};
							out.push(
								char::from_u32(c).ok_or_else(|| self.error("lone surrogate"))?,
							);
						}
						_ => return Err(self.error("unknown escape")),
					}
				}
				Some(_) => return Err(self.error("control character in a string")),
				None => return Err(self.error("unterminated string")),
			}
		}
	}

	fn number(&mut self) -> Result<Json, CanonicalError> {
		let start = self.at;
		let digits = |p: &mut Self| {
			let from = p.at;
			while matches!(p.bytes.get(p.at), Some(b'0'..=b'9')) {
				p.at += 1;
			}
			p.at - from
		};
		if self.bytes.get(self.at) == Some(&b'-') {
			self.at += 1;
		}
		let int_start = self.at;
		let n = digits(self);
		if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
			return Err(self.error("malformed number"));
		}
		if self.bytes.get(self.at) == Some(&b'.') {
			self.at += 1;
			if digits(self) == 0 {
				return Err(self.error("malformed number"));
			}
		}
		if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
			self.at += 1;
			if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
				self.at += 1;
			}
			if digits(self) == 0 {
				return Err(self.error("malformed number"));
			}
		}
		let text =
			core::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| self.error("number"))?;
		let value: f64 = text.parse().map_err(|_| self.error("malformed number"))?;
		if !value.is_finite() {
			return Err(self.error("number out of range"));
		}
		Ok(Json::Number(value))
	}
}

/// Splits CSV text (RFC 4180: `,` separated, `"` quoted with `""` inside, CRLF or LF line
/// ends) into rows of fields. Empty lines are skipped.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, CanonicalError> {
	let mut rows = Vec::new();
	let mut row = Vec::new();
	let mut field = String::new();
	let mut chars = text.chars().peekable();
	let mut quoted = false;
	let mut line = 1usize;
	while let Some(c) = chars.next() {
		if quoted {
			match c {
				'"' if chars.peek() == Some(&'"') => {
					chars.next();
					field.push('"');
				}
				'"' => quoted = false,
				'\n' => {
					line += 1;
					field.push(c);
				}
				c => field.push(c),
			}
			continue;
		}
		match c {
			'"' if field.is_empty() => quoted = true,
			'"' => {
				return Err(CanonicalError(format!(
					"CSV line {line}: a quote inside an unquoted field"
				)))
			}
			',' => row.push(core::mem::take(&mut field)),
			'\r' if chars.peek() == Some(&'\n') => {}
			'\n' => {
				line += 1;
				row.push(core::mem::take(&mut field));
				if !(row.len() == 1 && row[0].is_empty()) {
					rows.push(core::mem::take(&mut row));
				}
				row.clear();
			}
			c => field.push(c),
		}
	}
	if quoted {
		return Err(CanonicalError(format!("CSV line {line}: an unterminated quoted field")));
	}
	if !field.is_empty() || !row.is_empty() {
		row.push(field);
		rows.push(row);
	}
	Ok(rows)
}

/// The canonical form of one CSV row under its header: the RFC 8785 form of the JSON object
/// `{header: value, …}`.
pub fn canonical_csv_row(header: &[String], row: &[String]) -> Result<Vec<u8>, CanonicalError> {
	if header.len() != row.len() {
		return Err(CanonicalError(format!(
			"a row of {} fields under a header of {}",
			row.len(),
			header.len()
		)));
	}
	let mut members = BTreeMap::new();
	for (name, value) in header.iter().zip(row) {
		let key: Vec<u16> = name.encode_utf16().collect();
		if members.insert(key, (name.clone(), Json::String(value.clone()))).is_some() {
			return Err(CanonicalError(format!("the header names `{name}` twice")));
		}
	}
	let mut out = String::new();
	write_json(&Json::Object(members), &mut out);
	Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn canon(text: &str) -> String {
		String::from_utf8(canonical_json(text).expect("valid JSON")).expect("UTF-8")
	}

	#[test]
	fn rfc_8785_examples() {
		// RFC 8785 section 3.2.2 (sorting, literals, numbers, escapes).
		assert_eq!(
			canon(
				r#"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"#
			),
			r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
		);
		// Section 3.2.3: sorting by UTF-16 code units.
		assert_eq!(
			canon("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\", \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}"),
			"{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
		);
	}

	#[test]
	fn the_same_fhir_resource_canonicalises_the_same_however_written() {
		let compact = r#"{"resourceType":"Observation","status":"final","valueQuantity":{"value":5.60,"unit":"mmol/L"},"subject":{"reference":"Patient/张三"}}"#;
		let pretty = "{\n  \"subject\" : { \"reference\" : \"Patient/\\u5f20\\u4e09\" },\n  \"valueQuantity\": {\"unit\": \"mmol/L\", \"value\": 5.6},\n  \"status\": \"final\",\n  \"resourceType\": \"Observation\"\n}";
		assert_eq!(canon(compact), canon(pretty));
		assert_eq!(
			canon(compact),
			r#"{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/张三"},"valueQuantity":{"unit":"mmol/L","value":5.6}}"#
		);
	}

	#[test]
	fn malformed_json_is_refused_with_a_position() {
		for bad in
			["{", "[1,]", "{\"a\":1,\"a\":2}", "01", "1.", "\"\\ud800\"", "nul", "{} x", "\"a\nb\""]
		{
			assert!(canonical_json(bad).is_err(), "{bad}");
		}
		let deep = "[".repeat(600) + &"]".repeat(600);
		assert!(canonical_json(&deep).unwrap_err().0.contains("too deep"));
	}

	#[test]
	fn csv_rows_canonicalise_as_json_objects() {
		let rows =
			parse_csv("order_no,item,value\r\nA1,\"血糖, 空腹\",5.6\n\nA2,\"say \"\"hi\"\"\",\n")
				.expect("CSV");
		assert_eq!(rows.len(), 3);
		assert_eq!(rows[1][1], "血糖, 空腹");
		assert_eq!(rows[2][1], "say \"hi\"");
		assert_eq!(rows[2][2], "");
		let canonical = canonical_csv_row(&rows[0], &rows[1]).expect("same width");
		assert_eq!(
			String::from_utf8(canonical.clone()).expect("UTF-8"),
			r#"{"item":"血糖, 空腹","order_no":"A1","value":"5.6"}"#
		);
		// The same record as JSON gives the same bytes.
		assert_eq!(
			canonical,
			canonical_json(r#"{"value":"5.6","order_no":"A1","item":"血糖, 空腹"}"#).expect("JSON")
		);
		assert!(canonical_csv_row(&rows[0], &rows[0][..2]).is_err());
		assert!(parse_csv("a,\"b").is_err());
		assert!(parse_csv("a,b\"c").is_err());
	}
}
