//! The transfer protocol between a grantee and the grantor's share server (`share serve`,
//! `share fetch`): what crosses the wire is ciphertext, wrapped keys and signed requests, so
//! the channel need not be trusted (TLS may sit in front).
//!
//! A fetch is a POST of JSON to `/share/v1/fetch`: the grant, the record ranges asked for, the
//! requesting account (SS58, a member of the grantee institution), the time, a random nonce
//! and the account's sr25519 signature over all of them and the chain's genesis hash
//! ([`FetchRequest::payload`]). The server refuses a request whose signature does not verify,
//! whose time is more than [`CLOCK_SKEW`] away from its own, or whose nonce it has seen within
//! the window ([`ReplayGuard`]); then it checks the grant at the finalized block.
//!
//! The answer is CBOR ([`Served`]): the package's encapsulation, the version of the grantor's
//! key-encryption key the records are bound to and, for each record, its position, its key
//! wrapped under the grant's wrapping key, its ciphertext and its portable certificate
//! (without the offline evidence, which the grantee asks the chain for).

use std::collections::HashMap;

use medtrust_rpc_types::sharing_json::{ranges_text, RangeJson};
use serde::{Deserialize, Serialize};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::{self, Keypair};

use crate::{Error, Result};

/// How far a request's time may be from the server's, in seconds.
pub const CLOCK_SKEW: u64 = 300;
/// The most records one request may ask for.
pub const MAX_RECORDS_PER_REQUEST: u64 = 65_536;
/// The most ranges one request may name.
pub const MAX_RANGES_PER_REQUEST: usize = 1_024;

/// A grantee's signed request for records of a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchRequest {
	pub grant: u64,
	pub records: Vec<RangeJson>,
	/// The signing account, SS58.
	pub account: String,
	/// Seconds since the Unix epoch.
	pub time: u64,
	/// 16 random bytes, hex.
	pub nonce: String,
	/// The sr25519 signature of [`FetchRequest::payload`], `0x` hex.
	pub signature: String,
}

/// Why a share server refuses a request before it looks at the grant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestRefusal {
	/// Not a request: a field missing or malformed.
	#[error("malformed request: {0}")]
	Malformed(String),
	/// More than the server answers at once.
	#[error(
		"at most {MAX_RECORDS_PER_REQUEST} records and {MAX_RANGES_PER_REQUEST} ranges a request"
	)]
	TooLarge,
	/// The signature does not verify for the account.
	#[error("the signature does not verify")]
	Forged,
	/// The time is too far from the server's.
	#[error("the request's time is more than {CLOCK_SKEW} s from the server's")]
	Stale,
	/// The nonce was used already.
	#[error("the request was replayed")]
	Replayed,
	/// The server remembers too many nonces to take another now.
	#[error("too many requests: try again later")]
	Busy,
}

impl RequestRefusal {
	/// The HTTP status the server answers it with.
	pub fn status(&self) -> u16 {
		match self {
			Self::Malformed(_) => 400,
			Self::TooLarge => 413,
			Self::Forged | Self::Stale | Self::Replayed => 401,
			Self::Busy => 503,
		}
	}
}

impl FetchRequest {
	/// What is signed: the protocol, the chain, the grant, the ranges, the time and the nonce.
	pub fn payload(
		genesis: &str,
		grant: u64,
		records: &[RangeJson],
		time: u64,
		nonce: &str,
	) -> Vec<u8> {
		format!(
			"medtrust:share-fetch:v1|genesis={genesis}|grant={grant}|records={}|time={time}|nonce={nonce}",
			ranges_text(records)
		)
		.into_bytes()
	}

	/// A request for `records` of `grant`, signed by `signer` now.
	pub fn signed(
		signer: &Keypair,
		genesis: &str,
		grant: u64,
		records: Vec<RangeJson>,
		now: u64,
	) -> Self {
		let nonce = hex::encode(&crate::certificates::keys::random32()[..16]);
		let payload = Self::payload(genesis, grant, &records, now, &nonce);
		let signature = format!("0x{}", hex::encode(signer.sign(&payload).0));
		let account = signer.public_key().to_account_id().to_string();
		Self { grant, records, account, time: now, nonce, signature }
	}

