//! Relations between data items (数据来源确认): proposals, decisions, and how a resource's new
//! schema version takes them over.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_data_sources::{InstitutionId, ResourceId, SourceStatus, Sources, Version};
use sp_runtime::DispatchResult;

use crate::{pallet::*, types::*, WeightInfo};

/// The open-relation bookkeeping of one endpoint: which indexes to add it to or drop it from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Index {
	Add,
	Drop,
}

impl<T: Config> Pallet<T> {
	/// What `register_items` costs for `items` items that move `moved` relation endpoints.
	pub fn register_items_weight(items: u32, moved: u32) -> Weight {
		<T as Config>::WeightInfo::register_items(items)
			.saturating_add(<T as Config>::WeightInfo::carry_over(moved))
	}

	/// The most relation endpoints one `register_items` call can move: all those of the
	/// previous version (each endpoint is counted by `VersionRelationCount`).
	pub fn max_moved() -> u32 {
		T::MaxRelationsPerVersion::get()
	}

	/// The key of the open relation of a pair of items, whichever way round they are given.
	pub fn pair_key(a: &ItemRef<T>, b: &ItemRef<T>) -> [u8; 32] {
		let (first, second) = if a <= b { (a, b) } else { (b, a) };
		sp_io::hashing::blake2_256(&(first, second).encode())
	}

	/// The endpoint of an item that may be related now: registered, of its resource's current
	/// version, of an active source.
	fn endpoint(item: ItemRef<T>) -> Result<Endpoint<T>, DispatchError> {
		let resource =
			pallet_data_sources::Resources::<T>::get(item.resource).ok_or(Error::<T>::NotFound)?;
		ensure!(
			Items::<T>::contains_key((item.resource, item.version), &item.item),
			Error::<T>::NotFound
		);
		ensure!(item.version == resource.version, Error::<T>::StaleVersion);
		let source = Sources::<T>::get(resource.source).ok_or(Error::<T>::NotFound)?;
		ensure!(source.status == SourceStatus::Active, Error::<T>::SourceRetired);
		Ok(Endpoint {
			item,
			source: resource.source,
			institution: source.institution,
			accepted: false,
		})
	}

	pub(crate) fn do_propose_relations(
		proposer: InstitutionId,
		proposals: BoundedVec<RelationProposal<T>, <T as Config>::MaxProposalsPerCall>,
	) -> DispatchResult {
		ensure!(!proposals.is_empty(), Error::<T>::NoItems);
		let now = frame_system::Pallet::<T>::block_number();
		let mut id = NextRelationId::<T>::get();
		for proposal in proposals {
			let relation = Self::new_relation(proposer, proposal, now)?;
			let key = Self::pair_key(&relation.left.item, &relation.right.item);
			ensure!(!RelationOfPair::<T>::contains_key(key), Error::<T>::AlreadyExists);
			Self::index_open(id, &relation, Index::Add)?;
			let kind = relation.kind;
			let confirmed = relation.status == RelationStatus::Confirmed;
			Relations::<T>::insert(id, relation);
			Self::deposit_event(Event::RelationProposed { relation: id, proposer, kind });
			if confirmed {
				Self::deposit_event(Event::RelationConfirmed { relation: id });
			}
			// One id per proposal, at most `MaxProposalsPerCall` per extrinsic: no overflow.
			id = id.saturating_add(1);
		}
		NextRelationId::<T>::put(id);
		Ok(())
	}

