//! Keeps the anonymous event queue (`core::analytics`) in `sessionStorage`
//! and sends batches: a POST while the page is open, a beacon as it hides.
//! Every failure is silent: events are never the user's problem.

use super::{page, storage};
use crate::core::analytics::EventQueue;
use crate::core::ticket::uuid_v4_from_bytes;
use storage::Area;

/// The queue, for this tab only: a visit ends with the tab.
const QUEUE_KEY: &str = "signpost:events:v1";
/// The visit id, for this tab only, never linked to a person.
const VISIT_KEY: &str = "signpost:visit:v1";

/// A fresh random id (visit or batch), or `None` without a CSPRNG.
pub fn new_id() -> Option<String> {
    page::random_bytes().map(uuid_v4_from_bytes)
}

/// This tab's visit id, made on first use.
pub fn visit_id() -> Option<String> {
    if let Ok(Some(id)) = storage::read_in(Area::Session, VISIT_KEY) {
        return Some(id);
    }
    let id = new_id()?;
    let _ = storage::write_in(Area::Session, VISIT_KEY, &id);
    Some(id)
}

/// The queue this tab left, or an empty one.
pub fn load_queue() -> EventQueue {
    match storage::read_in(Area::Session, QUEUE_KEY) {
        Ok(Some(text)) => EventQueue::from_text(&text),
        _ => EventQueue::default(),
    }
}

/// Saves the queue; a full or blocked storage only loses events on reload.
pub fn save_queue(queue: &EventQueue) {
    let _ = storage::write_in(Area::Session, QUEUE_KEY, &queue.to_text());
}

/// POSTs a batch. `Some(status)` when the relay answered, `None` when
/// nothing came back (offline, CORS refused).
pub async fn post(url: &str, body: String) -> Option<u16> {
    let request = gloo_net::http::Request::post(url)
        .header("Content-Type", "application/json")
        .body(body)
        .ok()?;
    request.send().await.ok().map(|r| r.status())
}

/// Hands a batch to the browser to deliver after the page is gone. The
/// body goes as `text/plain`, which needs no CORS preflight; the relay
/// reads it as JSON. False when the browser refused to queue it.
pub fn beacon(url: &str, body: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().send_beacon_with_opt_str(url, Some(body)).ok())
        .unwrap_or(false)
}

/// Whether the page is hidden (tab switched, closed or navigated away).
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}
