//! Runtime-level tests: version, genesis presets, block limits and signed transactions, on
//! the real runtime with the presets' genesis state.

use codec::Encode;
use frame_support::{
	assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::UnfilteredDispatchable,
};
use medtrust_runtime::{
	configs::{RuntimeBlockLength, RuntimeBlockWeights},
	genesis_config_presets, Balances, Runtime, RuntimeCall, RuntimeGenesisConfig, RuntimeOrigin,
	System, VERSION,
};
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;
use sp_runtime::BuildStorage;

/// Builds the genesis state of a preset, exactly as a node does from a chain spec.
fn genesis_of(preset: &str) -> sp_io::TestExternalities {
	let patch =
		genesis_config_presets::get_preset(&PresetId::from(preset)).expect("the preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serialisable");
	let patch: serde_json::Value = serde_json::from_slice(&patch).expect("a JSON patch");
	json_merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("a valid genesis");
	let mut ext: sp_io::TestExternalities = config.build_storage().expect("genesis builds").into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}

fn json_merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				json_merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

fn bytes<S: frame_support::traits::Get<u32>>(
	text: &str,
) -> medtrust_primitives::text::BoundedText<S> {
	text.try_into().expect("within the bound")
}

/// Registers a LIS source serving LABORATORY.
fn register_lis() -> RuntimeCall {
	RuntimeCall::DataSources(pallet_data_sources::Call::register_source {
		name: bytes("检验LIS"),
		system: pallet_data_sources::SystemKind::Lis,
		domains: vec![bytes("LABORATORY")].try_into().expect("one domain"),
	})
}

/// Registers the lab-result table of source 0, with one item.
fn register_lab_results() -> RuntimeCall {
	RuntimeCall::DataSources(pallet_data_sources::Call::register_resource {
		source: 0,
		name: bytes("lis.lab_result"),
		kind: Box::new(pallet_data_sources::ResourceKind::Table {
			database: bytes("lis"),
			schema: bytes("lis"),
			table: bytes("lab_result"),
		}),
		address: bytes("10.1.2.3:5432/lis"),
		operations: vec![pallet_data_sources::Operation::Collect].try_into().expect("one"),
		schema_hash: [7; 32],
		item_count: 1,
	})
}

#[test]
fn version_names_medtrust() {
	assert_eq!(VERSION.spec_name, "medtrust");
	assert_eq!(VERSION.impl_name, "medtrust");
}

#[test]
fn presets_are_dev_and_local_and_nothing_else() {
	let names: Vec<String> = genesis_config_presets::preset_names()
		.into_iter()
		.map(|id| {
			let name: &str = id.as_ref();
			name.to_string()
		})
		.collect();
	assert_eq!(names, vec![DEV_RUNTIME_PRESET.to_string(), LOCAL_TESTNET_RUNTIME_PRESET.into()]);
	assert!(genesis_config_presets::get_preset(&PresetId::from("mainnet")).is_none());
}

#[test]
fn dev_preset_has_one_validator_and_local_has_four() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
	});
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		let grandpa = pallet_grandpa::Pallet::<Runtime>::grandpa_authorities();
		assert_eq!(aura.len(), 4);
		assert_eq!(grandpa.len(), 4);
		// Every validator has a distinct key: four institutions, four votes.
		let distinct: std::collections::BTreeSet<_> = aura.iter().map(|k| k.encode()).collect();
		assert_eq!(distinct.len(), 4);
	});
}

#[test]
fn block_time_is_at_most_three_seconds() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_aura::Pallet::<Runtime>::slot_duration(), 3_000);
	});
}

#[test]
fn the_block_time_chosen_at_founding_is_aura_s_slot_clamped_never_zero() {
	use frame_support::traits::Get as _;
	use medtrust_runtime::time::SlotDuration;
	let slot = || pallet_aura::Pallet::<Runtime>::slot_duration();
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		// What `founding spec --block-time 100` writes into the genesis storage.
		sp_io::storage::set(&SlotDuration::key(), &100u64.encode());
		assert_eq!(slot(), 100);
		assert_eq!(<Runtime as pallet_timestamp::Config>::MinimumPeriod::get(), 50);
		// A value no founding tool writes (a hand-edited spec, a vote) stays within bounds.
		SlotDuration::set(&0);
		assert_eq!(slot(), 50, "Aura divides by it: never zero");
		SlotDuration::set(&60_000);
		assert_eq!(slot(), 3_000);
		sp_io::storage::clear(&SlotDuration::key());
		assert_eq!(slot(), 3_000, "absent: the default");
	});
}