	/// How many records it asks for.
	pub fn count(&self) -> u64 {
		self.records
			.iter()
			.fold(0u64, |n, r| n.saturating_add(r.last.saturating_sub(r.first).saturating_add(1)))
	}

	/// Checks its shape, size and signature for the chain `genesis`; returns the account.
	pub fn verify(&self, genesis: &str) -> std::result::Result<AccountId32, RequestRefusal> {
		let ordered = self.records.windows(2).all(|w| w[0].last < w[1].first);
		let formed = self.records.iter().all(|r| r.first >= 1 && r.first <= r.last);
		if self.records.is_empty() || !ordered || !formed {
			return Err(RequestRefusal::Malformed("records: ascending, apart, from 1".into()));
		}
		if self.records.len() > MAX_RANGES_PER_REQUEST || self.count() > MAX_RECORDS_PER_REQUEST {
			return Err(RequestRefusal::TooLarge);
		}
		if self.nonce.len() != 32 || hex::decode(&self.nonce).is_err() {
			return Err(RequestRefusal::Malformed("nonce: 16 bytes, hex".into()));
		}
		let account: AccountId32 = self
			.account
			.parse()
			.map_err(|_| RequestRefusal::Malformed("account: an SS58 address".into()))?;
		let mut signature = [0u8; 64];
		hex::decode_to_slice(self.signature.trim_start_matches("0x"), &mut signature)
			.map_err(|_| RequestRefusal::Malformed("signature: 64 bytes, hex".into()))?;
		let payload = Self::payload(genesis, self.grant, &self.records, self.time, &self.nonce);
		let public = sr25519::PublicKey(account.0);
		if !sr25519::verify(&sr25519::Signature(signature), payload, &public) {
			return Err(RequestRefusal::Forged);
		}
		Ok(account)
	}
}

/// The nonces a server has seen within the clock window: a request's time must be near the
/// server's and its nonce new.
pub struct ReplayGuard {
	seen: HashMap<String, u64>,
	capacity: usize,
}

impl ReplayGuard {
	/// A guard remembering at most `capacity` nonces (each for twice [`CLOCK_SKEW`]).
	pub fn new(capacity: usize) -> Self {
		Self { seen: HashMap::new(), capacity }
	}

	/// Admits a request of `time` with `nonce` at `now`, once.
	pub fn admit(
		&mut self,
		nonce: &str,
		time: u64,
		now: u64,
	) -> std::result::Result<(), RequestRefusal> {
		if time.abs_diff(now) > CLOCK_SKEW {
			return Err(RequestRefusal::Stale);
		}
		if self.seen.len() >= self.capacity {
			self.seen.retain(|_, at| at.abs_diff(now) <= 2 * CLOCK_SKEW);
		}
		if self.seen.contains_key(nonce) {
			return Err(RequestRefusal::Replayed);
		}
		if self.seen.len() >= self.capacity {
			return Err(RequestRefusal::Busy);
		}
		self.seen.insert(nonce.to_string(), time);
		Ok(())
	}
}

/// One record as served: its position (1 first), its wrapped key, its ciphertext and its
/// portable certificate (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedRecord {
	pub position: u64,
	pub wrapped_key: Vec<u8>,
	pub ciphertext: Vec<u8>,
	pub certificate: Vec<u8>,
}

/// What a share server answers a fetch with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
	pub grant: u64,
	/// The package's HPKE encapsulation.
	pub enc: [u8; 32],
	/// The grantor's key-encryption key version the records' ciphertexts are bound to.
	pub kek_version: u32,
	pub records: Vec<ServedRecord>,
}

/// The CBOR layout's version tag.
const LAYOUT: &str = "medtrust-share-v1";

