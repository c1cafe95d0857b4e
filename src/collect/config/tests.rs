use super::*;
use crate::collect::site::Secret;

#[test]
fn round_trip_missing_file_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("sites.toml");
    // Not the real credential store: the file keeps the password.
    let none = Passwords::unavailable();
    let save_sites =
        |path: &Path, sites: &[SiteConfig]| save_sites_with(path, sites, &none).map(|_| ());
    let load_sites = |path: &Path| load_sites_with(path, &none).map(|l| l.sites);
    assert!(load_sites(&path).unwrap().is_empty());
    let mut hq = SiteConfig::from_url("HQ", "mitel5000://10.0.0.5").unwrap();
    hq.password = Secret::new("1234");
    let push = SiteConfig::from_url("Push", "appsuite-push://0.0.0.0:2100").unwrap();
    save_sites(&path, &[hq.clone(), push.clone()]).unwrap();
    assert_eq!(load_sites(&path).unwrap(), vec![hq.clone(), push]);
    assert!(!path.with_file_name("sites.toml.tmp").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "sites.toml must not be readable by others");
    }
    save_sites(&path, &[hq.clone(), hq]).unwrap();
    let err = load_sites(&path).unwrap_err();
    assert!(matches!(err, ConfigError::DuplicateName { ref name, .. } if name == "HQ"));
    let a = SiteConfig::from_url("A B", "mivb://10.0.0.6").unwrap();
    let b = SiteConfig::from_url("a_b", "mivb://10.0.0.7").unwrap();
    save_sites(&path, &[a, b]).unwrap();
    let err = load_sites(&path).unwrap_err().to_string();
    assert!(
        err.contains(r#"has sites "A B" and "a_b", which would share one log folder "A_B""#),
        "{err}"
    );
    std::fs::write(&path, "[[site]]\nname = 3\n").unwrap();
    let err = load_sites(&path).unwrap_err().to_string();
    assert!(err.contains("is not valid"), "{err}");
}

#[test]
fn a_named_site_list_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.toml");
    let err = load_named_sites(&path).unwrap_err();
    assert!(matches!(err, ConfigError::Missing { .. }));
    assert_eq!(
        err.to_string(),
        format!("the site list {} does not exist", path.display())
    );
    assert!(
        load_sites(&path).unwrap().is_empty(),
        "the default: no sites yet"
    );
}

#[test]
fn minimal_toml_takes_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.toml");
    std::fs::write(
        &path,
        "[[site]]\nname = \"A\"\nprotocol = \"appsuite\"\nhost = \"srv\"\n",
    )
    .unwrap();
    let sites = load_sites(&path).unwrap();
    assert_eq!(sites[0].padding, '0');
    assert!(sites[0].enabled);
    assert_eq!(sites[0].connect_address(), "srv:2007");
}

fn hq_with(password: &str) -> SiteConfig {
    let mut hq = SiteConfig::from_url("HQ", "mitel5000://10.0.0.5").unwrap();
    hq.password = Secret::new(password);
    hq
}

#[test]
fn with_a_credential_store_the_password_is_not_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.toml");
    let store = Passwords::in_memory();
    let notes = save_sites_with(&path, &[hq_with("s3cret")], &store).unwrap();
    assert_eq!(
        notes,
        [PasswordNote::Stored {
            site: "HQ".into(),
            store: "the test credential store"
        }]
    );
    assert_eq!(
        notes[0].to_string(),
        "the SMDR password of HQ is kept in the test credential store, not in the site list"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("password_in_store = true"), "{text}");
    assert_eq!(store.get("site:HQ").unwrap().as_deref(), Some("s3cret"));
    let loaded = load_sites_with(&path, &store).unwrap();
    assert_eq!(loaded.sites, [hq_with("s3cret")]);
    assert!(loaded.notes.is_empty() && loaded.in_file.is_empty());

    // The store does not answer now: said, and the site has no password meanwhile.
    let loaded = load_sites_with(&path, &Passwords::unavailable()).unwrap();
    assert_eq!(loaded.sites[0].password, Secret::default());
    assert_eq!(
        loaded.notes[0].to_string(),
        "cannot read the SMDR password of HQ from the credential store (this system has no credential store this program can use): HQ logs in with SMDR_PASSWORD, or none, until the store answers"
    );
    // Renamed: the old entry goes, the new one is there.
    let mut renamed = hq_with("s3cret");
    renamed.name = "Head office".into();
    save_sites_with(&path, &[renamed], &store).unwrap();
    assert_eq!(store.get("site:HQ").unwrap(), None);
    assert_eq!(
        store.get("site:Head office").unwrap().as_deref(),
        Some("s3cret")
    );
    // The password cleared: gone from the store too.
    let mut cleared = hq_with("");
    cleared.name = "Head office".into();
    assert!(
        save_sites_with(&path, &[cleared], &store)
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.get("site:Head office").unwrap(), None);
    // Gone from the store behind our back: said.
    save_sites_with(&path, &[hq_with("s3cret")], &store).unwrap();
    store.delete("site:HQ").unwrap();
    let loaded = load_sites_with(&path, &store).unwrap();
    assert_eq!(
        loaded.notes,
        [PasswordNote::Missing {
            site: "HQ".into(),
            store: "the test credential store"
        }]
    );
}