#[test]
fn block_limits_fit_the_block_time() {
	let weights = RuntimeBlockWeights::get();
	let second = frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND;
	// 2.5 s of weight, under the 3 s slot: the weights overstate what a block costs (the
	// measured import of full blocks, `configs/system.rs`), and such a block imports in about
	// a third of the slot on half a core.
	assert_eq!(weights.max_block.ref_time(), second * 5 / 2);
	assert!(weights.max_block.ref_time() < 3 * second);
	// The base weights of a block and of an extrinsic are this runtime's own measurements.
	use medtrust_runtime::weights::{block_weights, extrinsic_weights};
	assert_eq!(weights.base_block, block_weights::BlockExecutionWeight::get());
	for class in [DispatchClass::Normal, DispatchClass::Operational] {
		assert_eq!(
			weights.get(class).base_extrinsic,
			extrinsic_weights::ExtrinsicBaseWeight::get()
		);
	}
	let normal = weights.get(DispatchClass::Normal).max_total.expect("normal class is bounded");
	assert!(normal.ref_time() < weights.max_block.ref_time());
	let length = RuntimeBlockLength::get();
	assert_eq!(*length.max.get(DispatchClass::Operational), 5 * 1024 * 1024);
	assert!(*length.max.get(DispatchClass::Normal) < 5 * 1024 * 1024);
}

/// The largest lineage calls the bounds allow fit one block's normal class, so a client that
/// keeps to the bounds never sends a call no block can hold.
#[test]
fn the_largest_lineage_calls_fit_a_block() {
	use medtrust_primitives::bounds::lineage as bounds;
	use pallet_lineage::WeightInfo;
	type Weights = <Runtime as pallet_lineage::Config>::WeightInfo;
	let weights = RuntimeBlockWeights::get();
	let normal = weights.get(DispatchClass::Normal).max_extrinsic.expect("a bound");
	let record = Weights::record(bounds::MAX_ACTIVITIES_PER_CALL, bounds::MAX_EDGES_PER_CALL);
	let part = Weights::record_part(bounds::MAX_EDGES_PER_CALL);
	for (call, weight) in [("record", record), ("record_part", part)] {
		assert!(
			weight.ref_time() < normal.ref_time(),
			"{call} at its largest weighs {weight:?}; a block's normal class takes {normal:?}"
		);
	}
	// More edges cost more: the weights scale with the work.
	assert!(Weights::record_part(2).ref_time() < part.ref_time());
	assert!(Weights::record(1, 2).ref_time() < record.ref_time());
}

#[test]
fn a_remark_fits_in_a_block_and_executes() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let call = RuntimeCall::System(frame_system::Call::remark { remark: b"hello".to_vec() });
		let info = call.get_dispatch_info();
		assert!(info.call_weight.ref_time() > 0, "the remark has a benchmarked weight");
		assert_ok!(call.dispatch_bypass_filter(RuntimeOrigin::signed(alice)));
	});
}

#[test]
fn dev_accounts_are_funded_so_they_can_transact() {
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		for key in [Sr25519Keyring::Alice, Sr25519Keyring::Dave, Sr25519Keyring::Ferdie] {
			assert!(Balances::free_balance(key.to_account_id()) > 0, "{key:?} is not funded");
		}
	});
}

