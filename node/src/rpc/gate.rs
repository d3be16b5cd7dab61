//! The gate in front of the expensive `medtrust_*` methods (walks, catalog pages, offline
//! evidence): they run as blocking tasks, off the threads that serve `system_health` and the
//! light methods, and only a few at once; a call that waits longer than [`WAIT`] for its turn
//! is refused (retry), so a burst of worst-case calls neither starves the node nor queues
//! without end.

use std::{sync::Arc, time::Duration};

use jsonrpsee::core::RpcResult;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::catalog::error;

/// How long an expensive call waits for its turn before it is refused: with the few hundred
/// milliseconds the worst of them run, every call is answered or refused within 2 s
/// (`scripts/bench.sh --load-only`; with a 2 s wait, calls let in at the end of it were
/// answered after 2.3 s).
pub const WAIT: Duration = Duration::from_secs(1);

/// A shared limit on expensive calls running at once.
#[derive(Clone)]
pub struct Gate {
	permits: Arc<Semaphore>,
}

impl Default for Gate {
	/// Half the machine's cores, at least one and at most eight.
	fn default() -> Self {
		let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
		Self::new((cores / 2).clamp(1, 8))
	}
}

impl Gate {
	/// A gate letting `running` expensive calls through at once.
	pub fn new(running: usize) -> Self {
		Self { permits: Arc::new(Semaphore::new(running)) }
	}

	/// Waits (at most [`WAIT`]) for a turn; from a blocking task (a method marked `blocking`).
	pub fn enter(&self) -> RpcResult<OwnedSemaphorePermit> {
		let permits = self.permits.clone();
		let turn = tokio::runtime::Handle::try_current()
			.map_err(|_| error("the gate is used outside the node's runtime"))?
			.block_on(tokio::time::timeout(WAIT, permits.acquire_owned()));
		match turn {
			Ok(Ok(permit)) => Ok(permit),
			Ok(Err(_)) => Err(error("the node is shutting down")),
			Err(_) => Err(error(
				"the node is busy with other expensive calls (walks, catalog pages, evidence); \
				 retry shortly",
			)),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_call_past_the_limit_waits_then_is_refused() {
		let runtime = tokio::runtime::Builder::new_multi_thread()
			.worker_threads(1)
			.enable_time()
			.build()
			.expect("a runtime");
		let gate = Gate::new(1);
		let (first, second) = runtime.block_on(async {
			let one = gate.clone();
			let first =
				tokio::task::spawn_blocking(move || one.enter().map(|_| ())).await.expect("joined");
			let held = gate.permits.clone().acquire_owned().await.expect("a permit");
			let two = gate.clone();
			let started = std::time::Instant::now();
			let second =
				tokio::task::spawn_blocking(move || two.enter().map(|_| started.elapsed()))
					.await
					.expect("joined");
			drop(held);
			(first, second)
		});
		assert!(first.is_ok(), "a free gate lets a call through");
		let refused = second.expect_err("refused while the only turn is held");
		assert!(refused.message().contains("retry"), "{refused:?}");
	}
}
