//! The bilingual glossary of medical field vocabulary (`client/data/glossary.tsv`, data, not
//! code) and the tokeniser that reads field names and comments with it.
//!
//! A name is split at separators, camel case, digits and script changes (`PatientName2`,
//! `patient_name`, `患者姓名`); Chinese runs are segmented by the glossary's longest words
//! (forward maximum matching), English word sequences merged into the glossary's phrases
//! (`date of birth`), and an unknown ASCII word split into known abbreviations when it is
//! made of them (`brxm` = `br` + `xm`, pinyin initials of 病人姓名). Every token then carries
//! the concepts it names: `pat`, `patient`, `患者` and `病人` all name `patient`.

use std::{
	collections::{BTreeSet, HashMap},
	sync::OnceLock,
};

use crate::{relations::Error as RelationsError, Result};

/// The glossary in the repository, compiled in.
const BUILTIN: &str = include_str!("../../data/glossary.tsv");

/// Words that carry no meaning of their own in a name or comment.
const STOP_WORDS: &[&str] =
	&["of", "the", "a", "an", "and", "or", "in", "for", "to", "is", "的", "和", "或", "及", "之"];

/// A concept's index in the glossary.
pub type ConceptId = u32;

/// One word of a name or comment, with the glossary's concepts it names (none if unknown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
	/// The word, lower case.
	pub text: String,
	/// The concepts it names.
	pub concepts: Vec<ConceptId>,
}

impl Token {
	/// The key two tokens are compared by: the word itself when it names no concept.
	pub fn keys(&self) -> impl Iterator<Item = TokenKey> + '_ {
		let word = self.concepts.is_empty().then(|| TokenKey::Word(self.text.clone()));
		self.concepts.iter().map(|c| TokenKey::Concept(*c)).chain(word)
	}

	/// Whether two tokens mean the same: the same word or a concept in common.
	pub fn matches(&self, other: &Token) -> bool {
		self.text == other.text || self.concepts.iter().any(|c| other.concepts.contains(c))
	}
}

/// What a token is compared by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKey {
	/// A glossary concept.
	Concept(ConceptId),
	/// A word the glossary does not know.
	Word(String),
}

/// The glossary: concept names, and which concepts each word, phrase and abbreviation names.
#[derive(Debug, Default)]
pub struct Glossary {
	concepts: Vec<String>,
	/// The concepts each composite concept is made of (`birth_date`: `birth`, `date`).
	parts: HashMap<ConceptId, Vec<ConceptId>>,
	terms: HashMap<String, Vec<ConceptId>>,
	longest_phrase: usize,
	longest_chinese: usize,
}

