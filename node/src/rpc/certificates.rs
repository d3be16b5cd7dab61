//! `medtrust_certificatesGet`, `medtrust_certificatesOf` and `medtrust_certificatesVerify`: certificates and
//! their verification over the `CertificatesApi` runtime API, with the issuing block's hash and
//! whether it is finalized (which only the node knows); `medtrust_certificateEvidence` and
//! `medtrust_certificatesEvidence`: what an offline verifier needs, from GRANDPA's proofs and
//! the client's storage proofs.

use std::{
	collections::{btree_map::Entry, BTreeMap},
	sync::Arc,
};

use codec::Encode;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use medtrust_primitives::merkle::MerkleProof;
use medtrust_rpc_types::{
	catalog::BlockRef,
	certificate_json::{
		hash_hex, parse_hash, CertificateJson, EvidenceJson, ProofJson, StatusJson, SubjectJson,
		VerificationJson,
	},
};
use medtrust_runtime::{apis::CertificateInfo, opaque::Block};
use pallet_certificates::{CertificateStatus, Subject, Verdict};
use pallet_certificates_runtime_api::CertificatesApi;
use sc_client_api::ProofProvider;
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::catalog::{error, read_at};

type Hash = <Block as BlockT>::Hash;

/// The certificates' JSON-RPC methods.
#[rpc(client, server)]
pub trait CertificatesRpc {
	/// One certificate, or `null`.
	#[method(name = "medtrust_certificatesGet", aliases = ["medtrust_certificate"])]
	fn certificate(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<CertificateJson>>;

	/// Institution `issuer`'s certificate of a record's commitment or a batch's Merkle root
	/// (`0x` hex), or `null`. A commitment is certified per issuer: another institution's
	/// certificate of the same commitment is not this one.
	#[method(name = "medtrust_certificatesOf", aliases = ["medtrust_certificateOf"])]
	fn certificate_of(
		&self,
		issuer: u32,
		hash: String,
		at: Option<Hash>,
	) -> RpcResult<Option<CertificateJson>>;

	/// Verifies a record's commitment (`0x` hex) against the certificates of institution
	/// `issuer`, the one the verifier expects, alone or with its Merkle proof: the verdict
	/// (`valid`, `revoked`, `superseded`, `unknown`), the certificate, its block and whether
	/// that block is finalized.
	#[method(name = "medtrust_certificatesVerify", aliases = ["medtrust_verify"])]
	fn verify(
		&self,
		issuer: u32,
		commitment: String,
		proof: Option<ProofJson>,
		at: Option<Hash>,
	) -> RpcResult<VerificationJson>;

	/// The evidence an offline verifier needs for a certificate whose block is finalized: the
	/// block's header, GRANDPA's authority-set changes from genesis, a finality proof for the
	/// block, and a storage proof of the certificate under the block's state root.
	/// Deprecated, removed in the next release: `medtrust_certificatesEvidence([id])` answers
	/// the same (the client asks that).
	#[method(name = "medtrust_certificateEvidence", blocking)]
	fn evidence(&self, id: u64) -> RpcResult<EvidenceJson>;

	/// `medtrust_certificateEvidence` of many certificates (at most [`MAX_EVIDENCE_IDS`]), in
	/// order: what writing a run's portable certificates asks for. GRANDPA's proofs are made
	/// once, and once a block, rather than for every certificate. The answer holds as many as
	/// fit in [`MAX_EVIDENCE_BYTES`] (at least one): ask again from the first not answered.
	#[method(name = "medtrust_certificatesEvidence", blocking)]
	fn evidence_of_many(&self, ids: Vec<u64>) -> RpcResult<Vec<EvidenceJson>>;
}

/// The most certificates one `medtrust_certificatesEvidence` call takes (about 5 KB of JSON
/// each).
pub const MAX_EVIDENCE_IDS: usize = 1_024;

/// About the most bytes of evidence (its hex) one `medtrust_certificatesEvidence` answer holds,
/// under the RPC server's response limit (`--rpc-max-response-size`, 15 MiB by default): each
/// piece carries its block's finality proof, up to [`super::finality::MAX_PROOF_SPAN`] headers
/// for a block far from its justification, so 1,024 of them could need hundreds of MiB.
pub const MAX_EVIDENCE_BYTES: usize = 8 << 20;

/// What proves a block final: see [`super::finality::Prover`].
pub type FinalityDeps<B> = super::finality::Prover<B>;

/// The certificates' RPC methods over a client.
pub struct Certificates<C, B> {
	client: Arc<C>,
	finality: FinalityDeps<B>,
	gate: super::gate::Gate,
}

impl<C, B> Certificates<C, B> {
	/// Serves certificates from `client`, offline evidence a few calls at once (`gate`).
	pub fn new(client: Arc<C>, finality: FinalityDeps<B>, gate: super::gate::Gate) -> Self {
		Self { client, finality, gate }
	}
}

impl<C, B> Certificates<C, B>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: CertificatesApi<Block, CertificateInfo>,
{
	fn json(&self, id: u64, c: CertificateInfo) -> RpcResult<CertificateJson> {
		let hash = self
			.client
			.hash(c.issued)
			.map_err(error)?
			.ok_or_else(|| error(format!("block #{} is unknown to this node", c.issued)))?;
		Ok(CertificateJson {
			id,
			issuer: c.issuer,
			source: c.source,
			resource: c.resource,
			version: c.version,
			domain: c.domain.to_string(),
			algorithm: c.algorithm,
			subject: match c.subject {
				Subject::Record { commitment } => {
					SubjectJson::Record { commitment: hash_hex(&commitment) }
				}
				Subject::Batch { root, leaf_count } => {
					SubjectJson::Batch { root: hash_hex(&root), leaf_count }
				}
			},
			status: match c.status {
				CertificateStatus::Valid => StatusJson::Valid,
				CertificateStatus::Revoked { reason, at } => StatusJson::Revoked { reason, at },
				CertificateStatus::Superseded { by, at } => StatusJson::Superseded { by, at },
			},
			issued: BlockRef { number: c.issued, hash: format!("{hash:?}") },
			finalized: c.issued <= self.client.info().finalized_number,
		})
	}
}

/// What every certificate of one block shares in its evidence: the block's hash, and its
/// header and finality proof as `0x` hex.
struct BlockEvidence {
	hash: Hash,
	header: String,
	finality: String,
}

impl<C, B> Certificates<C, B>
where
	C: HeaderBackend<Block> + Send + Sync + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
{
	/// Finalized block `number`'s hash, header and finality proof (certificate `id`'s block).
	fn block_evidence(&self, id: u64, number: u32) -> RpcResult<BlockEvidence> {
		if number > self.client.info().finalized_number {
			return Err(error(format!(
				"block #{number} of certificate #{id} is not finalized yet"
			)));
		}
		let hash = self
			.client
			.hash(number)
			.map_err(error)?
			.ok_or_else(|| error(format!("block #{number} is unknown to this node")))?;
		let header = self
			.client
			.header(hash)
			.map_err(error)?
			.ok_or_else(|| error(format!("no header for block #{number}")))?;
		// The nearest stored justification of the block's own authority set.
		let finality = self.finality.prove(number).map_err(error)?;
		Ok(BlockEvidence { hash, header: hex(&header.encode()), finality: hex(&finality) })
	}
}

/// The version of `CertificatesApi` the runtime at `hash` implements: 1 before spec 112 (a
/// commitment certified once, whoever issued it; the node then keeps the expected issuer's
/// certificate only), 2 from it.
fn api_version<C>(client: &C, hash: Hash) -> RpcResult<u32>
where
	C: ProvideRuntimeApi<Block>,
	C::Api: CertificatesApi<Block, CertificateInfo>,
{
	let version = client
		.runtime_api()
		.api_version::<dyn CertificatesApi<Block, CertificateInfo>>(hash)
		.map_err(error)?;
	Ok(version.unwrap_or(1))
}

/// A storage proof's error: the state of block `number` discarded by `--state-pruning` said
/// as such.
fn pruned(e: sp_blockchain::Error, number: u32) -> jsonrpsee::types::ErrorObjectOwned {
	match e {
		sp_blockchain::Error::UnknownBlock(_) => error(format!(
			"this node no longer keeps the state of block #{number} (its --state-pruning): ask \
			 a node that keeps every finalized state (a new node's default)"
		)),
		e => error(e),
	}
}

/// `0x`-prefixed hex.
fn hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

impl<C, B> CertificatesRpcServer for Certificates<C, B>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: CertificatesApi<Block, CertificateInfo>,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
{
	fn evidence(&self, id: u64) -> RpcResult<EvidenceJson> {
		let mut evidence = self.evidence_of_many(vec![id])?;
		evidence.pop().ok_or_else(|| error("no evidence"))
	}

