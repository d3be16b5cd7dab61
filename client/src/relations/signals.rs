//! The signals that two data items are the same data, related, or only alike in name: each
//! computed from what the catalog holds (names, definitions, types, lengths, units,
//! nullability, standard elements, code systems) and, when both sides profiled their
//! database, from the values' profiles. Together they are a candidate's [`Evidence`].

use std::collections::{BTreeSet, HashMap};

use medtrust_primitives::catalog::ValueDomainJson;
use serde::{Deserialize, Serialize};

use super::{
	field::{unit_relation, Field, TypeFamily, UnitRelation},
	glossary::{Glossary, Token, TokenKey},
};

/// A field read once for matching: its tokens and keys.
#[derive(Clone, Debug)]
pub struct Prepared {
	/// The field.
	pub field: Field,
	/// The tokens of its name.
	pub name: Vec<Token>,
	/// The keys of its name's tokens (concepts, or the words the glossary does not know).
	pub name_keys: BTreeSet<TokenKey>,
	/// Its name, lower case, without separators (the pallet's "same name" rule).
	pub folded: String,
	/// The keys of its definition's tokens.
	pub definition: BTreeSet<TokenKey>,
	/// The keys of its resource's name (for references such as `patient_id` to `patient.id`).
	pub resource: BTreeSet<TokenKey>,
	/// Its data type's family.
	pub family: TypeFamily,
}

impl Prepared {
	/// Reads a field with the glossary.
	pub fn new(field: Field, glossary: &Glossary) -> Self {
		let name = glossary.tokens(&field.info.name);
		let definition = glossary.keys(&field.info.definition);
		let table = field.at.resource_name.rsplit('.').next().unwrap_or_default();
		let resource = glossary.keys(table);
		let family = TypeFamily::of(&field.info.data_type);
		let name_keys = name.iter().flat_map(Token::keys).collect();
		let folded = fold(&field.info.name);
		Prepared { folded, name, name_keys, definition, resource, family, field }
	}
}

/// A name lower case, without `_`, `-`, `.` and spaces (as the pallet compares names).
pub fn fold(name: &str) -> String {
	name.chars()
		.filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
		.flat_map(char::to_lowercase)
		.collect()
}

/// How informative each token key is: rarer keys weigh more (inverse document frequency
/// over the names being matched).
#[derive(Clone, Debug, Default)]
pub struct Weights {
	idf: HashMap<TokenKey, f64>,
	unknown: f64,
}

impl Weights {
	/// The weights of the names of `fields`.
	pub fn of(fields: &[&Prepared]) -> Self {
		let mut df: HashMap<TokenKey, usize> = HashMap::new();
		for f in fields {
			for k in &f.name_keys {
				*df.entry(k.clone()).or_default() += 1;
			}
		}
		let n = fields.len().max(1) as f64;
		let idf = df.into_iter().map(|(k, d)| (k, (1.0 + n / d as f64).ln())).collect();
		Weights { idf, unknown: (1.0 + n).ln() }
	}

	/// The weight of a token: its rarest key's.
	pub fn of_token(&self, token: &Token) -> f64 {
		token.keys().map(|k| *self.idf.get(&k).unwrap_or(&self.unknown)).fold(0.0, f64::max)
	}
}

/// How two names' tokens agree, weighted by informativeness (a weighted Dice coefficient):
/// a token agrees with one of the other name that means the same (a shared concept or word),
/// or that it abbreviates (`pat` and `patient`).
pub fn token_similarity(a: &[Token], b: &[Token], weights: &Weights) -> f64 {
	let matched = |from: &[Token], to: &[Token]| -> (f64, f64) {
		let mut hit = 0.0;
		let mut all = 0.0;
		for t in from {
			let w = weights.of_token(t);
			all += w;
			if to.iter().any(|u| t.matches(u) || abbreviates(&t.text, &u.text)) {
				hit += w;
			}
		}
		(hit, all)
	};
	let (ha, wa) = matched(a, b);
	let (hb, wb) = matched(b, a);
	if wa + wb == 0.0 {
		0.0
	} else {
		(ha + hb) / (wa + wb)
	}
}

