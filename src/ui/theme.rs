//! Calm colours for a screen watched at 2 a.m.: muted status lights and row cues that read in
//! both light and dark themes, numbers in the monospace font (tabular digits).

use eframe::egui::{self, Color32, RichText, Visuals};

use crate::collect::SiteState;

/// Which theme the user chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// Follow the operating system.
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [Self::System, Self::Light, Self::Dark];

    pub fn label(self) -> &'static str {
        match self {
            Self::System => "Follow the system",
            Self::Light => "Light",
            Self::Dark => "Dark",
        }
    }

    pub fn apply(self, ctx: &egui::Context) {
        ctx.set_theme(match self {
            Self::System => egui::ThemePreference::System,
            Self::Light => egui::ThemePreference::Light,
            Self::Dark => egui::ThemePreference::Dark,
        });
    }
}

/// Softer than egui's defaults: less contrast on panels, a blue-grey accent. The monospace font
/// (Hack) also backs the proportional one, for arrows and shapes Ubuntu Light lacks.
pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(p) = fonts.families.get_mut(&egui::FontFamily::Proportional) {
        p.insert(1.min(p.len()), "Hack".to_owned());
    }
    ctx.set_fonts(fonts);
    ctx.style_mut_of(egui::Theme::Dark, |s| {
        s.visuals = calm(Visuals::dark(), true);
    });
    ctx.style_mut_of(egui::Theme::Light, |s| {
        s.visuals = calm(Visuals::light(), false);
    });
}

fn calm(mut v: Visuals, dark: bool) -> Visuals {
    if dark {
        v.panel_fill = Color32::from_rgb(0x1e, 0x22, 0x27);
        v.window_fill = Color32::from_rgb(0x23, 0x28, 0x2e);
        v.extreme_bg_color = Color32::from_rgb(0x17, 0x1a, 0x1e);
        v.faint_bg_color = Color32::from_rgb(0x25, 0x2a, 0x31);
        v.selection.bg_fill = Color32::from_rgb(0x2f, 0x4a, 0x63);
        v.hyperlink_color = Color32::from_rgb(0x8a, 0xb4, 0xd8);
    } else {
        v.panel_fill = Color32::from_rgb(0xf4, 0xf5, 0xf7);
        v.window_fill = Color32::from_rgb(0xfa, 0xfa, 0xfb);
        v.faint_bg_color = Color32::from_rgb(0xec, 0xee, 0xf1);
        v.selection.bg_fill = Color32::from_rgb(0xc9, 0xdc, 0xee);
    }
    v
}

/// A colour with a light and a dark variant.
#[derive(Clone, Copy)]
pub struct Tone {
    light: Color32,
    dark: Color32,
}

impl Tone {
    pub fn get(self, ui: &egui::Ui) -> Color32 {
        if ui.visuals().dark_mode {
            self.dark
        } else {
            self.light
        }
    }
}

const fn tone(light: (u8, u8, u8), dark: (u8, u8, u8)) -> Tone {
    Tone {
        light: Color32::from_rgb(light.0, light.1, light.2),
        dark: Color32::from_rgb(dark.0, dark.1, dark.2),
    }
}

pub const GOOD: Tone = tone((0x2e, 0x7d, 0x4f), (0x6f, 0xbf, 0x8a));
pub const BUSY: Tone = tone((0x2f, 0x6d, 0xa3), (0x7a, 0xa8, 0xd6));
pub const WARN: Tone = tone((0xa0, 0x6a, 0x00), (0xd9, 0xa4, 0x41));
pub const BAD: Tone = tone((0xb0, 0x3a, 0x2e), (0xe0, 0x7a, 0x6e));
pub const MUTED: Tone = tone((0x80, 0x86, 0x8d), (0x80, 0x87, 0x8f));

/// The status light's colour for a site state.
pub fn state_tone(state: &SiteState) -> Tone {
    match state {
        SiteState::Receiving => GOOD,
        SiteState::WaitingForData | SiteState::Listening => BUSY,
        SiteState::Connecting => WARN,
        SiteState::BackingOff { .. } => BAD,
        SiteState::Stopped => MUTED,
    }
}

/// A filled dot, as a status light.
pub fn light(ui: &mut egui::Ui, color: Color32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 5.0, color);
    response
}

/// Numbers and times: monospace, so digits line up.
pub fn mono(text: impl Into<String>) -> RichText {
    RichText::new(text).monospace()
}

/// `1:05`, `12:00:09`: durations the way people read them.
pub use crate::protocol::duration::clock as duration;
