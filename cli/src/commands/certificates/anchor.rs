//! `medtrust anchor`.

use std::path::PathBuf;

use clap::Args;
use medtrust_client::{
	certificates::{
		anchor::AnchorRequest,
		keys::{default_dir, KeyStore},
		records::RecordFormat,
	},
	wire::WireName,
};
use medtrust_primitives::hashing::HashAlgorithm;

use crate::{
	context::Context,
	output::{self},
	values::wire,
};

#[derive(Debug, Args)]
pub struct AnchorArgs {
	/// The records' file.
	file: PathBuf,
	/// The data source the records come from (of the signer's institution).
	#[arg(long)]
	source: u64,
	/// The resource (table, interface) the records follow.
	#[arg(long)]
	resource: u64,
	/// The resource's schema version (default: its current one).
	#[arg(long)]
	version: Option<u32>,
	/// The business domain (default: the source's first).
	#[arg(long)]
	domain: Option<String>,
	/// The records' format (default: from the extension: .csv, .json = fhir-bundle, else
	/// ndjson).
	#[arg(long, value_parser = wire::<RecordFormat>())]
	format: Option<RecordFormat>,
	/// The hash algorithm of commitments and of the Merkle tree.
	#[arg(long, default_value = "sm3", value_parser = wire::<HashAlgorithm>())]
	algorithm: HashAlgorithm,
	/// One certificate for the whole file (a Merkle root) instead of one per record; the
	/// portable certificates go into one archive, <out>/certificates.cbor (`certificate
	/// extract` writes any record's portable certificate from it; `verify` reads it).
	#[arg(long)]
	batch: bool,
	/// With --batch: also write one portable certificate file per record,
	/// <out>/certificates/<n>.json (slow for millions of records).
	#[arg(long, requires = "batch")]
	per_record_files: bool,
	/// The field naming each record's data subject (a patient's pseudonymous id; `a.b` for a
	/// nested field, e.g. a FHIR resource's `subject.reference`): the records' keys are
	/// grouped per subject, so `share grant --subject` and `share erase --subject` reach
	/// exactly that subject's records. Without it every record has a key of its own.
	#[arg(long, value_name = "FIELD")]
	subject_field: Option<String>,
	/// Where the ciphertexts and certificates go (default: <file stem>.anchored).
	#[arg(long)]
	out: Option<PathBuf>,
	/// The key-encryption key directory.
	#[arg(long, env = "MEDTRUST_KEYS", default_value_os_t = default_dir())]
	keys: PathBuf,
}

impl AnchorArgs {
	fn request(&self) -> AnchorRequest {
		let out = self.out.clone().unwrap_or_else(|| {
			let stem = self.file.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
			PathBuf::from(format!("{stem}.anchored"))
		});
		AnchorRequest {
			file: self.file.clone(),
			format: self.format.unwrap_or_else(|| RecordFormat::guess(&self.file)),
			source: self.source,
			resource: self.resource,
			version: self.version,
			domain: self.domain.clone(),
			algorithm: self.algorithm,
			batch: self.batch,
			per_record_files: self.per_record_files,
			subject_field: self.subject_field.clone(),
			out,
		}
	}
}

/// Anchors a file of records, with a progress bar.
pub async fn run(args: AnchorArgs, context: &Context) -> anyhow::Result<()> {
	let request = args.request();
	let store = KeyStore::new(args.keys);
	let signer = context.signer()?;
	let chain = context.connect().await?;
	let bar = output::progress_bar();
	let report = chain
		.certificates()
		.anchor(signer, &request, &store, |stage, done, total| {
			bar.set_length(total);
			bar.set_message(stage.wire_name());
			bar.set_position(done);
		})
		.await;
	bar.finish_and_clear();
	context.output.show(&report?)
}
