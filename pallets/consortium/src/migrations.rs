//! Storage migrations, one module per storage version they lead to.
//!
//! How a release migrates (the procedure of `runtime/src/migrations.rs`): bump the pallet's
//! `STORAGE_VERSION`, write the step from the previous version here as an
//! [`UncheckedOnRuntimeUpgrade`] with `pre_upgrade`/`post_upgrade` checks, wrap it in
//! [`VersionedMigration`] (it runs only when the on-chain version is the one it starts from,
//! then writes the new one: never twice), and list it in the runtime's `Migrations` for that
//! release. A step that could exceed a block's weight is written as a multi-block migration
//! (`pallet-migrations`) instead. `medtrust governance upgrade --check` runs every listed step
//! with its checks and every pallet's `try_state` against a live network's state before anyone
//! votes.

use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

use crate::*;

/// Version 1: `ActiveCount` is recounted from the institutions themselves.
///
/// The worked example of this pallet's migrations, and the one the upgrade rehearsal runs
/// (the runtime built with `upgrade-rehearsal`, in which this pallet is at version 1). Its
/// change is safe on any state: the count is what `try_state` demands.
pub mod v1 {
	use super::*;

	/// The step itself, without the version check (see [`MigrateToV1`]).
	pub struct RecountActive<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for RecountActive<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut institutions, mut active) = (0u32, 0u32);
			for (_, institution) in Institutions::<T>::iter() {
				institutions = institutions.saturating_add(1);
				if institution.status == InstitutionStatus::Active {
					active = active.saturating_add(1);
				}
			}
			ActiveCount::<T>::put(active);
			Pallet::<T>::deposit_event(Event::StorageMigrated { version: 1, items: institutions });
			// Every institution read; the count, the event and (by `VersionedMigration`) the
			// version written.
			T::DbWeight::get().reads_writes(u64::from(institutions).saturating_add(1), 3)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			Ok((Institutions::<T>::iter().count() as u32).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let before = u32::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("pre-upgrade state"))?;
			let institutions = Institutions::<T>::iter().collect::<alloc::vec::Vec<_>>();
			frame_support::ensure!(
				institutions.len() as u32 == before,
				"the migration lost or added institutions"
			);
			let active =
				institutions.iter().filter(|(_, i)| i.status == InstitutionStatus::Active).count()
					as u32;
			frame_support::ensure!(ActiveCount::<T>::get() == active, "active count is wrong");
			Ok(())
		}
	}

	/// Version 0 to 1, at most once.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		RecountActive<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
