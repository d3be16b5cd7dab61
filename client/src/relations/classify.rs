//! From evidence to a kind of relation and a score: how sure the matcher is that two items
//! are the same data, and what tells "same name, different value domain" and "same name,
//! different meaning" from "same".

use pallet_field_mapping::RelationKind;

use super::{field::UnitRelation, signals::Evidence};

/// A score below which no candidate is reported, whatever `--min-score` says.
pub const FLOOR: f64 = 0.3;

/// How sure the matcher is that two items hold the same data (0–1).
pub fn sameness(e: &Evidence) -> f64 {
	let name = e.name();
	let definition = e.definition.unwrap_or(name);
	let mut s = 0.6 * name + 0.25 * definition + 0.15 * e.data_type;
	if let Some(length) = e.length {
		s += 0.03 * (length - 0.5);
	}
	s += if e.nullability { 0.01 } else { -0.01 };
	match e.standard_element {
		Some(true) => s = s.max(0.9) + 0.05,
		Some(false) => s *= 0.6,
		None => {}
	}
	match e.value_domain {
		Some(true) => s += 0.05,
		Some(false) => s -= 0.1,
		None => {}
	}
	if e.unit == Some(UnitRelation::Different) {
		s *= 0.6;
	}
	if let (Some(overlap), Some(likeness)) = (e.value_overlap, e.profile_likeness) {
		s = 0.7 * s + 0.15 * overlap.sqrt() + 0.15 * likeness;
		// Columns holding largely the same values of the same shape hold the same data,
		// whatever their names, unless the names or definitions say nothing of it (dates
		// and small codes recur in unrelated columns).
		let said = e.name() >= 0.25 || e.definition.is_some_and(|d| d >= 0.25);
		if overlap >= 0.3 && likeness >= 0.6 && e.data_type >= 0.4 && said {
			s = s.max(0.55 + 0.4 * overlap.sqrt());
		}
	}
	if let Some(structure) = e.structure {
		s += 0.1 * structure * name;
	}
	s.clamp(0.0, 1.0)
}

/// The kind of relation the evidence shows, and how sure the matcher is of it; `None` when
/// the items are not worth a person's look.
pub fn classify(e: &Evidence) -> Option<(RelationKind, f64)> {
	let s = sameness(e);
	if e.same_name {
		return Some(same_name(e, s));
	}
	let units_differ =
		matches!(e.unit, Some(UnitRelation::SameQuantity | UnitRelation::Convertible));
	if e.extends {
		// The same thing, perhaps held another way: the same data if the values say so.
		return Some(match e.value_overlap {
			Some(o) if o >= 0.3 && e.data_type >= 0.4 => (RelationKind::Same, s.max(0.75)),
			_ => (RelationKind::Related, s.max(0.6)),
		});
	}
	if e.standard_element == Some(true) || (s >= 0.72 && e.data_type >= 0.4) {
		if units_differ || e.value_domain == Some(false) || e.refers || e.reference {
			return Some((RelationKind::Related, s));
		}
		return Some((RelationKind::Same, s));
	}
	if e.reference {
		return Some((RelationKind::Related, 0.6 + 0.3 * e.data_type));
	}
	if units_differ && e.name_words >= 0.5 {
		return Some((RelationKind::Related, s.max(0.5)));
	}
	if e.name_words >= 0.5 && s >= 0.5 {
		return Some((RelationKind::Related, s));
	}
	if e.name_characters >= 0.88 || (e.name_words >= 0.4 && e.name_characters >= 0.75) {
		return Some((RelationKind::SimilarName, 0.5 * e.name_characters + 0.5 * e.name()));
	}
	(s >= 0.55).then_some((RelationKind::Related, s)).filter(|(_, s)| *s >= FLOOR)
}

