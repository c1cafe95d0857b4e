//! The site list, `sites.toml`: read, checked and saved (where it is by default: `crate::paths`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::daylog::same_folder;
use super::site::{Secret, SiteConfig};
use crate::rawlog::file_name_for;
use crate::secrets::Passwords;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the site list {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    /// `message` is the parser's words without its quote of the file.
    #[error("the site list {path} is not valid: {message}")]
    Parse {
        path: PathBuf,
        message: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error(
        "the site list {path} names two sites {name:?}: each site needs its own name (it names its log folder)"
    )]
    DuplicateName { path: PathBuf, name: String },
    #[error(
        "the site list {path} has sites {first:?} and {second:?}, which would share one log folder {folder:?}: rename one (names are compared as folder names, without case)"
    )]
    SameFolder {
        path: PathBuf,
        first: String,
        second: String,
        folder: String,
    },
    #[error("the site list {path} does not exist")]
    Missing { path: PathBuf },
    #[error("the site list {path} has a site without a name")]
    EmptyName { path: PathBuf },
    #[error("cannot save the site list to {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot save the site list to {path}: {source}")]
    Serialize {
        path: PathBuf,
        source: toml::ser::Error,
    },
}

#[derive(Serialize, Deserialize, Default)]
struct SitesFile {
    #[serde(default, rename = "site")]
    sites: Vec<SiteEntry>,
}

/// A site as the file holds it.
#[derive(Serialize, Deserialize)]
struct SiteEntry {
    #[serde(flatten)]
    site: SiteConfig,
    /// The SMDR password is in the OS credential store, not in this file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    password_in_store: bool,
    /// The relay password is in the OS credential store, not in this file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    relay_password_in_store: bool,
}

/// What became of a site's SMDR password on save or load, for the window and the log. Never
/// holds the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordNote {
    /// Kept in the credential store, not in the site list.
    Stored { site: String, store: &'static str },
    /// No credential store took it: kept in the site list, readable by the user only.
    InFile {
        site: String,
        path: PathBuf,
        why: String,
    },
    /// The credential store holds it but does not answer now.
    Unreadable { site: String, why: String },
    /// The site list says the credential store holds it, but the store has none.
    Missing { site: String, store: &'static str },
    /// The same, of the site's relay password (never itself a `Relay`).
    Relay(Box<PasswordNote>),
}

impl PasswordNote {
    /// Something the user should act on or know (not the plain "kept in the store").
    pub fn is_warning(&self) -> bool {
        match self {
            Self::Stored { .. } => false,
            Self::Relay(note) => note.is_warning(),
            _ => true,
        }
    }

    fn relay(self) -> Self {
        Self::Relay(Box::new(self))
    }
}

/// A password note in words: what happened, and what the site does meanwhile. The SMDR and the
/// relay password differ only in their name and in what a site does without one.
fn note_words(
    note: &PasswordNote,
    relay: bool,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    let which = if relay { "relay" } else { "SMDR" };
    match note {
        PasswordNote::Stored { site, store } => write!(
            f,
            "the {which} password of {site} is kept in {store}, not in the site list"
        ),
        PasswordNote::InFile { site, path, why } => write!(
            f,
            "no credential store took the {which} password of {site} ({why}): it is kept in {}, {}",
            path.display(),
            PRIVATE_FILE
        ),
        PasswordNote::Unreadable { site, why } => {
            write!(
                f,
                "cannot read the {which} password of {site} from the credential store ({why}): "
            )?;
            if relay {
                write!(f, "{site}'s relay refuses every login")?;
            } else {
                write!(f, "{site} logs in with SMDR_PASSWORD, or none,")?;
            }
            f.write_str(" until the store answers")
        }
        PasswordNote::Missing { site, store } => {
            write!(f, "{store} has no {which} password for {site} any more: ")?;
            if relay {
                write!(
                    f,
                    "{site}'s relay refuses every login until it is entered again"
                )?;
            } else {
                f.write_str("enter it again")?;
            }
            f.write_str(" in the site's form")
        }
        PasswordNote::Relay(inner) => note_words(inner, true, f),
    }
}

impl std::fmt::Display for PasswordNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        note_words(self, false, f)
    }
}

