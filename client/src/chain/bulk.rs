//! Submitting many transactions of one signer in flight: signed locally with consecutive
//! nonces, up to [`IN_FLIGHT`] in the node's pool at once, their outcomes read from each
//! finalized block (its extrinsics and events, once a block) rather than from a watch per
//! transaction or a finality wait per batch. What every bulk path of the client uses:
//! per-record anchoring, catalog import, relation proposals, lineage records, revocations.
//!
//! The caller hears of each transaction once, in the order the chain finalized them, and keeps
//! its own record of what is done, so that an interrupted run can resume without doing
//! anything twice.

use std::{
	collections::{BTreeSet, HashMap},
	time::{Duration, Instant},
};

use futures::StreamExt;
use subxt::client::OnlineClientAtBlock;
use subxt::{
	events::{Event, Phase},
	transactions::Payload,
	utils::H256,
};
use subxt_rpcs::rpc_params;
use subxt_signer::sr25519::Keypair;

use super::{status::header_hash, tx::DispatchFailure};
use crate::{runtime, Chain, Error, MedTrustConfig, Result};

/// How many transactions of all institutions are in a node's pool at once: two full blocks of
/// `certify` (3,425 each), within the pool's default limit of 8,192 ready transactions (more,
/// measured with a larger pool, starved the first blocks while the pool validated them). One
/// signer keeps its institution's part of it in flight, as an institution may fill its fair
/// share of a block only (`pallet-consortium`): all of it on a chain of one institution, a
/// quarter on the four-institution network (where four institutions' bulk runs at once
/// would otherwise overfill every pool with the first one's).
pub const IN_FLIGHT: usize = 7_168;
/// How many submissions are on the wire at once.
const SUBMITTING: usize = 64;
/// How many blocks a transaction stays valid after the block it was signed at.
const MORTALITY: u64 = 64;
/// How long without a finalized transaction of the run before it is given up.
const STALL: Duration = Duration::from_secs(60);
/// How long without progress before the run's open transactions are sent again.
const RESEND: Duration = Duration::from_secs(5);
/// How often the finalized head is asked for.
const POLL: Duration = Duration::from_millis(100);

/// One transaction of a bulk submission, finalized.
pub struct Landed<'a> {
	/// Its call's position among those submitted.
	pub index: usize,
	/// The block it is in.
	pub block: u32,
	/// Why it failed, if it did.
	pub failed: Option<DispatchFailure>,
	/// The events it emitted.
	pub events: &'a [Event<'a, MedTrustConfig>],
}

impl Landed<'_> {
	/// The first event of type `E` it emitted.
	pub fn event<E: subxt::events::DecodeAsEvent>(&self) -> Option<E> {
		self.events.iter().find_map(|e| e.decode_fields_as::<E>().and_then(|r| r.ok()))
	}
}

/// A run's transactions on their way: every hash each call was sent under (a call re-signed
/// after the pool dropped it has two), each call's nonce, the calls not final yet, and the
/// next nonce the run has not used.
struct Flight {
	hashes: HashMap<H256, usize>,
	nonces: HashMap<usize, u64>,
	open: BTreeSet<usize>,
	next_nonce: u64,
}

impl Flight {
	/// Records transactions sent: `(call, nonce, hash)`.
	fn record(&mut self, sent: Vec<(usize, u64, H256)>) {
		for (i, nonce, hash) in sent {
			self.hashes.insert(hash, i);
			self.nonces.insert(i, nonce);
			self.open.insert(i);
		}
	}
}

