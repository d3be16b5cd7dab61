//! TLS to an institution's PostgreSQL, as its connection string asks (`sslmode`,
//! `sslrootcert`): a server with TLS on a certificate of a test CA, reached with
//! `verify-full` (encrypted, chain and host checked), `verify-ca` (chain only), `require`
//! (encrypted, unchecked); a wrong CA and a wrong host refused; a server without TLS still
//! reached under libpq's default `prefer`, and refused under `require`.

use medtrust_client::postgres::Target;

use crate::harness::{exclusive, Postgres};

/// Connects with `options` appended to the server's key=value string; whether the session is
/// encrypted, or the refusal.
async fn encrypted(server: &Postgres, options: &str) -> Result<bool, String> {
	let text =
		format!("host=127.0.0.1 port={} dbname=postgres user=postgres {options}", server.port());
	let client = Target::parse(&text).map_err(|e| e.to_string())?.connect().await;
	let client = client.map_err(|e| e.to_string())?;
	let row = client
		.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
		.await
		.map_err(|e| e.to_string())?;
	Ok(row.get::<_, bool>(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn e2e_postgres_connections_use_tls_as_the_connection_string_asks() {
	let _lock = exclusive().await;
	let dir = tempfile::tempdir().expect("a temporary directory");
	let tls = Postgres::start_with_tls(&["localhost", "127.0.0.1"]);
	let ca = tls.ca_file().expect("a TLS server has a CA file");
	let ca = ca.to_str().expect("UTF-8");

	let full = format!("sslmode=verify-full sslrootcert={ca}");
	assert_eq!(encrypted(&tls, &full).await, Ok(true));
	assert_eq!(encrypted(&tls, &format!("sslmode=verify-ca sslrootcert={ca}")).await, Ok(true));
	assert_eq!(encrypted(&tls, "sslmode=require").await, Ok(true));
	assert_eq!(encrypted(&tls, "").await, Ok(true), "prefer takes TLS when offered");

	// Another CA's certificate, or a name the certificate does not hold: refused.
	let other = Postgres::test_ca(dir.path());
	let other = other.to_str().expect("UTF-8");
	let refused = encrypted(&tls, &format!("sslmode=verify-full sslrootcert={other}")).await;
	assert!(refused.is_err(), "{refused:?}");
	let named = Postgres::start_with_tls(&["db.example"]);
	let ca_named = named.ca_file().expect("a CA file");
	let ca_named = ca_named.to_str().expect("UTF-8");
	let wrong_host =
		encrypted(&named, &format!("sslmode=verify-full sslrootcert={ca_named}")).await;
	assert!(wrong_host.is_err(), "{wrong_host:?}");
	assert_eq!(
		encrypted(&named, &format!("sslmode=verify-ca sslrootcert={ca_named}")).await,
		Ok(true),
		"verify-ca checks the chain, not the name"
	);

	// A server without TLS: reached under prefer (a loopback database keeps working),
	// refused under require.
	let plain = Postgres::start();
	assert_eq!(encrypted(&plain, "").await, Ok(false));
	assert_eq!(encrypted(&plain, "sslmode=disable").await, Ok(false));
	assert!(encrypted(&plain, "sslmode=require").await.is_err());
}
