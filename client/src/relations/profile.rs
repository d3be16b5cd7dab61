//! Value profiles: what an institution's own database tells of a column's values without
//! sending them anywhere: counts, the share of nulls, the range, the usual shape of a value
//! and a MinHash signature of the values' keyed hashes. Two profiles estimate how much two
//! columns' values overlap (the signatures' agreement estimates the Jaccard index of the two
//! value sets) while neither side reveals a value: only minima of keyed 64-bit hashes leave.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::{relations::Error as RelationsError, Result};

/// How many hash functions a signature has: the overlap estimate's standard error is about
/// `sqrt(J(1-J)/128)`, under 0.045.
pub const SIGNATURE_LEN: usize = 128;

/// The most distinct values of a column read for its signature and shape.
pub const SAMPLE_VALUES: i64 = 20_000;

/// A column's value profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueProfile {
	/// Rows in the table.
	pub rows: u64,
	/// Rows where the column is null.
	pub nulls: u64,
	/// Distinct non-null values.
	pub distinct: u64,
	/// The most common shape of a value (`9` a digit, `a` a letter, `汉` a Chinese character,
	/// other characters as they are, runs collapsed: `9-9-9` for `2024-01-31`).
	pub shape: Option<String>,
	/// MinHash signature of the distinct values' keyed hashes, hex (empty: no values).
	pub signature: Vec<String>,
}

impl ValueProfile {
	/// A profile of `values` (the distinct non-null values, or a sample of them).
	pub fn of(rows: u64, nulls: u64, distinct: u64, values: &[String], key: &[u8]) -> Self {
		let signature = if values.is_empty() {
			Vec::new()
		} else {
			signature(values, key).iter().map(|h| format!("{h:016x}")).collect()
		};
		ValueProfile { rows, nulls, distinct, shape: common_shape(values), signature }
	}

	/// The share of null rows.
	pub fn null_share(&self) -> f64 {
		if self.rows == 0 {
			0.0
		} else {
			self.nulls as f64 / self.rows as f64
		}
	}

	/// The estimated Jaccard index of two columns' value sets, if both have signatures.
	pub fn overlap(&self, other: &ValueProfile) -> Option<f64> {
		if self.signature.is_empty() || self.signature.len() != other.signature.len() {
			return None;
		}
		let same = self.signature.iter().zip(&other.signature).filter(|(a, b)| a == b).count();
		Some(same as f64 / self.signature.len() as f64)
	}

	/// How alike two columns' profiles are apart from their values: the ratio of their
	/// distinct counts (on a log scale), their null shares and their values' shape.
	pub fn likeness(&self, other: &ValueProfile) -> f64 {
		let log = |n: u64| ((n + 1) as f64).ln();
		let (a, b) = (log(self.distinct), log(other.distinct));
		let distinct = if a.max(b) == 0.0 { 1.0 } else { a.min(b) / a.max(b) };
		let nulls = 1.0 - (self.null_share() - other.null_share()).abs();
		let shape = match (&self.shape, &other.shape) {
			(Some(x), Some(y)) if x == y => 1.0,
			(Some(_), Some(_)) => 0.0,
			_ => 0.5,
		};
		(distinct + nulls + shape) / 3.0
	}
}

/// The MinHash signature of `values`: for each of [`SIGNATURE_LEN`] keyed hashes, the least
/// over the values.
pub fn signature(values: &[String], key: &[u8]) -> Vec<u64> {
	let mut mins = vec![u64::MAX; SIGNATURE_LEN];
	for value in values {
		let base = sp_crypto_hashing::blake2_256(&[key, value.trim().as_bytes()].concat());
		let h1 = u64::from_le_bytes(base[..8].try_into().expect("8 bytes; qed"));
		let h2 = u64::from_le_bytes(base[8..16].try_into().expect("8 bytes; qed")) | 1;
		for (i, min) in mins.iter_mut().enumerate() {
			// Double hashing: h1 + i·h2 gives independent-enough hash functions.
			let h = h1.wrapping_add((i as u64).wrapping_mul(h2));
			let h = mix(h);
			if h < *min {
				*min = h;
			}
		}
	}
	mins
}

/// A 64-bit finaliser (SplitMix64) so that the double-hashed values are well spread.
fn mix(mut z: u64) -> u64 {
	z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
	z ^ (z >> 31)
}

/// The shape of a value: digits as `9`, letters as `a`, Chinese characters as `汉`, runs of
/// one class collapsed.
pub fn shape(value: &str) -> String {
	let mut out = String::new();
	for c in value.trim().chars() {
		let class = if c.is_ascii_digit() {
			'9'
		} else if c.is_alphabetic() && c.is_ascii() {
			'a'
		} else if super::glossary::is_cjk(c) {
			'汉'
		} else {
			c
		};
		if !out.ends_with(class) || !matches!(class, '9' | 'a' | '汉') {
			out.push(class);
		}
	}
	out
}

