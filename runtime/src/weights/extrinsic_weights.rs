//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 64.0.0
//! DATE: 2026-12-03 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `AMD EPYC`
//!
//! SHORT-NAME: `extrinsic`, LONG-NAME: `ExtrinsicBase`, RUNTIME: `medtrust`
//! WARMUPS: `3`, REPEAT: `20`
//! WEIGHT-PATH: `/tmp/m/ow`
//! WEIGHT-METRIC: `Average`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/medtrust/bin/frame-omni-bencher
//   v1
//   benchmark
//   overhead
//   --runtime
//   /root/.cache/medtrust/bench-target/release/wbuild/medtrust-runtime/medtrust_runtime.compact.compressed.wasm
//   --genesis-builder
//   runtime
//   --genesis-builder-preset
//   development
//   --weight-path
//   /tmp/m/ow
//   --warmup
//   3
//   --repeat
//   20

use frame_support::parameter_types;
use frame_support::weights::{constants::WEIGHT_REF_TIME_PER_NANOS, Weight};

parameter_types! {
	/// Weight of executing a NO-OP extrinsic, for example `System::remark`.
	/// Calculated by multiplying the *Average* with `1.0` and adding `0`.
	///
	/// Stats nanoseconds:
	///   Min, Max: 90_437, 91_565
	///   Average:  90_899
	///   Median:   90_850
	///   Std-Dev:  345.1
	///
	/// Percentiles nanoseconds:
	///   99th: 91_565
	///   95th: 91_525
	///   75th: 91_119
	pub const ExtrinsicBaseWeight: Weight =
		Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul(90_899), 0);
}

#[cfg(test)]
mod test_weights {
	use frame_support::weights::constants;

	/// Checks that the weight exists and is sane.
	// NOTE: If this test fails but you are sure that the generated values are fine,
	// you can delete it.
	#[test]
	fn sane() {
		let w = super::ExtrinsicBaseWeight::get();

		// At least 10 µs.
		assert!(
			w.ref_time() >= 10u64 * constants::WEIGHT_REF_TIME_PER_MICROS,
			"Weight should be at least 10 µs."
		);
		// At most 1 ms.
		assert!(
			w.ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
			"Weight should be at most 1 ms."
		);
	}
}
