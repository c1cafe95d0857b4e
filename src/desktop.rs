//! The desktop around the window: native file dialogs and opening a folder in the file manager.
//! Dialogs run on their own thread so the window keeps drawing while one is open. Each says when
//! it could not be shown, so the window can offer another way (a path typed in, the path shown).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::wake::Wake;

/// What to ask the user for.
#[derive(Debug, Clone)]
pub enum Pick {
    /// Saved logs and captures to import.
    OpenLogs,
    /// Where to save an export: a suggested file name and its extension.
    SaveAs { name: String, extension: String },
    /// A folder (the log folder).
    Folder,
}

/// What a file dialog gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Picked {
    Paths(Vec<PathBuf>),
    Cancelled,
    /// No dialog could be shown; why, in words.
    Unavailable(String),
}

/// The desktop the window runs on: the system's, or (tests) one with no file dialog and no
/// file manager.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Desktop {
    #[default]
    System,
    /// Nothing to show a dialog or a folder with, as on a bare Linux system.
    Bare,
}

/// Why a folder could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum OpenFolderError {
    #[error("cannot create the folder {}: {source}", dir.display())]
    Create {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no file manager could be started to show it: {}",
        start_words(program, source)
    )]
    NoFileManager {
        program: &'static str,
        source: std::io::Error,
    },
    #[error(
        "{program} could not show it (it ended with {status}): no file manager is set up for folders"
    )]
    Refused {
        program: &'static str,
        status: std::process::ExitStatus,
    },
    #[error("no file manager on this system")]
    Bare,
}

/// A dialog that answers "cancelled" faster than a person can did not open (rfd says
/// "cancelled" both ways on Linux when neither the desktop portal nor zenity is there).
#[cfg(not(any(windows, target_os = "macos")))]
const TOO_QUICK: Duration = Duration::from_millis(400);

impl Desktop {
    /// Shows the dialog on a named thread; the answer arrives on the receiver, and `wake` is
    /// called so the window looks at it.
    pub fn pick(self, what: Pick, wake: Wake) -> Receiver<Picked> {
        let (tx, rx) = channel();
        if self == Self::Bare {
            let _ = tx.send(Picked::Unavailable(no_dialog_words()));
            wake();
            return rx;
        }
        let fallback = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("smdr-dialog".into())
            .spawn(move || {
                let _ = tx.send(show(what));
                wake();
            });
        if let Err(e) = spawned {
            let _ = fallback.send(Picked::Unavailable(format!(
                "cannot start the file dialog's thread: {e}"
            )));
        }
        rx
    }

    /// Opens `dir` in the system's file manager (creating it first, so there is something to
    /// open). The answer arrives on the receiver once the file manager has started or failed.
    pub fn open_folder(self, dir: &Path, wake: Wake) -> Receiver<Result<(), OpenFolderError>> {
        let (tx, rx) = channel();
        if let Err(source) = std::fs::create_dir_all(dir) {
            let _ = tx.send(Err(OpenFolderError::Create {
                dir: dir.to_path_buf(),
                source,
            }));
            return rx;
        }
        if self == Self::Bare {
            let _ = tx.send(Err(OpenFolderError::Bare));
            return rx;
        }
        let dir = dir.to_path_buf();
        let fallback = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("smdr-open-folder".into())
            .spawn(move || {
                let _ = tx.send(open_folder(&dir));
                wake();
            });
        if let Err(source) = spawned {
            let _ = fallback.send(Err(OpenFolderError::NoFileManager {
                program: FILE_MANAGER,
                source,
            }));
        }
        rx
    }
}

fn show(what: Pick) -> Picked {
    let asked = Instant::now();
    let answer = match what {
        Pick::OpenLogs => rfd::FileDialog::new()
            .set_title("Open SMDR logs or captures")
            .add_filter("SMDR logs", &["log", "txt", "bin", "cap", "smdr"])
            .add_filter("All files", &["*"])
            .pick_files(),
        Pick::SaveAs { name, extension } => rfd::FileDialog::new()
            .set_title("Export")
            .set_file_name(name)
            .add_filter(extension.to_uppercase(), &[extension.as_str()])
            .save_file()
            .map(|p| vec![p]),
        Pick::Folder => rfd::FileDialog::new()
            .set_title("Choose the log folder")
            .pick_folder()
            .map(|p| vec![p]),
    };
    match answer {
        Some(paths) => Picked::Paths(paths),
        None if closed_at_once(asked.elapsed()) => {
            let words = no_dialog_words();
            tracing::warn!("{words}");
            Picked::Unavailable(words)
        }
        None => Picked::Cancelled,
    }
}

#[cfg(not(any(windows, target_os = "macos")))]
fn closed_at_once(took: Duration) -> bool {
    took < TOO_QUICK
}

/// Windows and macOS dialogs are part of the system: "cancelled" means cancelled.
#[cfg(any(windows, target_os = "macos"))]
fn closed_at_once(_took: Duration) -> bool {
    false
}

fn no_dialog_words() -> String {
    if cfg!(any(windows, target_os = "macos")) {
        "the system's file dialog could not be shown".into()
    } else {
        "no file dialog could be shown: this system has neither the desktop portal's file chooser \
         (xdg-desktop-portal) nor zenity"
            .into()
    }
}

fn start_words(program: &str, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!("{program} is not installed")
    } else {
        format!("{program}: {e}")
    }
}

const FILE_MANAGER: &str = if cfg!(windows) {
    "explorer"
} else if cfg!(target_os = "macos") {
    "open"
} else {
    "xdg-open"
};

fn open_folder(dir: &Path) -> Result<(), OpenFolderError> {
    let program = FILE_MANAGER;
    let status = std::process::Command::new(program)
        .arg(dir)
        .status()
        .map_err(|source| OpenFolderError::NoFileManager { program, source })?;
    // Explorer ends with 1 even when it opened the folder: only xdg-open and open say failure.
    if status.success() || cfg!(windows) {
        Ok(())
    } else {
        Err(OpenFolderError::Refused { program, status })
    }
}

/// A folder to save into when no dialog can ask: the user's documents, else home, else here.
pub fn default_save_dir() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| {
            u.document_dir()
                .map(Path::to_path_buf)
                .or_else(|| Some(u.home_dir().to_path_buf()))
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_manager_is_named_not_taken_for_a_missing_folder() {
        let e = OpenFolderError::NoFileManager {
            program: "xdg-open",
            source: std::io::ErrorKind::NotFound.into(),
        };
        assert_eq!(
            e.to_string(),
            "no file manager could be started to show it: xdg-open is not installed"
        );
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let rx = Desktop::Bare.open_folder(&logs, std::sync::Arc::new(|| {}));
        let answer = rx.recv().unwrap().unwrap_err();
        assert_eq!(answer.to_string(), "no file manager on this system");
        assert!(
            logs.is_dir(),
            "the folder is made, so it exists to be shown"
        );
        let rx = Desktop::Bare.pick(Pick::Folder, std::sync::Arc::new(|| {}));
        assert!(
            matches!(rx.recv().unwrap(), Picked::Unavailable(w) if w.starts_with("no file dialog could be shown"))
        );
    }
}
