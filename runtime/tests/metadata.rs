//! The client's types are generated from `client/artifacts/metadata.scale`; this test fails
//! when that file no longer matches the runtime. `scripts/refresh-metadata.sh` rewrites it.

use medtrust_runtime::Runtime;

/// The metadata version the client is generated from.
const METADATA_VERSION: u32 = 16;

#[test]
fn committed_metadata_is_current() {
	// In an empty state, as a node would read it from a chain founded with the default block
	// time (constants such as Timestamp's `MinimumPeriod` come from the chain's storage).
	let current = sp_io::TestExternalities::default().execute_with(|| {
		Runtime::metadata_at_version(METADATA_VERSION)
			.expect("the runtime offers metadata V16")
			.to_vec()
	});
	let path =
		std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../client/artifacts/metadata.scale");

	if std::env::var_os("MEDTRUST_BLESS").is_some() {
		std::fs::write(&path, &current).expect("the metadata file is writable");
		return;
	}
	let committed = std::fs::read(&path).unwrap_or_default();
	assert!(
		committed == current,
		"{} is stale ({} bytes committed, {} bytes now): run scripts/refresh-metadata.sh and \
		 commit the result",
		path.display(),
		committed.len(),
		current.len()
	);
}