/// Whether one ASCII word abbreviates the other: a prefix of three letters or more, or its
/// consonant skeleton (`pnt` for `patient`, `qty` for `quantity`).
fn abbreviates(a: &str, b: &str) -> bool {
	let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
	if short.len() < 3 || short == long || !short.is_ascii() || !long.is_ascii() {
		return false;
	}
	if long.starts_with(short) {
		return true;
	}
	let mut rest = long.chars();
	short.chars().all(|c| rest.any(|l| l == c)) && short.chars().next() == long.chars().next()
}

/// The Jaro-Winkler similarity of two strings.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
	let a: Vec<char> = a.chars().collect();
	let b: Vec<char> = b.chars().collect();
	if a.is_empty() && b.is_empty() {
		return 1.0;
	}
	if a.is_empty() || b.is_empty() {
		return 0.0;
	}
	let window = (a.len().max(b.len()) / 2).saturating_sub(1);
	let mut b_used = vec![false; b.len()];
	let mut a_matches = Vec::new();
	for (i, ca) in a.iter().enumerate() {
		let lo = i.saturating_sub(window);
		let hi = (i + window + 1).min(b.len());
		if let Some(j) = (lo..hi).find(|&j| !b_used[j] && b[j] == *ca) {
			b_used[j] = true;
			a_matches.push(*ca);
		}
	}
	let m = a_matches.len() as f64;
	if m == 0.0 {
		return 0.0;
	}
	let b_matches = b.iter().zip(&b_used).filter(|(_, used)| **used).map(|(c, _)| *c);
	let transpositions = a_matches.iter().zip(b_matches).filter(|(x, y)| *x != y).count() as f64;
	let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions / 2.0) / m) / 3.0;
	let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count() as f64;
	jaro + prefix * 0.1 * (1.0 - jaro)
}

/// The Dice coefficient of two key sets (`None` if either is empty).
pub fn dice(a: &BTreeSet<TokenKey>, b: &BTreeSet<TokenKey>) -> Option<f64> {
	if a.is_empty() || b.is_empty() {
		return None;
	}
	let common = a.intersection(b).count() as f64;
	Some(2.0 * common / (a.len() + b.len()) as f64)
}

/// Everything that was compared, for a person to judge a candidate (and hashed on chain).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
	/// The names are the same, ignoring case and separators.
	pub same_name: bool,
	/// How the names' words agree, through the glossary (0–1).
	pub name_words: f64,
	/// How the names' characters agree (Jaro-Winkler, 0–1).
	pub name_characters: f64,
	/// One name is the other's resource plus the other (`patient_id` and `patient.id`).
	#[serde(skip_serializing_if = "std::ops::Not::not", default)]
	pub reference: bool,
	/// How the definitions' words agree (0–1), if both have one.
	pub definition: Option<f64>,
	/// How compatible the data types are (0–1).
	pub data_type: f64,
	/// The ratio of the shorter length to the longer, if both have one.
	pub length: Option<f64>,
	/// How the units relate, if both have one.
	pub unit: Option<UnitRelation>,
	/// Whether both may be null, or neither.
	pub nullability: bool,
	/// Whether the standard data elements are the same, if both have one.
	pub standard_element: Option<bool>,
	/// Whether the value domains (code system, or enumeration) are the same, if both have one.
	pub value_domain: Option<bool>,
	/// The estimated overlap of the two columns' values (MinHash), if both were profiled.
	pub value_overlap: Option<f64>,
	/// How alike the two value profiles are apart from values (counts, nulls, shape).
	pub profile_likeness: Option<f64>,
	/// The share of the two resources' items that match (resources that match as a whole
	/// support each pair of their items), once known.
	pub structure: Option<f64>,
}

