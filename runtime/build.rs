//! Builds the runtime's Wasm, and beside it the upgrade rehearsal's (the same sources with the
//! `upgrade-rehearsal` feature: one `spec_version` ahead, with a migration and try-runtime's
//! checks), which the upgrade tests vote in. `MEDTRUST_SKIP_REHEARSAL_WASM=1` skips the
//! second.
fn main() {
	#[cfg(feature = "std")]
	{
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
		println!("cargo:rerun-if-env-changed=MEDTRUST_SKIP_REHEARSAL_WASM");
		if std::env::var_os("MEDTRUST_SKIP_REHEARSAL_WASM").is_none() {
			substrate_wasm_builder::WasmBuilder::init_with_defaults()
				.enable_feature("upgrade-rehearsal")
				.set_file_name("medtrust_runtime_rehearsal")
				.build();
		}
	}
}
