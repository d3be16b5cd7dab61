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

use alloc::{format, string::String, vec::Vec};

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
	let mut out = Vec::with_capacity(text.len());
	canonical_json_into(text, &mut out)?;
	Ok(out)
}

/// Appends the RFC 8785 canonical form of a JSON text to `out`; on error `out` may hold part
/// of it.
///
/// One pass, no tree: each value is written in canonical form as it is read, and an object's
/// members, once written, are reordered only when they were not in order already. It gives
/// the same bytes as [`write_json`] of [`parse_json`] (a test compares them), several times
/// faster.
pub fn canonical_json_into(text: &str, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
	let mut c = Canonicaliser {
		bytes: text.as_bytes(),
		at: 0,
		depth: 0,
		members: Vec::new(),
		order: Vec::new(),
		scratch: Vec::new(),
	};
	c.skip_ws();
	c.value(out)?;
	c.skip_ws();
	if c.at != c.bytes.len() {
		return Err(c.error("text after the JSON value"));
	}
	Ok(())
}

/// A member of an object, as written: where it starts in the output (its name), where its
/// name ends, where it ends, and whether its name is [`plain`].
#[derive(Clone, Copy)]
struct Member {
	start: usize,
	name_end: usize,
	end: usize,
	plain: bool,
}

/// The streaming canonicaliser behind [`canonical_json_into`].
struct Canonicaliser<'a> {
	bytes: &'a [u8],
	at: usize,
	depth: u32,
	/// The members of the objects being written, innermost last.
	members: Vec<Member>,
	/// Reused buffers for reordering an object's members.
	order: Vec<usize>,
	scratch: Vec<u8>,
}