#[test]
fn without_a_credential_store_the_file_keeps_it_for_the_user_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.toml");
    let none = Passwords::unavailable();
    let notes = save_sites_with(&path, &[hq_with("s3cret")], &none).unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].is_warning());
    assert_eq!(
        notes[0].to_string(),
        format!(
            "no credential store took the SMDR password of HQ (this system has no credential store this program can use): it is kept in {}, {PRIVATE_FILE}",
            path.display()
        )
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("password = \"s3cret\""), "{text}");
    assert!(!text.contains("password_in_store"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let loaded = load_sites_with(&path, &none).unwrap();
    assert_eq!(loaded.sites, [hq_with("s3cret")]);
    assert_eq!(loaded.in_file, ["HQ"]);
    // A store that answers later takes it over: the file no longer holds it.
    let store = Passwords::in_memory();
    save_sites_with(&path, &loaded.sites, &store).unwrap();
    assert!(!std::fs::read_to_string(&path).unwrap().contains("s3cret"));
    assert_eq!(
        load_sites_with(&path, &store).unwrap().sites,
        [hq_with("s3cret")]
    );
}

#[test]
fn a_relay_password_is_kept_like_the_smdr_password_and_a_lost_one_locks_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.toml");
    let store = Passwords::in_memory();
    let mut hq = hq_with("s3cret");
    hq.relay.entries = vec!["listen 0.0.0.0:4000".into()];
    hq.relay.password = Secret::new("relayPw");
    hq.relay.allow = vec!["10.0.0.7".into()];
    let notes = save_sites_with(&path, std::slice::from_ref(&hq), &store).unwrap();
    let words: Vec<String> = notes.iter().map(ToString::to_string).collect();
    assert_eq!(
        words,
        [
            "the relay password of HQ is kept in the test credential store, not in the site list",
            "the SMDR password of HQ is kept in the test credential store, not in the site list",
        ]
    );
    assert!(notes.iter().all(|n| !n.is_warning()));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("relayPw") && !text.contains("s3cret"),
        "{text}"
    );
    assert!(text.contains("relay_password_in_store = true"), "{text}");
    assert!(text.contains("[site.relay]"), "{text}");
    assert!(text.contains("listen 0.0.0.0:4000"), "{text}");
    assert_eq!(store.get("relay:HQ").unwrap().as_deref(), Some("relayPw"));
    assert_eq!(load_sites_with(&path, &store).unwrap().sites, [hq.clone()]);
    // The store lost it: said, and the relay lets nobody in rather than everybody.
    store.delete("relay:HQ").unwrap();
    let loaded = load_sites_with(&path, &store).unwrap();
    assert!(loaded.sites[0].relay.locked);
    assert_eq!(loaded.sites[0].relay.password, Secret::default());
    assert_eq!(
        loaded
            .notes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "the test credential store has no relay password for HQ any more: HQ's relay refuses every login until it is entered again in the site's form"
        ]
    );
    // No store: the file keeps it, for the user only; the relay password cleared leaves
    // nothing behind in the store.
    save_sites_with(&path, std::slice::from_ref(&hq), &store).unwrap();
    let mut cleared = hq.clone();
    cleared.relay.password = Secret::default();
    save_sites_with(&path, &[cleared], &store).unwrap();
    assert_eq!(store.get("relay:HQ").unwrap(), None);
    let none = Passwords::unavailable();
    let notes = save_sites_with(&path, std::slice::from_ref(&hq), &none).unwrap();
    assert!(notes[0].is_warning());
    assert!(
        notes[0]
            .to_string()
            .starts_with("no credential store took the relay password of HQ"),
        "{}",
        notes[0]
    );
    let loaded = load_sites_with(&path, &none).unwrap();
    assert_eq!(loaded.sites, [hq]);
    assert_eq!(loaded.in_file, ["HQ"]);
}

/// The SMDR and the relay notes share one wording but for the password's name and what the site
/// does without it: every note, both ways, word for word.
#[test]
fn every_password_note_reads_as_before() {
    let site = || "HQ".to_string();
    let notes = [
        PasswordNote::Stored {
            site: site(),
            store: "S",
        },
        PasswordNote::InFile {
            site: site(),
            path: PathBuf::from("sites.toml"),
            why: "no store".into(),
        },
        PasswordNote::Unreadable {
            site: site(),
            why: "locked".into(),
        },
        PasswordNote::Missing {
            site: site(),
            store: "S",
        },
    ];
    let words = |relay: bool| {
        notes
            .iter()
            .map(|n| {
                if relay {
                    PasswordNote::Relay(Box::new(n.clone())).to_string()
                } else {
                    n.to_string()
                }
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        words(false),
        [
            "the SMDR password of HQ is kept in S, not in the site list".to_string(),
            format!(
                "no credential store took the SMDR password of HQ (no store): it is kept in sites.toml, {PRIVATE_FILE}"
            ),
            "cannot read the SMDR password of HQ from the credential store (locked): HQ logs in with SMDR_PASSWORD, or none, until the store answers".into(),
            "S has no SMDR password for HQ any more: enter it again in the site's form".into(),
        ]
    );
    assert_eq!(
        words(true),
        [
            "the relay password of HQ is kept in S, not in the site list".to_string(),
            format!(
                "no credential store took the relay password of HQ (no store): it is kept in sites.toml, {PRIVATE_FILE}"
            ),
            "cannot read the relay password of HQ from the credential store (locked): HQ's relay refuses every login until the store answers".into(),
            "S has no relay password for HQ any more: HQ's relay refuses every login until it is entered again in the site's form".into(),
        ]
    );
}
