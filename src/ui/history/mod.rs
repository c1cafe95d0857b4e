//! The History tab (sites, a date range and the Records tab's filters over the history database;
//! a virtualised table read a page at a time; calls / answered / abandoned per day; export) and
//! Settings › History (embedded or PostgreSQL, a Test button, the writer's status). Every
//! database access is on a thread: the browse thread, the export job, the test.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use chrono::{Datelike, Duration, Local, NaiveDate};
use eframe::egui::{self, Align, RichText};
use egui_extras::{DatePickerButton, TableBuilder};
use egui_plot::{Bar, BarChart, Legend, Plot};

mod settings;

pub use settings::{SettingsForm, settings_section};

use super::app::SmdrApp;
use super::records::{FilterTexts, columns, filter_fields};
use super::theme;
use crate::engine::history::Retarget;
use crate::history::browse::{Browse, LineId};
use crate::history::browser::{Answer, Browser, PAGE};
use crate::history::target::{EMBEDDED_FILE, target_from_settings};
use crate::history::{HistoryStatus, StatsRow, StoredLine, Target};
use crate::protocol::summary::{note, summary};
use crate::protocol::{Body, Kind};
use crate::store::Filter;

/// Pages kept in memory; the ones furthest from sight go first.
const PAGES_KEPT: usize = 30;
/// The History tab's Text filter box.
pub const HISTORY_FIND: &str = "history.find";

/// The history database the window uses: the settings file's `history` beside the sites file,
/// else the embedded database (in the OS data folder; beside the log folder a test gives).
pub fn window_target(config_path: &Path, log_dir_override: Option<&Path>) -> (Target, String) {
    let settings = config_path.with_file_name("settings.toml");
    match target_from_settings(&settings) {
        Ok(Some(t)) => return (t, String::new()),
        Ok(None) => {}
        Err(e) => {
            let why = format!("{e}; using the embedded history database");
            let t = fallback(log_dir_override);
            return (t, why);
        }
    }
    (fallback(log_dir_override), String::new())
}

/// Beside the log folder a test gives (never the user's data folder), else the OS default.
pub(super) fn fallback(log_dir_override: Option<&Path>) -> Target {
    match log_dir_override {
        Some(dir) => Target::Embedded(
            dir.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(dir)
                .join(EMBEDDED_FILE),
        ),
        None => Target::default_embedded(),
    }
}

/// The History tab's and Settings › History's state.
pub struct HistoryUi {
    /// The writer's last status (from the engine).
    pub status: Option<HistoryStatus>,
    /// Points the running history stage elsewhere.
    pub retarget: Retarget,
    pub target: Option<Target>,
    browser: Option<Browser>,
    pub sites: BTreeSet<String>,
    known_sites: Vec<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub filter: Filter,
    texts: FilterTexts,
    asked: Option<Browse>,
    generation: u64,
    ids: Option<Arc<[LineId]>>,
    per_day: Vec<StatsRow>,
    pages: HashMap<usize, Vec<StoredLine>>,
    requested: HashSet<usize>,
    error: Option<String>,
    seen: Option<u64>,
    pub form: SettingsForm,
}

impl Default for HistoryUi {
    fn default() -> Self {
        let today = Local::now().date_naive();
        Self {
            status: None,
            retarget: Retarget::default(),
            target: None,
            browser: None,
            sites: BTreeSet::new(),
            known_sites: Vec::new(),
            from: today,
            to: today,
            filter: Filter::default(),
            texts: FilterTexts::default(),
            asked: None,
            generation: 0,
            ids: None,
            per_day: Vec::new(),
            pages: HashMap::new(),
            requested: HashSet::new(),
            error: None,
            seen: None,
            form: SettingsForm::default(),
        }
    }
}

impl HistoryUi {
    /// What the tab asks now.
    fn browse(&self) -> Browse {
        let (from, to) = if self.from <= self.to {
            (self.from, self.to)
        } else {
            (self.to, self.from)
        };
        Browse {
            sites: self.sites.iter().cloned().collect(),
            from: Some(from),
            to: Some(to),
            filter: Filter {
                site: None,
                ..self.filter.clone()
            },
        }
    }

