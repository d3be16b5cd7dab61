//! Bounded UTF-8 text for storage and call arguments.
//!
//! [`BoundedText`] is stored exactly as a `BoundedVec<u8, S>` is (a compact length, then the
//! bytes), but its type information says `str`, so Polkadot.js Apps, `@polkadot/api` and
//! subxt show `MedTrust 开发测试医院` instead of `0x4d6564…`. It only ever holds valid UTF-8
//! of at most `S` bytes (a Chinese character takes three): decoding and conversion refuse
//! anything else, so an extrinsic carrying malformed text is invalid before it dispatches.

use alloc::{string::String, vec::Vec};
use core::{fmt, ops::Deref};

use codec::{Decode, DecodeWithMemTracking, Encode, EncodeLike, Input, MaxEncodedLen};
use scale_info::{Type, TypeInfo};
use sp_core::Get;
use sp_runtime::BoundedVec;

/// UTF-8 text of at most `S::get()` bytes; see the [module documentation](self).
pub struct BoundedText<S>(BoundedVec<u8, S>);

/// Why bytes are not a [`BoundedText`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextError {
	/// More bytes than the bound.
	TooLong,
	/// Not valid UTF-8.
	NotUtf8,
}

impl<S: Get<u32>> BoundedText<S> {
	/// The text, if `bytes` are UTF-8 within the bound.
	pub fn try_from_bytes(bytes: Vec<u8>) -> Result<Self, TextError> {
		core::str::from_utf8(&bytes).map_err(|_| TextError::NotUtf8)?;
		BoundedVec::try_from(bytes).map(Self).map_err(|_| TextError::TooLong)
	}
}

impl<S> BoundedText<S> {
	/// The text.
	pub fn as_str(&self) -> &str {
		// Every constructor and the decoder check the bytes are UTF-8.
		core::str::from_utf8(&self.0).unwrap_or_default()
	}

	/// Its UTF-8 bytes.
	pub fn as_bytes(&self) -> &[u8] {
		&self.0
	}

	/// Its bytes, owned.
	pub fn into_inner(self) -> Vec<u8> {
		self.0.into_inner()
	}
}

impl<S> Deref for BoundedText<S> {
	type Target = str;
	fn deref(&self) -> &str {
		self.as_str()
	}
}

impl<S> AsRef<[u8]> for BoundedText<S> {
	fn as_ref(&self) -> &[u8] {
		&self.0
	}
}

impl<S: Get<u32>> TryFrom<Vec<u8>> for BoundedText<S> {
	type Error = TextError;
	fn try_from(bytes: Vec<u8>) -> Result<Self, TextError> {
		Self::try_from_bytes(bytes)
	}
}

impl<S: Get<u32>> TryFrom<&[u8]> for BoundedText<S> {
	type Error = TextError;
	fn try_from(bytes: &[u8]) -> Result<Self, TextError> {
		Self::try_from_bytes(bytes.to_vec())
	}
}

impl<S: Get<u32>> TryFrom<&str> for BoundedText<S> {
	type Error = TextError;
	fn try_from(text: &str) -> Result<Self, TextError> {
		Self::try_from_bytes(text.as_bytes().to_vec())
	}
}

impl<S: Get<u32>> TryFrom<String> for BoundedText<S> {
	type Error = TextError;
	fn try_from(text: String) -> Result<Self, TextError> {
		Self::try_from_bytes(text.into_bytes())
	}
}

impl<S> From<BoundedText<S>> for Vec<u8> {
	fn from(text: BoundedText<S>) -> Vec<u8> {
		text.into_inner()
	}
}

impl<S> Default for BoundedText<S> {
	fn default() -> Self {
		Self(BoundedVec::default())
	}
}

impl<S> Clone for BoundedText<S> {
	fn clone(&self) -> Self {
		Self(self.0.clone())
	}
}

impl<S> PartialEq for BoundedText<S> {
	fn eq(&self, other: &Self) -> bool {
		self.0.as_slice() == other.0.as_slice()
	}
}

impl<S> Eq for BoundedText<S> {}

impl<S> PartialOrd for BoundedText<S> {
	fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
		Some(self.cmp(other))
	}
}

impl<S> Ord for BoundedText<S> {
	fn cmp(&self, other: &Self) -> core::cmp::Ordering {
		self.0.as_slice().cmp(other.0.as_slice())
	}
}

impl<S> fmt::Debug for BoundedText<S> {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		fmt::Debug::fmt(self.as_str(), f)
	}
}

impl<S> fmt::Display for BoundedText<S> {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(self.as_str())
	}
}

impl<S> Encode for BoundedText<S> {
	fn size_hint(&self) -> usize {
		self.0.size_hint()
	}
	fn encode_to<T: codec::Output + ?Sized>(&self, dest: &mut T) {
		self.0.encode_to(dest)
	}
}

impl<S> EncodeLike for BoundedText<S> {}

impl<S: Get<u32>> Decode for BoundedText<S> {
	fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
		let bytes = BoundedVec::<u8, S>::decode(input)?;
		core::str::from_utf8(&bytes).map_err(|_| codec::Error::from("text is not UTF-8"))?;
		Ok(Self(bytes))
	}
}

impl<S: Get<u32>> DecodeWithMemTracking for BoundedText<S> {}

impl<S: Get<u32>> MaxEncodedLen for BoundedText<S> {
	fn max_encoded_len() -> usize {
		BoundedVec::<u8, S>::max_encoded_len()
	}
}

impl<S: 'static> TypeInfo for BoundedText<S> {
	type Identity = str;
	fn type_info() -> Type {
		<str as TypeInfo>::type_info()
	}
}

#[cfg(feature = "std")]
impl<S> serde::Serialize for BoundedText<S> {
	fn serialize<Se: serde::Serializer>(&self, serializer: Se) -> Result<Se::Ok, Se::Error> {
		serializer.serialize_str(self.as_str())
	}
}

#[cfg(feature = "std")]
impl<'de, S: Get<u32>> serde::Deserialize<'de> for BoundedText<S> {
	fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let text = String::deserialize(deserializer)?;
		Self::try_from(text).map_err(|e| serde::de::Error::custom(format!("{e:?}")))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::ConstU32;

	type Name = BoundedText<ConstU32<12>>;

	#[test]
	fn text_encodes_as_bytes_do_and_is_described_as_str() {
		let name = Name::try_from("患者姓名").expect("12 bytes");
		let bytes = BoundedVec::<u8, ConstU32<12>>::try_from("患者姓名".as_bytes().to_vec())
			.expect("12 bytes");
		assert_eq!(name.encode(), bytes.encode(), "a drop-in for BoundedVec<u8, S>");
		assert_eq!(name.encode(), "患者姓名".encode(), "and for str");
		assert_eq!(Name::decode(&mut &name.encode()[..]).expect("decodes"), name);
		assert_eq!(Name::type_info(), <str as TypeInfo>::type_info());
		assert_eq!(Name::max_encoded_len(), 1 + 12);
		assert_eq!(&*name, "患者姓名");
	}

	#[test]
	fn only_bounded_utf8_is_text() {
		assert_eq!(Name::try_from("患者姓名1").unwrap_err(), TextError::TooLong);
		assert_eq!(Name::try_from(vec![0xff, 0xfe]).unwrap_err(), TextError::NotUtf8);
		let not_utf8 = vec![0xffu8, 0xfe].encode();
		assert!(Name::decode(&mut &not_utf8[..]).is_err());
		let too_long = "患者姓名年龄".encode();
		assert!(Name::decode(&mut &too_long[..]).is_err());
	}
}
