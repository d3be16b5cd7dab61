//! The data catalog end to end: two institutions' real PostgreSQL databases, designed
//! differently, imported through the `medtrust` CLI; a schema change imported again; an
//! OpenAPI document imported; the catalog exported as JSON, CSV and DCAT and checked against
//! the chain; bad input refused with a clear error and nothing changed.

use std::time::Duration;

use pallet_data_sources::Operation;
use serde_json::Value;

use medtrust_client::Chain;

use crate::harness::{exclusive, free_port, wait_for, Cli, Node, Postgres};

/// The HIS of the development hospital (institution 0): patients, visits, diagnoses.
const HIS: &str = "
	CREATE TYPE sex_code AS ENUM ('男', '女', '未知');
	CREATE TABLE patient (
		patient_id varchar(32) PRIMARY KEY,
		name varchar(50) NOT NULL,
		sex sex_code NOT NULL,
		birth_date date,
		id_card_no char(18),
		height numeric(5,1)
	);
	COMMENT ON COLUMN patient.patient_id IS '患者唯一标识';
	COMMENT ON COLUMN patient.name IS '患者姓名 DE02.01.039.00';
	COMMENT ON COLUMN patient.sex IS '性别代码 DE02.01.040.00';
	COMMENT ON COLUMN patient.birth_date IS '出生日期 DE02.01.005.01';
	COMMENT ON COLUMN patient.id_card_no IS '身份证件号码 DE02.01.030.00';
	COMMENT ON COLUMN patient.height IS '身高（单位：cm） DE04.10.167.00';
	CREATE TABLE visit (
		visit_id bigserial PRIMARY KEY,
		patient_id varchar(32) NOT NULL REFERENCES patient,
		dept_code varchar(10),
		visit_time timestamp NOT NULL
	);
	COMMENT ON COLUMN visit.visit_time IS '就诊日期时间 DE06.00.062.00';
	CREATE TABLE diagnosis (
		visit_id bigint REFERENCES visit,
		seq int,
		icd10_code varchar(16) NOT NULL,
		diagnosis_name varchar(100),
		PRIMARY KEY (visit_id, seq)
	);
	COMMENT ON COLUMN diagnosis.icd10_code IS '疾病诊断编码（ICD-10） DE05.01.024.00';";

/// The LIS of a laboratory (a second institution), in its own schema and style.
const LIS: &str = "
	CREATE SCHEMA lis;
	CREATE TABLE lis.lab_order (
		order_no varchar(20) PRIMARY KEY,
		patient_card varchar(20) NOT NULL,
		specimen_type varchar(20),
		ordered_at timestamptz
	);
	CREATE TABLE lis.lab_result (
		order_no varchar(20) REFERENCES lis.lab_order,
		item_code varchar(20),
		item_name varchar(60),
		result_value numeric(10,3),
		ref_range varchar(40)
	);
	COMMENT ON COLUMN lis.lab_result.result_value IS '检验结果值（单位：mmol/L） DE04.50.134.00';";

/// The laboratory's result service.
const OPENAPI: &str = r##"
openapi: 3.0.3
info: { title: 金域检验结果服务, version: "2.1" }
servers: [{ url: "https://lis.example.cn/api" }]
paths:
  /lab/results/{orderNo}:
    get:
      parameters:
        - { name: orderNo, in: path, required: true, schema: { type: string, maxLength: 20 }, description: 检验申请单号 }
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items:
                  type: object
                  required: [itemCode, value]
                  properties:
                    itemCode: { type: string, description: 检验项目代码 }
                    value: { type: number, x-unit: mmol/L, description: 检验结果值 DE04.50.134.00 }
"##;

const ALICE: &str = "//Alice";
const DAVE: &str = "//Dave";
const DAVE_SS58: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";

/// The action an import report gives each resource, in order.
fn actions(report: &Value) -> Vec<&str> {
	report["resources"]
		.as_array()
		.expect("a resource list")
		.iter()
		.map(|r| r["action"].as_str().expect("an action"))
		.collect()
}

