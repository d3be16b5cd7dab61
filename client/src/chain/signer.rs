//! Signing keys from the `--signer` argument.
//!
//! A signer is either
//! - a secret URI: `//Alice`, a mnemonic phrase (optionally with `//hard/soft` derivations and
//!   `///password`), or a `0x…` 32-byte hex seed; or
//! - the path of a key file holding one of those on its first line, or a JSON account exported
//!   from Polkadot.js (decrypted with the password in `MEDTRUST_SIGNER_PASSWORD`).
//!
//! Keys are sr25519, the scheme of Polkadot.js and `subkey` accounts.

use std::{path::Path, str::FromStr};

use subxt_signer::{sr25519::Keypair, SecretUri};

use crate::{Error, Result};

/// The environment variable holding the password of an encrypted Polkadot.js JSON key file.
pub const PASSWORD_ENV: &str = "MEDTRUST_SIGNER_PASSWORD";

/// Turns a `--signer` argument into a key pair.
pub fn parse(signer: &str) -> Result<Keypair> {
	let path = Path::new(signer);
	if !signer.starts_with("//") && path.is_file() {
		return from_file(path);
	}
	from_uri(signer).map_err(|e| {
		Error::Signer(format!(
			"`{}` is neither a key file nor a valid secret URI: {e}",
			redact(signer)
		))
	})
}

fn from_uri(text: &str) -> std::result::Result<Keypair, String> {
	let uri = SecretUri::from_str(text.trim()).map_err(|e| e.to_string())?;
	Keypair::from_uri(&uri).map_err(|e| e.to_string())
}

fn from_file(path: &Path) -> Result<Keypair> {
	let shown = path.display();
	let text = std::fs::read_to_string(path)
		.map_err(|e| Error::Signer(format!("cannot read key file {shown}: {e}")))?;
	let trimmed = text.trim_start();
	if trimmed.starts_with('{') {
		let password = std::env::var(PASSWORD_ENV).map_err(|_| {
			Error::Signer(format!(
				"{shown} is an encrypted Polkadot.js key file: set {PASSWORD_ENV} to its password"
			))
		})?;
		return subxt_signer::polkadot_js_compat::decrypt_json(trimmed, &password)
			.map_err(|e| Error::Signer(format!("cannot decrypt {shown}: {e}")));
	}
	let first = trimmed.lines().next().unwrap_or_default();
	if first.is_empty() {
		return Err(Error::Signer(format!("key file {shown} is empty")));
	}
	from_uri(first)
		.map_err(|e| Error::Signer(format!("key file {shown} holds no valid secret URI: {e}")))
}

/// Shows a signer argument in an error without leaking a secret: dev URIs are shown, anything
/// else only by its length.
fn redact(signer: &str) -> String {
	if signer.starts_with("//") && signer.len() < 32 {
		signer.to_string()
	} else {
		format!("<secret of {} characters>", signer.chars().count())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	fn address(pair: &Keypair) -> String {
		pair.public_key().to_account_id().to_string()
	}

	#[test]
	fn dev_uri_gives_the_well_known_account() {
		assert_eq!(address(&parse("//Alice").expect("valid")), ALICE);
	}

	#[test]
	fn key_file_with_a_uri_on_its_first_line_is_read() {
		let dir = tempfile::tempdir().expect("temp dir");
		let file = dir.path().join("alice.key");
		std::fs::write(&file, "//Alice\n# the first line counts\n").expect("write");
		assert_eq!(address(&parse(file.to_str().expect("utf-8")).expect("valid")), ALICE);
	}

	#[test]
	fn empty_key_file_is_refused_with_its_name() {
		let dir = tempfile::tempdir().expect("temp dir");
		let file = dir.path().join("empty.key");
		std::fs::write(&file, "\n").expect("write");
		let err = parse(file.to_str().expect("utf-8")).expect_err("empty").to_string();
		assert!(err.contains("empty.key") && err.contains("empty"), "{err}");
	}

	#[test]
	fn garbage_is_refused_without_echoing_the_secret() {
		let secret = "not a mnemonic at all but long enough to be one";
		let err = parse(secret).expect_err("invalid").to_string();
		assert!(!err.contains(secret), "{err}");
		assert!(err.contains("neither a key file nor a valid secret URI"), "{err}");
	}

	#[test]
	fn encrypted_json_without_password_names_the_variable() {
		let dir = tempfile::tempdir().expect("temp dir");
		let file = dir.path().join("account.json");
		std::fs::write(&file, r#"{"encoded":"x","encoding":{}}"#).expect("write");
		// The variable may be set in the caller's environment; the message names it either way.
		if std::env::var(PASSWORD_ENV).is_err() {
			let err = parse(file.to_str().expect("utf-8")).expect_err("no password").to_string();
			assert!(err.contains(PASSWORD_ENV), "{err}");
		}
	}
}
