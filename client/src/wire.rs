//! Wire names on the client side: parsing them with a message that lists the choices, and
//! writing them in JSON. Each type's names are defined once, beside the type
//! ([`medtrust_primitives::wire`]).

pub use medtrust_primitives::wire::{one_of, WireName};

use crate::{Error, Result};

/// The value of a wire name, or an error naming the set and listing its names.
pub fn parse<T: WireName>(name: &str) -> Result<T> {
	T::from_wire_name(name).ok_or_else(|| Error::UnknownName {
		what: T::WHAT,
		name: name.to_string(),
		choices: one_of::<T>(),
	})
}

/// Serde for closed sets by wire name: `#[serde(with = "crate::wire::name")]`, `names` for a
/// list, `optional` for an option (the node's JSON shapes use the same).
pub use medtrust_rpc_types::wire::{name, names, optional};

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_data_sources::{Operation, SystemKind};

	#[test]
	fn unknown_names_are_refused_with_the_choices() {
		assert_eq!(parse::<SystemKind>("lis").expect("a system"), SystemKind::Lis);
		let e = parse::<SystemKind>("SAP").unwrap_err().to_string();
		assert_eq!(e, "unknown system `SAP`: one of HIS, LIS, PACS, EMR, RIS, CDR or OTHER");
		let json = serde_json::to_string(&Names(vec![Operation::Collect, Operation::Deidentify]))
			.expect("serialised");
		assert_eq!(json, r#"["collect","deidentify"]"#);
	}

	#[derive(serde::Serialize)]
	struct Names(#[serde(with = "names")] Vec<Operation>);
}
