//! Anchoring records and verifying them: the client side of certificates.
//!
//! [`Chain::anchor`] canonicalises each record of a file, draws its salt, computes its salted
//! commitment, encrypts it with AES-256-GCM, certifies the records (one certificate each, or
//! one for the batch by its Merkle root), waits for finality, and writes one portable
//! certificate per record. It is resumable: its state is kept in the output directory, and a
//! second run carries on where the first stopped without certifying anything twice.
//!
//! [`verify_local`] checks a record against its portable certificate without the chain
//! (commitment, Merkle path); [`Chain::verify_record`] adds what the chain says.

use std::{
	fs,
	path::{Path, PathBuf},
};

use medtrust_primitives::{
	canonical::canonical_json,
	certificate_json::{
		hash_hex, parse_hash, CertificateJson, EvidenceJson, ProofJson, VerificationJson,
	},
	commitment::commit,
	hashing::HashAlgorithm,
	merkle::{root_from_proof, MerkleProof},
};
use serde::{Deserialize, Serialize};
use subxt_signer::sr25519::Keypair;

use crate::{
	keys::{random32, DataKey, KeyStore, WrappedKey},
	pipeline::{build_tree, commit_records, encrypt_to_file, map_chunks, salt, ROUND},
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	Chain, Error, Result,
};

/// The format of a record file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordFormat {
	/// One JSON value per line.
	Ndjson,
	/// A header line, then one record per row.
	Csv,
	/// A FHIR Bundle: each `entry[].resource` is a record.
	FhirBundle,
}

impl RecordFormat {
	/// Parses `ndjson`, `csv` or `fhir-bundle`.
	pub fn parse(name: &str) -> Result<Self> {
		match name {
			"ndjson" => Ok(Self::Ndjson),
			"csv" => Ok(Self::Csv),
			"fhir-bundle" => Ok(Self::FhirBundle),
			_ => Err(Error::Input(format!("unknown format `{name}`: ndjson, csv or fhir-bundle"))),
		}
	}

	/// The format of a file, from its extension.
	pub fn guess(path: &Path) -> Self {
		match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
			Some("csv") => Self::Csv,
			Some("json") => Self::FhirBundle,
			_ => Self::Ndjson,
		}
	}
}

pub use crate::pipeline::canonical_records;

/// The canonical form of a file holding one record: a JSON object (an NDJSON line, a FHIR
/// resource) or, for CSV, a header and one row.
pub fn canonical_single(text: &str, format: RecordFormat) -> Result<Vec<u8>> {
	let records = match format {
		RecordFormat::Csv => canonical_records(text, RecordFormat::Csv)?,
		_ => vec![canonical_json(text.trim()).map_err(|e| Error::Input(e.to_string()))?],
	};
	match records.len() {
		1 => Ok(records.into_iter().next().unwrap_or_default()),
		n => Err(Error::Input(format!("the record file holds {n} records, not one"))),
	}
}

/// A portable certificate: everything needed to verify one record besides the record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortableCertificate {
	/// `medtrust-certificate/1`.
	pub format: String,
	/// The chain's genesis hash.
	pub genesis: String,
	/// The on-chain certificate: id, issuer, source, resource, version, domain.
	pub certificate: CertificateRef,
	/// `sha-256`, `blake2b-256` or `sm3`.
	pub algorithm: String,
	/// The record: its position in the anchored file, format, salt and commitment.
	pub record: RecordRef,
	/// For a batch: its Merkle root, leaf count and this record's path.
	pub batch: Option<BatchRef>,
	/// The block the certificate was issued in.
	pub block: medtrust_primitives::catalog::BlockRef,
	/// What an offline verifier needs besides the chain spec (see [`crate::offline`]).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub evidence: Option<EvidenceJson>,
}

/// The on-chain certificate a portable certificate stands for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateRef {
	pub id: u64,
	pub issuer: u32,
	pub source: u64,
	pub resource: u64,
	pub version: u32,
	pub domain: String,
}

/// The record a portable certificate is for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordRef {
	/// Its position in the anchored file (1 first).
	pub index: u64,
	/// `ndjson`, `csv` or `fhir-bundle`: how to canonicalise it.
	pub format: RecordFormat,
	/// Its 32-byte salt, hex: secret as the record is.
	pub salt: String,
	/// `H(tag ‖ salt ‖ canonical record)`, hex.
	pub commitment: String,
}

/// A record's place in a batch.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchRef {
	pub root: String,
	pub leaf_count: u64,
	pub proof: ProofJson,
}

/// What verification concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
	Valid,
	Tampered,
	Revoked,
	Superseded,
	Unknown,
}

