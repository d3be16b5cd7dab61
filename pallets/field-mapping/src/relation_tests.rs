//! Unit tests of relations: each call, each of its errors, the read queries and carry-over.

use frame_support::{assert_noop, assert_ok, BoundedVec};
use pallet_data_sources::{Operation, ResourceId, ResourceKind, SourceStatus, SystemKind};
use sp_runtime::{DispatchError, Permill};

use crate::{
	mock::*,
	tests::{item, signed},
	Error, Event, *,
};

/// A source of `owner`'s institution with one table of `items`, registered: its resource id.
fn table(owner: AccountId, name: &str, items: &[&str]) -> ResourceId {
	assert_ok!(DataSources::register_source(
		signed(owner),
		text(name),
		SystemKind::His,
		vec![text("OUTPATIENT")].try_into().expect("one")
	));
	let source = pallet_data_sources::NextSourceId::<Test>::get() - 1;
	assert_ok!(DataSources::register_resource(
		signed(owner),
		source,
		text("public.patient"),
		Box::new(ResourceKind::Table {
			database: text("his"),
			schema: text("public"),
			table: text("patient"),
		}),
		text("pg://127.0.0.1/his"),
		vec![Operation::Collect].try_into().expect("one"),
		[1; 32],
		items.len() as u32
	));
	let resource = pallet_data_sources::NextResourceId::<Test>::get() - 1;
	let infos: Vec<ItemInfo<Test>> = items.iter().map(|n| item(n)).collect();
	assert_ok!(FieldMapping::register_items(
		signed(owner),
		resource,
		1,
		infos.try_into().expect("within the bound")
	));
	resource
}

fn at(resource: ResourceId, version: u32, item: &str) -> ItemRef<Test> {
	ItemRef { resource, version, item: text(item) }
}

fn proposal(
	left: ItemRef<Test>,
	right: ItemRef<Test>,
	kind: RelationKind,
) -> RelationProposal<Test> {
	RelationProposal { left, right, kind, score: Permill::from_percent(90), evidence: [7; 32] }
}

fn propose(who: AccountId, proposals: Vec<RelationProposal<Test>>) -> sp_runtime::DispatchResult {
	let batch: BoundedVec<_, _> = proposals.try_into().expect("within the bound");
	FieldMapping::propose_relations(signed(who), batch)
}

fn status(id: RelationId) -> RelationStatus {
	Relations::<Test>::get(id).expect("stored").status
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

/// Institution 1's table 0 (`name`, `age`, `sex`) and institution 2's table 1 (`姓名`,
/// `年龄`, `name`).
fn two_hospitals() -> (ResourceId, ResourceId) {
	(table(10, "门诊HIS", &["name", "age", "sex"]), table(20, "检验LIS", &["姓名", "年龄", "name"]))
}

#[test]
fn a_relation_between_two_institutions_is_confirmed_by_the_other_side() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = two_hospitals();
		assert_ok!(propose(
			10,
			vec![proposal(at(a, 1, "name"), at(b, 1, "姓名"), RelationKind::Same)]
		));
		assert_eq!(
			last_event(),
			Event::RelationProposed { relation: 0, proposer: 1, kind: RelationKind::Same }.into()
		);
		let relation = Relations::<Test>::get(0).expect("stored");
		assert_eq!(relation.status, RelationStatus::Proposed);
		assert!(relation.left.accepted && !relation.right.accepted);
		assert_eq!((relation.left.institution, relation.right.institution), (1, 2));
		assert_eq!((relation.left.source, relation.right.source), (0, 1));
		assert_eq!(relation.evidence, [7; 32]);
		assert_eq!(FieldMapping::awaiting(2, 0, 10).len(), 1);
		assert!(FieldMapping::awaiting(1, 0, 10).is_empty());

		assert_ok!(FieldMapping::accept_relation(signed(21), 0));
		assert_eq!(last_event(), Event::RelationConfirmed { relation: 0 }.into());
		assert_eq!(status(0), RelationStatus::Confirmed);
		assert!(FieldMapping::awaiting(2, 0, 10).is_empty());

		assert_eq!(FieldMapping::relations_of_item(a, 1, b"name").len(), 1);
		assert_eq!(FieldMapping::relations_of_item(b, 1, "姓名".as_bytes()).len(), 1);
		assert!(FieldMapping::relations_of_item(a, 1, b"age").is_empty());
		assert_eq!(FieldMapping::relations_of_resource(a).len(), 1);
		assert_eq!(FieldMapping::relations_between(0, 1, 0, 10).len(), 1);
		assert_eq!(FieldMapping::relations_between(1, 0, 0, 10).len(), 1);
		assert!(FieldMapping::relations_between(0, 1, 1, 10).is_empty());
	});
}