impl Evidence {
	/// Compares two prepared fields.
	pub fn of(a: &Prepared, b: &Prepared, weights: &Weights) -> Evidence {
		let (fa, fb) = (&a.field.info, &b.field.info);
		let lengths = fa.length.zip(fb.length).filter(|(x, y)| *x > 0 && *y > 0);
		let profiles = a.field.profile.as_ref().zip(b.field.profile.as_ref());
		Evidence {
			same_name: !a.folded.is_empty() && a.folded == b.folded,
			name_words: token_similarity(&a.name, &b.name, weights),
			name_characters: jaro_winkler(&a.folded, &b.folded),
			reference: is_reference(a, b) || is_reference(b, a),
			definition: dice(&a.definition, &b.definition),
			data_type: a.family.compatibility(b.family),
			length: lengths.map(|(x, y)| x.min(y) as f64 / x.max(y) as f64),
			unit: unit_relation(fa.unit.as_deref(), fb.unit.as_deref()),
			nullability: fa.nullable == fb.nullable,
			standard_element: fa
				.standard_element
				.as_ref()
				.zip(fb.standard_element.as_ref())
				.map(|(x, y)| x.eq_ignore_ascii_case(y)),
			value_domain: fa
				.value_domain
				.as_ref()
				.zip(fb.value_domain.as_ref())
				.map(|(x, y)| same_domain(x, y)),
			value_overlap: profiles.and_then(|(x, y)| x.overlap(y)),
			profile_likeness: profiles.map(|(x, y)| x.likeness(y)),
			structure: None,
		}
	}

	/// How alike the names are: through the glossary, or by their characters when the
	/// glossary knows neither.
	pub fn name(&self) -> f64 {
		if self.same_name {
			1.0
		} else {
			self.name_words.max(self.name_characters * 0.8 - 0.1).max(0.0)
		}
	}
}

/// Whether `a` names `b` through `b`'s resource: `a`'s words are `b`'s resource's words plus
/// `b`'s own (`patient_id` in a visit table against `id` of the patient table).
fn is_reference(a: &Prepared, b: &Prepared) -> bool {
	if b.resource.is_empty() || a.field.at.resource == b.field.at.resource {
		return false;
	}
	let (a_keys, b_keys) = (&a.name_keys, &b.name_keys);
	!b_keys.is_empty()
		&& b_keys.is_subset(a_keys)
		&& b.resource.iter().any(|k| a_keys.contains(k))
		&& a_keys.iter().all(|k| b_keys.contains(k) || b.resource.contains(k))
}

/// Whether two value domains are the same: one code system, or one enumeration.
fn same_domain(a: &ValueDomainJson, b: &ValueDomainJson) -> bool {
	match (a, b) {
		(ValueDomainJson::CodeSystem(x), ValueDomainJson::CodeSystem(y)) => {
			let norm = |s: &str| {
				s.chars()
					.filter(|c| c.is_alphanumeric())
					.flat_map(char::to_lowercase)
					.collect::<String>()
			};
			norm(x) == norm(y)
		}
		(ValueDomainJson::Enumerated(x), ValueDomainJson::Enumerated(y)) => x == y,
		_ => false,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn tokens(name: &str) -> Vec<Token> {
		Glossary::builtin().tokens(name)
	}

	#[test]
	fn rare_words_weigh_more_than_common_ones() {
		let g = Glossary::builtin();
		let fields: Vec<Prepared> =
			["patient_id", "visit_id", "order_id", "doctor_id", "patient_name"]
				.iter()
				.map(|n| Prepared::new(super::super::tests::field(n, "varchar"), g))
				.collect();
		let weights = Weights::of(&fields.iter().collect::<Vec<_>>());
		let by_id = token_similarity(&tokens("patient_id"), &tokens("visit_id"), &weights);
		let by_patient = token_similarity(&tokens("patient_id"), &tokens("patient_name"), &weights);
		assert!(by_patient > by_id, "{by_patient} > {by_id}");
		assert_eq!(token_similarity(&tokens("患者姓名"), &tokens("pat_name"), &weights), 1.0);
	}

	#[test]
	fn abbreviations_and_characters() {
		assert!(abbreviates("pat", "patient"));
		assert!(abbreviates("qty", "quantity"));
		assert!(!abbreviates("age", "page"));
		assert!(!abbreviates("id", "identifier"));
		assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.001);
		assert_eq!(jaro_winkler("abc", "abc"), 1.0);
		assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
	}
}
