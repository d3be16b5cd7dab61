//! Unit tests: every call and every error.

use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

use crate::{mock::*, Error, Event, *};

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn codes(list: &[&str]) -> BoundedVec<DomainCode<Test>, <Test as Config>::MaxDomainsPerSource> {
	list.iter().map(|c| text(c)).collect::<Vec<_>>().try_into().expect("within the bound")
}

fn info(name: &str, shared: &[&str]) -> Box<DomainInfo<Test>> {
	Box::new(DomainInfo {
		name: text(name),
		description: text("急诊业务"),
		shared_data: shared.iter().map(|c| text(c)).collect::<Vec<_>>().try_into().expect("fits"),
	})
}

fn table(name: &str) -> Box<ResourceKind<Test>> {
	Box::new(ResourceKind::Table {
		database: text("his"),
		schema: text("public"),
		table: text(name),
	})
}

fn ops(list: &[Operation]) -> BoundedVec<Operation, <Test as Config>::MaxOperations> {
	list.to_vec().try_into().expect("within the bound")
}

/// Institution 1 (account 10) registers source 0 (HIS, outpatient).
fn source() -> SourceId {
	assert_ok!(DataSources::register_source(
		signed(10),
		text("门诊HIS"),
		SystemKind::His,
		codes(&["OUTPATIENT"])
	));
	NextSourceId::<Test>::get() - 1
}

/// Registers table `name` in `source` with schema hash `[hash; 32]` and 3 items.
fn resource(source: SourceId, name: &str, hash: u8) -> ResourceId {
	assert_ok!(DataSources::register_resource(
		signed(10),
		source,
		text(name),
		table(name),
		text("pg://10.0.0.5:5432/his"),
		ops(&[Operation::Collect, Operation::Clean]),
		[hash; 32],
		3
	));
	NextResourceId::<Test>::get() - 1
}

#[test]
fn genesis_adds_domains() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(DomainCount::<Test>::get(), 3);
		let outpatient = Domains::<Test>::get(text::<ConstU32<32>>("OUTPATIENT")).expect("exists");
		assert_eq!(outpatient.name.as_str(), "门诊");
		assert!(outpatient.in_scope);
		assert!(!DataSources::in_scope(b"RESEARCH"));
		assert!(!DataSources::in_scope(b"NOPE"));
	});
}

use frame_support::traits::ConstU32;

mod domains {
	use super::*;

	#[test]
	fn governance_adds_updates_and_scopes_a_domain() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(DataSources::add_domain(
				root(),
				text("EMERGENCY"),
				info("急诊", &["patient", "triage"]),
				true
			));
			assert_eq!(
				last_event(),
				Event::DomainAdded { code: text("EMERGENCY"), in_scope: true }.into()
			);
			assert_eq!(DomainCount::<Test>::get(), 4);

			assert_ok!(DataSources::update_domain(root(), text("EMERGENCY"), info("急诊科", &[])));
			assert_eq!(last_event(), Event::DomainUpdated { code: text("EMERGENCY") }.into());
			let domain = Domains::<Test>::get(text::<ConstU32<32>>("EMERGENCY")).expect("exists");
			assert_eq!(domain.name.as_str(), "急诊科");
			assert!(domain.shared_data.is_empty());