/// A verdict and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
	pub verdict: Verdict,
	pub reason: String,
	/// The certificate the chain holds, when asked online.
	pub certificate: Option<CertificateJson>,
}

impl VerifyReport {
	fn new(verdict: Verdict, reason: impl Into<String>) -> Self {
		Self { verdict, reason: reason.into(), certificate: None }
	}
}

/// Checks a record against its portable certificate without the chain: the record's
/// commitment under its salt, and for a batch the Merkle path to the root. Returns the
/// commitment and proof to ask the chain about, or the verdict `tampered` with its reason.
pub fn verify_local(
	record_text: &str,
	certificate: &PortableCertificate,
) -> std::result::Result<([u8; 32], Option<MerkleProof>), Box<VerifyReport>> {
	let tampered = |why: String| Box::new(VerifyReport::new(Verdict::Tampered, why));
	if certificate.format != CERTIFICATE_FORMAT {
		return Err(tampered(format!("not a {CERTIFICATE_FORMAT} certificate")));
	}
	let algorithm = HashAlgorithm::from_name(&certificate.algorithm)
		.ok_or_else(|| tampered(format!("unknown hash algorithm `{}`", certificate.algorithm)))?;
	let salt = parse_hash(&certificate.record.salt).map_err(|e| tampered(format!("salt: {e}")))?;
	let expected = parse_hash(&certificate.record.commitment)
		.map_err(|e| tampered(format!("commitment: {e}")))?;
	let canonical = canonical_single(record_text, certificate.record.format)
		.map_err(|e| tampered(format!("the record cannot be read: {e}")))?;
	let commitment = commit(algorithm, &salt, &canonical);
	if commitment != expected {
		return Err(tampered(
			"the record does not match the certificate's commitment: the record or its salt was \
			 altered"
				.into(),
		));
	}
	let Some(batch) = &certificate.batch else { return Ok((commitment, None)) };
	let proof = MerkleProof::try_from(&batch.proof)
		.map_err(|e| tampered(format!("the Merkle proof is malformed: {e}")))?;
	let root = parse_hash(&batch.root).map_err(|e| tampered(format!("batch root: {e}")))?;
	if proof.leaf_count != batch.leaf_count || proof.index + 1 != certificate.record.index {
		return Err(tampered("the Merkle proof does not belong to this record's place".into()));
	}
	match root_from_proof(algorithm, &commitment, &proof) {
		None => Err(tampered("the Merkle proof is truncated or padded".into())),
		Some(r) if r != root => {
			Err(tampered("the Merkle path does not lead to the batch's root".into()))
		}
		Some(_) => Ok((commitment, Some(proof))),
	}
}

/// How many certify transactions `anchor` submits at once (without `--batch`).
pub const SUBMIT_AT_ONCE: usize = 256;

/// The `format` field of portable certificates.
pub const CERTIFICATE_FORMAT: &str = "medtrust-certificate/1";

/// What an anchoring run is asked to do.
#[derive(Debug, Clone)]
pub struct AnchorRequest {
	pub file: PathBuf,
	pub format: RecordFormat,
	pub source: u64,
	pub resource: u64,
	/// Default: the resource's current version.
	pub version: Option<u32>,
	/// Default: the source's first business domain.
	pub domain: Option<String>,
	pub algorithm: HashAlgorithm,
	/// One certificate for all records (Merkle root) instead of one each.
	pub batch: bool,
	pub out: PathBuf,
}

/// What an anchoring run did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorReport {
	pub records: u64,
	/// The certificate ids issued (one for a batch).
	pub certificates: Vec<u64>,
	/// Certificates issued by this run (the others were issued by an interrupted one).
	pub issued_now: u64,
	pub block: medtrust_primitives::catalog::BlockRef,
	pub out: PathBuf,
	/// The Merkle root, for a batch.
	pub root: Option<String>,
	/// When each stage was done, in seconds from the start of the run.
	pub seconds: AnchorTimes,
}

/// When each stage of an anchoring run was done, in seconds from its start.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorTimes {
	/// The file read and every record canonicalised.
	pub canonicalised: f64,
	/// Every commitment (and the batch's Merkle tree) computed.
	pub committed: f64,
	/// Every certificate finalized on chain and every ciphertext stored.
	pub certified: f64,
	/// Every portable certificate written: the end of the run.
	pub written: f64,
}

