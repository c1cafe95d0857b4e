//! The Records tab: the filter bar, the live table (virtualised, sortable, sticking to the newest
//! row while the user is at the bottom) and, for the selected row, its detail.

use eframe::egui::{self, Align, Panel, RichText};
use egui_extras::{Column, TableBuilder};

use crate::protocol::summary::{note, summary};
use crate::protocol::{Body, Format, Kind};
use crate::store::{OutcomeFilter, RowId, SortColumn};
use crate::timeline::Outcome;

use super::app::SmdrApp;
use super::theme;
use super::widgets::{
    RECORDS_FIND, escape_pressed, keyboard_row, labelled_text, labelled_text_with_id,
};
use crate::timeline::parse_when;

/// Text the filter bar holds before it parses into the filter (times and durations).
#[derive(Default)]
pub struct FilterTexts {
    pub from: String,
    pub to: String,
    pub min_duration: String,
    /// The table was scrolled to the bottom last frame.
    pub at_bottom: bool,
    pub jump_to_latest: bool,
    /// Where the selected row was on screen last frame, while it was in sight.
    pub hold: Option<Hold>,
    /// The detail panel was open last frame (it takes height from the table when it opens).
    pub detail_open: bool,
    /// "Jump to latest" was pressed since the selection last changed: follow the newest rows
    /// even with the selected row in sight.
    pub follow: bool,
    /// The table's scroll offset at the end of the last frame.
    pub offset: f32,
    /// The filters behind "More filters" are shown.
    pub more_filters: bool,
}

/// The selected row, held still on screen while rows arrive above it: its display position and
/// the table's scroll offset when it was last drawn.
#[derive(Debug, Clone, Copy)]
pub struct Hold {
    id: RowId,
    pos: usize,
    offset: f32,
    /// The view's generation and direction `pos` was found for.
    generation: u64,
    descending: bool,
}

impl FilterTexts {
    /// The texts of a filter restored at start (the filter is saved, the texts are not).
    pub fn of(f: &crate::store::Filter) -> Self {
        let when = |t: Option<chrono::NaiveDateTime>| {
            t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default()
        };
        Self {
            from: when(f.from),
            to: when(f.to),
            min_duration: f.min_duration_s.map(|s| s.to_string()).unwrap_or_default(),
            ..Self::default()
        }
    }
}

pub fn tab(app: &mut SmdrApp, ui: &mut egui::Ui) {
    filter_bar(app, ui);
    ui.separator();
    app.store.refresh(&mut app.view, &app.state.records);
    if app.selected.is_some() {
        // A filled frame: the table's lines must not show through the detail.
        let frame = egui::Frame::side_top_panel(ui.style()).fill(ui.visuals().panel_fill);
        Panel::bottom("detail")
            .frame(frame)
            .resizable(true)
            .default_size(240.0)
            .min_size(120.0)
            .show(ui, |ui| super::detail::show(app, ui));
    }
    // The table's column lines reach its full height: kept to the space above the detail.
    let clip = ui.clip_rect().intersect(ui.available_rect_before_wrap());
    ui.set_clip_rect(clip);
    table(app, ui);
}

fn filter_bar(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let sites: Vec<String> = app.store.sites().iter().map(|s| s.to_string()).collect();
    let texts = &mut app.forms.filter_texts;
    let f = &mut app.state.records.filter;
    filter_fields(ui, f, texts, Some(sites), RECORDS_FIND);
}

