//! TLS to PostgreSQL as libpq's `sslmode` asks for it, on rustls (`tokio-postgres-rustls`):
//!
//! | `sslmode` | encrypted | server certificate checked |
//! |---|---|---|
//! | `disable` | no | — |
//! | `prefer` (libpq's default) | if the server offers TLS | no |
//! | `require` | yes | no; as `verify-ca` when a root certificate is given |
//! | `verify-ca` | yes | chain to a root |
//! | `verify-full` | yes | chain to a root, and the host name |
//!
//! Roots: `sslrootcert=<PEM file>`, else `~/.postgresql/root.crt` as libpq reads it, else the
//! system's store (`sslrootcert=system`). A server without TLS keeps working under `prefer`, the
//! default, so a loopback database needs nothing new.

use std::{path::PathBuf, sync::Arc};

use rustls::{
	client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
	crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider},
	pki_types::{CertificateDer, ServerName, UnixTime},
	CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::Error as PgError;
use crate::Result;

/// What libpq's `sslmode` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
	Disable,
	Prefer,
	Require,
	VerifyCa,
	VerifyFull,
}

impl Mode {
	/// libpq's names (`allow` is taken as `prefer`: both connect without TLS when the server
	/// has none).
	pub fn parse(text: &str) -> Result<Mode> {
		Ok(match text {
			"disable" => Mode::Disable,
			"allow" | "prefer" => Mode::Prefer,
			"require" => Mode::Require,
			"verify-ca" => Mode::VerifyCa,
			"verify-full" => Mode::VerifyFull,
			other => {
				return Err(crate::Error::from(PgError::Address(format!(
					"sslmode={other}: give disable, prefer, require, verify-ca or verify-full"
				))))
			}
		})
	}
}

/// The TLS options of a connection string, taken out of it (tokio-postgres knows neither
/// `verify-*` nor `sslrootcert`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
	pub mode: Mode,
	pub root_cert: Option<String>,
}

/// Splits a connection string (URL or `key=value`) into the rest, for tokio-postgres, and its
/// `sslmode` and `sslrootcert`.
pub fn take_options(text: &str) -> Result<(String, Options)> {
	let mut found: Vec<(String, String)> = Vec::new();
	let rest = if text.starts_with("postgres://") || text.starts_with("postgresql://") {
		take_from_url(text, &mut found)
	} else {
		take_from_pairs(text, &mut found)?
	};
	let mut options = Options { mode: Mode::Prefer, root_cert: None };
	for (key, value) in found {
		match key.as_str() {
			"sslmode" => options.mode = Mode::parse(&value)?,
			_ => options.root_cert = Some(value),
		}
	}
	Ok((rest, options))
}

fn is_tls_key(key: &str) -> bool {
	key == "sslmode" || key == "sslrootcert"
}

/// `?a=b&sslmode=…`: the query's TLS parameters out, percent-decoded.
fn take_from_url(text: &str, found: &mut Vec<(String, String)>) -> String {
	let Some((base, query)) = text.split_once('?') else { return text.to_string() };
	let mut kept = Vec::new();
	for pair in query.split('&') {
		let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
		if is_tls_key(key) {
			found.push((key.to_string(), percent_decode(value)));
		} else {
			kept.push(pair);
		}
	}
	if kept.is_empty() {
		base.to_string()
	} else {
		format!("{base}?{}", kept.join("&"))
	}
}

fn percent_decode(text: &str) -> String {
	let bytes = text.as_bytes();
	let mut out = Vec::with_capacity(bytes.len());
	let mut i = 0;
	while i < bytes.len() {
		let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
		match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
			(b'%', Some(byte)) => {
				out.push(byte);
				i += 3;
			}
			(byte, _) => {
				out.push(byte);
				i += 1;
			}
		}
	}
	String::from_utf8_lossy(&out).into_owned()
}