/// An anchoring run's state, kept in `<out>/anchor-state.json` so that a second run resumes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct AnchorState {
	/// BLAKE2b-256 of the input file.
	input: String,
	format: RecordFormat,
	source: u64,
	resource: u64,
	version: u32,
	domain: String,
	algorithm: String,
	batch: bool,
	/// The secret the salts derive from (`salt_i = BLAKE2b-256(seed ‖ i)`), hex.
	seed: String,
	wrapped_key: WrappedKey,
	/// The certificate of each record (or the batch), as issued so far.
	certificates: Vec<Option<(u64, u32)>>,
	/// Whether every portable certificate is written.
	#[serde(default)]
	written: bool,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
	let tmp = path.with_extension("tmp");
	fs::write(&tmp, bytes)
		.and_then(|_| fs::rename(&tmp, path))
		.map_err(|e| Error::Input(format!("cannot write {}: {e}", path.display())))
}

/// A certificate's evidence as it appears in every portable certificate of its records
/// (pretty JSON, indented as a member of the certificate): rendered once per certificate.
pub fn render_evidence(evidence: &EvidenceJson) -> String {
	// JSON strings hold no raw line breaks: every one is the layout's.
	serde_json::to_string_pretty(evidence).unwrap_or_default().replace('\n', "\n  ")
}

/// A portable certificate (without evidence) as pretty JSON, with `evidence` from
/// [`render_evidence`] as its last member: the bytes `serde_json::to_vec_pretty` gives for the
/// whole, without serialising the shared evidence again for every record.
pub fn render_certificate(
	portable: &PortableCertificate,
	evidence: Option<&str>,
) -> Result<Vec<u8>> {
	let mut out = serde_json::to_vec_pretty(portable)
		.map_err(|e| Error::Input(format!("cannot render a certificate: {e}")))?;
	if let Some(evidence) = evidence {
		// `{…\n}` becomes `{…,\n  "evidence": …\n}`.
		out.truncate(out.len().saturating_sub(2));
		out.extend_from_slice(b",\n  \"evidence\": ");
		out.extend_from_slice(evidence.as_bytes());
		out.extend_from_slice(b"\n}");
	}
	Ok(out)
}

/// Reads record `index` (0 first) of a `ciphertext/records.bin`.
pub fn read_ciphertext(path: &Path, index: u64) -> Result<Vec<u8>> {
	let bytes =
		fs::read(path).map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
	let mut at = 0usize;
	let mut i = 0u64;
	while at + 4 <= bytes.len() {
		let len =
			u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
		let end = at + 4 + len;
		if end > bytes.len() {
			break;
		}
		if i == index {
			return Ok(bytes[at + 4..end].to_vec());
		}
		at = end;
		i += 1;
	}
	Err(Error::Input(format!("{} has no record {}", path.display(), index + 1)))
}

/// The files of an anchoring directory.
pub struct AnchorDir {
	pub root: PathBuf,
}

impl AnchorDir {
	pub fn state(&self) -> PathBuf {
		self.root.join("anchor-state.json")
	}
	pub fn ciphertexts(&self) -> PathBuf {
		self.root.join("ciphertext").join("records.bin")
	}
	pub fn key(&self) -> PathBuf {
		self.root.join("ciphertext").join("key.json")
	}
	pub fn certificate(&self, index: u64) -> PathBuf {
		self.root.join("certificates").join(format!("{index}.json"))
	}
}

/// The wrapped data key of an anchoring directory, with the source and resource it binds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFile {
	pub source: u64,
	pub resource: u64,
	pub records: u64,
	#[serde(flatten)]
	pub wrapped: WrappedKey,
}

/// Decrypts record `index` (1 first) of an anchoring directory.
pub fn decrypt(dir: &Path, index: u64, store: &KeyStore) -> Result<Vec<u8>> {
	let dir = AnchorDir { root: dir.to_path_buf() };
	let text = fs::read_to_string(dir.key())
		.map_err(|e| Error::Input(format!("cannot read {}: {e}", dir.key().display())))?;
	let key: KeyFile = serde_json::from_str(&text)
		.map_err(|e| Error::Input(format!("{} is malformed: {e}", dir.key().display())))?;
	if index == 0 || index > key.records {
		return Err(Error::Input(format!("records are numbered 1 to {}", key.records)));
	}
	let data_key = DataKey::unwrap(store, &key.wrapped, key.source, key.resource)?;
	data_key.decrypt(index - 1, &read_ciphertext(&dir.ciphertexts(), index - 1)?)
}

