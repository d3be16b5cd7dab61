//! The types of the consortium: institutions, their codes, kinds and status.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// An institution's on-chain identifier, assigned in order of admission.
pub type InstitutionId = u32;

/// The version of an institution's encryption key: 1 for the first, one more at each rotation.
pub type KeyVersion = u32;

/// The longest public key of any [`KeyScheme`] (an uncompressed SM2 point takes 65 bytes).
pub const MAX_PUBLIC_KEY_LEN: u32 = 65;

/// The public-key scheme data shared with an institution is wrapped for.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum KeyScheme {
	/// HPKE (RFC 9180) with DHKEM(X25519, HKDF-SHA256): a 32-byte public key.
	X25519,
}

impl KeyScheme {
	/// Whether `public` is a well-formed public key of this scheme.
	pub fn is_valid_key(&self, public: &[u8]) -> bool {
		match self {
			// Any 32 bytes are an X25519 point's u coordinate; all zeros is the point whose
			// shared secrets are all zero, refused by HPKE.
			Self::X25519 => public.len() == 32 && public.iter().any(|b| *b != 0),
		}
	}
}

/// One version of an institution's encryption key.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct EncryptionKey<BlockNumber> {
	/// The scheme it is a key of.
	pub scheme: KeyScheme,
	/// The public key's bytes.
	pub public: frame_support::BoundedVec<u8, frame_support::traits::ConstU32<MAX_PUBLIC_KEY_LEN>>,
	/// The block it was published in.
	pub published: BlockNumber,
}

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
/// `0-9 A-H J-N P-R T U W-Y`, the last one a check character over the first 17.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
)]
pub struct CreditCode(pub [u8; 18]);

/// The 31 characters of a credit code, in the order of their values.
const CREDIT_CODE_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weight of each of the first 17 positions in the check character.
const CREDIT_CODE_WEIGHTS: [u32; 17] =
	[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

impl CreditCode {
	/// Whether the code is well formed: its alphabet, the six-digit region in positions 3-8
	/// and its check character.
	pub fn is_valid(&self) -> bool {
		let value = |c: u8| CREDIT_CODE_ALPHABET.iter().position(|a| *a == c);
		let mut sum: u32 = 0;
		for (i, weight) in CREDIT_CODE_WEIGHTS.iter().enumerate() {
			let Some(v) = value(self.0[i]) else { return false };
			// At most 30 * 30 * 17: no overflow.
			sum = sum.saturating_add((v as u32).saturating_mul(*weight));
		}
		if !self.0[2..8].iter().all(u8::is_ascii_digit) {
			return false;
		}
		let check = (31 - sum % 31) % 31;
		value(self.0[17]) == Some(check as usize)
	}

	/// The check character for the first 17 characters of a code, if they are in the alphabet.
	pub fn check_character(first17: &[u8; 17]) -> Option<u8> {
		let mut sum: u32 = 0;
		for (c, weight) in first17.iter().zip(CREDIT_CODE_WEIGHTS) {
			let v = CREDIT_CODE_ALPHABET.iter().position(|a| a == c)? as u32;
			sum = sum.saturating_add(v.saturating_mul(weight));
		}
		CREDIT_CODE_ALPHABET.get(((31 - sum % 31) % 31) as usize).copied()
	}
}

/// A six-digit administrative division code (行政区划代码, GB/T 2260), e.g. `110105`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct RegionCode(pub [u8; 6]);

/// The first two digits of every province-level division.
const PROVINCES: [u8; 34] = [
	11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
	53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

impl RegionCode {
	/// Whether the code is six digits starting with a province-level division.
	pub fn is_valid(&self) -> bool {
		self.0.iter().all(u8::is_ascii_digit)
			&& PROVINCES.contains(&((self.0[0] - b'0') * 10 + (self.0[1] - b'0')))
	}
}

/// What kind of organisation an institution is.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum InstitutionKind {
	/// 医院
	Hospital,
	/// 检验检测机构
	Lab,
	/// 卫生健康委员会
	HealthCommission,
	/// 科研院所
	ResearchInstitute,
	/// 医保、商业保险
	Insurer,
	/// Anything else.
	Other,
}

/// Where an institution stands in the consortium.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum InstitutionStatus {
	/// A member: its accounts may transact, its validator validates, its admin votes.
	Active,
	/// Temporarily out: its accounts are refused, its validator leaves at the next session,
	/// its admin does not vote. Governance may re-activate it.
	Suspended,
	/// Out for good. The record stays, so its past certificates keep an issuer; its credit
	/// code stays taken.
	Removed,
}

/// A member institution (`Name` and `PeerId` are bounded byte vectors).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Institution<AccountId, BlockNumber, Name, PeerId> {
	/// Its name, UTF-8 (Chinese names are usual; the limit counts bytes).
	pub name: Name,
	/// Its unified social credit code; unique in the consortium.
	pub credit_code: CreditCode,
	/// The administrative division it is registered in.
	pub region: RegionCode,
	/// What kind of organisation it is.
	pub kind: InstitutionKind,
	/// The account that manages its members and keys, and votes for it.
	pub admin: AccountId,
	/// The account whose session keys validate blocks for it.
	pub validator: AccountId,
	/// The libp2p peer id of its node (multihash bytes); only such nodes may connect.
	pub peer_id: PeerId,
	/// The version of its current encryption key in `EncryptionKeys` (every version is
	/// kept there: a grant names the version its keys were wrapped for); none yet.
	pub encryption_key_version: Option<KeyVersion>,
	/// Active, suspended or removed.
	pub status: InstitutionStatus,
	/// The block it was admitted in.
	pub joined: BlockNumber,
	/// How many member accounts it has (admin and validator included).
	pub member_count: u32,
}

