//! Granting an anchoring run's records to another institution: the scope (all its records, a
//! set of positions, or one data subject's), the HPKE package to the grantee's current key,
//! the grant on chain, and the grantor's own record of it ([`GrantStore`]), which its share
//! server serves from.

use std::path::{Path, PathBuf};

use codec::Encode;
use medtrust_rpc_types::sharing_json::{Purpose, RangeJson};
use serde::{Deserialize, Serialize};
use subxt::utils::Static;
use subxt_signer::sr25519::Keypair;
use zeroize::Zeroizing;

use crate::{
	certificates::{
		anchor::{
			dir::{AnchorDir, KeyFile},
			state::AnchorState,
		},
		keys::{DataKey, KeyStore},
		record_keys::{subject_tag, KeyTable},
	},
	chain::tx::Submitted,
	files,
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	sharing::{package, scope, Error as SharingError, Sharing},
	Error, Result,
};

/// What a grant is asked to grant.
#[derive(Debug, Clone)]
pub struct GrantRequest {
	/// The anchoring directory (`anchor --out`) whose records are granted.
	pub dir: PathBuf,
	/// The institution granted to.
	pub grantee: u32,
	pub purpose: Purpose,
	/// The legal basis, in words.
	pub legal_basis: String,
	/// Seconds since the Unix epoch.
	pub expires: u64,
	/// Positions (`1-1000,1500`); default every record.
	pub records: Option<String>,
	/// One data subject's records, by the raw value of the run's `--subject-field`.
	pub subject: Option<String>,
}

/// A grant made.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantReport {
	pub grant: u64,
	pub grantee: u32,
	pub grantee_key: u32,
	pub records: u64,
	pub ranges: Vec<RangeJson>,
	pub certificates: Vec<u64>,
	#[serde(with = "crate::wire::name")]
	pub purpose: Purpose,
	pub expires: u64,
	/// The package's hash, `0x` hex.
	pub package: String,
	pub extrinsic_hash: String,
}

/// An anchoring run opened to be shared: its key file, state and record-key table.
pub struct SharedRun {
	pub dir: AnchorDir,
	pub key: KeyFile,
	pub state: AnchorState,
	pub data_key: DataKey,
	pub table: KeyTable,
}

impl SharedRun {
	/// Opens anchoring directory `dir` with the institution's key-encryption keys.
	pub fn open(dir: &Path, store: &KeyStore) -> Result<Self> {
		let dir = AnchorDir { root: dir.to_path_buf() };
		if !dir.key().is_file() || !dir.state().is_file() {
			return Err(SharingError::Anchoring(format!(
				"{} is not a finished anchoring directory (`medtrust anchor --out`)",
				dir.root.display()
			))
			.into());
		}
		let key: KeyFile = files::read_json(&dir.key())?;
		if !key.record_keys {
			return Err(SharingError::Anchoring(format!(
				"{} was anchored before records had keys of their own: anchor the file again to \
				 share it",
				dir.root.display()
			))
			.into());
		}
		let state: AnchorState = files::read_json(&dir.state())?;
		let data_key = DataKey::unwrap(store, &key.wrapped, key.source, key.resource)?;
		let table = dir.open_key_table(&data_key)?;
		Ok(Self { dir, key, state, data_key, table })
	}

	/// The run's certificates, in order.
	pub fn certificates(&self) -> Result<Vec<u64>> {
		let mut ids = Vec::with_capacity(self.state.certificates.len());
		for (i, c) in self.state.certificates.iter().enumerate() {
			let (id, _) = c.ok_or_else(|| {
				SharingError::Anchoring(format!(
					"record {} of {} is not certified yet: finish the anchoring first",
					i + 1,
					self.dir.root.display()
				))
			})?;
			ids.push(id);
		}
		Ok(ids)
	}

	/// The positions a grant or an erasure names: `records`, one `subject`'s, or (neither)
	/// every record; with the subject's tag.
	pub fn positions(
		&self,
		records: Option<&str>,
		subject: Option<&str>,
	) -> Result<(Vec<RangeJson>, Option<[u8; 32]>)> {
		let total = self.key.records;
		match (records, subject) {
			(Some(_), Some(_)) => {
				Err(SharingError::Anchoring("name records or a subject, not both".into()).into())
			}
			(Some(text), None) => Ok((scope::parse_ranges(text, total)?, None)),
			(None, Some(subject)) => {
				if !self.table.has_subjects() {
					return Err(SharingError::Anchoring(format!(
						"{} was anchored without --subject-field: name records instead",
						self.dir.root.display()
					))
					.into());
				}
				let tag = subject_tag(&self.state.seed()?, subject.as_bytes());
				let indices = self.table.records_of(&tag);
				if indices.is_empty() {
					return Err(Error::not_found("record of the subject", subject));
				}
				Ok((scope::ranges_of(&indices), Some(tag)))
			}
			(None, None) => Ok((vec![RangeJson { first: 1, last: total }], None)),
		}
	}
}

