//! The part of CBOR (RFC 8949) the archive uses: unsigned integers, byte and text strings,
//! arrays, maps with text keys, and `null`, always in their preferred (shortest) form; and a
//! reader of the same that refuses anything else. Small enough to check by eye; any CBOR
//! library reads what it writes.

use std::collections::BTreeMap;

/// Major types.
const UINT: u8 = 0;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;
const TAG: u8 = 6;
/// `null` (major type 7, simple value 22).
const NULL: u8 = 0xf6;
/// How deep a header may nest (it nests three deep).
const MAX_DEPTH: usize = 8;

/// The head of a data item: its major type and argument, shortest form.
pub fn head(out: &mut Vec<u8>, major: u8, value: u64) {
	let major = major << 5;
	match value {
		0..=23 => out.push(major | value as u8),
		24..=0xff => out.extend_from_slice(&[major | 24, value as u8]),
		0x100..=0xffff => {
			out.push(major | 25);
			out.extend_from_slice(&(value as u16).to_be_bytes());
		}
		0x1_0000..=0xffff_ffff => {
			out.push(major | 26);
			out.extend_from_slice(&(value as u32).to_be_bytes());
		}
		_ => {
			out.push(major | 27);
			out.extend_from_slice(&value.to_be_bytes());
		}
	}
}

/// How many bytes [`head`] writes for `value`.
pub fn head_len(value: u64) -> u64 {
	match value {
		0..=23 => 1,
		24..=0xff => 2,
		0x100..=0xffff => 3,
		0x1_0000..=0xffff_ffff => 5,
		_ => 9,
	}
}

/// A data item of the subset, to write or as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
	Uint(u64),
	Bytes(Vec<u8>),
	Text(String),
	Array(Vec<Value>),
	/// Text keys only; written in the order given.
	Map(Vec<(String, Value)>),
	Null,
}

impl Value {
	/// Appends the item's encoding.
	pub fn encode(&self, out: &mut Vec<u8>) {
		match self {
			Value::Uint(n) => head(out, UINT, *n),
			Value::Bytes(b) => {
				head(out, BYTES, b.len() as u64);
				out.extend_from_slice(b);
			}
			Value::Text(t) => {
				head(out, TEXT, t.len() as u64);
				out.extend_from_slice(t.as_bytes());
			}
			Value::Array(items) => {
				head(out, ARRAY, items.len() as u64);
				items.iter().for_each(|item| item.encode(out));
			}
			Value::Map(members) => {
				head(out, MAP, members.len() as u64);
				for (key, value) in members {
					Value::Text(key.clone()).encode(out);
					value.encode(out);
				}
			}
			Value::Null => out.push(NULL),
		}
	}

	/// A text member, for building maps.
	pub fn text(t: impl Into<String>) -> Self {
		Value::Text(t.into())
	}
}

/// Why bytes are not an item of the subset.
pub type Why = String;

/// A reader over a byte slice.
pub struct Reader<'a> {
	bytes: &'a [u8],
	pub at: usize,
}

impl<'a> Reader<'a> {
	pub fn new(bytes: &'a [u8]) -> Self {
		Self { bytes, at: 0 }
	}