	/// Once through the gate: the warp proof made once a set, each block's header and
	/// finality proof once, a storage proof for each certificate.
	fn evidence_of_many(&self, ids: Vec<u64>) -> RpcResult<Vec<EvidenceJson>> {
		let _turn = self.gate.enter()?;
		if ids.len() > MAX_EVIDENCE_IDS {
			return Err(error(format!(
				"{} certificates asked for: at most {MAX_EVIDENCE_IDS} a call",
				ids.len()
			)));
		}
		let (best, _) = read_at(&*self.client, None)?;
		let genesis = self.client.info().genesis_hash;
		let warp = self.finality.warp_proof(genesis).map_err(error)?;
		let mut blocks: BTreeMap<u32, BlockEvidence> = BTreeMap::new();
		let mut out = Vec::with_capacity(ids.len());
		let mut bytes = 0usize;
		for id in ids {
			let certificate = self
				.client
				.runtime_api()
				.certificate(best, id)
				.map_err(error)?
				.ok_or_else(|| error(format!("no certificate #{id}")))?;
			let number = certificate.issued;
			let block = match blocks.entry(number) {
				Entry::Occupied(known) => known.into_mut(),
				Entry::Vacant(slot) => slot.insert(self.block_evidence(id, number)?),
			};
			let key = medtrust_rpc_types::certificate_json::certificate_storage_key(id);
			let proof = self
				.client
				.read_proof(block.hash, &mut std::iter::once(key.as_slice()))
				.map_err(|e| pruned(e, number))?;
			let storage_proof: Vec<String> = proof.into_iter_nodes().map(|n| hex(&n)).collect();
			bytes += warp.len()
				+ block.header.len()
				+ block.finality.len()
				+ storage_proof.iter().map(String::len).sum::<usize>();
			// The first piece always; the next ones while they fit.
			if !out.is_empty() && bytes > MAX_EVIDENCE_BYTES {
				break;
			}
			out.push(EvidenceJson {
				block: BlockRef { number, hash: format!("{:?}", block.hash) },
				header: block.header.clone(),
				warp_proof: String::clone(&warp),
				finality_proof: block.finality.clone(),
				storage_key: hex(&key),
				storage_proof,
			});
		}
		Ok(out)
	}

