//! `share fetch`: the grantee downloads a grant's records from the grantor's share server,
//! checks the package against the grant on chain, unwraps each record's key, decrypts it,
//! verifies it against its certificate on chain, writes the records in the anchored file's
//! format beside their portable certificates (all or nothing), and records the receipt.

use std::path::{Path, PathBuf};

use medtrust_rpc_types::sharing_json::{GrantJson, GrantState, RangeJson, Refusal};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subxt_signer::sr25519::Keypair;

use crate::{
	certificates::{
		keys::DataKey,
		portable::PortableCertificate,
		records::RecordFormat,
		verify::{verify_canonical, Verdict},
	},
	files,
	sharing::{
		grant::{hex32, package_info, scope_bytes},
		keys::ShareKeys,
		package::{package_hash, Wrapping},
		serve::FETCH_PATH,
		transfer::{FetchRequest, Served, MAX_RECORDS_PER_REQUEST},
		Error as SharingError, Sharing,
	},
	Error, Result,
};

/// The largest answer read (65,536 records of up to 64 KiB with their certificates).
const MAX_ANSWER: usize = 1 << 32;

/// A fetch done.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchReport {
	pub grant: u64,
	pub records: u64,
	/// Every record verified valid against its certificate on chain.
	pub verified: u64,
	pub out: PathBuf,
	/// The records' file.
	pub file: PathBuf,
	/// SHA-256 of the ciphertext received, as the receipt records it, `0x` hex.
	pub ciphertext: String,
	/// The receipt's transaction.
	pub receipt: String,
}

/// Splits ranges into pages of at most `max` records.
pub fn pages(ranges: &[RangeJson], max: u64) -> Vec<Vec<RangeJson>> {
	let mut out: Vec<Vec<RangeJson>> = vec![Vec::new()];
	let mut room = max;
	for r in ranges {
		let mut first = r.first;
		while first <= r.last {
			if room == 0 {
				out.push(Vec::new());
				room = max;
			}
			let last = r.last.min(first + room - 1);
			out.last_mut().expect("one page at least; qed").push(RangeJson { first, last });
			room -= last - first + 1;
			first = last + 1;
		}
	}
	out.retain(|p| !p.is_empty());
	out
}

