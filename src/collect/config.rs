//! TEMPORARY stand-in until the collector branch lands (it owns this file).

use std::path::{Path, PathBuf};

use super::SiteConfig;

#[derive(Debug, thiserror::Error)]
#[error("cannot read the sites in {0}")]
pub struct ConfigError(String);

pub fn default_log_dir() -> PathBuf {
    PathBuf::from("logs")
}

pub fn load_sites(_path: &Path) -> Result<Vec<SiteConfig>, ConfigError> {
    Ok(Vec::new())
}

pub fn save_sites(_path: &Path, _sites: &[SiteConfig]) -> Result<(), ConfigError> {
    Ok(())
}

pub fn default_config_path() -> PathBuf {
    PathBuf::from("sites.toml")
}