impl Served {
	/// CBOR: `[layout, grant, enc, kek version, [[position, wrapped key, ciphertext,
	/// certificate], …]]`.
	pub fn encode(&self) -> Vec<u8> {
		let mut out = Vec::with_capacity(
			64 + self
				.records
				.iter()
				.map(|r| 32 + r.wrapped_key.len() + r.ciphertext.len() + r.certificate.len())
				.sum::<usize>(),
		);
		let mut e = minicbor::Encoder::new(&mut out);
		let written =
			(|| -> std::result::Result<(), minicbor::encode::Error<std::convert::Infallible>> {
				e.array(5)?
					.str(LAYOUT)?
					.u64(self.grant)?
					.bytes(&self.enc)?
					.u32(self.kek_version)?;
				e.array(self.records.len() as u64)?;
				for r in &self.records {
					e.array(4)?.u64(r.position)?.bytes(&r.wrapped_key)?.bytes(&r.ciphertext)?;
					e.bytes(&r.certificate)?;
				}
				Ok(())
			})();
		// Writing to a vector cannot fail.
		debug_assert!(written.is_ok());
		out
	}

	/// Reads what [`Served::encode`] wrote; refuses anything else, at most `max_records`.
	pub fn decode(bytes: &[u8], max_records: u64) -> Result<Self> {
		let bad =
			|what: &str| Error::Crypto(format!("the share server's answer is malformed: {what}"));
		let mut d = minicbor::Decoder::new(bytes);
		let whole = (|| -> std::result::Result<Self, minicbor::decode::Error> {
			if d.array()? != Some(5) || d.str()? != LAYOUT {
				return Err(minicbor::decode::Error::message("not a medtrust-share-v1 answer"));
			}
			let grant = d.u64()?;
			let enc: [u8; 32] =
				d.bytes()?.try_into().map_err(|_| minicbor::decode::Error::message("enc"))?;
			let kek_version = d.u32()?;
			let n = d.array()?.ok_or_else(|| minicbor::decode::Error::message("records"))?;
			if n > max_records {
				return Err(minicbor::decode::Error::message("more records than asked for"));
			}
			// Each record takes at least 5 bytes: a claimed count beyond that is refused when
			// the bytes run out, never allocated for.
			let mut records = Vec::with_capacity(n.min(bytes.len() as u64 / 5) as usize);
			for _ in 0..n {
				if d.array()? != Some(4) {
					return Err(minicbor::decode::Error::message("a record"));
				}
				let position = d.u64()?;
				let wrapped_key = d.bytes()?.to_vec();
				let ciphertext = d.bytes()?.to_vec();
				let certificate = d.bytes()?.to_vec();
				records.push(ServedRecord { position, wrapped_key, ciphertext, certificate });
			}
			Ok(Self { grant, enc, kek_version, records })
		})()
		.map_err(|e| bad(&e.to_string()))?;
		if d.position() != bytes.len() {
			return Err(bad("bytes after the answer"));
		}
		Ok(whole)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn signer(uri: &str) -> Keypair {
		crate::chain::signer::parse(uri).expect("a dev key")
	}

	fn ranges() -> Vec<RangeJson> {
		vec![RangeJson { first: 1, last: 2 }, RangeJson { first: 5, last: 5 }]
	}

	#[test]
	fn a_signed_request_verifies_and_any_change_is_forged() {
		let bob = signer("//Bob");
		let request = FetchRequest::signed(&bob, "0xabc", 7, ranges(), 1_800_000_000);
		assert_eq!(request.verify("0xabc"), Ok(bob.public_key().to_account_id()));
		assert_eq!(request.count(), 3);
		// Another chain, grant, range, time, nonce or account: the signature fails.
		assert_eq!(request.verify("0xdef"), Err(RequestRefusal::Forged));
		let mut other = request.clone();
		other.grant = 8;
		assert_eq!(other.verify("0xabc"), Err(RequestRefusal::Forged));
		let mut other = request.clone();
		other.records[1].last = 6;
		assert_eq!(other.verify("0xabc"), Err(RequestRefusal::Forged));
		let mut other = request.clone();
		other.time += 1;
		assert_eq!(other.verify("0xabc"), Err(RequestRefusal::Forged));
		let mut other = request.clone();
		other.account = signer("//Charlie").public_key().to_account_id().to_string();
		assert_eq!(other.verify("0xabc"), Err(RequestRefusal::Forged));
		// Malformed and too large.
		for change in [
			|r: &mut FetchRequest| r.records.clear(),
			|r: &mut FetchRequest| r.records = vec![RangeJson { first: 0, last: 1 }],
			|r: &mut FetchRequest| r.records.reverse(),
			|r: &mut FetchRequest| r.nonce = "xyz".into(),
			|r: &mut FetchRequest| r.account = "not an address".into(),
			|r: &mut FetchRequest| r.signature = "0x1234".into(),
		] {
			let mut bad = request.clone();
			change(&mut bad);
			assert!(matches!(bad.verify("0xabc"), Err(RequestRefusal::Malformed(_))), "{bad:?}");
		}
		let huge =
			FetchRequest::signed(&bob, "0xabc", 7, vec![RangeJson { first: 1, last: 1 << 20 }], 0);
		assert_eq!(huge.verify("0xabc"), Err(RequestRefusal::TooLarge));
		assert_eq!(RequestRefusal::Replayed.status(), 401);
	}

	#[test]
	fn a_nonce_is_admitted_once_within_the_clock_window() {
		let mut guard = ReplayGuard::new(2);
		let now = 1_800_000_000;
		assert_eq!(guard.admit("a", now, now), Ok(()));
		assert_eq!(guard.admit("a", now, now), Err(RequestRefusal::Replayed));
		assert_eq!(guard.admit("b", now - CLOCK_SKEW - 1, now), Err(RequestRefusal::Stale));
		assert_eq!(guard.admit("b", now + CLOCK_SKEW + 1, now), Err(RequestRefusal::Stale));
		assert_eq!(guard.admit("b", now + 10, now), Ok(()));
		// Full: nothing old to forget yet.
		assert_eq!(guard.admit("c", now, now), Err(RequestRefusal::Busy));
		// Later, the old nonces are forgotten (their times are out of the window anyway).
		let later = now + 3 * CLOCK_SKEW;
		assert_eq!(guard.admit("c", later, later), Ok(()));
		assert_eq!(guard.admit("a", now, later), Err(RequestRefusal::Stale));
	}

	#[test]
	fn answers_round_trip_and_hostile_ones_are_refused() {
		let served = Served {
			grant: 3,
			enc: [9; 32],
			kek_version: 2,
			records: vec![
				ServedRecord {
					position: 1,
					wrapped_key: vec![1; 48],
					ciphertext: vec![2; 40],
					certificate: b"{}".to_vec(),
				},
				ServedRecord {
					position: 5,
					wrapped_key: vec![3; 48],
					ciphertext: vec![],
					certificate: vec![],
				},
			],
		};
		let bytes = served.encode();
		assert_eq!(Served::decode(&bytes, 2).expect("decodes"), served);
		assert!(Served::decode(&bytes, 1).is_err(), "more than asked for");
		for cut in [0, 1, 10, bytes.len() - 1] {
			assert!(Served::decode(&bytes[..cut], 2).is_err(), "cut at {cut}");
		}
		let mut trailing = bytes.clone();
		trailing.push(0);
		assert!(Served::decode(&trailing, 2).is_err());
		// A length claiming 2^60 records, or bytes, is refused without allocating it.
		let mut huge = Vec::new();
		let mut e = minicbor::Encoder::new(&mut huge);
		e.array(5).unwrap().str(LAYOUT).unwrap().u64(3).unwrap().bytes(&[9; 32]).unwrap();
		e.u32(1).unwrap().array(1 << 60).unwrap();
		assert!(Served::decode(&huge, 1 << 62).is_err());
		assert!(Served::decode(b"{\"json\": true}", 2).is_err());
	}
}