impl Chain {
	/// Anchors a file of records; see the module documentation.
	pub async fn anchor(
		&self,
		signer: &Keypair,
		request: &AnchorRequest,
		store: &KeyStore,
		mut progress: impl FnMut(&str, u64, u64),
	) -> Result<AnchorReport> {
		let started = std::time::Instant::now();
		let mut seconds = AnchorTimes::default();
		let text = fs::read_to_string(&request.file)
			.map_err(|e| Error::Input(format!("cannot read {}: {e}", request.file.display())))?;
		let records = canonical_records(&text, request.format)
			.map_err(|e| Error::Input(format!("{}: {e}", request.file.display())))?;
		if records.is_empty() {
			return Err(Error::Input(format!("{} holds no records", request.file.display())));
		}
		let n = records.len() as u64;
		let records = std::sync::Arc::new(records);
		seconds.canonicalised = started.elapsed().as_secs_f64();

		// What the chain must accept, checked before anything is written or sent.
		let source = self.source(request.source).await?;
		let owner = self.institution_of(&signer.public_key().to_account_id()).await?;
		if source.institution != owner {
			return Err(Error::Input(format!(
				"data source #{} belongs to institution #{}, not to the signer's (#{owner})",
				request.source, source.institution
			)));
		}
		let resource = self.resource(request.resource).await?;
		if resource.source != request.source {
			return Err(Error::Input(format!(
				"resource #{} belongs to source #{}, not #{}",
				request.resource, resource.source, request.source
			)));
		}
		let version = request.version.unwrap_or(resource.version);
		let domain = match &request.domain {
			Some(d) => d.clone(),
			None => source.domains.first().cloned().unwrap_or_default(),
		};

		let dir = AnchorDir { root: request.out.clone() };
		for sub in ["ciphertext", "certificates"] {
			fs::create_dir_all(dir.root.join(sub)).map_err(|e| {
				Error::Input(format!("cannot create {}: {e}", dir.root.join(sub).display()))
			})?;
		}
		let input = hash_hex(&HashAlgorithm::Blake2b256.hash(&[text.as_bytes()]));
		let resumed = dir.state().is_file();
		let mut state = match fs::read_to_string(dir.state()) {
			Ok(saved) => {
				let state: AnchorState = serde_json::from_str(&saved).map_err(|e| {
					Error::Input(format!("{} is corrupt: {e}", dir.state().display()))
				})?;
				let same = state.input == input
					&& state.format == request.format
					&& state.source == request.source
					&& state.resource == request.resource
					&& state.version == version
					&& state.domain == domain
					&& state.algorithm == request.algorithm.name()
					&& state.batch == request.batch;
				if !same {
					return Err(Error::Input(format!(
						"{} holds another anchoring (other file or options): choose another --out",
						dir.root.display()
					)));
				}
				state
			}
			Err(_) => {
				let (_, wrapped) = DataKey::generate(store, request.source, request.resource)?;
				let state = AnchorState {
					input,
					format: request.format,
					source: request.source,
					resource: request.resource,
					version,
					domain: domain.clone(),
					algorithm: request.algorithm.name().into(),
					batch: request.batch,
					seed: hash_hex(&random32()),
					wrapped_key: wrapped,
					certificates: vec![None; if request.batch { 1 } else { records.len() }],
					written: false,
				};
				write_atomic(&dir.state(), &serde_json::to_vec_pretty(&state).unwrap_or_default())?;
				state
			}
		};
		let seed = parse_hash(&state.seed).map_err(Error::Input)?;
		let key = DataKey::unwrap(store, &state.wrapped_key, request.source, request.resource)?;

		// Commit and build the tree; encrypt while the chain certifies.
		let commitments = commit_records(&records, request.algorithm, &seed, |done| {
			progress("committed", done, n)
		});
		let tree = if request.batch { build_tree(request.algorithm, &commitments) } else { None };
		seconds.committed = started.elapsed().as_secs_f64();
		let encryption = if dir.key().is_file() && dir.ciphertexts().is_file() {
			None
		} else {
			let (records, key, path) = (records.clone(), key.clone(), dir.ciphertexts());
			Some(tokio::task::spawn_blocking(move || encrypt_to_file(&records, &key, &path)))
		};
		let subjects: Vec<[u8; 32]> = match &tree {
			Some(tree) => vec![tree.root()],
			None => commitments.clone(),
		};
		let certified = self
			.certify_subjects(
				signer,
				request,
				&mut state,
				&dir,
				(&subjects, n, owner),
				resumed,
				&mut progress,
			)
			.await;
		if let Some(task) = encryption {
			task.await
				.map_err(|e| Error::Input(format!("encrypting the records stopped: {e}")))??;
			let key_file = KeyFile {
				source: request.source,
				resource: request.resource,
				records: n,
				wrapped: state.wrapped_key.clone(),
			};
			write_atomic(&dir.key(), &serde_json::to_vec_pretty(&key_file).unwrap_or_default())?;
		}
		let issued_now = certified?;
		seconds.certified = started.elapsed().as_secs_f64();

		// Portable certificates, one per record, written once the certificates are final.
		if state.certificates.iter().any(Option::is_none) {
			return Err(Error::Transaction("a record was left uncertified".into()));
		}
		let mut ids: Vec<u64> = state.certificates.iter().flatten().map(|(id, _)| *id).collect();
		ids.dedup();
		let mut issued = std::collections::BTreeMap::new();
		for &id in &ids {
			let c = self.certificate(id).await?;
			if !c.finalized {
				return Err(Error::Transaction(format!("certificate #{id} is not finalized")));
			}
			let evidence = if state.written { None } else { Some(self.evidence(id).await?) };
			issued.insert(id, (c.issued, evidence.as_ref().map(render_evidence)));
		}
		if !state.written {
			let genesis = format!("{:?}", self.api().genesis_hash());
			let certificate_of = |i: u64| -> Result<Vec<u8>> {
				let (id, _) = state.certificates[if request.batch { 0 } else { i as usize }]
					.ok_or_else(|| Error::Transaction("a record was left uncertified".into()))?;
				let (block, evidence) = issued
					.get(&id)
					.ok_or_else(|| Error::Transaction(format!("certificate #{id} was not read")))?;
				let portable = PortableCertificate {
					format: CERTIFICATE_FORMAT.into(),
					genesis: genesis.clone(),
					certificate: CertificateRef {
						id,
						issuer: owner,
						source: request.source,
						resource: request.resource,
						version,
						domain: domain.clone(),
					},
					algorithm: request.algorithm.name().into(),
					record: RecordRef {
						index: i + 1,
						format: request.format,
						salt: hash_hex(&salt(&seed, i)),
						commitment: hash_hex(&commitments[i as usize]),
					},
					batch: tree.as_ref().and_then(|tree| {
						Some(BatchRef {
							root: hash_hex(&tree.root()),
							leaf_count: n,
							proof: ProofJson::from(&tree.proof(i)?),
						})
					}),
					block: block.clone(),
					evidence: None,
				};
				render_certificate(&portable, evidence.as_deref())
			};
			let indices: Vec<u64> = (0..n).collect();
			for round in indices.chunks(ROUND) {
				for written in map_chunks(round, 1, |_, part| -> Result<()> {
					for &i in part {
						let path = dir.certificate(i + 1);
						fs::write(&path, certificate_of(i)?).map_err(|e| {
							Error::Input(format!("cannot write {}: {e}", path.display()))
						})?;
					}
					Ok(())
				}) {
					written?;
				}
				progress("written", round.last().map_or(0, |i| i + 1), n);
			}
			state.written = true;
			write_atomic(&dir.state(), &serde_json::to_vec_pretty(&state).unwrap_or_default())?;
		}
		let last = ids.last().and_then(|id| issued.get(id)).map(|(block, _)| block.clone());
		Ok(AnchorReport {
			records: n,
			certificates: ids,
			issued_now,
			block: last.unwrap_or(medtrust_primitives::catalog::BlockRef {
				number: 0,
				hash: String::new(),
			}),
			out: dir.root.clone(),
			root: tree.as_ref().map(|t| hash_hex(&t.root())),
			seconds: AnchorTimes { written: started.elapsed().as_secs_f64(), ..seconds },
		})
	}

