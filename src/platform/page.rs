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
