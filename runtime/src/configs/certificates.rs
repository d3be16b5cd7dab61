//! `pallet_certificates`: record and batch certificates, revocation, supersession.

use frame_support::parameter_types;

use crate::Runtime;

parameter_types! {
	/// Records under one batch certificate: 2^32, far beyond the 2^20 a client batches at once.
	pub const MaxLeaves: u64 = 1 << 32;
}

impl pallet_certificates::Config for Runtime {
	type MaxLeaves = MaxLeaves;
	type WeightInfo = pallet_certificates::weights::SubstrateWeight<Runtime>;
}
