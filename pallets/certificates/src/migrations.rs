//! Storage migrations, one module per storage version they lead to.
//!
//! A step whose work grows with the chain (every certificate ever issued) is a multi-block
//! migration: a [`SteppedMigration`] that the runtime's `pallet-migrations` runs a bounded
//! number of items a block, after a runtime upgrade, while no transaction runs. See the
//! runtime's `migrations` module for the procedure a release follows.

use frame_support::{
	migrations::{MigrationId, SteppedMigration, SteppedMigrationError, VersionedMigration},
	traits::UncheckedOnRuntimeUpgrade,
	weights::{Weight, WeightMeter},
};

use crate::{pallet::*, WeightInfo};

/// Version 1: the look-up index keyed by issuing institution and hash (`CertificateOfIssuer`),
/// instead of by hash alone (version 0's `CertificateOf`), so that a commitment is certified
/// per issuer and another member cannot take a record's certificate by certifying it first.
pub mod v1 {
	use super::*;

	/// Version 0's storage, as this migration reads it.
	pub mod v0 {
		use frame_support::{storage_alias, Blake2_128Concat};

		use crate::{CertificateId, Config, Pallet};

		/// The certificate of each commitment or Merkle root, whoever issued it.
		#[storage_alias]
		pub type CertificateOf<T: Config> =
			StorageMap<Pallet<T>, Blake2_128Concat, [u8; 32], CertificateId>;
	}

	/// The migration's identifier: this pallet, from version 0 to 1.
	pub const ID: &[u8; 24] = b"medtrust/certificates/v1";

	/// Where a run of steps stopped: the last hash moved, and how many entries have moved.
	pub type Cursor = ([u8; 32], u64);

	/// The upgrade block's half: version 1's layout is `CertificateOfIssuer` beside version 0's
	/// index while [`MigrateToIssuerIndex`] drains it (look-ups read both), so the storage
	/// version is 1 from the upgrade on and try-runtime's version checks hold at once.
	pub struct BeginIssuerIndex<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for BeginIssuerIndex<T> {
		fn on_runtime_upgrade() -> Weight {
			Weight::zero()
		}
	}

	/// Version 0 to 1, at most once (the version is written by `VersionedMigration`).
	pub type VersionToV1<T> = VersionedMigration<
		0,
		1,
		BeginIssuerIndex<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	/// Moves every entry of version 0's index into `CertificateOfIssuer`, under the issuer of
	/// the certificate it names, as many a block as the block's migration weight allows
	/// (`WeightInfo::migration_step` each), and emits `StorageMigrated` when none is left. An
	/// entry naming no certificate (none does: `try_state` forbids it) is dropped. On a chain
	/// with nothing in version 0's index it finishes in its first step.
	pub struct MigrateToIssuerIndex<T>(core::marker::PhantomData<T>);

	impl<T: Config> SteppedMigration for MigrateToIssuerIndex<T> {
		type Cursor = Cursor;
		type Identifier = MigrationId<24>;

		fn id() -> Self::Identifier {
			MigrationId { pallet_id: *ID, version_from: 0, version_to: 1 }
		}

		fn step(
			mut cursor: Option<Self::Cursor>,
			meter: &mut WeightMeter,
		) -> Result<Option<Self::Cursor>, SteppedMigrationError> {
			let required = <T as Config>::WeightInfo::migration_step();
			if meter.remaining().any_lt(required) {
				return Err(SteppedMigrationError::InsufficientWeight { required });
			}
			while meter.try_consume(required).is_ok() {
				let mut entries = match cursor {
					Some((last, _)) => v0::CertificateOf::<T>::iter_from(
						v0::CertificateOf::<T>::hashed_key_for(last),
					),
					None => v0::CertificateOf::<T>::iter(),
				};
				let Some((hash, id)) = entries.next() else {
					let moved = cursor.map_or(0, |(_, moved)| moved);
					Pallet::<T>::deposit_event(Event::StorageMigrated {
						version: 1,
						certificates: moved,
					});
					return Ok(None);
				};
				v0::CertificateOf::<T>::remove(hash);
				let mut moved = cursor.map_or(0, |(_, moved)| moved);
				if let Some(certificate) = Certificates::<T>::get(id) {
					CertificateOfIssuer::<T>::insert(certificate.issuer, hash, id);
					moved = moved.saturating_add(1);
				}
				cursor = Some((hash, moved));
			}
			Ok(cursor)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			let entries: alloc::vec::Vec<([u8; 32], crate::CertificateId)> =
				v0::CertificateOf::<T>::iter().collect();
			Ok(entries.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let before =
				<alloc::vec::Vec<([u8; 32], crate::CertificateId)>>::decode(&mut &state[..])
					.map_err(|_| sp_runtime::TryRuntimeError::Other("pre-upgrade state"))?;
			frame_support::ensure!(
				v0::CertificateOf::<T>::iter().next().is_none(),
				"version 0's index is not empty"
			);
			for (hash, id) in before {
				let issuer = Certificates::<T>::get(id).map(|c| c.issuer);
				let moved = issuer.and_then(|issuer| CertificateOfIssuer::<T>::get(issuer, hash));
				frame_support::ensure!(moved == Some(id), "an entry was not moved to its issuer");
			}
			Ok(())
		}
	}
}
