//! The desktop around the window: native file dialogs and opening a folder in the file manager.
//! Dialogs run on their own thread so the window keeps drawing while one is open.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

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

/// Shows the dialog on a named thread; the answer (`None` when cancelled) arrives on the
/// receiver, and `wake` is called so the window looks at it.
pub fn pick(what: Pick, wake: Wake) -> Receiver<Option<Vec<PathBuf>>> {
    let (tx, rx) = channel();
    let spawned = std::thread::Builder::new()
        .name("smdr-dialog".into())
        .spawn(move || {
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
            let _ = tx.send(answer);
            wake();
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot open a file dialog: {e}");
    }
    rx
}

/// Opens `dir` in the system's file manager (creating it first, so there is something to open).
pub fn open_folder(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let program = if cfg!(windows) {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(dir)
        .spawn()
        .map(|_| ())
}