impl Glossary {
	/// The glossary of the repository (`client/data/glossary.tsv`).
	pub fn builtin() -> &'static Glossary {
		static BUILT: OnceLock<Glossary> = OnceLock::new();
		BUILT.get_or_init(|| Glossary::parse(BUILTIN).expect("the committed glossary parses; qed"))
	}

	/// Reads a glossary: `concept<TAB>English<TAB>Chinese<TAB>abbreviations` a line, and
	/// optionally a fifth column, the concepts a composite one is made of; lists separated by
	/// `|`, `#` comments.
	pub fn parse(text: &str) -> Result<Glossary> {
		let mut glossary = Glossary::default();
		let mut composites: Vec<(ConceptId, usize, String)> = Vec::new();
		for (number, line) in text.lines().enumerate() {
			let line = line.trim_end_matches('\r');
			if line.trim().is_empty() || line.starts_with('#') {
				continue;
			}
			let columns: Vec<&str> = line.split('\t').collect();
			if !(4..=5).contains(&columns.len()) || columns[0].is_empty() {
				return Err(RelationsError::Glossary {
					line: number + 1,
					reason: "expected concept, English, Chinese, abbreviations (and parts) \
					         separated by tabs"
						.into(),
				}
				.into());
			}
			let id = glossary.concepts.len() as ConceptId;
			glossary.concepts.push(columns[0].to_string());
			for term in columns[1..4].iter().flat_map(|list| list.split('|')) {
				glossary.add_term(term, id);
			}
			if let Some(parts) = columns.get(4).filter(|p| !p.is_empty()) {
				composites.push((id, number + 1, parts.to_string()));
			}
		}
		for (id, line, parts) in composites {
			let mut found = Vec::new();
			for part in parts.split('|') {
				let part_id =
					glossary.concepts.iter().position(|c| c == part).ok_or_else(|| {
						let reason = format!("no concept `{part}`");
						RelationsError::Glossary { line, reason }
					})?;
				found.push(part_id as ConceptId);
			}
			glossary.parts.insert(id, found);
		}
		Ok(glossary)
	}

	/// A concept's id, by its name.
	pub fn concept_id(&self, name: &str) -> Option<ConceptId> {
		self.concepts.iter().position(|c| c == name).map(|i| i as ConceptId)
	}

	/// Keys with the parts of their composite concepts added (`birth_date` brings `birth`
	/// and `date`).
	pub fn with_parts(&self, keys: &BTreeSet<TokenKey>) -> BTreeSet<TokenKey> {
		let mut out = keys.clone();
		for key in keys {
			if let TokenKey::Concept(c) = key {
				let parts = self.parts.get(c).into_iter().flatten();
				out.extend(parts.map(|p| TokenKey::Concept(*p)));
			}
		}
		out
	}

	fn add_term(&mut self, term: &str, id: ConceptId) {
		let words = split_words(term);
		if words.is_empty() {
			return;
		}
		let key = words.join(" ");
		self.longest_phrase = self.longest_phrase.max(words.len());
		if words.len() > 1 {
			// `birth date` is also written `birthdate`.
			self.insert(words.concat(), id);
		}
		if key.chars().all(is_cjk) {
			self.longest_chinese = self.longest_chinese.max(key.chars().count());
		}
		self.insert(key, id);
	}

	fn insert(&mut self, key: String, id: ConceptId) {
		let ids = self.terms.entry(key).or_default();
		if !ids.contains(&id) {
			ids.push(id);
		}
	}

	/// The name of a concept.
	pub fn concept(&self, id: ConceptId) -> &str {
		self.concepts.get(id as usize).map(String::as_str).unwrap_or("?")
	}

	/// How many concepts it has.
	pub fn len(&self) -> usize {
		self.concepts.len()
	}

	/// Whether it has no concepts.
	pub fn is_empty(&self) -> bool {
		self.concepts.is_empty()
	}

	/// The concepts a word names, trying its singular too (`names`).
	fn lookup(&self, word: &str) -> Option<&Vec<ConceptId>> {
		self.terms.get(word).or_else(|| {
			let singular = word.strip_suffix('s').filter(|w| w.len() >= 3)?;
			self.terms.get(singular)
		})
	}

	/// The tokens of a name or comment.
	pub fn tokens(&self, text: &str) -> Vec<Token> {
		let mut words = Vec::new();
		for word in split_words(text) {
			if word.chars().all(is_cjk) {
				words.extend(self.segment_chinese(&word));
			} else {
				words.push(word);
			}
		}
		let mut tokens = Vec::with_capacity(words.len());
		let mut i = 0;
		while i < words.len() {
			let (token, used) = self.phrase_at(&words[i..]);
			i += used;
			if STOP_WORDS.contains(&token.text.as_str()) {
				continue;
			}
			match token.concepts.is_empty() {
				true => tokens.extend(self.split_abbreviations(&token.text).unwrap_or(vec![token])),
				false => tokens.push(token),
			}
		}
		tokens
	}

	/// The longest glossary phrase starting `words` (or its first word), and how many words
	/// it took.
	fn phrase_at(&self, words: &[String]) -> (Token, usize) {
		for len in (2..=self.longest_phrase.min(words.len())).rev() {
			let part = &words[..len];
			let found = self.terms.get(&part.join(" ")).or_else(|| self.terms.get(&part.concat()));
			if let Some(ids) = found {
				return (Token { text: part.concat(), concepts: ids.clone() }, len);
			}
		}
		let word = words[0].clone();
		let concepts = self.lookup(&word).cloned().unwrap_or_default();
		(Token { text: word, concepts }, 1)
	}

	/// A Chinese run split into the glossary's longest words, single characters between them.
	fn segment_chinese(&self, run: &str) -> Vec<String> {
		let chars: Vec<char> = run.chars().collect();
		let mut out = Vec::new();
		let mut i = 0;
		while i < chars.len() {
			let longest = self.longest_chinese.min(chars.len() - i);
			let len = (2..=longest)
				.rev()
				.find(|len| self.terms.contains_key(&chars[i..i + len].iter().collect::<String>()))
				.unwrap_or(1);
			out.push(chars[i..i + len].iter().collect());
			i += len;
		}
		out
	}

	/// An unknown ASCII word as known words and abbreviations of two letters or more, if it
	/// is entirely made of them (fewest pieces).
	fn split_abbreviations(&self, word: &str) -> Option<Vec<Token>> {
		if !word.is_ascii() || word.len() < 4 || word.len() > 24 {
			return None;
		}
		let n = word.len();
		// best[i]: the fewest pieces covering word[..i], and where the last piece starts.
		let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
		best[0] = Some((0, 0));
		for end in 2..=n {
			best[end] = (0..=end - 2)
				.filter_map(|start| {
					let (pieces, _) = best[start]?;
					self.terms.contains_key(&word[start..end]).then_some((pieces + 1, start))
				})
				.min();
		}
		let mut tokens = Vec::new();
		let mut end = n;
		while end > 0 {
			let (_, start) = best[end]?;
			let text = word[start..end].to_string();
			let concepts = self.terms.get(&text).cloned().unwrap_or_default();
			tokens.push(Token { text, concepts });
			end = start;
		}
		tokens.reverse();
		(tokens.len() > 1).then_some(tokens)
	}

	/// The concept keys of a text, as a set.
	pub fn keys(&self, text: &str) -> BTreeSet<TokenKey> {
		self.tokens(text).iter().flat_map(Token::keys).collect()
	}
}

