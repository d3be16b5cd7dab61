//! Unit tests: the call and each of its errors.

use frame_support::{assert_noop, assert_ok, BoundedVec};
use pallet_data_sources::{Operation, ResourceKind, SourceStatus, SystemKind};
use sp_runtime::DispatchError;

use medtrust_primitives::text::BoundedText;

use crate::{mock::*, Error, Event, *};

pub(crate) fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

pub(crate) fn item(name: &str) -> ItemInfo<Test> {
	ItemInfo {
		name: text(name),
		data_type: text("varchar"),
		length: Some(50),
		precision: None,
		scale: None,
		nullable: false,
		definition: text("患者姓名"),
		value_domain: None,
		unit: None,
		standard_element: Some(text("DE02.01.039.00")),
	}
}

fn batch(
	items: Vec<ItemInfo<Test>>,
) -> BoundedVec<ItemInfo<Test>, <Test as Config>::MaxItemsPerCall> {
	items.try_into().expect("within the bound")
}

/// Institution 1 (account 10): source 0 and its table resource 0, version 1 declaring
/// `items` items.
fn resource(items: u32) -> pallet_data_sources::ResourceId {
	assert_ok!(DataSources::register_source(
		signed(10),
		text("门诊HIS"),
		SystemKind::His,
		vec![text("OUTPATIENT")].try_into().expect("one")
	));
	assert_ok!(DataSources::register_resource(
		signed(10),
		0,
		text("public.patient"),
		Box::new(ResourceKind::Table {
			database: text("his"),
			schema: text("public"),
			table: text("patient"),
		}),
		text("pg://127.0.0.1/his"),
		vec![Operation::Collect].try_into().expect("one"),
		[1; 32],
		items
	));
	0
}

#[test]
fn items_are_registered_in_batches_until_complete() {
	ExtBuilder::default().build_and_execute(|| {
		let r = resource(5);
		assert_ok!(FieldMapping::register_items(
			signed(10),
			r,
			1,
			batch(vec![item("patient_id"), item("name"), item("姓名")])
		));
		assert_eq!(
			System::events().pop().expect("an event").event,
			Event::ItemsRegistered { resource: r, version: 1, count: 3, complete: false }.into()
		);
		let mut lab = item("glucose");
		lab.data_type = text("numeric");
		lab.precision = Some(6);
		lab.scale = Some(2);
		lab.unit = Some(text("mmol/L"));
		lab.value_domain = Some(ValueDomain::CodeSystem(text("LOINC")));
		lab.standard_element = None;
		assert_ok!(FieldMapping::register_items(
			signed(11),
			r,
			1,
			batch(vec![lab.clone(), item("sex")])
		));
		assert_eq!(
			System::events().pop().expect("an event").event,
			Event::ItemsRegistered { resource: r, version: 1, count: 2, complete: true }.into()
		);
		assert_eq!(ItemCount::<Test>::get((r, 1)), 5);
		let all = FieldMapping::items(r, 1, 0, 10);
		let names: Vec<&str> = all.iter().map(|i| i.info.name.as_str()).collect();
		assert_eq!(names, vec!["patient_id", "name", "姓名", "glucose", "sex"]);
		assert_eq!(all[3].info, lab);
		// Paged.
		assert_eq!(FieldMapping::items(r, 1, 3, 1).len(), 1);
		assert_eq!(FieldMapping::items(r, 1, 3, 1)[0].position, 3);
	});
}

#[test]
fn a_new_version_starts_empty_and_the_old_one_stays() {
	ExtBuilder::default().build_and_execute(|| {
		let r = resource(1);
		assert_ok!(FieldMapping::register_items(signed(10), r, 1, batch(vec![item("name")])));
		assert_ok!(DataSources::add_version(signed(10), r, [2; 32], 2));
		assert!(FieldMapping::items(r, 2, 0, 10).is_empty());
		assert_ok!(FieldMapping::register_items(
			signed(10),
			r,
			2,
			batch(vec![item("name"), item("age")])
		));
		assert_eq!(FieldMapping::items(r, 1, 0, 10).len(), 1);
		assert_eq!(FieldMapping::items(r, 2, 0, 10).len(), 2);
		assert_noop!(
			FieldMapping::register_items(signed(10), r, 1, batch(vec![item("late")])),
			Error::<Test>::StaleVersion
		);
	});
}

#[test]
fn only_the_owner_registers_items() {
	ExtBuilder::default().build_and_execute(|| {
		let r = resource(3);
		assert_noop!(
			FieldMapping::register_items(signed(20), r, 1, batch(vec![item("x")])),
			pallet_data_sources::Error::<Test>::NotAuthorized
		);
		assert_noop!(
			FieldMapping::register_items(signed(99), r, 1, batch(vec![item("x")])),
			DispatchError::BadOrigin
		);
		assert_ok!(DataSources::set_source_status(signed(10), 0, SourceStatus::Retired));
		assert_noop!(
			FieldMapping::register_items(signed(10), r, 1, batch(vec![item("x")])),
			pallet_data_sources::Error::<Test>::SourceRetired
		);
	});
}

#[test]
fn bad_items_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let r = resource(3);
		let register = |items| FieldMapping::register_items(signed(10), r, 1, batch(items));
		assert_noop!(
			FieldMapping::register_items(signed(10), 7, 1, batch(vec![item("x")])),
			pallet_data_sources::Error::<Test>::NotFound
		);
		assert_noop!(
			FieldMapping::register_items(signed(10), r, 2, batch(vec![item("x")])),
			Error::<Test>::NotFound
		);
		assert_noop!(register(vec![]), Error::<Test>::NoItems);
		assert_noop!(
			register(vec![item("a"), item("b"), item("c"), item("d")]),
			Error::<Test>::TooManyItems
		);
		assert_noop!(register(vec![item("a"), item("a")]), Error::<Test>::Duplicate);
		assert_noop!(register(vec![item("")]), Error::<Test>::InvalidName);
		// A definition that is not UTF-8 is not text: it cannot reach the pallet.
		let not_utf8: Result<BoundedText<<Test as Config>::MaxTextLen>, _> =
			vec![0xffu8].try_into();
		assert!(not_utf8.is_err());
		let mut bad = item("x");
		bad.data_type = text("");
		assert_noop!(register(vec![bad]), Error::<Test>::InvalidType);
		let mut bad = item("x");
		bad.data_type = text("字符");
		assert_noop!(register(vec![bad]), Error::<Test>::InvalidType);
		let mut bad = item("x");
		bad.standard_element = Some(text("DE02.01"));
		assert_noop!(register(vec![bad]), Error::<Test>::InvalidElementId);
		// Already registered.
		assert_ok!(register(vec![item("a")]));
		assert_noop!(register(vec![item("b"), item("a")]), Error::<Test>::Duplicate);
	});
}