fn resource_named<'a>(resources: &'a Value, name: &str) -> &'a Value {
	resources
		.as_array()
		.and_then(|all| all.iter().find(|r| r["name"] == name))
		.unwrap_or_else(|| panic!("no resource {name} in {resources}"))
}

fn item_named<'a>(items: &'a Value, name: &str) -> &'a Value {
	items
		.as_array()
		.and_then(|all| all.iter().find(|i| i["name"] == name))
		.unwrap_or_else(|| panic!("no item {name} in {items}"))
}

/// A dev node, two institutions' PostgreSQL databases and the CLI, with what the steps
/// registered so far.
struct Catalog {
	pg: Postgres,
	_node: Node,
	chain: Chain,
	cli: Cli,
	dir: tempfile::TempDir,
	his: String,
	lis: String,
	patient: String,
}

impl Catalog {
	/// Starts PostgreSQL with the HIS and LIS databases, and a dev node.
	async fn start() -> Catalog {
		let pg = Postgres::start();
		for (db, schema) in [("his", HIS), ("lis", LIS)] {
			pg.psql("postgres", &format!("CREATE DATABASE {db}")).expect("database created");
			pg.psql(db, schema).expect("schema created");
		}
		let mut node = Node::dev("catalog");
		let chain = node.connect().await;
		let cli = Cli::of(&node.url());
		let dir = tempfile::tempdir().expect("a temp dir");
		let (his, lis, patient) = Default::default();
		Catalog { pg, _node: node, chain, cli, dir, his, lis, patient }
	}

	/// The business domains of the preset, one of them out of scope.
	fn domains(&self) {
		let domains = self.cli.json(&["catalog", "domains"]);
		assert_eq!(domains.as_array().map(Vec::len), Some(10));
		let exam = domains.as_array().unwrap().iter().find(|d| d["code"] == "PHYSICAL_EXAM");
		let exam = exam.expect("the physical exam domain");
		assert_eq!(exam["inScope"], false);
		assert_eq!(exam["name"], "健康体检");
	}

	/// A laboratory joins (the dev chain's single institution decides alone); each
	/// institution registers a data source, the CLI printing its id.
	fn sources(&mut self) {
		let peer = "12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD";
		self.cli.json(&[
			"--signer",
			ALICE,
			"consortium",
			"propose-admit",
			"--name",
			"广州金域医学检验中心",
			"--credit-code",
			"91440101MA5CXN2K7P",
			"--region",
			"440112",
			"--kind",
			"lab",
			"--admin",
			DAVE_SS58,
			"--peer-id",
			peer,
		]);
		let his = self.cli.json(&[
			"--signer",
			ALICE,
			"catalog",
			"add-source",
			"--name",
			"门诊住院HIS",
			"--system",
			"HIS",
			"--domain",
			"OUTPATIENT",
			"--domain",
			"INPATIENT",
		]);
		self.his = his["source"].as_u64().expect("a source id").to_string();
		let out = self.cli.run(&[
			"--signer",
			DAVE,
			"catalog",
			"add-source",
			"--name",
			"检验LIS",
			"--system",
			"lis",
			"--domain",
			"LABORATORY",
		]);
		assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
		let lis: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("the id alone");
		self.lis = lis.to_string();
		assert_ne!(self.his, self.lis);
	}

	/// Bad sources: a clear error each, and nothing registered.
	fn bad_sources(&self) {
		let add = |status: i32, name: &str, system: &str, domain: &str| {
			self.cli.refused_with(
				Some(status),
				&[
					"--signer",
					ALICE,
					"catalog",
					"add-source",
					"--name",
					name,
					"--system",
					system,
					"--domain",
					domain,
				],
			)
		};
		// Refused by the chain (6); bad input (2), nothing sent.
		let e = add(6, "体检系统", "HIS", "PHYSICAL_EXAM");
		assert!(e.contains("OutOfScope"), "{e}");
		let e = add(2, "x", "SAP", "LABORATORY");
		assert!(e.contains("unknown system `SAP`"), "{e}");
		let e = add(2, &"医".repeat(90), "HIS", "OUTPATIENT");
		assert!(e.contains("1 to 256 bytes") && e.contains("has 270"), "{e}");
	}