	/// A proposal checked and turned into the relation to store (not yet indexed).
	fn new_relation(
		proposer: InstitutionId,
		proposal: RelationProposal<T>,
		now: BlockNumberFor<T>,
	) -> Result<Relation<T>, DispatchError> {
		let RelationProposal { left, right, kind, score, evidence } = proposal;
		ensure!(left != right, Error::<T>::SelfRelation);
		ensure!(
			!kind.is_same_name() || same_name(left.item.as_bytes(), right.item.as_bytes()),
			Error::<T>::KindMismatch
		);
		let mut left = Self::endpoint(left)?;
		let mut right = Self::endpoint(right)?;
		left.accepted = left.institution == proposer;
		right.accepted = right.institution == proposer;
		let mut relation = Relation {
			left,
			right,
			kind,
			score,
			evidence,
			proposer,
			status: RelationStatus::Proposed,
			proposed: now,
			updated: now,
		};
		if relation.fully_accepted() {
			relation.status = RelationStatus::Confirmed;
		}
		Ok(relation)
	}

	/// Adds an open relation to, or drops it from, every index: its items', their versions'
	/// and sources' counts, its pair, and the institutions yet to decide.
	fn index_open(id: RelationId, relation: &Relation<T>, index: Index) -> DispatchResult {
		for end in [&relation.left, &relation.right] {
			Self::index_endpoint(id, &end.item, index)?;
			match index {
				Index::Add => RelationOfSource::<T>::insert(end.source, id, ()),
				Index::Drop => RelationOfSource::<T>::remove(end.source, id),
			}
			let awaiting = relation.status == RelationStatus::Proposed && !end.accepted;
			match index {
				Index::Add if awaiting => AwaitingDecision::<T>::insert(end.institution, id, ()),
				_ => AwaitingDecision::<T>::remove(end.institution, id),
			}
		}
		let key = Self::pair_key(&relation.left.item, &relation.right.item);
		match index {
			Index::Add => RelationOfPair::<T>::insert(key, id),
			Index::Drop => RelationOfPair::<T>::remove(key),
		}
		Ok(())
	}

	/// Adds one endpoint of an open relation to its item's index and counts, or drops it.
	fn index_endpoint(id: RelationId, item: &ItemRef<T>, index: Index) -> DispatchResult {
		let version = (item.resource, item.version);
		let per_item = ItemRelationCount::<T>::get(version, &item.item);
		let per_version = VersionRelationCount::<T>::get(version);
		let (per_item, per_version) = match index {
			Index::Add => {
				ensure!(
					per_item < T::MaxRelationsPerItem::get()
						&& per_version < T::MaxRelationsPerVersion::get(),
					Error::<T>::TooManyRelations
				);
				RelationOfItem::<T>::insert((version, &item.item, id), ());
				// Both below their bounds: no overflow.
				(per_item.saturating_add(1), per_version.saturating_add(1))
			}
			Index::Drop => {
				RelationOfItem::<T>::remove((version, &item.item, id));
				(per_item.saturating_sub(1), per_version.saturating_sub(1))
			}
		};
		if per_item == 0 {
			ItemRelationCount::<T>::remove(version, &item.item);
		} else {
			ItemRelationCount::<T>::insert(version, &item.item, per_item);
		}
		if per_version == 0 {
			VersionRelationCount::<T>::remove(version);
		} else {
			VersionRelationCount::<T>::insert(version, per_version);
		}
		Ok(())
	}

	pub(crate) fn do_accept_relation(institution: InstitutionId, id: RelationId) -> DispatchResult {
		let mut relation = Relations::<T>::get(id).ok_or(Error::<T>::UnknownRelation)?;
		ensure!(relation.status == RelationStatus::Proposed, Error::<T>::NotProposed);
		let mut accepted = false;
		for end in [&mut relation.left, &mut relation.right] {
			if end.institution == institution && !end.accepted {
				end.accepted = true;
				accepted = true;
			}
		}
		ensure!(accepted, Error::<T>::NotAuthorized);
		AwaitingDecision::<T>::remove(institution, id);
		relation.updated = frame_system::Pallet::<T>::block_number();
		Self::deposit_event(Event::RelationAccepted { relation: id, institution });
		if relation.fully_accepted() {
			relation.status = RelationStatus::Confirmed;
			Self::deposit_event(Event::RelationConfirmed { relation: id });
		}
		Relations::<T>::insert(id, relation);
		Ok(())
	}