			assert_ok!(DataSources::set_scope(root(), text("EMERGENCY"), false));
			assert_eq!(
				last_event(),
				Event::ScopeSet { code: text("EMERGENCY"), in_scope: false }.into()
			);
			assert!(!DataSources::in_scope(b"EMERGENCY"));
		});
	}

	#[test]
	fn only_governance_changes_domains() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				DataSources::add_domain(signed(10), text("X"), info("x", &[]), true),
				DispatchError::BadOrigin
			);
			assert_noop!(
				DataSources::update_domain(signed(10), text("LAB"), info("x", &[])),
				DispatchError::BadOrigin
			);
			assert_noop!(
				DataSources::set_scope(signed(10), text("LAB"), false),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn bad_domains_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				DataSources::add_domain(root(), text("LAB"), info("检验", &[]), true),
				Error::<Test>::AlreadyExists
			);
			assert_noop!(
				DataSources::add_domain(root(), text("lab"), info("检验", &[]), true),
				Error::<Test>::InvalidCode
			);
			assert_noop!(
				DataSources::add_domain(root(), text(""), info("检验", &[]), true),
				Error::<Test>::InvalidCode
			);
			assert_noop!(
				DataSources::add_domain(root(), text("X"), info("x", &["Patient"]), true),
				Error::<Test>::InvalidCode
			);
			assert_noop!(
				DataSources::add_domain(root(), text("X"), info("", &[]), true),
				Error::<Test>::InvalidName
			);
			// Text that is not UTF-8 does not even decode: a call carrying it is invalid before
			// it dispatches.
			let not_utf8 = codec::Encode::encode(&vec![0xffu8, 0xfe]);
			assert!(<Name<Test> as codec::Decode>::decode(&mut &not_utf8[..]).is_err());
			assert_noop!(
				DataSources::add_domain(
					root(),
					text("X"),
					info("x", &["patient", "patient"]),
					true
				),
				Error::<Test>::Duplicate
			);
			assert_noop!(
				DataSources::update_domain(root(), text("NOPE"), info("x", &[])),
				Error::<Test>::NotFound
			);
			assert_noop!(
				DataSources::set_scope(root(), text("NOPE"), true),
				Error::<Test>::NotFound
			);
		});
	}

	#[test]
	fn domains_are_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			let max = <Test as Config>::MaxDomains::get();
			for n in DomainCount::<Test>::get()..max {
				assert_ok!(DataSources::add_domain(
					root(),
					text(&format!("D{n}")),
					info("x", &[]),
					false
				));
			}
			assert_noop!(
				DataSources::add_domain(root(), text("ONE_MORE"), info("x", &[]), false),
				Error::<Test>::TooManyDomains
			);
		});
	}
	use frame_support::traits::Get;
}

mod sources {
	use super::*;
	use frame_support::traits::Get;

	#[test]
	fn a_member_registers_updates_and_retires_a_source() {
		ExtBuilder::default().build_and_execute(|| {
			let id = source();
			assert_eq!(last_event(), Event::SourceRegistered { source: id, institution: 1 }.into());
			let stored = Sources::<Test>::get(id).expect("exists");
			assert_eq!(stored.institution, 1);
			assert_eq!(stored.status, SourceStatus::Active);
			assert_eq!(DataSources::sources_of(1).len(), 1);
			assert!(DataSources::sources_of(2).is_empty());

			// Any account of the institution may change it.
			assert_ok!(DataSources::update_source(
				signed(11),
				id,
				text("检验LIS"),
				codes(&["OUTPATIENT", "LAB"])
			));
			assert_eq!(last_event(), Event::SourceUpdated { source: id }.into());
			assert_eq!(Sources::<Test>::get(id).expect("exists").domains.len(), 2);

			assert_ok!(DataSources::set_source_status(signed(10), id, SourceStatus::Retired));
			assert_eq!(
				last_event(),
				Event::SourceStatusSet { source: id, status: SourceStatus::Retired }.into()
			);
			assert_ok!(DataSources::set_source_status(signed(10), id, SourceStatus::Active));
		});
	}

	#[test]
	fn only_members_register_sources() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				DataSources::register_source(
					signed(99),
					text("x"),
					SystemKind::Lis,
					codes(&["LAB"])
				),
				DispatchError::BadOrigin
			);
			assert_noop!(
				DataSources::register_source(root(), text("x"), SystemKind::Lis, codes(&["LAB"])),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn another_institution_cannot_change_a_source() {
		ExtBuilder::default().build_and_execute(|| {
			let id = source();
			assert_noop!(
				DataSources::update_source(signed(20), id, text("x"), codes(&["LAB"])),
				Error::<Test>::NotAuthorized
			);
			assert_noop!(
				DataSources::set_source_status(signed(20), id, SourceStatus::Retired),
				Error::<Test>::NotAuthorized
			);
			assert_noop!(
				DataSources::set_source_status(signed(10), 99, SourceStatus::Retired),
				Error::<Test>::NotFound
			);
			assert_noop!(
				DataSources::update_source(signed(10), 99, text("x"), codes(&["LAB"])),
				Error::<Test>::NotFound
			);
		});
	}

	#[test]
	fn bad_sources_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let register = |name: &str, domains: &[&str]| {
				DataSources::register_source(
					signed(10),
					text(name),
					SystemKind::His,
					codes(domains),
				)
			};
			assert_noop!(register("x", &["RESEARCH"]), Error::<Test>::OutOfScope);
			assert_noop!(register("x", &["NOPE"]), Error::<Test>::NotFound);
			assert_noop!(register("x", &[]), Error::<Test>::NoDomains);
			assert_noop!(register("x", &["LAB", "LAB"]), Error::<Test>::Duplicate);
			assert_noop!(register("", &["LAB"]), Error::<Test>::InvalidName);
			let id = source();
			assert_noop!(
				DataSources::update_source(signed(10), id, text("x"), codes(&["RESEARCH"])),
				Error::<Test>::OutOfScope
			);
			assert_noop!(
				DataSources::update_source(signed(10), id, text(""), codes(&["LAB"])),
				Error::<Test>::InvalidName
			);
			assert_noop!(
				DataSources::set_source_status(signed(10), id, SourceStatus::Active),
				Error::<Test>::UnchangedStatus
			);
		});
	}

	#[test]
	fn sources_per_institution_are_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			for _ in 0..<Test as Config>::MaxSourcesPerInstitution::get() {
				source();
			}
			assert_noop!(
				DataSources::register_source(
					signed(10),
					text("x"),
					SystemKind::His,
					codes(&["LAB"])
				),
				Error::<Test>::TooManySources
			);
			// Another institution has its own allowance.
			assert_ok!(DataSources::register_source(
				signed(20),
				text("x"),
				SystemKind::Lis,
				codes(&["LAB"])
			));
		});
	}
}