#[test]
fn within_one_institution_the_proposal_is_the_confirmation() {
	ExtBuilder::default().build_and_execute(|| {
		let a = table(10, "门诊HIS", &["name"]);
		let b = table(11, "住院HIS", &["patient_name"]);
		assert_ok!(propose(
			11,
			vec![proposal(at(a, 1, "name"), at(b, 1, "patient_name"), RelationKind::Same)]
		));
		assert_eq!(last_event(), Event::RelationConfirmed { relation: 0 }.into());
		assert_eq!(status(0), RelationStatus::Confirmed);
		assert!(FieldMapping::awaiting(1, 0, 10).is_empty());
	});
}

#[test]
fn a_third_institution_may_propose_and_both_owners_decide() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = two_hospitals();
		assert_ok!(propose(
			30,
			vec![proposal(at(a, 1, "age"), at(b, 1, "年龄"), RelationKind::Same)]
		));
		assert_eq!(FieldMapping::awaiting(1, 0, 10).len(), 1);
		assert_eq!(FieldMapping::awaiting(2, 0, 10).len(), 1);
		assert_noop!(FieldMapping::accept_relation(signed(30), 0), Error::<Test>::NotAuthorized);
		assert_ok!(FieldMapping::accept_relation(signed(10), 0));
		assert_eq!(last_event(), Event::RelationAccepted { relation: 0, institution: 1 }.into());
		assert_noop!(FieldMapping::accept_relation(signed(12), 0), Error::<Test>::NotAuthorized);
		assert_eq!(status(0), RelationStatus::Proposed);
		assert_ok!(FieldMapping::accept_relation(signed(20), 0));
		assert_eq!(status(0), RelationStatus::Confirmed);
		assert_noop!(FieldMapping::accept_relation(signed(20), 0), Error::<Test>::NotProposed);
	});
}

#[test]
fn a_rejected_relation_closes_and_the_pair_may_be_proposed_again() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = two_hospitals();
		let pair =
			|| proposal(at(a, 1, "name"), at(b, 1, "name"), RelationKind::SameNameDifferentMeaning);
		assert_ok!(propose(10, vec![pair()]));
		// The proposer already accepted; a third institution has no say.
		assert_noop!(FieldMapping::reject_relation(signed(10), 0), Error::<Test>::NotAuthorized);
		assert_noop!(FieldMapping::reject_relation(signed(30), 0), Error::<Test>::NotAuthorized);
		assert_ok!(FieldMapping::reject_relation(signed(20), 0));
		assert_eq!(last_event(), Event::RelationRejected { relation: 0, institution: 2 }.into());
		assert_eq!(status(0), RelationStatus::Rejected);
		assert!(FieldMapping::relations_of_item(a, 1, b"name").is_empty());
		assert!(FieldMapping::awaiting(2, 0, 10).is_empty());
		assert_noop!(FieldMapping::reject_relation(signed(20), 0), Error::<Test>::NotProposed);
		assert_noop!(FieldMapping::accept_relation(signed(20), 0), Error::<Test>::NotProposed);
		assert_ok!(propose(10, vec![pair()]));
		assert_eq!(status(1), RelationStatus::Proposed);
	});
}

