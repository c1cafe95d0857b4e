//! The application icon and the id shared with the desktop entry.
//!
//! The pictures live in `assets/` and are drawn by `packaging/make-icons.py`; the window gets the
//! 256 px one (window managers scale it down for title bars and task switchers). On Wayland a
//! window has no icon of its own: the compositor finds `smdr-monitor.desktop` through [`APP_ID`]
//! and shows that entry's icon, which is why the two must match.

#[cfg(feature = "gui")]
use eframe::egui::IconData;

/// Matches the `.desktop` file name and its `StartupWMClass`, and the icon name in the hicolor
/// theme (`packaging/linux/smdr-monitor.desktop`).
pub const APP_ID: &str = "smdr-monitor";

/// Width and height of the window icon, in pixels.
pub const WINDOW_ICON_SIZE: u32 = 256;

#[cfg(feature = "gui")]
const WINDOW_ICON_PNG: &[u8] = include_bytes!("../assets/icons/smdr-monitor-256.png");

/// The window icon (`ViewportBuilder::with_icon`), `None` if it cannot be decoded.
#[cfg(feature = "gui")]
pub fn window_icon() -> Option<IconData> {
    match eframe::icon_data::from_png_bytes(WINDOW_ICON_PNG) {
        Ok(icon) => Some(icon),
        Err(e) => {
            // Only a broken build could get here; the window still opens, with the default icon.
            tracing::warn!(
                "the built-in window icon could not be decoded ({e}); using the default"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn manifest_dir() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[cfg(feature = "gui")]
    fn pixel(icon: &IconData, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * icon.width + x) * 4) as usize;
        [
            icon.rgba[i],
            icon.rgba[i + 1],
            icon.rgba[i + 2],
            icon.rgba[i + 3],
        ]
    }

    #[cfg(feature = "gui")]
    #[test]
    fn window_icon_decodes_to_its_size_with_a_transparent_corner_and_an_opaque_tile() {
        let icon = window_icon().expect("the embedded icon decodes");
        assert_eq!(
            (icon.width, icon.height),
            (WINDOW_ICON_SIZE, WINDOW_ICON_SIZE)
        );
        assert_eq!(icon.rgba.len(), (256 * 256 * 4) as usize);
        // Rounded tile with a margin: the corner shows through, the tile's body does not.
        assert_eq!(pixel(&icon, 0, 0)[3], 0);
        assert_eq!(pixel(&icon, 128, 240)[3], 255);
        // The handset is white-ish on a dark teal tile.
        let [r, g, b, _] = pixel(&icon, 128, 240);
        assert!(b > r && g > r, "tile is teal, got {r},{g},{b}");
    }

    #[cfg(feature = "gui")]
    #[test]
    fn every_hicolor_size_is_a_square_png_of_that_size() {
        for size in [16u32, 24, 32, 48, 64, 128, 256, 512] {
            let path = manifest_dir().join(format!("assets/icons/smdr-monitor-{size}.png"));
            let bytes = std::fs::read(&path).expect("icon file exists");
            let icon = eframe::icon_data::from_png_bytes(&bytes).expect("icon decodes");
            assert_eq!(
                (icon.width, icon.height),
                (size, size),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn desktop_entry_names_the_app_id_for_its_icon_and_window_class() {
        let path = manifest_dir().join(format!("packaging/linux/{APP_ID}.desktop"));
        let entry = std::fs::read_to_string(&path).expect("desktop entry exists");
        let lines: Vec<&str> = entry.lines().collect();
        assert!(lines.contains(&format!("Icon={APP_ID}").as_str()));
        assert!(lines.contains(&format!("StartupWMClass={APP_ID}").as_str()));
        // %F: files dropped on the launcher or opened with it go to the window.
        assert!(lines.contains(&format!("Exec={APP_ID} %F").as_str()));
    }

    #[test]
    fn deb_metadata_installs_the_binary_the_entry_and_every_icon_under_its_hicolor_size() {
        let text = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).expect("read");
        let manifest: toml::Table = toml::from_str(&text).expect("Cargo.toml parses");
        let assets = manifest["package"]["metadata"]["deb"]["assets"]
            .as_array()
            .expect("[package.metadata.deb] assets");
        let pairs: Vec<(&str, &str)> = assets
            .iter()
            .map(|a| (a[0].as_str().expect("src"), a[1].as_str().expect("dest")))
            .collect();
        assert!(pairs.contains(&("target/release/smdr-monitor", "usr/bin/")));
        let entry = format!("usr/share/applications/{APP_ID}.desktop");
        assert!(pairs.contains(&("packaging/linux/smdr-monitor.desktop", entry.as_str())));
        for size in [16, 24, 32, 48, 64, 128, 256, 512] {
            let src = format!("assets/icons/smdr-monitor-{size}.png");
            let dest = format!("usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png");
            assert!(
                pairs.contains(&(src.as_str(), dest.as_str())),
                "the .deb lacks {src} -> {dest}"
            );
        }
    }
}
