//! The end-to-end harness: starts real `medtrust-node` processes on free loopback ports with
//! temporary base paths, waits until they answer, and kills them when dropped, even when a
//! test fails (then it prints the end of each node's log).

use std::{
	collections::HashSet,
	future::Future,
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Output, Stdio},
	sync::Mutex,
	time::{Duration, Instant},
};

use medtrust_client::Chain;

/// End-to-end tests share two cores: they run one at a time.
static EXCLUSIVE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Ports handed out by this process, so two nodes never get the same one.
static TAKEN_PORTS: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// Takes the end-to-end lock for the duration of a test.
pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
	EXCLUSIVE.lock().await
}

/// The named phases of a long scenario: each is announced as it starts (with the time since the
/// scenario began), and a failure says which phase it happened in, so that a red run names
/// what broke without reading the backtrace.
pub struct Phases {
	scenario: &'static str,
	current: &'static str,
	started: std::time::Instant,
}

impl Phases {
	/// A scenario, in its first phase.
	pub fn new(scenario: &'static str, first: &'static str) -> Self {
		let phases = Self { scenario, current: first, started: std::time::Instant::now() };
		eprintln!("[{scenario}] phase: {first}");
		phases
	}

	/// Moves on to the next phase.
	pub fn enter(&mut self, phase: &'static str) {
		self.current = phase;
		let at = self.started.elapsed().as_secs_f64();
		eprintln!("[{}] phase: {phase} ({at:.1} s in)", self.scenario);
	}
}

impl Drop for Phases {
	fn drop(&mut self) {
		if std::thread::panicking() {
			let at = self.started.elapsed().as_secs_f64();
			eprintln!("[{}] FAILED in phase: {} ({at:.1} s in)", self.scenario, self.current);
		}
	}
}

/// A loopback TCP port that was free a moment ago and that this process has not handed out.
pub fn free_port() -> u16 {
	let mut taken = TAKEN_PORTS.lock().unwrap_or_else(|e| e.into_inner());
	let taken = taken.get_or_insert_with(HashSet::new);
	loop {
		let port = TcpListener::bind(("127.0.0.1", 0))
			.and_then(|listener| listener.local_addr())
			.map(|addr| addr.port())
			.expect("the loopback interface hands out a free port");
		if taken.insert(port) {
			return port;
		}
	}
}

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `medtrust-node` binary: `MEDTRUST_NODE_BIN`, or the one cargo built beside this test.
pub fn node_binary() -> PathBuf {
	if let Ok(path) = std::env::var("MEDTRUST_NODE_BIN") {
		return PathBuf::from(path);
	}
	let exe = std::env::current_exe().expect("the test knows its own path");
	// <target>/<profile>/deps/e2e-<hash> -> <target>/<profile>/medtrust-node
	let profile_dir = exe.parent().and_then(Path::parent).expect("tests live in <profile>/deps");
	let node = profile_dir.join("medtrust-node");
	assert!(
		node.is_file(),
		"no node binary at {}: build the workspace first (scripts/test.sh does), or set \
		 MEDTRUST_NODE_BIN",
		node.display()
	);
	node
}

/// The `medtrust` CLI binary built with this test.
pub fn cli_binary() -> PathBuf {
	PathBuf::from(env!("CARGO_BIN_EXE_medtrust"))
}

/// Runs `medtrust` with `args`, without standard input, and returns its output.
pub fn medtrust(args: &[&str]) -> Output {
	Command::new(cli_binary())
		.args(args)
		.stdin(Stdio::null())
		.output()
		.expect("the medtrust binary runs")
}

/// Runs `medtrust-node` with `args` (a maintenance subcommand) and returns its output.
pub fn node_command(args: &[&str]) -> Output {
	Command::new(node_binary())
		.args(args)
		.stdin(Stdio::null())
		.output()
		.expect("the medtrust-node binary runs")
}