#[test]
fn the_proposer_withdraws_a_proposal_and_an_owner_a_confirmed_relation() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = two_hospitals();
		assert_ok!(propose(
			10,
			vec![
				proposal(at(a, 1, "name"), at(b, 1, "姓名"), RelationKind::Same),
				proposal(at(a, 1, "age"), at(b, 1, "年龄"), RelationKind::Related),
			]
		));
		assert_noop!(FieldMapping::withdraw_relation(signed(20), 0), Error::<Test>::NotAuthorized);
		assert_ok!(FieldMapping::withdraw_relation(signed(11), 0));
		assert_eq!(last_event(), Event::RelationWithdrawn { relation: 0, institution: 1 }.into());
		assert_eq!(status(0), RelationStatus::Withdrawn);
		assert_noop!(FieldMapping::withdraw_relation(signed(10), 0), Error::<Test>::NotOpen);
		assert!(FieldMapping::awaiting(2, 0, 10).len() == 1);

		assert_ok!(FieldMapping::accept_relation(signed(20), 1));
		assert_noop!(FieldMapping::withdraw_relation(signed(30), 1), Error::<Test>::NotAuthorized);
		assert_ok!(FieldMapping::withdraw_relation(signed(20), 1));
		assert_eq!(status(1), RelationStatus::Withdrawn);
		assert!(FieldMapping::relations_of_resource(a).is_empty());
	});
}

#[test]
fn bad_proposals_are_refused_and_change_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = two_hospitals();
		let same = RelationKind::Same;
		assert_noop!(propose(10, vec![]), Error::<Test>::NoItems);
		assert_noop!(
			FieldMapping::propose_relations(signed(99), BoundedVec::new()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			propose(10, vec![proposal(at(a, 1, "name"), at(b, 1, "no such"), same)]),
			Error::<Test>::NotFound
		);
		assert_noop!(
			propose(10, vec![proposal(at(a, 1, "name"), at(9, 1, "name"), same)]),
			Error::<Test>::NotFound
		);
		assert_noop!(
			propose(10, vec![proposal(at(a, 1, "name"), at(a, 1, "name"), same)]),
			Error::<Test>::SelfRelation
		);
		assert_noop!(
			propose(
				10,
				vec![proposal(
					at(a, 1, "name"),
					at(b, 1, "姓名"),
					RelationKind::SameNameDifferentDomain
				)]
			),
			Error::<Test>::KindMismatch
		);
		// A score above 1 cannot be built, nor decoded.
		assert_eq!(Permill::from_parts(1_000_001), Permill::one());
		assert!(<Permill as codec::Decode>::decode(&mut &codec::Encode::encode(&1_000_001u32)[..])
			.is_err());
		// The same pair twice in one batch, or either way round while open.
		assert_noop!(
			propose(
				10,
				vec![
					proposal(at(a, 1, "name"), at(b, 1, "姓名"), same),
					proposal(at(b, 1, "姓名"), at(a, 1, "name"), RelationKind::Related),
				]
			),
			Error::<Test>::AlreadyExists
		);
		assert_ok!(propose(10, vec![proposal(at(a, 1, "name"), at(b, 1, "姓名"), same)]));
		assert_noop!(
			propose(20, vec![proposal(at(b, 1, "姓名"), at(a, 1, "name"), same)]),
			Error::<Test>::AlreadyExists
		);
		// An item in `MaxRelationsPerItem` (2) open relations takes no third.
		assert_ok!(propose(10, vec![proposal(at(a, 1, "name"), at(b, 1, "name"), same)]));
		assert_noop!(
			propose(10, vec![proposal(at(a, 1, "name"), at(b, 1, "年龄"), same)]),
			Error::<Test>::TooManyRelations
		);
		// A version in `MaxRelationsPerVersion` (4) takes no fifth.
		assert_ok!(propose(
			10,
			vec![
				proposal(at(a, 1, "age"), at(b, 1, "年龄"), same),
				proposal(at(a, 1, "sex"), at(b, 1, "年龄"), RelationKind::Related),
			]
		));
		assert_noop!(
			propose(10, vec![proposal(at(a, 1, "age"), at(b, 1, "name"), same)]),
			Error::<Test>::TooManyRelations
		);
		// Decisions on relations that do not exist.
		assert_noop!(FieldMapping::accept_relation(signed(20), 99), Error::<Test>::UnknownRelation);
		assert_noop!(FieldMapping::reject_relation(signed(20), 99), Error::<Test>::UnknownRelation);
		assert_noop!(
			FieldMapping::withdraw_relation(signed(20), 99),
			Error::<Test>::UnknownRelation
		);
		assert_noop!(FieldMapping::accept_relation(signed(99), 0), DispatchError::BadOrigin);
	});
}

