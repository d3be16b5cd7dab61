//! How fast the relation matcher runs: two resources of `items` items each, and one source
//! against a catalog of `catalog` items, with synthetic but realistic fields (English and
//! Chinese words of the medical vocabulary, abbreviations, types, comments, units).

use std::time::Instant;

use medtrust_client::relations::{match_fields, Field, MatchOptions, Side};
use medtrust_rpc_types::catalog::FieldJson;
use serde_json::{json, Value};

/// Words fields are named from (English, Chinese, abbreviations), as hospital schemas mix.
const WORDS: &[&str] = &[
	"patient",
	"患者",
	"pat",
	"name",
	"姓名",
	"birth",
	"date",
	"出生日期",
	"sex",
	"性别",
	"visit",
	"就诊",
	"dept",
	"科室",
	"doctor",
	"医生",
	"diagnosis",
	"诊断",
	"code",
	"编码",
	"lab",
	"检验",
	"result",
	"结果",
	"value",
	"unit",
	"单位",
	"order",
	"医嘱",
	"drug",
	"药品",
	"dose",
	"剂量",
	"time",
	"时间",
	"status",
	"状态",
	"fee",
	"费用",
	"address",
	"地址",
	"phone",
	"电话",
	"id",
	"no",
	"type",
	"类型",
	"glucose",
	"血糖",
	"height",
	"身高",
	"weight",
	"体重",
	"remark",
	"备注",
	"specimen",
	"标本",
	"report",
	"报告",
	"ward",
	"病区",
	"bed",
	"床号",
	"insurance",
	"医保",
];
const TYPES: &[&str] = &["varchar", "int8", "numeric", "date", "timestamp", "text", "bool"];

/// A deterministic pseudo-random sequence (SplitMix64): the same fields on every run.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}

	fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
		from[(self.next() % from.len() as u64) as usize]
	}
}

/// `count` fields spread over resources of `per_resource` items, from `source`.
pub fn fields(seed: u64, source: u64, count: usize, per_resource: usize) -> Vec<Field> {
	let mut rng = Rng(seed);
	(0..count)
		.map(|i| {
			let words = 1 + (rng.next() % 3) as usize;
			let mut name: Vec<&str> = (0..words).map(|_| rng.pick(WORDS)).collect();
			name.dedup();
			let name = format!("{}_{i}", name.join("_"));
			let definition: Vec<&str> = (0..4).map(|_| rng.pick(WORDS)).collect();
			let resource = source * 1_000_000 + (i / per_resource.max(1)) as u64;
			Field {
				at: Side {
					source,
					source_name: format!("source {source}"),
					resource,
					resource_name: format!("public.t{resource}"),
					version: 1,
					item: name.clone(),
				},
				institution: source as u32,
				info: FieldJson {
					name,
					data_type: rng.pick(TYPES).into(),
					length: Some(8 + (rng.next() % 200) as u32),
					precision: None,
					scale: None,
					nullable: rng.next().is_multiple_of(2),
					definition: definition.join(" "),
					value_domain: None,
					unit: None,
					standard_element: None,
				},
				profile: None,
			}
		})
		.collect()
}

/// Times `match_fields` on two resources of `items` items, and on a source of `items` items
/// against a catalog of `catalog` items.
pub fn run(items: usize, catalog: usize) -> Value {
	let timed = |left: Vec<Field>, right: Vec<Field>| {
		let started = Instant::now();
		let found = match_fields(left, right, MatchOptions::default());
		(started.elapsed().as_secs_f64(), found.len())
	};
	let (pair_seconds, pair_candidates) =
		timed(fields(1, 1, items, items), fields(2, 2, items, items));
	let (catalog_seconds, catalog_candidates) =
		timed(fields(3, 3, items, 50), fields(4, 4, catalog, 40));
	json!({
		"threads": rayon_threads(),
		"resourcePair": { "items": items, "seconds": pair_seconds, "candidates": pair_candidates },
		"sourceAgainstCatalog": {
			"sourceItems": items,
			"catalogItems": catalog,
			"seconds": catalog_seconds,
			"candidates": catalog_candidates,
		},
	})
}

fn rayon_threads() -> usize {
	std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}
