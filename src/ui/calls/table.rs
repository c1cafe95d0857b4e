//! The calls table: one row per call, virtualised; click a header to sort, a row to select.

use eframe::egui::{self, Align, Layout, RichText, Sense, Ui};
use egui_extras::{Column, TableBuilder};

use super::text::opt_duration;
use crate::timeline::CallColumn;
use crate::timeline::{Call, Outcome};

/// What the user did in the table this frame.
#[derive(Debug, Default)]
pub struct TableInput {
    pub clicked: Option<usize>,
    pub sort_by: Option<CallColumn>,
}

fn width(col: CallColumn) -> f32 {
    match col {
        CallColumn::Start | CallColumn::End => 140.0,
        CallColumn::Direction | CallColumn::Transfers | CallColumn::Events => 64.0,
        CallColumn::Number | CallColumn::Ddi => 110.0,
        CallColumn::Name | CallColumn::Path | CallColumn::Site => 130.0,
        CallColumn::Outcome => 90.0,
        CallColumn::CallId => 180.0,
        _ => 76.0,
    }
}

fn cell(c: &Call, col: CallColumn) -> String {
    match col {
        CallColumn::Start => c.start.format("%Y-%m-%d %H:%M:%S").to_string(),
        CallColumn::End => c
            .end
            .map(|e| e.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        CallColumn::Site => c.site.to_string(),
        CallColumn::Direction => c.direction.to_string(),
        CallColumn::Number => c.number.clone(),
        CallColumn::Name => c.contact_name.clone(),
        CallColumn::Ddi => c.ddi.clone(),
        CallColumn::Outcome => c.outcome.label().to_string(),
        CallColumn::AnsweredBy => c.answered_by.map(|a| a.to_string()).unwrap_or_default(),
        CallColumn::Answer => opt_duration(c.time_to_answer_s),
        CallColumn::Talk => opt_duration(c.talk_s),
        CallColumn::Hold => opt_duration((c.hold_s > 0).then_some(c.hold_s)),
        CallColumn::Queued => opt_duration((c.queued_s > 0).then_some(c.queued_s)),
        CallColumn::Transfers => c.transfers.to_string(),
        CallColumn::Path => {
            let parts: Vec<&str> = c.path.iter().map(|p| p.as_str()).collect();
            parts.join(" > ")
        }
        CallColumn::Events => c.events.len().to_string(),
        CallColumn::CallId => c.call_id.clone(),
    }
}

pub fn show(
    ui: &mut Ui,
    calls: &[Call],
    rows: &[usize],
    (sort, descending): (CallColumn, bool),
    selected: Option<usize>,
    scroll_to: Option<usize>,
    marked: &std::collections::HashSet<String>,
) -> TableInput {
    let mut input = TableInput::default();
    // Clicks go to the row, not to text selection in its labels.
    ui.style_mut().interaction.selectable_labels = false;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    let mut table = TableBuilder::new(ui)
        .id_salt("calls.table")
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .auto_shrink(false)
        .cell_layout(Layout::left_to_right(Align::Center));
    // The last column takes what width is left, so a wide window widens it, not a gap.
    for col in CallColumn::ALL {
        let column = if col == CallColumn::ALL[CallColumn::ALL.len() - 1] {
            Column::remainder().at_least(width(col))
        } else {
            Column::initial(width(col)).at_least(28.0)
        };
        table = table.column(column.clip(true));
    }
    if let Some(pos) = scroll_to.and_then(|s| rows.iter().position(|&r| r == s)) {
        table = table.scroll_to_row(pos, None);
    }
    table
        .header(row_height + 2.0, |mut header| {
            for col in CallColumn::ALL {
                header.col(|ui| {
                    let arrow = match (col == sort, descending) {
                        (false, _) => "",
                        (true, false) => " ▲",
                        (true, true) => " ▼",
                    };
                    let title = RichText::new(format!("{}{arrow}", col.title())).strong();
                    if ui
                        .add(egui::Button::selectable(col == sort, title).frame(false))
                        .on_hover_text("Sort by this column (again: reverse)")
                        .clicked()
                    {
                        input.sort_by = Some(col);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_height, rows.len(), |mut row| {
                let Some(&i) = rows.get(row.index()) else {
                    return;
                };
                let Some(c) = calls.get(i) else { return };
                row.set_selected(selected == Some(i));
                let alarm = marked.contains(c.call_id.as_str());
                for col in CallColumn::ALL {
                    row.col(|ui| {
                        let mut text = RichText::new(cell(c, col));
                        // A calm mark: the start time of a call that raised an alarm.
                        if alarm && col == CallColumn::ALL[0] {
                            text = RichText::new(format!("◆ {}", cell(c, col)))
                                .color(crate::ui::theme::WARN.get(ui));
                        }
                        if col.numeric() {
                            text = text.monospace();
                        }
                        if col == CallColumn::Outcome && c.outcome == Outcome::Abandoned {
                            text = text.color(ui.visuals().warn_fg_color);
                        }
                        if col.numeric() {
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                ui.label(text);
                            });
                        } else {
                            ui.label(text);
                        }
                    });
                }
                if row.response().clicked() {
                    input.clicked = Some(i);
                }
            });
        });
    input
}
