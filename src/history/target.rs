//! Which history database: the embedded SQLite file (the default) or a shared PostgreSQL named
//! by a `postgres://` URL. A URL's password is kept here and never shown: every `Display` and
//! `Debug` of a target masks it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::HistoryError;

/// The embedded database's file name in the OS data folder.
pub const EMBEDDED_FILE: &str = "history.sqlite3";

/// How long connecting to a PostgreSQL server may take before it counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the history lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// An SQLite file (created on first use).
    Embedded(PathBuf),
    /// A PostgreSQL server shared by several collectors and windows.
    Postgres(PgUrl),
}

impl Target {
    /// `postgres://…` or `postgresql://…` is a server; anything else a path to an SQLite file
    /// (`sqlite:` before it is allowed).
    pub fn parse(s: &str) -> Result<Self, HistoryError> {
        let s = s.trim();
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return PgUrl::parse(s).map(Self::Postgres);
        }
        let path = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
            .unwrap_or(s);
        if path.is_empty() {
            return Err(HistoryError::BadTarget {
                target: s.to_string(),
                why: "it names no file: give a postgres:// URL or the path of an SQLite file"
                    .into(),
            });
        }
        Ok(Self::Embedded(PathBuf::from(path)))
    }

    /// The embedded database in the OS data folder, beside the raw day logs' folder.
    pub fn default_embedded() -> Self {
        Self::Embedded(default_embedded_path())
    }
}

/// `history.sqlite3` in the OS data folder (the parent of the default raw log folder).
pub fn default_embedded_path() -> PathBuf {
    let logs = crate::paths::default_log_dir();
    logs.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from(EMBEDDED_FILE), |p| p.join(EMBEDDED_FILE))
}

/// The settings file beside `sites.toml`: `history = "postgres://…"` chooses the shared
/// database for the command line (and later the collector service).
pub fn default_settings_path() -> PathBuf {
    crate::paths::default_config_path().with_file_name("settings.toml")
}

#[derive(serde::Deserialize, Default)]
struct SettingsFile {
    #[serde(default)]
    history: Option<String>,
}

/// The history target a settings file names, if it exists and names one.
pub fn target_from_settings(path: &Path) -> Result<Option<Target>, HistoryError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(HistoryError::Settings {
                path: path.into(),
                why: source.to_string(),
            });
        }
    };
    let file: SettingsFile = toml::from_str(&text).map_err(|e| HistoryError::Settings {
        path: path.into(),
        // The parser quotes the offending line, which may hold a password: its words only.
        why: e.message().to_string(),
    })?;
    file.history
        .filter(|h| !h.trim().is_empty())
        .map(|h| Target::parse(&h))
        .transpose()
}

/// [`save_history_setting`] on a thread of its own (`smdr-settings-save`), so a window never
/// writes the file itself: the answer comes on the receiver, and `wake` is called after it.
pub fn save_history_setting_in_background(
    path: PathBuf,
    history: Option<String>,
    wake: crate::wake::Wake,
) -> std::io::Result<std::sync::mpsc::Receiver<Result<(), HistoryError>>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("smdr-settings-save".into())
        .spawn(move || {
            // The form may be gone (the window closed): nobody to tell.
            let _ = tx.send(save_history_setting(&path, history.as_deref()));
            wake();
        })?;
    Ok(rx)
}

/// Writes `history = "…"` into the settings file (`None`: removes it, the embedded default),
/// keeping whatever else the file holds. The file may hold a database password: on Unix it is
/// readable by its owner only.
pub fn save_history_setting(path: &Path, history: Option<&str>) -> Result<(), HistoryError> {
    let bad = |why: String| HistoryError::Settings {
        path: path.into(),
        why,
    };
    let mut table: toml::Table = match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| bad(e.message().to_string()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
        Err(e) => return Err(bad(e.to_string())),
    };
    match history {
        Some(h) => {
            table.insert("history".into(), toml::Value::String(h.into()));
        }
        None => {
            table.remove("history");
        }
    }
    let text = toml::to_string(&table).map_err(|e| bad(e.to_string()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| bad(e.to_string()))?;
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut file = open.open(path).map_err(|e| bad(e.to_string()))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| bad(e.to_string()))
}

/// A `postgres://` URL without its password, and the password (percent-decoded), so a form
/// can show the one and mask the other.
pub fn split_password(url: &str) -> (String, String) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), String::new());
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, pw)) => (
                format!("{scheme}://{name}@{host}{tail}"),
                percent_decode(pw),
            ),
            None => (url.to_string(), String::new()),
        },
        None => (url.to_string(), String::new()),
    }
}

