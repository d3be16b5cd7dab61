//! Admitting an institution: what governance needs, checked with the runtime's own rules
//! before anything is sent.

use pallet_consortium::{CreditCode, InstitutionKind, RegionCode};
use subxt::utils::Static;

use super::parse_account;
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
			return Err(Error::Input(format!(
				"the name must have 1 to {MAX_NAME_BYTES} UTF-8 bytes; it has {}",
				name.len()
			)));
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
			Error::Input(format!("credit code `{}` does not have 18 characters", self.credit_code))
		})?;
		if !CreditCode(code).is_valid() {
			return Err(Error::Input(format!(
				"credit code `{}` is malformed or its check character is wrong",
				self.credit_code
			)));
		}
		Ok(code)
	}

	fn region(&self) -> Result<[u8; 6]> {
		let region: [u8; 6] = self
			.region
			.as_bytes()
			.try_into()
			.map_err(|_| Error::Input(format!("region `{}` is not six digits", self.region)))?;
		if !RegionCode(region).is_valid() {
			return Err(Error::Input(format!(
				"region `{}` is not six digits starting with a province code",
				self.region
			)));
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
			.ok_or_else(|| Error::Input(format!("`{text}` is not a 32-byte hex X25519 public key")))
	}
}
