//! Chain specifications. They hold no genesis logic of their own: every spec is built from a
//! genesis preset of the runtime (`dev`, `local`), or read from a JSON file.

use medtrust_runtime::WASM_BINARY;
use sc_service::{ChainType, Properties};

/// A MedTrust chain specification.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token and address properties shown by Polkadot.js Apps.
pub fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), "MTU".into());
	properties.insert("tokenDecimals".into(), 12.into());
	properties.insert("ss58Format".into(), medtrust_runtime::SS58_PREFIX.into());
	properties
}

pub fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's Wasm binary is not available: this node was built with \
		 SKIP_WASM_BUILD; rebuild it without"
			.to_string()
	})
}

/// `--dev`: one validator (Alice) on this machine.
pub fn development() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("MedTrust Development")
		.with_id("medtrust_dev")
		.with_protocol_id("medtrust-dev")
		.with_chain_type(ChainType::Development)
		.with_properties(properties())
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.build())
}

/// `--chain local`: the four-institution local consortium.
pub fn local() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("MedTrust Local Consortium")
		.with_id("medtrust_local")
		.with_protocol_id("medtrust-local")
		.with_chain_type(ChainType::Local)
		.with_properties(properties())
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.build())
}