#[test]
fn grandpa_keeps_its_authority_set_until_the_validators_or_their_keys_change() {
	use medtrust_runtime::Session;
	let set_id = || pallet_grandpa::CurrentSetId::<Runtime>::get();
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		// Sessions of the same validators with the same keys: the same set, session after
		// session (a new set each session would grow every warp proof by one a minute).
		for _ in 0..5 {
			Session::rotate_session();
		}
		assert_eq!(set_id(), 0);
		assert!(pallet_grandpa::PendingChange::<Runtime>::get().is_none());
		// A validator's new keys: a new set.
		let validator = pallet_session::Validators::<Runtime>::get()[0].clone();
		let keys = medtrust_runtime::SessionKeys {
			aura: Sr25519Keyring::Eve.public().into(),
			grandpa: sp_keyring::Ed25519Keyring::Eve.public().into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(&validator, keys);
		Session::rotate_session();
		Session::rotate_session();
		assert_eq!(set_id(), 1);
		// (Enacted by GRANDPA's `on_finalize` on a chain.)
		pallet_grandpa::PendingChange::<Runtime>::kill();
		// An institution leaves the validators: planned at one rotation, enacted at the next.
		pallet_consortium::MinValidators::<Runtime>::put(3);
		let (last, _) = medtrust_runtime::Consortium::institutions().pop().expect("four");
		pallet_consortium::Institutions::<Runtime>::mutate(last, |i| {
			if let Some(i) = i {
				i.status = pallet_consortium::InstitutionStatus::Suspended;
			}
		});
		Session::rotate_session();
		Session::rotate_session();
		assert_eq!(set_id(), 2);
		assert_eq!(pallet_session::Validators::<Runtime>::get().len(), 3);
	});
}

#[test]
fn local_preset_is_four_active_institutions_governed_without_sudo() {
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let institutions = medtrust_runtime::Consortium::institutions();
		assert_eq!(institutions.len(), 4);
		let names: Vec<&str> = institutions.iter().map(|(_, i)| i.name.as_str()).collect();
		assert_eq!(names[0], "北京协和医院");
		assert!(institutions
			.iter()
			.all(|(_, i)| i.status == pallet_consortium::InstitutionStatus::Active));
		assert_eq!(pallet_consortium::MinValidators::<Runtime>::get(), 4);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		// The council is the four admins.
		let mut admins: Vec<_> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.to_account_id())
		.collect();
		admins.sort();
		assert_eq!(
			pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get(),
			admins
		);
		// The session's validators are the institutions' validators.
		assert_eq!(pallet_session::Validators::<Runtime>::get().len(), 4);
		pallet_consortium::Pallet::<Runtime>::do_try_state().expect("consortium invariants");
	});
}

#[test]
fn dev_preset_keeps_a_sudo_key_for_development() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert_eq!(pallet_consortium::MinValidators::<Runtime>::get(), 1);
	});
}

#[test]
fn local_peer_ids_are_those_of_the_committed_node_keys() {
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		for (id, institution) in medtrust_runtime::Consortium::institutions() {
			let path = format!(
				"{}/../chain-specs/local-node-keys/node-{}.key",
				env!("CARGO_MANIFEST_DIR"),
				id + 1
			);
			let secret = std::fs::read_to_string(&path).expect("a committed node key");
			let secret = hex::decode(secret.trim()).expect("a hex node key");
			let pair = <sp_core::ed25519::Pair as sp_core::Pair>::from_seed_slice(&secret)
				.expect("32 bytes");
			// A libp2p peer id of an ed25519 key: identity multihash of its protobuf encoding.
			let mut expected = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
			expected.extend_from_slice(&sp_core::Pair::public(&pair).0);
			assert_eq!(institution.peer_id.into_inner(), expected, "node key of institution {id}");
		}
	});
}

#[test]
fn only_members_of_active_institutions_may_transact() {
	use sp_runtime::traits::DispatchTransaction;
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		let info = call.get_dispatch_info();
		let check = |who: Sr25519Keyring| {
			pallet_consortium::CheckMembership::<Runtime>::new()
				.validate_only(
					RuntimeOrigin::signed(who.to_account_id()),
					&call,
					&info,
					0,
					sp_runtime::transaction_validity::TransactionSource::External,
					0,
				)
				.map(|_| ())
		};
		assert!(check(Sr25519Keyring::Alice).is_ok());
		assert!(check(Sr25519Keyring::Eve).is_ok(), "Eve is a member of institution 0");
		assert_eq!(
			check(Sr25519Keyring::Ferdie),
			Err(sp_runtime::transaction_validity::InvalidTransaction::Custom(1).into())
		);
	});
}