impl Sharing<'_> {
	/// Fetches grant `grant`'s records (or those of `records`, positions within it) into
	/// `out` (a new directory); see the module.
	pub async fn fetch(
		&self,
		signer: &Keypair,
		grant: u64,
		(from, records): (Option<&str>, Option<&str>),
		out: &Path,
		keys: &Path,
	) -> Result<FetchReport> {
		if out.exists() {
			let reason = format!("{} exists: give a new directory", out.display());
			return Err(SharingError::Anchoring(reason).into());
		}
		let (g, url, secret) = self.fetchable(signer, grant, from, keys).await?;
		let subject = g.subject.as_deref().map(hex32).transpose()?;
		let expected = (hex32(&g.package)?, scope_bytes(&g.certificates, &g.records, subject));
		let info = package_info(g.grantor, g.grantee, g.grantee_key);
		let wanted = wanted_of(&g, records)?;
		let mut received = Vec::new();
		for page in pages(&wanted, MAX_RECORDS_PER_REQUEST) {
			let now = crate::sharing::scope::unix_now();
			let request =
				FetchRequest::signed(signer, &self.chain.genesis(), grant, page.clone(), now);
			let served = post_fetch(&url, &request).await?;
			if package_hash(&served.enc, g.grantee_key, &expected.1) != expected.0 {
				return Err(Error::Crypto(format!(
					"the server's package is not grant #{grant}'s: refused, nothing decrypted"
				)));
			}
			check_positions(&served, &page)?;
			received.push(served);
		}
		let wrapping = match received.first() {
			Some(first) => Wrapping::open(&secret, &first.enc, &info)?,
			None => return Err(Error::Internal("a grant of no records".into())),
		};
		let decrypted =
			self.decrypt_and_verify(&received, &wrapping, &g.certificates, g.grantor).await?;
		let (file, hash) = write_out(out, &received, &decrypted)?;
		let count = decrypted.len() as u64;
		let submitted = self.record_receipt(signer, grant, count, hash).await?;
		Ok(FetchReport {
			grant,
			records: count,
			verified: count,
			out: out.to_path_buf(),
			file,
			ciphertext: format!("0x{}", hex::encode(hash)),
			receipt: format!("{:?}", submitted.extrinsic_hash),
		})
	}

	/// The grant, checked fetchable by the signer's institution, the grantor's server and the
	/// private key the grant's records are wrapped for.
	async fn fetchable(
		&self,
		signer: &Keypair,
		grant: u64,
		from: Option<&str>,
		keys: &Path,
	) -> Result<(GrantJson, String, zeroize::Zeroizing<[u8; 32]>)> {
		let g = self.get(grant).await?.grant;
		let refused = |refusal| Error::from(SharingError::Refused { grant, refusal });
		match g.state {
			GrantState::Active => {}
			GrantState::Revoked => return Err(refused(Refusal::Revoked)),
			GrantState::Expired => return Err(refused(Refusal::Expired)),
		}
		let mine =
			self.chain.consortium().institution_of(&signer.public_key().to_account_id()).await?;
		if g.grantee != mine {
			return Err(refused(Refusal::NotGrantee));
		}
		let url = match from {
			Some(url) => url.to_string(),
			None => self.endpoint(g.grantor).await?.ok_or_else(|| {
				SharingError::Anchoring(format!(
					"institution #{} published no share server: give --from <url>",
					g.grantor
				))
			})?,
		};
		let key = self
			.encryption_keys(mine)
			.await?
			.into_iter()
			.find(|k| k.version == g.grantee_key)
			.ok_or_else(|| {
				SharingError::Keys(format!("no key version {} on chain", g.grantee_key))
			})?;
		let secret = ShareKeys::new(keys).secret_of(&hex32(&key.public)?)?;
		Ok((g, url, secret))
	}

	/// Each served record's key unwrapped, the record decrypted and verified against its
	/// certificate on chain: (canonical record, its certificate) in order.
	async fn decrypt_and_verify(
		&self,
		received: &[Served],
		wrapping: &Wrapping,
		certificates: &[u64],
		grantor: u32,
	) -> Result<Vec<(Vec<u8>, PortableCertificate)>> {
		let mut out = Vec::new();
		for served in received {
			for r in &served.records {
				let certificate: PortableCertificate = serde_json::from_slice(&r.certificate)
					.map_err(|e| {
						Error::Crypto(format!("record {}'s certificate: {e}", r.position))
					})?;
				let c = &certificate.certificate;
				if !certificates.contains(&c.id) || c.issuer != grantor {
					return Err(Error::Crypto(format!(
						"record {}'s certificate is not one of the grant's",
						r.position
					)));
				}
				let key = wrapping.unwrap(r.position, &r.wrapped_key)?;
				let cipher = DataKey::from_bytes(&key, c.source, c.resource, served.kek_version);
				let plain = cipher.decrypt(r.position - 1, &r.ciphertext)?;
				let checked = verify_canonical(&plain, &certificate).map_err(|report| {
					Error::Crypto(format!("record {}: {}", r.position, report.reason))
				})?;
				let report =
					self.chain.certificates().verify_checked(&certificate, checked).await?;
				if report.verdict != Verdict::Valid {
					return Err(Error::Crypto(format!(
						"record {} is {}: {}",
						r.position, report.verdict, report.reason
					)));
				}
				out.push((plain, certificate));
			}
		}
		Ok(out)
	}
}

