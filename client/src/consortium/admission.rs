//! Admitting an institution: what governance needs, checked with the runtime's own rules
//! before anything is sent.

use pallet_consortium::{CreditCode, InstitutionKind, RegionCode};
use subxt::utils::Static;

use super::{parse_account, Error as ConsortiumError};
use crate::{
	runtime::runtime_types::{
		bounded_collections::bounded_vec::BoundedVec,
		medtrust_runtime::RuntimeCall,
		pallet_consortium::{
			pallet::Call,
			types::{Admission, CreditCode as CallCreditCode, RegionCode as CallRegionCode},
		},
	},
	Error, Result,
};

/// The most bytes an institution's name may have (85 Chinese characters).
pub const MAX_NAME_BYTES: usize = 256;

/// What governance needs to admit an institution, as typed by a user.
#[derive(Debug, Clone)]
pub struct AdmissionRequest {
	pub name: String,
	pub credit_code: String,
	pub region: String,
	pub kind: InstitutionKind,
	pub admin: String,
	pub validator: String,
	pub peer_id: String,
	pub encryption_key: Option<String>,
}

impl AdmissionRequest {
	/// Checks every field with the same rules the runtime applies and builds the call.
	pub fn to_call(&self) -> Result<RuntimeCall> {
		let name = self.name.trim();
		if name.is_empty() || name.len() > MAX_NAME_BYTES {
			let reason =
				format!("must have 1 to {MAX_NAME_BYTES} UTF-8 bytes; it has {}", name.len());
			return Err(refused("name", name, reason));
		}
		let admission = Admission {
			name: name.to_string(),
			credit_code: CallCreditCode(self.credit_code()?),
			region: CallRegionCode(self.region()?),
			kind: Static(self.kind),
			admin: parse_account(&self.admin)?,
			validator: parse_account(&self.validator)?,
			peer_id: BoundedVec(self.peer_id()?),
			encryption_key: self.encryption_key()?,
		};
		Ok(RuntimeCall::Consortium(Call::admit_institution { admission: Box::new(admission) }))
	}

	fn credit_code(&self) -> Result<[u8; 18]> {
		let code: [u8; 18] = self.credit_code.as_bytes().try_into().map_err(|_| {
			refused("credit code", &self.credit_code, "does not have 18 characters")
		})?;
		if !CreditCode(code).is_valid() {
			let reason = "is malformed or its check character is wrong";
			return Err(refused("credit code", &self.credit_code, reason));
		}
		Ok(code)
	}

	fn region(&self) -> Result<[u8; 6]> {
		let region: [u8; 6] = self
			.region
			.as_bytes()
			.try_into()
			.map_err(|_| refused("region", &self.region, "is not six digits"))?;
		if !RegionCode(region).is_valid() {
			let reason = "is not six digits starting with a province code";
			return Err(refused("region", &self.region, reason));
		}
		Ok(region)
	}

	fn peer_id(&self) -> Result<Vec<u8>> {
		super::parse_peer_id(&self.peer_id)
	}

	fn encryption_key(&self) -> Result<Option<[u8; 32]>> {
		let Some(text) = &self.encryption_key else { return Ok(None) };
		hex::decode(text.trim_start_matches("0x"))
			.ok()
			.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
			.map(Some)
			.ok_or_else(|| {
				refused("encryption key", text, "is not a 32-byte hex X25519 public key")
			})
	}
}

/// An admission's `field` holding `value`, refused for `reason`.
fn refused(field: &'static str, value: &str, reason: impl Into<String>) -> Error {
	ConsortiumError::Admission { field, value: value.to_string(), reason: reason.into() }.into()
}
