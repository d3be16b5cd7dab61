//! Certifying an anchoring run's subjects on chain: the batch's Merkle root, or each record's
//! commitment, all in flight, the state saved as they are finalized.

use std::time::{Duration, Instant};

use subxt::utils::Static;
use subxt_signer::sr25519::Keypair;
use tokio::sync::mpsc::UnboundedSender;

use super::{dir::AnchorDir, state::AnchorState, AnchorRequest, Stage};
use crate::certificates::Certificates;
use crate::chain::tx::DispatchFailure;
use crate::{runtime, Error, MedTrustConfig, Result};

/// How often the state is saved while records are being certified.
const SAVE_EVERY: Duration = Duration::from_secs(1);

/// What a run certifies: the batch's root over `records`, or each record's commitment, for
/// institution `owner`.
pub(super) struct Subjects<'a> {
	pub hashes: &'a [[u8; 32]],
	pub records: u64,
	pub owner: u32,
}

/// The certificate the `Certified` event of a transaction names.
fn certified_by(events: subxt::extrinsics::ExtrinsicEvents<MedTrustConfig>) -> Result<u64> {
	events
		.find_first::<runtime::certificates::events::Certified>()
		.and_then(|e| e.ok())
		.map(|e| e.certificate)
		.ok_or_else(|| Error::Internal("no Certified event".into()))
}

impl Certificates<'_> {
	/// Certifies the subjects not certified yet; returns how many this run issued. `notify`
	/// hears each record's position (0 first) and certificate as it is finalized.
	pub(super) async fn certify_subjects(
		&self,
		signer: &Keypair,
		request: &AnchorRequest,
		(state, dir): (&mut AnchorState, &AnchorDir),
		subjects: Subjects<'_>,
		resumed: bool,
		progress: &mut impl FnMut(Stage, u64, u64),
		notify: Option<UnboundedSender<(u64, u64)>>,
	) -> Result<u64> {
		// An interrupted run may have certified some without recording so; a fresh run has
		// nothing to look up.
		if resumed {
			self.recover_issued(state, &subjects).await?;
			state.save(&dir.state())?;
		}
		let pending: Vec<usize> =
			(0..subjects.hashes.len()).filter(|&i| state.certificates[i].is_none()).collect();
		if pending.is_empty() {
			return Ok(0);
		}
		let total = subjects.hashes.len() as u64;
		if request.batch {
			let issued = self.certify_batch(signer, request, state, &subjects).await?;
			state.save(&dir.state())?;
			progress(Stage::Certified, total, total);
			return Ok(issued);
		}
		let run = (state, dir);
		self.certify_each(signer, request, run, &subjects, &pending, progress, notify).await
	}

	/// Certifies each pending record with its own transaction, all in flight
	/// ([`Chain::submit_in_flight`]), the state saved (and `notify` told) as they are
	/// finalized (the state also whatever happens); a record whose transaction failed because an interrupted run's transaction
	/// certified it first is taken as certified, any other failure stops the run with its
	/// reason.
	async fn certify_each(
		&self,
		signer: &Keypair,
		request: &AnchorRequest,
		(state, dir): (&mut AnchorState, &AnchorDir),
		subjects: &Subjects<'_>,
		pending: &[usize],
		progress: &mut impl FnMut(Stage, u64, u64),
		notify: Option<UnboundedSender<(u64, u64)>>,
	) -> Result<u64> {
		let calls: Vec<_> = pending
			.iter()
			.map(|&i| Self::certify_call(request, state, subjects.hashes[i]))
			.collect();
		let total = subjects.hashes.len() as u64;
		let mut done = total - pending.len() as u64;
		let (mut issued_now, mut failed) = (0u64, Vec::new());
		let mut saved = Instant::now();
		let submitted = self
			.chain
			.submit_in_flight(&calls, signer, |landed| {
				let i = pending[landed.index];
				let certified = landed.event::<runtime::certificates::events::Certified>();
				match (&landed.failed, certified) {
					(None, Some(c)) => {
						state.certificates[i] = Some((c.certificate, landed.block));
						issued_now += 1;
						if let Some(notify) = &notify {
							// The receiver gone is no reason to stop certifying.
							let _ = notify.send((i as u64, c.certificate));
						}
					}
					(why, _) => {
						let no_event =
							|| DispatchFailure { module: None, text: "no Certified event".into() };
						failed.push((i, why.clone().unwrap_or_else(no_event)))
					}
				}
				done += 1;
				if saved.elapsed() > SAVE_EVERY {
					state.save(&dir.state())?;
					progress(Stage::Certified, done, total);
					saved = Instant::now();
				}
				Ok(())
			})
			.await;
		state.save(&dir.state())?;
		submitted?;
		for (i, why) in failed {
			match self.certificate_of(subjects.owner, &subjects.hashes[i]).await? {
				Some(c) => state.certificates[i] = Some((c.id, c.issued.number)),
				_ => {
					return Err(Error::Dispatch { what: format!("record {}", i + 1), failure: why })
				}
			}
		}
		state.save(&dir.state())?;
		progress(Stage::Certified, total, total);
		Ok(issued_now)
	}

	/// Records the certificates an interrupted run obtained without saving them.
	async fn recover_issued(&self, state: &mut AnchorState, subjects: &Subjects<'_>) -> Result<()> {
		for (i, subject) in subjects.hashes.iter().enumerate() {
			if state.certificates[i].is_some() {
				continue;
			}
			// Another institution's certificate of the same commitment is not ours.
			if let Some(c) = self.certificate_of(subjects.owner, subject).await? {
				state.certificates[i] = Some((c.id, c.issued.number))
			}
		}
		Ok(())
	}

	/// The `certify` call of subject `i`.
	fn certify_call(
		request: &AnchorRequest,
		state: &AnchorState,
		subject: [u8; 32],
	) -> impl subxt::transactions::Payload {
		runtime::transactions().certificates().certify(
			request.source,
			request.resource,
			state.version,
			state.domain.clone(),
			Static(request.algorithm),
			subject,
		)
	}

	/// Certifies the batch by its root in one transaction.
	async fn certify_batch(
		&self,
		signer: &Keypair,
		request: &AnchorRequest,
		state: &mut AnchorState,
		subjects: &Subjects<'_>,
	) -> Result<u64> {
		let call = runtime::transactions().certificates().certify_batch(
			request.source,
			request.resource,
			state.version,
			state.domain.clone(),
			Static(request.algorithm),
			subjects.hashes[0],
			subjects.records,
		);
		let id = certified_by(self.chain.submit_with_events(&call, signer).await?.1)?;
		state.certificates[0] = Some((id, self.get(id).await?.issued.number));
		Ok(1)
	}
}
