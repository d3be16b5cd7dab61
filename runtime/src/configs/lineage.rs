//! `pallet_lineage`: the lineage graph of dataset editions, fields and certificates.
//!
//! The bounds are `medtrust_primitives::bounds::lineage`'s, which clients check before they
//! encode a call; each is explained there.

use frame_support::traits::ConstU32;
use medtrust_primitives::bounds::lineage as bounds;

use crate::Runtime;

impl pallet_lineage::Config for Runtime {
	type MaxNamespaceLen = ConstU32<{ bounds::MAX_NAMESPACE_LEN }>;
	type MaxLineageNameLen = ConstU32<{ bounds::MAX_NAME_LEN }>;
	type MaxFieldNameLen = ConstU32<{ bounds::MAX_FIELD_NAME_LEN }>;
	type MaxInputs = ConstU32<{ bounds::MAX_INPUTS }>;
	type MaxOutputs = ConstU32<{ bounds::MAX_OUTPUTS }>;
	type MaxFieldsPerOutput = ConstU32<{ bounds::MAX_FIELDS_PER_OUTPUT }>;
	type MaxParents = ConstU32<{ bounds::MAX_PARENTS }>;
	type MaxActivitiesPerCall = ConstU32<{ bounds::MAX_ACTIVITIES_PER_CALL }>;
	type MaxEdgesPerCall = ConstU32<{ bounds::MAX_EDGES_PER_CALL }>;
	type MaxRunParts = ConstU32<{ bounds::MAX_RUN_PARTS }>;
	type WeightInfo = pallet_lineage::weights::SubstrateWeight<Runtime>;
}