/// The SCALE encoding of a scope, as the chain stores it (`certificates`, `records`,
/// `subject`): what the package's hash covers.
pub fn scope_bytes(
	certificates: &[u64],
	ranges: &[RangeJson],
	subject: Option<[u8; 32]>,
) -> Vec<u8> {
	let ranges: Vec<(u64, u64)> = ranges.iter().map(|r| (r.first, r.last)).collect();
	(certificates, ranges, subject).encode()
}

/// The HPKE context of a grant's package: who grants whom, for which key version.
pub fn package_info(grantor: u32, grantee: u32, key_version: u32) -> Vec<u8> {
	format!("medtrust:share:v1|grantor={grantor}|grantee={grantee}|key={key_version}").into_bytes()
}

/// The grantor's record of a grant, kept private in its key directory
/// (`grants/<id>.json`): what its share server needs to serve it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantRecord {
	pub grant: u64,
	/// The anchoring directory, absolute.
	pub dir: PathBuf,
	/// The package's encapsulation, hex.
	pub enc: String,
	/// The wrapping key, sealed under the run's data key, hex.
	pub wrapping: String,
}

/// The associated data a grant's wrapping key is sealed with.
fn wrapping_aad(enc: &[u8; 32]) -> Vec<u8> {
	[&b"medtrust:grant-wrapping:v1|"[..], enc].concat()
}

/// The grantor's grant records, in its key directory.
pub struct GrantStore {
	dir: PathBuf,
}

impl GrantStore {
	/// The records under key directory `keys`.
	pub fn new(keys: &Path) -> Self {
		Self { dir: keys.join("grants") }
	}

	fn path(&self, grant: u64) -> PathBuf {
		self.dir.join(format!("{grant}.json"))
	}

	/// Keeps the record of a grant.
	pub fn save(&self, record: &GrantRecord) -> Result<()> {
		files::create_private_dir(&self.dir)?;
		files::write_json(&self.path(record.grant), "the grant's record", record)
	}

	/// The record of grant `grant`, if this institution made it here.
	pub fn get(&self, grant: u64) -> Result<GrantRecord> {
		let path = self.path(grant);
		if !path.is_file() {
			return Err(Error::not_found(
				"grant record in this key directory",
				format!("#{grant}"),
			));
		}
		files::read_json(&path)
	}

	/// The wrapping key of a grant, unsealed with its run's data key.
	pub fn wrapping(record: &GrantRecord, data_key: &DataKey) -> Result<package::Wrapping> {
		let enc = hex32(&record.enc)?;
		let sealed = hex::decode(&record.wrapping)
			.map_err(|_| Error::Crypto(format!("grant #{}'s record is corrupt", record.grant)))?;
		let key = Zeroizing::new(data_key.open(&wrapping_aad(&enc), &sealed)?);
		let key: [u8; 32] = key.as_slice().try_into().map_err(|_| {
			Error::Crypto(format!("grant #{}'s wrapping key is malformed", record.grant))
		})?;
		Ok(package::Wrapping::from_key(Zeroizing::new(key)))
	}
}

/// 32 bytes from hex (with or without `0x`).
pub fn hex32(text: &str) -> Result<[u8; 32]> {
	let mut out = [0u8; 32];
	hex::decode_to_slice(text.trim_start_matches("0x"), &mut out)
		.map_err(|_| Error::Crypto(format!("`{text}` is not 32 bytes of hex")))?;
	Ok(out)
}

