//! Data-source confirmation end to end, on the four-validator local consortium: a hospital's
//! HIS (pinyin column names, Chinese comments) and a second institution's EMR (English
//! names), two real PostgreSQL databases of different design, imported through the CLI;
//! matched with local value profiles; the reviewed candidates proposed by the hospital; the
//! other institution accepts some and rejects one; a schema change carries an unchanged
//! item's confirmed relation over to the new version and supersedes a changed one's; bad
//! decisions refused in one line; the SSSOM export checked by the `sssom` package's own
//! validator.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::harness::{exclusive, start_local_consortium, Cli, Postgres};

const HIS: &str = "
	CREATE TABLE hzxx (
		brid varchar(20) PRIMARY KEY,
		brxm varchar(50) NOT NULL,
		xb varchar(2),
		csrq date,
		sfzh char(18)
	);
	COMMENT ON COLUMN hzxx.brid IS '病人标识';
	COMMENT ON COLUMN hzxx.brxm IS '病人姓名';
	COMMENT ON COLUMN hzxx.xb IS '性别';
	COMMENT ON COLUMN hzxx.csrq IS '出生日期';
	COMMENT ON COLUMN hzxx.sfzh IS '身份证号码';
	CREATE TABLE jyjg (
		brid varchar(20),
		xmdm varchar(20),
		glu numeric(6,2),
		status varchar(2)
	);
	COMMENT ON COLUMN jyjg.xmdm IS '检验项目代码';
	COMMENT ON COLUMN jyjg.glu IS '空腹血糖（单位：mmol/L）';
	COMMENT ON COLUMN jyjg.status IS '报告状态';
	INSERT INTO hzxx SELECT 'H' || i, '患者' || i, CASE WHEN i % 2 = 0 THEN '男' ELSE '女' END,
		date '1950-01-01' + i, lpad(i::text, 18, '0') FROM generate_series(1, 200) i;
	INSERT INTO jyjg SELECT 'H' || i, 'GLU', 4 + (i % 30) / 10.0, (i % 3)::text
		FROM generate_series(1, 200) i;";

const EMR: &str = "
	CREATE TABLE person (
		person_id varchar(20) PRIMARY KEY,
		person_name varchar(80) NOT NULL,
		gender varchar(8),
		birth_date date,
		id_card_no char(18)
	);
	COMMENT ON COLUMN person.person_name IS 'full name of the patient';
	COMMENT ON COLUMN person.gender IS 'sex';
	COMMENT ON COLUMN person.birth_date IS 'date of birth';
	CREATE TABLE lab (
		person_id varchar(20),
		test_code varchar(20),
		glucose numeric(6,1),
		status varchar(12)
	);
	COMMENT ON COLUMN lab.glucose IS 'fasting blood glucose, unit: mg/dL';
	COMMENT ON COLUMN lab.status IS 'report status';
	INSERT INTO person SELECT 'P' || i, 'name ' || i, CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END,
		date '1950-01-01' + i, lpad(i::text, 18, '0') FROM generate_series(1, 150) i;
	INSERT INTO lab SELECT 'P' || i, 'GLU', 70 + i % 50,
		CASE WHEN i % 2 = 0 THEN 'final' ELSE 'preliminary' END FROM generate_series(1, 150) i;";

/// Registers a source of `signer`'s institution and imports `database` into it; its id.
fn source(
	cli: &Cli,
	pg: &Postgres,
	signer: &str,
	name: &str,
	system: &str,
	database: &str,
) -> String {
	let source = cli.json(&[
		"--signer",
		signer,
		"catalog",
		"add-source",
		"--name",
		name,
		"--system",
		system,
		"--domain",
		"OUTPATIENT",
	])["source"]
		.as_u64()
		.expect("a source id")
		.to_string();
	cli.json(&[
		"--signer",
		signer,
		"catalog",
		"import",
		"--postgres",
		&pg.url(database),
		"--source",
		&source,
	]);
	source
}

/// The candidate pairing two items, if the match found one.
fn pair<'a>(candidates: &'a [Value], left: &str, right: &str) -> Option<&'a Value> {
	candidates.iter().find(|c| c["left"]["item"] == left && c["right"]["item"] == right)
}