/// `key = value` pairs, values bare or in single quotes with `\` escapes (libpq's rules): the
/// TLS ones out, the others written back as they were.
fn take_from_pairs(text: &str, found: &mut Vec<(String, String)>) -> Result<String> {
	let mut kept = Vec::new();
	let mut chars = text.char_indices().peekable();
	while let Some(&(start, c)) = chars.peek() {
		if c.is_whitespace() {
			chars.next();
			continue;
		}
		let mut key = String::new();
		while let Some(&(_, c)) = chars.peek() {
			if c == '=' || c.is_whitespace() {
				break;
			}
			key.push(c);
			chars.next();
		}
		while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
			chars.next();
		}
		if chars.next().map(|(_, c)| c) != Some('=') {
			return Err(crate::Error::from(PgError::Address(format!(
				"the PostgreSQL connection string does not parse: `{key}` has no value"
			))));
		}
		while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
			chars.next();
		}
		let mut value = String::new();
		if chars.peek().is_some_and(|&(_, c)| c == '\'') {
			chars.next();
			loop {
				match chars.next() {
					Some((_, '\\')) => value.extend(chars.next().map(|(_, c)| c)),
					Some((_, '\'')) => break,
					Some((_, c)) => value.push(c),
					None => {
						return Err(crate::Error::from(PgError::Address(
							"the PostgreSQL connection string does not parse: an unclosed quote"
								.into(),
						)))
					}
				}
			}
		} else {
			while let Some(&(_, c)) = chars.peek() {
				if c.is_whitespace() {
					break;
				}
				value.push(c);
				chars.next();
			}
		}
		let end = chars.peek().map_or(text.len(), |&(i, _)| i);
		if is_tls_key(&key) {
			found.push((key, value));
		} else {
			kept.push(&text[start..end]);
		}
	}
	Ok(kept.join(" "))
}

/// The rustls configuration for `options` (`None`: connect without TLS).
pub fn client_config(options: &Options) -> Result<Option<ClientConfig>> {
	let provider = Arc::new(rustls::crypto::ring::default_provider());
	let builder = ClientConfig::builder_with_provider(provider.clone())
		.with_safe_default_protocol_versions()
		.map_err(|e| PgError::Tls(e.to_string()))?;
	let roots = || roots(options.root_cert.as_deref());
	let verifier: Arc<dyn ServerCertVerifier> = match options.mode {
		Mode::Disable => return Ok(None),
		Mode::Prefer => Arc::new(Unchecked(provider)),
		Mode::Require if options.root_cert.is_none() && default_root().is_none() => {
			Arc::new(Unchecked(provider))
		}
		Mode::Require | Mode::VerifyCa => Arc::new(AnyName(webpki(roots()?, provider)?)),
		Mode::VerifyFull => webpki(roots()?, provider)?,
	};
	Ok(Some(builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth()))
}

fn webpki(
	roots: RootCertStore,
	provider: Arc<CryptoProvider>,
) -> Result<Arc<rustls::client::WebPkiServerVerifier>> {
	rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
		.build()
		.map_err(|e| PgError::Tls(format!("the root certificates are unusable: {e}")).into())
}

/// libpq's default root file, `~/.postgresql/root.crt`, if it exists.
fn default_root() -> Option<PathBuf> {
	let path = std::env::var_os("HOME").map(PathBuf::from)?.join(".postgresql/root.crt");
	path.is_file().then_some(path)
}

/// The roots to verify against: a PEM file, `system` (the system's store), or by default
/// libpq's root file and else the system's store.
fn roots(root_cert: Option<&str>) -> Result<RootCertStore> {
	use rustls::pki_types::pem::PemObject as _;
	let mut store = RootCertStore::empty();
	let file = match root_cert {
		Some("system") => None,
		Some(path) => Some(PathBuf::from(path)),
		None => default_root(),
	};
	match file {
		Some(path) => {
			let shown = path.display().to_string();
			for cert in CertificateDer::pem_file_iter(&path)
				.map_err(|e| PgError::Tls(format!("sslrootcert {shown}: {e}")))?
			{
				let cert = cert.map_err(|e| PgError::Tls(format!("sslrootcert {shown}: {e}")))?;
				store.add(cert).map_err(|e| PgError::Tls(format!("sslrootcert {shown}: {e}")))?;
			}
		}
		None => {
			for cert in rustls_native_certs::load_native_certs().certs {
				// A system certificate rustls cannot use is skipped, as libpq skips it.
				let _ = store.add(cert);
			}
		}
	}
	if store.is_empty() {
		return Err(crate::Error::from(PgError::Tls(
			"no root certificate to verify the server against (sslrootcert=<PEM file>)".into(),
		)));
	}
	Ok(store)
}

