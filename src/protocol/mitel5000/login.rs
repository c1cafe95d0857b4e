//! The login frame a collector sends right after connecting: `N | 0x84 | password | 0x00`.

use std::ops::Range;

use thiserror::Error;

use crate::protocol::hex::hex_masked;

pub const LOGIN_COMMAND: u8 = 0x84;
pub const MAX_PASSWORD: usize = 15;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LoginError {
    #[error("the SMDR password is longer than {MAX_PASSWORD} characters")]
    TooLong,
    #[error("the SMDR password must be plain ASCII without NUL characters")]
    NotAscii,
}

/// The login frame; `None` or an empty password gives the no-password form `02 00 00 00 84 00`.
pub fn login_frame(password: Option<&str>) -> Result<Vec<u8>, LoginError> {
    let pw = password.unwrap_or("").as_bytes();
    if pw.len() > MAX_PASSWORD {
        return Err(LoginError::TooLong);
    }
    if pw.iter().any(|&b| b == 0 || !b.is_ascii()) {
        return Err(LoginError::NotAscii);
    }
    let n = (pw.len() + 2) as u32;
    let mut frame = Vec::with_capacity(4 + n as usize);
    frame.extend_from_slice(&n.to_le_bytes());
    frame.push(LOGIN_COMMAND);
    frame.extend_from_slice(pw);
    frame.push(0);
    Ok(frame)
}

/// The password a login frame carries, if the bytes are a login frame (the simulator checks it).
pub fn parse_login(frame: &[u8]) -> Option<&[u8]> {
    let n = u32::from_le_bytes(frame.get(..4)?.try_into().ok()?) as usize;
    let body = frame.get(4..4 + n)?;
    match body {
        [LOGIN_COMMAND, pw @ .., 0] => Some(pw),
        _ => None,
    }
}

/// A login frame at the start of `data` (a capture that recorded both directions): its
/// length and its password's length. Only the documented shape counts: `N | 0x84 | up to 15
/// printable ASCII | 0x00` with `N` = password + 2.
pub fn leading_login(data: &[u8]) -> Option<(usize, usize)> {
    let n = u32::from_le_bytes(data.get(..4)?.try_into().ok()?) as usize;
    if !(2..=MAX_PASSWORD + 2).contains(&n) {
        return None;
    }
    match data.get(4..4 + n)? {
        [LOGIN_COMMAND, pw @ .., 0] if pw.iter().all(|b| b.is_ascii_graphic() || *b == b' ') => {
            Some((4 + n, pw.len()))
        }
        _ => None,
    }
}

/// Where a login frame holds the password: after the length and the command, before the NUL.
fn password_bytes(frame: &[u8]) -> Range<usize> {
    5..frame.len().saturating_sub(1)
}

/// Hex of a login frame for display, with each password byte shown as `**`.
pub fn masked_hex(frame: &[u8]) -> String {
    let pw = password_bytes(frame);
    hex_masked(frame, |i| pw.contains(&i))
}

/// A login frame with each password byte as `*` (for the raw stream view).
pub fn mask_login(frame: &[u8]) -> Vec<u8> {
    let pw = password_bytes(frame);
    frame
        .iter()
        .enumerate()
        .map(|(i, &b)| if pw.contains(&i) { b'*' } else { b })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_match_the_documented_bytes() {
        assert_eq!(login_frame(None).unwrap(), [0x02, 0, 0, 0, 0x84, 0]);
        assert_eq!(login_frame(Some("")).unwrap(), [0x02, 0, 0, 0, 0x84, 0]);
        assert_eq!(
            login_frame(Some("12345678")).unwrap(),
            [
                0x0A, 0, 0, 0, 0x84, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', 0
            ]
        );
        assert_eq!(
            login_frame(Some("0123456789abcdef")),
            Err(LoginError::TooLong)
        );
        assert_eq!(login_frame(Some("pässword")), Err(LoginError::NotAscii));
    }

    #[test]
    fn parse_and_mask() {
        let f = login_frame(Some("secret")).unwrap();
        assert_eq!(parse_login(&f), Some(&b"secret"[..]));
        assert_eq!(parse_login(&[1, 0, 0, 0, 0x84]), None);
        assert_eq!(masked_hex(&f), "08 00 00 00 84 ** ** ** ** ** ** 00");
        assert_eq!(masked_hex(&login_frame(None).unwrap()), "02 00 00 00 84 00");
        assert_eq!(
            mask_login(&[8, 0, 0, 0, 0x84, b'a', b'b', 0]),
            [8, 0, 0, 0, 0x84, b'*', b'*', 0]
        );
        assert_eq!(mask_login(&[2, 0, 0, 0, 0x84, 0]), [2, 0, 0, 0, 0x84, 0]);
    }

    #[test]
    fn a_leading_login_frame_is_recognised() {
        let mut data = login_frame(Some("12345678")).unwrap();
        data.extend_from_slice(b"\x52\0\0\0TLC");
        assert_eq!(leading_login(&data), Some((14, 8)));
        assert_eq!(leading_login(&login_frame(None).unwrap()), Some((6, 0)));
        assert_eq!(leading_login(&[2, 0, 0, 0, 0x84, 1]), None);
        assert_eq!(leading_login(&[3, 0, 0, 0, 0x84, 0x90, 0]), None);
        assert_eq!(leading_login(b"\x51\0\0\0Station"), None);
    }
}