/// How to start one node.
#[derive(Clone)]
pub struct NodeConfig {
	/// A name for logs and the node's `--name`.
	pub name: String,
	/// Chain arguments: `["--dev"]`, or `["--chain", path, "--alice"]`, …
	pub args: Vec<String>,
	/// Peers to dial at start.
	pub bootnodes: Vec<String>,
	/// A node key file (fixes the peer id), or none for a fresh one.
	pub node_key_file: Option<PathBuf>,
	/// The base path (a founded institution's, with its keys), or none for a temporary one.
	pub base_path: Option<PathBuf>,
}

/// A running node; dropping it kills the process and deletes its base path (its database).
pub struct Node {
	pub name: String,
	pub rpc_port: u16,
	pub p2p_port: u16,
	child: Child,
	log_path: PathBuf,
	config: NodeConfig,
	base: tempfile::TempDir,
}

impl Node {
	/// Starts a node on free loopback ports with a temporary base path.
	pub fn start(config: NodeConfig) -> Node {
		let base = tempfile::Builder::new()
			.prefix(&format!("medtrust-e2e-{}-", config.name))
			.tempdir()
			.expect("a temporary directory");
		let (rpc_port, p2p_port) = (free_port(), free_port());
		let log_path = base.path().join("node.log");
		let child = Self::spawn(&config, base.path(), rpc_port, p2p_port);
		Node { name: config.name.clone(), rpc_port, p2p_port, child, log_path, config, base }
	}

	fn spawn(config: &NodeConfig, base: &Path, rpc_port: u16, p2p_port: u16) -> Child {
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(base.join("node.log"))
			.expect("a log file");
		let mut command = Command::new(node_binary());
		command
			.args(&config.args)
			.arg("--name")
			.arg(&config.name)
			.arg("--base-path")
			.arg(config.base_path.clone().unwrap_or_else(|| base.join("data")))
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
			.args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
			.stdin(Stdio::null())
			.stdout(log.try_clone().expect("a log handle"))
			.stderr(log);
		if let Some(key) = &config.node_key_file {
			command.arg("--node-key-file").arg(key);
		}
		for bootnode in &config.bootnodes {
			command.args(["--bootnodes", bootnode]);
		}
		command.spawn().expect("medtrust-node starts")
	}

