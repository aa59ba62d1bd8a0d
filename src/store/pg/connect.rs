//! Reading a connection URL and connecting, with TLS when the URL asks for it.

use std::str::FromStr;
use std::sync::Arc;

use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};

use super::{describe, PgError};

/// Whether a store location is a PostgreSQL URL rather than a SQLite file.
pub fn is_url(location: &str) -> bool {
    let l = location.trim_start();
    l.starts_with("postgres://") || l.starts_with("postgresql://")
}

/// The URL as it may be shown: any password replaced by `***`.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let auth = match auth.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => auth.to_string(),
        },
        None => auth.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some(("password", _)) => "password=***".to_string(),
                    _ => kv.to_string(),
                })
                .collect::<Vec<_>>()
                .join("&");
            format!("{path}?{query}")
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{auth}{tail}")
}

/// The login a URL connects as: its user, else `PGUSER`, else the operating system's user
/// (libpq's rules). On a PostgreSQL store this is who the person is.
pub fn url_login(url: &str, os_user: Option<String>) -> Option<String> {
    let config = Config::from_str(url.trim()).ok()?;
    config
        .get_user()
        .map(str::to_string)
        .or_else(|| std::env::var("PGUSER").ok().filter(|u| !u.is_empty()))
        .or(os_user)
}

/// Connects; returns the client and the database's name.
pub(super) fn connect(url: &str) -> Result<(Client, String), PgError> {
    let shown = shown_url(url);
    let fail = |message: String| PgError {
        url: shown.clone(),
        message,
    };
    let mut config = Config::from_str(url.trim())
        .map_err(|e| fail(format!("not a PostgreSQL connection URL: {e}")))?;
    if config.get_application_name().is_none() {
        config.application_name("signoff");
    }
    if config.get_user().is_none() {
        if let Some(u) = url_login(url, std::env::var("USER").ok()) {
            config.user(&u);
        }
    }
    let database = match config.get_dbname() {
        Some(d) => d.to_string(),
        // libpq's default: the database named like the user.
        None => config.get_user().unwrap_or_default().to_string(),
    };
    let client = match config.get_ssl_mode() {
        SslMode::Disable => config.connect(NoTls),
        _ => config.connect(tls()?),
    }
    .map_err(|e| fail(format!("cannot connect: {}", describe(&e))))?;
    Ok((client, database))
}

/// TLS that checks the server's certificate against the system's trusted roots.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, PgError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A certificate the system lists but rustls cannot read is one fewer root, not a failure.
        let _ = roots.add(cert);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PgError {
            url: String::new(),
            message: format!("TLS: {e}"),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_files() {
        assert!(is_url("postgres://h/db"));
        assert!(is_url("postgresql:///db?host=/run/postgresql"));
        assert!(!is_url("/var/lib/signoff/store.db"));
        assert!(!is_url("postgres.db"));
    }

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            shown_url("postgresql://dana:s3cret@db.example.com:5432/signoff?sslmode=require"),
            "postgresql://dana:***@db.example.com:5432/signoff?sslmode=require"
        );
        assert_eq!(
            shown_url("postgres://db/signoff?user=dana&password=s3cret"),
            "postgres://db/signoff?user=dana&password=***"
        );
        assert_eq!(
            shown_url("postgres://db/signoff?password=s3cret&user=dana"),
            "postgres://db/signoff?password=***&user=dana"
        );
        assert_eq!(
            shown_url("postgresql://dana@db/signoff"),
            "postgresql://dana@db/signoff"
        );
    }
}
