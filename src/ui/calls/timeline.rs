//! Drawing one call's timeline: a lane per extension, bars for ringing, queued, talking and
//! hold, markers for answer, transfers, diversions and the end, and a time axis.

use chrono::{NaiveDateTime, Timelike};
use eframe::egui::{
    self, Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2, pos2, vec2,
};

use super::text::duration;
use crate::timeline::{Call, MarkerKind, Outcome, SegmentKind, Timeline, seconds};

const LANE_HEIGHT: f32 = 22.0;
const LABEL_WIDTH: f32 = 96.0;
const AXIS_HEIGHT: f32 = 18.0;

/// Calm colours that stay distinct, and readable on both the dark and the light theme.
pub fn segment_color(kind: SegmentKind, dark: bool) -> Color32 {
    match (kind, dark) {
        (SegmentKind::Ringing, true) => Color32::from_rgb(214, 164, 72),
        (SegmentKind::Ringing, false) => Color32::from_rgb(201, 138, 27),
        (SegmentKind::Queued, true) => Color32::from_rgb(154, 143, 209),
        (SegmentKind::Queued, false) => Color32::from_rgb(123, 108, 194),
        (SegmentKind::Talking, true) => Color32::from_rgb(93, 179, 126),
        (SegmentKind::Talking, false) => Color32::from_rgb(62, 154, 94),
        (SegmentKind::Hold, true) => Color32::from_rgb(91, 155, 213),
        (SegmentKind::Hold, false) => Color32::from_rgb(60, 125, 191),
    }
}

/// One sentence a technician reads: where it rang and for how long, and what came of it.
pub fn describe(call: &Call, t: &Timeline) -> String {
    let lane_total = |lane: usize, kind: SegmentKind| -> Option<u32> {
        let mut any = false;
        let total = t
            .segments
            .iter()
            .filter(|s| s.lane == lane && s.kind == kind)
            .map(|s| {
                any = true;
                seconds(s.from, s.to)
            })
            .sum();
        any.then_some(total)
    };
    let name = |lane: usize| match t.lanes[lane].as_str() {
        "" => "an unknown extension".to_string(),
        ext => ext.to_string(),
    };
    let mut parts = Vec::new();
    for (kind, verb) in [
        (SegmentKind::Queued, "queued at"),
        (SegmentKind::Ringing, "rang at"),
    ] {
        let places: Vec<String> = (0..t.lanes.len())
            .filter_map(|l| lane_total(l, kind).map(|s| format!("{} for {}", name(l), duration(s))))
            .collect();
        if !places.is_empty() {
            parts.push(format!("{verb} {}", places.join(", then ")));
        }
    }
    match call.outcome {
        Outcome::Answered => {
            let by = call.answered_by.map(|a| a.to_string()).unwrap_or_default();
            parts.push(match call.time_to_answer_s {
                Some(s) if !by.is_empty() => format!("answered by {by} after {}", duration(s)),
                _ if !by.is_empty() => format!("answered by {by}"),
                _ => "answered".to_string(),
            });
        }
        Outcome::Abandoned => parts.push(match call.wait_s() {
            Some(w) => format!("nobody answered: the caller hung up after {}", duration(w)),
            None => "nobody answered".to_string(),
        }),
        Outcome::NotAnswered => parts.push(match call.end {
            Some(end) => format!(
                "nobody answered: the call ended after {}",
                duration(seconds(call.start, end))
            ),
            None => "nobody answered".to_string(),
        }),
        Outcome::Busy => parts.push("busy".to_string()),
        Outcome::Failed => {
            parts.push("failed: the phone system reports an error or invalid call".to_string())
        }
        Outcome::InProgress => parts.push("in progress".to_string()),
        Outcome::AgedOut => parts.push("no end seen (aged out)".to_string()),
    }
    if call.hold_s > 0 {
        parts.push(format!("on hold {}", duration(call.hold_s)));
    }
    match call.transfers {
        0 => {}
        1 => parts.push("transferred once".to_string()),
        n => parts.push(format!("transferred {n} times")),
    }
    if let Some(talk) = call.talk_s {
        parts.push(format!("talked {}", duration(talk)));
    }
    let mut s = parts.join("; ");
    if let Some(first) = s.get(..1) {
        s.replace_range(..1, &first.to_uppercase());
    }
    s.push('.');
    s
}

