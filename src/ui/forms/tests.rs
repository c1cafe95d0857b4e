use super::*;

#[test]
fn the_site_form_says_what_is_wrong() {
    let mut f = SiteForm::new();
    assert_eq!(
        f.to_site(&[]).unwrap_err().to_string(),
        "give the site a name"
    );
    f.name = "HQ".into();
    assert_eq!(
        f.to_site(&[]).unwrap_err().to_string(),
        "enter the PBX's address (name or IP)"
    );
    f.host = "10.0.0.5".into();
    f.password = "secret".into();
    let s = f.to_site(&[]).unwrap();
    assert_eq!(s.url(), "mitel5000://10.0.0.5:4000");
    assert_eq!(s.password.expose(), "secret");
    assert_eq!(
        f.to_site(std::slice::from_ref(&s)).unwrap_err().to_string(),
        "there is already a site called HQ"
    );
    f.port = "99999".into();
    assert!(f.to_site(&[]).unwrap_err().to_string().starts_with("port"));
    let mut p = SiteForm::new();
    p.name = "push".into();
    p.protocol = Protocol::AppsuitePush;
    p.port = "2100".into();
    let s = p.to_site(&[]).unwrap();
    assert_eq!(s.bind.as_deref(), Some("0.0.0.0:2100"));
}
