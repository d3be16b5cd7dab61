//! What the pallets' test runtimes share: [`test_runtime!`](crate::test_runtime) declares a
//! runtime `Test` of `frame_system` and the given pallets, with `u64` accounts. Used by test
//! code only; it expands in the caller, which has `frame_support` and `frame_system`.

/// Declares `Test`, a runtime of `frame_system` (index 0) and the given pallets, with
/// `AccountId = u64` and `Block`:
///
/// ```ignore
/// medtrust_primitives::test_runtime!(1 => DataSources = pallet_data_sources);
/// ```
#[macro_export]
macro_rules! test_runtime {
	($($index:tt => $name:ident = $pallet:ident),+ $(,)?) => {
		/// The test runtime's accounts.
		pub type AccountId = u64;
		type Block = frame_system::mocking::MockBlock<Test>;

		#[frame_support::runtime]
		mod runtime {
			#[runtime::runtime]
			#[runtime::derive(RuntimeCall, RuntimeEvent, RuntimeError, RuntimeOrigin, RuntimeTask, RuntimeViewFunction)]
			pub struct Test;

			#[runtime::pallet_index(0)]
			pub type System = frame_system;

			$(
				#[runtime::pallet_index($index)]
				pub type $name = $pallet;
			)+
		}

		use frame_support::derive_impl;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
		impl frame_system::Config for Test {
			type Block = Block;
			type AccountId = AccountId;
			type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
		}
	};
}

/// xorshift64*: a small deterministic generator for property tests and benchmarks (the same
/// numbers for the same seed; nothing secret may come from it). The seed must not be 0.
#[cfg(feature = "std")]
pub struct XorShift(pub u64);

#[cfg(feature = "std")]
impl XorShift {
	/// The next number.
	#[allow(clippy::should_implement_trait)]
	pub fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
	}

	/// A number below `n` (`n` > 0).
	pub fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}

	/// An index below `n` (`n` > 0).
	pub fn index(&mut self, n: usize) -> usize {
		self.below(n as u64) as usize
	}
}