#[test]
fn presets_start_with_the_default_business_domains() {
	for preset in [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET] {
		genesis_of(preset).execute_with(|| {
			let domains = medtrust_runtime::DataSources::domains();
			let codes: Vec<String> = domains.iter().map(|(c, _)| c.to_string()).collect();
			assert_eq!(codes.len(), 10, "{codes:?}");
			for code in ["OUTPATIENT", "INPATIENT", "LABORATORY", "IMAGING", "INSURANCE_CLAIMS"] {
				assert!(medtrust_runtime::DataSources::in_scope(code.as_bytes()), "{code}");
			}
			assert!(!medtrust_runtime::DataSources::in_scope(b"PHYSICAL_EXAM"));
			medtrust_runtime::DataSources::do_try_state().expect("invariants hold at genesis");
		});
	}
}

#[test]
fn members_register_sources_and_items_and_others_cannot() {
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let register = |who: Sr25519Keyring| {
			register_lis().dispatch_bypass_filter(RuntimeOrigin::signed(who.to_account_id()))
		};
		// Ferdie is no member of any institution.
		assert!(register(Sr25519Keyring::Ferdie).is_err());
		// Eve is a member of institution 0.
		assert_ok!(register(Sr25519Keyring::Eve));
		let source = pallet_data_sources::Sources::<Runtime>::get(0).expect("registered");
		assert_eq!(source.institution, 0);
		let eve = RuntimeOrigin::signed(Sr25519Keyring::Eve.to_account_id());
		assert_ok!(register_lab_results().dispatch_bypass_filter(eve.clone()));
		let item = pallet_field_mapping::ItemInfo::<Runtime> {
			name: bytes("result_value"),
			data_type: bytes("numeric"),
			length: None,
			precision: Some(10),
			scale: Some(3),
			nullable: true,
			definition: bytes("检验结果值"),
			value_domain: None,
			unit: Some(bytes("mmol/L")),
			standard_element: None,
		};
		let items = |i: pallet_field_mapping::ItemInfo<Runtime>| {
			RuntimeCall::FieldMapping(pallet_field_mapping::Call::register_items {
				resource: 0,
				version: 1,
				items: vec![i].try_into().expect("one item"),
			})
		};
		// Bob belongs to another institution: the source is not his.
		assert!(items(item.clone())
			.dispatch_bypass_filter(RuntimeOrigin::signed(Sr25519Keyring::Bob.to_account_id()))
			.is_err());
		assert_ok!(items(item).dispatch_bypass_filter(eve));
		assert_eq!(medtrust_runtime::FieldMapping::items(0, 1, 0, 10).len(), 1);
		medtrust_runtime::FieldMapping::do_try_state().expect("invariants hold");
	});
}

