//! The statistics panel: figures for the calls the filter shows, calls per hour, and the
//! abandoned callers to call back.

use eframe::egui::{self, Ui};
use egui_plot::{Bar, BarChart, Plot};

use super::text::{duration, opt_duration, when};
use super::timeline::segment_color;
use crate::timeline::{Call, Outcome, SegmentKind, Stats};

/// `n (p %)` of `whole`.
fn counted(part: u32, whole: u32) -> String {
    if whole == 0 {
        part.to_string()
    } else {
        format!(
            "{part} ({:.0} %)",
            f64::from(part) * 100.0 / f64::from(whole)
        )
    }
}

/// A figure row: name on the left (what it counts on hover), the value beside it. Not pushed to
/// the right edge: a right-to-left cell takes the whole width and its value went under the
/// panel's edge in a narrow window.
fn row(ui: &mut Ui, name: &str, counts: &str, value: String) {
    ui.add(egui::Label::new(name).extend())
        .on_hover_text(counts);
    ui.add(egui::Label::new(egui::RichText::new(value).monospace()).extend());
    ui.end_row();
}

/// A striped grid of figure [`row`]s.
fn figures(ui: &mut Ui, id: &str, add: impl FnOnce(&mut Ui)) {
    egui::Grid::new(id)
        .num_columns(2)
        .striped(true)
        .show(ui, add);
}

/// Draws the panel. `abandoned` are the indexes of the abandoned calls shown, in start order;
/// clicking one selects it.
pub fn show(
    ui: &mut Ui,
    stats: &Stats,
    service_level_s: &mut u32,
    calls: &[Call],
    abandoned: &[usize],
    selected: &mut Option<usize>,
) {
    ui.heading("Statistics");
    ui.label(egui::RichText::new("for the calls shown").weak());
    figures(ui, "calls.stats.grid", |ui| {
        row(
            ui,
            "Calls",
            "Every call the filter shows: incoming, outgoing and internal.",
            stats.calls.to_string(),
        );
        let share = |n| counted(n, stats.calls);
        row(
            ui,
            "Answered",
            Outcome::Answered.meaning(),
            share(stats.answered),
        );
        row(
            ui,
            "Abandoned",
            Outcome::Abandoned.meaning(),
            share(stats.abandoned),
        );
        // Rarer outcomes only when there are some: the panel stays short.
        for (outcome, name, n) in [
            (Outcome::NotAnswered, "Not answered", stats.not_answered),
            (Outcome::Busy, "Busy", stats.busy),
            (Outcome::Failed, "Failed", stats.failed),
        ] {
            if n > 0 {
                row(ui, name, outcome.meaning(), share(n));
            }
        }
        if stats.in_progress + stats.aged_out > 0 {
            row(
                ui,
                "In progress",
                Outcome::InProgress.meaning(),
                stats.in_progress.to_string(),
            );
            row(
                ui,
                "Aged out",
                Outcome::AgedOut.meaning(),
                stats.aged_out.to_string(),
            );
        }
    });
    ui.add_space(6.0);
    ui.strong("Incoming callers").on_hover_text(
        "Waits, time to answer and service level count incoming calls only: an outgoing \
             call nobody picked up, a busy line or a failed call is not a caller who gave up \
             waiting.",
    );
    figures(ui, "calls.stats.callers", |ui| {
        row(
            ui,
            "Incoming calls",
            "Calls from outside (direction IN): the callers the figures below are about.",
            stats.incoming.to_string(),
        );
        row(
            ui,
            "Callers answered",
            "Incoming calls someone answered, of all incoming calls.",
            counted(stats.incoming_answered, stats.incoming),
        );
        row(
            ui,
            "Callers abandoned",
            "Incoming callers who hung up before anyone answered, of all incoming calls. \
                 Busy and failed calls are not counted.",
            counted(stats.incoming_abandoned, stats.incoming),
        );
        row(
            ui,
            "Average time to answer",
            "Mean time from the first ring to the answer, over answered incoming calls.",
            stats
                .avg_time_to_answer_s
                .map(|s| duration(s.round() as u32))
                .unwrap_or_default(),
        );
        row(
            ui,
            "90 % answered within",
            "Nine in ten answered incoming calls were answered within this time of their \
                 first ring.",
            opt_duration(stats.p90_time_to_answer_s),
        );
        row(
            ui,
            "Longest wait",
            "The longest an incoming caller waited, queue included, before an answer or \
                 hanging up.",
            opt_duration(stats.longest_wait_s),
        );
        row(
            ui,
            &format!("Service level ({} s)", stats.service_level_s),
            &format!(
                "Incoming callers answered within {} s of arriving (queue included), of \
                     those answered or abandoned.",
                stats.service_level_s
            ),
            stats
                .service_level_pct
                .map(|p| format!("{p:.0} %"))
                .unwrap_or_default(),
        );
        let label = ui.label("Service level target");
        ui.add(
            egui::DragValue::new(service_level_s)
                .range(1..=600)
                .suffix(" s"),
        )
        .labelled_by(label.id)
        .on_hover_text(
            "A caller answered within this many seconds of arriving (queue included) \
                 counts as in service level",
        );
        ui.end_row();
    });

    ui.add_space(6.0);
    ui.label("Calls per hour");
    let dark = ui.visuals().dark_mode;
    let bars: Vec<Bar> = (0..24)
        .map(|h| {
            Bar::new(h as f64, f64::from(stats.per_hour[h]))
                .width(0.8)
                .name(format!("{h:02}:00"))
        })
        .collect();
    ui.name_inputs("Calls per hour", |ui| {
        Plot::new("calls.per_hour")
            .height(130.0)
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .show_x(false)
            .include_x(-0.6)
            .include_x(23.6)
            .include_y(0.0)
            .x_axis_formatter(|m, _| format!("{:02}", m.value.round() as i64))
            .y_axis_formatter(|m, _| format!("{}", m.value.round() as i64))
            .show(ui, |plot| {
                plot.add(
                    BarChart::new("calls", bars)
                        .color(segment_color(SegmentKind::Hold, dark))
                        .element_formatter(Box::new(|bar, _| {
                            format!("{}: {} calls", bar.name, bar.value)
                        })),
                );
            });
    });

    ui.add_space(6.0);
    ui.label(format!("Abandoned callers ({})", abandoned.len()))
        .on_hover_text("Incoming callers who gave up before an answer, to call back: click one to see its call.");
    if abandoned.is_empty() {
        ui.label(egui::RichText::new("none").weak());
    }
    // Virtualised: a busy day has thousands; only the visible ones are laid out.
    let row_h = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("calls.abandoned")
        .max_height(320.0)
        .auto_shrink([false, true])
        .show_rows(ui, row_h, abandoned.len(), |ui, range| {
            for &i in &abandoned[range] {
                abandoned_row(ui, calls, i, selected);
            }
        });
}

fn abandoned_row(ui: &mut egui::Ui, calls: &[Call], i: usize, selected: &mut Option<usize>) {
    let Some(c) = calls.get(i) else { return };
    let who = match (c.number.as_str(), c.contact_name.as_str()) {
        ("", "") => "no caller id".to_string(),
        (n, "") => n.to_string(),
        ("", name) => name.to_string(),
        (n, name) => format!("{n}  {name}"),
    };
    let wait = c
        .wait_s()
        .map(|w| format!("  waited {}", duration(w)))
        .unwrap_or_default();
    let text = format!("{}  {who}{wait}", when(c.start));
    if ui.selectable_label(*selected == Some(i), text).clicked() {
        *selected = Some(i);
    }
}
