//! A small element builder for the panel. Text always goes in as text
//! nodes and attributes through `setAttribute`: nothing is parsed as HTML,
//! so content cannot inject markup and a page that enforces Trusted Types
//! keeps working.
//!
//! Why not Leptos `view!` for the panel: the same screens (results,
//! articles, flow nodes) built with `view!` measured about 48 KB gzip more
//! wasm, because each view is its own monomorphised type tree. The panel
//! still uses Leptos for state: a [`Region`] is redrawn from an `Effect`
//! that reads signals.

use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event};

type Listener = Closure<dyn FnMut(Event)>;

fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("the widget runs in a page with a document")
}

/// An element under construction, with the listeners it owns.
pub struct Node {
    element: Element,
    listeners: Vec<Listener>,
}

/// A new `<tag>` element.
pub fn el(tag: &str) -> Node {
    Node {
        element: document()
            .create_element(tag)
            // Not `expect`: it would link the Debug form of JsValue.
            .unwrap_or_else(|_| panic!("no element <{tag}>")),
        listeners: Vec::new(),
    }
}

/// `<tag class="…">text</tag>`, the most common shape.
pub fn text_el(tag: &str, class: &str, text: &str) -> Node {
    el(tag).class(class).text(text)
}

impl Node {
    pub fn class(self, class: &str) -> Node {
        if !class.is_empty() {
            self.element.set_class_name(class);
        }
        self
    }

    pub fn attr(self, name: &str, value: &str) -> Node {
        let _ = self.element.set_attribute(name, value);
        self
    }

    /// Sets the attribute only when `on` (for booleans like `hidden`).
    pub fn flag(self, name: &str, on: bool) -> Node {
        if on {
            let _ = self.element.set_attribute(name, "");
        }
        self
    }

    pub fn testid(self, id: &str) -> Node {
        self.attr("data-testid", id)
    }

    /// Appends a text node.
    pub fn text(self, text: &str) -> Node {
        if !text.is_empty() {
            let _ = self
                .element
                .append_child(&document().create_text_node(text));
        }
        self
    }

    pub fn child(mut self, child: Node) -> Node {
        let _ = self.element.append_child(&child.element);
        self.listeners.extend(child.listeners);
        self
    }

    pub fn maybe(self, child: Option<Node>) -> Node {
        match child {
            Some(c) => self.child(c),
            None => self,
        }
    }

    pub fn children(mut self, children: impl IntoIterator<Item = Node>) -> Node {
        for child in children {
            self = self.child(child);
        }
        self
    }

    /// Listens for `event`; the listener lives as long as the node is shown.
    pub fn on(self, event: &str, f: impl FnMut(Event) + 'static) -> Node {
        self.on_boxed(event, Box::new(f))
    }

    // One non-generic body for every listener: generic closures here were
    // copied per call site into the wasm.
    fn on_boxed(mut self, event: &str, f: Box<dyn FnMut(Event)>) -> Node {
        let listener = Listener::wrap(f);
        let _ = self
            .element
            .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        self.listeners.push(listener);
        self
    }

    pub fn on_click(self, f: impl FnMut() + 'static) -> Node {
        self.on_click_boxed(Box::new(f))
    }

    fn on_click_boxed(self, mut f: Box<dyn FnMut()>) -> Node {
        self.on_boxed("click", Box::new(move |_| f()))
    }

    /// The element, to read, focus or measure it.
    pub fn element(&self) -> &Element {
        &self.element
    }
}

/// `<button type="button" class="…" data-testid="…">label</button>` that
/// runs `action` when pressed.
pub fn button(class: &str, testid: &str, label: &str, action: impl FnMut() + 'static) -> Node {
    button_boxed(class, testid, label, Box::new(action))
}

fn button_boxed(class: &str, testid: &str, label: &str, action: Box<dyn FnMut()>) -> Node {
    el("button")
        .attr("type", "button")
        .class(class)
        .testid(testid)
        .text(label)
        .on_click_boxed(action)
}

/// A place in the panel whose content is replaced as a whole, keeping the
/// listeners of what it shows alive until the next replacement.
pub struct Region {
    root: Element,
    listeners: RefCell<Vec<Listener>>,
}

impl Region {
    /// A region drawing into `root` (which it empties on each `show`).
    pub fn new(root: Element) -> Region {
        Region {
            root,
            listeners: RefCell::new(Vec::new()),
        }
    }

    /// Replaces what the region shows. When the focus was inside (the
    /// button just pressed, say), it moves to the new content's
    /// `[data-focus]` element or first control instead of falling to the
    /// host page's `<body>`, where Escape and Tab would leave the dialog.
    pub fn show(&self, nodes: impl IntoIterator<Item = Node>) {
        let had_focus = focused_within(&self.root);
        self.root.set_text_content(None);
        let mut listeners = Vec::new();
        for node in nodes {
            let _ = self.root.append_child(&node.element);
            listeners.extend(node.listeners);
        }
        // The old listeners are dropped only now: one of them may be the
        // click handler that caused this redraw, still on the stack.
        let old = self.listeners.replace(listeners);
        wasm_bindgen_futures::spawn_local(async move { drop(old) });
        if had_focus {
            let target = self
                .root
                .query_selector("[data-focus],button,a[href],input,textarea")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(target) = target {
                let _ = target.focus();
            }
        }
    }

    pub fn root(&self) -> &Element {
        &self.root
    }
}

/// The focused element, looking into the shadow root that holds `node`
/// (`document.activeElement` only sees the shadow host).
pub fn active_element(node: &Element) -> Option<Element> {
    node.get_root_node()
        .dyn_into::<web_sys::ShadowRoot>()
        .ok()
        .and_then(|r| r.active_element())
}

/// Whether the focused element is `root` or inside it.
fn focused_within(root: &Element) -> bool {
    active_element(root).is_some_and(|active| root.contains(Some(&active)))
}

/// After this frame (content drawn by effects is there by then), moves
/// the focus to the `[data-focus]` element in `root`: the heading or text
/// a keyboard or screen-reader user should continue from.
pub fn focus_marked_later(root: &Element) {
    let root = root.clone();
    let later = Closure::once_into_js(move || {
        if let Some(target) = root
            .query_selector("[data-focus]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = target.focus();
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(later.unchecked_ref());
    }
}
