//! `localStorage`, with failures (private mode, quota, disabled) reported
//! as errors the UI can show rather than panics.

fn local() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|_| "storage is blocked in this browser".to_string())?
        .ok_or_else(|| "storage is not available in this browser".to_string())
}

pub fn read(key: &str) -> Result<Option<String>, String> {
    local()?
        .get_item(key)
        .map_err(|_| "storage could not be read".to_string())
}

pub fn write(key: &str, value: &str) -> Result<(), String> {
    local()?
        .set_item(key, value)
        .map_err(|_| "storage is full or blocked".to_string())
}