impl Chain {
	/// Signs `calls` with `signer` (consecutive nonces from the account's next one, the pool
	/// included), keeps its institution's part of [`IN_FLIGHT`] in the pool, and calls `landed` for each
	/// as its block is finalized. After [`RESEND`] without progress the run recovers what a
	/// pool can lose (see [`Bulk::recover`]). Returns when every one is final; fails if the
	/// node refuses one (with its reason), if `landed` fails, or if none is finalized for
	/// [`STALL`].
	pub async fn submit_in_flight<Call: Payload>(
		&self,
		calls: &[Call],
		signer: &Keypair,
		landed: impl FnMut(Landed<'_>) -> Result<()>,
	) -> Result<()> {
		let account = signer.public_key().to_account_id();
		let first: u64 = self.call("system_accountNextIndex", rpc_params![account]).await?;
		self.submit_in_flight_from(first, calls, signer, landed).await
	}

	/// [`Chain::submit_in_flight`] from nonce `next_nonce` rather than the account's next: how
	/// a test makes a run meet a nonce another transaction took, or one nothing holds.
	#[doc(hidden)]
	pub async fn submit_in_flight_from<Call: Payload>(
		&self,
		next_nonce: u64,
		calls: &[Call],
		signer: &Keypair,
		mut landed: impl FnMut(Landed<'_>) -> Result<()>,
	) -> Result<()> {
		let bulk = Bulk(self);
		let mut finalized = bulk.finalized_number().await?;
		let mut flight = Flight {
			hashes: HashMap::new(),
			nonces: HashMap::new(),
			open: BTreeSet::new(),
			next_nonce,
		};
		let mut next = 0;
		let (mut progress, mut resent) = (Instant::now(), Instant::now());
		let in_flight = bulk.in_flight().await?;
		while next < calls.len() || !flight.open.is_empty() {
			if next < calls.len() && flight.open.len() < in_flight {
				let room = (in_flight - flight.open.len()).min(calls.len() - next);
				let window: Vec<(usize, u64)> = (next..next + room)
					.map(|i| (i, flight.next_nonce + (i - next) as u64))
					.collect();
				flight.record(bulk.send(calls, &window, signer).await?);
				next += room;
				flight.next_nonce += room as u64;
			}
			let head = bulk.finalized_number().await?;
			if head == finalized {
				if progress.elapsed() > STALL {
					return Err(stalled(flight.open.len()));
				}
				if progress.elapsed() > RESEND && resent.elapsed() > RESEND {
					bulk.recover(calls, signer, finalized, &mut flight).await?;
					resent = Instant::now();
				}
				tokio::time::sleep(POLL).await;
				continue;
			}
			for number in finalized + 1..=head {
				if bulk.read_block(number, &mut flight, &mut landed).await? > 0 {
					progress = Instant::now();
				}
			}
			finalized = head;
		}
		Ok(())
	}
}

/// The steps of a run in flight, on one connection.
struct Bulk<'a>(&'a Chain);

impl Bulk<'_> {
	/// What a run does after [`RESEND`] without progress, as of finalized block `finalized`
	/// (read up to): an open call whose nonce the account has used (another transaction of
	/// the signer took it: a client killed earlier, another node's pool) can never land and is
	/// signed again with a new nonce after the run's; a nonce between the account's and the
	/// run's next that nothing of the run holds (a transaction counted in the pool when the run
	/// began and lost since) would hold the run's later ones back for ever and is filled with an
	/// empty remark (a pool holding another transaction with it refuses that, which is fine);
	/// every other open call is sent again as it was, as the pool may have dropped it.
	async fn recover<Call: Payload>(
		&self,
		calls: &[Call],
		signer: &Keypair,
		finalized: u32,
		flight: &mut Flight,
	) -> Result<()> {
		let at = self.at_number(finalized).await?;
		let used = at
			.transactions()
			.account_nonce(&signer.public_key().to_account_id())
			.await
			.map_err(|e| self.0.explain(&e))?;
		flight.next_nonce = flight.next_nonce.max(used);
		let mut open = Vec::with_capacity(flight.open.len());
		for &i in &flight.open {
			let nonce = match flight.nonces[&i] {
				taken if taken < used => {
					flight.next_nonce += 1;
					flight.next_nonce - 1
				}
				nonce => nonce,
			};
			open.push((i, nonce));
		}
		let held: BTreeSet<u64> = open.iter().map(|&(_, nonce)| nonce).collect();
		let gaps: Vec<u64> = (used..flight.next_nonce).filter(|n| !held.contains(n)).collect();
		if !gaps.is_empty() {
			let remark = runtime::tx().system().remark(Vec::new());
			let fillers: Vec<(usize, u64)> = gaps.iter().map(|&nonce| (0, nonce)).collect();
			self.send(&[remark], &fillers, signer).await?;
		}
		flight.record(self.send(calls, &open, signer).await?);
		Ok(())
	}

	/// How many of a signer's transactions a run keeps in flight: its institution's part of
	/// [`IN_FLIGHT`], one validator per active institution.
	async fn in_flight(&self) -> Result<usize> {
		let (finalized, _) = self.0.finalized_head().await?;
		let validators = self.0.validators(finalized).await?.len();
		Ok(IN_FLIGHT / validators.max(1))
	}

	/// The finalized block's number.
	async fn finalized_number(&self) -> Result<u32> {
		let (_, number) = self.0.finalized_head().await?;
		u32::try_from(number).map_err(|_| self.0.incompatible("a block number beyond u32"))
	}