	/// Bad imports: a clear error each, and nothing registered.
	fn bad_imports(&self) {
		let import = |status: i32, signer: &str, from: &[&str], source: &str| {
			self.cli.refused_with(
				Some(status),
				&[&["--signer", signer, "catalog", "import"], from, &["--source", source]].concat(),
			)
		};
		let his_url = self.pg.url("his");
		// Another institution's source: refused (6); unreachable: 1; bad input: 2; none: 5.
		let e = import(6, DAVE, &["--postgres", &his_url], &self.his);
		assert!(e.contains("belongs to institution #0"), "{e}");
		let nowhere = format!("postgres://postgres@127.0.0.1:{}/his", free_port());
		let e = import(1, ALICE, &["--postgres", &nowhere], &self.his);
		assert!(e.contains("cannot reach the PostgreSQL database"), "{e}");
		// A password on the command line is refused in either form, and never shown.
		let port = self.pg.port;
		for with_password in [
			format!("postgres://postgres:secret@127.0.0.1:{port}/his"),
			format!("host=127.0.0.1 port={port} user=postgres password=secret dbname=his"),
		] {
			let e = import(2, ALICE, &["--postgres", &with_password], &self.his);
			assert!(e.contains("PGPASSWORD") && !e.contains("secret"), "{e}");
		}
		let malformed = self.dir.path().join("broken.yaml");
		std::fs::write(&malformed, "openapi: 3.0.0\ninfo: [unclosed").expect("written");
		let e = import(2, DAVE, &["--openapi", malformed.to_str().unwrap()], &self.lis);
		assert!(e.contains("not valid YAML"), "{e}");
		let e = import(5, ALICE, &["--postgres", &his_url], "99");
		assert!(e.contains("no data source #99"), "{e}");
		let duplicated = self.dir.path().join("duplicated.yaml");
		let twice = "openapi: 3.0.0\npaths:\n  /x:\n    get:\n      parameters:\n        - { name: id, in: query }\n        - { name: id, in: query }\n";
		std::fs::write(&duplicated, twice).expect("written");
		let e = import(2, DAVE, &["--openapi", duplicated.to_str().unwrap()], &self.lis);
		assert!(e.contains("`query.id` appears twice"), "{e}");
		let sources = self.cli.json(&["catalog", "sources"]);
		assert_eq!(sources.as_array().map(Vec::len), Some(2), "{sources}");
		assert!(sources.as_array().unwrap().iter().all(|s| s["resourceCount"] == 0), "{sources}");
	}

	/// Imports the HIS through the CLI.
	fn import_his(&self) -> Value {
		self.cli.json(&[
			"--signer",
			ALICE,
			"catalog",
			"import",
			"--postgres",
			&self.pg.url("his"),
			"--source",
			&self.his,
			"--operations",
			"collect,clean",
		])
	}

	/// The items of the patient table's `version` (the current one if `None`).
	fn patient_items(&self, version: Option<&str>) -> Value {
		let mut args = vec!["catalog", "show", &self.his, "--resource", &self.patient];
		args.extend(version.map(|v| ["--version", v]).into_iter().flatten());
		self.cli.json(&args)
	}

