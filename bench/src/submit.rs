//! Raw submission for the chain benchmark: every call signed with consecutive nonces and
//! submitted at once, each watched until finalized. It measures what the chain does (blocks
//! filled, finality) without the client's bulk path (`Chain::submit_in_flight`, which pools
//! and recovers), so that the rate is the chain's, not the client's.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use medtrust_client::{Chain, MedTrustConfig};
use subxt::transactions::Payload;
use subxt_signer::sr25519::Keypair;

/// Signs every call with consecutive nonces, submits them all, and waits until each is in a
/// finalized block; each one's time from its submission to its finality. Whether each
/// succeeded is for the caller to check on chain.
pub async fn submit_all<Call: Payload>(
	chain: &Chain,
	calls: &[Call],
	signer: &Keypair,
) -> anyhow::Result<Vec<Duration>> {
	let mut transactions =
		chain.api().at_current_block().await.context("the current block")?.transactions();
	let nonce = transactions
		.account_nonce(&signer.public_key().to_account_id())
		.await
		.context("the signer's nonce")?;
	let mut watches = Vec::with_capacity(calls.len());
	for (i, call) in calls.iter().enumerate() {
		let params = subxt::config::PolkadotExtrinsicParamsBuilder::<MedTrustConfig>::new()
			.nonce(nonce + i as u64)
			.build();
		let signed = transactions.create_signed(call, signer, params).await.context("signing")?;
		let submitted = Instant::now();
		let progress = signed.submit_and_watch().await.context("submitting")?;
		watches.push(async move {
			progress.wait_for_finalized().await.map(|_| submitted.elapsed()).context("finality")
		});
	}
	futures::future::join_all(watches).await.into_iter().collect()
}
