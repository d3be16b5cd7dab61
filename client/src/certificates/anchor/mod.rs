//! Anchoring records (requirement 5): [`Certificates::anchor`] canonicalises each record of a file,
//! draws its salt, computes its salted commitment, encrypts it with AES-256-GCM, certifies the
//! records (one certificate each, or one for the batch by its Merkle root), waits for
//! finality, and writes the portable certificates: a batch's in one archive
//! (`certificates.cbor`, see [`super::archive`]) and, on request, one file per record; one file
//! per record otherwise.
//!
//! It is resumable: its [`state`] is kept in the output directory ([`dir`]), and a second
//! run carries on where the first stopped without certifying anything twice.

pub mod certify;
pub mod dir;
pub mod state;
mod write;

use std::{collections::HashSet, path::PathBuf, sync::Arc, time::Instant};

use futures::StreamExt;
use medtrust_primitives::hashing::HashAlgorithm;
use medtrust_rpc_types::{
	catalog::BlockRef,
	certificate_json::{hash_hex, EvidenceJson},
};
use serde::Serialize;
use subxt_signer::sr25519::Keypair;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

pub use self::dir::decrypt;
use self::{
	certify::Subjects,
	dir::{AnchorDir, KeyFile},
	state::AnchorState,
	write::{Issued, Shared},
};
use super::{
	keys::{DataKey, KeyStore},
	pipeline::{self, Committed},
	portable::render_evidence,
	record_keys::KeyTable,
	records::RecordFormat,
};
use crate::certificates::Certificates;
use crate::certificates::Error as CertificatesError;
use crate::{files, Error, Result};

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
	/// For a batch, one portable certificate file per record as well as the archive.
	pub per_record_files: bool,
	/// The field naming each record's data subject (a patient's pseudonymous id; `a.b` for a
	/// nested field): record keys are grouped per subject, so that erasing a subject
	/// destroys exactly its records. Without it, every record's key is its own.
	pub subject_field: Option<String>,
	pub out: PathBuf,
}

impl AnchorRequest {
	/// Whether the run writes one portable certificate file per record.
	pub fn writes_files(&self) -> bool {
		!self.batch || self.per_record_files
	}
}

/// The stages an anchoring run reports progress in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
	/// Records committed to.
	Committed,
	/// Subjects certified and final.
	Certified,
	/// Portable certificates written.
	Written,
}

medtrust_primitives::wire_names!(Stage, "anchoring stage" {
	Committed => "committed",
	Certified => "certified",
	Written => "written",
});

/// What an anchoring run did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorReport {
	pub records: u64,
	/// The certificate ids issued (one for a batch).
	pub certificates: Vec<u64>,
	/// Certificates issued by this run (the others were issued by an interrupted one).
	pub issued_now: u64,
	pub block: BlockRef,
	pub out: PathBuf,
	/// The archive of a batch's portable certificates.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub archive: Option<PathBuf>,
	/// Whether one portable certificate file per record was written.
	pub per_record_files: bool,
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

/// How many certificates are read back at once.
const READING: usize = 16;

/// Where a run's records go on chain, as checked before anything is written or sent.
struct Target {
	owner: u32,
	version: u32,
	domain: String,
}

/// The records of the request's file, canonical, and the file's BLAKE2b-256 (which a resumed
/// run must match).
fn read_records(request: &AnchorRequest) -> Result<(Vec<Vec<u8>>, String)> {
	let text = files::read_text(&request.file)?;
	let records = pipeline::canonical_records(&text, request.format)
		.map_err(|e| CertificatesError::Records(format!("{}: {e}", request.file.display())))?;
	if records.is_empty() {
		let reason = format!("{} holds no records", request.file.display());
		return Err(CertificatesError::Records(reason).into());
	}
	Ok((records, hash_hex(&HashAlgorithm::Blake2b256.hash(&[text.as_bytes()]))))
}