/// How the site list is kept from other users, in words.
pub const PRIVATE_FILE: &str = if cfg!(unix) {
    "readable by you only"
} else {
    "in your own user profile"
};

/// A site list as read, with what became of its passwords.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sites: Vec<SiteConfig>,
    pub notes: Vec<PasswordNote>,
    /// Sites whose SMDR password the file holds in plain text (saved where no store answered,
    /// or written by hand).
    pub in_file: Vec<String>,
}

/// The credential store's key for a site's SMDR password.
fn password_key(site: &str) -> String {
    format!("site:{site}")
}

/// The credential store's key for a site's relay password.
fn relay_password_key(site: &str) -> String {
    format!("relay:{site}")
}

/// Reads the site list, passwords from the OS credential store where it holds them; a missing
/// file is an empty list (no sites yet). Password troubles are logged.
pub fn load_sites(path: &Path) -> Result<Vec<SiteConfig>, ConfigError> {
    Ok(logged(load_sites_with(path, &Passwords::system())?))
}

/// Reads a site list the user named (e.g. `--config`): a missing file is an error.
pub fn load_named_sites(path: &Path) -> Result<Vec<SiteConfig>, ConfigError> {
    let entries = read_sites(path, false)?;
    Ok(logged(with_passwords(entries, &Passwords::system())))
}

fn logged(loaded: Loaded) -> Vec<SiteConfig> {
    for note in loaded.notes.iter().filter(|n| n.is_warning()) {
        tracing::warn!("{note}");
    }
    loaded.sites
}

/// [`load_sites`] with the passwords from `passwords`; what became of them is in the notes,
/// for the caller to show or log.
pub fn load_sites_with(path: &Path, passwords: &Passwords) -> Result<Loaded, ConfigError> {
    let entries = read_sites(path, true)?;
    Ok(with_passwords(entries, passwords))
}

fn with_passwords(entries: Vec<SiteEntry>, passwords: &Passwords) -> Loaded {
    let mut loaded = Loaded::default();
    for SiteEntry {
        mut site,
        password_in_store,
        relay_password_in_store,
    } in entries
    {
        if relay_password_in_store {
            let name = site.name.clone();
            let note = match passwords.get(&relay_password_key(&name)) {
                Ok(Some(p)) => {
                    site.relay.password = Secret::new(p);
                    None
                }
                Ok(None) => Some(PasswordNote::Missing {
                    site: name,
                    store: passwords.name(),
                }),
                Err(e) => Some(PasswordNote::Unreadable {
                    site: name,
                    why: e.to_string(),
                }),
            };
            if let Some(note) = note {
                // Without its password the relay must not let anyone in.
                site.relay.locked = true;
                loaded.notes.push(note.relay());
            }
        }
        if password_in_store {
            let name = site.name.clone();
            match passwords.get(&password_key(&name)) {
                Ok(Some(p)) => site.password = Secret::new(p),
                Ok(None) => loaded.notes.push(PasswordNote::Missing {
                    site: name,
                    store: passwords.name(),
                }),
                Err(e) => loaded.notes.push(PasswordNote::Unreadable {
                    site: name,
                    why: e.to_string(),
                }),
            }
        } else if !site.password.is_empty() {
            loaded.in_file.push(site.name.clone());
        }
        if !relay_password_in_store
            && !site.relay.password.is_empty()
            && !loaded.in_file.contains(&site.name)
        {
            loaded.in_file.push(site.name.clone());
        }
        loaded.sites.push(site);
    }
    loaded
}

fn read_sites(path: &Path, missing_is_empty: bool) -> Result<Vec<SiteEntry>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return if missing_is_empty {
                Ok(Vec::new())
            } else {
                Err(ConfigError::Missing { path: path.into() })
            };
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.into(),
                source,
            });
        }
    };
    let file: SitesFile = toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.into(),
        message: source.message().to_string(),
        source: Box::new(source),
    })?;
    if file.sites.iter().any(|s| s.site.name.trim().is_empty()) {
        return Err(ConfigError::EmptyName { path: path.into() });
    }
    if let Some((first, second)) = same_folder(file.sites.iter().map(|s| s.site.name.as_str())) {
        return Err(if first == second {
            ConfigError::DuplicateName {
                path: path.into(),
                name: first.to_string(),
            }
        } else {
            ConfigError::SameFolder {
                path: path.into(),
                first: first.to_string(),
                second: second.to_string(),
                folder: file_name_for(first),
            }
        });
    }
    Ok(file.sites)
}