/// A tick step (seconds) that gives at most `max_ticks` ticks over `span` seconds.
fn tick_step(span: f64, max_ticks: f64) -> i64 {
    const STEPS: [i64; 16] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200,
    ];
    STEPS
        .into_iter()
        .find(|&s| span / s as f64 <= max_ticks)
        .unwrap_or(86400)
}

/// Maps times to x positions in a lane's rect.
struct Axis {
    start: NaiveDateTime,
    span_s: f64,
}

/// Room at both ends of a lane so markers at the start and the end are drawn whole.
const PAD: f32 = 7.0;

impl Axis {
    fn x(&self, rect: Rect, t: NaiveDateTime) -> f32 {
        let s = (t - self.start).num_milliseconds() as f64 / 1000.0;
        let width = (rect.width() - 2.0 * PAD).max(1.0);
        rect.left() + PAD + (s / self.span_s).clamp(0.0, 1.0) as f32 * width
    }

    fn ticks(&self, width: f32) -> (i64, Vec<NaiveDateTime>) {
        let step = tick_step(self.span_s, ((width - 2.0 * PAD) / 90.0).max(2.0) as f64);
        let since_midnight = i64::from(self.start.num_seconds_from_midnight());
        let first = self.start + chrono::Duration::seconds((step - since_midnight % step) % step);
        let end = self.start + chrono::Duration::milliseconds((self.span_s * 1000.0) as i64);
        let mut ticks = Vec::new();
        let mut t = first;
        while t <= end && ticks.len() < 200 {
            ticks.push(t);
            t += chrono::Duration::seconds(step);
        }
        (step, ticks)
    }
}

