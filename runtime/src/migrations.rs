//! The storage migrations a release runs when the consortium votes it in.
//!
//! A runtime upgrade on a MedTrust network: a council motion approved by two thirds of the
//! active institutions authorizes the new code's hash (`Consortium::enact_as_root` of
//! `System::authorize_upgrade`), anyone then supplies the code
//! (`System::apply_authorized_upgrade`), and the next block runs the new runtime, starting
//! with [`Migrations`]. The operator's procedure is in docs/operations.md (Upgrading the runtime).
//!
//! A release that changes how a pallet stores anything:
//! 1. bumps that pallet's `STORAGE_VERSION` and writes the step in its `migrations` module (a
//!    `VersionedMigration`, which runs once, at the version it starts from, with
//!    `pre_upgrade`/`post_upgrade` checks; see `pallet_consortium::migrations::v2`);
//! 2. lists it in [`Migrations`] below, and bumps `spec_version`;
//! 3. checks it: `medtrust governance upgrade --check <runtime.wasm>` runs the new code's
//!    migrations with their checks, each pallet's storage version against its code, and every
//!    `try_state`, on the state of a live network (the end-to-end upgrade test does the same).
//!
//! A step whose work grows with the chain (every certificate, every record) is a multi-block
//! migration instead, listed in [`MultiBlock`]: `pallet_migrations` runs it after the
//! upgrade as many items a block as half a block's weight allows, while blocks carry no
//! transactions, and `MultiBlockMigrations.UpgradeCompleted` says it is done. Its storage
//! version is written by a single-block step at the upgrade, the layout reading both forms
//! until the entries have moved.
//!
//! Steps stay listed for one release after they ran, then go: a step is never needed again
//! once every network's storage is at its version.

/// The single-block migrations of this release, run in order by `frame_executive` at the first
/// block of the new runtime: spec 112 puts the certificates pallet at storage version 1 (its
/// index keyed by issuer; the entries move in [`MultiBlock`]); spec 113 the consortium pallet
/// at version 1 (each institution's key becomes version 1 of its keys).
#[cfg(not(feature = "upgrade-rehearsal"))]
pub type Migrations = (
	pallet_certificates::migrations::v1::VersionToV1<crate::Runtime>,
	pallet_consortium::migrations::v1::MigrateToV1<crate::Runtime>,
);

/// The upgrade rehearsal's migrations (feature `upgrade-rehearsal`, built beside every release
/// for the upgrade tests): the release's, then the worked example, the consortium pallet to
/// storage version 2.
#[cfg(feature = "upgrade-rehearsal")]
pub type Migrations = (
	pallet_certificates::migrations::v1::VersionToV1<crate::Runtime>,
	pallet_consortium::migrations::v1::MigrateToV1<crate::Runtime>,
	pallet_consortium::migrations::v2::MigrateToV2<crate::Runtime>,
);

/// The multi-block migrations of this release, which `pallet_migrations` runs after the
/// upgrade, a bounded weight a block, while blocks carry no transactions: spec 112 moves every
/// certificate's look-up entry under its issuer.
pub type MultiBlock = (pallet_certificates::migrations::v1::MigrateToIssuerIndex<crate::Runtime>,);
