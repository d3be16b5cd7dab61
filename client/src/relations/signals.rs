//! The signals that two data items are the same data, related, or only alike in name: each
//! computed from what the catalog holds (names, definitions, types, lengths, units,
//! nullability, standard elements, code systems) and, when both sides profiled their
//! database, from the values' profiles. Together they are a candidate's [`Evidence`].

use std::collections::{BTreeSet, HashMap};

use medtrust_rpc_types::catalog::ValueDomainJson;
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
	/// Its name's tokens qualified by its resource's (`conditions.start`: `condition start`),
	/// as schemas that prefix columns with their table's name write them.
	pub qualified: Vec<Token>,
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
		let mut qualified = glossary.tokens(table);
		qualified.retain(|t| !name.iter().any(|n| n.matches(t)));
		qualified.extend(name.iter().cloned());
		let family = TypeFamily::of(&field.info.data_type);
		let name_keys = name.iter().flat_map(Token::keys).collect();
		let folded = fold(&field.info.name);
		Prepared { folded, name, name_keys, definition, resource, qualified, family, field }
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
	/// How the names agree once each is qualified by its resource's name (0–1):
	/// `conditions.start` and `condition_occurrence.condition_start_date`.
	#[serde(default)]
	pub qualified_name: f64,
	/// One name is the other's plus words of representation only (`gender` and
	/// `gender_concept_id`, `race` and `race_source_value`): the same thing, perhaps held
	/// another way.
	#[serde(skip_serializing_if = "std::ops::Not::not", default)]
	pub extends: bool,
	/// One item names, by its name alone, the entity the other's resource is (`patient` in
	/// a conditions table against a column of the person table): a reference to that
	/// table, not the same data.
	#[serde(skip_serializing_if = "std::ops::Not::not", default)]
	pub refers: bool,
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
	/// Whether the two columns' values have one shape (digits, letters, dates…), if both
	/// were profiled and have one.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub value_shape: Option<bool>,
	/// The share of the two resources' items that match (resources that match as a whole
	/// support each pair of their items), once known.
	pub structure: Option<f64>,
	/// For items of the same name: whether both definitions use the name in its sense
	/// (mention the name's concept, or its parts); `false` when one does and the other, well
	/// understood, does not (the name stands for something else there).
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub name_sense: Option<bool>,
	/// For items of the same name: whether the definitions say the same representation
	/// (code, name, description) of it, if both say one.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub representation: Option<bool>,
	/// For items of the same name: how the definitions' other words (beyond the name and its
	/// representation) agree (0–1), if both have some.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub qualifiers: Option<f64>,
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
			qualified_name: token_similarity(&a.qualified, &b.qualified, weights),
			extends: extends(a, b) || extends(b, a),
			refers: refers(a, b) || refers(b, a),
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
			value_shape: profiles.and_then(|(x, y)| Some(x.shape.as_ref()? == y.shape.as_ref()?)),
			structure: None,
			name_sense: None,
			representation: None,
			qualifiers: None,
		}
		.with_senses(a, b)
	}

	/// For items of the same name, how their definitions use it ([`Evidence::name_sense`],
	/// [`Evidence::representation`], [`Evidence::qualifiers`]).
	fn with_senses(mut self, a: &Prepared, b: &Prepared) -> Self {
		if !self.same_name {
			return self;
		}
		let g = Glossary::builtin();
		let concept = |k: &TokenKey| matches!(k, TokenKey::Concept(_));
		let name: BTreeSet<TokenKey> =
			g.with_parts(&a.name_keys).into_iter().filter(concept).collect();
		let representations: BTreeSet<TokenKey> =
			definition_representations().difference(&name).cloned().collect();
		let (da, db) = (g.with_parts(&a.definition), g.with_parts(&b.definition));
		let uses = |d: &BTreeSet<TokenKey>| !name.is_empty() && !d.is_disjoint(&name);
		let understood = |d: &BTreeSet<TokenKey>| d.len() >= 2 && d.iter().any(concept);
		self.name_sense = match (uses(&da), uses(&db)) {
			(true, true) => Some(true),
			(true, false) if understood(&db) => Some(false),
			(false, true) if understood(&da) => Some(false),
			_ => None,
		};
		let shown = |d: &BTreeSet<TokenKey>| -> BTreeSet<TokenKey> {
			d.intersection(&representations).cloned().collect()
		};
		let (ra, rb) = (shown(&da), shown(&db));
		self.representation = (!ra.is_empty() && !rb.is_empty()).then(|| !ra.is_disjoint(&rb));
		let rest = |d: &BTreeSet<TokenKey>| -> BTreeSet<TokenKey> {
			d.iter()
				.filter(|k| !name.contains(*k) && !representations.contains(*k) && !trivial(k))
				.cloned()
				.collect()
		};
		self.qualifiers = dice(&rest(&da), &rest(&db));
		self
	}

	/// How alike the names are: through the glossary, or by their characters when the
	/// glossary knows neither; qualified by their resources' names, a little less.
	pub fn name(&self) -> f64 {
		if self.same_name {
			1.0
		} else {
			let plain = self.name_words.max(self.name_characters * 0.8 - 0.1);
			plain.max(0.9 * self.qualified_name).max(0.0)
		}
	}
}

/// A word that says nothing of meaning: a number, or a single ASCII letter (`0 未审核 1 已审核`,
/// `M 男 F 女`).
fn trivial(key: &TokenKey) -> bool {
	match key {
		TokenKey::Word(w) => {
			w.chars().all(|c| c.is_ascii_digit()) || (w.len() == 1 && w.is_ascii())
		}
		TokenKey::Concept(_) => false,
	}
}