	fn certificate(&self, id: u64, at: Option<Hash>) -> RpcResult<Option<CertificateJson>> {
		let (hash, _) = read_at(&*self.client, at)?;
		let found = self.client.runtime_api().certificate(hash, id).map_err(error)?;
		found.map(|c| self.json(id, c)).transpose()
	}

	fn certificate_of(
		&self,
		issuer: u32,
		text: String,
		at: Option<Hash>,
	) -> RpcResult<Option<CertificateJson>> {
		let key = parse_hash(&text).map_err(error)?;
		let (hash, _) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		let found = if api_version(&*self.client, hash)? < 2 {
			#[allow(deprecated)]
			let found = api.certificate_of_before_version_2(hash, key).map_err(error)?;
			found.filter(|(_, c)| c.issuer == issuer)
		} else {
			api.certificate_of(hash, issuer, key).map_err(error)?
		};
		found.map(|(id, c)| self.json(id, c)).transpose()
	}

	fn verify(
		&self,
		issuer: u32,
		commitment: String,
		proof: Option<ProofJson>,
		at: Option<Hash>,
	) -> RpcResult<VerificationJson> {
		let commitment = parse_hash(&commitment).map_err(error)?;
		let proof = proof.as_ref().map(MerkleProof::try_from).transpose().map_err(error)?;
		let (hash, block) = read_at(&*self.client, at)?;
		let api = self.client.runtime_api();
		let (verdict, found) = if api_version(&*self.client, hash)? < 2 {
			#[allow(deprecated)]
			let (verdict, found) = api.verify_before_version_2(hash, commitment, proof).map_err(error)?;
			match found {
				Some((_, c)) if c.issuer != issuer => (Verdict::Unknown, None),
				found => (verdict, found),
			}
		} else {
			api.verify(hash, issuer, commitment, proof).map_err(error)?
		};
		Ok(VerificationJson {
			verdict,
			certificate: found.map(|(id, c)| self.json(id, c)).transpose()?,
			at: block,
		})
	}
}