/// Draws the timeline. Lane names are labels (screen readers and tests find them); bars and
/// markers are painted and explained on hover.
pub fn show(ui: &mut Ui, t: &Timeline) {
    let (Some(start), Some(end)) = (t.start, t.end) else {
        return;
    };
    let dark = ui.visuals().dark_mode;
    let text_color = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let outline = ui.visuals().extreme_bg_color;
    let axis = Axis {
        start,
        span_s: ((end - start).num_milliseconds() as f64 / 1000.0).max(1.0),
    };

    ui.horizontal(|ui| {
        for kind in SegmentKind::ALL {
            let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
            ui.painter().rect_filled(r, 2.0, segment_color(kind, dark));
            ui.label(kind.label());
            ui.add_space(8.0);
        }
        for (kind, label) in [
            (MarkerKind::Answer, "answer"),
            (MarkerKind::Transfer, "transfer"),
            (MarkerKind::Diversion, "diversion"),
            (MarkerKind::HangUp, "end"),
        ] {
            let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
            marker(ui.painter(), kind, r.center(), text_color, outline);
            ui.label(label);
            ui.add_space(8.0);
        }
    });

    let mut track_width = 0.0;
    for (lane, ext) in t.lanes.iter().enumerate() {
        ui.horizontal(|ui| {
            let name = if ext.is_empty() {
                "(no extension)"
            } else {
                ext.as_str()
            };
            ui.add_sized(
                [LABEL_WIDTH, LANE_HEIGHT],
                egui::Label::new(egui::RichText::new(name).monospace()).truncate(),
            );
            let size = vec2(ui.available_width().max(60.0), LANE_HEIGHT);
            let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
            track_width = rect.width();
            let painter = ui.painter_at(rect);
            painter.rect_filled(rect, 2.0, ui.visuals().faint_bg_color);
            for tick in axis.ticks(rect.width()).1 {
                let x = axis.x(rect, tick);
                painter.vline(
                    x,
                    rect.y_range(),
                    Stroke::new(1.0, weak.gamma_multiply(0.3)),
                );
            }
            let mut tip: Option<String> = None;
            let pointer = response.hover_pos();
            for s in t.segments.iter().filter(|s| s.lane == lane) {
                let (x0, x1) = (axis.x(rect, s.from), axis.x(rect, s.to));
                let bar = Rect::from_min_max(
                    pos2(x0, rect.top() + 4.0),
                    pos2(x1.max(x0 + 2.0), rect.bottom() - 4.0),
                );
                painter.rect_filled(bar, 2.0, segment_color(s.kind, dark));
                if pointer.is_some_and(|p| bar.expand2(vec2(2.0, 4.0)).contains(p)) {
                    tip = Some(format!(
                        "{} at {}: {} – {} ({})",
                        s.kind.label(),
                        name,
                        s.from.format("%H:%M:%S"),
                        s.to.format("%H:%M:%S"),
                        duration(seconds(s.from, s.to))
                    ));
                }
            }
            for m in t.markers.iter().filter(|m| m.lane == lane) {
                let x = axis.x(rect, m.at);
                marker(
                    &painter,
                    m.kind,
                    pos2(x, rect.center().y),
                    text_color,
                    outline,
                );
                if pointer.is_some_and(|p| (p.x - x).abs() <= 5.0) {
                    tip = Some(format!("{} at {}", m.label, m.at.format("%H:%M:%S")));
                }
            }
            if let Some(tip) = tip {
                response.on_hover_text_at_pointer(tip);
            }
        });
    }

    // The time axis, under the lanes.
    ui.horizontal(|ui| {
        ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        let (rect, _) =
            ui.allocate_exact_size(vec2(track_width.max(60.0), AXIS_HEIGHT), Sense::hover());
        let painter = ui.painter_at(rect.expand2(vec2(40.0, 0.0)));
        let (step, ticks) = axis.ticks(rect.width());
        let format = if step < 60 { "%H:%M:%S" } else { "%H:%M" };
        for tick in ticks {
            let x = axis.x(rect, tick);
            painter.vline(x, rect.top()..=rect.top() + 4.0, Stroke::new(1.0, weak));
            painter.text(
                pos2(x, rect.top() + 5.0),
                Align2::CENTER_TOP,
                tick.format(format).to_string(),
                FontId::monospace(11.0),
                weak,
            );
        }
    });
}

/// A marker in the text colour, outlined in the background colour so it stands out on a bar.
fn marker(painter: &egui::Painter, kind: MarkerKind, at: Pos2, color: Color32, outline: Color32) {
    let r = 5.5;
    let stroke = Stroke::new(1.5, outline);
    match kind {
        MarkerKind::Transfer => painter.add(egui::Shape::convex_polygon(
            vec![at + vec2(-r, -r), at + vec2(r, -r), at + vec2(0.0, r)],
            color,
            stroke,
        )),
        MarkerKind::Diversion => painter.add(egui::Shape::convex_polygon(
            vec![
                at + vec2(0.0, -r),
                at + vec2(r, 0.0),
                at + vec2(0.0, r),
                at + vec2(-r, 0.0),
            ],
            color,
            stroke,
        )),
        MarkerKind::Answer => painter.circle(at, r - 1.0, color, stroke),
        MarkerKind::HangUp => painter.rect(
            Rect::from_center_size(at, Vec2::splat(2.0 * r - 2.0)),
            1.0,
            color,
            stroke,
            egui::StrokeKind::Middle,
        ),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_readable() {
        assert_eq!(tick_step(14.0, 8.0), 2);
        assert_eq!(tick_step(600.0, 8.0), 120);
        assert_eq!(tick_step(3.0 * 3600.0, 8.0), 1800);
        let start = NaiveDateTime::parse_from_str("2012-03-09 01:31:15", "%F %T").unwrap();
        let axis = Axis {
            start,
            span_s: 14.0,
        };
        let (step, ticks) = axis.ticks(8.0 * 90.0);
        assert_eq!(step, 2);
        assert_eq!(ticks[0].format("%T").to_string(), "01:31:16");
        assert_eq!(
            ticks.last().map(|t| t.format("%T").to_string()),
            Some("01:31:28".into())
        );
    }
}