/// Whether `c` is a CJK ideograph.
pub fn is_cjk(c: char) -> bool {
	matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// The words of a name: split at anything but letters and digits, at camel case
/// (`PatientName`, `HTTPServer`), between letters and digits, and between scripts; lower
/// case.
pub fn split_words(text: &str) -> Vec<String> {
	let chars: Vec<char> = text.chars().collect();
	let mut words = Vec::new();
	let mut current = String::new();
	for (i, &c) in chars.iter().enumerate() {
		if !c.is_alphanumeric() {
			flush(&mut current, &mut words);
			continue;
		}
		if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
			let next = chars.get(i + 1).copied();
			if boundary(prev, c, next) {
				flush(&mut current, &mut words);
			}
		}
		current.extend(c.to_lowercase());
	}
	flush(&mut current, &mut words);
	words
}

/// Whether a word ends between `prev` and `c` (`next` follows `c`).
fn boundary(prev: char, c: char, next: Option<char>) -> bool {
	let camel = prev.is_lowercase() && c.is_uppercase();
	let acronym_end =
		prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase);
	let digits = prev.is_ascii_digit() != c.is_ascii_digit();
	let script = is_cjk(prev) != is_cjk(c);
	camel || acronym_end || digits || script
}

fn flush(current: &mut String, words: &mut Vec<String>) {
	if !current.is_empty() {
		words.push(std::mem::take(current));
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn texts(tokens: &[Token]) -> Vec<&str> {
		tokens.iter().map(|t| t.text.as_str()).collect()
	}

	fn concepts(text: &str) -> Vec<String> {
		let g = Glossary::builtin();
		g.tokens(text)
			.iter()
			.map(|t| t.concepts.iter().map(|c| g.concept(*c)).collect::<Vec<_>>().join("/"))
			.collect()
	}

	#[test]
	fn words_split_at_separators_camel_case_digits_and_scripts() {
		assert_eq!(split_words("patient_name"), ["patient", "name"]);
		assert_eq!(split_words("PatientName"), ["patient", "name"]);
		assert_eq!(split_words("HTTPServer2x"), ["http", "server", "2", "x"]);
		assert_eq!(split_words("PAT-ID.no"), ["pat", "id", "no"]);
		assert_eq!(split_words("患者ID"), ["患者", "id"]);
	}

	#[test]
	fn synonyms_abbreviations_and_both_languages_name_the_same_concepts() {
		assert_eq!(concepts("pat_nm"), concepts("patient_name"));
		assert_eq!(concepts("患者姓名"), concepts("patient_name"));
		assert_eq!(concepts("病人名字"), concepts("PatientName"));
		assert_eq!(concepts("就诊者姓名"), concepts("患者姓名"));
		assert_eq!(concepts("dob"), concepts("date_of_birth"));
		assert_eq!(concepts("出生年月"), concepts("出生日期"));
		assert_eq!(concepts("BirthDate"), concepts("出生日期"));
		assert_eq!(concepts("names"), concepts("name"));
	}

	#[test]
	fn chinese_runs_take_the_longest_glossary_words() {
		let g = Glossary::builtin();
		assert_eq!(texts(&g.tokens("患者身份证号码")), ["患者", "身份证号码"]);
		// Unknown characters stand alone; stop words go.
		assert_eq!(texts(&g.tokens("患者的鞋码")), ["患者", "鞋", "码"]);
	}

	#[test]
	fn pinyin_initials_split_into_known_abbreviations() {
		assert_eq!(concepts("BRXM"), concepts("病人姓名"));
		assert_eq!(concepts("csrq"), concepts("出生日期"));
		// An unknown word that is not made of known pieces stays whole.
		let g = Glossary::builtin();
		assert_eq!(texts(&g.tokens("qwzzv")), ["qwzzv"]);
		assert!(g.tokens("qwzzv")[0].concepts.is_empty());
	}

	#[test]
	fn composite_concepts_bring_their_parts() {
		let g = Glossary::builtin();
		let dob = g.with_parts(&g.keys("dob"));
		let date = g.keys("date");
		assert!(date.is_subset(&dob), "{dob:?}");
		assert!(g.keys("birth").is_subset(&dob));
		assert_eq!(g.with_parts(&date), date);
	}

	#[test]
	fn a_malformed_glossary_is_refused_with_its_line() {
		let err = Glossary::parse("# fine\nconcept\tonly two\n").unwrap_err();
		assert!(err.to_string().contains("line 2"), "{err}");
		let g = Glossary::parse("a\tx|y z\t甲\tq\n").expect("parses");
		assert_eq!(g.len(), 1);
		let err = Glossary::parse("a\tx\t甲\tq\tnone\n").unwrap_err();
		assert!(err.to_string().contains("no concept `none`"), "{err}");
		assert!(g.tokens("y_z")[0].concepts == [0]);
		assert!(g.tokens("yz")[0].concepts == [0]);
	}
}