    /// Rows of the result (`None` until the first answer).
    pub fn found(&self) -> Option<usize> {
        self.ids.as_ref().map(|ids| ids.len())
    }

    /// The calls per day of the result.
    pub fn per_day(&self) -> &[StatsRow] {
        &self.per_day
    }

    /// The browse thread for `target`, started (again) when the target changed.
    fn browser(&mut self, target: &Target, wake: &crate::wake::Wake) -> Option<&Browser> {
        if self.browser.as_ref().is_none_or(|b| b.target() != target) {
            let wake = wake.clone();
            match Browser::start(target.clone(), Arc::new(move || wake())) {
                Ok(b) => {
                    self.browser = Some(b);
                    self.asked = None;
                    self.known_sites.clear();
                }
                Err(e) => {
                    self.error = Some(format!("cannot start a thread for the history: {e}"));
                    return None;
                }
            }
        }
        self.browser.as_ref()
    }

    fn take_answers(&mut self) {
        let Some(b) = &self.browser else { return };
        while let Some(a) = b.try_recv() {
            match a {
                Answer::Found {
                    generation,
                    ids,
                    per_day,
                } if generation == self.generation => {
                    self.ids = Some(ids);
                    self.per_day = per_day;
                    self.pages.clear();
                    self.requested.clear();
                    self.error = None;
                    self.seen = None;
                }
                Answer::Page {
                    generation,
                    page,
                    lines,
                } if generation == self.generation => {
                    self.pages.insert(page, lines);
                }
                Answer::Sites(sites) => self.known_sites = sites,
                Answer::Progress { generation, seen } if generation == self.generation => {
                    self.seen = Some(seen);
                }
                Answer::Failed {
                    generation,
                    message,
                } if generation == self.generation => {
                    self.error = Some(message);
                    self.requested.clear();
                }
                _ => {}
            }
        }
    }

    /// Asks for the page holding `row` unless it is here or asked for.
    fn want(&mut self, page: usize) {
        if self.pages.contains_key(&page) || !self.requested.insert(page) {
            return;
        }
        if let Some(b) = &self.browser {
            b.page(self.generation, page);
        }
    }

    /// Keeps the pages nearest to `around`.
    fn evict(&mut self, around: usize) {
        if self.pages.len() <= PAGES_KEPT {
            return;
        }
        let mut pages: Vec<usize> = self.pages.keys().copied().collect();
        pages.sort_by_key(|p| p.abs_diff(around));
        for p in pages.into_iter().skip(PAGES_KEPT) {
            self.pages.remove(&p);
            self.requested.remove(&p);
        }
    }
}

/// The tab.
pub fn tab(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let target = app.history_target();
    let wake = app.wake.clone();
    let configured: Vec<String> = app.all_sites().map(|s| s.name.clone()).collect();
    let only_demo = app.is_demo() && app.sites.is_empty();
    let h = &mut app.history;
    if h.browser(&target, &wake).is_none() {
        if let Some(e) = &h.error {
            ui.label(RichText::new(e).color(theme::BAD.get(ui)));
        }
        return;
    }
    h.take_answers();
    query_bar(h, ui, &configured);
    filter_fields(ui, &mut h.filter, &mut h.texts, None, HISTORY_FIND);
    let b = h.browse();
    if h.asked.as_ref() != Some(&b) {
        h.generation += 1;
        if let Some(browser) = &h.browser {
            browser.query(h.generation, b.clone());
        }
        h.asked = Some(b);
        h.seen = Some(0);
    }
    let mut export = None;
    ui.horizontal(|ui| {
        let shown = match (h.found(), h.seen) {
            (_, Some(seen)) => format!("searching… {seen} lines looked at"),
            (Some(n), None) => format!("{n} record{} in {}", if n == 1 { "" } else { "s" }, target),
            (None, None) => String::new(),
        };
        ui.label(theme::mono(shown));
        if let Some(status) = &h.status {
            ui.separator();
            ui.weak(status.describe());
        }
        if h.found().is_some_and(|n| n > 0) && h.seen.is_none() {
            export = super::widgets::export_menu(ui, "Export…", None);
        }
    });
    if only_demo && h.found() == Some(0) {
        ui.weak("The demo's records are not kept in the history: add a site to collect one.");
    }
    if let Some(e) = &h.error {
        ui.label(
            RichText::new(format!("The history cannot be read: {e}")).color(theme::BAD.get(ui)),
        );
    }
    if let (Some(format), Some(ids)) = (export, h.ids.clone()) {
        let scope = super::app::ExportScope::History {
            target: target.clone(),
            ids,
        };
        app.commands
            .push(super::app::Command::PickExport(scope, format));
    }
    let h = &mut app.history;
    if !h.per_day.is_empty() {
        chart(h, ui);
    }
    ui.separator();
    table(h, ui);
}

