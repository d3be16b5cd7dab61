//! Connecting to an institution's PostgreSQL databases (the catalog's import, the relations'
//! value profiles) without a password ever leaving the machine.
//!
//! A database is named by a connection string in either of libpq's forms: a URL
//! (`postgres://user@host:5432/his`) or `key=value` pairs (`host=10.1.2.3 dbname=his`). Its
//! password comes from `PGPASSWORD` or the password file (`PGPASSFILE`, else `~/.pgpass`,
//! readable by its owner only), as libpq takes it: never from the command line, where every
//! user of the machine reads it in the process list. What goes on chain as a resource's
//! address is rebuilt from the host, port and database alone ([`Target::address`]), so no
//! user name, password or option reaches the chain whatever the form. TLS follows the
//! string's `sslmode` and `sslrootcert` as libpq does ([`tls`]).

pub mod tls;

/// What can go wrong with a PostgreSQL database: its connection string, reaching it, TLS.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// A connection string that does not parse, or that holds a password.
	#[error("{0}")]
	Address(String),
	/// The database could not be reached (or refused the connection).
	#[error("cannot reach the PostgreSQL database at {address}: {reason}")]
	Unreachable { address: String, reason: String },
	/// TLS could not be set up as the connection string asks.
	#[error("TLS: {0}")]
	Tls(String),
}

impl Error {
	/// What kind of failure this is.
	pub fn kind(&self) -> crate::error::ErrorKind {
		match self {
			Self::Unreachable { .. } => crate::error::ErrorKind::Unavailable,
			_ => crate::error::ErrorKind::Invalid,
		}
	}
}

use std::{path::PathBuf, str::FromStr as _};

use tokio_postgres::{
	config::{Host, SslMode},
	Client, Config, NoTls,
};

use crate::Result;

/// A database to connect to, checked.
#[derive(Clone, Debug)]
pub struct Target {
	config: Config,
	address: String,
	tls: tls::Options,
}

impl Target {
	/// Reads a connection string (URL or `key=value` form). One holding a password is refused.
	pub fn parse(text: &str) -> Result<Target> {
		let (rest, tls) = tls::take_options(text)?;
		let mut config = Config::from_str(&rest).map_err(|e| {
			Error::Address(format!("the PostgreSQL connection string does not parse: {e}"))
		})?;
		if config.get_password().is_some() {
			return Err(crate::Error::from(Error::Address(
				"the PostgreSQL connection string holds a password, which every user of this \
				 machine can read in the process list: give it in PGPASSWORD or in ~/.pgpass \
				 (mode 0600) instead"
					.into(),
			)));
		}
		config.ssl_mode(match tls.mode {
			tls::Mode::Disable => SslMode::Disable,
			tls::Mode::Prefer => SslMode::Prefer,
			_ => SslMode::Require,
		});
		let address = address_of(&config);
		Ok(Target { config, address, tls })
	}

	/// The address recorded on chain: `postgres://host:port/database`, nothing else.
	pub fn address(&self) -> &str {
		&self.address
	}

	/// Connects, with the password of `PGPASSWORD` or the password file if there is one; the
	/// connection runs on its own task until the client is dropped.
	pub async fn connect(&self) -> Result<Client> {
		let mut config = self.config.clone();
		if let Some(password) = password_for(&config) {
			config.password(password.as_bytes());
		}
		let unreachable = |e: tokio_postgres::Error| Error::Unreachable {
			address: self.address.clone(),
			reason: error_text(&e),
		};
		match tls::client_config(&self.tls)? {
			None => {
				let (client, connection) = config.connect(NoTls).await.map_err(unreachable)?;
				tokio::spawn(connection);
				Ok(client)
			}
			Some(tls) => {
				let connector = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
				let (client, connection) = config.connect(connector).await.map_err(unreachable)?;
				tokio::spawn(connection);
				Ok(client)
			}
		}
	}
}

/// `postgres://host:port[,host:port…]/database` of a configuration (libpq's defaults where it
/// says nothing: localhost, 5432, the user's name).
fn address_of(config: &Config) -> String {
	let ports = config.get_ports();
	let hosts: Vec<String> = if config.get_hosts().is_empty() {
		vec![format!("localhost:{}", ports.first().copied().unwrap_or(5432))]
	} else {
		config
			.get_hosts()
			.iter()
			.enumerate()
			.map(|(i, host)| {
				let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
				match host {
					Host::Tcp(name) if name.contains(':') => format!("[{name}]:{port}"),
					Host::Tcp(name) => format!("{name}:{port}"),
					Host::Unix(path) => format!("localhost:{port}{}", unix_note(path)),
				}
			})
			.collect()
	};
	let database = config.get_dbname().or(config.get_user()).unwrap_or("postgres");
	format!("postgres://{}/{database}", hosts.join(","))
}