#[test]
fn institutions_certify_their_own_records_and_the_api_verifies_them() {
	use medtrust_primitives::{
		canonical::canonical_json, commitment::commit, hashing::HashAlgorithm, merkle::MerkleTree,
	};
	use medtrust_runtime::{apis::CertificateInfo, Block, Certificates};
	use pallet_certificates::{RevocationReason, Verdict};
	use pallet_certificates_runtime_api::runtime_decl_for_certificates_api::CertificatesApiV2;
	// The runtime API's functions, as the node calls them.
	let verify = <Runtime as CertificatesApiV2<Block, CertificateInfo>>::verify;
	let certificate_of = <Runtime as CertificatesApiV2<Block, CertificateInfo>>::certificate_of;
	let certificate = <Runtime as CertificatesApiV2<Block, CertificateInfo>>::certificate;

	let signed = |who: Sr25519Keyring| RuntimeOrigin::signed(who.to_account_id());
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		// Eve's institution (#0) runs a LIS with one table.
		assert_ok!(register_lis().dispatch_bypass_filter(signed(Sr25519Keyring::Eve)));
		assert_ok!(register_lab_results().dispatch_bypass_filter(signed(Sr25519Keyring::Eve)));

		// Records committed as the client commits them.
		let records: Vec<[u8; 32]> = (0..5u8)
			.map(|i| {
				let record = format!("{{\"item\":\"GLU\",\"value\":5.{i},\"patient\":\"张三\"}}");
				commit(HashAlgorithm::Sm3, &[i; 32], &canonical_json(&record).expect("JSON"))
			})
			.collect();
		let tree = MerkleTree::new(HashAlgorithm::Sm3, &records[1..]).expect("four leaves");
		let certify = |domain: &str, commitment: [u8; 32]| {
			RuntimeCall::Certificates(pallet_certificates::Call::certify {
				source: 0,
				resource: 0,
				version: 1,
				domain: bytes(domain),
				algorithm: HashAlgorithm::Sm3,
				commitment,
			})
		};
		let batch = RuntimeCall::Certificates(pallet_certificates::Call::certify_batch {
			source: 0,
			resource: 0,
			version: 1,
			domain: bytes("LABORATORY"),
			algorithm: HashAlgorithm::Sm3,
			root: tree.root(),
			leaf_count: 4,
		});
		// Weights are the generated ones: above nothing, well within a block.
		let max = RuntimeBlockWeights::get().max_block;
		for call in [&certify("LABORATORY", records[0]), &batch] {
			let weight = call.get_dispatch_info().call_weight;
			assert!(weight.ref_time() > 0 && weight.all_lt(max / 10), "{weight:?}");
		}

		// Only the source's institution certifies, and only in the source's in-scope domains.
		assert!(certify("LABORATORY", records[0])
			.dispatch_bypass_filter(signed(Sr25519Keyring::Bob))
			.is_err());
		assert!(certify("LABORATORY", records[0])
			.dispatch_bypass_filter(signed(Sr25519Keyring::Ferdie))
			.is_err());
		assert!(certify("PHYSICAL_EXAM", records[0])
			.dispatch_bypass_filter(signed(Sr25519Keyring::Eve))
			.is_err());
		assert_ok!(
			certify("LABORATORY", records[0]).dispatch_bypass_filter(signed(Sr25519Keyring::Eve))
		);
		assert_ok!(batch.clone().dispatch_bypass_filter(signed(Sr25519Keyring::Eve)));
		assert!(batch.dispatch_bypass_filter(signed(Sr25519Keyring::Eve)).is_err(), "twice");

		// The runtime API: a record by its commitment, a batch's record by its Merkle path.
		let (verdict, found) = verify(0, records[0], None);
		assert_eq!(verdict, Verdict::Valid);
		assert_eq!(found.as_ref().map(|(id, c)| (*id, c.issuer)), Some((0, 0)));
		let proof = tree.proof(2).expect("leaf 2");
		let (verdict, found) = verify(0, records[3], Some(proof.clone()));
		assert_eq!((verdict, found.map(|(id, _)| id)), (Verdict::Valid, Some(1)));
		assert_eq!(verify(0, records[4], Some(proof)).0, Verdict::Unknown);
		assert_eq!(verify(0, [9; 32], None).0, Verdict::Unknown);
		assert_eq!(verify(1, records[0], None).0, Verdict::Unknown, "another issuer's");
		assert_eq!(certificate_of(0, tree.root()).map(|(id, _)| id), Some(1));
		assert!(certificate_of(1, tree.root()).is_none());
		assert!(certificate(2).is_none());

		// Revocation and supersession, by the issuing institution only.
		let revoke = RuntimeCall::Certificates(pallet_certificates::Call::revoke {
			certificate: 0,
			reason: RevocationReason::Erroneous,
		});
		assert!(revoke.clone().dispatch_bypass_filter(signed(Sr25519Keyring::Bob)).is_err());
		assert_ok!(revoke.dispatch_bypass_filter(signed(Sr25519Keyring::Eve)));
		assert_eq!(verify(0, records[0], None).0, Verdict::Revoked);
		assert_ok!(
			certify("LABORATORY", [1; 32]).dispatch_bypass_filter(signed(Sr25519Keyring::Eve))
		);
		assert_ok!(RuntimeCall::Certificates(pallet_certificates::Call::supersede {
			old: 1,
			new: 2
		})
		.dispatch_bypass_filter(signed(Sr25519Keyring::Eve)));
		let proof = tree.proof(0).expect("leaf 0");
		assert_eq!(verify(0, records[1], Some(proof)).0, Verdict::Superseded);
		Certificates::do_try_state().expect("invariants hold");
	});
}

