//! Reading every page of a `medtrust_*` listing at one block: the first page names the block
//! it was read at, and every later page is asked for at that block, so that the pages fit
//! together whatever the chain does meanwhile.

use std::future::Future;

use medtrust_rpc_types::{
	catalog::CatalogPage, lineage_json::ActivitiesPage, lineage_json::WalkJson,
	relation_json::RelationsPage,
};

use crate::Result;

/// A page of a listing: its entries, the block it was read at, and where the next one starts.
pub trait Page: Sized {
	/// The `skip` of the next page, if there is one.
	fn next(&self) -> Option<u64>;
	/// The hash of the block the page was read at (`0x` hex).
	fn at(&self) -> &str;
	/// How many entries the pages read so far hold.
	fn entries(&self) -> usize;
	/// Appends a later page's entries, and takes its `next` (and whatever else describes
	/// the end of the listing).
	fn append(&mut self, later: Self);
}

/// Every page of a listing, read at the first page's block, until there is no next page or
/// `limit` entries are read: `ask(skip, at)` asks for one page (`at` is `None` for the first).
pub async fn every_page<P, F, Fut>(limit: usize, ask: F) -> Result<Option<P>>
where
	P: Page,
	F: Fn(u64, Option<String>) -> Fut,
	Fut: Future<Output = Result<Option<P>>>,
{
	let Some(mut all) = ask(0, None).await? else { return Ok(None) };
	while let Some(next) = all.next().filter(|_| all.entries() < limit) {
		let Some(page) = ask(next, Some(all.at().to_string())).await? else { break };
		all.append(page);
	}
	Ok(Some(all))
}

/// [`every_page`] of a listing that always answers, without a limit.
pub async fn all_pages<P, F, Fut>(ask: F) -> Result<P>
where
	P: Page,
	F: Fn(u64, Option<String>) -> Fut,
	Fut: Future<Output = Result<P>>,
{
	let found = every_page(usize::MAX, |skip, at| {
		let page = ask(skip, at);
		async move { page.await.map(Some) }
	})
	.await?;
	// `ask` always answers with a page, so the first one is there.
	found.ok_or_else(|| crate::Error::Internal("a listing without a first page".into()))
}

/// [`Page`] for a listing whose entries are in `$entries`.
macro_rules! page {
	($page:ty, $entries:ident) => {
		impl Page for $page {
			fn next(&self) -> Option<u64> {
				self.next.map(u64::from)
			}
			fn at(&self) -> &str {
				&self.at.hash
			}
			fn entries(&self) -> usize {
				self.$entries.len()
			}
			fn append(&mut self, later: Self) {
				self.$entries.extend(later.$entries);
				self.next = later.next;
			}
		}
	};
}

page!(CatalogPage, entries);
page!(RelationsPage, relations);
page!(ActivitiesPage, activities);

impl Page for WalkJson {
	fn next(&self) -> Option<u64> {
		self.next.map(u64::from)
	}
	fn at(&self) -> &str {
		&self.at.hash
	}
	fn entries(&self) -> usize {
		self.nodes.len()
	}
	fn append(&mut self, later: Self) {
		self.nodes.extend(later.nodes);
		(self.truncated, self.next, self.deeper) = (later.truncated, later.next, later.deeper);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Pages of the numbers below `total`, `size` a page.
	#[derive(Debug)]
	struct Numbers {
		at: String,
		numbers: Vec<u64>,
		next: Option<u64>,
	}

	impl Page for Numbers {
		fn next(&self) -> Option<u64> {
			self.next
		}
		fn at(&self) -> &str {
			&self.at
		}
		fn entries(&self) -> usize {
			self.numbers.len()
		}
		fn append(&mut self, later: Self) {
			self.numbers.extend(later.numbers);
			self.next = later.next;
		}
	}

	fn page(at: &str, skip: u64, size: u64, total: u64) -> Numbers {
		let end = (skip + size).min(total);
		Numbers {
			at: at.into(),
			numbers: (skip..end).collect(),
			next: (end < total).then_some(end),
		}
	}

	#[tokio::test]
	async fn every_page_is_read_at_the_first_pages_block() {
		let asked = std::sync::Mutex::new(Vec::new());
		let all: Numbers = all_pages(|skip, at| {
			asked.lock().unwrap().push((skip, at.clone()));
			async move { Ok(page(at.as_deref().unwrap_or("0xfirst"), skip, 3, 7)) }
		})
		.await
		.unwrap();
		assert_eq!((all.numbers, all.next), ((0..7).collect(), None));
		let asked = asked.into_inner().unwrap();
		let later = [(3, Some("0xfirst".to_string())), (6, Some("0xfirst".to_string()))];
		assert_eq!((&asked[0], &asked[1..]), (&(0, None), &later[..]));
	}

	#[tokio::test]
	async fn a_limit_stops_the_reading_and_none_is_nothing() {
		let some = every_page(4, |skip, _| async move { Ok(Some(page("0x", skip, 3, 100))) });
		let found: Numbers = some.await.unwrap().unwrap();
		assert_eq!((found.numbers.len(), found.next), (6, Some(6)));
		let none = every_page::<Numbers, _, _>(4, |_, _| async { Ok(None) });
		assert!(none.await.unwrap().is_none());
	}
}