	/// Both databases imported; the HIS's tables, fields, comments, units, standard elements
	/// and enumerations as the chain now reports them.
	fn import_both(&mut self) {
		assert_eq!(actions(&self.import_his()), ["registered"; 3]);
		// libpq's key=value form works as well as the URL.
		let port = self.pg.port;
		let lis = format!("host=127.0.0.1 port={port} user=postgres dbname=lis");
		let report = self.cli.json(&[
			"--signer",
			DAVE,
			"catalog",
			"import",
			"--postgres",
			&lis,
			"--schema",
			"lis",
			"--source",
			&self.lis,
		]);
		assert_eq!(report["resources"].as_array().map(Vec::len), Some(2), "{report}");
		let shown = self.cli.json(&["catalog", "show", &self.his]);
		let patient = resource_named(&shown["resources"], "public.patient");
		assert_eq!(patient["kind"]["type"], "table");
		assert_eq!(patient["kind"]["database"], "his");
		// The address on chain: host, port and database; no user, no password, no option.
		assert_eq!(patient["address"], format!("postgres://127.0.0.1:{port}/his"));
		assert_eq!(patient["operations"], serde_json::json!(["collect", "clean"]));
		assert_eq!(patient["versions"][0]["itemCount"], 6);
		assert_eq!(patient["versions"][0]["registeredItems"], 6);
		self.patient = patient["id"].as_u64().unwrap().to_string();
		let items = self.patient_items(None);
		let name = item_named(&items, "name");
		assert_eq!(name["definition"], "患者姓名 DE02.01.039.00");
		assert_eq!(name["standardElement"], "DE02.01.039.00");
		assert_eq!(name["nullable"], false);
		assert_eq!(name["length"], 50);
		let height = item_named(&items, "height");
		assert_eq!(
			(&height["unit"], &height["precision"], &height["scale"]),
			(&"cm".into(), &5.into(), &1.into())
		);
		let sex = item_named(&items, "sex");
		assert_eq!(sex["dataType"], "sex_code");
		let enumerated = sex["valueDomain"]["enumerated"].as_str();
		assert!(enumerated.is_some_and(|h| h.starts_with("0x")), "{sex}");
	}

	/// Nothing changed: nothing registered. A column added to one table: a new version of
	/// that table only, the old one still readable as it was.
	fn schema_change(&self) -> Value {
		assert_eq!(actions(&self.import_his()), ["unchanged"; 3]);
		self.pg.psql("his", "ALTER TABLE patient ADD COLUMN phone varchar(20); COMMENT ON COLUMN patient.phone IS '本人电话号码 DE02.01.010.00';").expect("altered");
		let report = self.import_his();
		for r in report["resources"].as_array().unwrap() {
			let expected = if r["name"] == "public.patient" { "versioned" } else { "unchanged" };
			assert_eq!(r["action"], expected, "{report}");
		}
		let shown = self.cli.json(&["catalog", "show", &self.his]);
		let patient = resource_named(&shown["resources"], "public.patient").clone();
		assert_eq!(patient["version"], 2);
		let versions = patient["versions"].as_array().unwrap();
		assert_eq!(versions.len(), 2);
		assert_ne!(versions[0]["schemaHash"], versions[1]["schemaHash"]);
		assert_eq!(versions[1]["itemCount"], 7);
		assert_eq!(self.patient_items(Some("1")).as_array().map(Vec::len), Some(6));
		let v2 = self.patient_items(None);
		assert_eq!(v2.as_array().map(Vec::len), Some(7));
		assert!(v2.as_array().unwrap().iter().any(|i| i["name"] == "phone"));
		patient
	}