/// The URL with `password` put into its user part (percent-encoded); an empty password leaves
/// the URL as it is.
pub fn with_password(url: &str, password: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    if password.is_empty() {
        return url.to_string();
    }
    let encoded: String = password
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let name = user.split_once(':').map_or(user, |(n, _)| n);
            format!("{scheme}://{name}:{encoded}@{host}{tail}")
        }
        // No user named: the password alone is no use, as libpq would have it.
        None => url.to_string(),
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Embedded(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => url.fmt(f),
        }
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Embedded(path) => write!(f, "Embedded({})", path.display()),
            Self::Postgres(url) => write!(f, "Postgres({url})"),
        }
    }
}

/// How a connection to PostgreSQL uses TLS, as libpq's `sslmode` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// TLS when the server offers it, without verifying the certificate (libpq's default).
    Prefer,
    /// TLS, without verifying the certificate.
    Require,
    /// TLS; the certificate must be signed by a trusted authority (any host name).
    VerifyCa,
    /// TLS; the certificate must be trusted and name the host.
    VerifyFull,
}

/// A `postgres://user:password@host:port/database?sslmode=require` URL. The password is only
/// ever handed to the client library; `Display` masks it.
#[derive(Clone)]
pub struct PgUrl {
    /// The URL as given, without the parameters we handle ourselves (secret: never shown).
    url: String,
    pub ssl: SslMode,
    /// `sslrootcert`: the authority to trust for `verify-ca` / `verify-full`.
    pub root_cert: Option<PathBuf>,
    /// The URL exactly as given (secret: never shown), for a form to show it again without
    /// reading the settings file.
    given: String,
}

impl PgUrl {
    pub fn parse(s: &str) -> Result<Self, HistoryError> {
        let bad = |why: &str| HistoryError::BadTarget {
            target: redact(s),
            why: why.to_string(),
        };
        let (base, query) = s.split_once('?').unwrap_or((s, ""));
        let mut ssl = SslMode::Prefer;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => {
                    ssl = match value {
                        "disable" => SslMode::Disable,
                        "allow" | "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" => SslMode::VerifyCa,
                        "verify-full" => SslMode::VerifyFull,
                        _ => {
                            return Err(bad(
                                "sslmode must be disable, prefer, require, verify-ca or verify-full",
                            ));
                        }
                    }
                }
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(value))),
                _ => kept.push(pair),
            }
        }
        let url = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let parsed = Self {
            url,
            ssl,
            root_cert,
            given: s.to_string(),
        };
        // The library's own message may quote the URL: give ours.
        parsed.config().map_err(|_| {
            bad("it is not a PostgreSQL URL like postgres://user:password@host:5432/database")
        })?;
        Ok(parsed)
    }

    /// The URL as it was given, password included: for the settings form only (never shown
    /// or logged).
    pub fn as_given(&self) -> &str {
        &self.given
    }

    /// The client library's configuration (password included), TLS left to the caller.
    pub fn config(&self) -> Result<postgres::Config, postgres::Error> {
        let mut config: postgres::Config = self.url.parse()?;
        config.connect_timeout(CONNECT_TIMEOUT);
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(30));
        config.application_name("smdr-monitor");
        config.ssl_mode(match self.ssl {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        Ok(config)
    }
}

/// The same server, database, user and TLS, however the URL was spelt.
impl PartialEq for PgUrl {
    fn eq(&self, other: &Self) -> bool {
        (&self.url, self.ssl, &self.root_cert) == (&other.url, other.ssl, &other.root_cert)
    }
}

impl Eq for PgUrl {}

impl fmt::Display for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))?;
        // The parameters taken out for our own TLS set-up, shown as given.
        let sep = if self.url.contains('?') { '&' } else { '?' };
        let mode = match self.ssl {
            SslMode::Disable => Some("disable"),
            SslMode::Prefer => None,
            SslMode::Require => Some("require"),
            SslMode::VerifyCa => Some("verify-ca"),
            SslMode::VerifyFull => Some("verify-full"),
        };
        if let Some(mode) = mode {
            write!(f, "{sep}sslmode={mode}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgUrl({self})")
    }
}

/// The URL with its password (in the user part or a `password=` parameter) masked as `***`.
pub fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = String::with_capacity(url.len());
    match base.split_once("://") {
        Some((scheme, rest)) => {
            out.push_str(scheme);
            out.push_str("://");
            // The user part ends at the last `@` before the path.
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((user, host)) => {
                    match user.split_once(':') {
                        Some((name, _)) => {
                            out.push_str(name);
                            out.push_str(":***");
                        }
                        None => out.push_str(user),
                    }
                    out.push('@');
                    out.push_str(host);
                }
                None => out.push_str(authority),
            }
            out.push_str(path);
        }
        None => out.push_str(base),
    }
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

