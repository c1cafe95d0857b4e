//! Alarm mail to an SMTP receiver the test runs on loopback: what the server is told, the
//! password kept to the AUTH line, and a refused recipient said and not tried again.

use super::*;

/// A minimal SMTP server on 127.0.0.1 for one connection: the client's lines (the message
/// after DATA as one entry), answering RCPT with `rcpt_reply`.
fn smtp_server(rcpt_reply: &'static str) -> (u16, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + LIMIT;
        let stream = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                Err(_) => return Vec::new(),
            }
        };
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        let mut out = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut said = Vec::new();
        let mut send = |s: &str| out.write_all(s.as_bytes()).is_ok();
        send("220 127.0.0.1 ESMTP test\r\n");
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let cmd = line.trim_end().to_string();
            said.push(cmd.clone());
            let upper = cmd.to_ascii_uppercase();
            let reply = if upper.starts_with("EHLO") {
                "250-127.0.0.1\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
            } else if upper.starts_with("AUTH") {
                "235 2.7.0 Authentication successful\r\n"
            } else if upper.starts_with("MAIL") {
                "250 2.1.0 OK\r\n"
            } else if upper.starts_with("RCPT") {
                rcpt_reply
            } else if upper == "DATA" {
                send("354 End data with <CR><LF>.<CR><LF>\r\n");
                let mut message = String::new();
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                        break;
                    }
                    message.push_str(&l);
                }
                said.push(message);
                "250 2.0.0 queued as 1\r\n"
            } else if upper == "QUIT" {
                send("221 2.0.0 Bye\r\n");
                break;
            } else {
                "250 OK\r\n"
            };
            if !send(reply) {
                break;
            }
        }
        said
    });
    (port, handle)
}

fn email_config(port: u16) -> EmailConfig {
    EmailConfig {
        server: "127.0.0.1".into(),
        port,
        security: MailSecurity::Plain,
        user: Redacted::new("alarms@example.com"),
        password: Redacted::new("hunter2"),
        password_in_store: false,
        from: "SMDR Monitor <alarms@example.com>".into(),
        to: vec!["tech@example.com".into()],
        min_severity: Severity::Info,
        timeout_s: 5,
    }
}

#[test]
fn email_reaches_the_smtp_server() {
    let (port, server) = smtp_server("250 2.1.5 OK\r\n");
    let config = email_config(port);
    let mut email = Email::new(&config);
    let what = deliver_once(&mut email, &alarm()).unwrap();
    assert_eq!(what, format!("accepted by 127.0.0.1:{port} (250)"));
    let said = server.join().unwrap();
    assert!(said[0].starts_with("EHLO "), "{said:?}");
    // The password goes to the server (AUTH PLAIN: "\0user\0password" in base64), nowhere else.
    assert!(
        said.contains(&"AUTH PLAIN AGFsYXJtc0BleGFtcGxlLmNvbQBodW50ZXIy".to_string()),
        "{said:?}"
    );
    assert!(
        said.contains(&"MAIL FROM:<alarms@example.com>".to_string()),
        "{said:?}"
    );
    assert!(
        said.contains(&"RCPT TO:<tech@example.com>".to_string()),
        "{said:?}"
    );
    let message = said.iter().find(|s| s.contains("Subject:")).unwrap();
    assert!(
        message.contains("Subject: [SMDR Monitor] CRITICAL Emergency call on HQ\r\n"),
        "{message}"
    );
    assert!(message.contains("To: tech@example.com\r\n"), "{message}");
    assert!(
        message.contains("Extension 2101 dialled 911 at 14:02:11 on HQ\r\n"),
        "{message}"
    );
    assert!(
        message.contains("Call:     2026113014021100002101\r\n"),
        "{message}"
    );
    assert!(!message.contains("hunter2"));
    assert_eq!(said.last().map(String::as_str), Some("QUIT"));
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("hunter2") && debug.contains("user: ********"),
        "{debug}"
    );
    let target = email_target(&config);
    assert_eq!(target, format!("tech@example.com via 127.0.0.1:{port}"));
}

fn email_target(config: &EmailConfig) -> String {
    Email::new(config).target()
}

#[test]
fn a_refused_recipient_is_said_and_not_tried_again() {
    let (port, server) = smtp_server("550 5.1.1 <tech@example.com>: no such user\r\n");
    let d = one_channel(
        Box::new(Email::new(&email_config(port))),
        16,
        fast_retry(3, 100),
    );
    d.send(&alarm());
    let status = wait_for(&d, |s| s.failed == 1);
    assert_eq!(status.failed, 1);
    assert!(
        status
            .state
            .starts_with(&format!("127.0.0.1:{port} refused the mail: ")),
        "{}",
        status.state
    );
    assert!(status.state.contains("no such user"), "{}", status.state);
    assert!(!status.state.contains("hunter2"));
    drop(d);
    server.join().unwrap();
}