/// The positions to fetch: `records` (within the grant), or all the grant's.
fn wanted_of(g: &GrantJson, records: Option<&str>) -> Result<Vec<RangeJson>> {
	let Some(text) = records else { return Ok(g.records.clone()) };
	let total = g.records.last().map_or(0, |r| r.last);
	let wanted = crate::sharing::scope::parse_ranges(text, total)?;
	let outside = crate::sharing::scope::positions(&wanted)
		.find(|p| !crate::sharing::scope::contains(&g.records, *p));
	if let Some(p) = outside {
		let reason = format!("record {p} is not in grant #{}", g.id);
		return Err(SharingError::Ranges { text: text.to_string(), reason }.into());
	}
	Ok(wanted)
}

/// Every served record is one asked for, once, in order.
fn check_positions(served: &Served, page: &[RangeJson]) -> Result<()> {
	let asked: Vec<u64> = crate::sharing::scope::positions(page).collect();
	let got: Vec<u64> = served.records.iter().map(|r| r.position).collect();
	if asked != got {
		return Err(Error::Crypto("the server answered other records than asked for".into()));
	}
	Ok(())
}

/// Writes the records (in the anchored file's format) and their certificates into a new
/// directory `out`, all or nothing; returns the records' file and the ciphertext's hash.
fn write_out(
	out: &Path,
	received: &[Served],
	decrypted: &[(Vec<u8>, PortableCertificate)],
) -> Result<(PathBuf, [u8; 32])> {
	let mut hash = Sha256::new();
	for served in received {
		for r in &served.records {
			hash.update(&r.ciphertext);
		}
	}
	if out.exists() {
		return Err(SharingError::Anchoring(format!(
			"{} exists: give a new directory",
			out.display()
		))
		.into());
	}
	let partial = out.with_extension("partial");
	let _ = std::fs::remove_dir_all(&partial);
	files::create_dir(&partial.join("certificates"))?;
	let format = decrypted.first().map(|(_, c)| c.record.format).unwrap_or(RecordFormat::Ndjson);
	let (name, text) = crate::certificates::records::render_records(
		format,
		decrypted.iter().map(|(r, _)| r.as_slice()),
	)?;
	files::write_atomic(&partial.join(name), text.as_bytes())?;
	for (served, (_, certificate)) in received.iter().flat_map(|s| s.records.iter()).zip(decrypted)
	{
		let bytes =
			serde_json::to_vec_pretty(certificate).map_err(|e| Error::Internal(e.to_string()))?;
		files::write_renamed(
			&partial.join("certificates").join(format!("{}.json", served.position)),
			&bytes,
		)?;
	}
	std::fs::rename(&partial, out).map_err(|e| Error::io("write", out, e))?;
	Ok((out.join(name), hash.finalize().into()))
}

/// Posts a fetch to the server at `url` and reads its answer.
async fn post_fetch(url: &str, request: &FetchRequest) -> Result<Served> {
	let body = serde_json::to_vec(request).map_err(|e| Error::Internal(e.to_string()))?;
	let (status, bytes) = crate::chain::http::post_bytes(url, FETCH_PATH, body, MAX_ANSWER).await?;
	if status != 200 {
		let reason = serde_json::from_slice::<serde_json::Value>(&bytes)
			.ok()
			.and_then(|v| v["error"].as_str().map(str::to_string))
			.unwrap_or_else(|| format!("HTTP {status}"));
		return Err(SharingError::ServerRefused { status, reason }.into());
	}
	Served::decode(&bytes, request.count())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn ranges_are_paged_without_losing_or_repeating_a_record() {
		let r = |first, last| RangeJson { first, last };
		let paged = pages(&[r(1, 5), r(8, 8), r(10, 12)], 4);
		assert_eq!(paged, vec![vec![r(1, 4)], vec![r(5, 5), r(8, 8), r(10, 11)], vec![r(12, 12)]]);
		assert_eq!(pages(&[r(1, 3)], 3), vec![vec![r(1, 3)]]);
		assert!(pages(&[], 3).is_empty());
	}
}