/// The concepts that say how a thing is held, not what it is.
const REPRESENTATIONS: &[&str] =
	&["code", "identifier", "concept", "name", "number", "value", "source", "description"];

/// The representations a definition names a value domain by (a code, a name, a text).
const DEFINITION_REPRESENTATIONS: &[&str] = &["code", "name", "description"];

fn concept_keys(names: &[&str]) -> BTreeSet<TokenKey> {
	let g = Glossary::builtin();
	names.iter().filter_map(|c| g.concept_id(c).map(TokenKey::Concept)).collect()
}

fn representation_keys() -> &'static BTreeSet<TokenKey> {
	static KEYS: std::sync::OnceLock<BTreeSet<TokenKey>> = std::sync::OnceLock::new();
	KEYS.get_or_init(|| concept_keys(REPRESENTATIONS))
}

fn definition_representations() -> &'static BTreeSet<TokenKey> {
	static KEYS: std::sync::OnceLock<BTreeSet<TokenKey>> = std::sync::OnceLock::new();
	KEYS.get_or_init(|| concept_keys(DEFINITION_REPRESENTATIONS))
}

/// Whether `b`'s name is `a`'s plus words of representation only.
fn extends(a: &Prepared, b: &Prepared) -> bool {
	let reps = representation_keys();
	let content: BTreeSet<&TokenKey> = a.name_keys.iter().filter(|k| !reps.contains(*k)).collect();
	!content.is_empty()
		&& a.name_keys.len() < b.name_keys.len()
		&& a.name_keys.is_subset(&b.name_keys)
		&& b.name_keys.iter().all(|k| a.name_keys.contains(k) || reps.contains(k))
}

/// Whether `a`, in a resource of another entity, is named by `b`'s resource's entity alone
/// (`conditions.patient` against the person table).
fn refers(a: &Prepared, b: &Prepared) -> bool {
	!a.name_keys.is_empty()
		&& !b.resource.is_empty()
		&& a.name_keys.iter().all(|k| b.resource.contains(k))
		&& !a.name_keys.iter().all(|k| a.resource.contains(k))
}

/// Whether `a` names `b` through `b`'s resource: `a`'s words are `b`'s resource's words plus
/// `b`'s own (`patient_id` in a visit table against `id` of the patient table). A resource's
/// own key (`person_id` in the person table) refers to nothing.
fn is_reference(a: &Prepared, b: &Prepared) -> bool {
	if b.resource.is_empty()
		|| a.field.at.resource == b.field.at.resource
		|| b.resource.is_subset(&a.resource)
	{
		return false;
	}
	let (a_keys, b_keys) = (&a.name_keys, &b.name_keys);
	!b_keys.is_empty()
		&& a_keys.len() > b_keys.len()
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

	fn senses(name: &str, left: &str, right: &str) -> Evidence {
		let g = Glossary::builtin();
		let prepare = |definition: &str, resource: u64| {
			let mut f = super::super::tests::field(name, "varchar");
			f.info.definition = definition.into();
			f.at.resource = resource;
			Prepared::new(f, g)
		};
		let (a, b) = (prepare(left, 1), prepare(right, 2));
		Evidence::of(&a, &b, &Weights::of(&[&a, &b]))
	}

	#[test]
	fn definitions_show_the_sense_the_representation_and_the_qualifiers_of_a_name() {
		let unit = senses("unit", "计量单位", "Organizational unit that performed the test");
		assert_eq!(unit.name_sense, Some(false), "{unit:?}");
		let result = senses(
			"result",
			"检验结果定量值",
			"Free-text interpretation written by the pathologist",
		);
		assert_eq!(result.name_sense, Some(false), "{result:?}");
		let dob = senses("dob", "出生日期", "Date the patient was born");
		assert_eq!(dob.name_sense, Some(true), "{dob:?}");
		let ks = senses("ks", "入院科室代码", "就诊科室名称");
		assert_eq!((ks.name_sense, ks.representation), (Some(true), Some(false)), "{ks:?}");
		let status = senses("status", "报告状态（0 未审核 1 已审核 2 已发布）", "Report status");
		assert_eq!(status.name_sense, Some(true));
		assert!(status.qualifiers.is_some_and(|q| q > 0.15), "{status:?}");
		let kind = senses("type", "标本类型", "Type of the report (routine or urgent)");
		assert_eq!(kind.qualifiers, Some(0.0), "{kind:?}");
		// Only items of the same name are read so.
		let g = Glossary::builtin();
		let a = Prepared::new(super::super::tests::field("unit", "varchar"), g);
		let b = Prepared::new(super::super::tests::field("units_code", "varchar"), g);
		assert_eq!(Evidence::of(&a, &b, &Weights::default()).name_sense, None);
	}

	#[test]
	fn a_name_like_anothers_is_no_reference_to_its_table() {
		let g = Glossary::builtin();
		let item = |name: &str, table: &str, resource: u64| {
			let mut f = super::super::tests::field(name, "varchar");
			f.at.resource = resource;
			f.at.resource_name = table.into();
			Prepared::new(f, g)
		};
		let (brxm, person_name) =
			(item("brxm", "his.hzxx", 1), item("person_name", "emr.person", 2));
		assert!(!is_reference(&brxm, &person_name) && !is_reference(&person_name, &brxm));
		let (patient_id, id) = (item("patient_id", "his.visit", 1), item("id", "his.patient", 2));
		assert!(is_reference(&patient_id, &id));
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
