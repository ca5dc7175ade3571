//! Facts about the host page and browser.

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