/// Items of the same name: the same data, unless their standard elements, definitions or
/// types say another meaning, or their representations, code systems, units or values
/// another value domain.
///
/// Meaning is read from the definitions: one that does not use the name in its sense
/// (`unit`: 计量单位 against "organizational unit that performed the test"), or qualifiers
/// with nothing in common (标本类型 against "type of the report") where the values do not
/// say otherwise. A value domain differs when the definitions name other representations
/// of the same thing (a code against a name or a description), or the code systems, the
/// values or the types differ.
fn same_name(e: &Evidence, s: f64) -> (RelationKind, f64) {
	if e.standard_element == Some(false) {
		return (RelationKind::SameNameDifferentMeaning, 0.9);
	}
	if e.name_sense == Some(false) {
		return (RelationKind::SameNameDifferentMeaning, 0.85);
	}
	if e.representation == Some(false) {
		return (RelationKind::SameNameDifferentDomain, 0.85);
	}
	let values_agree = e.value_overlap.is_some_and(|o| o >= 0.3);
	let qualifiers_apart = e.qualifiers.is_some_and(|q| q < 0.15)
		&& !values_agree
		&& (e.value_overlap.is_some() || e.definition.is_some_and(|d| d < 0.35));
	if qualifiers_apart && e.unit.is_none() {
		return (RelationKind::SameNameDifferentMeaning, 0.75);
	}
	let definition_apart = e.definition.is_some_and(|d| d < 0.15);
	if definition_apart && e.data_type < 0.4 {
		return (RelationKind::SameNameDifferentMeaning, 0.85);
	}
	if e.value_domain == Some(false) {
		return (RelationKind::SameNameDifferentDomain, 0.85);
	}
	if e.unit == Some(UnitRelation::Different) {
		return (RelationKind::SameNameDifferentMeaning, 0.8);
	}
	if matches!(e.unit, Some(UnitRelation::SameQuantity | UnitRelation::Convertible)) {
		return (RelationKind::Related, 0.8);
	}
	if let (Some(overlap), Some(likeness)) = (e.value_overlap, e.profile_likeness) {
		if overlap < 0.05 && (likeness < 0.6 || e.value_shape == Some(false)) {
			return (RelationKind::SameNameDifferentDomain, 0.7 + 0.2 * (1.0 - likeness));
		}
	}
	if definition_apart {
		return (RelationKind::SameNameDifferentMeaning, 0.7);
	}
	if e.data_type < 0.4 {
		return (RelationKind::SameNameDifferentDomain, 0.7);
	}
	(RelationKind::Same, s)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn evidence() -> Evidence {
		Evidence {
			same_name: true,
			name_words: 1.0,
			name_characters: 1.0,
			definition: Some(0.8),
			data_type: 1.0,
			nullability: true,
			..Default::default()
		}
	}

	#[test]
	fn same_names_with_like_definitions_and_types_are_the_same() {
		let (kind, score) = classify(&evidence()).expect("a candidate");
		assert_eq!(kind, RelationKind::Same);
		assert!(score > 0.9, "{score}");
	}

	#[test]
	fn same_names_apart_in_element_definition_or_domain_are_told_apart() {
		let mut e = evidence();
		e.standard_element = Some(false);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentMeaning);
		let mut e = evidence();
		e.definition = Some(0.0);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentMeaning);
		let mut e = evidence();
		e.value_domain = Some(false);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentDomain);
		let mut e = evidence();
		e.value_overlap = Some(0.0);
		e.profile_likeness = Some(0.3);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentDomain);
		let mut e = evidence();
		e.data_type = 0.1;
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentDomain);
		// Values of another shape, none in common: codes `0|1|2` against `final|amended`.
		let mut e = evidence();
		e.value_overlap = Some(0.0);
		e.profile_likeness = Some(0.67);
		assert_eq!(classify(&e).expect("one").0, RelationKind::Same);
		e.value_shape = Some(false);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentDomain);
	}

	#[test]
	fn definitions_tell_another_sense_another_representation_and_other_qualifiers() {
		let mut e = evidence();
		e.name_sense = Some(false);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentMeaning);
		let mut e = evidence();
		e.name_sense = Some(true);
		e.representation = Some(false);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentDomain);
		let mut e = evidence();
		e.qualifiers = Some(0.0);
		e.value_overlap = Some(0.0);
		e.profile_likeness = Some(0.9);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentMeaning);
		// Values in common outweigh differently worded definitions.
		e.value_overlap = Some(0.8);
		assert_eq!(classify(&e).expect("one").0, RelationKind::Same);
		// Without values, only definitions far apart overall say another meaning.
		let mut e = evidence();
		e.qualifiers = Some(0.0);
		assert_eq!(classify(&e).expect("one").0, RelationKind::Same);
		e.definition = Some(0.3);
		assert_eq!(classify(&e).expect("one").0, RelationKind::SameNameDifferentMeaning);
	}

	#[test]
	fn another_unit_of_the_same_quantity_is_related_not_same() {
		let mut e = evidence();
		e.unit = Some(UnitRelation::Convertible);
		assert_eq!(classify(&e).expect("one").0, RelationKind::Related);
		e.same_name = false;
		assert_eq!(classify(&e).expect("one").0, RelationKind::Related);
	}

	#[test]
	fn other_names_are_same_related_similar_or_nothing() {
		let mut e = evidence();
		e.same_name = false;
		assert_eq!(classify(&e).expect("one").0, RelationKind::Same);
		let mut e = Evidence {
			name_characters: 0.9,
			data_type: 1.0,
			definition: Some(0.0),
			..Default::default()
		};
		assert_eq!(classify(&e).expect("one").0, RelationKind::SimilarName);
		e.name_characters = 0.3;
		assert_eq!(classify(&e), None);
		e.reference = true;
		assert_eq!(classify(&e).expect("one").0, RelationKind::Related);
		let e = Evidence { standard_element: Some(true), data_type: 0.4, ..Default::default() };
		assert_eq!(classify(&e).expect("one").0, RelationKind::Same);
		// A column naming another table's entity refers to it.
		let e = Evidence { refers: true, ..e };
		assert_eq!(classify(&e).expect("one").0, RelationKind::Related);
	}

	#[test]
	fn a_name_extended_by_representation_is_related_unless_the_values_agree() {
		let mut e =
			Evidence { extends: true, name_words: 0.6, data_type: 1.0, ..Default::default() };
		assert_eq!(classify(&e).expect("one").0, RelationKind::Related);
		e.value_overlap = Some(0.9);
		e.profile_likeness = Some(0.9);
		assert_eq!(classify(&e).expect("one").0, RelationKind::Same);
	}

	#[test]
	fn shared_values_alone_do_not_make_unrelated_names_the_same() {
		let mut e = Evidence {
			data_type: 1.0,
			value_overlap: Some(0.9),
			profile_likeness: Some(0.9),
			..Default::default()
		};
		assert!(sameness(&e) < 0.55, "{}", sameness(&e));
		e.name_words = 0.5;
		assert!(sameness(&e) >= 0.9, "{}", sameness(&e));
	}
}
