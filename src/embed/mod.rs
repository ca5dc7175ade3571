//! Boot code. The loader (`public/embed.js`) has already drawn the launcher
//! in a shadow root; `mount` adds the stylesheet and the app to that same
//! root and returns the controller that `window.Signpost(...)` drives.

use crate::core::analytics::FlowSource;
use crate::core::config::EmbedOptions;
use crate::core::context::Identity;
use crate::core::search::Kind;
use crate::core::widget::pick_language;
use crate::platform::events::Emitter;
use crate::platform::{checks, page};
use crate::ui::reactive::*;
use crate::ui::text::Text;
use crate::ui::{build, with_visit, WidgetState};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

/// The widget's stylesheet, injected into the shadow root so it neither
/// leaks out to the host page nor lets the host's CSS in.
const STYLESHEET: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.min.css"));

thread_local! {
    /// Where a panic shows its error state.
    static CRASH_TARGET: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
}

/// A mounted widget. Dropping it from JS (`destroy`) unmounts the app.
#[wasm_bindgen]
pub struct Widget {
    state: WidgetState,
    container: HtmlElement,
    /// Owns every effect of the panel; cleaned up on `destroy`.
    owner: Owner,
    _page_errors: Option<page::PageErrors>,
}

/// Mounts the app into `root`. `options_json` is the loader's reading of the
/// script tag; `emit(name, detail)` forwards events to host listeners;
/// `add_sheet(css)` is the loader's CSP-safe way to style the shadow root;
/// `content`, when given, is the loader's download of the content bundle
/// (a Promise of its text), started in parallel with the wasm.
#[wasm_bindgen]
pub fn mount(
    root: ShadowRoot,
    options_json: &str,
    emit: js_sys::Function,
    add_sheet: js_sys::Function,
    content: Option<js_sys::Promise>,
) -> Result<Widget, JsValue> {
    let options = EmbedOptions::from_json(options_json).map_err(|e| JsValue::from_str(&e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;

    add_sheet.call1(&JsValue::NULL, &JsValue::from_str(STYLESHEET))?;
    let container: HtmlElement = document.create_element("div")?.dyn_into()?;
    container.set_class_name("sp-app");
    root.append_child(&container)?;

    let text = Text::of(pick_language(
        options.locale.as_deref(),
        page::browser_language().as_deref(),
    ));
    install_panic_hook(container.clone(), text.crashed);
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    let state = owner.with(|| {
        let state = WidgetState::new(options, text, Emitter::new(emit));
        build(&container, state);
        // Deliver what earlier page views queued, and retry as soon as the
        // browser is back online.
        state.flush_outbox(true);
        state.start_events();
        let online = window_event_listener_untyped("online", move |_| {
            state.flush_outbox(true);
            state.send_events();
        });
        // Events still queued go as a beacon when the page hides: the last
        // moment a closing tab reliably runs code.
        let hidden = ["visibilitychange", "pagehide"].map(|name| {
            window_event_listener_untyped(name, move |event| {
                if event.type_() == "pagehide" || crate::platform::analytics::page_hidden() {
                    state.beacon_events();
                }
            })
        });
        on_cleanup(move || {
            online.remove();
            hidden.into_iter().for_each(|h| h.remove());
        });
        // Content is fetched now: mounting means the user showed intent.
        state.load_content(content);
        state
    });
    let page_errors = page::watch_errors(move |e| state.page_error(e));
    Ok(Widget {
        state,
        container,
        owner,
        _page_errors: page_errors,
    })
}

#[wasm_bindgen]
impl Widget {
    /// Runs one API call: `Signpost(method, ...args)`.
    pub fn call(&self, method: &str, args: js_sys::Array) -> Result<(), JsValue> {
        match method {
            "open" => self.state.set_open(true),
            "close" => self.state.set_open(false),
            "toggle" => self.state.set_open(!self.state.open.get_untracked()),
            "search" => {
                let query = args.get(0).as_string().unwrap_or_default();
                self.state.go_home();
                self.state.search(query);
                self.state.set_open(true);
            }
            "startFlow" => {
                self.state
                    .open_result(Kind::Flow, &required(&args, "startFlow")?, FlowSource::Host)
            }
            "showArticle" => self.state.open_result(
                Kind::Article,
                &required(&args, "showArticle")?,
                FlowSource::Host,
            ),
            // The loader already loaded the app; content follows on mount.
            "prefetch" => {}
            "registerCheck" => {
                let name = required(&args, "registerCheck")?;
                let f = args.get(1).dyn_into::<js_sys::Function>().map_err(|_| {
                    JsValue::from_str(&format!(
                        "Signpost: registerCheck(\"{name}\", fn) needs a function"
                    ))
                })?;
                checks::register(name, f);
            }
            // Host facts for tickets; they never open the panel.
            "identify" => {
                let user = args.get(0);
                let text = |key: &str| {
                    js_sys::Reflect::get(&user, &JsValue::from_str(key))
                        .ok()
                        .and_then(|v| v.as_string())
                        .filter(|v| !v.trim().is_empty())
                };
                with_visit(|v| {
                    v.identity = Identity {
                        name: text("name"),
                        email: text("email"),
                        id: text("id"),
                    }
                });
                // A form already open (an app that signs in later) fills in.
                self.state.identified();
            }
            "setContext" => {
                let values = args.get(0);
                if values.is_object() {
                    for pair in js_sys::Object::entries(&values.unchecked_into()).iter() {
                        let pair: js_sys::Array = pair.unchecked_into();
                        let value = pair.get(1);
                        // Strings as they are; numbers, booleans and objects as JSON.
                        let value = value.as_string().unwrap_or_else(|| {
                            js_sys::JSON::stringify(&value)
                                .ok()
                                .and_then(|s| s.as_string())
                                .unwrap_or_default()
                        });
                        let key = pair.get(0).as_string().unwrap_or_default();
                        with_visit(|v| v.set_host(&key, &value));
                    }
                }
            }
            other => {
                return Err(JsValue::from_str(&format!(
                    "Signpost: unknown method \"{other}\""
                )))
            }
        }
        Ok(())
    }

    /// Stops every effect and listener and removes the panel; the loader
    /// removes the host. (Dropping the widget does the same.)
    pub fn destroy(self) {}
}

impl Drop for Widget {
    fn drop(&mut self) {
        self.owner.cleanup();
        self.container.remove();
    }
}

/// The first argument as a non-empty string, or an error naming the call.
fn required(args: &js_sys::Array, method: &str) -> Result<String, JsValue> {
    args.get(0)
        .as_string()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| JsValue::from_str(&format!("Signpost: {method} needs an id")))
}

/// On a panic, log it and replace the panel with a short error state inside
/// the widget; the host page keeps working.
fn install_panic_hook(container: HtmlElement, message: &'static str) {
    CRASH_TARGET.with(|t| *t.borrow_mut() = Some(container));
    std::panic::set_hook(Box::new(move |info| {
        web_sys::console::error_1(&JsValue::from_str(&format!(
            "[signpost] internal error: {info}"
        )));
        CRASH_TARGET.with(|t| {
            if let Some(container) = t.borrow().as_ref() {
                container.set_text_content(None);
                if let Some(document) = container.owner_document() {
                    if let Ok(note) = document.create_element("p") {
                        note.set_class_name("sp-crashed");
                        let _ = note.set_attribute("role", "alert");
                        note.set_text_content(Some(message));
                        let _ = container.append_child(&note);
                    }
                }
            }
        });
    }));
}