	/// Certifies the subjects (the batch's root over its `records`, or each record's
	/// commitment) not certified yet, [`SUBMIT_AT_ONCE`] transactions at a time, saving the
	/// state after each round. Returns how many this run issued.
	async fn certify_subjects(
		&self,
		signer: &Keypair,
		request: &AnchorRequest,
		state: &mut AnchorState,
		dir: &AnchorDir,
		(subjects, records, owner): (&[[u8; 32]], u64, u32),
		resumed: bool,
		progress: &mut impl FnMut(&str, u64, u64),
	) -> Result<u64> {
		let save = |state: &AnchorState| {
			write_atomic(&dir.state(), &serde_json::to_vec_pretty(state).unwrap_or_default())
		};
		// An interrupted run may have certified some without recording so; a fresh run has
		// nothing to look up.
		if resumed {
			for (i, subject) in subjects.iter().enumerate() {
				if state.certificates[i].is_some() {
					continue;
				}
				match self.certificate_of(subject).await? {
					Some(c) if c.issuer == owner => {
						state.certificates[i] = Some((c.id, c.issued.number))
					}
					Some(c) => {
						return Err(Error::Input(format!(
							"{} is certified already, by institution #{}",
							hash_hex(subject),
							c.issuer
						)))
					}
					None => {}
				}
			}
			save(state)?;
		}
		let domain = BoundedVec(state.domain.as_bytes().to_vec());
		let algorithm = to_runtime_algorithm(request.algorithm);
		let pending: Vec<usize> =
			(0..subjects.len()).filter(|&i| state.certificates[i].is_none()).collect();
		let total = subjects.len() as u64;
		let mut issued_now = 0u64;
		let certify = |i: usize| {
			runtime::transactions().certificates().certify(
				request.source,
				request.resource,
				state.version,
				domain.clone(),
				algorithm.clone(),
				subjects[i],
			)
		};
		let certified_by = |events: subxt::extrinsics::ExtrinsicEvents<crate::MedTrustConfig>| {
			events
				.find_first::<runtime::certificates::events::Certified>()
				.and_then(|e| e.ok())
				.map(|e| e.certificate)
				.ok_or_else(|| Error::Transaction("no Certified event".into()))
		};
		for round in pending.chunks(SUBMIT_AT_ONCE) {
			if request.batch {
				let call = runtime::transactions().certificates().certify_batch(
					request.source,
					request.resource,
					state.version,
					domain.clone(),
					algorithm.clone(),
					subjects[0],
					records,
				);
				let id = certified_by(self.submit_with_events(&call, signer).await?.1)?;
				state.certificates[0] = Some((id, self.certificate(id).await?.issued.number));
				issued_now += 1;
			} else {
				let calls: Vec<_> = round.iter().map(|&i| certify(i)).collect();
				self.submit_all(&calls, signer).await?;
				for &i in round {
					let (id, number) = match self.certificate_of(&subjects[i]).await? {
						Some(c) if c.issuer == owner => (c.id, c.issued.number),
						// Its transaction failed: once more on its own, to say why.
						_ => {
							let id = certified_by(
								self.submit_with_events(&certify(i), signer).await?.1,
							)?;
							(id, self.certificate(id).await?.issued.number)
						}
					};
					state.certificates[i] = Some((id, number));
					issued_now += 1;
				}
			}
			save(state)?;
			progress("certified", total - (pending.len() - issued_now as usize) as u64, total);
		}
		Ok(issued_now)
	}

