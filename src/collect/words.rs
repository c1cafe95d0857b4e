//! Turning socket errors into words a technician reads.

use std::io;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(connect_error("10.0.0.5:4000", &refused).contains("SMDR socket disabled"));
    }
}