	/// An import interrupted after a resource was registered, before its items: the next run
	/// completes it.
	async fn interrupted_import(&self) {
		self.pg.psql("his", "CREATE TABLE prescription (rx_no varchar(20) PRIMARY KEY, drug_code varchar(20) NOT NULL, dose numeric(8,2)); COMMENT ON COLUMN prescription.dose IS '单次剂量（单位：mg）';").expect("created");
		let operations = [Operation::Collect, Operation::Clean];
		let url = self.pg.url("his");
		let specs =
			medtrust_client::catalog::import::postgres::read_schema(&url, "public", &operations)
				.await
				.expect("the HIS is readable");
		let prescription =
			specs.iter().find(|s| s.name == "public.prescription").expect("the new table");
		let alice = medtrust_client::chain::signer::parse(ALICE).expect("a dev key");
		let his: u64 = self.his.parse().unwrap();
		self.chain
			.catalog()
			.register_resource(&alice, his, prescription)
			.await
			.expect("registered alone");
		let report = self.import_his();
		for r in report["resources"].as_array().unwrap() {
			let expected =
				if r["name"] == "public.prescription" { "completed" } else { "unchanged" };
			assert_eq!(r["action"], expected, "{report}");
		}
		let shown = self.cli.json(&["catalog", "show", &self.his]);
		let rx = resource_named(&shown["resources"], "public.prescription");
		assert_eq!(rx["versions"][0]["registeredItems"], 3);
		assert_eq!(rx["versions"][0]["itemCount"], 3);
	}

	/// The laboratory's interface, from its OpenAPI document.
	fn openapi(&self) {
		let spec = self.dir.path().join("lis-results.yaml");
		std::fs::write(&spec, OPENAPI).expect("written");
		let report = self.cli.json(&[
			"--signer",
			DAVE,
			"catalog",
			"import",
			"--openapi",
			spec.to_str().unwrap(),
			"--source",
			&self.lis,
			"--operations",
			"share",
		]);
		assert_eq!(report["resources"][0]["name"], "GET /lab/results/{orderNo}");
		assert_eq!(report["resources"][0]["itemsRegistered"], 3);
	}

	/// The catalog exported in `format` to a file.
	fn export(&self, format: &str) -> String {
		let path = self.dir.path().join(format!("catalog.{format}"));
		let out = self.cli.run(&[
			"catalog",
			"export",
			"--format",
			format,
			"--out",
			path.to_str().unwrap(),
		]);
		assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
		std::fs::read_to_string(path).expect("the export was written")
	}

	/// The JSON export holds what the chain reports, every version with its items.
	fn json_export(&self, patient: &Value) -> Value {
		let json: Value = serde_json::from_str(&self.export("json")).expect("JSON");
		let entries = json["entries"].as_array().expect("entries");
		assert_eq!(entries.len(), 7, "4 HIS tables, 2 LIS tables, 1 interface");
		assert_eq!(json["genesis"].as_str(), Some(self.chain.genesis().as_str()));
		let exported = entries.iter().find(|e| e["resource"]["name"] == "public.patient").unwrap();
		assert_eq!(exported["source"]["institution"], 0);
		let mut with_items = patient["versions"].clone();
		for (v, n) in with_items.as_array_mut().unwrap().iter_mut().zip(["1", "2"]) {
			v["items"] = self.patient_items(Some(n));
		}
		assert_eq!(exported["resource"]["versions"], with_items);
		let lab_result =
			entries.iter().find(|e| e["resource"]["name"] == "lis.lab_result").unwrap();
		assert_eq!(lab_result["source"]["institution"], 1);
		assert_eq!(lab_result["source"]["system"], "LIS");
		json
	}

	/// The CSV export: one row per item of every version.
	fn csv_export(&self, json: &Value) {
		let csv = self.export("csv");
		let lines: Vec<&str> = csv.lines().collect();
		let header = "institution,source_id,source_name,system,resource_id";
		assert!(lines[0].starts_with(header), "{}", lines[0]);
		let item_count: usize = json["entries"]
			.as_array()
			.unwrap()
			.iter()
			.flat_map(|e| e["resource"]["versions"].as_array().unwrap())
			.map(|v| v["items"].as_array().unwrap().len())
			.sum();
		assert_eq!(lines.len() - 1, item_count, "one row per item of every version");
		let phone =
			|l: &&str| l.contains("public.patient") && l.contains(",2,") && l.contains("phone");
		assert!(lines.iter().any(phone), "{csv}");
		let unit = |l: &&str| {
			l.contains("检验结果值（单位：mmol/L） DE04.50.134.00") && l.contains("mmol/L")
		};
		assert!(lines.iter().any(unit), "{csv}");
	}