fn status(cli: &Cli, id: u64) -> Value {
	cli.json(&["relation", "list", "--id", &id.to_string()])[0].clone()
}

fn sssom_validates(file: &Path) {
	let venv = std::env::var("HOME").expect("a home") + "/.cache/medtrust/venv/bin/sssom";
	let out = Command::new(&venv)
		.args(["validate", file.to_str().expect("UTF-8")])
		.output()
		.unwrap_or_else(|e| panic!("{venv} runs (scripts/setup.sh installs it): {e}"));
	assert!(
		out.status.success(),
		"sssom validate: {}{}",
		String::from_utf8_lossy(&out.stdout),
		String::from_utf8_lossy(&out.stderr)
	);
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_relations_matched_proposed_confirmed_carried_over_and_exported() {
	let _guard = exclusive().await;
	let pg = Postgres::start();
	for (db, schema) in [("his", HIS), ("emr", EMR)] {
		pg.psql("postgres", &format!("CREATE DATABASE {db}")).expect("database created");
		pg.psql(db, schema).expect("schema created");
	}
	let (nodes, _chains, _) = start_local_consortium().await;
	let (alice, bob) = (Cli::of(&nodes[0].url()), Cli::of(&nodes[1].url()));
	let his = source(&alice, &pg, "//Alice", "门诊HIS", "HIS", "his");
	let emr = source(&bob, &pg, "//Bob", "电子病历EMR", "EMR", "emr");
	let dir = tempfile::tempdir().expect("a temp dir");

	// Match, with both databases profiled locally.
	let result = dir.path().join("match.json");
	let found = alice.json(&[
		"relation",
		"match",
		"--left",
		&his,
		"--right",
		&emr,
		"--postgres-left",
		&pg.url("his"),
		"--postgres-right",
		&pg.url("emr"),
		"--out",
		result.to_str().unwrap(),
	]);
	let found = found.as_array().expect("an array of candidates").clone();
	let kind =
		|l: &str, r: &str| pair(&found, l, r).map(|c| c["kind"].as_str().unwrap_or("").to_string());
	assert_eq!(kind("brxm", "person_name").as_deref(), Some("same"), "{found:#?}");
	assert_eq!(kind("csrq", "birth_date").as_deref(), Some("same"));
	assert_eq!(kind("glu", "glucose").as_deref(), Some("related"));
	assert_eq!(kind("status", "status").as_deref(), Some("same-name-different-domain"));
	let named = pair(&found, "brxm", "person_name").expect("found");
	assert_eq!(named["left"]["resourceName"], "public.hzxx");
	assert_eq!(named["right"]["resourceName"], "public.person");
	assert!(named["evidence"]["valueOverlap"].is_number(), "values profiled: {named}");

	// Review: keep the four pairs, propose them.
	let reviewed: Vec<Value> =
		[("brxm", "person_name"), ("csrq", "birth_date"), ("glu", "glucose"), ("status", "status")]
			.iter()
			.map(|(l, r)| pair(&found, l, r).expect("kept").clone())
			.collect();
	std::fs::write(&result, serde_json::to_string(&reviewed).unwrap()).expect("written");
	let propose = || {
		let args = ["--signer", "//Alice", "relation", "propose", "--from"];
		alice.json(&[&args[..], &[result.to_str().unwrap()]].concat())
	};
	let ids = propose();
	let ids: Vec<u64> =
		ids["ids"].as_array().expect("ids").iter().map(|i| i.as_u64().unwrap()).collect();
	assert_eq!(ids.len(), 4);
	// Proposing them again (a run interrupted, run again) proposes nothing twice.
	let again = propose();
	assert_eq!(again["ids"], serde_json::json!(ids), "the same relations, not new ones");

	// A third institution has no say.
	let e = alice.refused(&["--signer", "//Charlie", "relation", "accept", &ids[3].to_string()]);
	assert!(e.contains("NotAuthorized"), "{e}");

	// The EMR's institution sees them awaiting its decision; accepts three, rejects one.
	let awaiting = bob.json(&["--signer", "//Bob", "relation", "list"]);
	assert_eq!(awaiting.as_array().map(Vec::len), Some(4), "{awaiting}");
	for id in &ids[..3] {
		bob.json(&["--signer", "//Bob", "relation", "accept", &id.to_string()]);
	}
	bob.json(&["--signer", "//Bob", "relation", "reject", &ids[3].to_string()]);
	assert_eq!(status(&alice, ids[0])["status"], "confirmed");
	assert_eq!(status(&alice, ids[3])["status"], "rejected");

	// Bad input: a decision on a closed proposal, an unknown item, an item related to itself.
	let e = bob.refused(&["--signer", "//Bob", "relation", "accept", &ids[3].to_string()]);
	assert!(e.contains("NotProposed"), "{e}");
	let (hzxx, person) =
		(named["left"]["resource"].to_string(), named["right"]["resource"].to_string());
	let by_hand = |left: &str, right: &str, kind: &str| {
		alice.refused(&[
			"--signer", "//Alice", "relation", "propose", "--left", left, "--right", right,
			"--kind", kind,
		])
	};
	let e = by_hand(&format!("{hzxx}:nope"), &format!("{person}:person_name"), "same");
	assert!(e.contains("no item `nope`"), "{e}");
	let e = by_hand(&format!("{hzxx}:brxm"), &format!("{hzxx}:brxm"), "same");
	assert!(e.contains("SelfRelation"), "{e}");
	let e = by_hand(&format!("{hzxx}:brxm"), &format!("{person}:person_name"), "related");
	assert!(e.contains(&format!("have an open relation already, #{}", ids[0])), "{e}");
	assert!(e.contains("nothing was proposed"), "{e}");

	// A schema change: `csrq` becomes a timestamp, `brxm` stays; importing again makes
	// version 2 of the table, which takes over brxm's relation and supersedes csrq's.
	pg.psql("his", "ALTER TABLE hzxx ALTER COLUMN csrq TYPE timestamp").expect("altered");
	alice.json(&[
		"--signer",
		"//Alice",
		"catalog",
		"import",
		"--postgres",
		&pg.url("his"),
		"--source",
		&his,
	]);
	let carried = status(&alice, ids[0]);
	assert_eq!(carried["status"], "confirmed", "{carried}");
	assert_eq!(carried["left"]["version"], 2, "{carried}");
	assert_eq!(status(&alice, ids[1])["status"], "superseded");

	// Export: SSSOM the `sssom` package validates, and CSV.
	let sssom = dir.path().join("relations.sssom.tsv");
	alice.run(&[
		"relation",
		"export",
		"--format",
		"sssom",
		"--between",
		&his,
		&emr,
		"--out",
		sssom.to_str().unwrap(),
	]);
	let text = std::fs::read_to_string(&sssom).expect("written");
	let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).skip(1).collect();
	assert_eq!(rows.len(), 2, "the two confirmed relations left: {text}");
	assert!(text.contains("skos:exactMatch") && text.contains("skos:relatedMatch"), "{text}");
	assert!(text.contains("semapv:ManualMappingCuration"), "{text}");
	sssom_validates(&sssom);
	let csv = alice.run(&["relation", "export", "--format", "csv", "--source", &his]);
	let csv = String::from_utf8_lossy(&csv.stdout);
	assert!(csv.contains(",confirmed,same,") && csv.contains("门诊HIS"), "{csv}");

	// The catalog's exports carry the confirmed relations.
	let catalog = alice.json(&["catalog", "export", "--format", "json"]);
	let relations = catalog["relations"].as_array().expect("a relations list");
	assert_eq!(relations.len(), 2, "{relations:?}");
	let csv = alice.run(&["catalog", "export", "--format", "csv"]);
	assert!(String::from_utf8_lossy(&csv.stdout).contains(&format!("same #{}", ids[0])));
	let dcat = alice.json(&["catalog", "export", "--format", "dcat"]);
	assert_eq!(dcat["medtrust:relation"].as_array().map(Vec::len), Some(2));
}
