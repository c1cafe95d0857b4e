//! Turning bytes and socket errors into words a technician reads.

use std::io;

/// Hex of the first `max` bytes, e.g. `8F 9A 00 … (+12 more bytes)`.
pub fn hex_preview(bytes: &[u8], max: usize) -> String {
    let mut s = bytes
        .iter()
        .take(max)
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    if bytes.len() > max {
        s.push_str(&format!(" … (+{} more bytes)", bytes.len() - max));
    }
    s
}

/// Bytes as `*` where the 5000 login frame holds the password (for the raw stream view).
pub fn mask_login(frame: &[u8]) -> Vec<u8> {
    let pw = 5..frame.len().saturating_sub(1);
    frame
        .iter()
        .enumerate()
        .map(|(i, &b)| if pw.contains(&i) { b'*' } else { b })
        .collect()
}

/// Why a connection to `addr` failed, with what usually causes it.
pub fn connect_error(addr: &str, e: &io::Error) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => format!(
            "{addr} refused the connection: nothing listens there — SMDR socket disabled, wrong port, or a firewall rejects it"
        ),
        K::TimedOut => format!(
            "no answer from {addr}: wrong address, the system is down, or a firewall drops the connection"
        ),
        K::HostUnreachable | K::NetworkUnreachable => format!(
            "{addr} is unreachable from this PC ({e}): check the address and this PC's network"
        ),
        K::AddrNotAvailable => format!("{addr} is not an address this PC can connect to ({e})"),
        K::PermissionDenied => format!("this PC is not allowed to connect to {addr} ({e})"),
        _ => format!("cannot connect to {addr}: {e}"),
    }
}

/// Why listening on `addr` failed.
pub fn bind_error(addr: &str, e: &io::Error) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::AddrInUse => format!(
            "cannot listen on {addr}: another program (or another site) already listens on that port"
        ),
        K::AddrNotAvailable => {
            format!("cannot listen on {addr}: that address does not belong to this PC")
        }
        K::PermissionDenied => format!(
            "cannot listen on {addr}: not allowed (ports below 1024 need administrator rights)"
        ),
        _ => format!("cannot listen on {addr}: {e}"),
    }
}

/// Why an open connection ended with an error.
pub fn read_error(e: &io::Error) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::ConnectionReset => "the connection was reset by the other side".into(),
        K::ConnectionAborted => "the connection was aborted".into(),
        K::TimedOut => {
            "the connection timed out (keep-alive got no answer: the system or the network went away)"
                .into()
        }
        _ => format!("the connection failed: {e}"),
    }
}

/// A duration in words for logs: `850 ms`, `3.2 s`, `4 min 05 s`, `2 h 03 min`.
pub fn duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if s < 60 {
        format!("{:.1} s", d.as_secs_f64())
    } else if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn words() {
        assert_eq!(hex_preview(b"\x8f\x9a", 8), "8F 9A");
        assert_eq!(hex_preview(b"abcdef", 2), "61 62 … (+4 more bytes)");
        assert_eq!(
            mask_login(&[8, 0, 0, 0, 0x84, b'a', b'b', 0]),
            [8, 0, 0, 0, 0x84, b'*', b'*', 0]
        );
        assert_eq!(mask_login(&[2, 0, 0, 0, 0x84, 0]), [2, 0, 0, 0, 0x84, 0]);
        assert_eq!(duration(Duration::from_millis(850)), "850 ms");
        assert_eq!(duration(Duration::from_millis(3200)), "3.2 s");
        assert_eq!(duration(Duration::from_secs(245)), "4 min 05 s");
        assert_eq!(duration(Duration::from_secs(7380)), "2 h 03 min");
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(connect_error("10.0.0.5:4000", &refused).contains("SMDR socket disabled"));
    }
}
