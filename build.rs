//! Minifies the panel's stylesheet for the wasm, which embeds it: comments
//! and layout whitespace are 420 B of the widget's gzip budget (measured
//! 2026-11-30 with `.ci/size-report`). rustdoc's own CSS minifier does it.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=style/widget.css");
    let css = std::fs::read_to_string("style/widget.css").expect("style/widget.css is readable");
    let small = minifier::css::minify(&css)
        .unwrap_or_else(|e| panic!("style/widget.css does not minify: {e}"))
        .to_string();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("widget.min.css"), small).expect("OUT_DIR is writable");
}
