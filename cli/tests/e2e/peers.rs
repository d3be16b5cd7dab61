//! The peer allow-list, applied by every node at each finalized block: a consortium's RPC node
//! (not a validator) is refused until its institution registers its peer id, then syncs; it
//! applies the list itself and refuses a stranger that dials it; a malformed peer id is
//! refused before anything is sent.

use std::time::Duration;

use crate::harness::{
	exclusive, medtrust, medtrust_json, start_founded_consortium, wait_for, Node, NodeConfig,
	NodeKey,
};

/// A node of the founded chain that is no validator, with the node key `key`, dialing `to`.
fn full_node(name: &str, spec: &str, key: &NodeKey, to: Vec<String>) -> Node {
	Node::start(NodeConfig {
		name: name.into(),
		args: vec!["--chain".into(), spec.into()],
		bootnodes: to,
		node_key_file: Some(key.file.clone()),
		base_path: None,
	})
}

/// The best block `node` has, 0 when it cannot be read.
async fn best(node: &mut Node) -> u64 {
	node.connect().await.status().await.map(|s| s.best.number).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_only_registered_nodes_sync_and_every_node_applies_the_allow_list() {
	let _lock = exclusive().await;
	let founded = start_founded_consortium().await;
	let url = founded.chains[0].url().to_string();
	let spec = founded.spec.to_str().expect("UTF-8").to_string();
	let admin = founded.admins[0].as_str();

	// Institution 1's RPC node: not in the genesis allow-list, so no validator accepts it.
	let rpc_key = NodeKey::generate();
	let mut rpc_node = full_node("rpc-node", &spec, &rpc_key, founded.bootnodes.clone());
	tokio::time::sleep(Duration::from_secs(15)).await;
	assert_eq!(best(&mut rpc_node).await, 0, "an unregistered node synced");

	// Checked before it is sent: not a peer id.
	let out = medtrust(&["--url", &url, "--signer", admin, "consortium", "add-peer", "12D3Koo"]);
	assert!(!out.status.success(), "a malformed peer id was accepted");
	assert!(String::from_utf8_lossy(&out.stderr).contains("peer id"));

	// Registered by its institution's admin: once that is final, the validators accept it.
	let add_peer = |node: &[&str]| {
		let args = ["--url", &url, "--signer", admin, "consortium", "add-peer"];
		medtrust_json(&[&args[..], node].concat())
	};
	let added = add_peer(&[&rpc_key.peer_id]);
	let events = added["events"].to_string();
	assert!(events.contains("PeerIdAdded"), "{added}");
	assert_eq!(added["alreadyRegistered"], false, "{added}");
	// Again, by the node's key file (a provisioning rerun): the same peer id, nothing sent.
	let again = add_peer(&["--node-key-file", rpc_key.file.to_str().expect("UTF-8")]);
	assert_eq!(again["peerId"], rpc_key.peer_id.as_str(), "{again}");
	assert_eq!(again["alreadyRegistered"], true, "{again}");
	let rpc_chain = rpc_node.connect().await;
	let synced = wait_for("the RPC node to sync", Duration::from_secs(120), || async {
		let status = rpc_chain.status().await.map_err(|e| e.to_string())?;
		Ok((status.finalized.number > 3).then_some(status.finalized.number))
	})
	.await;
	eprintln!("the registered RPC node synced to #{synced}");

	// The RPC node applies the list too: a stranger dialing only it gets nowhere.
	let stranger_key = NodeKey::generate();
	let via = rpc_node.multiaddr(&rpc_key.peer_id);
	let mut stranger = full_node("stranger", &spec, &stranger_key, vec![via]);
	tokio::time::sleep(Duration::from_secs(15)).await;
	assert_eq!(best(&mut stranger).await, 0, "a stranger synced through the RPC node");
	assert!(best(&mut rpc_node).await > synced, "the RPC node kept up meanwhile");
}