impl Canonicaliser<'_> {
	fn error(&self, what: &str) -> CanonicalError {
		CanonicalError(format!("invalid JSON at byte {}: {what}", self.at))
	}

	fn skip_ws(&mut self) {
		while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
			self.at += 1;
		}
	}

	fn literal(&mut self, literal: &[u8], out: &mut Vec<u8>) -> Result<(), CanonicalError> {
		if self.bytes[self.at..].starts_with(literal) {
			self.at += literal.len();
			out.extend_from_slice(literal);
			Ok(())
		} else {
			Err(self.error("unknown literal"))
		}
	}

	fn value(&mut self, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
		match self.bytes.get(self.at) {
			None => Err(self.error("unexpected end")),
			Some(b'n') => self.literal(b"null", out),
			Some(b't') => self.literal(b"true", out),
			Some(b'f') => self.literal(b"false", out),
			Some(b'"') => self.string(out),
			Some(b'[' | b'{') => {
				self.depth += 1;
				if self.depth > MAX_DEPTH {
					return Err(self.error("nested too deep"));
				}
				let written =
					if self.bytes[self.at] == b'[' { self.array(out) } else { self.object(out) };
				self.depth -= 1;
				written
			}
			Some(b'-' | b'0'..=b'9') => self.number(out),
			Some(_) => Err(self.error("unexpected character")),
		}
	}

	fn array(&mut self, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
		self.at += 1;
		out.push(b'[');
		self.skip_ws();
		if self.bytes.get(self.at) == Some(&b']') {
			self.at += 1;
			out.push(b']');
			return Ok(());
		}
		loop {
			self.skip_ws();
			self.value(out)?;
			self.skip_ws();
			match self.bytes.get(self.at) {
				Some(b',') => {
					self.at += 1;
					out.push(b',');
				}
				Some(b']') => {
					self.at += 1;
					out.push(b']');
					return Ok(());
				}
				_ => return Err(self.error("expected `,` or `]`")),
			}
		}
	}

	fn object(&mut self, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
		self.at += 1;
		out.push(b'{');
		let first = self.members.len();
		self.skip_ws();
		if self.bytes.get(self.at) == Some(&b'}') {
			self.at += 1;
			out.push(b'}');
			return Ok(());
		}
		loop {
			self.skip_ws();
			if self.bytes.get(self.at) != Some(&b'"') {
				return Err(self.error("expected a member name"));
			}
			let start = out.len();
			self.string(out)?;
			let name_end = out.len();
			self.skip_ws();
			if self.bytes.get(self.at) != Some(&b':') {
				return Err(self.error("expected `:`"));
			}
			self.at += 1;
			out.push(b':');
			self.skip_ws();
			self.value(out)?;
			let plain = plain(&out[start..name_end]);
			self.members.push(Member { start, name_end, end: out.len(), plain });
			self.skip_ws();
			match self.bytes.get(self.at) {
				Some(b',') => {
					self.at += 1;
					out.push(b',');
				}
				Some(b'}') => {
					self.at += 1;
					break;
				}
				_ => return Err(self.error("expected `,` or `}`")),
			}
		}
		let sorted = self.sort_members(first, out);
		self.members.truncate(first);
		sorted?;
		out.push(b'}');
		Ok(())
	}

	/// Puts the members from `first` on in RFC 8785 order (they are written already,
	/// comma-separated, at the end of `out`), refusing a name given twice.
	fn sort_members(&mut self, first: usize, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
		let members = &self.members[first..];
		let order = |a: &Member, b: &Member| {
			let (x, y) = (&out[a.start..a.name_end], &out[b.start..b.name_end]);
			if a.plain && b.plain {
				inner(x).cmp(inner(y))
			} else {
				compare_names(x, y)
			}
		};
		let mut in_order = true;
		for pair in members.windows(2) {
			match order(&pair[0], &pair[1]) {
				core::cmp::Ordering::Less => {}
				core::cmp::Ordering::Equal => {
					return Err(duplicate(&out[pair[0].start..pair[0].name_end]))
				}
				core::cmp::Ordering::Greater => in_order = false,
			}
		}
		if in_order {
			return Ok(());
		}
		self.order.clear();
		self.order.extend(0..members.len());
		self.order.sort_by(|&a, &b| order(&members[a], &members[b]));
		for pair in self.order.windows(2) {
			if order(&members[pair[0]], &members[pair[1]]).is_eq() {
				let m = members[pair[0]];
				return Err(duplicate(&out[m.start..m.name_end]));
			}
		}
		let base = members[0].start;
		self.scratch.clear();
		self.scratch.extend_from_slice(&out[base..]);
		out.truncate(base);
		for (i, &m) in self.order.iter().enumerate() {
			if i > 0 {
				out.push(b',');
			}
			let Member { start, end, .. } = members[m];
			out.extend_from_slice(&self.scratch[start - base..end - base]);
		}
		Ok(())
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

	/// Reads a string and writes it with RFC 8785's escapes: runs without escapes are copied.
	fn string(&mut self, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
		self.at += 1;
		out.push(b'"');
		loop {
			let start = self.at;
			while let Some(&b) = self.bytes.get(self.at) {
				if b == b'"' || b == b'\\' || b < 0x20 {
					break;
				}
				self.at += 1;
			}
			// The text is a `str` and the run ends at an ASCII byte: the run is UTF-8.
			out.extend_from_slice(&self.bytes[start..self.at]);
			match self.bytes.get(self.at) {
				Some(b'"') => {
					self.at += 1;
					out.push(b'"');
					return Ok(());
				}
				Some(b'\\') => {
					self.at += 1;
					let escape =
						*self.bytes.get(self.at).ok_or_else(|| self.error("unexpected end"))?;
					self.at += 1;
					let c = match escape {
						b'"' => '"',
						b'\\' => '\\',
						b'/' => '/',
						b'b' => '\u{08}',
						b'f' => '\u{0C}',
						b'n' => '\n',
						b'r' => '\r',
						b't' => '\t',
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
							char::from_u32(c).ok_or_else(|| self.error("lone surrogate"))?
						}
						_ => return Err(self.error("unknown escape")),
					};
					write_char(c, out);
				}
				Some(_) => return Err(self.error("control character in a string")),
				None => return Err(self.error("unterminated string")),
			}
		}
	}

	fn number(&mut self, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
		let start = self.at;
		let mut plain = true;
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
			plain = false;
			self.at += 1;
			if digits(self) == 0 {
				return Err(self.error("malformed number"));
			}
		}
		if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
			plain = false;
			self.at += 1;
			if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
				self.at += 1;
			}
			if digits(self) == 0 {
				return Err(self.error("malformed number"));
			}
		}
		let text = &self.bytes[start..self.at];
		// An integer of at most 15 digits is a double exactly, and ECMAScript prints it as
		// written; only `-0` becomes `0`.
		if plain && n <= 15 {
			if text == b"-0" {
				out.push(b'0');
			} else {
				out.extend_from_slice(text);
			}
			return Ok(());
		}
		let value: f64 = core::str::from_utf8(text)
			.ok()
			.and_then(|t| t.parse().ok())
			.ok_or_else(|| self.error("malformed number"))?;
		if !value.is_finite() {
			return Err(self.error("number out of range"));
		}
		if value == 0.0 {
			out.push(b'0');
		} else {
			out.extend_from_slice(ryu_js::Buffer::new().format_finite(value).as_bytes());
		}
		Ok(())
	}
}

