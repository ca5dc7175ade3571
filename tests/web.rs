//! Component tests in headless Chromium: the app mounted into a real shadow
//! root, the way the loader mounts it. Run by `.ci/test` with
//! `cargo test --target wasm32-unknown-unknown --no-default-features --test web`.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlTextAreaElement, KeyboardEvent,
    KeyboardEventInit, ShadowRoot,
};

wasm_bindgen_test_configure!(run_in_browser);

struct Mounted {
    root: ShadowRoot,
    widget: signpost::embed::Widget,
    events: Rc<RefCell<Vec<String>>>,
}

fn mount(options: &str) -> Result<Mounted, JsValue> {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("signpost-widget").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let root = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();

    let events = Rc::new(RefCell::new(Vec::new()));
    let seen = events.clone();
    let emit = Closure::<dyn Fn(String, JsValue)>::new(move |name: String, _detail: JsValue| {
        seen.borrow_mut().push(name)
    });
    let sheet_root = root.clone();
    let add_sheet = Closure::<dyn Fn(String)>::new(move |css: String| {
        let style = web_sys::window()
            .unwrap()
            .document()
            .unwrap()
            .create_element("style")
            .unwrap();
        style.set_text_content(Some(&css));
        sheet_root.append_child(&style).unwrap();
    });
    let widget = signpost::embed::mount(
        root.clone(),
        options,
        emit.as_ref().unchecked_ref::<js_sys::Function>().clone(),
        add_sheet
            .as_ref()
            .unchecked_ref::<js_sys::Function>()
            .clone(),
        None,
    )?;
    emit.forget();
    add_sheet.forget();
    Ok(Mounted {
        root,
        widget,
        events,
    })
}

/// Lets the reactive system and one animation frame run.
async fn settle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits up to ~5 s for a condition (network answers take a moment).
async fn wait_for(mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if condition() {
            return true;
        }
        settle().await;
    }
    false
}