fn unix_note(path: &std::path::Path) -> String {
	format!(" (socket {})", path.display())
}

/// The password of `PGPASSWORD`, else of the first matching line of the password file.
fn password_for(config: &Config) -> Option<zeroize::Zeroizing<String>> {
	if let Some(password) = std::env::var_os("PGPASSWORD") {
		return password.into_string().ok().map(zeroize::Zeroizing::new);
	}
	let file = std::env::var_os("PGPASSFILE")
		.map(PathBuf::from)
		.or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pgpass")))?;
	// As libpq: a password file others may read is ignored.
	let text = crate::files::read_private(&file).ok()?;
	let host = match config.get_hosts().first() {
		Some(Host::Tcp(name)) => name.clone(),
		_ => "localhost".into(),
	};
	let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
	let user = config.get_user().map(str::to_string).or_else(|| std::env::var("USER").ok());
	let user = user.unwrap_or_default();
	let database = config.get_dbname().unwrap_or(&user).to_string();
	pgpass_lookup(&text, [&host, &port, &database, &user])
}

/// The password of the first line of a `.pgpass` text matching host, port, database and user
/// (`*` matches anything; `\:` and `\\` escape).
fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<zeroize::Zeroizing<String>> {
	for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
		let fields = split_pgpass(line);
		let [host, port, database, user, password] = fields.as_slice() else { continue };
		let pattern = [host, port, database, user];
		if pattern.iter().zip(wanted).all(|(p, w)| p.as_str() == "*" || p.as_str() == w) {
			return Some(zeroize::Zeroizing::new(password.to_string()));
		}
	}
	None
}

fn split_pgpass(line: &str) -> Vec<String> {
	let mut fields = vec![String::new()];
	let mut chars = line.chars();
	while let Some(c) = chars.next() {
		match c {
			'\\' => fields.last_mut().into_iter().for_each(|f| f.extend(chars.next())),
			':' if fields.len() < 5 => fields.push(String::new()),
			c => fields.last_mut().into_iter().for_each(|f| f.push(c)),
		}
	}
	fields
}

/// A PostgreSQL error's most useful text: the server's message, or the I/O cause.
pub fn error_text(e: &tokio_postgres::Error) -> String {
	if let Some(db) = e.as_db_error() {
		return db.message().to_string();
	}
	let mut text = e.to_string();
	let mut cause = std::error::Error::source(e);
	while let Some(c) = cause {
		text = format!("{text}: {c}");
		cause = c.source();
	}
	text
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_address_holds_host_port_and_database_only_whatever_the_form() {
		let url = Target::parse("postgres://his@10.1.2.3:5433/his?application_name=x").unwrap();
		assert_eq!(url.address(), "postgres://10.1.2.3:5433/his");
		let pairs = Target::parse("host=10.1.2.3 port=5433 user=his dbname=his").unwrap();
		assert_eq!(pairs.address(), "postgres://10.1.2.3:5433/his");
		let defaults = Target::parse("dbname=lis").unwrap();
		assert_eq!(defaults.address(), "postgres://localhost:5432/lis");
		let two = Target::parse("host=a,b port=1,2 dbname=x").unwrap();
		assert_eq!(two.address(), "postgres://a:1,b:2/x");
	}

	#[test]
	fn a_password_on_the_command_line_is_refused_in_either_form_and_never_shown() {
		for text in [
			"postgres://his:s3cret@10.1.2.3:5432/his",
			"host=10.1.2.3 user=his password=s3cret dbname=his",
			"host=10.1.2.3 password='s3cret' dbname=his",
		] {
			let e = Target::parse(text).unwrap_err().to_string();
			assert!(e.contains("PGPASSWORD"), "{e}");
			assert!(!e.contains("s3cret"), "{e}");
		}
		assert!(Target::parse("postgres://h/x?sslmode=require").is_ok());
		assert!(Target::parse("postgres://h/x?sslmode=sometimes").is_err());
		let e = Target::parse("host=h port=notaport").unwrap_err().to_string();
		assert!(e.contains("does not parse"), "{e}");
	}

	#[test]
	fn pgpass_lines_match_as_libpq_matches_them() {
		let text = "# a comment\n\
			other:5432:his:his:wrong\n\
			10.1.2.3:5432:*:his:pa\\:ss\n\
			*:*:*:*:fallback\n";
		let found = |w: [&str; 4]| pgpass_lookup(text, w).map(|p| p.to_string());
		assert_eq!(found(["10.1.2.3", "5432", "his", "his"]).as_deref(), Some("pa:ss"));
		assert_eq!(found(["10.9.9.9", "5432", "his", "his"]).as_deref(), Some("fallback"));
		assert_eq!(pgpass_lookup("h:1:d:u\n", ["h", "1", "d", "u"]), None, "four fields");
	}
}
