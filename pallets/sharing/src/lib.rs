//! # Sharing pallet
//!
//! Sharing certified records with another institution (跨机构共享): the grant on chain, the
//! grantee's receipts and deletion attestations, and the grantor's erasures. The records
//! themselves never reach the chain: the grantor's server sends their ciphertext and their
//! keys, wrapped for the grantee's published encryption key (the consortium pallet's
//! `EncryptionKeys`), straight to the grantee.
//!
//! ## Terminology
//!
//! - **Scope**: records of one anchoring run, by the run's certificates and positions within
//!   it (1 the first record), optionally one data subject's (by the grantor's keyed tag).
//! - **Package**: the grant's HPKE encapsulation to the grantee's key version, under whose
//!   exported key each granted record's key is wrapped; the grant holds its hash.
//! - **Erasure**: the grantor destroyed the keys of records (crypto-shredding); the grantees of
//!   the grants named must attest deletion.
//!
//! ## Calls
//!
//! - [`Pallet::grant`]: an account of the institution that issued the certificates grants
//!   records to another active institution with a published key, for a purpose (PIPL Art. 23),
//!   with a legal basis and an expiry.
//! - [`Pallet::revoke_grant`]: its grantor ends it.
//! - [`Pallet::record_receipt`]: the grantee records what it received (count and ciphertext hash).
//! - [`Pallet::attest_deletion`]: the grantee attests it deleted what it received (all, or
//!   an erasure's records).
//! - [`Pallet::record_erasure`]: the issuer records that it destroyed records' keys, naming
//!   the grants whose grantees must attest deletion.
//! - [`Pallet::set_endpoint`]: an institution's admin publishes where its share server answers.
//!
//! The grantor's server asks [`Pallet::check`] at the finalized block before it serves a
//! request: active, not expired, the requester the grantee, the records within the grant.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
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
	use frame_support::{pallet_prelude::*, traits::UnixTime};
	use frame_system::pallet_prelude::*;
	use medtrust_primitives::text::BoundedText;

	/// The storage layout's version.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_certificates::Config {
		/// The consortium's institutions and their encryption keys.
		type Keys: InstitutionKeys<Self::AccountId>;

		/// The admin of an active institution; gives the institution's id.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = InstitutionId>;

		/// The time, for expiries.
		type Time: UnixTime;

		/// The most certificates one grant or erasure names (an anchoring run without
		/// `--batch` has one per record).
		#[pallet::constant]
		type MaxCertificates: Get<u32>;

		/// The most record ranges of one grant or erasure.
		#[pallet::constant]
		type MaxRanges: Get<u32>;

		/// The longest legal basis, in UTF-8 bytes.
		#[pallet::constant]
		type MaxLegalBasisLen: Get<u32>;

		/// The longest a grant may run, in seconds.
		#[pallet::constant]
		type MaxGrantSeconds: Get<u64>;

		/// The most receipts of one grant (one per fetch).
		#[pallet::constant]
		type MaxReceipts: Get<u32>;

		/// The most deletion attestations of one grant.
		#[pallet::constant]
		type MaxAttestations: Get<u32>;

		/// The most grants one erasure names.
		#[pallet::constant]
		type MaxGrantsPerErasure: Get<u32>;

		/// The longest share-server endpoint URL, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Every grant, by id.
	// Ids are assigned in sequence by this pallet: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Grants<T: Config> = StorageMap<_, Twox64Concat, GrantId, Grant<T>>;

	/// The id the next grant gets.
	#[pallet::storage]
	pub type NextGrantId<T: Config> = StorageValue<_, GrantId, ValueQuery>;

	/// The grants of each grantor.
	// Institution and grant ids are assigned in sequence: `Twox64Concat`.
	#[pallet::storage]
	pub type GrantOfGrantor<T: Config> =
		StorageDoubleMap<_, Twox64Concat, InstitutionId, Twox64Concat, GrantId, ()>;

	/// The grants to each grantee.
	// Institution and grant ids are assigned in sequence: `Twox64Concat`.
	#[pallet::storage]
	pub type GrantOfGrantee<T: Config> =
		StorageDoubleMap<_, Twox64Concat, InstitutionId, Twox64Concat, GrantId, ()>;

	/// Each grant's receipts, in order.
	// Grant ids and receipt indices are assigned in sequence: `Twox64Concat`.
	#[pallet::storage]
	pub type Receipts<T: Config> =
		StorageDoubleMap<_, Twox64Concat, GrantId, Twox64Concat, u32, Receipt<T>>;

	/// Each grant's deletion attestations, in order.
	// Grant ids and attestation indices are assigned in sequence: `Twox64Concat`.
	#[pallet::storage]
	pub type Attestations<T: Config> =
		StorageDoubleMap<_, Twox64Concat, GrantId, Twox64Concat, u32, Attestation<T>>;

	/// Every erasure, by id.
	// Ids are assigned in sequence by this pallet: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Erasures<T: Config> = StorageMap<_, Twox64Concat, ErasureId, Erasure<T>>;

	/// The id the next erasure gets.
	#[pallet::storage]
	pub type NextErasureId<T: Config> = StorageValue<_, ErasureId, ValueQuery>;

	/// The erasures each grant's grantee has still to attest deletion for.
	// Grant and erasure ids are assigned in sequence: `Twox64Concat`.
	#[pallet::storage]
	pub type PendingDeletion<T: Config> =
		StorageDoubleMap<_, Twox64Concat, GrantId, Twox64Concat, ErasureId, ()>;

	/// Where each institution's share server answers (`http://` or `https://` URL).
	// Institution ids are assigned in sequence: `Twox64Concat`.
	#[pallet::storage]
	pub type Endpoints<T: Config> =
		StorageMap<_, Twox64Concat, InstitutionId, BoundedVec<u8, T::MaxEndpointLen>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An institution granted records to another.
		Granted {
			grant: GrantId,
			grantor: InstitutionId,
			grantee: InstitutionId,
			purpose: Purpose,
			records: u64,
		},
		/// Its grantor revoked a grant.
		GrantRevoked { grant: GrantId },
		/// The grantee recorded what it received under a grant.
		ReceiptRecorded { grant: GrantId, records: u64, ciphertext: [u8; 32] },
		/// The grantee attested it deleted what it received under a grant (all of it, or an
		/// erasure's records).
		DeletionAttested { grant: GrantId, erasure: Option<ErasureId> },
		/// An institution destroyed the keys of records; the grantees of `grants` must attest
		/// deletion.
		Erased {
			erasure: ErasureId,
			institution: InstitutionId,
			records: u64,
			grants: BoundedVec<GrantId, T::MaxGrantsPerErasure>,
		},
		/// An institution published (or, with none, withdrew) its share server's endpoint.
		EndpointSet { institution: InstitutionId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No grant, certificate or erasure has this id.
		NotFound,
		/// The caller's institution did not issue the certificate, is not the grant's grantor
		/// (to revoke it or name it in an erasure) or grantee (to record a receipt or attest
		/// deletion).
		NotAuthorized,
		/// A certificate named is revoked or superseded: grant from valid certificates only.
		NotValid,
		/// The grantee is not an active institution, or is the grantor.
		InvalidGrantee,
		/// The grantee has published no encryption key (`medtrust share key publish`).
		NoKey,
		/// No certificate, a certificate twice, or a record range empty, out of order,
		/// overlapping or beyond the run's records.
		InvalidScope,
		/// The expiry is past, or further than `MaxGrantSeconds` ahead.
		InvalidExpiry,
		/// The legal basis is empty or not UTF-8.
		InvalidLegalBasis,
		/// The grant was revoked already.
		Revoked,
		/// The receipt counts no record, or more than the grant holds.
		InvalidReceipt,
		/// The grant has `MaxReceipts` receipts or `MaxAttestations` attestations already.
		TooMany,
		/// The erasure names no pending deletion of this grant (attested already, or the
		/// grant is not among its grants).
		NotPending,
		/// A grant named by an erasure holds none of the erased records.
		GrantNotAffected,
		/// The endpoint is not an `http://` or `https://` URL of printable ASCII.
		InvalidEndpoint,
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
		/// Grants the records of `scope` to institution `grantee` for `purpose` until `expires`
		/// (seconds since the Unix epoch), their keys wrapped in the package whose hash is
		/// `package` (an account of the institution that issued the certificates).
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::grant(
			scope.certificates.len() as u32,
			scope.records.len() as u32,
		))]
		pub fn grant(
			origin: OriginFor<T>,
			grantee: InstitutionId,
			scope: Scope<T>,
			purpose: Purpose,
			legal_basis: BoundedText<T::MaxLegalBasisLen>,
			expires: u64,
			package: [u8; 32],
		) -> DispatchResult {
			let grantor =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_grant(grantor, grantee, scope, purpose, legal_basis, expires, package)
				.map(|_| ())
		}

		/// Revokes a grant of the caller's institution.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::revoke_grant())]
		pub fn revoke_grant(origin: OriginFor<T>, grant: GrantId) -> DispatchResult {
			let grantor =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_revoke(grantor, grant)
		}

		/// Records what the caller's institution received under a grant to it: how many
		/// records, and the SHA-256 of their ciphertext.
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::record_receipt())]
		pub fn record_receipt(
			origin: OriginFor<T>,
			grant: GrantId,
			records: u64,
			ciphertext: [u8; 32],
		) -> DispatchResult {
			let grantee =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_record_receipt(grantee, grant, records, ciphertext)
		}

		/// Attests that the caller's institution deleted what it received under a grant: all of
		/// it (`erasure` none), or the records of an erasure it was told of.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::attest_deletion(T::MaxAttestations::get()))]
		pub fn attest_deletion(
			origin: OriginFor<T>,
			grant: GrantId,
			erasure: Option<ErasureId>,
		) -> DispatchResultWithPostInfo {
			let grantee =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			let cleared = Self::do_attest_deletion(grantee, grant, erasure)?;
			Ok(Some(<T as Config>::WeightInfo::attest_deletion(cleared)).into())
		}

		/// Records that the caller's institution destroyed the keys of the records of `scope`,
		/// naming the grants of them whose grantees must attest deletion.
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::record_erasure(
			scope.certificates.len() as u32,
			scope.records.len() as u32,
			grants.len() as u32,
		))]
		pub fn record_erasure(
			origin: OriginFor<T>,
			scope: Scope<T>,
			grants: BoundedVec<GrantId, T::MaxGrantsPerErasure>,
		) -> DispatchResult {
			let institution =
				<T as pallet_data_sources::Config>::InstitutionOrigin::ensure_origin(origin)?;
			Self::do_record_erasure(institution, scope, grants).map(|_| ())
		}

		/// Publishes where the institution's share server answers, or withdraws it (its admin).
		#[pallet::call_index(5)]
		#[pallet::weight(<T as Config>::WeightInfo::set_endpoint())]
		pub fn set_endpoint(
			origin: OriginFor<T>,
			endpoint: Option<BoundedVec<u8, T::MaxEndpointLen>>,
		) -> DispatchResult {
			let institution = T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_endpoint(institution, endpoint)
		}
	}
}