/// A council motion of `threshold` ayes proposed by Alice, voted aye by the first `ayes` admins
/// and closed; returns the collective's `Executed` result, if the motion ran.
fn council_decides(
	call: RuntimeCall,
	threshold: u32,
	ayes: usize,
) -> Option<Result<(), sp_runtime::DispatchError>> {
	use sp_runtime::traits::{Dispatchable, Hash};
	let admins =
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave];
	let length = call.encoded_size() as u32;
	let weight = call.get_dispatch_info().call_weight;
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let council =
		|who: Sr25519Keyring,
		 call: pallet_collective::Call<Runtime, pallet_collective::Instance1>| {
			RuntimeCall::Council(call).dispatch(RuntimeOrigin::signed(who.to_account_id()))
		};
	let index = pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
	assert_ok!(council(
		admins[0],
		pallet_collective::Call::propose {
			threshold,
			proposal: Box::new(call),
			length_bound: length
		}
	));
	for admin in &admins[..ayes] {
		assert_ok!(council(
			*admin,
			pallet_collective::Call::vote { proposal: hash, index, approve: true }
		));
	}
	assert_ok!(council(
		admins[0],
		pallet_collective::Call::close {
			proposal_hash: hash,
			index,
			proposal_weight_bound: weight,
			length_bound: length,
		}
	));
	System::events().into_iter().rev().find_map(|record| match record.event {
		medtrust_runtime::RuntimeEvent::Council(pallet_collective::Event::Executed {
			result,
			..
		}) => Some(result),
		_ => None,
	})
}

/// Whether `System::AuthorizedUpgrade` (private to frame-system) holds a value.
fn upgrade_authorized() -> bool {
	let key = [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"AuthorizedUpgrade")]
		.concat();
	frame_support::storage::unhashed::exists(&key)
}

#[test]
fn two_thirds_of_the_institutions_reach_root_and_a_simple_majority_does_not() {
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let code_hash = sp_core::H256::repeat_byte(7);
		let authorize = RuntimeCall::Consortium(pallet_consortium::Call::enact_as_root {
			call: Box::new(RuntimeCall::System(frame_system::Call::authorize_upgrade {
				code_hash,
			})),
		});
		// Two of four admins carry a simple-majority motion's threshold but not two thirds.
		assert_eq!(
			council_decides(authorize.clone(), 2, 2),
			Some(Err(sp_runtime::DispatchError::BadOrigin))
		);
		assert!(!upgrade_authorized());
		// Three of four: the upgrade is authorized (and the code can then be applied by anyone).
		System::reset_events();
		assert_eq!(council_decides(authorize, 3, 3), Some(Ok(())));
		assert!(upgrade_authorized());
		assert!(System::events().iter().any(|r| r.event
			== medtrust_runtime::RuntimeEvent::System(frame_system::Event::UpgradeAuthorized {
				code_hash,
				check_version: true
			})));
		// Governance by a simple majority (three of four here) goes on as before.
		let min = RuntimeCall::Consortium(pallet_consortium::Call::set_min_validators { min: 3 });
		assert_eq!(council_decides(min, 3, 3), Some(Ok(())));
		assert_eq!(pallet_consortium::MinValidators::<Runtime>::get(), 3);
		// A signed account cannot enact anything as Root directly.
		let direct = RuntimeCall::Consortium(pallet_consortium::Call::enact_as_root {
			call: Box::new(RuntimeCall::System(frame_system::Call::authorize_upgrade {
				code_hash,
			})),
		});
		use sp_runtime::traits::Dispatchable;
		assert!(direct
			.dispatch(RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()))
			.is_err());
	});
}
