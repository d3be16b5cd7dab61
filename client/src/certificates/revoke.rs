//! Revoking many certificates at once (a miscalibrated analyser, a withdrawn consent that
//! covers a whole run): every certificate checked first, so that nothing is revoked when one
//! of them cannot be, then all revocations in flight ([`Chain::submit_in_flight`]). Those
//! revoked already are skipped, so an interrupted run is finished by running it again.

use std::path::Path;

use futures::{StreamExt, TryStreamExt};
use medtrust_rpc_types::certificate_json::{CertificateJson, StatusJson};
use pallet_certificates::RevocationReason;
use subxt::utils::Static;
use subxt_signer::sr25519::Keypair;

use super::anchor::{dir::AnchorDir, state::AnchorState};
use crate::certificates::Certificates;
use crate::certificates::Error as CertificatesError;
use crate::{files, runtime, Error, Result};

/// How many certificates are read at once while checking.
const READING: usize = 64;

/// What [`Certificates::revoke_all`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revocations {
	/// The certificates it revoked, in the order given.
	pub revoked: Vec<u64>,
	/// Those that were revoked already (by an earlier run, or by hand), not revoked again.
	pub already: Vec<u64>,
}

impl Certificates<'_> {
	/// Revokes certificates `ids` of the signer's institution, for `reason`. Every one is
	/// checked first: one that does not exist, was issued by another institution, or is
	/// superseded fails the whole run before anything is submitted; one revoked already is
	/// skipped. Then every revocation is submitted together.
	pub async fn revoke_all(
		&self,
		signer: &Keypair,
		ids: &[u64],
		reason: RevocationReason,
	) -> Result<Revocations> {
		if ids.is_empty() {
			return Err(CertificatesError::Records("no certificates to revoke".into()).into());
		}
		let institution =
			self.chain.consortium().institution_of(&signer.public_key().to_account_id()).await?;
		let found: Vec<CertificateJson> = futures::stream::iter(ids)
			.map(|&id| self.get(id))
			.buffered(READING)
			.try_collect()
			.await?;
		let mut done = Revocations::default();
		let mut valid = Vec::new();
		for certificate in &found {
			let id = certificate.id;
			if certificate.issuer != institution {
				return Err(CertificatesError::NotRevocable(format!(
					"certificate #{id} was issued by institution {}, not the signer's ({institution}): \
					 nothing was revoked",
					certificate.issuer
				))
				.into());
			}
			match &certificate.status {
				StatusJson::Valid => valid.push(id),
				StatusJson::Revoked { .. } => done.already.push(id),
				StatusJson::Superseded { by, .. } => {
					return Err(CertificatesError::NotRevocable(format!(
						"certificate #{id} is superseded by #{by} and cannot be revoked (revoke \
						 #{by} instead): nothing was revoked"
					))
					.into())
				}
			}
		}
		let calls: Vec<_> = valid
			.iter()
			.map(|&id| runtime::transactions().certificates().revoke(id, Static(reason)))
			.collect();
		let mut failed = Vec::new();
		self.chain
			.submit_in_flight(&calls, signer, |landed| {
				match landed.failed {
					Some(why) => failed.push((valid[landed.index], why)),
					None => done.revoked.push(valid[landed.index]),
				}
				Ok(())
			})
			.await?;
		// A revocation refused because an interrupted run's, still in the pool, came first.
		for (id, why) in failed {
			match self.get(id).await?.status {
				StatusJson::Revoked { .. } => done.already.push(id),
				_ => {
					let what =
						format!("revoking certificate #{id} ({} revoked)", done.revoked.len());
					return Err(Error::Dispatch { what, failure: why });
				}
			}
		}
		Ok(done)
	}
}

/// The certificate ids a `--from` names: an anchoring output directory (every certificate of
/// its run, from `anchor-state.json`) or a text file of ids, one a line (blank lines and
/// lines from `#` on are skipped).
pub fn ids_from(path: &Path) -> Result<Vec<u64>> {
	if path.is_dir() {
		let dir = AnchorDir { root: path.to_path_buf() };
		let state: AnchorState = files::read_json(&dir.state())?;
		return Ok(state.certificates.iter().flatten().map(|&(id, _)| id).collect());
	}
	let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
	let mut ids = Vec::new();
	for (n, line) in text.lines().enumerate() {
		let line = line.split('#').next().unwrap_or_default().trim();
		if line.is_empty() {
			continue;
		}
		ids.push(line.parse().map_err(|_| {
			CertificatesError::Records(format!(
				"{} line {}: `{line}` is not a certificate id",
				path.display(),
				n + 1
			))
		})?);
	}
	Ok(ids)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn ids_are_read_from_a_list_with_comments_and_blank_lines() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let path = dir.path().join("ids.txt");
		std::fs::write(&path, "# the run of 1 March\n12\n\n 13 # twice calibrated\n14\n").unwrap();
		assert_eq!(ids_from(&path).expect("read"), vec![12, 13, 14]);
		std::fs::write(&path, "12\nthirteen\n").unwrap();
		let e = ids_from(&path).expect_err("refused").to_string();
		assert!(e.contains("line 2: `thirteen` is not a certificate id"), "{e}");
		let e = ids_from(&dir.path().join("none.txt")).expect_err("refused").to_string();
		assert!(e.contains("cannot read"), "{e}");
	}
}
