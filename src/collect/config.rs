//! Where sites and logs live: `sites.toml` in the OS config dir, raw logs in the OS data dir.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::daylog::{file_name_for, same_folder};
use super::site::SiteConfig;

const APP: &str = "smdr-monitor";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", APP)
}

/// `sites.toml` in the OS config dir; `./sites.toml` when the system names no home directory.
pub fn default_config_path() -> PathBuf {
    project_dirs()
        .map(|d| d.config_dir().join("sites.toml"))
        .unwrap_or_else(|| PathBuf::from("sites.toml"))
}

/// Raw day logs: `logs` in the OS data dir; `./smdr-logs` when the system names no home directory.
pub fn default_log_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().join("logs"))
        .unwrap_or_else(|| PathBuf::from("smdr-logs"))
}

/// The program's own log (not SMDR), written by the window: a daily file in here.
pub fn app_log_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().join("app-log"))
}

/// The daily app log's name prefix; tracing-appender adds `.YYYY-MM-DD` (the UTC date).
pub const APP_LOG_PREFIX: &str = "smdr-monitor.log";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the site list {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("the site list {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
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
}

#[derive(Serialize, Deserialize, Default)]
struct SitesFile {
    #[serde(default, rename = "site")]
    sites: Vec<SiteConfig>,
}

/// Reads the site list; a missing file is an empty list (no sites yet).
pub fn load_sites(path: &Path) -> Result<Vec<SiteConfig>, ConfigError> {
    read_sites(path, true)
}

/// Reads a site list the user named (e.g. `--config`): a missing file is an error.
pub fn load_named_sites(path: &Path) -> Result<Vec<SiteConfig>, ConfigError> {
    read_sites(path, false)
}

fn read_sites(path: &Path, missing_is_empty: bool) -> Result<Vec<SiteConfig>, ConfigError> {
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
    let file: SitesFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.into(),
        message: e.message().to_string(),
    })?;
    if file.sites.iter().any(|s| s.name.trim().is_empty()) {
        return Err(ConfigError::EmptyName { path: path.into() });
    }
    if let Some((first, second)) = same_folder(file.sites.iter().map(|s| s.name.as_str())) {
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

/// Saves the site list atomically (a temporary file beside it, then a rename), readable only
/// by the user on Unix because it holds SMDR passwords.
pub fn save_sites(path: &Path, sites: &[SiteConfig]) -> Result<(), ConfigError> {
    let write_err = |source| ConfigError::Write {
        path: path.into(),
        source,
    };
    let text = toml::to_string_pretty(&SitesFile {
        sites: sites.to_vec(),
    })
    .map_err(|e| write_err(io::Error::other(e.to_string())))?;
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
    result.map_err(write_err)
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
mod tests {
    use super::*;
    use crate::collect::site::Secret;

    #[test]
    fn round_trip_missing_file_and_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("sites.toml");
        assert!(load_sites(&path).unwrap().is_empty());
        let mut hq = SiteConfig::from_url("HQ", "mitel5000://10.0.0.5").unwrap();
        hq.password = Secret::new("1234");
        let push = SiteConfig::from_url("Push", "appsuite-push://0.0.0.0:2100").unwrap();
        save_sites(&path, &[hq.clone(), push.clone()]).unwrap();
        assert_eq!(load_sites(&path).unwrap(), vec![hq.clone(), push]);
        assert!(!path.with_file_name("sites.toml.tmp").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "sites.toml must not be readable by others");
        }
        save_sites(&path, &[hq.clone(), hq]).unwrap();
        let err = load_sites(&path).unwrap_err();
        assert!(matches!(err, ConfigError::DuplicateName { ref name, .. } if name == "HQ"));
        let a = SiteConfig::from_url("A B", "mivb://10.0.0.6").unwrap();
        let b = SiteConfig::from_url("a_b", "mivb://10.0.0.7").unwrap();
        save_sites(&path, &[a, b]).unwrap();
        let err = load_sites(&path).unwrap_err().to_string();
        assert!(
            err.contains(r#"has sites "A B" and "a_b", which would share one log folder "A_B""#),
            "{err}"
        );
        std::fs::write(&path, "[[site]]\nname = 3\n").unwrap();
        let err = load_sites(&path).unwrap_err().to_string();
        assert!(err.contains("is not valid"), "{err}");
    }

    #[test]
    fn a_named_site_list_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.toml");
        let err = load_named_sites(&path).unwrap_err();
        assert!(matches!(err, ConfigError::Missing { .. }));
        assert_eq!(
            err.to_string(),
            format!("the site list {} does not exist", path.display())
        );
        assert!(
            load_sites(&path).unwrap().is_empty(),
            "the default: no sites yet"
        );
    }

    #[test]
    fn minimal_toml_takes_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sites.toml");
        std::fs::write(
            &path,
            "[[site]]\nname = \"A\"\nprotocol = \"appsuite\"\nhost = \"srv\"\n",
        )
        .unwrap();
        let sites = load_sites(&path).unwrap();
        assert_eq!(sites[0].padding, '0');
        assert!(sites[0].enabled);
        assert_eq!(sites[0].connect_address(), "srv:2007");
    }
}
