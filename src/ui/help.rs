//! Help: what each decoded field means (the detail view's tooltips), the Help menu's short
//! guide, and About (version and where things are kept, each path ready to copy).

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::app::SmdrApp;
use super::shell::SHORTCUTS;
use super::theme;

/// Which of the Help menu's windows are open.
#[derive(Debug, Default)]
pub struct HelpWindows {
    pub guide: bool,
    pub about: bool,
}

/// The guide: a page per part of the window, a sentence or three each.
const GUIDE: &[(&str, &str)] = &[
    (
        "Sites",
        "Sites › Add site… takes the phone system's address and format (a Mitel 5000 also needs \
         its SMDR password). Each site is collected from on its own; its card on the left says \
         whether records are arriving. Test connection checks the connection step by step.",
    ),
    (
        "Records",
        "Every line each site sent, decoded, newest at the bottom. The boxes above the table \
         filter it: Number ignores punctuation (7145122718 finds 714-512-2718), Text looks in the \
         whole line and in the Note column. Click a column's title to sort by it, a row to see \
         its fields, raw text and bytes. While a row is selected it stays where it is on screen; \
         ↓ Jump to latest follows the newest rows again.",
    ),
    (
        "Calls",
        "Records and App Suite events put together into calls: who called, who answered, how \
         long they waited and talked, and what became of the call, with statistics for the calls \
         shown. Click a call for its timeline.",
    ),
    (
        "Raw stream",
        "The latest bytes each site sent, as they came, and its connection log. Pause holds the \
         frames still to read them; collecting goes on, and the bytes since are counted. \
         Symbols: · space, ∅ NUL, ¤ CR, ¶ LF, ░ any other byte; hover a frame for its hex.",
    ),
    (
        "Logs and files",
        "Everything received is kept as it came in raw day logs, one folder per site, in the log \
         folder (File › Open log folder). File › Open log… reads saved logs and captures into the \
         table; files can also be dropped on the window. Export writes the table or the calls \
         as CSV, XLSX or JSON lines.",
    ),
];

/// The Help menu's windows, when open.
pub fn windows(app: &mut SmdrApp, ctx: &egui::Context) {
    egui::Window::new("Guide")
        .open(&mut app.help.guide)
        .default_width(520.0)
        .vscroll(true)
        .show(ctx, |ui| {
            for (title, text) in GUIDE {
                ui.strong(*title);
                ui.label(*text);
                ui.add_space(6.0);
            }
            ui.strong("Keyboard");
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for (shortcut, what) in SHORTCUTS {
                    ui.label(theme::mono(ctx.format_shortcut(&shortcut)));
                    ui.label(what);
                    ui.end_row();
                }
                for (keys, what) in [
                    ("↑ ↓ PgUp PgDn Home End", "move the selected row"),
                    ("Esc", "clear the selection"),
                ] {
                    ui.label(theme::mono(keys));
                    ui.label(what);
                    ui.end_row();
                }
            });
        });
    let paths = about_paths(app);
    egui::Window::new("About SMDR Monitor")
        .open(&mut app.help.about)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label(RichText::new(format!("SMDR Monitor {}", env!("CARGO_PKG_VERSION"))).strong());
            ui.label(env!("CARGO_PKG_DESCRIPTION"));
            ui.add_space(6.0);
            egui::Grid::new("about-paths").show(ui, |ui| {
                for (what, path) in &paths {
                    ui.label(*what);
                    match path {
                        Some(p) => {
                            let text = p.display().to_string();
                            ui.label(theme::mono(&text));
                            if ui
                                .button("Copy path")
                                .on_hover_text(format!("Copy the {} path", what.to_lowercase()))
                                .clicked()
                            {
                                ctx.copy_text(text);
                            }
                        }
                        None => {
                            ui.label("unknown: this system names no home folder");
                        }
                    }
                    ui.end_row();
                }
            });
        });
}

/// What About lists: the folders and the file a technician may be asked for.
fn about_paths(app: &SmdrApp) -> [(&'static str, Option<PathBuf>); 3] {
    let config = app.options.config_path.clone();
    let config_dir = config.parent().map(|p| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    });
    let app_log = crate::paths::app_log_dir().map(|d| {
        d.join(format!(
            "{}.{}",
            crate::paths::APP_LOG_PREFIX,
            chrono::Utc::now().format("%Y-%m-%d")
        ))
    });
    [
        ("Config folder", config_dir),
        ("Log folder", Some(app.log_dir())),
        ("App log", app_log),
    ]
}