	/// One certificate, or an error saying there is none.
	pub async fn certificate(&self, id: u64) -> Result<CertificateJson> {
		let found: Option<CertificateJson> = self
			.rpc()
			.request("medtrust_certificate", subxt_rpcs::rpc_params![id])
			.await
			.map_err(|e| self.rpc_error("medtrust_certificate", e))?;
		found.ok_or_else(|| Error::Input(format!("no certificate #{id}")))
	}

	/// The offline evidence of a certificate whose block is finalized (retries for a few
	/// seconds while GRANDPA's proof of the newest blocks is being made).
	pub async fn evidence(&self, id: u64) -> Result<EvidenceJson> {
		let mut attempts = 0;
		loop {
			match self
				.rpc()
				.request("medtrust_certificateEvidence", subxt_rpcs::rpc_params![id])
				.await
			{
				Ok(evidence) => return Ok(evidence),
				Err(e) if attempts < 20 && e.to_string().contains("retry") => {
					attempts += 1;
					tokio::time::sleep(std::time::Duration::from_millis(500)).await;
				}
				Err(e) => return Err(self.rpc_error("medtrust_certificateEvidence", e)),
			}
		}
	}

	/// The certificate of a commitment or Merkle root, if any.
	pub async fn certificate_of(&self, hash: &[u8; 32]) -> Result<Option<CertificateJson>> {
		self.rpc()
			.request("medtrust_certificateOf", subxt_rpcs::rpc_params![hash_hex(hash)])
			.await
			.map_err(|e| self.rpc_error("medtrust_certificateOf", e))
	}

