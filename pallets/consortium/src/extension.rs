//! `CheckMembership`: only accounts of active institutions may transact, each institution
//! within its fair share of a block.

use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	dispatch::{DispatchInfo, PostDispatchInfo},
	pallet_prelude::TransactionSource,
	traits::OriginTrait,
	weights::Weight,
	DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		DispatchInfoOf, Dispatchable, PostDispatchInfoOf, TransactionExtension, ValidateResult,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	DispatchResult,
};

use crate::{Config, InstitutionId, Pallet, WeightInfo};

/// Refuses, when a transaction is validated (in the pool and in a block), any signed
/// transaction whose signer is not an account of an active institution; when it is applied,
/// refuses it for this block if its institution has used its fair share of the block.
///
/// Its explicit and implicit data are empty, so wallets that do not know it (Polkadot.js Apps,
/// subxt) build valid transactions.
///
/// The refusal is `InvalidTransaction::Custom(code)`, `code` being a
/// [`MembershipError`](crate::MembershipError): 1 not a member, 2 institution suspended,
/// 3 institution removed. A transaction over the share is `ExhaustsResources`: it stays in the
/// pool and is included in a later block.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckMembership<T>(PhantomData<T>);

impl<T> CheckMembership<T> {
	/// The extension (it carries no data).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckMembership<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckMembership")
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckMembership<T>
where
	T::RuntimeCall: Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo>,
{
	const IDENTIFIER: &'static str = "CheckMembership";
	type Implicit = ();
	type Val = Option<InstitutionId>;
	/// The institution whose share the transaction used, to give back what it did not spend.
	type Pre = Option<InstitutionId>;

	fn weight(&self, _call: &T::RuntimeCall) -> Weight {
		T::WeightInfo::check_membership()
	}

	fn validate(
		&self,
		origin: T::RuntimeOrigin,
		_call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let Some(who) = origin.as_signer() else {
			// Inherents and unsigned transactions are checked by their own pallets.
			return Ok((ValidTransaction::default(), None, origin));
		};
		let institution = Pallet::<T>::member_institution(who)
			.map_err(|e| InvalidTransaction::Custom(e as u8))?;
		Ok((ValidTransaction::default(), Some(institution), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &T::RuntimeOrigin,
		_call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		if let Some(institution) = val {
			if !Pallet::<T>::use_block_share(institution, info.total_weight()) {
				return Err(InvalidTransaction::ExhaustsResources.into());
			}
		}
		Ok(val)
	}

	/// Gives back to the institution's share what the call did not spend of what it was
	/// charged (as the block's own weight is given back), so a call that refunds leaves room
	/// for the institution's next one.
	fn post_dispatch_details(
		pre: Self::Pre,
		info: &DispatchInfoOf<T::RuntimeCall>,
		post_info: &PostDispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		if let Some(institution) = pre {
			Pallet::<T>::return_block_share(institution, post_info.calc_unspent(info));
		}
		Ok(Weight::zero())
	}
}
