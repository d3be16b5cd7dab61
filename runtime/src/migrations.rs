//! The storage migrations a release runs when the consortium votes it in.
//!
//! A runtime upgrade on a MedTrust network: a council motion approved by two thirds of the
//! active institutions authorizes the new code's hash (`Consortium::enact_as_root` of
//! `System::authorize_upgrade`), anyone then supplies the code
//! (`System::apply_authorized_upgrade`), and the next block runs the new runtime, starting
//! with [`Migrations`]. The operator's procedure is in the README (Upgrading the runtime).
//!
//! A release that changes how a pallet stores anything:
//! 1. bumps that pallet's `STORAGE_VERSION` and writes the step in its `migrations` module (a
//!    `VersionedMigration`, which runs once, at the version it starts from, with
//!    `pre_upgrade`/`post_upgrade` checks; see `pallet_consortium::migrations::v1`);
//! 2. lists it in [`Migrations`] below, and bumps `spec_version`;
//! 3. checks it: `medtrust governance upgrade --check <runtime.wasm>` runs the new code's
//!    migrations with their checks, each pallet's storage version against its code, and every
//!    `try_state`, on the state of a live network (the end-to-end upgrade test does the same).
//!
//! Steps stay listed for one release after they ran, then go: a step is never needed again
//! once every network's storage is at its version.

/// The migrations of this release, run in order by `frame_executive` at the first block of
/// the new runtime. The release has none of its own; the upgrade rehearsal (feature
/// `upgrade-rehearsal`, built beside every release for the upgrade tests) runs the worked
/// example.
#[cfg(not(feature = "upgrade-rehearsal"))]
pub type Migrations = ();

/// The upgrade rehearsal's migrations: the consortium pallet to storage version 1.
#[cfg(feature = "upgrade-rehearsal")]
pub type Migrations = (pallet_consortium::migrations::v1::MigrateToV1<crate::Runtime>,);