impl Certificates<'_> {
	/// Anchors a file of records; see the module documentation. `progress` hears each stage's
	/// count of records done out of all.
	pub async fn anchor(
		&self,
		signer: &Keypair,
		request: &AnchorRequest,
		store: &KeyStore,
		mut progress: impl FnMut(Stage, u64, u64),
	) -> Result<AnchorReport> {
		let started = Instant::now();
		let mut seconds = AnchorTimes::default();
		let (records, input) = read_records(request)?;
		let records = Arc::new(records);
		let n = records.len() as u64;
		seconds.canonicalised = started.elapsed().as_secs_f64();

		let target = self.anchor_target(signer, request).await?;
		let dir = AnchorDir::create(&request.out)?;
		let (mut state, resumed) = start(&dir, request, &target, (input, n), store)?;
		let seed = state.seed()?;
		let key = DataKey::unwrap(store, &state.wrapped_key, request.source, request.resource)?;
		let table = Arc::new(key_table(&dir, &key, request, &records, &seed)?);

		let committed =
			pipeline::commit_all(&records, request.algorithm, &seed, request.batch, |done| {
				progress(Stage::Committed, done, n)
			});
		seconds.committed = started.elapsed().as_secs_f64();
		let encryption = encrypt_meanwhile(&records, &table, &key, request, &dir);
		let root = committed.tree.as_ref().map(|t| t.root());
		let subjects = Subjects {
			hashes: root.as_ref().map_or(&committed.commitments[..], std::slice::from_ref),
			records: n,
			owner: target.owner,
		};
		// Each record's portable certificate written while the chain certifies the next ones.
		let early_state = state.clone();
		let early = Shared {
			genesis: self.chain.genesis(),
			owner: target.owner,
			state: &early_state,
			seed,
			committed: &committed,
			issued: &Issued::new(),
		};
		let (notify, certified_ids) = early_channel(request, &state, &dir)?;
		let run = (&mut state, &dir);
		let (certified, (early_issued, written)) = futures::join!(
			self.certify_subjects(signer, request, run, subjects, resumed, &mut progress, notify),
			self.write_as_certified(certified_ids, &early, &dir),
		);
		finish_encryption(encryption, request, n, &state, &dir).await?;
		let issued_now = certified?;
		seconds.certified = started.elapsed().as_secs_f64();

		let (ids, issued) = self.issued(&state, early_issued).await?;
		if !state.written {
			let genesis = self.chain.genesis();
			let shared = Shared {
				genesis,
				owner: target.owner,
				state: &state,
				seed,
				committed: &committed,
				issued: &issued,
			};
			shared.write(request, &dir, &written, &mut progress)?;
			state.written = true;
			state.save(&dir.state())?;
		}
		let seconds = AnchorTimes { written: started.elapsed().as_secs_f64(), ..seconds };
		Ok(report(request, (&ids, &issued, issued_now), &dir, &committed, seconds))
	}

	/// Checks that the signer's institution owns the source and the resource belongs to it;
	/// settles the version and domain.
	async fn anchor_target(&self, signer: &Keypair, request: &AnchorRequest) -> Result<Target> {
		let (owner, source) = self.chain.catalog().owned_source(signer, request.source).await?;
		let resource = self.chain.catalog().resource_of(request.source, request.resource).await?;
		Ok(Target {
			owner,
			version: request.version.unwrap_or(resource.version),
			domain: match &request.domain {
				Some(d) => d.clone(),
				None => source.domains.first().cloned().unwrap_or_default(),
			},
		})
	}

	/// Every certificate the run holds, in order, each read back (final, with its block and,
	/// when portable certificates are still to be written, its offline evidence, asked for
	/// many at a time), but those `early` holds already (their files written as they were
	/// certified).
	async fn issued(&self, state: &AnchorState, mut early: Issued) -> Result<(Vec<u64>, Issued)> {
		if state.certificates.iter().any(Option::is_none) {
			return Err(Error::Internal("a record was left uncertified".into()));
		}
		let mut ids: Vec<u64> = state.certificates.iter().flatten().map(|(id, _)| *id).collect();
		ids.dedup();
		if !state.written {
			let missing: Vec<u64> =
				ids.iter().copied().filter(|id| !early.contains_key(id)).collect();
			for (id, evidence) in missing.iter().zip(self.evidence_of_many(&missing).await?) {
				let rendered = render_evidence(&evidence)?;
				early.insert(*id, (evidence.block.clone(), Some((evidence, rendered))));
			}
			return Ok((ids, early));
		}
		let mut issued = Issued::new();
		let fetch = |id: u64| async move {
			let c = self.get(id).await?;
			if !c.finalized {
				return Err(Error::Internal(format!("certificate #{id} is not finalized")));
			}
			Ok((id, (c.issued, None)))
		};
		let mut answers = futures::stream::iter(ids.clone()).map(fetch).buffered(READING);
		while let Some(answer) = answers.next().await {
			let (id, read) = answer?;
			issued.insert(id, read);
		}
		Ok((ids, issued))
	}
}

/// The sender `certify_subjects` tells each record's certificate to, and the receiver that
/// writes their files as they come: when the run writes per-record files still to be written.
#[allow(clippy::type_complexity)]
fn early_channel(
	request: &AnchorRequest,
	state: &AnchorState,
	dir: &AnchorDir,
) -> Result<(Option<UnboundedSender<(u64, u64)>>, Option<UnboundedReceiver<(u64, u64)>>)> {
	if request.batch || !request.writes_files() || state.written {
		return Ok((None, None));
	}
	files::create_dir(&dir.root.join("certificates"))?;
	let (notify, certified) = tokio::sync::mpsc::unbounded_channel();
	Ok((Some(notify), Some(certified)))
}

/// The run's record-key table: the one an earlier run of it wrote, or a fresh one, written
/// before any record is encrypted under it.
fn key_table(
	dir: &AnchorDir,
	key: &DataKey,
	request: &AnchorRequest,
	records: &[Vec<u8>],
	seed: &[u8; 32],
) -> Result<KeyTable> {
	if dir.key_table().is_file() {
		return dir.open_key_table(key);
	}
	let table = KeyTable::for_records(records, request.subject_field.as_deref(), seed)?;
	dir.save_key_table(&table, key)?;
	Ok(table)
}