/// Checks the chain to a root but not the host name (`verify-ca`).
#[derive(Debug)]
struct AnyName(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
	fn verify_server_cert(
		&self,
		end_entity: &CertificateDer<'_>,
		intermediates: &[CertificateDer<'_>],
		server_name: &ServerName<'_>,
		ocsp_response: &[u8],
		now: UnixTime,
	) -> std::result::Result<ServerCertVerified, rustls::Error> {
		match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
		{
			Err(rustls::Error::InvalidCertificate(
				CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
			)) => Ok(ServerCertVerified::assertion()),
			other => other,
		}
	}

	fn verify_tls12_signature(
		&self,
		message: &[u8],
		cert: &CertificateDer<'_>,
		dss: &DigitallySignedStruct,
	) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
		self.0.verify_tls12_signature(message, cert, dss)
	}

	fn verify_tls13_signature(
		&self,
		message: &[u8],
		cert: &CertificateDer<'_>,
		dss: &DigitallySignedStruct,
	) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
		self.0.verify_tls13_signature(message, cert, dss)
	}

	fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
		self.0.supported_verify_schemes()
	}
}

/// Encrypts without checking who the server is (`prefer`, and `require` without a root), as
/// libpq does; the handshake's signatures are still checked.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
	fn verify_server_cert(
		&self,
		_end_entity: &CertificateDer<'_>,
		_intermediates: &[CertificateDer<'_>],
		_server_name: &ServerName<'_>,
		_ocsp_response: &[u8],
		_now: UnixTime,
	) -> std::result::Result<ServerCertVerified, rustls::Error> {
		Ok(ServerCertVerified::assertion())
	}

	fn verify_tls12_signature(
		&self,
		message: &[u8],
		cert: &CertificateDer<'_>,
		dss: &DigitallySignedStruct,
	) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
		verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
	}

	fn verify_tls13_signature(
		&self,
		message: &[u8],
		cert: &CertificateDer<'_>,
		dss: &DigitallySignedStruct,
	) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
		verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
	}

	fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
		self.0.signature_verification_algorithms.supported_schemes()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tls_options_come_out_of_either_form_and_the_rest_stays() {
		let (rest, options) = take_options(
			"postgres://lis@db.example:5432/his?application_name=m&sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem",
		)
		.expect("parses");
		assert_eq!(rest, "postgres://lis@db.example:5432/his?application_name=m");
		assert_eq!(options.mode, Mode::VerifyFull);
		assert_eq!(options.root_cert.as_deref(), Some("/etc/ca.pem"));

		let (rest, options) = take_options(
			"host=db.example dbname = his sslmode=require sslrootcert='/srv/my ca.pem' user=lis",
		)
		.expect("parses");
		assert_eq!(rest, "host=db.example dbname = his user=lis");
		assert_eq!(options.mode, Mode::Require);
		assert_eq!(options.root_cert.as_deref(), Some("/srv/my ca.pem"));

		let (rest, options) = take_options("host=/run/postgresql dbname=his").expect("parses");
		assert_eq!(
			(rest.as_str(), options.mode),
			("host=/run/postgresql dbname=his", Mode::Prefer)
		);
	}

	#[test]
	fn malformed_tls_options_are_refused() {
		assert!(take_options("host=h sslmode=verify-everything").is_err());
		assert!(take_options("postgres://h/x?sslmode=maybe").is_err());
		assert!(take_options("host=h sslrootcert='/unclosed").is_err());
		assert!(take_options("host").is_err());
		let missing =
			Options { mode: Mode::VerifyFull, root_cert: Some("/nonexistent.pem".into()) };
		assert!(client_config(&missing).is_err());
		let disabled = Options { mode: Mode::Disable, root_cert: None };
		assert!(client_config(&disabled).expect("no TLS").is_none());
	}
}
