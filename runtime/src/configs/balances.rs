//! `pallet_balances`: MedTrust charges no fees; a balance only keeps an account alive (an
//! account without one cannot send transactions, since its nonce is not stored).

use frame_support::traits::{ConstU128, ConstU32, VariantCountOf};

use crate::{Balance, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, System};

/// The smallest balance an account may hold; below it the account is removed.
pub const EXISTENTIAL_DEPOSIT: Balance = crate::UNIT / 1_000;

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<0>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}