impl Sharing<'_> {
	/// Grants records of an anchoring run to another institution; see the module
	/// documentation. `keys` is the institution's key directory.
	pub async fn grant(
		&self,
		signer: &Keypair,
		request: &GrantRequest,
		keys: &Path,
	) -> Result<GrantReport> {
		let store = KeyStore::new(keys);
		let run = SharedRun::open(&request.dir, &store)?;
		let certificates = run.certificates()?;
		let (ranges, subject) =
			run.positions(request.records.as_deref(), request.subject.as_deref())?;
		if let Some(erased) = scope::positions(&ranges).find(|p| run.table.is_erased(p - 1)) {
			return Err(SharingError::Anchoring(format!(
				"record {erased} was erased: it cannot be granted"
			))
			.into());
		}
		let grantor =
			self.chain.consortium().institution_of(&signer.public_key().to_account_id()).await?;
		let key = self.current_key(request.grantee).await?;
		let public = hex32(&key.public)?;
		let (enc, wrapping) =
			package::Wrapping::seal(&public, &package_info(grantor, request.grantee, key.version))?;
		let package =
			package::package_hash(&enc, key.version, &scope_bytes(&certificates, &ranges, subject));
		let sealed = run.data_key.seal(&wrapping_aad(&enc), wrapping.key())?;
		let call = runtime::transactions().sharing().grant(
			request.grantee,
			scope_call(&certificates, &ranges, subject),
			Static(request.purpose),
			request.legal_basis.clone(),
			request.expires,
			package,
		);
		let (submitted, events): (Submitted, _) =
			self.chain.submit_with_events(&call, signer).await?;
		let granted = events
			.find_first::<runtime::sharing::events::Granted>()
			.and_then(|e| e.ok())
			.ok_or_else(|| Error::Internal("no Granted event".into()))?;
		let dir =
			std::fs::canonicalize(&request.dir).map_err(|e| Error::io("read", &request.dir, e))?;
		GrantStore::new(keys).save(&GrantRecord {
			grant: granted.grant,
			dir,
			enc: hex::encode(enc),
			wrapping: hex::encode(sealed),
		})?;
		Ok(GrantReport {
			grant: granted.grant,
			grantee: request.grantee,
			grantee_key: key.version,
			records: granted.records,
			ranges,
			certificates,
			purpose: request.purpose,
			expires: request.expires,
			package: format!("0x{}", hex::encode(package)),
			extrinsic_hash: format!("{:?}", submitted.extrinsic_hash),
		})
	}
}

/// An erasure done.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasureReport {
	/// The erasures recorded on chain (one per 64 grants to tell).
	pub erasures: Vec<u64>,
	/// The records whose keys were destroyed (a subject's slot takes all its records).
	pub records: u64,
	pub ranges: Vec<RangeJson>,
	/// The grants whose grantees must attest deletion.
	pub grants: Vec<u64>,
}

impl Sharing<'_> {
	/// Erases records of an anchoring run (crypto-shredding): destroys their keys in the
	/// run's record-key table first (a subject's, or the slots of the records named: for a run
	/// with subjects, every record of their subjects), then records the erasure on chain,
	/// naming every grant of the run that holds an erased record, whose grantee must attest
	/// deletion. Run again after a failure, it records what is destroyed already.
	pub async fn erase(
		&self,
		signer: &Keypair,
		dir: &Path,
		records: Option<&str>,
		subject: Option<&str>,
		keys: &Path,
	) -> Result<ErasureReport> {
		let store = KeyStore::new(keys);
		let mut run = SharedRun::open(dir, &store)?;
		let certificates = run.certificates()?;
		let (asked, tag) = run.positions(records, subject)?;
		let indices: Vec<u64> = scope::positions(&asked).map(|p| p - 1).collect();
		let erased = run.table.erase(&indices)?;
		run.dir.save_key_table(&run.table, &run.data_key)?;
		let ranges = scope::ranges_of(&erased);
		let grantor =
			self.chain.consortium().institution_of(&signer.public_key().to_account_id()).await?;
		let grants: Vec<u64> = self
			.list(grantor, crate::sharing::Side::Granted)
			.await?
			.into_iter()
			.filter(|g| g.certificates == certificates && overlaps(&g.records, &ranges))
			.map(|g| g.id)
			.collect();
		let mut erasures = Vec::new();
		let chunks: Vec<&[u64]> =
			if grants.is_empty() { vec![&[]] } else { grants.chunks(64).collect() };
		for chunk in chunks {
			let call = runtime::transactions().sharing().record_erasure(
				scope_call(&certificates, &ranges, tag),
				BoundedVec(chunk.to_vec()),
			);
			let (_, events) = self.chain.submit_with_events(&call, signer).await?;
			let erasure = events
				.find_first::<runtime::sharing::events::Erased>()
				.and_then(|e| e.ok())
				.ok_or_else(|| Error::Internal("no Erased event".into()))?;
			erasures.push(erasure.erasure);
		}
		Ok(ErasureReport { erasures, records: erased.len() as u64, ranges, grants })
	}
}

/// Whether some record is in both (ascending, apart) range lists: the pallet's own test.
fn overlaps(a: &[RangeJson], b: &[RangeJson]) -> bool {
	let ranges = |r: &[RangeJson]| {
		r.iter().map(|r| pallet_sharing::RecordRange::from(*r)).collect::<Vec<_>>()
	};
	pallet_sharing::overlaps(&ranges(a), &ranges(b))
}

/// A scope as the chain's call takes it.
fn scope_call(
	certificates: &[u64],
	ranges: &[RangeJson],
	subject: Option<[u8; 32]>,
) -> runtime::runtime_types::pallet_sharing::types::Scope {
	runtime::runtime_types::pallet_sharing::types::Scope {
		certificates: BoundedVec(certificates.to_vec()),
		records: BoundedVec(
			ranges
				.iter()
				.map(|r| runtime::runtime_types::pallet_sharing::types::RecordRange {
					first: r.first,
					last: r.last,
				})
				.collect(),
		),
		subject,
	}
}