	/// Rejects (`Rejected`) or withdraws (`Withdrawn`) a relation for `institution`.
	pub(crate) fn do_close_relation(
		institution: InstitutionId,
		id: RelationId,
		to: RelationStatus,
	) -> DispatchResult {
		let mut relation = Relations::<T>::get(id).ok_or(Error::<T>::UnknownRelation)?;
		let owner = [&relation.left, &relation.right].iter().any(|e| e.institution == institution);
		let may = match (to, relation.status) {
			(RelationStatus::Rejected, RelationStatus::Proposed) => {
				[&relation.left, &relation.right]
					.iter()
					.any(|e| e.institution == institution && !e.accepted)
			}
			(RelationStatus::Rejected, _) => Err(Error::<T>::NotProposed)?,
			(_, RelationStatus::Proposed) => relation.proposer == institution,
			(_, RelationStatus::Confirmed) => owner,
			_ => Err(Error::<T>::NotOpen)?,
		};
		ensure!(may, Error::<T>::NotAuthorized);
		Self::index_open(id, &relation, Index::Drop)?;
		relation.status = to;
		relation.updated = frame_system::Pallet::<T>::block_number();
		Relations::<T>::insert(id, relation);
		Self::deposit_event(match to {
			RelationStatus::Rejected => Event::RelationRejected { relation: id, institution },
			_ => Event::RelationWithdrawn { relation: id, institution },
		});
		Ok(())
	}

	/// Moves the open relations of the previous version's `item` to the same item of
	/// `version` if it is `unchanged`, supersedes them otherwise. Returns how many endpoints
	/// moved or were superseded: `(carried, superseded)`.
	pub(crate) fn carry_over_item(
		resource: ResourceId,
		version: Version,
		item: &ItemName<T>,
		unchanged: bool,
	) -> Result<(u32, u32), DispatchError> {
		let Some(previous) = version.checked_sub(1) else { return Ok((0, 0)) };
		let ids: Vec<RelationId> =
			RelationOfItem::<T>::iter_key_prefix(((resource, previous), item)).collect();
		let mut counts = (0u32, 0u32);
		let now = frame_system::Pallet::<T>::block_number();
		for id in ids {
			let Some(mut relation) = Relations::<T>::get(id) else { continue };
			let from = ItemRef { resource, version: previous, item: item.clone() };
			let to = ItemRef { resource, version, item: item.clone() };
			let mut moved = relation.clone();
			for end in [&mut moved.left, &mut moved.right] {
				if end.item == from {
					end.item = to.clone();
				}
			}
			let new_pair = Self::pair_key(&moved.left.item, &moved.right.item);
			// A relation that cannot move (its pair is taken, or the new item or version is
			// at its bound of relations) is superseded rather than refusing the items.
			let fits = ItemRelationCount::<T>::get((resource, version), item)
				< T::MaxRelationsPerItem::get()
				&& VersionRelationCount::<T>::get((resource, version))
					< T::MaxRelationsPerVersion::get()
				&& !RelationOfPair::<T>::contains_key(new_pair);
			if unchanged && fits {
				RelationOfPair::<T>::remove(Self::pair_key(
					&relation.left.item,
					&relation.right.item,
				));
				Self::index_endpoint(id, &from, Index::Drop)?;
				Self::index_endpoint(id, &to, Index::Add)?;
				RelationOfPair::<T>::insert(new_pair, id);
				relation = moved;
				counts.0 = counts.0.saturating_add(1);
			} else {
				Self::index_open(id, &relation, Index::Drop)?;
				relation.status = RelationStatus::Superseded;
				counts.1 = counts.1.saturating_add(1);
			}
			relation.updated = now;
			Relations::<T>::insert(id, relation);
		}
		Ok(counts)
	}