/// The Records tab's filters (the History tab's too, which chooses its sites itself: `sites`
/// `None`). `find` is the Text box's id.
pub(super) fn filter_fields(
    ui: &mut egui::Ui,
    f: &mut crate::store::Filter,
    texts: &mut FilterTexts,
    sites: Option<Vec<String>>,
    find: &str,
) {
    // One row of the filters used most; the rest behind "More filters", so a narrow window keeps
    // its table. The button counts the folded filters in use, so none is forgotten.
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        if let Some(sites) = sites {
            let sites = std::iter::once(None).chain(sites.into_iter().map(Some));
            super::widgets::labelled_choice(ui, "Site", "site-filter", &mut f.site, sites, |s| {
                s.as_deref().unwrap_or("all sites")
            });
        }
        labelled_text_with_id(
            ui,
            "Text",
            &mut f.text,
            170.0,
            "anywhere in the line or note",
            find,
        );
        labelled_text(ui, "Number", &mut f.number, 110.0, "");
        let folded = folded_in_use(f, texts);
        let more = match (texts.more_filters, folded) {
            (true, _) => "Fewer filters".to_string(),
            (false, 0) => "More filters".to_string(),
            (false, n) => format!("More filters ({n} in use)"),
        };
        if ui
            .selectable_label(texts.more_filters, more)
            .on_hover_text("Format, type, extension, trunk, times, duration and outcome")
            .clicked()
        {
            texts.more_filters = !texts.more_filters;
        }
        if !f.is_empty() && ui.button("Clear").clicked() {
            *f = Default::default();
            let more = texts.more_filters;
            *texts = FilterTexts {
                more_filters: more,
                ..Default::default()
            };
        }
    });
    if texts.more_filters {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 6.0;
            let formats = std::iter::once(None).chain(Format::ALL.map(Some));
            super::widgets::labelled_choice(
                ui,
                "Format",
                "format-filter",
                &mut f.format,
                formats,
                |f| f.map_or("all formats", Format::label),
            );
            labelled_text(ui, "Type/event", &mut f.what, 80.0, "TLC, IN, RINGING…");
            labelled_text(ui, "Extension", &mut f.extension, 60.0, "");
            labelled_text(ui, "Trunk", &mut f.trunk, 60.0, "");
            labelled_text(ui, "From", &mut texts.from, 120.0, "YYYY-MM-DD HH:MM");
            labelled_text(ui, "To", &mut texts.to, 120.0, "YYYY-MM-DD HH:MM");
            labelled_text(ui, "Min duration", &mut texts.min_duration, 50.0, "m:ss");
            super::widgets::labelled_choice(
                ui,
                "Outcome",
                "outcome-filter",
                &mut f.outcome,
                OutcomeFilter::ALL,
                |o| o.label(),
            )
            .on_hover_text(
                "Answered and unanswered judge call records (5000, MiVB). An App Suite line \
                     is one event of a call: its call's outcome is in the Calls tab, and the \
                     events of abandoned calls are shown in red here.",
            );
        });
    }
    f.from = parse_when(&texts.from, false);
    f.to = parse_when(&texts.to, true);
    f.min_duration_s = parse_duration(&texts.min_duration);
    let bad = [
        (!texts.from.trim().is_empty() && f.from.is_none(), "From"),
        (!texts.to.trim().is_empty() && f.to.is_none(), "To"),
        (
            !texts.min_duration.trim().is_empty() && f.min_duration_s.is_none(),
            "Min duration",
        ),
    ];
    let bad: Vec<&str> = bad.iter().filter(|(b, _)| *b).map(|(_, w)| *w).collect();
    if !bad.is_empty() {
        ui.label(
            RichText::new(format!("{}: not understood", bad.join(", "))).color(theme::WARN.get(ui)),
        );
    }
}

/// How many of the filters behind "More filters" are in use (typed, even if not understood).
fn folded_in_use(f: &crate::store::Filter, texts: &FilterTexts) -> usize {
    [
        f.format.is_some(),
        !f.what.trim().is_empty(),
        !f.extension.trim().is_empty(),
        !f.trunk.trim().is_empty(),
        !texts.from.trim().is_empty(),
        !texts.to.trim().is_empty(),
        !texts.min_duration.trim().is_empty(),
        f.outcome != OutcomeFilter::default(),
    ]
    .into_iter()
    .filter(|&b| b)
    .count()
}

/// `90` (seconds), `1:30`, `1:00:00`.
pub fn parse_duration(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    s.split(':').try_fold(0u32, |acc, part| {
        Some(acc.checked_mul(60)? + part.parse::<u32>().ok()?)
    })
}

