//! What the window remembers between runs (eframe persistence): settings, the records table's
//! filter and sort, the open tab and the calls view's settings. Sites live in `sites.toml`, not
//! here. This is the one copy: the views are drawn with it and edit it in place.

use std::path::PathBuf;

use crate::store::ViewSettings;
use crate::timeline::CallsSettings;

use super::theme::ThemeChoice;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
pub enum Tab {
    #[default]
    Records,
    Calls,
    Raw,
    History,
    Alarms,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Records,
        Tab::Calls,
        Tab::Raw,
        Tab::History,
        Tab::Alarms,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Records => "Records",
            Self::Calls => "Calls",
            Self::Raw => "Raw stream",
            Self::History => "History",
            Self::Alarms => "Alarms",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub theme: ThemeChoice,
    /// Where raw day logs go; `None` = the OS data folder.
    pub log_dir: Option<PathBuf>,
    /// Calls at least this long are marked as long, minutes.
    pub long_call_min: u32,
    /// An App Suite call with no event for this long is closed as aged out, minutes.
    pub age_out_min: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: ThemeChoice::System,
            log_dir: None,
            long_call_min: 30,
            age_out_min: crate::timeline::DEFAULT_AGE_OUT_MIN,
        }
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PersistedState {
    pub settings: Settings,
    /// The records table's filter and sort.
    pub records: ViewSettings,
    pub tab: Tab,
    pub calls: CallsSettings,
}