/// The most common shape of the values, if any.
fn common_shape(values: &[String]) -> Option<String> {
	let mut counts: HashMap<String, usize> = HashMap::new();
	for v in values {
		*counts.entry(shape(v)).or_default() += 1;
	}
	counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(s, _)| s)
}

/// The profiles of every column of `table` (`schema.table`) in the PostgreSQL database at
/// `url`, by column name; `key` keys the value hashes (both sides must use the same key).
pub async fn profile_table(
	url: &str,
	table: &str,
	key: &[u8],
) -> Result<BTreeMap<String, ValueProfile>> {
	let client = crate::postgres::Target::parse(url)?.connect().await?;
	let (schema, name) = table.split_once('.').unwrap_or(("public", table));
	let columns = client
		.query(
			"SELECT column_name::text FROM information_schema.columns
			 WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
			&[&schema, &name],
		)
		.await
		.map_err(|e| RelationsError::Profile {
			table: table.to_string(),
			reason: format!("its columns cannot be read: {e}"),
		})?;
	let quoted = format!("{}.{}", quote(schema), quote(name));
	let mut out = BTreeMap::new();
	for row in columns {
		let column: String = row.get(0);
		let profile = profile_column(&client, &quoted, &column, key).await.map_err(|e| {
			RelationsError::Profile { table: format!("{table}.{column}"), reason: e.to_string() }
		})?;
		out.insert(column, profile);
	}
	Ok(out)
}

async fn profile_column(
	client: &tokio_postgres::Client,
	table: &str,
	column: &str,
	key: &[u8],
) -> std::result::Result<ValueProfile, tokio_postgres::Error> {
	let c = quote(column);
	let counts = client
		.query_one(
			&format!(
				"SELECT count(*)::int8, count({c})::int8, count(DISTINCT {c})::int8 FROM {table}"
			),
			&[],
		)
		.await?;
	let (rows, present, distinct): (i64, i64, i64) = (counts.get(0), counts.get(1), counts.get(2));
	let values: Vec<String> = client
		.query(
			&format!(
				"SELECT DISTINCT {c}::text FROM {table} WHERE {c} IS NOT NULL ORDER BY 1 LIMIT $1"
			),
			&[&SAMPLE_VALUES],
		)
		.await?
		.iter()
		.map(|r| r.get(0))
		.collect();
	let rows = rows.max(0) as u64;
	Ok(ValueProfile::of(
		rows,
		rows.saturating_sub(present.max(0) as u64),
		distinct.max(0) as u64,
		&values,
		key,
	))
}

/// A PostgreSQL identifier, quoted.
fn quote(identifier: &str) -> String {
	format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn values(range: std::ops::Range<u32>) -> Vec<String> {
		range.map(|i| format!("P{i:06}")).collect()
	}

	#[test]
	fn signatures_estimate_the_overlap_of_value_sets() {
		let key = b"consortium";
		let a = ValueProfile::of(1000, 0, 1000, &values(0..1000), key);
		let b = ValueProfile::of(1000, 0, 1000, &values(500..1500), key);
		let c = ValueProfile::of(1000, 0, 1000, &values(5000..6000), key);
		assert_eq!(a.overlap(&a), Some(1.0));
		// True Jaccard 500 / 1500 = 0.33.
		let ab = a.overlap(&b).expect("both signed");
		assert!((ab - 1.0 / 3.0).abs() < 0.15, "{ab}");
		assert!(a.overlap(&c).expect("both signed") < 0.05);
		// Another key gives unrelated hashes: profiles compare only under one key.
		let other = ValueProfile::of(1000, 0, 1000, &values(0..1000), b"other");
		assert!(a.overlap(&other).expect("both signed") < 0.05);
		assert_eq!(ValueProfile::of(5, 5, 0, &[], key).overlap(&a), None);
	}

	#[test]
	fn shapes_and_likeness_tell_columns_apart_without_values() {
		assert_eq!(shape("2024-01-31"), "9-9-9");
		assert_eq!(shape("张三"), "汉");
		assert_eq!(shape("P000123"), "a9");
		let key = b"k";
		let dates = ValueProfile::of(10, 0, 2, &["2024-01-31".into(), "2023-12-01".into()], key);
		let codes = ValueProfile::of(10, 5, 2, &["M".into(), "F".into()], key);
		assert_eq!(dates.shape.as_deref(), Some("9-9-9"));
		assert!(dates.likeness(&dates) > 0.99);
		assert!(dates.likeness(&codes) < 0.7);
		assert_eq!(codes.null_share(), 0.5);
	}
}