/// The table's columns in order: title, the sort a click on the title asks for (the note has
/// none), and width (the last takes what is left).
/// `width` is the table's: in a narrow window the first widths shrink so the Note stays in sight.
pub(super) fn columns(width: f32) -> [(&'static str, Option<SortColumn>, Column); 9] {
    use SortColumn::*;
    // The initial widths below add up to 745, plus the Note's 80 and the gaps between columns.
    let scale = ((width - 80.0 - 9.0 * 8.0) / 745.0).clamp(0.6, 1.0);
    let w = |initial: f32, at_least: f32| {
        Column::initial((initial * scale).max(at_least))
            .at_least(at_least)
            .clip(true)
    };
    [
        ("Time", Some(Time), w(150.0, 80.0)),
        ("Site", Some(Site), w(100.0, 50.0)),
        ("Type", Some(What), w(110.0, 40.0)),
        ("Ext", Some(Extension), w(50.0, 40.0)),
        ("Trunk", Some(Trunk), w(55.0, 40.0)),
        ("Number", Some(Number), w(150.0, 60.0)),
        ("Duration", Some(Duration), w(65.0, 50.0).clip(false)),
        ("Account", Some(Account), w(65.0, 40.0)),
        ("Note", None, Column::remainder().at_least(80.0).clip(true)),
    ]
}

fn table(app: &mut SmdrApp, ui: &mut egui::Ui) {
    let n = app.view.len();
    let settings = &app.state.records;
    let follows = matches!(settings.sort, SortColumn::Arrival | SortColumn::Time);
    let newest_last = follows && !settings.descending;
    ui.horizontal(|ui| {
        ui.label(theme::mono(format!(
            "{n} shown / {} total",
            app.store.len()
        )));
        if newest_last
            && !app.forms.filter_texts.at_bottom
            && n > 0
            && ui.button("↓ Jump to latest").clicked()
        {
            app.forms.filter_texts.jump_to_latest = true;
        }
        let settings = &mut app.state.records;
        if settings.sort != SortColumn::Arrival && ui.button("Arrival order").clicked() {
            settings.sort = SortColumn::Arrival;
            settings.descending = false;
        }
    });
    let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 6.0;
    // `tab` drew the detail panel above (under the table) for the selection as it was then.
    let detail_drawn = app.selected.is_some();
    let long_s = app.state.settings.long_call_min * 60;
    let (selected, view) = (app.selected, &app.view);
    let current = || selected.and_then(|id| view.position(id));
    let key_to = keyboard_row(ui, current, n, 20);
    if let Some(pos) = key_to {
        app.selected = app.view.get(pos);
        // The detail above the table was drawn for the old selection.
        ui.ctx().request_repaint();
    } else if app.selected.is_some() && escape_pressed(ui) {
        app.selected = None;
        ui.ctx().request_repaint();
    }
    let columns = columns(ui.available_width());
    // egui_extras steps rows by their height plus the item spacing.
    let row_step = row_h + ui.spacing().item_spacing.y;
    let plan = plan_scroll(app, key_to, detail_drawn, row_step);
    if plan.offset.is_some() {
        // The offset reaches into rows the scroll area has not measured yet: no spring back
        // from the old end (the end of this frame clamps it to the new one).
        ui.spacing_mut().scroll.kinetic.rubber_band = false;
    }
    let mut builder = TableBuilder::new(ui)
        .id_salt("records")
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .stick_to_bottom(newest_last && !plan.holding)
        .cell_layout(egui::Layout::left_to_right(Align::Center));
    for (_, _, width) in columns {
        builder = builder.column(width);
    }
    if plan.jump {
        builder = builder.scroll_to_row(n - 1, Some(Align::BOTTOM));
    }
    if let Some(pos) = key_to.or(plan.reveal) {
        builder = builder.scroll_to_row(pos, None);
    } else if let Some(offset) = plan.offset {
        builder = builder.vertical_scroll_offset(offset);
    }
    let mut clicked = None;
    let mut selected_at = None;
    let view = &app.view;
    let settings = &mut app.state.records;
    let store = &app.store;
    let selected = app.selected;
    let tracker = &app.tracker;
    let marked = &app.alarms.marked_records;
    let out = builder
        .header(row_h + 2.0, |mut header| {
            for (title, sort, _) in columns {
                header.col(|ui| {
                    let Some(column) = sort else {
                        ui.strong(title);
                        return;
                    };
                    let arrow = match (settings.sort == column, settings.descending) {
                        (true, false) => " ▲",
                        (true, true) => " ▼",
                        _ => "",
                    };
                    let title = format!("{title}{arrow}");
                    let b = egui::Button::selectable(settings.sort == column, title).frame(false);
                    if ui.add(b).on_hover_text("Sort by this column").clicked() {
                        settings.toggle_sort(column);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_h, n, |mut row| {
                let Some(id) = view.get(row.index()) else {
                    return;
                };
                let Some(r) = store.get(id) else { return };
                if selected == Some(id) {
                    row.set_selected(true);
                    selected_at = Some(row.index());
                }
                let d = r.decode();
                let s = summary(&d);
                let unparsed = d.kind() == Kind::Unparsed;
                // An App Suite event says nothing of the outcome; its call does.
                let abandoned_call = match &d.body {
                    Body::AppSuiteEvent(e) => tracker
                        .app_suite_call(r.site(), e.call_id)
                        .is_some_and(|c| c.outcome == Outcome::Abandoned),
                    _ => false,
                };
                let color = |ui: &egui::Ui| {
                    if unparsed {
                        theme::MUTED.get(ui)
                    } else if s.unanswered || abandoned_call {
                        theme::BAD.get(ui)
                    } else {
                        ui.visuals().text_color()
                    }
                };
                let cell = |row: &mut egui_extras::TableRow<'_, '_>, text: String, mono: bool| {
                    row.col(|ui| {
                        let mut t = if mono {
                            theme::mono(text)
                        } else {
                            RichText::new(text)
                        };
                        t = t.color(color(ui));
                        if unparsed {
                            t = t.italics();
                        }
                        ui.add(egui::Label::new(t).truncate().selectable(false));
                    });
                };
                if marked.contains(d.text) {
                    // A calm mark on a record that raised an alarm.
                    row.col(|ui| {
                        let t = theme::mono(format!("◆ {}", when_text(&r, &d)))
                            .color(theme::WARN.get(ui));
                        ui.add(egui::Label::new(t).truncate().selectable(false))
                            .on_hover_text("This record raised an alarm (Alarms tab)");
                    });
                } else {
                    cell(&mut row, when_text(&r, &d), true);
                }
                cell(&mut row, r.site().to_string(), false);
                let what = if s.direction.is_empty() || s.direction == s.what {
                    s.what.to_string()
                } else {
                    format!("{} {}", s.direction, s.what)
                };
                cell(&mut row, what, false);
                cell(&mut row, s.extension.to_string(), true);
                cell(&mut row, s.trunk.to_string(), true);
                cell(&mut row, s.number.to_string(), true);
                row.col(|ui| {
                    if let Some(secs) = s.duration_s {
                        let long = secs >= long_s && long_s > 0;
                        let c = if long { theme::WARN.get(ui) } else { color(ui) };
                        ui.with_layout(egui::Layout::right_to_left(Align::Center), |ui| {
                            ui.label(theme::mono(theme::duration(secs)).color(c));
                        });
                    }
                });
                cell(&mut row, s.account.to_string(), true);
                cell(&mut row, note(&d.body).to_string(), false);
                if row.response().clicked() {
                    clicked = Some((id, row.index()));
                }
            });
        });
    if let Some((id, pos)) = clicked {
        let again = app.selected == Some(id);
        app.selected = (!again).then_some(id);
        selected_at = (!again).then_some(pos);
    }
    let chose = clicked.is_some() || key_to.is_some();
    remember_scroll(
        app,
        ui.ctx(),
        &out,
        (row_h, row_step),
        selected_at,
        (plan.jump, chose),
    );
}

/// How the table scrolls this frame.
struct ScrollPlan {
    /// "Jump to latest" was pressed.
    jump: bool,
    /// The selected row is held: the table does not follow the newest rows meanwhile.
    holding: bool,
    /// The row to scroll into sight: the selected one, when the detail panel has just opened
    /// over it.
    reveal: Option<usize>,
    /// The offset that keeps the held row where it was, when rows arrived above it.
    offset: Option<f32>,
}

/// A jump or a key press scrolls on purpose; otherwise the selected row, if it was in sight,
/// stays where it was on screen, whatever arrives above it.
fn plan_scroll(
    app: &mut SmdrApp,
    key_to: Option<usize>,
    detail_drawn: bool,
    row_step: f32,
) -> ScrollPlan {
    let texts = &mut app.forms.filter_texts;
    let (view, selected) = (&app.view, app.selected);
    let jump = std::mem::take(&mut texts.jump_to_latest) && !view.is_empty();
    let on_purpose = jump || key_to.is_some();
    let hold = texts
        .hold
        .take()
        .filter(|h| Some(h.id) == selected && !on_purpose);
    let offset = hold.and_then(|h| {
        // Rows can only have moved if the view changed.
        if h.generation == view.generation() && h.descending == view.descending() {
            return None;
        }
        let moved = (view.position(h.id)? as f32 - h.pos as f32) * row_step;
        (moved != 0.0).then_some((h.offset + moved).max(0.0))
    });
    let detail_opened = detail_drawn && !texts.detail_open;
    texts.detail_open = detail_drawn;
    let reveal = selected
        .filter(|_| detail_opened && !on_purpose)
        .and_then(|id| view.position(id));
    ScrollPlan {
        jump,
        holding: hold.is_some(),
        reveal,
        offset,
    }
}

/// After drawing: whether the table is at its end, and where the selected row is if in sight
/// (the next frame holds it there).
/// `jump`: "Jump to latest" was pressed; `chose`: the user picked a row (so a jump's following
/// ends).
fn remember_scroll(
    app: &mut SmdrApp,
    ctx: &egui::Context,
    out: &egui::scroll_area::ScrollAreaOutput<()>,
    (row_h, row_step): (f32, f32),
    selected_at: Option<usize>,
    (jump, chose): (bool, bool),
) {
    let texts = &mut app.forms.filter_texts;
    let offset = out.state.clamped_offset().y;
    let height = out.inner_rect.height();
    let at_bottom = offset + height >= out.content_size.y - row_h;
    if at_bottom != texts.at_bottom || offset != texts.offset {
        // The rows were drawn before the table stuck to its end, and "Jump to latest" shows
        // (or goes) on the next frame.
        ctx.request_repaint();
    }
    texts.offset = offset;
    texts.at_bottom = at_bottom;
    texts.follow = (texts.follow || jump) && !chose;
    // Drawn rows reach a little past the edges: only a row in sight is held.
    let in_sight = |pos: usize| {
        let top = pos as f32 * row_step;
        top + row_h > offset && top < offset + height
    };
    texts.hold = selected_at
        .filter(|&pos| !texts.follow && in_sight(pos))
        .zip(app.selected)
        .map(|(pos, id)| Hold {
            id,
            pos,
            offset,
            generation: app.view.generation(),
            descending: app.view.descending(),
        });
}

fn when_text(r: &crate::store::RecordRef<'_>, d: &crate::protocol::Decoded<'_>) -> String {
    match (&d.body, r.when()) {
        (Body::AppSuiteEvent(e), _) => e.timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
        (Body::Mitel5000Call(c), None) => format!("(no date) {}", c.start.format("%H:%M")),
        (Body::Unparsed(_), Some(t)) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        (_, Some(t)) => t.format("%Y-%m-%d %H:%M").to_string(),
        (_, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_bar_parses_durations() {
        assert_eq!(parse_duration("90"), Some(90));
        assert_eq!(parse_duration("1:30"), Some(90));
        assert_eq!(parse_duration("1:00:00"), Some(3600));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_duration(""), None);
    }
}
