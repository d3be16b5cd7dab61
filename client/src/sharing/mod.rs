//! Sharing records with another institution (跨机构共享): institutions' encryption keys
//! ([`keys`], published through the consortium), grants on chain ([`grant`]), the wrapped-key
//! package ([`package`], RFC 9180 HPKE), receipts, deletion attestations and erasures.
//!
//! Reads go through the node's `medtrust_sharing*` and `medtrust_consortiumEncryptionKeys`
//! methods (their JSON shapes are [`medtrust_rpc_types::sharing_json`]); writes are `Sharing`
//! and `Consortium` transactions.

mod error;
pub mod fetch;
pub mod grant;
pub mod keys;
pub mod package;
pub mod scope;
pub mod serve;
pub mod transfer;

pub use error::Error;

crate::chain::capability!(
	/// Sharing's reads and transactions (`chain.sharing()`): encryption keys, grants,
	/// receipts, deletion attestations, erasures, share servers' endpoints.
	Sharing
);

pub use medtrust_rpc_types::sharing_json::{
	EncryptionKeyJson, ErasureJson, GrantDetailJson, GrantJson, GrantState, Purpose, RangeJson,
	Side,
};
use subxt::utils::Static;
use subxt_rpcs::rpc_params;
use subxt_signer::sr25519::Keypair;

use crate::{
	chain::tx::Submitted,
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	Result,
};

/// Where to look for grants: granted by an institution, or received by it.
pub use medtrust_rpc_types::sharing_json::Side as ListSide;

impl Sharing<'_> {
	/// Every version of an institution's encryption key, oldest first.
	pub async fn encryption_keys(&self, institution: u32) -> Result<Vec<EncryptionKeyJson>> {
		self.chain.call("medtrust_consortiumEncryptionKeys", rpc_params![institution]).await
	}

	/// An institution's current encryption key.
	pub async fn current_key(&self, institution: u32) -> Result<EncryptionKeyJson> {
		let keys = self.encryption_keys(institution).await?;
		keys.into_iter().next_back().ok_or_else(|| {
			Error::Keys(format!(
				"institution #{institution} has published no encryption key (`medtrust share key \
				 publish`)"
			))
			.into()
		})
	}

	/// Publishes `public` as the signer's institution's next encryption key version (the
	/// signer its admin); returns the version.
	pub async fn publish_key(
		&self,
		signer: &Keypair,
		public: &[u8; 32],
	) -> Result<(u32, Submitted)> {
		let call = runtime::transactions().consortium().publish_encryption_key(
			Static(pallet_consortium::KeyScheme::X25519),
			BoundedVec(public.to_vec()),
		);
		let (submitted, events) = self.chain.submit_with_events(&call, signer).await?;
		let version = events
			.find_first::<runtime::consortium::events::EncryptionKeyPublished>()
			.and_then(|e| e.ok())
			.map(|e| e.version)
			.ok_or_else(|| crate::Error::Internal("no EncryptionKeyPublished event".into()))?;
		Ok((version, submitted))
	}

	/// One grant, with its receipts, deletion attestations and pending erasures.
	pub async fn get(&self, id: u64) -> Result<GrantDetailJson> {
		let found: Option<GrantDetailJson> =
			self.chain.call("medtrust_sharingGrant", rpc_params![id]).await?;
		found.ok_or_else(|| crate::Error::not_found("grant", format!("#{id}")))
	}

	/// The grants of `institution` on `side`, every page.
	pub async fn list(&self, institution: u32, side: Side) -> Result<Vec<GrantJson>> {
		let side = medtrust_rpc_types::wire::WireName::wire_name(side);
		let mut all: Vec<GrantJson> = Vec::new();
		loop {
			let from = all.last().map_or(0, |g| g.id + 1);
			let page: Vec<GrantJson> = self
				.chain
				.call("medtrust_sharingGrants", rpc_params![institution, side, from])
				.await?;
			let done = page.is_empty();
			all.extend(page);
			if done {
				return Ok(all);
			}
		}
	}

	/// Revokes a grant of the signer's institution.
	pub async fn revoke(&self, signer: &Keypair, id: u64) -> Result<Submitted> {
		self.chain.submit(&runtime::transactions().sharing().revoke_grant(id), signer).await
	}

	/// The signer's institution records what it received under grant `id`.
	pub async fn record_receipt(
		&self,
		signer: &Keypair,
		id: u64,
		records: u64,
		ciphertext: [u8; 32],
	) -> Result<Submitted> {
		let call = runtime::transactions().sharing().record_receipt(id, records, ciphertext);
		self.chain.submit(&call, signer).await
	}

	/// The signer's institution attests it deleted what it received under grant `id` (all
	/// of it, or erasure `erasure`'s records).
	pub async fn attest_deletion(
		&self,
		signer: &Keypair,
		id: u64,
		erasure: Option<u64>,
	) -> Result<Submitted> {
		let call = runtime::transactions().sharing().attest_deletion(id, erasure);
		self.chain.submit(&call, signer).await
	}

	/// Where institution `institution`'s share server answers, if it published it.
	pub async fn endpoint(&self, institution: u32) -> Result<Option<String>> {
		self.chain.call("medtrust_sharingEndpoint", rpc_params![institution]).await
	}

	/// Publishes (or with `None` withdraws) where the signer's institution's share server
	/// answers (the signer its admin).
	pub async fn set_endpoint(&self, signer: &Keypair, url: Option<&str>) -> Result<Submitted> {
		let call = runtime::transactions()
			.sharing()
			.set_endpoint(url.map(|u| BoundedVec(u.as_bytes().to_vec())));
		self.chain.submit(&call, signer).await
	}
}
