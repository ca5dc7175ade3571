//! Build-time steps:
//! - minifies the panel's stylesheet for the wasm, which embeds it: comments
//!   and layout whitespace are 420 B of the widget's gzip budget (measured
//!   2026-11-30 with `.ci/size-report`). rustdoc's own CSS minifier does it;
//! - tells the relay's Postgres tests whether Postgres is installed, so that
//!   without it they report themselves ignored rather than passed.

use std::path::{Path, PathBuf};

fn main() {
    minify_stylesheet();
    find_postgres();
}

fn minify_stylesheet() {
    println!("cargo:rerun-if-changed=style/widget.css");
    let css = std::fs::read_to_string("style/widget.css").expect("style/widget.css is readable");
    let small = minifier::css::minify(&css)
        .unwrap_or_else(|e| panic!("style/widget.css does not minify: {e}"))
        .to_string();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("widget.min.css"), small).expect("OUT_DIR is writable");
}

/// Sets `postgres_missing` when no Postgres server binary is found where
/// `tests/relay_support/postgres.rs` looks (`SIGNPOST_PG_BIN`, else
/// Debian's `/usr/lib/postgresql/*/bin`). CI sets `SIGNPOST_REQUIRE_POSTGRES=1`,
/// and then a missing Postgres fails the tests instead.
fn find_postgres() {
    println!("cargo::rustc-check-cfg=cfg(postgres_missing)");
    println!("cargo:rerun-if-env-changed=SIGNPOST_PG_BIN");
    println!("cargo:rerun-if-env-changed=SIGNPOST_REQUIRE_POSTGRES");
    // Rerun when a Postgres version is added or removed. Watching all of
    // /usr/lib would rebuild the crate after any package install.
    let watched = if Path::new("/usr/lib/postgresql").is_dir() {
        "/usr/lib/postgresql"
    } else {
        "/usr/lib"
    };
    println!("cargo:rerun-if-changed={watched}");
    let required = std::env::var("SIGNPOST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let found = match std::env::var_os("SIGNPOST_PG_BIN") {
        Some(dir) => Path::new(&dir).join("postgres").is_file(),
        None => std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
            versions
                .filter_map(Result::ok)
                .any(|v| v.path().join("bin/postgres").is_file())
        }),
    };
    if !found && !required {
        println!("cargo:rustc-cfg=postgres_missing");
    }
}
