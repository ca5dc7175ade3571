//! Events for the host page (`Signpost('on', name, fn)`): the loader keeps
//! the listeners; the app only calls the emit function it was given.

use wasm_bindgen::JsValue;

/// Sends `name` with a `detail` object of string fields to the loader's
/// listeners. A throwing listener is the host's bug; it never breaks the widget.
#[derive(Clone)]
pub struct Emitter(js_sys::Function);

impl Emitter {
    pub fn new(function: js_sys::Function) -> Emitter {
        Emitter(function)
    }

    pub fn emit(&self, name: &str, detail: &[(&str, &str)]) {
        let object = js_sys::Object::new();
        for (key, value) in detail {
            let _ = js_sys::Reflect::set(&object, &(*key).into(), &(*value).into());
        }
        self.call(name, &object);
    }

    /// Sends `name` with a detail object given as JSON text (numbers and
    /// booleans arrive as such).
    pub fn emit_json(&self, name: &str, json: &str) {
        if let Ok(detail) = js_sys::JSON::parse(json) {
            self.call(name, &detail);
        }
    }

    fn call(&self, name: &str, detail: &JsValue) {
        if let Err(e) = self.0.call2(&JsValue::NULL, &name.into(), detail) {
            web_sys::console::warn_2(&"[signpost] event listener threw:".into(), &e);
        }
    }
}