#[test]
fn only_current_versions_of_active_sources_are_related() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = two_hospitals();
		assert_ok!(DataSources::add_version(signed(10), a, [2; 32], 1));
		assert_noop!(
			propose(10, vec![proposal(at(a, 1, "name"), at(b, 1, "姓名"), RelationKind::Same)]),
			Error::<Test>::StaleVersion
		);
		assert_ok!(DataSources::set_source_status(signed(20), 1, SourceStatus::Retired));
		assert_noop!(
			propose(30, vec![proposal(at(b, 1, "name"), at(b, 1, "姓名"), RelationKind::Related)]),
			Error::<Test>::SourceRetired
		);
	});
}

#[test]
fn a_new_version_carries_unchanged_items_relations_and_supersedes_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = two_hospitals();
		assert_ok!(propose(
			10,
			vec![
				proposal(at(a, 1, "name"), at(b, 1, "姓名"), RelationKind::Same),
				proposal(at(a, 1, "age"), at(b, 1, "年龄"), RelationKind::Same),
				proposal(at(a, 1, "sex"), at(b, 1, "name"), RelationKind::Related),
			]
		));
		assert_ok!(FieldMapping::accept_relation(signed(20), 0));
		assert_ok!(FieldMapping::accept_relation(signed(20), 1));

		// Version 2: `name` unchanged, `age` now an integer, `sex` gone, `birth` new.
		assert_ok!(DataSources::add_version(signed(10), a, [2; 32], 3));
		let mut age = item("age");
		age.data_type = text("integer");
		let first: BoundedVec<_, _> = vec![item("name"), age].try_into().expect("two");
		let info = FieldMapping::register_items(signed(10), a, 2, first).expect("registered");
		assert_eq!(
			last_event(),
			Event::RelationsCarriedOver { resource: a, version: 2, carried: 1, superseded: 1 }
				.into()
		);
		let charged = FieldMapping::register_items_weight(2, FieldMapping::max_moved());
		assert!(info.actual_weight.expect("refunded").ref_time() < charged.ref_time());
		let carried = Relations::<Test>::get(0).expect("stored");
		assert_eq!(carried.status, RelationStatus::Confirmed);
		assert_eq!(carried.left.item, at(a, 2, "name"));
		assert_eq!(status(1), RelationStatus::Superseded);
		assert_eq!(status(2), RelationStatus::Proposed);
		assert_eq!(FieldMapping::relations_of_item(a, 2, b"name").len(), 1);
		assert!(FieldMapping::relations_of_item(a, 1, b"name").is_empty());

		// Completing version 2 supersedes what `sex` had.
		let last: BoundedVec<_, _> = vec![item("birth")].try_into().expect("one");
		assert_ok!(FieldMapping::register_items(signed(10), a, 2, last));
		assert_eq!(
			last_event(),
			Event::RelationsCarriedOver { resource: a, version: 2, carried: 0, superseded: 1 }
				.into()
		);
		assert_eq!(status(2), RelationStatus::Superseded);
		assert!(FieldMapping::awaiting(2, 0, 10).is_empty());
		assert_eq!(FieldMapping::relations_of_resource(a).len(), 1);
		// The carried relation's pair is the new one: the old pair is free, the new one not.
		assert_noop!(
			propose(20, vec![proposal(at(b, 1, "姓名"), at(a, 2, "name"), RelationKind::Same)]),
			Error::<Test>::AlreadyExists
		);
	});
}
