//! Runs the core outbox (`core::outbox`): keeps entries in `localStorage`,
//! posts the due ones while holding a cross-tab Web Lock, and records each
//! outcome. Every decision (sent, failed, when to retry) is the core's.

use super::{http, storage};
use crate::core::outbox::{self, prune, Attempt, Entry, RetryPolicy};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// Where entries live. The loader reads it too, to boot the app when a
/// ticket is still queued after a reload.
pub const STORAGE_KEY: &str = "signpost:outbox:v1";
/// Where an unreadable outbox is moved, so nothing the user wrote is lost.
const SET_ASIDE_KEY: &str = "signpost:outbox:unreadable";
/// One lock name for every tab of the origin: only one flushes at a time.
const LOCK_NAME: &str = "signpost-outbox";
/// How long the lock is kept after a flush that sent something. Chromium
/// gives each tab's process its own `localStorage` cache, updated
/// asynchronously, so a tab that took the lock at once could still read the
/// entry as queued and send it again (the relay would dedupe it).
const PROPAGATION_GRACE_MS: i32 = 250;

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// All entries, oldest first.
pub fn load() -> Result<Vec<Entry>, String> {
    let Some(raw) = storage::read(STORAGE_KEY)? else {
        return Ok(Vec::new());
    };
    outbox::entries_from_json(&raw).or_else(|_| {
        storage::write(SET_ASIDE_KEY, &raw)?;
        storage::write(STORAGE_KEY, "[]")?;
        Err("saved tickets could not be read; they were set aside".to_string())
    })
}

fn save(entries: &[Entry]) -> Result<(), String> {
    storage::write(STORAGE_KEY, &outbox::entries_to_json(entries))
}

/// Writes a new entry to durable storage. Only once this succeeded may the
/// ticket be sent: a reload or crash after this point loses nothing.
pub fn enqueue(entry: Entry) -> Result<Vec<Entry>, String> {
    let mut entries = load()?;
    entries.push(entry);
    save(&entries)?;
    Ok(entries)
}

/// Applies `change` to the stored entry with this key.
pub fn update(key: &str, change: impl FnOnce(&mut Entry)) -> Result<Vec<Entry>, String> {
    let mut entries = load()?;
    if let Some(entry) = entries.iter_mut().find(|e| e.key == key) {
        change(entry);
    }
    save(&entries)?;
    Ok(entries)
}

/// Sends every due entry once, unless another tab holds the lock. With
/// `wake`, queued entries are due now (the connection just came back).
/// Returns the entries as stored afterwards.
pub async fn flush(
    endpoint: String,
    policy: RetryPolicy,
    wake: bool,
) -> Result<Vec<Entry>, String> {
    with_lock(async move {
        let mut entries = load()?;
        let mut changed = prune(&mut entries, now_ms());
        if wake {
            for entry in entries.iter_mut() {
                changed |= entry.wake(now_ms());
            }
        }
        if changed {
            save(&entries)?;
        }
        let due: Vec<(String, String)> = entries
            .iter()
            .filter(|e| e.is_due(now_ms()))
            .map(|e| (e.key.clone(), e.body.clone()))
            .collect();
        let sent_any = !due.is_empty();
        for (key, body) in due {
            let outcome = match http::post_json(&endpoint, &key, &body).await {
                Ok(answer) => Attempt::Answered {
                    status: answer.status,
                    body: answer.body,
                    retry_after: answer.retry_after,
                },
                Err(reason) => Attempt::NoAnswer { reason },
            };
            // Re-read: this tab may have queued another ticket meanwhile.
            update(&key, |entry| {
                entry.record(outcome, &policy, now_ms(), js_sys::Math::random())
            })?;
        }
        if sent_any {
            sleep_ms(PROPAGATION_GRACE_MS).await;
        }
        Ok(())
    })
    .await?;
    load()
}

/// Runs `work` while holding the origin-wide Web Lock; skips it when another
/// tab holds the lock. Without Web Locks (old browsers, insecure pages) it
/// just runs: the relay's idempotency check still stores each ticket once.
async fn with_lock<F>(work: F) -> Result<(), String>
where
    F: Future<Output = Result<(), String>> + 'static,
{
    let navigator = web_sys::window().ok_or("no window")?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &"locks".into()).unwrap_or(JsValue::UNDEFINED);
    let request = js_sys::Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(request) = request.filter(|_| !locks.is_undefined()) else {
        return work.await;
    };
    let result: Rc<RefCell<Result<(), String>>> = Rc::new(RefCell::new(Ok(())));
    let slot = result.clone();
    let callback = Closure::once(move |lock: JsValue| -> js_sys::Promise {
        if lock.is_null() {
            return js_sys::Promise::resolve(&JsValue::UNDEFINED);
        }
        future_to_promise(async move {
            *slot.borrow_mut() = work.await;
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE)
        .map_err(|_| "lock options")?;
    let promise = request
        .call3(&locks, &LOCK_NAME.into(), &options, callback.as_ref())
        .map_err(|_| "the outbox lock could not be requested".to_string())?;
    JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map_err(|_| "the outbox lock failed".to_string())?;
    result.replace(Ok(()))
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}