	/// Verifies a record against its portable certificate and the chain.
	pub async fn verify_record(
		&self,
		record_text: &str,
		certificate: &PortableCertificate,
	) -> Result<VerifyReport> {
		let (commitment, proof) = match verify_local(record_text, certificate) {
			Ok(checked) => checked,
			Err(report) => return Ok(*report),
		};
		let genesis = format!("{:?}", self.api().genesis_hash());
		if genesis != certificate.genesis {
			return Ok(VerifyReport::new(
				Verdict::Unknown,
				format!(
					"the certificate is of chain {}, this node serves {genesis}",
					certificate.genesis
				),
			));
		}
		let answer: VerificationJson = self
			.rpc()
			.request(
				"medtrust_verify",
				subxt_rpcs::rpc_params![hash_hex(&commitment), proof.as_ref().map(ProofJson::from)],
			)
			.await
			.map_err(|e| self.rpc_error("medtrust_verify", e))?;
		let Some(found) = answer.certificate else {
			return Ok(VerifyReport::new(
				Verdict::Unknown,
				"no certificate on chain holds this record",
			));
		};
		let mut report = if found.id != certificate.certificate.id
			|| found.issued.hash != certificate.block.hash
		{
			VerifyReport::new(
				Verdict::Tampered,
				format!(
					"the chain certifies this record as #{} in block {}, not as the certificate says \
					 (#{} in block {})",
					found.id, found.issued.hash, certificate.certificate.id, certificate.block.hash
				),
			)
		} else {
			match &found.status {
				medtrust_primitives::certificate_json::StatusJson::Valid if found.finalized => {
					VerifyReport::new(
						Verdict::Valid,
						format!(
							"certificate #{} of institution #{}, block #{} (finalized)",
							found.id, found.issuer, found.issued.number
						),
					)
				}
				medtrust_primitives::certificate_json::StatusJson::Valid => VerifyReport::new(
					Verdict::Unknown,
					format!(
						"certificate #{}'s block #{} is not finalized yet",
						found.id, found.issued.number
					),
				),
				medtrust_primitives::certificate_json::StatusJson::Revoked { reason, at } => {
					VerifyReport::new(
						Verdict::Revoked,
						format!("certificate #{} was revoked in block #{at} ({reason})", found.id),
					)
				}
				medtrust_primitives::certificate_json::StatusJson::Superseded { by, at } => {
					VerifyReport::new(
						Verdict::Superseded,
						format!("certificate #{} was superseded by #{by} in block #{at}", found.id),
					)
				}
			}
		};
		report.certificate = Some(found);
		Ok(report)
	}

	/// Revokes a certificate of the signer's institution.
	pub async fn revoke(
		&self,
		signer: &Keypair,
		id: u64,
		reason: &str,
	) -> Result<crate::tx::Submitted> {
		use runtime::runtime_types::pallet_certificates::types::RevocationReason as R;
		let reason = match reason {
			"erroneous" => R::Erroneous,
			"withdrawn" => R::Withdrawn,
			"key-compromised" => R::KeyCompromised,
			"consent-withdrawn" => R::ConsentWithdrawn,
			"legal-order" => R::LegalOrder,
			"other" => R::Other,
			_ => {
				return Err(Error::Input(format!(
					"unknown reason `{reason}`: erroneous, withdrawn, key-compromised, \
					 consent-withdrawn, legal-order or other"
				)))
			}
		};
		self.submit(&runtime::transactions().certificates().revoke(id, reason), signer).await
	}

	/// Marks a certificate of the signer's institution as replaced by another of its own.
	pub async fn supersede(
		&self,
		signer: &Keypair,
		old: u64,
		new: u64,
	) -> Result<crate::tx::Submitted> {
		self.submit(&runtime::transactions().certificates().supersede(old, new), signer).await
	}
}

