//! The pallet's logic, behind its thin calls, and its read queries.

use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, traits::UnixTime};
use medtrust_primitives::text::BoundedText;
use pallet_certificates::{CertificateStatus, Certificates, Subject};
use sp_runtime::{DispatchError, DispatchResult};

use crate::{pallet::*, types::*};

impl<T: Config> Pallet<T> {
	/// Now, in seconds since the Unix epoch.
	fn now() -> u64 {
		T::Time::now().as_secs()
	}

	/// Checks that `scope` names certificates `issuer` issued (valid ones when `valid`) and
	/// positions within their records; returns how many records it holds.
	fn check_scope(
		issuer: InstitutionId,
		scope: &Scope<T>,
		valid: bool,
	) -> Result<u64, DispatchError> {
		ensure!(!scope.certificates.is_empty(), Error::<T>::InvalidScope);
		let mut seen = scope.certificates.to_vec();
		seen.sort_unstable();
		seen.dedup();
		ensure!(seen.len() == scope.certificates.len(), Error::<T>::InvalidScope);
		let mut total = 0u64;
		for id in &scope.certificates {
			let certificate = Certificates::<T>::get(id).ok_or(Error::<T>::NotFound)?;
			ensure!(certificate.issuer == issuer, Error::<T>::NotAuthorized);
			if valid {
				ensure!(certificate.status == CertificateStatus::Valid, Error::<T>::NotValid);
			}
			let records = match certificate.subject {
				Subject::Record { .. } => 1,
				Subject::Batch { leaf_count, .. } => leaf_count,
			};
			total = total.saturating_add(records);
		}
		ensure!(ranges_are_valid(&scope.records, total), Error::<T>::InvalidScope);
		let records = count(&scope.records);
		ensure!(records > 0, Error::<T>::InvalidScope);
		Ok(records)
	}

