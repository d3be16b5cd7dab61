//! Long runs, behind a flag (`scripts/test.sh --long`; `cargo test --test e2e -- --ignored
//! long_`): what takes tens of thousands of blocks.

use std::time::{Duration, Instant};

use medtrust_client::certificates::portable::render_evidence;
use medtrust_rpc_types::certificate_json::EvidenceJson;

use crate::{
	governance::Laboratory,
	harness::{exclusive, start_founded, verify_offline_strict, wait_for},
};

/// How old the certificate is when its evidence is asked for, in blocks.
const AGE: u64 = 50_000;
/// The block time of the test chain (`founding spec --block-time`): 50,000 blocks in well
/// under an hour on a 2-core machine.
const BLOCK_TIME_MS: &str = "50";

/// A certificate 50,000 blocks old: its evidence asked for now (what an interrupted anchoring
/// run resumed much later, or a re-issued portable certificate, asks for) is proved by the
/// nearest stored GRANDPA justification after its block, a few hundred headers at most rather
/// than 50,000, fits one answer, and verifies offline against the founded chain spec.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "long (about 50 minutes): scripts/test.sh --long"]
async fn e2e_long_a_certificate_50_000_blocks_old_verifies_offline() {
	let _lock = exclusive().await;
	let founded = start_founded(1, &["--block-time", BLOCK_TIME_MS]).await;
	let chain = &founded.chains[0];
	let url = chain.url().to_string();
	let mut lab = Laboratory::set_up_as(chain, &url, &founded.admins[0], Some(&founded.spec)).await;
	let (record, certificate) = lab.anchor();
	let (code, verdict, reason) = verify_offline_strict(&record, &certificate, &founded.spec);
	assert_eq!((code, verdict.as_str()), (Some(0), "valid"), "{reason}");
	let mut portable: serde_json::Value =
		serde_json::from_slice(&std::fs::read(&certificate).expect("read")).expect("JSON");
	let id = portable["certificate"]["id"].as_u64().expect("an id");
	let issued = portable["block"]["number"].as_u64().expect("its block");

	let started = Instant::now();
	wait_for(
		&format!("block #{} to be finalized", issued + AGE),
		Duration::from_secs(3 * 3600),
		|| async {
			let status = chain.status().await.map_err(|e| e.to_string())?;
			Ok((status.finalized.number >= issued + AGE).then_some(()))
		},
	)
	.await;
	eprintln!("{AGE} blocks in {:.0} s", started.elapsed().as_secs_f64());

	// Asked for now: proved from a stored justification within the span, not from the head.
	let evidence: EvidenceJson = chain.certificates().evidence(id).await.expect("evidence");
	let bytes = serde_json::to_vec(&evidence).expect("JSON").len();
	assert!(bytes < 1 << 20, "{bytes} bytes of evidence for a certificate {AGE} blocks old");
	let written = portable["evidence"]["finalityProof"].as_str().expect("a proof").to_string();
	assert_ne!(evidence.finality_proof, written, "proved anew, not the anchoring run's proof");
	let rendered = render_evidence(&evidence).expect("rendered");
	portable["evidence"] = serde_json::from_str(&rendered).expect("JSON");
	let anew = lab.dir.path().join("anew.json");
	std::fs::write(&anew, serde_json::to_vec_pretty(&portable).expect("JSON")).expect("written");
	let (code, verdict, reason) = verify_offline_strict(&record, &anew, &founded.spec);
	assert_eq!((code, verdict.as_str()), (Some(0), "valid"), "{reason}");
	// Many certificates of old blocks in one call: the answer stays within its bounds.
	let many =
		chain.certificates().evidence_of_many(&vec![id; 1_024]).await.expect("evidence of many");
	assert_eq!(many.len(), 1_024);
	drop(founded);
}