fn to_runtime_algorithm(
	a: HashAlgorithm,
) -> runtime::runtime_types::medtrust_primitives::hashing::HashAlgorithm {
	use runtime::runtime_types::medtrust_primitives::hashing::HashAlgorithm as R;
	match a {
		HashAlgorithm::Sha256 => R::Sha256,
		HashAlgorithm::Blake2b256 => R::Blake2b256,
		HashAlgorithm::Sm3 => R::Sm3,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use medtrust_primitives::merkle::MerkleTree;

	const NDJSON: &str = "{\"resourceType\":\"Observation\",\"id\":\"glu-1\",\"valueQuantity\":{\"value\":5.60,\"unit\":\"mmol/L\"}}\n\n{\"id\":\"glu-2\", \"resourceType\":\"Observation\"}\n";

	#[test]
	fn records_of_each_format_canonicalise() {
		let records = canonical_records(NDJSON, RecordFormat::Ndjson).expect("two records");
		assert_eq!(records.len(), 2);
		assert_eq!(records[1], br#"{"id":"glu-2","resourceType":"Observation"}"#.to_vec());
		let csv = "order_no,item,value\nA1,GLU,5.6\nA2,HBA1C,6.1\n";
		let rows = canonical_records(csv, RecordFormat::Csv).expect("two rows");
		assert_eq!(rows[0], br#"{"item":"GLU","order_no":"A1","value":"5.6"}"#.to_vec());
		assert_eq!(
			canonical_single("order_no,item,value\nA1,GLU,5.6\n", RecordFormat::Csv).expect("one"),
			rows[0]
		);
		let bundle = r#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","id":"glu-1","valueQuantity":{"unit":"mmol/L","value":5.6}}}]}"#;
		let entries = canonical_records(bundle, RecordFormat::FhirBundle).expect("one entry");
		assert_eq!(entries[0], records[0], "the same resource, in a bundle or a line");
		assert!(
			canonical_records("{\"resourceType\":\"Patient\"}", RecordFormat::FhirBundle).is_err()
		);
		assert!(canonical_records("{broken\n", RecordFormat::Ndjson)
			.unwrap_err()
			.to_string()
			.contains("line 1"));
	}

	fn portable(record: &[u8], batch: Option<(&MerkleTree, u64)>) -> PortableCertificate {
		let salt = [9u8; 32];
		let commitment = commit(HashAlgorithm::Sm3, &salt, record);
		PortableCertificate {
			format: CERTIFICATE_FORMAT.into(),
			genesis: "0x00".into(),
			certificate: CertificateRef {
				id: 0,
				issuer: 0,
				source: 0,
				resource: 0,
				version: 1,
				domain: "LABORATORY".into(),
			},
			algorithm: "sm3".into(),
			record: RecordRef {
				index: batch.map_or(1, |(_, i)| i + 1),
				format: RecordFormat::Ndjson,
				salt: hash_hex(&salt),
				commitment: hash_hex(&commitment),
			},
			batch: batch.map(|(tree, i)| BatchRef {
				root: hash_hex(&tree.root()),
				leaf_count: 3,
				proof: ProofJson::from(&tree.proof(i).expect("in range")),
			}),
			block: medtrust_primitives::catalog::BlockRef { number: 1, hash: "0x01".into() },
			evidence: None,
		}
	}

	#[test]
	fn local_verification_finds_each_kind_of_tampering() {
		let record = "{\"value\":\"5.6\"}";
		let canonical = canonical_json(record).expect("JSON");
		let good = portable(&canonical, None);
		assert!(verify_local(record, &good).is_ok());
		assert!(
			verify_local("{ \"value\" : \"5.6\" }", &good).is_ok(),
			"whitespace is not tampering"
		);
		let verdict =
			|r: std::result::Result<_, Box<VerifyReport>>| r.err().map(|e| (e.verdict, e.reason));
		let (v, why) = verdict(verify_local("{\"value\":\"5.7\"}", &good)).expect("tampered");
		assert_eq!(v, Verdict::Tampered);
		assert!(why.contains("altered"), "{why}");
		let mut wrong_salt = good.clone();
		wrong_salt.record.salt = hash_hex(&[8; 32]);
		assert_eq!(
			verdict(verify_local(record, &wrong_salt)).expect("tampered").0,
			Verdict::Tampered
		);
		let mut bad_hex = good.clone();
		bad_hex.record.salt = "0xzz".into();
		assert!(verdict(verify_local(record, &bad_hex)).expect("tampered").1.contains("salt"));
		assert!(verdict(verify_local("not json", &good))
			.expect("tampered")
			.1
			.contains("cannot be read"));

		let leaves: Vec<[u8; 32]> =
			vec![[1; 32], commit(HashAlgorithm::Sm3, &[9; 32], &canonical), [3; 32]];
		let tree = MerkleTree::new(HashAlgorithm::Sm3, &leaves).expect("non-empty");
		let in_batch = portable(&canonical, Some((&tree, 1)));
		assert!(verify_local(record, &in_batch).expect("valid").1.is_some());
		let mut truncated = in_batch.clone();
		truncated.batch.as_mut().expect("batch").proof.siblings.pop();
		assert!(verdict(verify_local(record, &truncated))
			.expect("tampered")
			.1
			.contains("truncated"));
		let mut other_root = in_batch.clone();
		other_root.batch.as_mut().expect("batch").root = hash_hex(&[0; 32]);
		assert!(verdict(verify_local(record, &other_root)).expect("tampered").1.contains("root"));
		let mut moved = in_batch;
		moved.record.index = 3;
		assert!(verdict(verify_local(record, &moved)).expect("tampered").1.contains("place"));
	}

	#[test]
	fn a_certificate_rendered_with_shared_evidence_is_what_serde_writes_for_the_whole() {
		let bare = portable(b"{}", None);
		let evidence = EvidenceJson {
			block: medtrust_primitives::catalog::BlockRef { number: 7, hash: "0x07".into() },
			header: "0xaa".into(),
			warp_proof: "0xbb".into(),
			finality_proof: "0xcc".into(),
			storage_key: "0xdd".into(),
			storage_proof: vec!["0x01".into(), "0x02".into()],
		};
		let mut full = bare.clone();
		full.evidence = Some(evidence.clone());
		let rendered =
			render_certificate(&bare, Some(&render_evidence(&evidence))).expect("rendered");
		assert_eq!(rendered, serde_json::to_vec_pretty(&full).expect("serialised"));
		assert_eq!(
			serde_json::from_slice::<PortableCertificate>(&rendered).expect("reads back"),
			full
		);
		assert_eq!(
			render_certificate(&bare, None).expect("rendered"),
			serde_json::to_vec_pretty(&bare).expect("serialised")
		);
	}
}