	/// Kills the process at once (`SIGKILL`: no shutdown), keeping its database.
	pub fn kill(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// Starts the node again on its database, ports and keys (after [`Node::kill`]).
	pub fn restart(&mut self) {
		assert!(self.child.try_wait().ok().flatten().is_some(), "{} is still running", self.name);
		self.child = Self::spawn(&self.config, self.base.path(), self.rpc_port, self.p2p_port);
	}

	/// Sends a signal to the process (`STOP` freezes it, `CONT` resumes it).
	pub fn signal(&self, signal: &str) {
		let status = Command::new("kill")
			.args([&format!("-{signal}"), &self.child.id().to_string()])
			.status()
			.expect("kill runs");
		assert!(status.success(), "kill -{signal} {}", self.name);
	}

	/// Starts a development node (`--dev`: one validator, Alice) named `name`.
	pub fn dev(name: &str) -> Node {
		Node::start(NodeConfig {
			name: name.into(),
			args: vec!["--dev".into()],
			bootnodes: vec![],
			node_key_file: None,
			base_path: None,
		})
	}

	/// The node's JSON-RPC WebSocket URL.
	pub fn url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// The node's listening address, for other nodes' `--bootnodes`.
	pub fn multiaddr(&self, peer_id: &str) -> String {
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", self.p2p_port)
	}

	/// Everything the node has logged so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}

	/// Connects to the node once its JSON-RPC answers; fails if the process exits first.
	pub async fn connect(&mut self) -> Chain {
		let started = Instant::now();
		loop {
			if let Ok(Some(status)) = self.child.try_wait() {
				panic!("node {} exited with {status} before answering:\n{}", self.name, self.log());
			}
			if let Ok(chain) = Chain::connect(&self.url()).await {
				return chain;
			}
			assert!(
				started.elapsed() < Duration::from_secs(90),
				"node {} did not answer on {} within 90 s",
				self.name,
				self.url()
			);
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
		if std::thread::panicking() {
			let log = self.log();
			let tail: Vec<&str> = log.lines().rev().take(40).collect();
			eprintln!("---- last lines of node {} ----", self.name);
			for line in tail.iter().rev() {
				eprintln!("{line}");
			}
		}
	}
}

/// A node key file and the peer id it gives, made by `medtrust-node key generate-node-key`.
pub struct NodeKey {
	pub file: PathBuf,
	pub peer_id: String,
	_dir: Option<tempfile::TempDir>,
}

impl NodeKey {
	/// A committed test node key of the local consortium (`chain-specs/local-node-keys/`).
	pub fn local(n: usize) -> NodeKey {
		let file = repo_root().join(format!("chain-specs/local-node-keys/node-{n}.key"));
		let path = file.to_str().expect("UTF-8 path");
		let out = node_command(&["key", "inspect-node-key", "--file", path]);
		assert!(out.status.success(), "inspect-node-key: {}", String::from_utf8_lossy(&out.stderr));
		let peer_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
		NodeKey { file, peer_id, _dir: None }
	}

	pub fn generate() -> NodeKey {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let file = dir.path().join("node-key");
		let path = file.to_str().expect("temporary paths are UTF-8");
		let out = node_command(&["key", "generate-node-key", "--file", path]);
		assert!(
			out.status.success(),
			"generate-node-key: {}",
			String::from_utf8_lossy(&out.stderr)
		);
		let out = node_command(&["key", "inspect-node-key", "--file", path]);
		assert!(out.status.success(), "inspect-node-key: {}", String::from_utf8_lossy(&out.stderr));
		let peer_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
		NodeKey { file, peer_id, _dir: Some(dir) }
	}
}

/// The four validators of `chain-specs/local.json`, started with their committed node keys and
/// every other node as a bootnode, connected.
pub async fn start_local_consortium() -> (Vec<Node>, Vec<Chain>, Vec<String>) {
	let spec = repo_root().join("chain-specs/local.json");
	let spec = spec.to_str().expect("UTF-8 path").to_string();
	let mut nodes: Vec<Node> = Vec::new();
	let mut bootnodes: Vec<String> = Vec::new();
	for (n, validator) in ["alice", "bob", "charlie", "dave"].iter().enumerate() {
		let key = NodeKey::local(n + 1);
		let node = Node::start(NodeConfig {
			name: (*validator).into(),
			args: vec![
				"--chain".into(),
				spec.clone(),
				format!("--{validator}"),
				"--allow-dev-keys".into(),
			],
			bootnodes: bootnodes.clone(),
			node_key_file: Some(key.file.clone()),
			base_path: None,
		});
		bootnodes.push(node.multiaddr(&key.peer_id));
		nodes.push(node);
	}
	let mut chains = Vec::new();
	for node in &mut nodes {
		chains.push(node.connect().await);
	}
	(nodes, chains, bootnodes)
}

/// Four institutions that founded a consortium on fresh keys (`medtrust-node founding init`
/// each, then `founding spec`), their validators running without `--allow-dev-keys`.
pub struct Founded {
	/// The validators, stopped when this is dropped.
	_nodes: Vec<Node>,
	pub chains: Vec<Chain>,
	/// Each institution's admin key file (`--signer`).
	pub admins: Vec<String>,
	/// The raw chain spec `founding spec` wrote.
	pub spec: PathBuf,
	/// The genesis hash it printed.
	pub genesis: String,
	/// Each institution's base path (keys, database).
	pub bases: Vec<PathBuf>,
	/// Each validator's address with its peer id (`--bootnodes`).
	pub bootnodes: Vec<String>,
	_dir: tempfile::TempDir,
}

/// Four institutions of the local preset's names and codes, for `founding init`:
/// (name, credit code, kind, region).
pub const FOUNDERS: [(&str, &str, &str, &str); 4] = [
	("北京协和医院", "121000004000003011", "hospital", "110101"),
	("上海交通大学医学院附属瑞金医院", "123100004250005125", "hospital", "310101"),
	("广州金域医学检验中心", "91440101MA5CXN2K7P", "lab", "440112"),
	("北京市卫生健康委员会", "11110000000021135M", "health-commission", "110102"),
];

/// Runs `medtrust-node founding init` for `founder` (name, credit code, kind, region) under
/// `base`; its output.
pub fn founding_init_output(founder: (&str, &str, &str, &str), base: &Path) -> Output {
	let (name, code, kind, region) = founder;
	let base = base.to_str().expect("UTF-8 path");
	node_command(&[
		"founding",
		"init",
		"--name",
		name,
		"--credit-code",
		code,
		"--kind",
		kind,
		"--region",
		region,
		"--base-path",
		base,
	])
}

/// Runs `medtrust-node founding init` for `founder` under `base`; its institution.json.
pub fn founding_init(founder: (&str, &str, &str, &str), base: &Path) -> serde_json::Value {
	let out = founding_init_output(founder, base);
	assert!(out.status.success(), "founding init: {}", String::from_utf8_lossy(&out.stderr));
	serde_json::from_slice(&out.stdout).expect("founding init prints its institution.json")
}

/// Runs `medtrust-node founding spec` on the institutions under `bases`, writing `out`.
pub fn founding_spec(bases: &[PathBuf], out: &Path) -> Output {
	founding_spec_on(bases, out, None)
}

/// `founding_spec`, on the runtime `runtime` (`--runtime`) if given.
pub fn founding_spec_on(bases: &[PathBuf], out: &Path, runtime: Option<&Path>) -> Output {
	let runtime = runtime.map(|r| r.to_str().expect("UTF-8").to_string());
	let extra: Vec<&str> = runtime.iter().flat_map(|r| ["--runtime", r.as_str()]).collect();
	founding_spec_with(bases, out, &extra)
}

/// `founding_spec` with further arguments (`--runtime <wasm>`, `--block-time <ms>`).
pub fn founding_spec_with(bases: &[PathBuf], out: &Path, extra: &[&str]) -> Output {
	let mut args = vec!["founding", "spec", "--id", "medtrust_founded_e2e", "--name", "创始联盟"];
	let files: Vec<String> =
		bases.iter().map(|b| b.join("institution.json").to_str().unwrap().to_string()).collect();
	args.extend(files.iter().map(String::as_str));
	args.extend(["--out", out.to_str().expect("UTF-8")]);
	args.extend(extra);
	node_command(&args)
}

/// Founds a four-institution consortium on fresh keys and starts its validators.
pub async fn start_founded_consortium() -> Founded {
	start_founded_consortium_on(None).await
}

/// [`start_founded_consortium`] on the runtime `runtime` (a released Wasm) if given.
pub async fn start_founded_consortium_on(runtime: Option<&Path>) -> Founded {
	let runtime = runtime.map(|r| r.to_str().expect("UTF-8").to_string());
	let extra: Vec<&str> = runtime.iter().flat_map(|r| ["--runtime", r.as_str()]).collect();
	start_founded(FOUNDERS.len(), &extra).await
}

/// The first `count` of [`FOUNDERS`] found a consortium (`founding spec` with `extra`
/// arguments) on fresh keys and start their validators.
pub async fn start_founded(count: usize, extra: &[&str]) -> Founded {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let mut bases = Vec::new();
	let mut peer_ids = Vec::new();
	for (i, founder) in FOUNDERS.iter().take(count).enumerate() {
		let base = dir.path().join(format!("institution-{}", i + 1));
		let institution = founding_init(*founder, &base);
		peer_ids.push(institution["peerId"].as_str().expect("a peer id").to_string());
		bases.push(base);
	}
	let spec = dir.path().join("founded.json");
	let out = founding_spec_with(&bases, &spec, extra);
	assert!(out.status.success(), "founding spec: {}", String::from_utf8_lossy(&out.stderr));
	let genesis = String::from_utf8_lossy(&out.stdout).trim().to_string();
	let mut nodes: Vec<Node> = Vec::new();
	let mut bootnodes: Vec<String> = Vec::new();
	for (i, base) in bases.iter().enumerate() {
		let node = Node::start(NodeConfig {
			name: format!("founder-{}", i + 1),
			args: vec!["--chain".into(), spec.to_str().unwrap().into(), "--validator".into()],
			bootnodes: bootnodes.clone(),
			node_key_file: None,
			base_path: Some(base.clone()),
		});
		bootnodes.push(node.multiaddr(&peer_ids[i]));
		nodes.push(node);
	}
	let mut chains = Vec::new();
	for node in &mut nodes {
		chains.push(node.connect().await);
	}
	let admins = bases.iter().map(|b| b.join("admin.key").to_str().unwrap().to_string()).collect();
	Founded { _nodes: nodes, chains, admins, spec, genesis, bases, bootnodes, _dir: dir }
}

/// Waits until `chain` has finalized block `number`.
pub async fn wait_until_finalized(chain: &Chain, number: u64) {
	wait_for(&format!("block #{number} to be finalized"), Duration::from_secs(90), || async {
		let status = chain.status().await.map_err(|e| e.to_string())?;
		Ok((status.finalized.number >= number).then_some(()))
	})
	.await;
}

/// The `medtrust` CLI pointed at one node (`--url`), as a user runs it.
#[derive(Clone)]
pub struct Cli {
	pub url: String,
}

impl Cli {
	/// The CLI of the node at `url`.
	pub fn of(url: &str) -> Cli {
		Cli { url: url.to_string() }
	}

	/// Runs `medtrust --url <url> <args>`.
	pub fn run(&self, args: &[&str]) -> Output {
		medtrust(&[&["--url", self.url.as_str()], args].concat())
	}

	/// Runs it with `--json`; fails the test unless it succeeds; returns its JSON output.
	pub fn json(&self, args: &[&str]) -> serde_json::Value {
		medtrust_json(&[&["--url", self.url.as_str()], args].concat())
	}

	/// Runs it expecting failure; returns its standard error, a single `error: ` line.
	pub fn refused(&self, args: &[&str]) -> String {
		self.refused_with(None, args)
	}

	/// [`Cli::refused`], with the exit status the kind of failure has (docs/cli.md): 1 the
	/// node or a local file, 2 bad input, 5 not found, 6 refused by the chain.
	pub fn refused_with(&self, status: Option<i32>, args: &[&str]) -> String {
		let out = self.run(args);
		assert!(!out.status.success(), "medtrust {} should fail", args.join(" "));
		let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
		assert!(stderr.starts_with("error: "), "one error line: {stderr}");
		if let Some(status) = status {
			assert_eq!(out.status.code(), Some(status), "the exit status of: {stderr}");
		}
		stderr
	}

	/// Verifies `record` against `certificate` online; (exit code, verdict, reason).
	pub fn verify(&self, record: &Path, certificate: &Path) -> (i32, String, String) {
		let (record, certificate) = (record.to_str().unwrap(), certificate.to_str().unwrap());
		let out = self.run(&["verify", record, certificate, "--json"]);
		let code = out.status.code().unwrap_or(-1);
		let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
			panic!("verify prints JSON (exit {code}): {}", String::from_utf8_lossy(&out.stderr))
		});
		let field = |name: &str| json[name].as_str().unwrap_or("").to_string();
		(code, field("verdict"), field("reason"))
	}
}

