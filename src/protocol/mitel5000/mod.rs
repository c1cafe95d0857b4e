//! Mitel 5000 CP / Inter-Tel Axxess / MiVoice Office 250 SMDR socket (smdr-formats §1).

pub mod framer;
pub mod login;
pub mod record;

pub use framer::{Frame, FrameDecoder, FrameError};
pub use login::{login_frame, mask_login, masked_hex};
pub use record::{CallRecord, Header, Line};