/// Saves the site list, SMDR passwords in the OS credential store where it answers (else in
/// the file). Password troubles are logged.
pub fn save_sites(path: &Path, sites: &[SiteConfig]) -> Result<(), ConfigError> {
    for note in save_sites_with(path, sites, &Passwords::system())? {
        if note.is_warning() {
            tracing::warn!("{note}");
        }
    }
    Ok(())
}

/// Saves the site list atomically (a temporary file beside it, then a rename), readable only
/// by the user on Unix. Each SMDR password goes to `passwords` and the file only marks it;
/// where the store does not take it, the file holds it. Entries the store held for sites that
/// no longer keep one there are removed. Returns what became of each password.
pub fn save_sites_with(
    path: &Path,
    sites: &[SiteConfig],
    passwords: &Passwords,
) -> Result<Vec<PasswordNote>, ConfigError> {
    let write_err = |source| ConfigError::Write {
        path: path.into(),
        source,
    };
    // What the file kept in the store before: a store is only ever cleaned of our own entries.
    let (before, before_relay): (Vec<String>, Vec<String>) = read_sites(path, true)
        .map(|entries| {
            let named = |f: fn(&SiteEntry) -> bool| {
                entries
                    .iter()
                    .filter(|e| f(e))
                    .map(|e| e.site.name.clone())
                    .collect()
            };
            (
                named(|e| e.password_in_store),
                named(|e| e.relay_password_in_store),
            )
        })
        .unwrap_or_default();
    let mut notes = Vec::new();
    let mut entries = Vec::with_capacity(sites.len());
    for site in sites {
        let mut entry = SiteEntry {
            site: site.clone(),
            password_in_store: false,
            relay_password_in_store: false,
        };
        if !site.relay.password.is_empty() {
            let key = relay_password_key(&site.name);
            notes.push(match passwords.set(&key, site.relay.password.expose()) {
                Ok(()) => {
                    entry.site.relay.password = Secret::default();
                    entry.relay_password_in_store = true;
                    PasswordNote::Stored {
                        site: site.name.clone(),
                        store: passwords.name(),
                    }
                    .relay()
                }
                Err(e) => PasswordNote::InFile {
                    site: site.name.clone(),
                    path: path.into(),
                    why: e.to_string(),
                }
                .relay(),
            });
        }
        if !site.password.is_empty() {
            match passwords.set(&password_key(&site.name), site.password.expose()) {
                Ok(()) => {
                    entry.site.password = Secret::default();
                    entry.password_in_store = true;
                    notes.push(PasswordNote::Stored {
                        site: site.name.clone(),
                        store: passwords.name(),
                    });
                }
                Err(e) => notes.push(PasswordNote::InFile {
                    site: site.name.clone(),
                    path: path.into(),
                    why: e.to_string(),
                }),
            }
        }
        entries.push(entry);
    }
    let text = toml::to_string_pretty(&SitesFile { sites: entries }).map_err(|source| {
        ConfigError::Serialize {
            path: path.into(),
            source,
        }
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let mut file = private_file(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(write_err)?;
    for name in before {
        let kept = notes
            .iter()
            .any(|n| matches!(n, PasswordNote::Stored { site, .. } if *site == name));
        if !kept && let Err(e) = passwords.delete(&password_key(&name)) {
            tracing::warn!("cannot remove the old SMDR password of {name} from the store: {e}");
        }
    }
    for name in before_relay {
        let kept = notes.iter().any(|n| {
            matches!(n, PasswordNote::Relay(inner)
                if matches!(&**inner, PasswordNote::Stored { site, .. } if *site == name))
        });
        if !kept && let Err(e) = passwords.delete(&relay_password_key(&name)) {
            tracing::warn!("cannot remove the old relay password of {name} from the store: {e}");
        }
    }
    Ok(notes)
}

fn private_file(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests;
