//! `localStorage` and `sessionStorage`, with failures (private mode, quota,
//! disabled) reported as errors the UI can show rather than panics.

/// Which Web Storage area.
#[derive(Clone, Copy)]
pub enum Area {
    /// Kept across visits (the outbox, the last good bundle).
    Local,
    /// Kept for this tab only (a flow in progress).
    Session,
}

/// The storage area, or why the browser will not hand it out.
pub fn area(which: Area) -> Result<web_sys::Storage, String> {
    let window = web_sys::window().ok_or("no window")?;
    match which {
        Area::Local => window.local_storage(),
        Area::Session => window.session_storage(),
    }
    .map_err(|_| "storage is blocked in this browser".to_string())?
    .ok_or_else(|| "storage is not available in this browser".to_string())
}

pub fn read_in(which: Area, key: &str) -> Result<Option<String>, String> {
    area(which)?
        .get_item(key)
        .map_err(|_| "storage could not be read".to_string())
}

pub fn write_in(which: Area, key: &str, value: &str) -> Result<(), String> {
    area(which)?
        .set_item(key, value)
        .map_err(|_| "storage is full or blocked".to_string())
}

pub fn remove_in(which: Area, key: &str) {
    if let Ok(storage) = area(which) {
        let _ = storage.remove_item(key);
    }
}

/// Reads from `localStorage`.
pub fn read(key: &str) -> Result<Option<String>, String> {
    read_in(Area::Local, key)
}

/// Writes to `localStorage`.
pub fn write(key: &str, value: &str) -> Result<(), String> {
    write_in(Area::Local, key, value)
}
