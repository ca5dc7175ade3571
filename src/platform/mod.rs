//! The only code that touches browser APIs. Everything here is a thin
//! wrapper: decisions belong in `core`, rendering in `ui`.

pub mod analytics;
pub mod checks;
pub mod content;
pub mod dom;
pub mod events;
pub mod http;
pub mod outbox;
pub mod page;
pub mod storage;