	/// Signs `calls[i]` with nonce `n` for each `(i, n)` of `window`, mortal from the
	/// finalized block (or the best one while finality lags: [`Bulk::at_birth`]), and
	/// submits them, [`SUBMITTING`] on the wire at once. A pool that holds one already, or
	/// another transaction with its nonce, or a chain that used its nonce, says so; that is
	/// not an error but for [`Bulk::recover`] to sort out if it does not land. Returns each
	/// call's position, nonce and transaction hash.
	async fn send<Call: Payload>(
		&self,
		calls: &[Call],
		window: &[(usize, u64)],
		signer: &Keypair,
	) -> Result<Vec<(usize, u64, H256)>> {
		let at = self.at_birth(MORTALITY / 2).await?;
		let (number, hash) = (at.block_number(), at.block_hash());
		let transactions = at.transactions();
		let mut signed = Vec::with_capacity(window.len());
		for &(i, nonce) in window {
			let params = subxt::config::PolkadotExtrinsicParamsBuilder::<MedTrustConfig>::new()
				.nonce(nonce)
				.mortal_from_unchecked(MORTALITY, number, hash)
				.build();
			let tx = transactions
				.create_signable_offline(&calls[i], params)
				.and_then(|mut signable| signable.sign(signer))
				.map_err(|e| self.0.explain(&e))?;
			signed.push((i, nonce, tx.hash(), tx.into_encoded()));
		}
		let mut sent_all = Vec::with_capacity(signed.len());
		let mut submissions = futures::stream::iter(signed)
			.map(|(i, nonce, hash, bytes)| async move {
				let sent = self.0.legacy().author_submit_extrinsic(&bytes).await;
				(i, nonce, hash, sent)
			})
			.buffered(SUBMITTING);
		while let Some((i, nonce, hash, sent)) = submissions.next().await {
			match sent {
				Ok(_) => {}
				Err(e) if nonce_held(&format!("{e} {e:?}")) => {}
				Err(e) => return Err(self.0.explain(&e)),
			}
			sent_all.push((i, nonce, hash));
		}
		Ok(sent_all)
	}

	/// Reports the run's transactions in finalized block `number`; how many there were.
	async fn read_block(
		&self,
		number: u32,
		flight: &mut Flight,
		landed: &mut impl FnMut(Landed<'_>) -> Result<()>,
	) -> Result<usize> {
		let at = self.at_number(number).await?;
		let extrinsics = at.extrinsics().fetch().await.map_err(|e| self.0.incompatible(e))?;
		let mut ours: Vec<(u32, usize)> = Vec::new();
		for extrinsic in extrinsics.iter() {
			let extrinsic = extrinsic.map_err(|e| self.0.incompatible(e))?;
			if let Some(call) = flight.hashes.remove(&extrinsic.hash()) {
				if flight.open.remove(&call) {
					ours.push((extrinsic.index() as u32, call));
				}
			}
		}
		if ours.is_empty() {
			return Ok(0);
		}
		let events = at.events().fetch().await.map_err(|e| self.0.incompatible(e))?;
		let mut by_extrinsic: HashMap<u32, Vec<Event<'_, MedTrustConfig>>> = HashMap::new();
		for event in events.iter() {
			let event = event.map_err(|e| self.0.incompatible(e))?;
			if let Phase::ApplyExtrinsic(index) = event.phase() {
				by_extrinsic.entry(index).or_default().push(event);
			}
		}
		for &(index, call) in &ours {
			let events = by_extrinsic.get(&index).map_or(&[][..], Vec::as_slice);
			let failed = match events.iter().find_map(|e| {
				e.decode_fields_as::<runtime::system::events::ExtrinsicFailed>()
					.and_then(|r| r.ok())
			}) {
				Some(failure) => Some(self.0.dispatch_failure(&failure.dispatch_error).await),
				None => None,
			};
			landed(Landed { index: call, block: number, failed, events })?;
		}
		Ok(ours.len())
	}
	/// The client at the block a transaction's mortality is anchored to: the finalized block,
	/// which no fork retracts (a transaction anchored to a block a fork retracted reads as a
	/// bad signature, 1010, on every node; seen as 1010 refusals that stopped bulk runs on an
	/// overloaded four-validator network whose validators forked, and not seen after this),
	/// unless finality lags the best block by `lag` blocks or more (a node catching up), then
	/// the best block.
	async fn at_birth(&self, lag: u64) -> Result<OnlineClientAtBlock<MedTrustConfig>> {
		let (finalized, number) = self.0.finalized_head().await?;
		let best = self.0.header(None).await?;
		let (hash, number) = if best.number.saturating_sub(number) >= lag {
			(header_hash(&best), best.number)
		} else {
			(finalized, number)
		};
		self.0.at_block(hash, number).await
	}

	/// The client at block `number` of the node's best chain (its hash asked for by number:
	/// subxt's own look-up by number fails once the node has stopped a lagging client's
	/// chain-head subscription).
	async fn at_number(&self, number: u32) -> Result<OnlineClientAtBlock<MedTrustConfig>> {
		let hash = self
			.0
			.legacy()
			.chain_get_block_hash(Some(u64::from(number).into()))
			.await
			.map_err(|e| self.0.rpc_error("chain_getBlockHash", e))?
			.ok_or_else(|| self.0.incompatible(format!("no block #{number}")))?;
		self.0.at_block(hash, u64::from(number)).await
	}
}

/// The error of a run that made no progress.
fn stalled(open: usize) -> Error {
	Error::Stalled { open, seconds: STALL.as_secs() }
}

/// Whether a refused submission means the pool holds the transaction, or another with its
/// nonce, already (JSON-RPC errors 1013 and 1014), or its nonce is used (1010 `Stale`: it,
/// or another transaction with its nonce, landed meanwhile).
fn nonce_held(error: &str) -> bool {
	["1013", "1014", "already imported", "priority is too low", "outdated", "stale"]
		.iter()
		.any(|sign| error.to_lowercase().contains(sign))
}
