//! Command-line values of the closed sets that cross the wire: parsed by their wire names
//! (defined once, on each type), listed in `--help`, refused with the choices.

use clap::{
	builder::{PossibleValue, TypedValueParser},
	error::ErrorKind,
};
use medtrust_client::wire::{one_of, WireName};

/// A clap value parser for a [`WireName`] type: `#[arg(value_parser = wire::<T>())]`.
pub fn wire<T: WireName + Send + Sync>() -> WireParser<T> {
	WireParser(std::marker::PhantomData)
}

/// See [`wire`].
#[derive(Clone, Copy)]
pub struct WireParser<T>(std::marker::PhantomData<T>);

impl<T: WireName + Send + Sync> TypedValueParser for WireParser<T> {
	type Value = T;

	fn parse_ref(
		&self,
		cmd: &clap::Command,
		_arg: Option<&clap::Arg>,
		value: &std::ffi::OsStr,
	) -> Result<T, clap::Error> {
		let text = value.to_string_lossy();
		T::from_wire_name(&text).ok_or_else(|| {
			let message = format!("unknown {} `{text}`: one of {}\n", T::WHAT, one_of::<T>());
			clap::Error::raw(ErrorKind::InvalidValue, message).with_cmd(cmd)
		})
	}

	fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
		Some(Box::new(T::ALL.iter().map(|v| PossibleValue::new(v.wire_name()))))
	}
}
