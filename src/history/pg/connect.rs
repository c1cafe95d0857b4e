//! Reaching the database: TLS as the URL asks, and the schema brought up to date.

use postgres::Client;
use postgres_native_tls::MakeTlsConnector;

use super::super::target::{PgUrl, SslMode};
use super::super::{HistoryError, Result, schema};

/// Serialises migrations of one database between collectors starting at once.
const MIGRATION_LOCK: i64 = 0x534d_4452_4849_5354; // "SMDRHIST"

/// TLS as the URL's `sslmode` asks.
pub(super) fn connector(url: &PgUrl, shown: &str) -> Result<MakeTlsConnector> {
    let tls_err = |why: String| HistoryError::Tls {
        target: shown.to_string(),
        why,
    };
    let mut builder = native_tls::TlsConnector::builder();
    match url.ssl {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            builder
                .danger_accept_invalid_certs(true)
                .danger_accept_invalid_hostnames(true);
        }
        SslMode::VerifyCa => {
            builder.danger_accept_invalid_hostnames(true);
        }
        SslMode::VerifyFull => {}
    }
    if let Some(path) = &url.root_cert {
        let pem = std::fs::read(path).map_err(|e| {
            tls_err(format!(
                "cannot read the root certificate {}: {e}",
                path.display()
            ))
        })?;
        let cert = native_tls::Certificate::from_pem(&pem)
            .map_err(|e| tls_err(format!("{} is not a PEM certificate: {e}", path.display())))?;
        builder.add_root_certificate(cert);
    }
    let connector = builder.build().map_err(|e| tls_err(e.to_string()))?;
    Ok(MakeTlsConnector::new(connector))
}

/// Brings the schema up to date, one collector at a time (an advisory lock held until commit).
pub(super) fn migrate(client: &mut Client, shown: &str) -> Result<()> {
    let found = (|| -> std::result::Result<std::result::Result<(), i64>, postgres::Error> {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(schema::VERSION_TABLE)?;
        let found: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version",
                &[],
            )?
            .get(0);
        if found > schema::VERSION {
            return Ok(Err(found));
        }
        for (i, sql) in schema::migrations(schema::Dialect::Postgres)
            .iter()
            .enumerate()
            .skip(found as usize)
        {
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO schema_version (version, applied_at, program) VALUES ($1, $2, $3)",
                &[
                    &(i as i64 + 1),
                    &super::super::now_ms(),
                    &super::super::PROGRAM,
                ],
            )?;
        }
        tx.commit()?;
        Ok(Ok(()))
    })()
    .map_err(|source| HistoryError::Postgres {
        target: shown.to_string(),
        what: "cannot bring its schema up to date",
        source,
    })?;
    found.or_else(|found| schema::check(found, shown))
}
