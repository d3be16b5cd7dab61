//! `pallet_field_mapping`: the data items of every resource version.

use frame_support::parameter_types;

use crate::Runtime;

parameter_types! {
	/// Items per extrinsic: a wide table takes a few calls.
	pub const MaxItemsPerCall: u32 = 128;
	/// `timestamp with time zone` fits.
	pub const MaxTypeLen: u32 = 32;
	/// Definitions and code system identifiers: 512 bytes, about 170 Chinese characters.
	pub const MaxTextLen: u32 = 512;
	/// Units and standard data element identifiers.
	pub const MaxUnitLen: u32 = 32;
	/// Relations per extrinsic: a reviewed match result takes a few calls.
	pub const MaxProposalsPerCall: u32 = 64;
	/// Open relations per data item: a field kept by many sources relates to each.
	pub const MaxRelationsPerItem: u32 = 16;
	/// Open relations per resource version: what a new version's carry-over may walk.
	pub const MaxRelationsPerVersion: u32 = 512;
}

impl pallet_field_mapping::Config for Runtime {
	type MaxItemsPerCall = MaxItemsPerCall;
	type MaxTypeLen = MaxTypeLen;
	type MaxTextLen = MaxTextLen;
	type MaxUnitLen = MaxUnitLen;
	type MaxProposalsPerCall = MaxProposalsPerCall;
	type MaxRelationsPerItem = MaxRelationsPerItem;
	type MaxRelationsPerVersion = MaxRelationsPerVersion;
	type WeightInfo = pallet_field_mapping::weights::SubstrateWeight<Runtime>;
}
