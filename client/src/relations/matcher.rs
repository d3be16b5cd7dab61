//! The matcher: scores candidate pairs of data items on all cores and classifies each.
//!
//! Pairs are first *blocked*: only items that share an informative name word (through the
//! glossary), a standard data element, their folded name, or two name trigrams are scored,
//! so one source against a catalog of tens of thousands of items does not score every pair.
//! Then every candidate's [`Evidence`] is computed and classified; finally resources whose
//! items mostly match support each of their item pairs (structure), and the candidates are
//! classified again with that.

use std::collections::{BTreeMap, HashMap, HashSet};

use pallet_field_mapping::RelationKind;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{
	classify::{classify, FLOOR},
	field::{Field, Side},
	glossary::{Glossary, TokenKey},
	signals::{Evidence, Prepared, Weights},
};

/// How many candidates one item keeps at most (the best), unless told otherwise.
pub const DEFAULT_PER_ITEM: usize = 3;

/// The most candidates scored for one item, however many share a word with it.
const MAX_BLOCK: usize = 400;

/// Signature entries per band of value blocking: with 4, columns whose value sets overlap by
/// a Jaccard index of 0.5 share at least one of 32 bands with probability 0.87.
const BAND: usize = 4;

/// A candidate relation between two data items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
	/// One item.
	pub left: Side,
	/// The other.
	pub right: Side,
	/// `same`, `related`, `similar-name`, `same-name-different-domain` or
	/// `same-name-different-meaning`.
	#[serde(with = "crate::wire::name")]
	pub kind: RelationKind,
	/// How sure the matcher is (0–1).
	pub score: f64,
	/// What was compared.
	pub evidence: Evidence,
}

/// What to report.
#[derive(Clone, Copy, Debug)]
pub struct MatchOptions {
	/// The least score reported.
	pub min_score: f64,
	/// The most candidates per left item.
	pub per_item: usize,
}

impl Default for MatchOptions {
	fn default() -> Self {
		MatchOptions { min_score: 0.5, per_item: DEFAULT_PER_ITEM }
	}
}

/// Matches every item of `left` against `right` (items of the same resource version are
/// never paired), best first.
pub fn match_fields(left: Vec<Field>, right: Vec<Field>, options: MatchOptions) -> Vec<Candidate> {
	let glossary = Glossary::builtin();
	let left: Vec<Prepared> = left.into_par_iter().map(|f| Prepared::new(f, glossary)).collect();
	let right: Vec<Prepared> = right.into_par_iter().map(|f| Prepared::new(f, glossary)).collect();
	let all: Vec<&Prepared> = left.iter().chain(&right).collect();
	let weights = Weights::of(&all);
	let index = Index::build(&right);
	let mut scored: Vec<(usize, usize, Evidence)> = left
		.par_iter()
		.enumerate()
		.flat_map_iter(|(i, a)| {
			let pairs: Vec<(usize, usize, Evidence)> = index
				.candidates(a)
				.into_iter()
				.filter(|&j| !same_version(a, &right[j]))
				.map(|j| (i, j, Evidence::of(a, &right[j], &weights)))
				.filter(|(_, _, e)| classify(e).is_some())
				.collect();
			pairs
		})
		.collect();
	add_structure(&mut scored, &left, &right);
	select(scored, &left, &right, options)
}

fn same_version(a: &Prepared, b: &Prepared) -> bool {
	a.field.at.resource == b.field.at.resource && a.field.at.version == b.field.at.version
}

/// The blocking index of the right side: which items each blocking key leads to.
struct Index {
	postings: HashMap<Key, Vec<usize>>,
	/// Keys leading to more items than this are too common to block on (`id`, `code`).
	common: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
	Word(TokenKey),
	Folded(String),
	Element(String),
	Trigram([char; 3]),
	/// A band of the values' MinHash signature (locality-sensitive hashing: columns whose
	/// values overlap share a band with high probability).
	Band(usize, String),
}

impl Key {
	/// How much sharing the key says: a word, name or element enough alone, trigrams two.
	fn strength(&self) -> u32 {
		match self {
			Key::Trigram(_) => 1,
			_ => 2,
		}
	}
}

fn keys(p: &Prepared) -> Vec<Key> {
	let mut out: Vec<Key> = p.name_keys.iter().cloned().map(Key::Word).collect();
	out.push(Key::Folded(p.folded.clone()));
	if let Some(e) = &p.field.info.standard_element {
		out.push(Key::Element(e.to_ascii_uppercase()));
	}
	let chars: Vec<char> = p.folded.chars().collect();
	out.extend(chars.windows(3).map(|w| Key::Trigram([w[0], w[1], w[2]])));
	if let Some(profile) = &p.field.profile {
		let bands = profile.signature.chunks(BAND);
		out.extend(bands.enumerate().map(|(i, band)| Key::Band(i, band.concat())));
	}
	// A reference (`patient_id`) blocks with its target's resource words too.
	out.extend(p.resource.iter().cloned().map(Key::Word));
	let mut seen = HashSet::new();
	out.retain(|k| seen.insert(k.clone()));
	out
}

