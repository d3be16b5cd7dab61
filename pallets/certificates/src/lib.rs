//! # Certificates pallet
//!
//! Data certificates (数据上链证书): every anchored record, or batch of records, gets a
//! certificate holding its unique hash, which anyone holding the record can verify.
//!
//! ## Overview
//!
//! - [`Pallet::certify`]: one record's salted commitment (`H(tag ‖ salt ‖ canonical record)`,
//!   see `medtrust-primitives`), by an account of the institution that owns the data source,
//!   for a business domain in scope that the source serves, and a registered resource version.
//! - [`Pallet::certify_batch`]: the root of a Merkle tree over N records' commitments (N up to
//!   [`Config::MaxLeaves`]) with its leaf count: one extrinsic and one certificate, O(1)
//!   storage, whatever N.
//! - [`Pallet::revoke`] (with a reason) and [`Pallet::supersede`] (old → new), by the issuing
//!   institution only. A revoked or superseded certificate stays readable: "revoked" is not
//!   "never certified".
//! - Look-ups by id, and by issuing institution and commitment or root; [`Pallet::verify`]
//!   turns an expected issuer, a commitment and an optional Merkle proof into a [`Verdict`] with
//!   the certificate.
//!
//! A commitment is certified per issuing institution: another member that copies a `certify`
//! it sees in the pool (or authors the block) gets a certificate of its own, and the record's
//! issuer still certifies it, finds it under its own id and alone revokes it.
//!
//! Nothing of a record's content reaches the chain: only its commitment, or the batch's root.
//!
//! ## Calls
//!
//! [`Pallet::certify`], [`Pallet::certify_batch`], [`Pallet::revoke`], [`Pallet::supersede`],
//! each by an account of an active institution.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
pub mod migrations;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use pallet_data_sources::{DomainCode, ResourceId, SourceId, Version};

	/// The storage layout's version; [`crate::migrations`] moves between versions (1: the
	/// look-up index keyed by issuer).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_data_sources::Config {
		/// The most records one batch certificate covers.
		#[pallet::constant]
		type MaxLeaves: Get<u64>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Every certificate, by id.
	// Ids are assigned in sequence by this pallet: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Certificates<T: Config> = StorageMap<_, Twox64Concat, CertificateId, Certificate<T>>;

	/// The id the next certificate gets.
	#[pallet::storage]
	pub type NextCertificateId<T: Config> = StorageValue<_, CertificateId, ValueQuery>;

	/// The certificate of each commitment or Merkle root, by the institution that issued it.
	// Institution ids are assigned in sequence by the consortium (`Twox64Concat`); hashes are
	// chosen by callers, who could grind them (`Blake2_128Concat`).
	#[pallet::storage]
	pub type CertificateOfIssuer<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		pallet_data_sources::InstitutionId,
		Blake2_128Concat,
		[u8; 32],
		CertificateId,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An institution certified a record or a batch.
		Certified {
			certificate: CertificateId,
			issuer: pallet_data_sources::InstitutionId,
			subject: Subject,
		},
		/// Its issuer revoked a certificate.
		Revoked { certificate: CertificateId, reason: RevocationReason },
		/// Its issuer replaced a certificate by another.
		Superseded { old: CertificateId, new: CertificateId },
		/// A storage migration finished: the pallet is at `version`, `certificates` moved.
		StorageMigrated { version: u16, certificates: u64 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No certificate, source, resource, version or domain has this id.
		NotFound,
		/// The caller's institution certified this commitment or root already (look it up
		/// instead).
		AlreadyExists,
		/// The caller's institution does not own the source, or did not issue the certificate.
		NotAuthorized,
		/// The business domain is out of scope: the consortium does not anchor its data.
		OutOfScope,
		/// The source does not serve this business domain.
		DomainNotServed,
		/// The resource belongs to another source.
		WrongSource,
		/// The source is retired: nothing new is certified under it.
		SourceRetired,
		/// A batch needs between 1 and `MaxLeaves` records.
		BadLeafCount,
		/// Only a valid certificate can be revoked or superseded, or supersede another.
		NotValid,
		/// A certificate cannot supersede itself.
		SelfSupersede,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Certifies one record's commitment (an account of the institution owning `source`).
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::certify(T::MaxDomainsPerSource::get()))]
		pub fn certify(
			origin: OriginFor<T>,
			source: SourceId,
			resource: ResourceId,
			version: Version,
			domain: DomainCode<T>,
			algorithm: HashAlgorithm,
			commitment: [u8; 32],
		) -> DispatchResult {
			let issuer =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_certify(
				issuer,
				source,
				resource,
				version,
				domain,
				algorithm,
				Subject::Record { commitment },
			)
			.map(|_| ())
		}

		/// Certifies a batch of `leaf_count` records by the root of the Merkle tree over their
		/// commitments.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::certify_batch(T::MaxDomainsPerSource::get()))]
		pub fn certify_batch(
			origin: OriginFor<T>,
			source: SourceId,
			resource: ResourceId,
			version: Version,
			domain: DomainCode<T>,
			algorithm: HashAlgorithm,
			root: [u8; 32],
			leaf_count: u64,
		) -> DispatchResult {
			let issuer =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			ensure!(leaf_count >= 1 && leaf_count <= T::MaxLeaves::get(), Error::<T>::BadLeafCount);
			Self::do_certify(
				issuer,
				source,
				resource,
				version,
				domain,
				algorithm,
				Subject::Batch { root, leaf_count },
			)
			.map(|_| ())
		}

		/// Revokes a valid certificate of the caller's institution.
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::revoke())]
		pub fn revoke(
			origin: OriginFor<T>,
			certificate: CertificateId,
			reason: RevocationReason,
		) -> DispatchResult {
			let issuer =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_revoke(issuer, certificate, reason)
		}

		/// Marks a valid certificate of the caller's institution as replaced by another valid
		/// one of its own.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::supersede())]
		pub fn supersede(
			origin: OriginFor<T>,
			old: CertificateId,
			new: CertificateId,
		) -> DispatchResult {
			let issuer =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_supersede(issuer, old, new)
		}
	}
}