/// What each decoded field means, for the detail view's tooltips.
pub fn field(name: &str) -> &'static str {
    match name {
        "format" => {
            "Which SMDR layout the line is: Mitel 5000 / MiVoice Office 250, App Suite IP SMDR, or MiVoice Business."
        }
        "kind" => {
            "call: a call record; header: the 5000's date line; event: one App Suite call event; unparsed: a line that could not be decoded (kept, with the reason)."
        }
        "source" => {
            "The file and line the record came from (for live data: the raw day log and its line)."
        }
        "date" => {
            "The call's date. 5000 records carry none: it comes from the receipt time, the latest SMDR header, or --date. MiVB prints month and day only."
        }
        "start" => {
            "When the call started (5000: when it became valid; ring start on ring-in records), 24-hour."
        }
        "timestamp" => {
            "When the App Suite event happened, after reading a 12-hour clock against the call's start."
        }
        "call_type" => {
            "5000 call type: LOC local, TLC toll local, TLD toll long distance, O/I operator/international, DSA DISA, CNF conference, DID, IN incoming, NET networked node; blank on ring-in diagnostic records."
        }
        "direction" => "IN or OUT, as the App Suite reports it.",
        "event" => {
            "The App Suite call event: RINGING, ANSWERED, HOLD, CONNECTED/CALLCONNECTED, DIVERTED, TRANSFERRED, QUEUED, CALLMODIFIED, DISCONNECTED (others are kept as printed)."
        }
        "ring_in" => {
            "A 5000 ring-in diagnostic record: how long an incoming call rang, and who answered (***** = nobody)."
        }
        "extension" => {
            "5000: the last endpoint that handled the call. App Suite: the device the event is about."
        }
        "source_extension" => "App Suite: where a diverted or transferred call came from.",
        "trunk" => "The trunk's extension number (P0001 is an IP network link on a 5000).",
        "digits" => {
            "5000: digits dialled (a trailing > means more than fit), or caller id and DID on incoming calls."
        }
        "number" => {
            "The outside number: caller id on incoming calls, the number dialled on outgoing ones (padding stripped)."
        }
        "contact_name" => "App Suite: the contact name for the outside number.",
        "ddi" => "App Suite: the DDI / DID number the call came in on.",
        "ddi_name" => "App Suite: the name given to that DDI.",
        "calling_party" => {
            "MiVB: who made the call — a station, Tnnn (CO trunk), Xnnn (non-CO trunk) or ATTm (attendant)."
        }
        "called_party" => "MiVB: who was called, in the same encoding.",
        "third_party" => "MiVB: the second station of a transfer or conference.",
        "duration_s" => {
            "How long the call lasted, in seconds (5000 ring-in records: how long it rang)."
        }
        "time_to_answer_s" => {
            "MiVB: seconds before the call was answered; empty when unanswered (***)."
        }
        "cost" => "5000 cost as printed: $XX.XX, $XXXXX above $99.99, $$$$$$ above $99999.",
        "account_code" => "The account code entered for the call, if any.",
        "trunk_disconnect" => {
            "5000: the * flag — the outside party (the trunk side) hung up first: the caller \
             on an incoming call, the number dialled on an outgoing one."
        }
        "completion" => {
            "MiVB completion: A answered, B busy, E error/invalid, T toll/TAFAS, I internal."
        }
        "transfer_flag" => "MiVB: T supervised transfer, X unsupervised, C conference.",
        "attendant" => {
            "MiVB: the * flag — an attendant (operator console) was involved in the call."
        }
        "long_call" => {
            "MiVB: - 5 to 10 minutes, % 10 to 30, + 30 minutes and more; empty when the line lost that first column."
        }
        "system_id" => "MiVB: the system identifier.",
        "ani" => "MiVB: the calling number (ANI) when the option is on.",
        "dnis" => "MiVB: the dialled number (DNIS) when the option is on.",
        "call_id" => {
            "App Suite: the call's id (its first 14 digits are its start). MiVB: the call identifier."
        }
        "call_sequence" => "MiVB: the call identifier's sequence digit.",
        "associated_call_id" => "MiVB: the call this one is associated with.",
        "error" => "Why the line could not be decoded. The line is kept as received.",
        "raw" => "The record text exactly as received, without framing.",
        _ => "",
    }
}