fn find(root: &ShadowRoot, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

/// Presses "Contact support", which the contact policy shows.
async fn open_contact(root: &ShadowRoot) {
    find(root, "[data-testid=contact-route]")
        .expect("the contact route shows")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
}

fn panel_visible(root: &ShadowRoot) -> bool {
    find(root, "[data-testid=panel]").is_some_and(|p| !p.has_attribute("hidden"))
}

fn type_into(element: &Element, text: &str) {
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.set_value(text);
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(text);
    }
    let init = EventInit::new();
    init.set_bubbles(true);
    element
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn opening_shows_the_dialog_and_moves_focus_into_it() {
    let m = mount("{}").unwrap();
    assert!(!panel_visible(&m.root), "the panel starts closed");
    m.widget.call("open", js_sys::Array::new()).unwrap();
    settle().await;
    assert!(panel_visible(&m.root));
    let panel = find(&m.root, "[data-testid=panel]").unwrap();
    assert_eq!(panel.get_attribute("role").as_deref(), Some("dialog"));
    let focused = m
        .root
        .active_element()
        .expect("focus is inside the shadow root");
    assert_eq!(
        focused.get_attribute("data-testid").as_deref(),
        Some("search")
    );
    // `event`: the anonymous `panel_opened` event, which hosts get too.
    assert_eq!(*m.events.borrow(), ["open", "event"]);
}

#[wasm_bindgen_test]
async fn escape_closes_the_dialog_and_tells_the_host() {
    let m = mount("{}").unwrap();
    m.widget.call("open", js_sys::Array::new()).unwrap();
    settle().await;
    let init = KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let search = find(&m.root, "[data-testid=search]").unwrap();
    search
        .dispatch_event(
            &KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
    settle().await;
    assert!(!panel_visible(&m.root));
    assert_eq!(*m.events.borrow(), ["open", "event", "close"]);
}

#[wasm_bindgen_test]
async fn contact_appears_only_after_the_user_tries_self_help() {
    let m = mount(r#"{"contact":"after-attempt"}"#).unwrap();
    m.widget.call("open", js_sys::Array::new()).unwrap();
    settle().await;
    assert!(find(&m.root, "[data-testid=contact-route]").is_none());
    assert!(find(&m.root, "[data-testid=contact-form]").is_none());
    type_into(
        &find(&m.root, "[data-testid=search]").unwrap(),
        "camera offline",
    );
    settle().await;
    open_contact(&m.root).await;
    let message = find(&m.root, "[data-testid=message]").expect("contact form after a search");
    // The description is seeded from what the user searched for.
    assert_eq!(
        message.unchecked_ref::<HtmlTextAreaElement>().value(),
        "camera offline"
    );
}

#[wasm_bindgen_test]
async fn contact_never_shows_when_the_policy_says_never() {
    let m = mount(r#"{"contact":"never"}"#).unwrap();
    m.widget
        .call("search", js_sys::Array::of1(&"refund".into()))
        .unwrap();
    settle().await;
    assert!(panel_visible(&m.root));
    assert!(find(&m.root, "[data-testid=contact-route]").is_none());
    assert!(find(&m.root, "[data-testid=contact-form]").is_none());
}

#[wasm_bindgen_test]
async fn a_ticket_to_an_unreachable_relay_is_saved_and_queued_not_lost() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.remove_item("signpost:outbox:v1").unwrap();
    // Port 9 (discard) on loopback refuses the connection at once.
    let m = mount(r#"{"contact":"always","endpoint":"http://127.0.0.1:9/api/tickets"}"#).unwrap();
    m.widget.call("open", js_sys::Array::new()).unwrap();
    settle().await;
    open_contact(&m.root).await;
    type_into(
        &find(&m.root, "[data-testid=message]").unwrap(),
        "The ring keeps blinking orange",
    );
    type_into(
        &find(&m.root, "[data-testid=email]").unwrap(),
        "ana@example.com",
    );
    find(&m.root, "[data-testid=send]")
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    assert!(
        wait_for(|| find(&m.root, "[data-testid=ticket-status][data-state=queued]").is_some())
            .await,
        "the ticket must show as queued"
    );
    let status = find(&m.root, "[data-testid=ticket-status]").unwrap();
    assert!(status
        .text_content()
        .unwrap()
        .contains("will be sent automatically"));
    // It is in durable storage, with what the user wrote, before any success.
    let stored = storage.get_item("signpost:outbox:v1").unwrap().unwrap();
    assert!(
        stored.contains("The ring keeps blinking orange"),
        "{stored}"
    );
    assert!(stored.contains(r#""queued":{"#), "{stored}");
    storage.remove_item("signpost:outbox:v1").unwrap();
}

#[wasm_bindgen_test]
async fn an_unreadable_outbox_is_set_aside_not_deleted() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("signpost:outbox:v1", "{not json").unwrap();
    let m = mount(r#"{"contact":"always"}"#).unwrap();
    m.widget.call("open", js_sys::Array::new()).unwrap();
    settle().await;
    assert_eq!(
        storage
            .get_item("signpost:outbox:unreadable")
            .unwrap()
            .as_deref(),
        Some("{not json")
    );
    let text = m
        .root
        .query_selector(".sp-tickets")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(text.contains("set aside"), "{text}");
    storage.remove_item("signpost:outbox:v1").unwrap();
    storage.remove_item("signpost:outbox:unreadable").unwrap();
}

#[wasm_bindgen_test]
fn a_bad_option_is_refused_with_its_name() {
    let err = mount(r#"{"theme":"purple"}"#)
        .err()
        .expect("mount must refuse");
    let text = err.as_string().unwrap();
    assert!(text.contains("purple"), "{text}");
}

#[wasm_bindgen_test]
fn an_unknown_api_method_is_an_error_not_a_crash() {
    let m = mount("{}").unwrap();
    let err = m.widget.call("explode", js_sys::Array::new()).unwrap_err();
    assert!(err.as_string().unwrap().contains("explode"));
}

#[wasm_bindgen_test]
fn the_loader_reads_the_storage_keys_the_app_uses() {
    // The loader checks the outbox for queued tickets and warms the tab's
    // session storage with the flow key; under another name either would
    // silently stop working.
    let loader = include_str!("../public/embed.js");
    for key in [
        signpost::platform::outbox::STORAGE_KEY,
        signpost::ui::FLOW_KEY,
    ] {
        assert!(
            loader.contains(&format!("'{key}'")),
            "public/embed.js does not use the storage key {key}"
        );
    }
}
