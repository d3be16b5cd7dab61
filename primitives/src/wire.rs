//! Wire names: how each closed set of values that crosses the wire is spelled.
//!
//! Revocation reasons, systems, operations, institution kinds and statuses, verdicts: each
//! such type implements [`WireName`] once, beside its definition, with [`wire_names!`]. The
//! node's `medtrust_*` JSON, the client's parsers and the CLI's arguments all go through it,
//! so what one side prints the other accepts.

/// A closed set of values with one name each on the wire (JSON, command line, certificates).
pub trait WireName: Sized + Copy + 'static {
	/// Every value, in declaration order.
	const ALL: &'static [Self];
	/// What the set is called in messages, e.g. `revocation reason`.
	const WHAT: &'static str;

	/// The value's name on the wire, e.g. `key-compromised`.
	fn wire_name(self) -> &'static str;

	/// The value of a wire name, ignoring ASCII case (`his` is `HIS`).
	fn from_wire_name(name: &str) -> Option<Self> {
		Self::ALL.iter().copied().find(|v| v.wire_name().eq_ignore_ascii_case(name.trim()))
	}
}

/// Every wire name of `T`, as a person reads a list: `a, b or c`.
#[cfg(feature = "std")]
pub fn one_of<T: WireName>() -> String {
	let names: Vec<&str> = T::ALL.iter().map(|v| v.wire_name()).collect();
	match names.split_last() {
		Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
		Some((last, _)) => (*last).to_string(),
		None => String::new(),
	}
}

/// Implements [`WireName`] for a field-less enum: `wire_names!(Kind, "kind" { A => "a", … })`.
/// Every variant must be listed (the generated `match` is exhaustive). `Display` writes the
/// wire name.
#[macro_export]
macro_rules! wire_names {
	($ty:ty, $what:literal { $($variant:ident => $name:literal),+ $(,)? }) => {
		impl $crate::wire::WireName for $ty {
			const ALL: &'static [Self] = &[$(Self::$variant),+];
			const WHAT: &'static str = $what;
			fn wire_name(self) -> &'static str {
				match self {
					$(Self::$variant => $name),+
				}
			}
		}

		impl core::fmt::Display for $ty {
			/// Its wire name.
			fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
				f.write_str($crate::wire::WireName::wire_name(*self))
			}
		}
	};
}

impl WireName for crate::hashing::HashAlgorithm {
	const ALL: &'static [Self] = &Self::ALL;
	const WHAT: &'static str = "hash algorithm";
	fn wire_name(self) -> &'static str {
		self.name()
	}
}

impl core::fmt::Display for crate::hashing::HashAlgorithm {
	/// Its wire name.
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(self.name())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[derive(Clone, Copy, Debug, PartialEq, Eq)]
	enum Colour {
		Red,
		DeepBlue,
	}
	wire_names!(Colour, "colour" { Red => "red", DeepBlue => "deep-blue" });

	#[test]
	fn every_name_parses_back_to_its_value_whatever_the_case() {
		for &c in Colour::ALL {
			assert_eq!(Colour::from_wire_name(c.wire_name()), Some(c));
			assert_eq!(Colour::from_wire_name(&c.wire_name().to_uppercase()), Some(c));
		}
		assert_eq!(Colour::from_wire_name("deepBlue"), None);
		assert_eq!(one_of::<Colour>(), "red or deep-blue");
		assert_eq!(one_of::<crate::hashing::HashAlgorithm>(), "sha-256, blake2b-256 or sm3");
	}
}