impl Index {
	fn build(right: &[Prepared]) -> Self {
		let mut postings: HashMap<Key, Vec<usize>> = HashMap::new();
		for (j, p) in right.iter().enumerate() {
			for k in keys(p) {
				postings.entry(k).or_default().push(j);
			}
		}
		Index { postings, common: (right.len() / 20).max(200) }
	}

	/// The right items worth scoring against `a`, the most shared first.
	fn candidates(&self, a: &Prepared) -> Vec<usize> {
		let mut shared: HashMap<usize, u32> = HashMap::new();
		for k in keys(a) {
			let Some(list) = self.postings.get(&k) else { continue };
			let exact = matches!(k, Key::Folded(_) | Key::Element(_));
			if list.len() > self.common && !exact {
				continue;
			}
			for &j in list {
				*shared.entry(j).or_default() += k.strength();
			}
		}
		let mut found: Vec<(usize, u32)> = shared.into_iter().filter(|(_, n)| *n >= 2).collect();
		found.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
		found.truncate(MAX_BLOCK);
		found.into_iter().map(|(j, _)| j).collect()
	}
}

/// Sets each pair's structure: the share of the smaller of its two resources' items that
/// have a good match (same, 0.7 or more) in the other.
fn add_structure(scored: &mut [(usize, usize, Evidence)], left: &[Prepared], right: &[Prepared]) {
	let resource_of = |p: &Prepared| (p.field.at.resource, p.field.at.version);
	let mut sizes: HashMap<(u64, u32), usize> = HashMap::new();
	for p in left.iter().chain(right) {
		*sizes.entry(resource_of(p)).or_default() += 1;
	}
	let mut good: HashMap<((u64, u32), (u64, u32)), HashSet<usize>> = HashMap::new();
	for (i, j, e) in scored.iter() {
		if matches!(classify(e), Some((RelationKind::Same, s)) if s >= 0.7) {
			good.entry((resource_of(&left[*i]), resource_of(&right[*j]))).or_default().insert(*i);
		}
	}
	for (i, j, e) in scored.iter_mut() {
		let pair = (resource_of(&left[*i]), resource_of(&right[*j]));
		let smaller = sizes[&pair.0].min(sizes[&pair.1]).max(1);
		let matched = good.get(&pair).map_or(0, HashSet::len);
		e.structure = Some((matched as f64 / smaller as f64).min(1.0));
	}
}

/// How far below the best `same` candidate of either of its items a `same` candidate may
/// score and still be reported: an item is rarely the same data as two others.
const SAME_MARGIN: f64 = 0.1;

/// The candidates to report: classified, above the score, `same` only near the best `same`
/// of both its items, the best few per left item, best first.
fn select(
	scored: Vec<(usize, usize, Evidence)>,
	left: &[Prepared],
	right: &[Prepared],
	options: MatchOptions,
) -> Vec<Candidate> {
	let classified: Vec<(usize, usize, RelationKind, f64, Evidence)> = scored
		.into_iter()
		.filter_map(|(i, j, e)| classify(&e).map(|(kind, score)| (i, j, kind, score, e)))
		.filter(|c| c.3 >= options.min_score.max(FLOOR))
		.collect();
	let (mut best_left, mut best_right) = (HashMap::new(), HashMap::new());
	for (i, j, kind, score, _) in &classified {
		if *kind == RelationKind::Same {
			let l: &mut f64 = best_left.entry(*i).or_default();
			*l = l.max(*score);
			let r: &mut f64 = best_right.entry(*j).or_default();
			*r = r.max(*score);
		}
	}
	let mut per_item: BTreeMap<usize, Vec<Candidate>> = BTreeMap::new();
	for (i, j, kind, score, evidence) in classified {
		if kind == RelationKind::Same
			&& (score < best_left[&i] - SAME_MARGIN || score < best_right[&j] - SAME_MARGIN)
		{
			continue;
		}
		per_item.entry(i).or_default().push(Candidate {
			left: left[i].field.at.clone(),
			right: right[j].field.at.clone(),
			kind,
			score: (score * 1000.0).round() / 1000.0,
			evidence,
		});
	}
	let mut out: Vec<Candidate> = per_item
		.into_values()
		.flat_map(|mut list| {
			list.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.right.cmp(&b.right)));
			list.truncate(options.per_item);
			list
		})
		.collect();
	out.sort_by(|a, b| {
		b.score.total_cmp(&a.score).then_with(|| (&a.left, &a.right).cmp(&(&b.left, &b.right)))
	});
	out
}
