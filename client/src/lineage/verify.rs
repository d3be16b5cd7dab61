//! `lineage verify`: every ancestor of an asset walked, each certificate on the way checked,
//! and the path from the asset to any certificate that is not valid.

use medtrust_rpc_types::lineage_json::{LineageVerdict, ReachedJson, WalkJson};
use pallet_certificates::Verdict;
use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use serde::Serialize;

use crate::lineage::Lineage;
use crate::Result;
use pallet_lineage::Direction;

/// What a certificate among the ancestors was found to be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateCheck {
	/// The certificate's id.
	pub certificate: u64,
	/// Its lineage asset.
	pub asset: u64,
	/// How far up the lineage it is (0: the asset itself).
	pub depth: u32,
	/// `valid`, `revoked`, `superseded` or `unknown`.
	#[serde(with = "medtrust_rpc_types::wire::name")]
	pub verdict: Verdict,
	/// The assets from the one verified up to this certificate.
	pub path: Vec<u64>,
}

/// The result of `lineage verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineageVerification {
	/// The asset verified.
	pub asset: u64,
	/// `valid` when every certificate among its ancestors is valid, else the worst found
	/// (`revoked`, `superseded`, `unknown`); `uncertified` when it has none.
	#[serde(with = "medtrust_rpc_types::wire::name")]
	pub verdict: LineageVerdict,
	/// How many ancestors were walked.
	pub ancestors: usize,
	/// Whether the walk reached every ancestor (depth 100, all pages): if not, the verdict
	/// covers only those reached.
	pub complete: bool,
	/// Every certificate met, nearest first.
	pub certificates: Vec<CertificateCheck>,
}

impl LineageVerification {
	/// Whether every certificate among the ancestors is valid (and there is one).
	pub fn is_valid(&self) -> bool {
		self.verdict == LineageVerdict::Valid
	}
}

/// The path from the walk's start to `node`, following `via` (`vias`: each reached node's
/// `via`, by id).
fn path_to(walk: &WalkJson, vias: &HashMap<u64, u64>, node: &ReachedJson) -> Vec<u64> {
	let mut path = vec![node.asset.id];
	let mut via = node.via;
	while via != walk.start.id {
		path.push(via);
		match vias.get(&via) {
			Some(&next) => via = next,
			None => break,
		}
	}
	path.push(walk.start.id);
	path.reverse();
	path
}

impl Lineage<'_> {
	/// Walks every ancestor of `asset` and checks each certificate among them (and the asset
	/// itself, if it is one). `None` if `asset` is no asset.
	pub async fn verify(&self, asset: u64) -> Result<Option<LineageVerification>> {
		let Some(walk) = self.walk(asset, Direction::Ancestors, 100, u32::MAX).await? else {
			return Ok(None);
		};
		let start = ReachedJson { depth: 0, via: walk.start.id, asset: walk.start.clone() };
		let certified: Vec<(&ReachedJson, u64)> = std::iter::once(&start)
			.chain(&walk.nodes)
			.filter_map(|node| node.asset.certificate.map(|c| (node, c)))
			.collect();
		// Looked up 16 at a time: one round trip each, over one connection.
		let certificates = self.chain.certificates();
		let found: Vec<_> = futures::stream::iter(&certified)
			.map(|&(_, certificate)| certificates.find(certificate))
			.buffered(16)
			.try_collect()
			.await?;
		let vias: HashMap<u64, u64> = walk.nodes.iter().map(|n| (n.asset.id, n.via)).collect();
		let mut certificates = Vec::with_capacity(certified.len());
		for (&(node, certificate), found) in certified.iter().zip(found) {
			let verdict = found.map_or(Verdict::Unknown, |c| c.status.verdict());
			let path = if node.depth == 0 { vec![asset] } else { path_to(&walk, &vias, node) };
			certificates.push(CertificateCheck {
				certificate,
				asset: node.asset.id,
				depth: node.depth,
				verdict,
				path,
			});
		}
		let worst = LineageVerdict::of(certificates.iter().map(|c| c.verdict));
		Ok(Some(LineageVerification {
			asset,
			verdict: worst,
			ancestors: walk.nodes.len(),
			complete: !walk.truncated,
			certificates,
		}))
	}
}
