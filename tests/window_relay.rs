//! The site form's relay fields and the card's "relaying to N", driven through egui_kittest.

use egui_kittest::kittest::Queryable;
use smdr_monitor::collect::{CollectorEvent, RelayStatus, SiteState, SiteStatus};
use smdr_monitor::ui::DemoMode;

mod window_common;
use window_common::*;

#[test]
fn the_site_form_sets_up_a_relay_and_keeps_its_password_out_of_the_site_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sized(options(dir.path(), DemoMode::Off, false), [1400.0, 1000.0]);
    h.get_by_label("+ Add site").click();
    h.run();
    type_into(&mut h, "Name", "HQ");
    type_into(&mut h, "Address", "10.1.2.3");
    type_into(&mut h, "Relay to", "listen 0.0.0.0:4000, push 10.0.0.9");
    type_into(&mut h, "Relay password", "relayPw1");
    type_into(&mut h, "Relay allow-list", "10.0.0.7, 10.0.0.8");
    type_into(&mut h, "Replay minutes on connect", "5");
    h.get_by_label("Save").click();
    h.run();
    // A push entry without a port is refused, in words.
    assert!(
        h.query_by_label_contains(
            "the relay entry \"push 10.0.0.9\" is not \"listen ADDRESS:PORT\" or \"push HOST:PORT\""
        )
        .is_some()
    );
    assert_eq!(h.state().all_sites().count(), 0);
    type_into(&mut h, "Relay to", ":1752");
    h.get_by_label("Save").click();
    h.run();
    let sites: Vec<_> = h.state().all_sites().cloned().collect();
    assert_eq!(sites.len(), 1);
    let relay = &sites[0].relay;
    assert_eq!(relay.entries, ["listen 0.0.0.0:4000", "push 10.0.0.9:1752"]);
    assert_eq!(relay.password.expose(), "relayPw1");
    assert_eq!(relay.allow, ["10.0.0.7", "10.0.0.8"]);
    assert_eq!(relay.replay_minutes, 5);
    assert!(
        h.query_by_label("relayPw1").is_none(),
        "the password never shows"
    );
    let text = std::fs::read_to_string(dir.path().join("sites.toml")).unwrap();
    assert!(!text.contains("relayPw1"), "{text}");
    assert!(text.contains("relay_password_in_store = true"), "{text}");
    assert!(text.contains("replay_minutes = 5"), "{text}");

    // Listeners coming and going show on the card.
    let status = |clients, drops| CollectorEvent::Status {
        site: "HQ".into(),
        status: SiteStatus {
            records_today: 3,
            relay: RelayStatus {
                clients,
                drops,
                ..RelayStatus::default()
            },
            ..SiteStatus::new(SiteState::Receiving)
        },
    };
    h.state_mut().ingest_event(status(2, 0));
    h.run();
    assert!(h.query_by_label("relaying to 2").is_some());
    h.state_mut().ingest_event(status(1, 1));
    h.run();
    assert!(
        h.query_by_label("relaying to 1 (1 dropped as too slow)")
            .is_some()
    );
    assert!(h.query_by_label("relaying to 2").is_none());
}