/// An institution as the runtime API gives it: the stored [`Institution`] with its current
/// X25519 key in place of the key's version. Its encoding is the one institutions had before
/// keys were versioned (storage version 0), so a node reads every runtime's answer alike; all
/// versions of a key are `ConsortiumApi::encryption_keys`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct InstitutionView<AccountId, BlockNumber, Name, PeerId> {
	/// Its name, UTF-8.
	pub name: Name,
	/// Its unified social credit code.
	pub credit_code: CreditCode,
	/// Its administrative division.
	pub region: RegionCode,
	/// What kind of organisation it is.
	pub kind: InstitutionKind,
	/// Its admin account.
	pub admin: AccountId,
	/// Its validator account.
	pub validator: AccountId,
	/// Its node's libp2p peer id.
	pub peer_id: PeerId,
	/// Its current X25519 public key, if it published one.
	pub encryption_key: Option<[u8; 32]>,
	/// Active, suspended or removed.
	pub status: InstitutionStatus,
	/// The block it was admitted in.
	pub joined: BlockNumber,
	/// How many member accounts it has.
	pub member_count: u32,
}

/// What governance supplies to admit an institution (`Name` and `PeerId` are bounded byte
/// vectors).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Admission<AccountId, Name, PeerId> {
	/// Its name, UTF-8.
	pub name: Name,
	/// Its unified social credit code.
	pub credit_code: CreditCode,
	/// Its administrative division.
	pub region: RegionCode,
	/// What kind of organisation it is.
	pub kind: InstitutionKind,
	/// Its admin account (a voter while the institution is active).
	pub admin: AccountId,
	/// Its validator account (may be the admin).
	pub validator: AccountId,
	/// Its node's libp2p peer id (multihash bytes).
	pub peer_id: PeerId,
	/// Its X25519 public key, if it has one yet (its encryption key version 1).
	pub encryption_key: Option<[u8; 32]>,
}

/// A founding institution in the genesis configuration (a chain spec's JSON).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisInstitution<AccountId> {
	/// Its name.
	pub name: alloc::string::String,
	/// Its unified social credit code, 18 characters.
	pub credit_code: alloc::string::String,
	/// Its administrative division, six digits.
	pub region: alloc::string::String,
	/// What kind of organisation it is.
	pub kind: InstitutionKind,
	/// Its admin account.
	pub admin: AccountId,
	/// Its validator account.
	pub validator: AccountId,
	/// Its node's libp2p peer id (multihash bytes).
	pub peer_id: alloc::vec::Vec<u8>,
	/// Its other member accounts.
	pub members: alloc::vec::Vec<AccountId>,
}

/// Why the membership check refused a transaction (the `Custom` code of the
/// `InvalidTransaction` error, which clients map to a message).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum MembershipError {
	/// The signer is no account of any institution.
	NotAMember = 1,
	/// The signer's institution is suspended.
	InstitutionSuspended = 2,
	/// The signer's institution was removed.
	InstitutionRemoved = 3,
}

medtrust_primitives::wire_names!(InstitutionKind, "institution kind" {
	Hospital => "hospital",
	Lab => "lab",
	HealthCommission => "health-commission",
	ResearchInstitute => "research-institute",
	Insurer => "insurer",
	Other => "other",
});

medtrust_primitives::wire_names!(InstitutionStatus, "institution status" {
	Active => "active",
	Suspended => "suspended",
	Removed => "removed",
});

medtrust_primitives::wire_names!(MembershipError, "membership refusal" {
	NotAMember => "not-a-member",
	InstitutionSuspended => "institution-suspended",
	InstitutionRemoved => "institution-removed",
});

impl MembershipError {
	/// The refusal of a `Custom` transaction-validity code, if it is one of these.
	pub fn from_code(code: u8) -> Option<Self> {
		use medtrust_primitives::wire::WireName;
		Self::ALL.iter().copied().find(|e| *e as u8 == code)
	}

	/// What the refusal means, for a person.
	pub fn message(self) -> &'static str {
		match self {
			Self::NotAMember => {
				"the signer is not an account of any active institution of the consortium"
			}
			Self::InstitutionSuspended => "the signer's institution is suspended",
			Self::InstitutionRemoved => "the signer's institution was removed from the consortium",
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn code(text: &str) -> CreditCode {
		CreditCode(text.as_bytes().try_into().expect("18 characters"))
	}

	#[test]
	fn published_credit_codes_are_valid() {
		// Codes printed on public business licences.
		assert!(code("91350100M000100Y43").is_valid());
		assert!(code("12110000400000916P").is_valid());
	}

	#[test]
	fn credit_codes_with_a_wrong_check_character_or_alphabet_are_refused() {
		assert!(!code("91350100M000100Y44").is_valid());
		// I, O, S, V and Z are not in the alphabet.
		assert!(!code("91350100I000100Y43").is_valid());
		// Positions 3-8 are the region: digits only.
		assert!(!code("913A0100M000100Y43").is_valid());
	}

	#[test]
	fn check_character_completes_a_code() {
		let first: [u8; 17] = *b"91350100M000100Y4";
		assert_eq!(CreditCode::check_character(&first), Some(b'3'));
	}

	#[test]
	fn region_codes_start_with_a_province() {
		assert!(RegionCode(*b"110105").is_valid());
		assert!(RegionCode(*b"810000").is_valid());
		assert!(!RegionCode(*b"990000").is_valid());
		assert!(!RegionCode(*b"11010A").is_valid());
	}
}

medtrust_primitives::wire_names!(KeyScheme, "key scheme" {
	X25519 => "x25519",
});