/// `%2F` and friends in a URL parameter (a certificate path).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(Some(h)), Some(Some(l))) = (
                bytes.get(i + 1).map(|&b| hex(b)),
                bytes.get(i + 2).map(|&b| hex(b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr%2Ft-pw";

    #[test]
    fn the_password_is_never_shown() {
        let raw = format!("postgres://smdr:{SECRET}@db.example:5433/calls?sslmode=require");
        let target = Target::parse(&raw).unwrap();
        let Target::Postgres(url) = &target else {
            panic!("not postgres: {target:?}")
        };
        assert_eq!(url.ssl, SslMode::Require);
        let shown = [
            target.to_string(),
            format!("{target:?}"),
            url.to_string(),
            format!("{url:?}"),
        ];
        for s in &shown {
            assert!(!s.contains(SECRET) && !s.contains("s3cr"), "{s}");
        }
        assert_eq!(
            shown[0],
            "postgres://smdr:***@db.example:5433/calls?sslmode=require"
        );
        // The settings form gets the URL back as given, password and all.
        assert_eq!(url.as_given(), raw);
        // The library still gets the password, decoded.
        assert_eq!(
            url.config().unwrap().get_password(),
            Some(&b"s3cr/t-pw"[..])
        );
        assert_eq!(
            redact("postgresql://u:p@h/db?password=x&connect_timeout=3"),
            "postgresql://u:***@h/db?password=***&connect_timeout=3"
        );
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact("postgres://user@h"), "postgres://user@h");
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        let err = Target::parse("postgres://u:hunter2@h/db?sslmode=sometimes")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sslmode must be"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let err = Target::parse("postgres://u:hunter2@h:notaport/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(err.contains("postgres://u:***@h:notaport/db"), "{err}");
    }

    #[test]
    fn paths_and_ssl_modes() {
        assert_eq!(
            Target::parse("sqlite:/tmp/h.sqlite3").unwrap(),
            Target::Embedded("/tmp/h.sqlite3".into())
        );
        assert_eq!(
            Target::parse("h.db").unwrap(),
            Target::Embedded("h.db".into())
        );
        assert!(Target::parse("sqlite:").is_err());
        let Target::Postgres(url) = Target::parse(
            "postgres://u@localhost/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(url.ssl, SslMode::VerifyFull);
        assert_eq!(url.root_cert.as_deref(), Some(Path::new("/tmp/ca.pem")));
        assert_eq!(
            url.to_string(),
            "postgres://u@localhost/db?sslmode=verify-full"
        );
        assert!(url.config().is_ok());
    }

    #[test]
    fn a_password_is_split_off_and_put_back() {
        let (url, pw) = split_password("postgres://smdr:p%40ss:w@db:5432/smdr?sslmode=require");
        assert_eq!(url, "postgres://smdr@db:5432/smdr?sslmode=require");
        assert_eq!(pw, "p@ss:w");
        let back = with_password(&url, &pw);
        assert_eq!(
            back,
            "postgres://smdr:p%40ss%3Aw@db:5432/smdr?sslmode=require"
        );
        let Target::Postgres(parsed) = Target::parse(&back).unwrap() else {
            panic!()
        };
        assert_eq!(
            parsed.config().unwrap().get_password(),
            Some(&b"p@ss:w"[..])
        );
        assert_eq!(
            split_password("postgres://h/db"),
            ("postgres://h/db".into(), String::new())
        );
        assert_eq!(with_password("postgres://u@h/db", ""), "postgres://u@h/db");
    }

    #[test]
    fn the_history_setting_is_saved_beside_other_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "other = 3\n").unwrap();
        save_history_setting(&path, Some("postgres://a:pw@h/db")).unwrap();
        let t = target_from_settings(&path).unwrap().unwrap();
        assert_eq!(t.to_string(), "postgres://a:***@h/db");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("other = 3")
        );
        save_history_setting(&path, None).unwrap();
        assert_eq!(target_from_settings(&path).unwrap(), None);
    }

    #[test]
    fn settings_name_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        assert_eq!(target_from_settings(&path).unwrap(), None);
        std::fs::write(&path, "history = \"postgres://a:pw@h/db\"\n").unwrap();
        let t = target_from_settings(&path).unwrap().unwrap();
        assert_eq!(t.to_string(), "postgres://a:***@h/db");
        std::fs::write(&path, "history = [\"postgres://a:pw@h/db\"\n").unwrap();
        let err = target_from_settings(&path).unwrap_err().to_string();
        assert!(!err.contains("pw@"), "{err}");
    }
}
