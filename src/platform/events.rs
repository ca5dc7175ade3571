//! Events for the host page (`Signpost('on', name, fn)`): the loader keeps
//! the listeners; the app only calls the emit function it was given.

use wasm_bindgen::JsValue;

/// Sends `name` with a JSON-shaped `detail` to the loader's listeners.
/// A throwing listener is the host's bug; it must never break the widget.
#[derive(Clone)]
pub struct Emitter(js_sys::Function);

impl Emitter {
    pub fn new(function: js_sys::Function) -> Emitter {
        Emitter(function)
    }

    pub fn emit(&self, name: &str, detail: &serde_json::Value) {
        let detail = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL);
        if let Err(e) = self
            .0
            .call2(&JsValue::NULL, &JsValue::from_str(name), &detail)
        {
            web_sys::console::warn_2(&JsValue::from_str("[signpost] event listener threw:"), &e);
        }
    }
}
