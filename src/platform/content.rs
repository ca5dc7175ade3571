//! The content bundle: fetched with gloo-net on intent, and the last good
//! copy kept in `localStorage` so help still works offline. Which of the two
//! to use is decided in `core::widget::choose_bundle`.

use super::storage;
use wasm_bindgen::JsCast;

/// Where the last good bundle is kept.
const SAVED_KEY: &str = "signpost:content:v1";

/// Why the content could not be had, in words a person understands (the
/// browser's own "Failed to fetch" says nothing).
const UNREACHABLE: &str = "the help content could not be reached (offline?)";

/// The text of a download the loader started (see `embed::mount`).
pub async fn finish(download: js_sys::Promise) -> Result<String, String> {
    match wasm_bindgen_futures::JsFuture::from(download).await {
        Ok(text) => text.as_string().ok_or_else(|| UNREACHABLE.to_string()),
        Err(e) => Err(
            match e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
            {
                Some(m) if m.starts_with("HTTP ") => format!("the help content answered {m}"),
                _ => UNREACHABLE.to_string(),
            },
        ),
    }
}

/// The bundle's text, fetched here when the loader did not start it.
pub async fn fetch(url: &str) -> Result<String, String> {
    let response = gloo_net::http::Request::get(url)
        // Revalidate: an edited article shows after a reload, and an
        // unchanged bundle costs a 304.
        .cache(web_sys::RequestCache::NoCache)
        .send()
        .await
        .map_err(|_| UNREACHABLE.to_string())?;
    if !response.ok() {
        return Err(format!(
            "the help content answered HTTP {}",
            response.status()
        ));
    }
    response
        .text()
        .await
        .map_err(|_| "the help content download broke off".to_string())
}

/// The last good bundle's text, if one was kept.
pub fn saved() -> Option<String> {
    storage::read(SAVED_KEY).ok().flatten()
}

/// Keeps `text` as the offline copy (storing the same text again is a
/// no-op for the browser, so there is nothing to compare first). A full or
/// blocked storage only costs the offline copy, so the failure is logged,
/// not shown.
pub fn save(text: &str) {
    if let Err(e) = storage::write(SAVED_KEY, text) {
        web_sys::console::warn_1(&format!("[signpost] offline copy of help not kept: {e}").into());
    }
}