mod resources {
	use super::*;
	use frame_support::traits::Get;

	#[test]
	fn a_member_registers_a_resource_and_versions_it() {
		ExtBuilder::default().build_and_execute(|| {
			let s = source();
			let r = resource(s, "patient", 1);
			assert_eq!(
				last_event(),
				Event::ResourceRegistered { resource: r, source: s, schema_hash: [1; 32] }.into()
			);
			let stored = Resources::<Test>::get(r).expect("exists");
			assert_eq!(stored.version, 1);
			assert_eq!(Sources::<Test>::get(s).expect("exists").resource_count, 1);
			assert_eq!(ResourceOfName::<Test>::get(s, text::<ConstU32<64>>("patient")), Some(r));

			System::set_block_number(5);
			assert_ok!(DataSources::add_version(signed(11), r, [2; 32], 4));
			assert_eq!(
				last_event(),
				Event::VersionAdded { resource: r, version: 2, schema_hash: [2; 32] }.into()
			);
			let versions = DataSources::versions_of(r);
			assert_eq!(versions.len(), 2);
			// The old version stays queryable, unchanged.
			assert_eq!(versions[0].1.schema_hash, [1; 32]);
			assert_eq!(versions[0].1.registered, 1);
			assert_eq!(versions[1].1.item_count, 4);
			assert_eq!(versions[1].1.registered, 5);

			assert_ok!(DataSources::set_resource_details(
				signed(10),
				r,
				text("pg://10.0.0.6/his"),
				ops(&[Operation::Collect, Operation::Deidentify])
			));
			assert_eq!(last_event(), Event::ResourceUpdated { resource: r }.into());
			assert_eq!(
				Resources::<Test>::get(r).expect("exists").operations.into_inner(),
				vec![Operation::Collect, Operation::Deidentify]
			);

			let page = DataSources::catalog_page(0, 10);
			assert_eq!(page.len(), 1);
			assert_eq!(page[0].2.len(), 2);
			assert_eq!(DataSources::resources_of(s).len(), 1);
		});
	}

	#[test]
	fn interfaces_and_file_sets_are_resources_too() {
		ExtBuilder::default().build_and_execute(|| {
			let s = source();
			assert_ok!(DataSources::register_resource(
				signed(10),
				s,
				text("GET /lab/results/{id}"),
				Box::new(ResourceKind::Interface {
					protocol: text("HTTP"),
					method: text("GET"),
					path: text("/lab/results/{id}"),
				}),
				text("https://lis.example/api"),
				ops(&[Operation::Share]),
				[3; 32],
				5
			));
			assert_ok!(DataSources::register_resource(
				signed(10),
				s,
				text("dicom"),
				Box::new(ResourceKind::FileSet { pattern: text("/data/pacs/*.dcm") }),
				text(""),
				ops(&[]),
				[4; 32],
				0
			));
			assert_eq!(DataSources::catalog_page(1, 10).len(), 1);
			assert_eq!(DataSources::catalog_page(0, 1).len(), 1);
		});
	}