/// Writes one character of a string's content with RFC 8785's escapes.
fn write_char(c: char, out: &mut Vec<u8>) {
	match c {
		'"' => out.extend_from_slice(b"\\\""),
		'\\' => out.extend_from_slice(b"\\\\"),
		'\u{08}' => out.extend_from_slice(b"\\b"),
		'\t' => out.extend_from_slice(b"\\t"),
		'\n' => out.extend_from_slice(b"\\n"),
		'\u{0C}' => out.extend_from_slice(b"\\f"),
		'\r' => out.extend_from_slice(b"\\r"),
		c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
		c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
	}
}

fn duplicate(name: &[u8]) -> CanonicalError {
	let shown = String::from_utf8_lossy(name);
	CanonicalError(format!("duplicate member name `{}`", shown.trim_matches('"')))
}

/// Orders two member names, as written in canonical form (quoted, escaped), by their UTF-16
/// code units (RFC 8785 section 3.2.3).
fn compare_names(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
	if plain(a) && plain(b) {
		return inner(a).cmp(inner(b));
	}
	let (x, y) = (unquote(a), unquote(b));
	// UTF-8 byte order is code point order, which is UTF-16 order except between a character
	// above U+FFFF and one in U+E000..=U+FFFF: compare the first characters that differ.
	for (p, q) in x.chars().zip(y.chars()) {
		if p != q {
			return utf16_key(p).cmp(&utf16_key(q));
		}
	}
	x.chars().count().cmp(&y.chars().count())
}

/// Whether a name written in canonical form has no escape and no character from U+E000 up
/// (no UTF-8 byte from 0xEE up): then UTF-8 byte order is UTF-16 order, and names compare as
/// bytes. The usual case.
fn plain(name: &[u8]) -> bool {
	inner(name).iter().all(|&b| b < 0xEE && b != b'\\')
}

/// A canonical name's bytes between its quotes.
fn inner(name: &[u8]) -> &[u8] {
	name.get(1..name.len().saturating_sub(1)).unwrap_or_default()
}

/// A character's UTF-16 code units, as one number that sorts as they do.
fn utf16_key(c: char) -> u32 {
	let mut units = [0u16; 2];
	match c.encode_utf16(&mut units) {
		[unit] => u32::from(*unit) << 16,
		[high, low] => (u32::from(*high) << 16) | u32::from(*low),
		_ => 0,
	}
}

/// The content of a name written by [`Canonicaliser::string`]: its escapes undone.
fn unquote(name: &[u8]) -> alloc::borrow::Cow<'_, str> {
	use alloc::borrow::Cow;
	let text = core::str::from_utf8(inner(name)).unwrap_or_default();
	if !text.contains('\\') {
		return Cow::Borrowed(text);
	}
	let mut decoded = String::with_capacity(text.len());
	let mut chars = text.chars();
	while let Some(c) = chars.next() {
		if c != '\\' {
			decoded.push(c);
			continue;
		}
		match chars.next() {
			Some('b') => decoded.push('\u{08}'),
			Some('t') => decoded.push('\t'),
			Some('n') => decoded.push('\n'),
			Some('f') => decoded.push('\u{0C}'),
			Some('r') => decoded.push('\r'),
			Some('u') => {
				let hex: String = chars.by_ref().take(4).collect();
				if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
					decoded.push(c);
				}
			}
			Some(c) => decoded.push(c),
			None => {}
		}
	}
	Cow::Owned(decoded)
}

/// Nesting deeper than this is refused (no stack exhaustion on hostile input).
const MAX_DEPTH: u32 = 512;