	/// Grants `scope` to `grantee`; returns the grant's id.
	pub(crate) fn do_grant(
		grantor: InstitutionId,
		grantee: InstitutionId,
		scope: Scope<T>,
		purpose: Purpose,
		legal_basis: BoundedText<T::MaxLegalBasisLen>,
		expires: u64,
		package: [u8; 32],
	) -> Result<GrantId, DispatchError> {
		ensure!(grantee != grantor && T::Keys::is_active(grantee), Error::<T>::InvalidGrantee);
		let grantee_key = T::Keys::current_key(grantee).ok_or(Error::<T>::NoKey)?;
		let now = Self::now();
		ensure!(
			expires > now && expires <= now.saturating_add(T::MaxGrantSeconds::get()),
			Error::<T>::InvalidExpiry
		);
		ensure!(
			!legal_basis.is_empty() && core::str::from_utf8(legal_basis.as_bytes()).is_ok(),
			Error::<T>::InvalidLegalBasis
		);
		let record_count = Self::check_scope(grantor, &scope, true)?;
		let id = NextGrantId::<T>::get();
		Grants::<T>::insert(
			id,
			Grant {
				grantor,
				grantee,
				grantee_key,
				scope,
				record_count,
				purpose,
				legal_basis,
				expires,
				package,
				granted: frame_system::Pallet::<T>::block_number(),
				status: GrantStatus::Active,
				receipts: 0,
				attestations: 0,
				pending: 0,
			},
		);
		GrantOfGrantor::<T>::insert(grantor, id, ());
		GrantOfGrantee::<T>::insert(grantee, id, ());
		// One id per extrinsic: a u64 does not run out.
		NextGrantId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::Granted {
			grant: id,
			grantor,
			grantee,
			purpose,
			records: record_count,
		});
		Ok(id)
	}

	pub(crate) fn do_revoke(grantor: InstitutionId, id: GrantId) -> DispatchResult {
		Grants::<T>::try_mutate(id, |maybe| -> DispatchResult {
			let grant = maybe.as_mut().ok_or(Error::<T>::NotFound)?;
			ensure!(grant.grantor == grantor, Error::<T>::NotAuthorized);
			ensure!(grant.status == GrantStatus::Active, Error::<T>::Revoked);
			grant.status = GrantStatus::Revoked { at: frame_system::Pallet::<T>::block_number() };
			Ok(())
		})?;
		Self::deposit_event(Event::GrantRevoked { grant: id });
		Ok(())
	}

	pub(crate) fn do_record_receipt(
		grantee: InstitutionId,
		id: GrantId,
		records: u64,
		ciphertext: [u8; 32],
	) -> DispatchResult {
		let index = Grants::<T>::try_mutate(id, |maybe| {
			let grant = maybe.as_mut().ok_or(Error::<T>::NotFound)?;
			ensure!(grant.grantee == grantee, Error::<T>::NotAuthorized);
			ensure!(records >= 1 && records <= grant.record_count, Error::<T>::InvalidReceipt);
			ensure!(grant.receipts < T::MaxReceipts::get(), Error::<T>::TooMany);
			let index = grant.receipts;
			grant.receipts = index.saturating_add(1);
			Ok::<_, DispatchError>(index)
		})?;
		let at = frame_system::Pallet::<T>::block_number();
		Receipts::<T>::insert(id, index, Receipt { records, ciphertext, at });
		Self::deposit_event(Event::ReceiptRecorded { grant: id, records, ciphertext });
		Ok(())
	}

	/// Records a deletion attestation; returns how many pending deletions it cleared.
	pub(crate) fn do_attest_deletion(
		grantee: InstitutionId,
		id: GrantId,
		erasure: Option<ErasureId>,
	) -> Result<u32, DispatchError> {
		let (index, cleared) = Grants::<T>::try_mutate(id, |maybe| {
			let grant = maybe.as_mut().ok_or(Error::<T>::NotFound)?;
			ensure!(grant.grantee == grantee, Error::<T>::NotAuthorized);
			ensure!(grant.attestations < T::MaxAttestations::get(), Error::<T>::TooMany);
			let cleared = match erasure {
				Some(erasure) => {
					ensure!(
						PendingDeletion::<T>::contains_key(id, erasure),
						Error::<T>::NotPending
					);
					PendingDeletion::<T>::remove(id, erasure);
					1
				}
				// Everything received deleted: every pending erasure answered (at most
				// `MaxAttestations`, as `record_erasure` ensures).
				None => {
					let _ = PendingDeletion::<T>::clear_prefix(id, T::MaxAttestations::get(), None);
					grant.pending
				}
			};
			grant.pending = grant.pending.saturating_sub(cleared);
			let index = grant.attestations;
			grant.attestations = index.saturating_add(1);
			Ok::<_, DispatchError>((index, cleared))
		})?;
		let at = frame_system::Pallet::<T>::block_number();
		Attestations::<T>::insert(id, index, Attestation { erasure, at });
		Self::deposit_event(Event::DeletionAttested { grant: id, erasure });
		Ok(cleared)
	}

	/// Records an erasure; returns its id.
	pub(crate) fn do_record_erasure(
		institution: InstitutionId,
		scope: Scope<T>,
		grants: BoundedVec<GrantId, T::MaxGrantsPerErasure>,
	) -> Result<ErasureId, DispatchError> {
		let record_count = Self::check_scope(institution, &scope, false)?;
		let mut named = grants.to_vec();
		named.sort_unstable();
		named.dedup();
		ensure!(named.len() == grants.len(), Error::<T>::InvalidScope);
		for id in &grants {
			let grant = Grants::<T>::get(id).ok_or(Error::<T>::NotFound)?;
			ensure!(grant.grantor == institution, Error::<T>::NotAuthorized);
			ensure!(
				grant.scope.certificates == scope.certificates
					&& overlaps(&grant.scope.records, &scope.records),
				Error::<T>::GrantNotAffected
			);
			ensure!(grant.pending < T::MaxAttestations::get(), Error::<T>::TooMany);
		}
		let id = NextErasureId::<T>::get();
		for grant in &grants {
			PendingDeletion::<T>::insert(grant, id, ());
			Grants::<T>::mutate(grant, |g| {
				if let Some(g) = g {
					g.pending = g.pending.saturating_add(1);
				}
			});
		}
		Erasures::<T>::insert(
			id,
			Erasure {
				institution,
				scope,
				record_count,
				grants: grants.clone(),
				at: frame_system::Pallet::<T>::block_number(),
			},
		);
		NextErasureId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::Erased {
			erasure: id,
			institution,
			records: record_count,
			grants,
		});
		Ok(id)
	}

	pub(crate) fn do_set_endpoint(
		institution: InstitutionId,
		endpoint: Option<BoundedVec<u8, T::MaxEndpointLen>>,
	) -> DispatchResult {
		match endpoint {
			Some(url) => {
				ensure!(is_endpoint(&url), Error::<T>::InvalidEndpoint);
				Endpoints::<T>::insert(institution, url);
			}
			None => Endpoints::<T>::remove(institution),
		}
		Self::deposit_event(Event::EndpointSet { institution });
		Ok(())
	}

	/// Whether institution `requester` may be served `records` (positions) of grant `id` now:
	/// what the grantor's server asks at the finalized block.
	pub fn check(
		id: GrantId,
		requester: InstitutionId,
		records: &[RecordRange],
	) -> Result<(), Refusal> {
		let grant = Grants::<T>::get(id).ok_or(Refusal::NotFound)?;
		if grant.grantee != requester {
			return Err(Refusal::NotGrantee);
		}
		if grant.status != GrantStatus::Active {
			return Err(Refusal::Revoked);
		}
		if Self::now() >= grant.expires {
			return Err(Refusal::Expired);
		}
		if records.is_empty()
			|| !ranges_are_valid(records, u64::MAX)
			|| !covers(&grant.scope.records, records)
		{
			return Err(Refusal::OutsideGrant);
		}
		Ok(())
	}

	/// `institution`'s grants on `side`, from id `from`, at most `limit`, ascending.
	pub fn grants_of(
		institution: InstitutionId,
		side: Side,
		from: GrantId,
		limit: u32,
	) -> Vec<(GrantId, Grant<T>)> {
		let ids: Vec<GrantId> = match side {
			Side::Granted => GrantOfGrantor::<T>::iter_key_prefix(institution).collect(),
			Side::Received => GrantOfGrantee::<T>::iter_key_prefix(institution).collect(),
		};
		let mut ids: Vec<GrantId> = ids.into_iter().filter(|id| *id >= from).collect();
		ids.sort_unstable();
		ids.into_iter()
			.take(limit as usize)
			.filter_map(|id| Grants::<T>::get(id).map(|g| (id, g)))
			.collect()
	}

	/// A grant's receipts, in order.
	pub fn receipts_of(id: GrantId) -> Vec<Receipt<T>> {
		let n = Grants::<T>::get(id).map_or(0, |g| g.receipts);
		(0..n).filter_map(|i| Receipts::<T>::get(id, i)).collect()
	}

	/// A grant's deletion attestations, in order.
	pub fn attestations_of(id: GrantId) -> Vec<Attestation<T>> {
		let n = Grants::<T>::get(id).map_or(0, |g| g.attestations);
		(0..n).filter_map(|i| Attestations::<T>::get(id, i)).collect()
	}

	/// The erasures a grant's grantee has still to attest deletion for, ascending.
	pub fn pending_of(id: GrantId) -> Vec<ErasureId> {
		let mut ids: Vec<ErasureId> = PendingDeletion::<T>::iter_key_prefix(id).collect();
		ids.sort_unstable();
		ids
	}

	/// The pallet's invariants: grants indexed on both sides, counters matching their entries,
	/// scopes well formed, pending deletions pointing at erasures that name their grant.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next = NextGrantId::<T>::get();
		for (id, grant) in Grants::<T>::iter() {
			ensure!(id < next, "grant id beyond the next id");
			ensure!(GrantOfGrantor::<T>::contains_key(grant.grantor, id), "grantor index missing");
			ensure!(GrantOfGrantee::<T>::contains_key(grant.grantee, id), "grantee index missing");
			ensure!(grant.grantor != grant.grantee, "a grant to its grantor");
			ensure!(
				ranges_are_valid(&grant.scope.records, u64::MAX)
					&& count(&grant.scope.records) == grant.record_count,
				"a grant's record count is wrong"
			);
			ensure!(
				Receipts::<T>::iter_key_prefix(id).count() as u32 == grant.receipts,
				"receipt count out of date"
			);
			ensure!(grant.receipts <= T::MaxReceipts::get(), "too many receipts");
			ensure!(
				Attestations::<T>::iter_key_prefix(id).count() as u32 == grant.attestations,
				"attestation count out of date"
			);
			ensure!(grant.attestations <= T::MaxAttestations::get(), "too many attestations");
			ensure!(
				PendingDeletion::<T>::iter_key_prefix(id).count() as u32 == grant.pending,
				"pending count out of date"
			);
		}
		for (institution, id, ()) in GrantOfGrantor::<T>::iter() {
			let grant = Grants::<T>::get(id).ok_or("a stray grantor index entry")?;
			ensure!(grant.grantor == institution, "grantor index points elsewhere");
		}
		for (institution, id, ()) in GrantOfGrantee::<T>::iter() {
			let grant = Grants::<T>::get(id).ok_or("a stray grantee index entry")?;
			ensure!(grant.grantee == institution, "grantee index points elsewhere");
		}
		for (grant, erasure, ()) in PendingDeletion::<T>::iter() {
			let found = Erasures::<T>::get(erasure).ok_or("a pending deletion of no erasure")?;
			ensure!(found.grants.contains(&grant), "a pending deletion its erasure does not name");
		}
		for (id, erasure) in Erasures::<T>::iter() {
			ensure!(id < NextErasureId::<T>::get(), "erasure id beyond the next id");
			ensure!(
				count(&erasure.scope.records) == erasure.record_count,
				"an erasure's record count is wrong"
			);
		}
		for (_, url) in Endpoints::<T>::iter() {
			ensure!(is_endpoint(&url), "a malformed endpoint");
		}
		Ok(())
	}
}

/// Whether `url` is an `http://` or `https://` URL of printable ASCII with a host.
pub fn is_endpoint(url: &[u8]) -> bool {
	let rest = url.strip_prefix(b"http://").or_else(|| url.strip_prefix(b"https://"));
	rest.is_some_and(|rest| !rest.is_empty() && rest[0] != b'/')
		&& url.iter().all(|b| b.is_ascii_graphic())
}