	#[test]
	fn bad_resources_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let s = source();
			let register =
				|name: &str, kind: Box<ResourceKind<Test>>, ops_: &[Operation], items| {
					DataSources::register_resource(
						signed(10),
						s,
						text(name),
						kind,
						text("addr"),
						ops(ops_),
						[1; 32],
						items,
					)
				};
			assert_noop!(register("", table("t"), &[], 1), Error::<Test>::InvalidName);
			assert_noop!(register("t", table(""), &[], 1), Error::<Test>::InvalidLocator);
			assert_noop!(
				register("t", table("t"), &[Operation::Clean, Operation::Clean], 1),
				Error::<Test>::Duplicate
			);
			assert_noop!(register("t", table("t"), &[], 101), Error::<Test>::TooManyItems);
			assert!(Locator::<Test>::try_from(vec![0xffu8]).is_err(), "not UTF-8: not text");
			resource(s, "patient", 1);
			assert_noop!(
				register("patient", table("patient"), &[], 1),
				Error::<Test>::AlreadyExists
			);
			assert_noop!(
				DataSources::register_resource(
					signed(20),
					s,
					text("x"),
					table("x"),
					text(""),
					ops(&[]),
					[1; 32],
					1
				),
				Error::<Test>::NotAuthorized
			);
			assert_noop!(
				DataSources::register_resource(
					signed(10),
					99,
					text("x"),
					table("x"),
					text(""),
					ops(&[]),
					[1; 32],
					1
				),
				Error::<Test>::NotFound
			);
			assert_noop!(
				DataSources::register_resource(
					signed(99),
					s,
					text("x"),
					table("x"),
					text(""),
					ops(&[]),
					[1; 32],
					1
				),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn resources_per_source_are_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			let s = source();
			for n in 0..<Test as Config>::MaxResourcesPerSource::get() {
				resource(s, &format!("t{n}"), 1);
			}
			assert_noop!(
				DataSources::register_resource(
					signed(10),
					s,
					text("x"),
					table("x"),
					text(""),
					ops(&[]),
					[1; 32],
					1
				),
				Error::<Test>::TooManyResources
			);
		});
	}

	#[test]
	fn a_retired_source_takes_nothing_new() {
		ExtBuilder::default().build_and_execute(|| {
			let s = source();
			let r = resource(s, "patient", 1);
			assert_ok!(DataSources::set_source_status(signed(10), s, SourceStatus::Retired));
			assert_noop!(
				DataSources::register_resource(
					signed(10),
					s,
					text("x"),
					table("x"),
					text(""),
					ops(&[]),
					[1; 32],
					1
				),
				Error::<Test>::SourceRetired
			);
			assert_noop!(
				DataSources::add_version(signed(10), r, [2; 32], 1),
				Error::<Test>::SourceRetired
			);
			assert_noop!(
				DataSources::set_resource_details(signed(10), r, text(""), ops(&[])),
				Error::<Test>::SourceRetired
			);
		});
	}

	#[test]
	fn bad_versions_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let s = source();
			let r = resource(s, "patient", 1);
			assert_noop!(
				DataSources::add_version(signed(10), r, [1; 32], 3),
				Error::<Test>::UnchangedSchema
			);
			assert_noop!(
				DataSources::add_version(signed(10), r, [2; 32], 101),
				Error::<Test>::TooManyItems
			);
			assert_noop!(
				DataSources::add_version(signed(20), r, [2; 32], 3),
				Error::<Test>::NotAuthorized
			);
			assert_noop!(
				DataSources::add_version(signed(10), 99, [2; 32], 3),
				Error::<Test>::NotFound
			);
			assert_noop!(
				DataSources::add_version(signed(99), r, [2; 32], 3),
				DispatchError::BadOrigin
			);
			let max: u32 = <Test as Config>::MaxVersions::get();
			for hash in 2..=max as u8 {
				assert_ok!(DataSources::add_version(signed(10), r, [hash; 32], 3));
			}
			assert_noop!(
				DataSources::add_version(signed(10), r, [9; 32], 3),
				Error::<Test>::TooManyVersions
			);
		});
	}

	#[test]
	fn bad_resource_details_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let s = source();
			let r = resource(s, "patient", 1);
			assert_noop!(
				DataSources::set_resource_details(
					signed(10),
					r,
					text(""),
					ops(&[Operation::Store, Operation::Store])
				),
				Error::<Test>::Duplicate
			);
			assert_noop!(
				DataSources::set_resource_details(signed(20), r, text(""), ops(&[])),
				Error::<Test>::NotAuthorized
			);
			assert_noop!(
				DataSources::set_resource_details(signed(10), 99, text(""), ops(&[])),
				Error::<Test>::NotFound
			);
			assert_noop!(
				DataSources::set_resource_details(signed(99), r, text(""), ops(&[])),
				DispatchError::BadOrigin
			);
		});
	}
}