	/// The DCAT export: datasets with their versions, checksums, columns and services.
	fn dcat_export(&self, patient: &Value) {
		let dcat: Value = serde_json::from_str(&self.export("dcat")).expect("JSON-LD");
		assert_eq!(dcat["@type"], "dcat:Catalog");
		assert_eq!(dcat["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
		let datasets = dcat["dcat:dataset"].as_array().expect("datasets");
		assert_eq!(datasets.len(), 7);
		let ds = datasets.iter().find(|d| d["dct:title"] == "public.patient").unwrap();
		let urn = format!("urn:medtrust:{}:resource:{}", self.chain.genesis(), self.patient);
		assert_eq!(ds["@id"].as_str().unwrap(), urn);
		assert_eq!(ds["dcat:version"], "2");
		assert_eq!(
			ds["spdx:checksum"]["spdx:checksumValue"].as_str().map(|h| format!("0x{h}")),
			patient["versions"][1]["schemaHash"].as_str().map(String::from)
		);
		let columns =
			ds["dcat:hasVersion"][1]["csvw:tableSchema"]["csvw:column"].as_array().unwrap();
		assert_eq!(columns.len(), 7);
		let name = |c: &Value| c["csvw:name"] == "name" && c["dct:conformsTo"] == "DE02.01.039.00";
		assert!(columns.iter().any(name));
		let interface = datasets.iter().find(|d| d["dct:type"] == "interface").unwrap();
		assert_eq!(
			interface["dcat:distribution"]["dcat:accessService"]["dcat:endpointURL"],
			"https://lis.example.cn/api"
		);
	}

	/// What `--json` prints is accepted back as an argument: a source's system registers
	/// another source; and output into a closed pipe ends quietly.
	fn names_round_trip_and_pipes_close_quietly(&self) {
		let sources = self.cli.json(&["catalog", "sources"]);
		let system = sources[0]["system"].as_str().expect("a system").to_string();
		let added = self.cli.json(&[
			"--signer",
			ALICE,
			"catalog",
			"add-source",
			"--name",
			"第二HIS",
			"--system",
			&system,
			"--domain",
			"OUTPATIENT",
		]);
		let shown =
			self.cli.json(&["catalog", "show", &added["source"].as_u64().unwrap().to_string()]);
		assert_eq!(shown["system"], system.as_str());
		let (reader, writer) = std::io::pipe().expect("a pipe");
		drop(reader);
		let out = std::process::Command::new(crate::harness::cli_binary())
			.args(["--url", &self.cli.url, "--json", "catalog", "domains"])
			.stdin(std::process::Stdio::null())
			.stdout(writer)
			.output()
			.expect("medtrust runs");
		let stderr = String::from_utf8_lossy(&out.stderr);
		assert!(out.status.success() && stderr.is_empty(), "{:?}: {stderr}", out.status);
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_catalog_import_from_postgres_and_openapi_then_export() {
	let _lock = exclusive().await;
	let mut catalog = Catalog::start().await;
	catalog.domains();
	catalog.sources();
	catalog.bad_sources();
	catalog.bad_imports();
	catalog.import_both();
	let patient = catalog.schema_change();
	catalog.interrupted_import().await;
	catalog.openapi();
	let json = catalog.json_export(&patient);
	catalog.csv_export(&json);
	catalog.dcat_export(&patient);
	catalog.names_round_trip_and_pipes_close_quietly();

	// The node kept finalizing all along.
	let chain = catalog.chain.clone();
	wait_for("a finalized block after the imports", Duration::from_secs(30), || {
		let chain = chain.clone();
		async move {
			let s = chain.status().await.map_err(|e| e.to_string())?;
			Ok((s.finalized.number > 0).then_some(()))
		}
	})
	.await;
}
