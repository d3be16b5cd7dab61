//! `pallet_migrations`: multi-block migrations, for steps whose work grows with the chain (a
//! pallet's every certificate) and would not fit in the one block of a runtime upgrade. After
//! an upgrade it runs them a bounded weight a block; while one is under way, blocks carry no
//! transactions (`frame_system`'s `MultiBlockMigrator`), and a step that fails freezes the
//! chain for the council to mend (`FreezeChainOnFailedMigration`) rather than leave storage
//! half in one layout.

use frame_support::{migrations::FreezeChainOnFailedMigration, parameter_types, weights::Weight};

use super::RuntimeBlockWeights;
use crate::{Runtime, RuntimeEvent};

parameter_types! {
	/// Half a block's weight a block for migrations: about 8,000 certificates a block moved to
	/// the per-issuer index at the generated `migration_step` weight, so a chain of a million
	/// certificates migrates in about 125 blocks (six minutes at 3 s a block).
	pub MbmServiceWeight: Weight =
		RuntimeBlockWeights::get().max_block.saturating_mul(50) / 100;
}

impl pallet_migrations::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	#[cfg(not(feature = "runtime-benchmarks"))]
	type Migrations = crate::migrations::MultiBlock;
	// The pallet's benchmarks run migrations of their own.
	#[cfg(feature = "runtime-benchmarks")]
	type Migrations = pallet_migrations::mock_helpers::MockedMigrations;
	type CursorMaxLen = frame_support::traits::ConstU32<65_536>;
	type IdentifierMaxLen = frame_support::traits::ConstU32<256>;
	type MigrationStatusHandler = ();
	type FailedMigrationHandler = FreezeChainOnFailedMigration;
	type MaxServiceWeight = MbmServiceWeight;
	type WeightInfo = crate::weights::pallet_migrations::WeightInfo<Runtime>;
}