/// Runs `medtrust` with `args`; fails the test unless it succeeds; returns its JSON output.
pub fn medtrust_json(args: &[&str]) -> serde_json::Value {
	let mut all = args.to_vec();
	all.push("--json");
	let out = medtrust(&all);
	assert!(
		out.status.success(),
		"medtrust {} failed:
{}",
		args.join(" "),
		String::from_utf8_lossy(&out.stderr)
	);
	serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

/// Polls `probe` every half second until it returns `Some`, or fails after `timeout` with
/// `what` and the last value seen.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
	F: FnMut() -> Fut,
	Fut: Future<Output = Result<Option<T>, String>>,
{
	let started = Instant::now();
	let mut last = String::from("no answer yet");
	loop {
		match probe().await {
			Ok(Some(value)) => return value,
			Ok(None) => {}
			Err(e) => last = e,
		}
		assert!(
			started.elapsed() < timeout,
			"timed out after {timeout:?} waiting for {what}: {last}"
		);
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// A PostgreSQL server of its own (Debian's `postgresql` binaries, installed by
/// `scripts/setup.sh`): a fresh cluster in a temporary directory, listening on a free loopback
/// port only, trust authentication for the `postgres` user. Dropping it stops the server and
/// deletes the cluster.
pub struct Postgres {
	pub port: u16,
	bin: PathBuf,
	root: bool,
	dir: tempfile::TempDir,
	child: Child,
	/// The test CA's certificate (PEM) when the server runs TLS.
	ca: Option<PathBuf>,
}

/// A test CA under `dir`: the certificate to sign with, and its PEM file (`ca.pem`).
fn make_ca(dir: &Path) -> (rcgen::Certificate, PathBuf) {
	let mut params = rcgen::CertificateParams::new(Vec::<String>::new());
	params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
	params.distinguished_name.push(rcgen::DnType::CommonName, "MedTrust test CA");
	let ca = rcgen::Certificate::from_params(params).expect("a CA certificate");
	let path = dir.join("ca.pem");
	std::fs::write(&path, ca.serialize_pem().expect("PEM")).expect("written");
	(ca, path)
}

impl Postgres {
	/// Creates and starts the cluster; waits until it accepts connections.
	pub fn start() -> Postgres {
		Self::start_inner(None)
	}

	/// As [`Postgres::start`], with TLS on a certificate for `names` signed by a test CA
	/// ([`Postgres::ca_file`]).
	pub fn start_with_tls(names: &[&str]) -> Postgres {
		Self::start_inner(Some(names))
	}

	/// The PEM file of another test CA, under `dir`.
	pub fn test_ca(dir: &Path) -> PathBuf {
		make_ca(dir).1
	}

	/// The test CA of a TLS server.
	pub fn ca_file(&self) -> Option<PathBuf> {
		self.ca.clone()
	}

	/// The server's port on 127.0.0.1.
	pub fn port(&self) -> u16 {
		self.port
	}

	fn start_inner(tls: Option<&[&str]>) -> Postgres {
		let bin = std::fs::read_dir("/usr/lib/postgresql")
			.ok()
			.and_then(|versions| {
				versions.filter_map(|v| v.ok()).map(|v| v.path().join("bin")).max()
			})
			.filter(|bin| bin.join("initdb").is_file())
			.expect(
				"PostgreSQL binaries in /usr/lib/postgresql/*/bin (scripts/setup.sh installs them)",
			);
		let dir =
			tempfile::Builder::new().prefix("medtrust-e2e-pg-").tempdir().expect("a temp dir");
		let root = running_as_root();
		if root {
			// PostgreSQL refuses to run as root: the cluster belongs to the `postgres` user.
			let status = Command::new("chown")
				.args(["-R", "postgres:postgres"])
				.arg(dir.path())
				.status()
				.expect("chown runs");
			assert!(status.success(), "chown of the cluster directory failed");
		}
		let as_postgres = |program: &str| {
			let mut command = if root {
				let mut c = Command::new("runuser");
				c.args(["-u", "postgres", "--"]).arg(bin.join(program));
				c
			} else {
				Command::new(bin.join(program))
			};
			command.stdin(Stdio::null());
			command
		};
		let data = dir.path().join("data");
		let out = as_postgres("initdb")
			.args(["--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C.UTF-8"])
			.arg("-D")
			.arg(&data)
			.output()
			.expect("initdb runs");
		assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
		let mut settings = vec!["listen_addresses=127.0.0.1".to_string()];
		let ca = tls.map(|names| {
			let (ca, ca_file) = make_ca(dir.path());
			let params = rcgen::CertificateParams::new(
				names.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
			);
			let server = rcgen::Certificate::from_params(params).expect("a server certificate");
			let pem = server.serialize_pem_with_signer(&ca).expect("signed");
			std::fs::write(data.join("server.crt"), pem).expect("written");
			let key = data.join("server.key");
			std::fs::write(&key, server.serialize_private_key_pem()).expect("written");
			use std::os::unix::fs::PermissionsExt as _;
			std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("0600");
			if root {
				let status = Command::new("chown")
					.args(["postgres:postgres"])
					.arg(data.join("server.crt"))
					.arg(&key)
					.status()
					.expect("chown runs");
				assert!(status.success(), "chown of the server's key failed");
			}
			settings.extend(
				["ssl=on", "ssl_cert_file=server.crt", "ssl_key_file=server.key"].map(String::from),
			);
			ca_file
		});
		let port = free_port();
		let log = std::fs::File::create(dir.path().join("postgres.log")).expect("a log file");
		let child = as_postgres("postgres")
			.arg("-D")
			.arg(&data)
			.args(["-p", &port.to_string()])
			.args(settings.iter().flat_map(|s| ["-c", s.as_str()]))
			.arg("-k")
			.arg(dir.path())
			.stdout(log.try_clone().expect("a log handle"))
			.stderr(log)
			.spawn()
			.expect("postgres starts");
		let mut server = Postgres { port, bin, root, dir, child, ca };
		let started = Instant::now();
		while server.psql("postgres", "SELECT 1").is_err() {
			if let Ok(Some(status)) = server.child.try_wait() {
				panic!("postgres exited with {status}:\n{}", server.log());
			}
			assert!(
				started.elapsed() < Duration::from_secs(60),
				"postgres did not start:\n{}",
				server.log()
			);
			std::thread::sleep(Duration::from_millis(250));
		}
		server
	}

	/// The connection URL of a database.
	pub fn url(&self, database: &str) -> String {
		format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
	}

	/// Runs SQL in a database with `psql` (stops at the first error).
	pub fn psql(&self, database: &str, sql: &str) -> Result<String, String> {
		let out = Command::new(self.bin.join("psql"))
			.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres"])
			.args(["-p", &self.port.to_string(), "-d", database, "-c", sql])
			.stdin(Stdio::null())
			.output()
			.map_err(|e| e.to_string())?;
		if out.status.success() {
			Ok(String::from_utf8_lossy(&out.stdout).into_owned())
		} else {
			Err(String::from_utf8_lossy(&out.stderr).into_owned())
		}
	}

	fn log(&self) -> String {
		std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
	}
}

impl Drop for Postgres {
	fn drop(&mut self) {
		// `pg_ctl stop` reaches the server itself (under `runuser`, killing the child would
		// only kill `runuser`).
		let pg_ctl = self.bin.join("pg_ctl");
		let data = self.dir.path().join("data");
		let mut stop = if self.root {
			let mut c = Command::new("runuser");
			c.args(["-u", "postgres", "--"]).arg(pg_ctl);
			c
		} else {
			Command::new(pg_ctl)
		};
		let _ = stop
			.args(["stop", "-m", "immediate", "-w", "-D"])
			.arg(&data)
			.stdin(Stdio::null())
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.status();
		let _ = self.child.kill();
		let _ = self.child.wait();
		if std::thread::panicking() {
			eprintln!("---- postgres log ----\n{}", self.log());
		}
	}
}

/// Whether this process runs as root (`id -u` is 0).
fn running_as_root() -> bool {
	Command::new("id")
		.arg("-u")
		.output()
		.map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
		.unwrap_or(false)
}

/// A laboratory of `//Alice`'s institution, through the CLI and the library: a LIS source
/// serving LABORATORY named `name`, with its lab-result table. Returns (source, resource).
pub async fn laboratory(chain: &Chain, url: &str, name: &str) -> (u64, u64) {
	laboratory_as(chain, url, name, "//Alice").await
}

/// [`laboratory`], registered by `signer` (a `--signer` value).
pub async fn laboratory_as(chain: &Chain, url: &str, name: &str, signer: &str) -> (u64, u64) {
	let source = medtrust_json(&[
		"--url",
		url,
		"--signer",
		signer,
		"catalog",
		"add-source",
		"--name",
		name,
		"--system",
		"LIS",
		"--domain",
		"LABORATORY",
	])["source"]
		.as_u64()
		.expect("a source id");
	let alice = medtrust_client::chain::signer::parse(signer).expect("a signing key");
	let spec = medtrust_client::catalog::spec::ResourceSpec {
		name: "lis.lab_result".into(),
		kind: medtrust_client::catalog::spec::KindSpec::Table {
			database: "lis".into(),
			schema: "lis".into(),
			table: "lab_result".into(),
		},
		address: "10.1.2.3:5432/lis".into(),
		operations: vec![pallet_data_sources::Operation::Collect],
		items: vec![],
	};
	let resource =
		chain.catalog().register_resource(&alice, source, &spec).await.expect("a resource");
	(source, resource)
}

/// Writes the raw form of chain spec `chain` (`dev`, `local` or a file) to `to`: the trust
/// anchor of offline verification.
pub fn raw_chain_spec(chain: &str, to: &Path) {
	let raw = node_command(&["build-spec", "--chain", chain, "--raw"]);
	assert!(raw.status.success(), "{}", String::from_utf8_lossy(&raw.stderr));
	std::fs::write(to, &raw.stdout).expect("written");
}

/// `medtrust verify <record> <certificate> --offline --chain-spec <spec> --json`, without
/// `--allow-dev-keys`: (exit code, verdict, reason).
pub fn verify_offline_strict(
	record: &Path,
	certificate: &Path,
	spec: &Path,
) -> (Option<i32>, String, String) {
	verify_offline_with(record, certificate, spec, &[])
}

/// `medtrust verify <record> <certificate> --offline --chain-spec <spec> --allow-dev-keys
/// --json` (the dev and local specs name development keys): its exit code, verdict and reason.
pub fn verify_offline(
	record: &Path,
	certificate: &Path,
	spec: &Path,
) -> (Option<i32>, String, String) {
	verify_offline_with(record, certificate, spec, &["--allow-dev-keys"])
}

fn verify_offline_with(
	record: &Path,
	certificate: &Path,
	spec: &Path,
	extra: &[&str],
) -> (Option<i32>, String, String) {
	let args = [
		"verify",
		record.to_str().expect("UTF-8"),
		certificate.to_str().expect("UTF-8"),
		"--offline",
		"--chain-spec",
		spec.to_str().expect("UTF-8"),
		"--json",
	];
	let out = medtrust(&[&args[..], extra].concat());
	let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("verify prints JSON");
	(
		out.status.code(),
		json["verdict"].as_str().unwrap_or_default().to_string(),
		json["reason"].as_str().unwrap_or_default().to_string(),
	)
}