fn query_bar(h: &mut HistoryUi, ui: &mut egui::Ui, configured: &[String]) {
    let mut all: BTreeSet<String> = h.known_sites.iter().cloned().collect();
    all.extend(configured.iter().cloned());
    // Wrapped: in a 1024-wide window the date buttons and shortcuts take a second row.
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        let label = match h.sites.len() {
            0 => "all sites".to_string(),
            1 => h.sites.iter().next().cloned().unwrap_or_default(),
            n => format!("{n} sites"),
        };
        ui.label("Sites");
        ui.menu_button(label, |ui| {
            if ui
                .selectable_label(h.sites.is_empty(), "all sites")
                .clicked()
            {
                h.sites.clear();
            }
            for s in &all {
                let mut on = h.sites.contains(s);
                if ui.checkbox(&mut on, s).changed() {
                    if on {
                        h.sites.insert(s.clone());
                    } else {
                        h.sites.remove(s);
                    }
                }
            }
        });
        ui.label("From");
        date_button(ui, &mut h.from, "history.from");
        ui.label("to");
        date_button(ui, &mut h.to, "history.to");
        let today = Local::now().date_naive();
        let yesterday = today - Duration::days(1);
        for (label, from, to) in [
            ("Today", today, today),
            ("Yesterday", yesterday, yesterday),
            ("Last 7 days", today - Duration::days(6), today),
            ("Last 30 days", today - Duration::days(29), today),
        ] {
            if ui
                .selectable_label(h.from == from && h.to == to, label)
                .clicked()
            {
                h.from = from;
                h.to = to;
            }
        }
    });
}

/// A chrono date through the picker (which works in `jiff` dates).
fn date_button(ui: &mut egui::Ui, day: &mut NaiveDate, id: &str) {
    let Ok(mut d) = jiff::civil::Date::new(
        i16::try_from(day.year()).unwrap_or(2000),
        day.month() as i8,
        day.day() as i8,
    ) else {
        return;
    };
    let r = ui.add(
        DatePickerButton::new(&mut d)
            .id_salt(id)
            .calendar_week(false)
            .show_icon(false)
            .highlight_weekends(false)
            .format("%Y-%m-%d (%a)"),
    );
    if r.changed()
        && let Some(n) =
            NaiveDate::from_ymd_opt(i32::from(d.year()), d.month() as u32, d.day() as u32)
    {
        *day = n;
    }
}