	fn take(&mut self, n: usize) -> Result<&'a [u8], Why> {
		let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len());
		let end = end.ok_or_else(|| format!("it ends inside an item at byte {}", self.at))?;
		let taken = &self.bytes[self.at..end];
		self.at = end;
		Ok(taken)
	}

	/// The next head: major type and argument (no indefinite lengths, no floats).
	pub fn head(&mut self) -> Result<(u8, u64), Why> {
		let at = self.at;
		let first = self.take(1)?[0];
		let (major, info) = (first >> 5, first & 0x1f);
		if major == 7 && first != NULL {
			return Err(format!("byte {at}: an item this format does not use ({first:#04x})"));
		}
		let value = match info {
			0..=23 => u64::from(info),
			24 => u64::from(self.take(1)?[0]),
			25 => u64::from(u16::from_be_bytes(self.take(2)?.try_into().unwrap_or_default())),
			26 => u64::from(u32::from_be_bytes(self.take(4)?.try_into().unwrap_or_default())),
			27 => u64::from_be_bytes(self.take(8)?.try_into().unwrap_or_default()),
			_ => return Err(format!("byte {at}: an item this format does not use ({first:#04x})")),
		};
		Ok((major, value))
	}

	/// The next head, which must be of `major` type: its argument.
	pub fn expect(&mut self, major: u8, what: &str) -> Result<u64, Why> {
		let at = self.at;
		match self.head()? {
			(m, value) if m == major => Ok(value),
			_ => Err(format!("byte {at}: {what} expected")),
		}
	}

	/// A byte string's contents.
	pub fn bytes(&mut self, what: &str) -> Result<&'a [u8], Why> {
		let len = self.expect(BYTES, what)?;
		self.take(usize::try_from(len).map_err(|_| format!("{what} is too long"))?)
	}

	/// The self-described CBOR tag (55799) that opens the file.
	pub fn magic(&mut self) -> Result<(), Why> {
		match self.head()? {
			(TAG, SELF_DESCRIBED) => Ok(()),
			_ => Err("it does not begin with CBOR's self-described tag".into()),
		}
	}

	/// An array's length.
	pub fn array(&mut self, what: &str) -> Result<u64, Why> {
		self.expect(ARRAY, what)
	}

	/// The next whole item.
	pub fn value(&mut self) -> Result<Value, Why> {
		self.value_at(0)
	}

	fn value_at(&mut self, depth: usize) -> Result<Value, Why> {
		if depth > MAX_DEPTH {
			return Err(format!("byte {}: nested too deeply", self.at));
		}
		let at = self.at;
		let (major, arg) = self.head()?;
		let len = |arg: u64| usize::try_from(arg).map_err(|_| format!("byte {at}: too long"));
		Ok(match major {
			UINT => Value::Uint(arg),
			BYTES => Value::Bytes(self.take(len(arg)?)?.to_vec()),
			TEXT => Value::Text(
				String::from_utf8(self.take(len(arg)?)?.to_vec())
					.map_err(|_| format!("byte {at}: text that is not UTF-8"))?,
			),
			ARRAY => {
				let n = len(arg)?.min(self.bytes.len());
				let mut items = Vec::with_capacity(n);
				for _ in 0..len(arg)? {
					items.push(self.value_at(depth + 1)?);
				}
				Value::Array(items)
			}
			MAP => {
				let mut members = Vec::new();
				for _ in 0..len(arg)? {
					let key = match self.value_at(depth + 1)? {
						Value::Text(key) => key,
						_ => return Err(format!("byte {at}: a map key that is not text")),
					};
					members.push((key, self.value_at(depth + 1)?));
				}
				Value::Map(members)
			}
			7 => Value::Null,
			_ => return Err(format!("byte {at}: an item this format does not use")),
		})
	}
}

/// CBOR's self-described tag, `d9 d9 f7` (RFC 8949 §3.4.6): the file's magic number.
pub const SELF_DESCRIBED: u64 = 55799;

/// Writes the self-described tag.
pub fn magic(out: &mut Vec<u8>) {
	head(out, TAG, SELF_DESCRIBED);
}

/// Writes a byte string's head (its contents follow).
pub fn bytes_head(out: &mut Vec<u8>, len: u64) {
	head(out, BYTES, len);
}

/// Writes an array's head (its items follow).
pub fn array_head(out: &mut Vec<u8>, len: u64) {
	head(out, ARRAY, len);
}

/// A map read back, its members by key.
pub struct Members {
	what: String,
	members: BTreeMap<String, Value>,
}

impl Members {
	/// The members of `value`, which must be a map without repeated keys.
	pub fn of(value: Value, what: &str) -> Result<Self, Why> {
		let Value::Map(list) = value else { return Err(format!("{what} is not a map")) };
		let mut members = BTreeMap::new();
		for (key, value) in list {
			if members.insert(key.clone(), value).is_some() {
				return Err(format!("{what} has `{key}` twice"));
			}
		}
		Ok(Self { what: what.into(), members })
	}