/// Writes a string in canonical form: quoted, with RFC 8785's escapes.
fn write_str(s: &str, out: &mut Vec<u8>) {
	out.push(b'"');
	for c in s.chars() {
		write_char(c, out);
	}
	out.push(b'"');
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

/// Canonicalises CSV rows under one header, whose order is worked out once.
pub struct CsvCanonicaliser {
	/// The header's names in canonical form (quoted, escaped).
	names: Vec<Vec<u8>>,
	/// The columns in RFC 8785 order of their names.
	order: Vec<usize>,
}

impl CsvCanonicaliser {
	/// Refuses a header that names a column twice.
	pub fn new(header: &[String]) -> Result<Self, CanonicalError> {
		let names: Vec<Vec<u8>> = header
			.iter()
			.map(|name| {
				let mut written = Vec::with_capacity(name.len() + 2);
				write_str(name, &mut written);
				written
			})
			.collect();
		let mut order: Vec<usize> = (0..names.len()).collect();
		order.sort_by(|&a, &b| compare_names(&names[a], &names[b]));
		for pair in order.windows(2) {
			if compare_names(&names[pair[0]], &names[pair[1]]).is_eq() {
				return Err(CanonicalError(format!(
					"the header names `{}` twice",
					header[pair[0]]
				)));
			}
		}
		Ok(Self { names, order })
	}

	/// The canonical form of one row: the RFC 8785 form of the JSON object
	/// `{header: value, …}`.
	pub fn row(&self, row: &[String]) -> Result<Vec<u8>, CanonicalError> {
		if row.len() != self.names.len() {
			return Err(CanonicalError(format!(
				"a row of {} fields under a header of {}",
				row.len(),
				self.names.len()
			)));
		}
		let mut out = Vec::with_capacity(row.iter().map(|v| v.len() + 8).sum::<usize>() + 64);
		out.push(b'{');
		for (i, &column) in self.order.iter().enumerate() {
			if i > 0 {
				out.push(b',');
			}
			out.extend_from_slice(&self.names[column]);
			out.push(b':');
			write_str(&row[column], &mut out);
		}
		out.push(b'}');
		Ok(out)
	}
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
		let csv = CsvCanonicaliser::new(&rows[0]).expect("a header");
		let canonical = csv.row(&rows[1]).expect("same width");
		assert_eq!(
			String::from_utf8(canonical.clone()).expect("UTF-8"),
			r#"{"item":"血糖, 空腹","order_no":"A1","value":"5.6"}"#
		);
		// The same record as JSON gives the same bytes.
		assert_eq!(
			canonical,
			canonical_json(r#"{"value":"5.6","order_no":"A1","item":"血糖, 空腹"}"#).expect("JSON")
		);
		assert!(csv.row(&rows[0][..2]).is_err());
		assert!(parse_csv("a,\"b").is_err());
		assert!(parse_csv("a,b\"c").is_err());
	}

	use crate::testing::XorShift as Rng;

	/// A JSON value as the test builds it.
	enum Value {
		Null,
		Bool(bool),
		Number(f64),
		Text(String),
		Array(Vec<Value>),
		Object(Vec<(String, Value)>),
	}

	const TEXTS: &[&str] = &[
		"",
		"a",
		"b",
		"A",
		"1",
		"\r",
		"é",
		"€",
		"😀",
		"\u{fb33}",
		"\u{e000}",
		"𝄞x",
		"key\"q",
		"back\\slash",
		"张三",
		"检验结果",
		"\u{0}\u{1f}",
		"tab\tnew\nline",
		"/",
		"\u{7f}",
	];
	const NUMBERS: &[f64] = &[
		0.0,
		-0.0,
		1.0,
		-42.0,
		5.6,
		4.5,
		333_333_333.333_333_3,
		1e30,
		2e-3,
		1e-27,
		1e21,
		1e-7,
		123_456_789_012_345_680.0,
		999_999_999_999_999.0,
		-1.5e-300,
		1.7976931348623157e308,
	];

	fn generate(rng: &mut Rng, depth: u32) -> Value {
		match rng.index(if depth == 0 { 4 } else { 6 }) {
			0 => Value::Null,
			1 => Value::Bool(rng.index(2) == 0),
			2 => Value::Number(NUMBERS[rng.index(NUMBERS.len())]),
			3 => Value::Text(TEXTS[rng.index(TEXTS.len())].into()),
			4 => Value::Array((0..rng.index(4)).map(|_| generate(rng, depth - 1)).collect()),
			_ => {
				let mut names: Vec<&str> = TEXTS.to_vec();
				let mut members = Vec::new();
				for _ in 0..rng.index(6) {
					let name = names.swap_remove(rng.index(names.len()));
					members.push((name.to_string(), generate(rng, depth - 1)));
				}
				Value::Object(members)
			}
		}
	}

	/// The canonical form, written straight from RFC 8785's rules.
	fn expected(value: &Value, out: &mut String) {
		let text = |s: &str, out: &mut String| {
			out.push('"');
			for c in s.chars() {
				match c {
					'"' => out.push_str("\\\""),
					'\\' => out.push_str("\\\\"),
					'\u{8}' => out.push_str("\\b"),
					'\t' => out.push_str("\\t"),
					'\n' => out.push_str("\\n"),
					'\u{c}' => out.push_str("\\f"),
					'\r' => out.push_str("\\r"),
					c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
					c => out.push(c),
				}
			}
			out.push('"');
		};
		match value {
			Value::Null => out.push_str("null"),
			Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
			Value::Number(n) if *n == 0.0 => out.push('0'),
			Value::Number(n) => out.push_str(ryu_js::Buffer::new().format_finite(*n)),
			Value::Text(s) => text(s, out),
			Value::Array(items) => {
				out.push('[');
				for (i, item) in items.iter().enumerate() {
					if i > 0 {
						out.push(',');
					}
					expected(item, out);
				}
				out.push(']');
			}
			Value::Object(members) => {
				let mut sorted: Vec<&(String, Value)> = members.iter().collect();
				sorted.sort_by_key(|(name, _)| name.encode_utf16().collect::<Vec<u16>>());
				out.push('{');
				for (i, (name, value)) in sorted.into_iter().enumerate() {
					if i > 0 {
						out.push(',');
					}
					text(name, out);
					out.push(':');
					expected(value, out);
				}
				out.push('}');
			}
		}
	}

	/// The same value written as a careless serialiser might: whitespace, escapes, members in
	/// any order, numbers spelled several ways.
	fn messy(value: &Value, rng: &mut Rng, out: &mut String) {
		let space = |rng: &mut Rng, out: &mut String| {
			out.push_str([" ", "", "\n  ", "\t", "\r\n"][rng.index(5)]);
		};
		let text = |s: &str, rng: &mut Rng, out: &mut String| {
			out.push('"');
			for c in s.chars() {
				let mut units = [0u16; 2];
				match rng.index(3) {
					0 if c != '"' && c != '\\' && (c as u32) >= 0x20 => out.push(c),
					1 if matches!(c, '"' | '\\' | '\n' | '\t' | '/') => {
						out.push('\\');
						out.push(match c {
							'\n' => 'n',
							'\t' => 't',
							c => c,
						});
					}
					_ => {
						for unit in c.encode_utf16(&mut units) {
							out.push_str(&format!("\\u{unit:04X}"));
						}
					}
				}
			}
			out.push('"');
		};
		space(rng, out);
		match value {
			Value::Null => out.push_str("null"),
			Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
			Value::Number(n) => out.push_str(&match rng.index(3) {
				0 => format!("{n}"),
				1 => format!("{n:e}"),
				_ => format!("{n:E}").replace('E', "E+").replace("E+-", "E-"),
			}),
			Value::Text(s) => text(s, rng, out),
			Value::Array(items) => {
				out.push('[');
				for (i, item) in items.iter().enumerate() {
					if i > 0 {
						out.push(',');
					}
					messy(item, rng, out);
				}
				space(rng, out);
				out.push(']');
			}
			Value::Object(members) => {
				let mut order: Vec<usize> = (0..members.len()).collect();
				for i in (1..order.len()).rev() {
					order.swap(i, rng.index(i + 1));
				}
				out.push('{');
				for (i, &m) in order.iter().enumerate() {
					if i > 0 {
						out.push(',');
					}
					space(rng, out);
					text(&members[m].0, rng, out);
					space(rng, out);
					out.push(':');
					messy(&members[m].1, rng, out);
				}
				space(rng, out);
				out.push('}');
			}
		}
		space(rng, out);
	}

	#[test]
	fn any_spelling_of_a_value_canonicalises_to_its_rfc_8785_form() {
		let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
		for case in 0..3000 {
			let value = generate(&mut rng, 4);
			let mut want = String::new();
			expected(&value, &mut want);
			let mut text = String::new();
			messy(&value, &mut rng, &mut text);
			let got = canon(&text);
			assert_eq!(got, want, "case {case}: {text}");
			assert_eq!(canon(&got), got, "case {case}: canonical text is its own canonical form");
		}
	}
}