fn chart(h: &HistoryUi, ui: &mut egui::Ui) {
    let days: Vec<NaiveDate> = h
        .per_day
        .iter()
        .filter_map(|r| NaiveDate::parse_from_str(&r.group, "%Y-%m-%d").ok())
        .collect();
    let first = days.iter().min().copied().unwrap_or(h.from);
    let x = |day: &str| {
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map(|d| (d - first).num_days() as f64)
            .unwrap_or(0.0)
    };
    let series = |name: &str, offset: f64, value: fn(&StatsRow) -> i64| {
        let bars = h
            .per_day
            .iter()
            .map(|r| {
                Bar::new(x(&r.group) + offset, value(r) as f64)
                    .name(&r.group)
                    .width(0.28)
            })
            .collect();
        BarChart::new(name, bars)
    };
    let (good, bad) = (theme::GOOD.get(ui), theme::BAD.get(ui));
    ui.horizontal(|ui| {
        egui::ScrollArea::vertical()
            .id_salt("history.per_day")
            .max_height(130.0)
            .max_width(300.0)
            .show(ui, |ui| {
                egui::Grid::new("history.per_day.grid")
                    .striped(true)
                    .show(ui, |ui| {
                        for title in ["Day", "Calls", "Answered", "Abandoned"] {
                            ui.strong(title);
                        }
                        ui.end_row();
                        for r in &h.per_day {
                            ui.label(theme::mono(&r.group));
                            ui.label(theme::mono(r.calls.to_string()));
                            ui.label(theme::mono(r.answered.to_string()));
                            ui.label(theme::mono(r.abandoned.to_string()));
                            ui.end_row();
                        }
                    });
            });
        Plot::new("history.chart")
            .height(130.0)
            .legend(Legend::default())
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .include_y(0.0)
            .x_axis_formatter(move |m, _| {
                (first + Duration::days(m.value.round() as i64))
                    .format("%m-%d")
                    .to_string()
            })
            .y_axis_formatter(|m, _| format!("{}", m.value.round() as i64))
            .show(ui, |plot| {
                plot.add(series("calls", -0.3, |r| r.calls));
                plot.add(series("answered", 0.0, |r| r.answered).color(good));
                plot.add(series("abandoned", 0.3, |r| r.abandoned).color(bad));
            });
    });
}

fn table(h: &mut HistoryUi, ui: &mut egui::Ui) {
    let n = h.found().unwrap_or(0);
    let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 6.0;
    let columns = columns(ui.available_width());
    let mut builder = TableBuilder::new(ui)
        .id_salt("history")
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(Align::Center));
    for (_, _, width) in columns {
        builder = builder.column(width);
    }
    let mut wanted = Vec::new();
    builder
        .header(row_h + 2.0, |mut header| {
            for (title, _, _) in columns {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_h, n, |mut row| {
                let i = row.index();
                let (page, at) = (i / PAGE, i % PAGE);
                let Some(line) = h.pages.get(&page).and_then(|p| p.get(at)) else {
                    wanted.push(page);
                    row.col(|ui| {
                        ui.weak("…");
                    });
                    return;
                };
                draw_row(&mut row, line);
            });
        });
    wanted.sort_unstable();
    wanted.dedup();
    for &p in &wanted {
        h.want(p);
    }
    if let Some(&p) = wanted.first() {
        h.evict(p);
    }
}

fn draw_row(row: &mut egui_extras::TableRow<'_, '_>, line: &StoredLine) {
    let d = line.decode();
    let s = summary(&d);
    let unparsed = d.kind() == Kind::Unparsed;
    let when = match (&d.body, s.when) {
        (Body::AppSuiteEvent(e), _) => e.timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
        (_, Some(t)) => t.format("%Y-%m-%d %H:%M").to_string(),
        (_, None) => line
            .received()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
    };
    let what = if s.direction.is_empty() || s.direction == s.what {
        s.what.to_string()
    } else {
        format!("{} {}", s.direction, s.what)
    };
    let duration = s.duration_s.map(theme::duration).unwrap_or_default();
    let cells = [
        when,
        line.site.clone(),
        what,
        s.extension.to_string(),
        s.trunk.to_string(),
        s.number.to_string(),
        duration,
        s.account.to_string(),
        note(&d.body).to_string(),
    ];
    for (i, text) in cells.into_iter().enumerate() {
        row.col(|ui| {
            let mut t = if i == 1 || i == 2 || i == 8 {
                RichText::new(text)
            } else {
                theme::mono(text)
            };
            if unparsed {
                t = t.italics().color(theme::MUTED.get(ui));
            } else if s.unanswered {
                t = t.color(theme::BAD.get(ui));
            }
            ui.add(egui::Label::new(t).truncate())
                .on_hover_text(&line.raw);
        });
    }
}