	fn take(&mut self, key: &str) -> Result<Value, Why> {
		self.members.remove(key).ok_or_else(|| format!("{} has no `{key}`", self.what))
	}

	pub fn uint(&mut self, key: &str) -> Result<u64, Why> {
		match self.take(key)? {
			Value::Uint(n) => Ok(n),
			_ => Err(format!("{}'s `{key}` is not an unsigned integer", self.what)),
		}
	}

	pub fn text(&mut self, key: &str) -> Result<String, Why> {
		match self.take(key)? {
			Value::Text(t) => Ok(t),
			_ => Err(format!("{}'s `{key}` is not text", self.what)),
		}
	}

	pub fn bytes(&mut self, key: &str) -> Result<Vec<u8>, Why> {
		match self.take(key)? {
			Value::Bytes(b) => Ok(b),
			_ => Err(format!("{}'s `{key}` is not a byte string", self.what)),
		}
	}

	pub fn hash(&mut self, key: &str) -> Result<[u8; 32], Why> {
		let bytes = self.bytes(key)?;
		bytes.try_into().map_err(|_| format!("{}'s `{key}` is not 32 bytes", self.what))
	}

	pub fn map(&mut self, key: &str) -> Result<Members, Why> {
		let what = format!("{}'s `{key}`", self.what);
		Members::of(self.take(key)?, &what)
	}

	/// A member that may be `null`.
	pub fn optional_map(&mut self, key: &str) -> Result<Option<Members>, Why> {
		match self.take(key)? {
			Value::Null => Ok(None),
			value => Members::of(value, &format!("{}'s `{key}`", self.what)).map(Some),
		}
	}

	pub fn array(&mut self, key: &str) -> Result<Vec<Value>, Why> {
		match self.take(key)? {
			Value::Array(items) => Ok(items),
			_ => Err(format!("{}'s `{key}` is not an array", self.what)),
		}
	}

	/// Refuses members nobody read (a newer format's, or a corrupted key).
	pub fn done(self) -> Result<(), Why> {
		match self.members.keys().next() {
			Some(key) => Err(format!("{} has an unknown member `{key}`", self.what)),
			None => Ok(()),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn items_are_written_as_rfc_8949_says_and_read_back() {
		// RFC 8949 Appendix A's examples.
		let cases: Vec<(Value, &str)> = vec![
			(Value::Uint(0), "00"),
			(Value::Uint(23), "17"),
			(Value::Uint(24), "1818"),
			(Value::Uint(1000), "1903e8"),
			(Value::Uint(1_000_000), "1a000f4240"),
			(Value::Uint(1_000_000_000_000), "1b000000e8d4a51000"),
			(Value::Bytes(vec![1, 2, 3, 4]), "4401020304"),
			(Value::text("IETF"), "6449455446"),
			(Value::Array(vec![Value::Uint(1), Value::Uint(2)]), "820102"),
			(Value::Map(vec![("a".into(), Value::Uint(1))]), "a1616101"),
			(Value::Null, "f6"),
		];
		for (value, expected) in cases {
			let mut out = Vec::new();
			value.encode(&mut out);
			assert_eq!(hex::encode(&out), expected, "{value:?}");
			if let Value::Uint(n) = value {
				assert_eq!(head_len(n) as usize, out.len());
			}
			assert_eq!(Reader::new(&out).value().expect("reads back"), value);
		}
		let mut out = Vec::new();
		magic(&mut out);
		assert_eq!(hex::encode(&out), "d9d9f7");
	}

	#[test]
	fn what_is_not_of_the_subset_is_refused_with_where() {
		// A float, an indefinite-length array, a truncated string.
		for (bytes, says) in
			[("fb3ff199999999999a", "byte 0"), ("9f01ff", "byte 0"), ("4401", "ends")]
		{
			let bytes = hex::decode(bytes).expect("hex");
			let why = Reader::new(&bytes).value().unwrap_err();
			assert!(why.contains(says), "{why}");
		}
		let mut deep = vec![0x81; 20];
		deep.push(0);
		assert!(Reader::new(&deep).value().unwrap_err().contains("deeply"));
	}
}
