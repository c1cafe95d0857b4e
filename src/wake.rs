//! The callback a producer calls after sending something, so its consumer looks (the window
//! passes one that asks for a repaint). Neutral ground: collectors, jobs and dialogs all take one
//! without knowing who listens.

use std::sync::Arc;

/// Called after events are sent; must be cheap and non-blocking.
pub type Wake = Arc<dyn Fn() + Send + Sync>;
