//! The benchmarks the runtime exposes to `frame-omni-bencher` (`scripts/bench-weights.sh`),
//! with the `runtime-benchmarks` feature only.

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_consortium, Consortium]
	[pallet_data_sources, DataSources]
	[pallet_field_mapping, FieldMapping]
	[pallet_certificates, Certificates]
	[pallet_lineage, Lineage]
	[pallet_sharing, Sharing]
	[pallet_migrations, MultiBlockMigrations]
);
