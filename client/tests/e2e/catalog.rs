//! The data catalog end to end: two institutions' real PostgreSQL databases, designed
//! differently, imported through the `medtrust` CLI; a schema change imported again; an
//! OpenAPI document imported; the catalog exported as JSON, CSV and DCAT and checked against
//! the chain; bad input refused with a clear error and nothing changed.

use std::time::Duration;

use serde_json::Value;

use crate::harness::{
	exclusive, free_port, medtrust, medtrust_json, wait_for, Node, NodeConfig, Postgres,
};

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

/// Runs `medtrust` expecting failure; returns its standard error.
fn refused(args: &[&str]) -> String {
	let out = medtrust(args);
	assert!(!out.status.success(), "medtrust {} should fail", args.join(" "));
	let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
	assert!(stderr.starts_with("error: "), "one error line: {stderr}");
	stderr
}

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

#[tokio::test(flavor = "multi_thread")]
async fn e2e_catalog_import_from_postgres_and_openapi_then_export() {
	let _lock = exclusive().await;
	let pg = Postgres::start();
	for (db, schema) in [("his", HIS), ("lis", LIS)] {
		pg.psql("postgres", &format!("CREATE DATABASE {db}")).expect("database created");
		pg.psql(db, schema).expect("schema created");
	}
	let mut node = Node::start(NodeConfig {
		name: "catalog".into(),
		args: vec!["--dev".into()],
		bootnodes: vec![],
		node_key_file: None,
	});
	let chain = node.connect().await;
	let url = node.url();
	let cli = |args: &[&str]| -> Vec<String> {
		let mut all = vec!["--url".to_string(), url.clone()];
		all.extend(args.iter().map(|a| a.to_string()));
		all
	};
	let run_json = |args: &[&str]| {
		let all = cli(args);
		medtrust_json(&all.iter().map(String::as_str).collect::<Vec<_>>())
	};
	let run_refused = |args: &[&str]| {
		let all = cli(args);
		refused(&all.iter().map(String::as_str).collect::<Vec<_>>())
	};

	// The business domains of the preset, one of them out of scope.
	let domains = run_json(&["catalog", "domains"]);
	assert_eq!(domains.as_array().map(Vec::len), Some(10));
	let exam = domains.as_array().unwrap().iter().find(|d| d["code"] == "PHYSICAL_EXAM").unwrap();
	assert_eq!(exam["inScope"], false);
	assert_eq!(exam["name"], "健康体检");

	// A laboratory joins (the dev chain's single institution decides alone).
	let peer = "12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD";
	run_json(&[
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

	// Each registers a data source; the CLI prints its id.
	let his = run_json(&[
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
	let his_id = his["source"].as_u64().expect("a source id");
	let out = medtrust(
		&cli(&[
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
		])
		.iter()
		.map(String::as_str)
		.collect::<Vec<_>>(),
	);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let lis_id: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("the id, alone");
	assert_ne!(his_id, lis_id);

	// Bad input: a clear error each, and nothing registered.
	let e = run_refused(&[
		"--signer",
		ALICE,
		"catalog",
		"add-source",
		"--name",
		"体检系统",
		"--system",
		"HIS",
		"--domain",
		"PHYSICAL_EXAM",
	]);
	assert!(e.contains("OutOfScope"), "{e}");
	let e = run_refused(&[
		"--signer",
		ALICE,
		"catalog",
		"add-source",
		"--name",
		"x",
		"--system",
		"SAP",
		"--domain",
		"LABORATORY",
	]);
	assert!(e.contains("unknown system `SAP`"), "{e}");
	let e = run_refused(&[
		"--signer",
		ALICE,
		"catalog",
		"add-source",
		"--name",
		&"医".repeat(90),
		"--system",
		"HIS",
		"--domain",
		"OUTPATIENT",
	]);
	assert!(e.contains("1 to 256 bytes") && e.contains("has 270"), "{e}");
	let e = run_refused(&[
		"--signer",
		DAVE,
		"catalog",
		"import",
		"--postgres",
		&pg.url("his"),
		"--source",
		&his_id.to_string(),
	]);
	assert!(e.contains("belongs to institution #0"), "{e}");
	let nowhere = format!("postgres://postgres:secret@127.0.0.1:{}/his", free_port());
	let e = run_refused(&[
		"--signer",
		ALICE,
		"catalog",
		"import",
		"--postgres",
		&nowhere,
		"--source",
		&his_id.to_string(),
	]);
	assert!(e.contains("cannot reach the PostgreSQL database"), "{e}");
	assert!(!e.contains("secret"), "the password must not show: {e}");
	let dir = tempfile::tempdir().expect("a temp dir");
	let malformed = dir.path().join("broken.yaml");
	std::fs::write(&malformed, "openapi: 3.0.0\ninfo: [unclosed").expect("written");
	let e = run_refused(&[
		"--signer",
		DAVE,
		"catalog",
		"import",
		"--openapi",
		malformed.to_str().unwrap(),
		"--source",
		&lis_id.to_string(),
	]);
	assert!(e.contains("not valid YAML"), "{e}");
	let e = run_refused(&[
		"--signer",
		ALICE,
		"catalog",
		"import",
		"--postgres",
		&pg.url("his"),
		"--source",
		"99",
	]);
	assert!(e.contains("no data source #99"), "{e}");
	let duplicated = dir.path().join("duplicated.yaml");
	std::fs::write(
		&duplicated,
		"openapi: 3.0.0\npaths:\n  /x:\n    get:\n      parameters:\n        - { name: id, in: query }\n        - { name: id, in: query }\n",
	)
	.expect("written");
	let e = run_refused(&[
		"--signer",
		DAVE,
		"catalog",
		"import",
		"--openapi",
		duplicated.to_str().unwrap(),
		"--source",
		&lis_id.to_string(),
	]);
	assert!(e.contains("`query.id` appears twice"), "{e}");
	let sources = run_json(&["catalog", "sources"]);
	assert_eq!(sources.as_array().map(Vec::len), Some(2), "{sources}");
	assert!(sources.as_array().unwrap().iter().all(|s| s["resourceCount"] == 0), "{sources}");

	// Import both databases.
	let (his_url, his_source) = (pg.url("his"), his_id.to_string());
	let import_his = || {
		run_json(&[
			"--signer",
			ALICE,
			"catalog",
			"import",
			"--postgres",
			&his_url,
			"--source",
			&his_source,
			"--operations",
			"collect,clean",
		])
	};
	let report = import_his();
	assert_eq!(actions(&report), ["registered"; 3], "{report}");
	let report = run_json(&[
		"--signer",
		DAVE,
		"catalog",
		"import",
		"--postgres",
		&pg.url("lis"),
		"--schema",
		"lis",
		"--source",
		&lis_id.to_string(),
	]);
	assert_eq!(report["resources"].as_array().map(Vec::len), Some(2), "{report}");

	let shown = run_json(&["catalog", "show", &his_id.to_string()]);
	let resources = &shown["resources"];
	let patient = resource_named(resources, "public.patient");
	assert_eq!(patient["kind"]["type"], "table");
	assert_eq!(patient["kind"]["database"], "his");
	assert_eq!(patient["operations"], serde_json::json!(["collect", "clean"]));
	assert_eq!(patient["versions"][0]["itemCount"], 6);
	assert_eq!(patient["versions"][0]["registeredItems"], 6);
	let patient_id = patient["id"].as_u64().unwrap().to_string();
	let items = run_json(&["catalog", "show", &his_id.to_string(), "--resource", &patient_id]);
	let name = items.as_array().unwrap().iter().find(|i| i["name"] == "name").unwrap();
	assert_eq!(name["definition"], "患者姓名 DE02.01.039.00");
	assert_eq!(name["standardElement"], "DE02.01.039.00");
	assert_eq!(name["nullable"], false);
	assert_eq!(name["length"], 50);
	let height = items.as_array().unwrap().iter().find(|i| i["name"] == "height").unwrap();
	assert_eq!(height["unit"], "cm");
	assert_eq!(height["precision"], 5);
	assert_eq!(height["scale"], 1);
	let sex = items.as_array().unwrap().iter().find(|i| i["name"] == "sex").unwrap();
	assert_eq!(sex["dataType"], "sex_code");
	assert!(
		sex["valueDomain"]["enumerated"].as_str().is_some_and(|h| h.starts_with("0x")),
		"{sex}"
	);

	// A second import with nothing changed registers nothing.
	let report = import_his();
	assert_eq!(actions(&report), ["unchanged"; 3], "{report}");

	// A column added to one table: a new version of that table only.
	pg.psql("his", "ALTER TABLE patient ADD COLUMN phone varchar(20); COMMENT ON COLUMN patient.phone IS '本人电话号码 DE02.01.010.00';").expect("altered");
	let report = import_his();
	for r in report["resources"].as_array().unwrap() {
		let expected = if r["name"] == "public.patient" { "versioned" } else { "unchanged" };
		assert_eq!(r["action"], expected, "{report}");
	}
	let shown = run_json(&["catalog", "show", &his_id.to_string()]);
	let patient = resource_named(&shown["resources"], "public.patient");
	assert_eq!(patient["version"], 2);
	let versions = patient["versions"].as_array().unwrap();
	assert_eq!(versions.len(), 2);
	assert_ne!(versions[0]["schemaHash"], versions[1]["schemaHash"]);
	assert_eq!(versions[1]["itemCount"], 7);
	// The old version stays queryable as it was.
	let v1 = run_json(&[
		"catalog",
		"show",
		&his_id.to_string(),
		"--resource",
		&patient_id,
		"--version",
		"1",
	]);
	assert_eq!(v1.as_array().map(Vec::len), Some(6));
	let v2 = run_json(&["catalog", "show", &his_id.to_string(), "--resource", &patient_id]);
	assert_eq!(v2.as_array().map(Vec::len), Some(7));
	assert!(v2.as_array().unwrap().iter().any(|i| i["name"] == "phone"));

	// An import interrupted after a resource was registered, before its items: the next run
	// completes it.
	pg.psql("his", "CREATE TABLE prescription (rx_no varchar(20) PRIMARY KEY, drug_code varchar(20) NOT NULL, dose numeric(8,2)); COMMENT ON COLUMN prescription.dose IS '单次剂量（单位：mg）';").expect("created");
	let operations = ["collect".to_string(), "clean".to_string()];
	let specs =
		medtrust_client::catalog::postgres::read_schema(&pg.url("his"), "public", &operations)
			.await
			.expect("the HIS is readable");
	let prescription =
		specs.iter().find(|s| s.name == "public.prescription").expect("the new table");
	let alice = medtrust_client::signer::parse(ALICE).expect("a dev key");
	chain.register_resource(&alice, his_id, prescription).await.expect("registered alone");
	let report = import_his();
	for r in report["resources"].as_array().unwrap() {
		let expected = if r["name"] == "public.prescription" { "completed" } else { "unchanged" };
		assert_eq!(r["action"], expected, "{report}");
	}
	let shown = run_json(&["catalog", "show", &his_id.to_string()]);
	let rx = resource_named(&shown["resources"], "public.prescription");
	assert_eq!(rx["versions"][0]["registeredItems"], 3);
	assert_eq!(rx["versions"][0]["itemCount"], 3);

	// The laboratory's interface, from its OpenAPI document.
	let spec = dir.path().join("lis-results.yaml");
	std::fs::write(&spec, OPENAPI).expect("written");
	let report = run_json(&[
		"--signer",
		DAVE,
		"catalog",
		"import",
		"--openapi",
		spec.to_str().unwrap(),
		"--source",
		&lis_id.to_string(),
		"--operations",
		"share",
	]);
	assert_eq!(report["resources"][0]["name"], "GET /lab/results/{orderNo}");
	assert_eq!(report["resources"][0]["itemsRegistered"], 3);

	// Exports: JSON, CSV and DCAT, each checked against what the chain holds.
	let export_to = |format: &str| {
		let path = dir.path().join(format!("catalog.{format}"));
		let args = cli(&["catalog", "export", "--format", format, "--out", path.to_str().unwrap()]);
		let out = medtrust(&args.iter().map(String::as_str).collect::<Vec<_>>());
		assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
		std::fs::read_to_string(path).expect("the export was written")
	};
	let json: Value = serde_json::from_str(&export_to("json")).expect("JSON");
	let entries = json["entries"].as_array().expect("entries");
	assert_eq!(entries.len(), 7, "4 HIS tables, 2 LIS tables, 1 interface");
	assert_eq!(
		json["genesis"].as_str(),
		Some(format!("{:?}", chain.api().genesis_hash()).as_str())
	);
	let exported_patient =
		entries.iter().find(|e| e["resource"]["name"] == "public.patient").unwrap();
	assert_eq!(exported_patient["source"]["institution"], 0);
	assert_eq!(exported_patient["resource"]["versions"], {
		// The same versions the chain reports, with their items.
		let mut with_items = patient["versions"].clone();
		for (v, n) in with_items.as_array_mut().unwrap().iter_mut().zip([1, 2]) {
			v["items"] = run_items(&run_json, his_id, &patient_id, n);
		}
		with_items
	});
	let lab_result = entries.iter().find(|e| e["resource"]["name"] == "lis.lab_result").unwrap();
	assert_eq!(lab_result["source"]["institution"], 1);
	assert_eq!(lab_result["source"]["system"], "LIS");

	let csv = export_to("csv");
	let lines: Vec<&str> = csv.lines().collect();
	assert!(
		lines[0].starts_with("institution,source_id,source_name,system,resource_id"),
		"{}",
		lines[0]
	);
	let item_count: usize = entries
		.iter()
		.flat_map(|e| e["resource"]["versions"].as_array().unwrap())
		.map(|v| v["items"].as_array().unwrap().len())
		.sum();
	assert_eq!(lines.len() - 1, item_count, "one row per item of every version");
	assert!(
		lines
			.iter()
			.any(|l| l.contains("public.patient") && l.contains(",2,") && l.contains("phone")),
		"{csv}"
	);
	assert!(
		lines.iter().any(
			|l| l.contains("检验结果值（单位：mmol/L） DE04.50.134.00") && l.contains("mmol/L")
		),
		"{csv}"
	);

	let dcat: Value = serde_json::from_str(&export_to("dcat")).expect("JSON-LD");
	assert_eq!(dcat["@type"], "dcat:Catalog");
	assert_eq!(dcat["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
	let datasets = dcat["dcat:dataset"].as_array().expect("datasets");
	assert_eq!(datasets.len(), 7);
	let ds = datasets.iter().find(|d| d["dct:title"] == "public.patient").unwrap();
	assert_eq!(
		ds["@id"].as_str().unwrap(),
		format!("urn:medtrust:{:?}:resource:{patient_id}", chain.api().genesis_hash())
	);
	assert_eq!(ds["dcat:version"], "2");
	assert_eq!(
		ds["spdx:checksum"]["spdx:checksumValue"].as_str().map(|h| format!("0x{h}")),
		versions[1]["schemaHash"].as_str().map(String::from)
	);
	let columns = ds["dcat:hasVersion"][1]["csvw:tableSchema"]["csvw:column"].as_array().unwrap();
	assert_eq!(columns.len(), 7);
	assert!(columns
		.iter()
		.any(|c| c["csvw:name"] == "name" && c["dct:conformsTo"] == "DE02.01.039.00"));
	let interface = datasets.iter().find(|d| d["dct:type"] == "interface").unwrap();
	assert_eq!(
		interface["dcat:distribution"]["dcat:accessService"]["dcat:endpointURL"],
		"https://lis.example.cn/api"
	);

	// The node keeps finalizing all along.
	wait_for("a finalized block after the imports", Duration::from_secs(30), || {
		let chain = chain.clone();
		async move {
			let s = chain.status().await.map_err(|e| e.to_string())?;
			Ok((s.finalized.number > 0).then_some(()))
		}
	})
	.await;
}

fn run_items(
	run_json: &impl Fn(&[&str]) -> Value,
	source: u64,
	resource: &str,
	version: u32,
) -> Value {
	run_json(&[
		"catalog",
		"show",
		&source.to_string(),
		"--resource",
		resource,
		"--version",
		&version.to_string(),
	])
}