/// Encrypts the records into the run's directory, each under its own key, while the chain
/// certifies them, unless an earlier run did.
fn encrypt_meanwhile(
	records: &Arc<Vec<Vec<u8>>>,
	table: &Arc<KeyTable>,
	key: &DataKey,
	request: &AnchorRequest,
	dir: &AnchorDir,
) -> Option<tokio::task::JoinHandle<Result<()>>> {
	(!(dir.key().is_file() && dir.ciphertexts().is_file())).then(|| {
		let (records, table, path) = (records.clone(), table.clone(), dir.ciphertexts());
		let (source, resource, kek_version) = (request.source, request.resource, key.kek_version());
		tokio::task::spawn_blocking(move || {
			let keys = pipeline::RecordKeys { table: &table, source, resource, kek_version };
			pipeline::encrypt_to_file(&records, &keys, &path)
		})
	})
}

/// Waits for the records' encryption, then writes the run's wrapped data key beside them.
async fn finish_encryption(
	encryption: Option<tokio::task::JoinHandle<Result<()>>>,
	request: &AnchorRequest,
	n: u64,
	state: &AnchorState,
	dir: &AnchorDir,
) -> Result<()> {
	let Some(task) = encryption else { return Ok(()) };
	task.await.map_err(|e| Error::Crypto(format!("encrypting the records stopped: {e}")))??;
	let key_file = KeyFile {
		source: request.source,
		resource: request.resource,
		records: n,
		record_keys: true,
		wrapped: state.wrapped_key.clone(),
	};
	files::write_json(&dir.key(), "the wrapped data key", &key_file)
}

impl Certificates<'_> {
	/// Writes the portable certificate of each record `certified` names (its position, 0
	/// first, and its certificate) as they come, a finalized block's at once, until the
	/// sender is gone: the block and evidence read at once for all of them. Returns the
	/// certificates' blocks and the records written; what could not be read or written now is
	/// left to be done (or its error reported) once every record is certified.
	async fn write_as_certified(
		&self,
		certified: Option<UnboundedReceiver<(u64, u64)>>,
		shared: &Shared<'_>,
		dir: &AnchorDir,
	) -> (Issued, HashSet<u64>) {
		let (mut issued, mut written) = (Issued::new(), HashSet::new());
		let Some(mut certified) = certified else { return (issued, written) };
		while let Some(first) = certified.recv().await {
			let mut block = vec![first];
			while let Ok(next) = certified.try_recv() {
				block.push(next);
			}
			let ids: Vec<u64> = block.iter().map(|&(_, id)| id).collect();
			let Ok(evidence) = self.evidence_of_many(&ids).await else { continue };
			let records: Vec<(u64, u64, EvidenceJson)> =
				block.iter().zip(evidence).map(|(&(i, id), e)| (i, id, e)).collect();
			written.extend(shared.write_some(dir, &records));
			for (i, id, evidence) in records {
				if written.contains(&i) {
					issued.insert(id, (evidence.block, None));
				}
			}
		}
		(issued, written)
	}
}

/// The run's state: the saved one if it is resumed, else a fresh one with a new seed and data
/// key.
fn start(
	dir: &AnchorDir,
	request: &AnchorRequest,
	target: &Target,
	(input, records): (String, u64),
	store: &KeyStore,
) -> Result<(AnchorState, bool)> {
	// A resumed run keeps its saved seed and key; a fresh one draws both.
	let (_, wrapped_key) = DataKey::generate(store, request.source, request.resource)?;
	let fresh = AnchorState {
		input,
		format: request.format,
		source: request.source,
		resource: request.resource,
		version: target.version,
		domain: target.domain.clone(),
		algorithm: request.algorithm.name().into(),
		batch: request.batch,
		subject_field: request.subject_field.clone(),
		seed: AnchorState::new_seed(),
		wrapped_key,
		certificates: vec![None; if request.batch { 1 } else { records as usize }],
		written: false,
	};
	AnchorState::load_or_start(&dir.state(), fresh)
}

fn report(
	request: &AnchorRequest,
	(ids, issued, issued_now): (&[u64], &Issued, u64),
	dir: &AnchorDir,
	committed: &Committed,
	seconds: AnchorTimes,
) -> AnchorReport {
	let last = ids.last().and_then(|id| issued.get(id)).map(|(block, _)| block.clone());
	AnchorReport {
		records: committed.commitments.len() as u64,
		certificates: ids.to_vec(),
		issued_now,
		block: last.unwrap_or(BlockRef { number: 0, hash: String::new() }),
		out: dir.root.clone(),
		archive: request.batch.then(|| dir.archive()),
		per_record_files: request.writes_files(),
		root: committed.tree.as_ref().map(|t| hash_hex(&t.root())),
		seconds,
	}
}
