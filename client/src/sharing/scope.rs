//! The grammars of a grant's inputs: record ranges (`1-1000,1500`, 1 the first record of the
//! anchored file, as `certificate extract --record` counts) and expiries (`12h`, `30d`, an
//! RFC 3339 date).

use medtrust_rpc_types::sharing_json::RangeJson;

use crate::sharing::Error as SharingError;
use crate::Result;

/// Parses `1-1000,1500` into ascending ranges, overlapping and adjacent ones merged; every
/// record between 1 and `total`.
pub fn parse_ranges(text: &str, total: u64) -> Result<Vec<RangeJson>> {
	let bad = |reason: String| SharingError::Ranges { text: text.to_string(), reason };
	let number = |part: &str| -> Result<u64> {
		let n: u64 =
			part.trim().parse().map_err(|_| bad(format!("`{part}` is not a record number")))?;
		if n == 0 || n > total {
			return Err(bad(format!("record {n} is not among records 1 to {total}")).into());
		}
		Ok(n)
	};
	let mut ranges = Vec::new();
	for part in text.split(',') {
		if part.trim().is_empty() {
			return Err(bad("an empty item".into()).into());
		}
		let (first, last) = match part.split_once('-') {
			Some((a, b)) => (number(a)?, number(b)?),
			None => {
				let n = number(part)?;
				(n, n)
			}
		};
		if last < first {
			return Err(bad(format!("`{}` runs backwards", part.trim())).into());
		}
		ranges.push(RangeJson { first, last });
	}
	Ok(merge(ranges))
}

/// Sorts ranges and merges those that overlap or touch.
pub fn merge(mut ranges: Vec<RangeJson>) -> Vec<RangeJson> {
	ranges.sort_by_key(|r| r.first);
	let mut out: Vec<RangeJson> = Vec::with_capacity(ranges.len());
	for r in ranges {
		match out.last_mut() {
			Some(last) if r.first <= last.last.saturating_add(1) => {
				last.last = last.last.max(r.last)
			}
			_ => out.push(r),
		}
	}
	out
}

/// The ranges of records `indices` (0 first), as positions (1 first).
pub fn ranges_of(indices: &[u64]) -> Vec<RangeJson> {
	merge(indices.iter().map(|i| RangeJson { first: i + 1, last: i + 1 }).collect())
}

/// Whether position `n` (1 first) is within `ranges`.
pub fn contains(ranges: &[RangeJson], n: u64) -> bool {
	ranges.iter().any(|r| r.first <= n && n <= r.last)
}

/// Every position of `ranges`, ascending.
pub fn positions(ranges: &[RangeJson]) -> impl Iterator<Item = u64> + '_ {
	ranges.iter().flat_map(|r| r.first..=r.last)
}

/// Parses an expiry (`90m`, `12h`, `30d`, or an RFC 3339 date) into seconds since the Unix
/// epoch, `now` being the time it counts from; it must be in the future.
pub fn parse_expiry(text: &str, now: u64) -> Result<u64> {
	let bad = |reason: &str| SharingError::Expiry { text: text.to_string(), reason: reason.into() };
	let trimmed = text.trim();
	let unit = trimmed.chars().last().ok_or_else(|| bad("empty"))?;
	let seconds = match unit {
		'm' => Some(60),
		'h' => Some(3_600),
		'd' => Some(86_400),
		_ => None,
	};
	let at = match seconds {
		Some(unit)
			if trimmed.len() > 1
				&& trimmed[..trimmed.len() - 1].bytes().all(|b| b.is_ascii_digit()) =>
		{
			let n: u64 = trimmed[..trimmed.len() - 1].parse().map_err(|_| bad("too large"))?;
			n.checked_mul(unit).and_then(|s| now.checked_add(s)).ok_or_else(|| bad("too large"))?
		}
		_ => {
			let date = chrono::DateTime::parse_from_rfc3339(trimmed).map_err(|_| {
				bad("not `90m`, `12h`, `30d` or an RFC 3339 date (2027-06-30T00:00:00+08:00)")
			})?;
			u64::try_from(date.timestamp()).map_err(|_| bad("before 1970"))?
		}
	};
	if at <= now {
		return Err(bad("is not in the future").into());
	}
	Ok(at)
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_secs())
		.unwrap_or_default()
}

/// Seconds since the Unix epoch as an RFC 3339 date (UTC).
pub fn date_text(seconds: u64) -> String {
	i64::try_from(seconds)
		.ok()
		.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
		.map(|t| t.to_rfc3339())
		.unwrap_or_else(|| seconds.to_string())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn ranges_parse_merge_and_refuse_what_is_not_a_record() {
		let r = |first, last| RangeJson { first, last };
		assert_eq!(
			parse_ranges("1-1000,1500", 2000).expect("ranges"),
			vec![r(1, 1000), r(1500, 1500)]
		);
		assert_eq!(
			parse_ranges(" 5 , 1-3,4,10-12,11", 20).expect("ranges"),
			vec![r(1, 5), r(10, 12)]
		);
		for bad in ["", "0", "1-", "-3", "a", "3-1", "1,,2", "21", "1-21", "1.5"] {
			assert!(parse_ranges(bad, 20).is_err(), "{bad}");
		}
		let e = parse_ranges("25", 20).unwrap_err().to_string();
		assert!(e.contains("records 1 to 20"), "{e}");
		assert_eq!(ranges_of(&[0, 1, 2, 9]), vec![r(1, 3), r(10, 10)]);
		assert!(contains(&[r(2, 4)], 4) && !contains(&[r(2, 4)], 5));
		assert_eq!(positions(&[r(2, 3), r(7, 7)]).collect::<Vec<_>>(), vec![2, 3, 7]);
	}

	#[test]
	fn expiries_are_durations_or_dates_in_the_future() {
		let now = 1_800_000_000;
		assert_eq!(parse_expiry("12h", now).expect("12h"), now + 43_200);
		assert_eq!(parse_expiry("30d", now).expect("30d"), now + 30 * 86_400);
		assert_eq!(parse_expiry("90m", now).expect("90m"), now + 5_400);
		assert_eq!(
			parse_expiry("2027-01-15T16:00:00+08:00", now - 10).expect("a date"),
			1_800_000_000
		);
		assert!(parse_expiry("2027-01-15T08:00:00Z", now).is_err(), "not after now");
		for bad in [
			"",
			"h",
			"0h",
			"12",
			"12w",
			"-3d",
			"yesterday",
			"2020-01-01T00:00:00Z",
			"99999999999999999999d",
		] {
			assert!(parse_expiry(bad, now).is_err(), "{bad}");
		}
	}
}
