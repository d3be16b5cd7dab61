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

/// Version 1 (spec 113): an institution's encryption key grows into versions. The single
/// X25519 key an institution held (`encryption_key`) becomes version 1 of its keys in
/// `EncryptionKeys`, and the institution names its current version (`encryption_key_version`).
/// At most `MaxInstitutions` entries: one block.
pub mod v1 {
	use super::*;

	/// An institution as version 0 stored it: its single X25519 key in place, the same
	/// encoding as the runtime API's [`InstitutionView`].
	pub type OldInstitutionOf<T> = InstitutionViewOf<T>;

	/// The step itself, without the version check (see [`MigrateToV1`]).
	pub struct VersionKeys<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for VersionKeys<T> {
		fn on_runtime_upgrade() -> Weight {
			let now = frame_system::Pallet::<T>::block_number();
			let (mut read, mut keys) = (0u32, 0u32);
			Institutions::<T>::translate::<OldInstitutionOf<T>, _>(|id, old| {
				read = read.saturating_add(1);
				let key = old.encryption_key.and_then(|key| {
					let public = key.to_vec().try_into().ok()?;
					KeyScheme::X25519.is_valid_key(&key).then_some(public)
				});
				let version = key.map(|public| {
					keys = keys.saturating_add(1);
					let key = EncryptionKey { scheme: KeyScheme::X25519, public, published: now };
					EncryptionKeys::<T>::insert(id, 1, key);
					1
				});
				Some(Institution {
					name: old.name,
					credit_code: old.credit_code,
					region: old.region,
					kind: old.kind,
					admin: old.admin,
					validator: old.validator,
					peer_id: old.peer_id,
					encryption_key_version: version,
					status: old.status,
					joined: old.joined,
					member_count: old.member_count,
				})
			});
			Pallet::<T>::deposit_event(Event::StorageMigrated { version: 1, items: read });
			// Every institution read and written, a key written for each that had one, the
			// event and the version.
			T::DbWeight::get().reads_writes(
				u64::from(read),
				u64::from(read).saturating_add(u64::from(keys)).saturating_add(2),
			)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			let keys: alloc::vec::Vec<(InstitutionId, Option<[u8; 32]>)> =
				Institutions::<T>::iter_keys()
					.filter_map(|id| {
						let raw = frame_support::storage::unhashed::get_raw(
							&Institutions::<T>::hashed_key_for(id),
						)?;
						let old =
							<OldInstitutionOf<T> as codec::Decode>::decode(&mut &raw[..]).ok()?;
						Some((id, old.encryption_key))
					})
					.collect();
			Ok(keys.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let before: alloc::vec::Vec<(InstitutionId, Option<[u8; 32]>)> =
				Decode::decode(&mut &state[..])
					.map_err(|_| sp_runtime::TryRuntimeError::Other("pre-upgrade state"))?;
			frame_support::ensure!(
				before.len() == Institutions::<T>::iter().count(),
				"the migration lost or added institutions"
			);
			for (id, key) in before {
				let now = Pallet::<T>::encryption_key(id).map(|(v, k)| (v, k.public.into_inner()));
				let expected = key.filter(|k| k.iter().any(|b| *b != 0)).map(|k| (1, k.to_vec()));
				frame_support::ensure!(now == expected, "an encryption key did not move");
			}
			Ok(())
		}
	}

	/// Version 0 to 1, at most once.
	pub type MigrateToV1<T> =
		VersionedMigration<0, 1, VersionKeys<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
}

/// Version 2: `ActiveCount` is recounted from the institutions themselves.
///
/// The worked example of this pallet's migrations, and the one the upgrade rehearsal runs
/// (the runtime built with `upgrade-rehearsal`, in which this pallet is at version 2). Its
/// change is safe on any state: the count is what `try_state` demands.
pub mod v2 {
	use super::*;

	/// The step itself, without the version check (see [`MigrateToV2`]).
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
			Pallet::<T>::deposit_event(Event::StorageMigrated { version: 2, items: institutions });
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

	/// Version 1 to 2, at most once.
	pub type MigrateToV2<T> = VersionedMigration<
		1,
		2,
		RecountActive<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