	/// Supersedes the open relations of the previous version's items that `version` (now
	/// complete) does not have. Returns how many.
	pub(crate) fn supersede_dropped(
		resource: ResourceId,
		version: Version,
	) -> Result<u32, DispatchError> {
		let Some(previous) = version.checked_sub(1) else { return Ok(0) };
		let left: Vec<(ItemName<T>, RelationId)> =
			RelationOfItem::<T>::iter_key_prefix(((resource, previous),)).collect();
		let mut superseded = 0u32;
		let now = frame_system::Pallet::<T>::block_number();
		for (_, id) in left {
			let Some(mut relation) = Relations::<T>::get(id) else { continue };
			if !relation.status.is_open() {
				continue;
			}
			Self::index_open(id, &relation, Index::Drop)?;
			relation.status = RelationStatus::Superseded;
			relation.updated = now;
			Relations::<T>::insert(id, relation);
			superseded = superseded.saturating_add(1);
		}
		Ok(superseded)
	}

	/// The relations' invariants: every open relation is indexed under both items, both
	/// sources and its pair, the counts match the indexes and stay within their bounds, only
	/// proposed relations await decisions, and confirmed ones were accepted by both sides.
	pub fn do_try_state_relations() -> Result<(), sp_runtime::TryRuntimeError> {
		let next = NextRelationId::<T>::get();
		let mut open = 0u32;
		for (id, relation) in Relations::<T>::iter() {
			ensure!(id < next, "a relation id at or above the next id");
			let pair = Self::pair_key(&relation.left.item, &relation.right.item);
			if relation.status.is_open() {
				open = open.saturating_add(1);
				for end in [&relation.left, &relation.right] {
					let version = (end.item.resource, end.item.version);
					ensure!(
						RelationOfItem::<T>::contains_key((version, &end.item.item, id)),
						"an open relation missing from its item's index"
					);
					ensure!(
						Items::<T>::contains_key(version, &end.item.item),
						"an open relation of an unregistered item"
					);
					ensure!(
						RelationOfSource::<T>::contains_key(end.source, id),
						"an open relation missing from its source's index"
					);
					ensure!(
						AwaitingDecision::<T>::contains_key(end.institution, id)
							== (relation.status == RelationStatus::Proposed && !end.accepted),
						"awaiting a decision that is not pending, or not awaiting one that is"
					);
				}
				ensure!(RelationOfPair::<T>::get(pair) == Some(id), "an open pair not indexed");
			}
			match relation.status {
				RelationStatus::Confirmed => {
					ensure!(relation.fully_accepted(), "confirmed without both acceptances")
				}
				RelationStatus::Proposed => {
					ensure!(!relation.fully_accepted(), "accepted by both, yet only proposed")
				}
				_ => {}
			}
		}
		ensure!(RelationOfPair::<T>::iter().count() as u32 == open, "pairs without a relation");
		let mut per_version = alloc::collections::BTreeMap::<(ResourceId, Version), u32>::new();
		for ((version, item, id), ()) in RelationOfItem::<T>::iter() {
			let relation = Relations::<T>::get(id).ok_or("an index entry without a relation")?;
			ensure!(relation.status.is_open(), "a closed relation in an item's index");
			let _ = item;
			*per_version.entry(version).or_default() += 1;
		}
		for (version, count) in VersionRelationCount::<T>::iter() {
			ensure!(per_version.get(&version) == Some(&count), "a version's count is off");
			ensure!(count <= T::MaxRelationsPerVersion::get(), "a version over its bound");
		}
		ensure!(
			per_version.len() == VersionRelationCount::<T>::iter().count(),
			"a version's relations without a count"
		);
		for (version, item, count) in ItemRelationCount::<T>::iter() {
			let indexed = RelationOfItem::<T>::iter_key_prefix((version, &item)).count() as u32;
			ensure!(indexed == count, "an item's count is off");
			ensure!(count <= T::MaxRelationsPerItem::get(), "an item over its bound");
		}
		Ok(())
	}
}
