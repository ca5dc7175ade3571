//! Facts about the host page and browser.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The page the widget is embedded in, as the browser reports it (not yet
/// scrubbed; callers pass it through `core::ticket::scrub_url`).
pub fn page_url() -> Option<String> {
    web_sys::window()?.location().href().ok()
}

/// 16 bytes from the browser's CSPRNG, for idempotency keys.
pub fn random_bytes() -> Option<[u8; 16]> {
    let mut bytes = [0u8; 16];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Facts about the browser for a ticket, as `(name, value)` pairs. The raw
/// user agent is reduced to browser and OS (it fingerprints users).
pub fn environment() -> Vec<(String, String)> {
    let mut facts = Vec::new();
    let Some(window) = web_sys::window() else {
        return facts;
    };
    let navigator = window.navigator();
    if let Ok(ua) = navigator.user_agent() {
        let (browser, os) = crate::core::context::describe_user_agent(&ua);
        facts.push(("browser".into(), browser));
        facts.push(("system".into(), os));
    }
    if let Some(language) = navigator.language() {
        facts.push(("language".into(), language));
    }
    let options = js_sys::Intl::DateTimeFormat::default().resolved_options();
    if let Some(zone) = js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|z| z.as_string())
    {
        facts.push(("time zone".into(), zone));
    }
    if let Some((w, h)) = viewport(&window) {
        facts.push(("window".into(), format!("{w}×{h}")));
    }
    facts
}

/// The window's viewport, in CSS pixels: `(width, height)`.
pub fn viewport(window: &web_sys::Window) -> Option<(u32, u32)> {
    let size = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
    Some((
        size(window.inner_width())? as u32,
        size(window.inner_height())? as u32,
    ))
}

/// Listens for errors the host page reports (uncaught errors and unhandled
/// promise rejections) until dropped. `report` gets one line per error,
/// not yet scrubbed.
pub struct PageErrors {
    window: web_sys::Window,
    listeners: Vec<(&'static str, Listener)>,
}

type Listener = Closure<dyn FnMut(web_sys::Event)>;

/// Starts listening; `None` without a window.
pub fn watch_errors(report: impl Fn(String) + 'static) -> Option<PageErrors> {
    let window = web_sys::window()?;
    let report = std::rc::Rc::new(report);
    let on_error = {
        let report = report.clone();
        Listener::new(move |ev: web_sys::Event| {
            if let Some(e) = ev.dyn_ref::<web_sys::ErrorEvent>() {
                let at = e.filename();
                let at = if at.is_empty() {
                    String::new()
                } else {
                    format!(" ({}:{})", crate::core::ticket::scrub_url(&at), e.lineno())
                };
                report(format!("{}{at}", e.message()));
            }
        })
    };
    let on_rejection = Listener::new(move |ev: web_sys::Event| {
        if let Some(e) = ev.dyn_ref::<web_sys::PromiseRejectionEvent>() {
            let reason = e.reason();
            let text = reason
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| reason.as_string())
                .unwrap_or_else(|| "a promise was rejected".into());
            report(format!("unhandled rejection: {text}"));
        }
    });
    let listeners = vec![("error", on_error), ("unhandledrejection", on_rejection)];
    for (name, l) in &listeners {
        let _ = window.add_event_listener_with_callback(name, l.as_ref().unchecked_ref());
    }
    Some(PageErrors { window, listeners })
}

impl Drop for PageErrors {
    fn drop(&mut self) {
        for (name, l) in &self.listeners {
            let _ = self
                .window
                .remove_event_listener_with_callback(name, l.as_ref().unchecked_ref());
        }
    }
}

/// The browser's preferred language, e.g. `de-DE`.
pub fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}
