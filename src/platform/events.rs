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
        if let Err(e) = self.0.call2(&JsValue::NULL, &name.into(), &object) {
            web_sys::console::warn_2(&"[signpost] event listener threw:".into(), &e);
        }
    }
}
