//! `pallet_sharing`: grants of certified records to another institution, receipts, deletion
//! attestations and erasures; institutions' keys come from the consortium.

use frame_support::parameter_types;
use pallet_consortium::{InstitutionStatus, Institutions};
use pallet_sharing::{InstitutionId, InstitutionKeys, KeyVersion};

use crate::{AccountId, Runtime};

parameter_types! {
	/// Certificates one grant names: an anchoring run of 4,096 single-record certificates
	/// (larger runs are anchored as a batch: one certificate).
	pub const MaxCertificates: u32 = 4_096;
	/// Record ranges of one grant: a scattered selection of 1,024 runs of records.
	pub const MaxRanges: u32 = 1_024;
	/// 1 KiB: about 340 Chinese characters of legal basis.
	pub const MaxLegalBasisLen: u32 = 1_024;
	/// Five years: the longest retention a data-sharing agreement usually sets.
	pub const MaxGrantSeconds: u64 = 5 * 366 * 86_400;
	/// Receipts of one grant: a fetch a day for over a year.
	pub const MaxReceipts: u32 = 512;
	/// Deletion attestations (and pending erasures) of one grant.
	pub const MaxAttestations: u32 = 256;
	/// Grants one erasure names.
	pub const MaxGrantsPerErasure: u32 = 64;
	/// A share server's URL.
	pub const MaxEndpointLen: u32 = 256;
}

/// The consortium's institutions and their encryption keys, as the sharing pallet needs them.
pub struct ConsortiumKeys;

impl InstitutionKeys<AccountId> for ConsortiumKeys {
	fn is_active(id: InstitutionId) -> bool {
		Institutions::<Runtime>::get(id).is_some_and(|i| i.status == InstitutionStatus::Active)
	}

	fn current_key(id: InstitutionId) -> Option<KeyVersion> {
		pallet_consortium::Pallet::<Runtime>::encryption_key(id).map(|(version, _)| version)
	}

	/// A new institution admitted for the benchmark, with a key published: its id and admin.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_grantee(not: InstitutionId) -> (InstitutionId, AccountId) {
		use pallet_consortium::{benchmarking::admission, NextInstitutionId};
		let id = NextInstitutionId::<Runtime>::get();
		let admission = admission::<Runtime>(id.saturating_add(1000).saturating_add(not));
		let admin = admission.admin.clone();
		pallet_consortium::Pallet::<Runtime>::admit_institution(
			frame_system::RawOrigin::Root.into(),
			alloc::boxed::Box::new(admission),
		)
		.expect("Root admits a well-formed institution");
		let public = alloc::vec![5u8; 32].try_into().expect("32 bytes fit");
		pallet_consortium::Pallet::<Runtime>::publish_encryption_key(
			frame_system::RawOrigin::Signed(admin.clone()).into(),
			pallet_consortium::KeyScheme::X25519,
			public,
		)
		.expect("the admin of an active institution publishes its key");
		(id, admin)
	}
}

impl pallet_sharing::Config for Runtime {
	type Keys = ConsortiumKeys;
	type AdminOrigin = pallet_consortium::EnsureAdmin<Runtime>;
	type Time = crate::Timestamp;
	type MaxCertificates = MaxCertificates;
	type MaxRanges = MaxRanges;
	type MaxLegalBasisLen = MaxLegalBasisLen;
	type MaxGrantSeconds = MaxGrantSeconds;
	type MaxReceipts = MaxReceipts;
	type MaxAttestations = MaxAttestations;
	type MaxGrantsPerErasure = MaxGrantsPerErasure;
	type MaxEndpointLen = MaxEndpointLen;
	type WeightInfo = pallet_sharing::weights::SubstrateWeight<Runtime>;
}
