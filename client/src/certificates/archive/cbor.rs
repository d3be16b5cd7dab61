//! The part of CBOR (RFC 8949) the archive uses: unsigned integers, byte and text strings,
//! arrays, maps with text keys, and `null`, written in their preferred (shortest) form, read
//! refusing anything else. The codec is `minicbor` (maintained, `no_std`); what is here is the
//! subset's [`Value`], the heads the archive's layout places itself (its entries and tree are
//! written and read in place, not as one item), and messages that say where bytes go wrong.

use std::collections::BTreeMap;

use minicbor::{data::Type, Decoder, Encoder};

/// How deep a header may nest (it nests three deep).
const MAX_DEPTH: usize = 8;

/// CBOR's self-described tag, `d9 d9 f7` (RFC 8949 §3.4.6): the file's magic number.
pub const SELF_DESCRIBED: u64 = 55799;

/// An encoder appending to `out` (writing to a `Vec` cannot fail).
fn encoder(out: &mut Vec<u8>) -> Encoder<&mut Vec<u8>> {
	Encoder::new(out)
}

/// How many bytes the head of an item with argument `value` takes (shortest form).
pub fn head_len(value: u64) -> u64 {
	let mut out = Vec::with_capacity(9);
	let _ = encoder(&mut out).u64(value);
	out.len() as u64
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
		// Writing to a `Vec` cannot fail: the results carry no error to handle.
		let _ = match self {
			Value::Uint(n) => encoder(out).u64(*n).map(drop),
			Value::Bytes(b) => encoder(out).bytes(b).map(drop),
			Value::Text(t) => encoder(out).str(t).map(drop),
			Value::Array(items) => {
				let head = encoder(out).array(items.len() as u64).map(drop);
				items.iter().for_each(|item| item.encode(out));
				head
			}
			Value::Map(members) => {
				let head = encoder(out).map(members.len() as u64).map(drop);
				for (key, value) in members {
					let _ = encoder(out).str(key);
					value.encode(out);
				}
				head
			}
			Value::Null => encoder(out).null().map(drop),
		};
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
	decoder: Decoder<'a>,
}

impl<'a> Reader<'a> {
	pub fn new(bytes: &'a [u8]) -> Self {
		Self { decoder: Decoder::new(bytes) }
	}

	/// The offset of the next item.
	pub fn at(&self) -> usize {
		self.decoder.position()
	}

	/// A decoding error, said with where it happened.
	fn why(&self, at: usize, e: minicbor::decode::Error) -> Why {
		match e.is_end_of_input() {
			true => format!("it ends inside an item at byte {at}"),
			false => format!("byte {at}: {e}"),
		}
	}

	/// The type of the next item.
	fn datatype(&self) -> Result<Type, Why> {
		self.decoder.datatype().map_err(|e| self.why(self.at(), e))
	}

	/// The self-described CBOR tag (55799) that opens the file.
	pub fn magic(&mut self) -> Result<(), Why> {
		let at = self.at();
		let tag = self.decoder.tag().map_err(|e| match e.is_end_of_input() {
			true => format!("it ends inside an item at byte {at}"),
			false => "it does not begin with CBOR's self-described tag".into(),
		})?;
		match tag.as_u64() == SELF_DESCRIBED {
			true => Ok(()),
			false => Err("it does not begin with CBOR's self-described tag".into()),
		}
	}

	/// The length of the byte string that comes next (`what`), its contents left unread: the
	/// archive reads a header's contents from the file once it knows how long it is.
	pub fn byte_string_len(&mut self, what: &str) -> Result<u64, Why> {
		let at = self.at();
		if self.datatype()? != Type::Bytes {
			return Err(format!("byte {at}: {what} expected"));
		}
		// A byte string's head is an unsigned integer's with another major type: read it as one.
		let input = self.decoder.input();
		let mut head: Vec<u8> = input.iter().skip(at).take(9).copied().collect();
		if let Some(first) = head.first_mut() {
			*first &= 0x1f;
		}
		let mut reading = Decoder::new(&head);
		let len = reading.u64().map_err(|e| self.why(at, e))?;
		self.decoder.set_position(at + reading.position());
		Ok(len)
	}

	/// The next whole item.
	pub fn value(&mut self) -> Result<Value, Why> {
		self.value_at(0)
	}

	fn value_at(&mut self, depth: usize) -> Result<Value, Why> {
		let at = self.at();
		if depth > MAX_DEPTH {
			return Err(format!("byte {at}: nested too deeply"));
		}
		let fail = |reader: &Self, e| reader.why(at, e);
		let not_used = || format!("byte {at}: an item this format does not use");
		Ok(match self.datatype()? {
			Type::U8 | Type::U16 | Type::U32 | Type::U64 => {
				Value::Uint(self.decoder.u64().map_err(|e| fail(self, e))?)
			}
			Type::Bytes => Value::Bytes(self.decoder.bytes().map_err(|e| fail(self, e))?.to_vec()),
			Type::String => {
				let text = self.decoder.str().map_err(|e| match e.is_end_of_input() {
					true => self.why(at, e),
					false => format!("byte {at}: text that is not UTF-8"),
				})?;
				Value::Text(text.to_string())
			}
			Type::Array => {
				let len = self.decoder.array().map_err(|e| fail(self, e))?.ok_or_else(not_used)?;
				let mut items = Vec::new();
				for _ in 0..len {
					items.push(self.value_at(depth + 1)?);
				}
				Value::Array(items)
			}
			Type::Map => {
				let len = self.decoder.map().map_err(|e| fail(self, e))?.ok_or_else(not_used)?;
				let mut members = Vec::new();
				for _ in 0..len {
					let key = match self.value_at(depth + 1)? {
						Value::Text(key) => key,
						_ => return Err(format!("byte {at}: a map key that is not text")),
					};
					members.push((key, self.value_at(depth + 1)?));
				}
				Value::Map(members)
			}
			Type::Null => {
				self.decoder.null().map_err(|e| fail(self, e))?;
				Value::Null
			}
			_ => return Err(not_used()),
		})
	}
}

/// Writes the self-described tag.
pub fn magic(out: &mut Vec<u8>) {
	let _ = encoder(out).tag(minicbor::data::Tag::new(SELF_DESCRIBED));
}

/// Writes a byte string's head (its contents follow).
pub fn bytes_head(out: &mut Vec<u8>, len: u64) {
	let _ = encoder(out).bytes_len(len);
}

/// Writes an array's head (its items follow).
pub fn array_head(out: &mut Vec<u8>, len: u64) {
	let _ = encoder(out).array(len);
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
		// A byte string's head read alone, and the magic.
		let mut framed = Vec::new();
		magic(&mut framed);
		bytes_head(&mut framed, 300);
		let mut reader = Reader::new(&framed);
		reader.magic().expect("the magic");
		assert_eq!(reader.byte_string_len("the header").expect("a length"), 300);
		assert_eq!(reader.at(), framed.len());
		assert!(Reader::new(&[0x82, 1, 2]).magic().unwrap_err().contains("self-described"));
		let mut deep = vec![0x81; 20];
		deep.push(0);
		assert!(Reader::new(&deep).value().unwrap_err().contains("deeply"));
	}
}
