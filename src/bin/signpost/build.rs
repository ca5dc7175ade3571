//! `signpost build`: the content folder → one bundle file. The build
//! itself is [`signpost::authoring::build`]; this prints it and writes the
//! file.

use signpost::authoring::build::build_dir;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Build the content bundle the widget fetches.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The content folder: `articles/`, `flows/` and an optional `signpost.toml`.
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
    /// Where to write the bundle (JSON).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Treat warnings (dropped HTML, unsafe links, flow warnings) as errors.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: Args) -> ExitCode {
    let started = Instant::now();
    let built = build_dir(&args.src, args.strict);
    let ms = started.elapsed().as_millis();
    let built = match built {
        Ok(b) => b,
        Err(problems) => {
            for p in &problems {
                println!("{p}");
            }
            let errors = problems.iter().filter(|p| p.error).count();
            println!(
                "build failed: {errors} {}, {} {}; nothing written",
                plural(errors, "error"),
                problems.len() - errors,
                plural(problems.len() - errors, "warning"),
            );
            return ExitCode::FAILURE;
        }
    };
    for w in &built.warnings {
        println!("{w}");
    }
    if let Err(e) = write_file(&args.out, built.json.as_bytes()) {
        eprintln!("signpost build: cannot write {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    let b = &built.bundle;
    println!(
        "built {} ({} {}, {} {}, {} {}) in {ms} ms: {} bytes, {} gzip, hash {}",
        args.out.display(),
        b.articles.len(),
        plural(b.articles.len(), "article"),
        b.flows.len(),
        plural(b.flows.len(), "flow"),
        built.warnings.len(),
        plural(built.warnings.len(), "warning"),
        built.json.len(),
        gzip_len(built.json.as_bytes()),
        &b.hash[..12.min(b.hash.len())],
    );
    ExitCode::SUCCESS
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // Write then rename, so a server or reader never sees half a bundle.
    let tmp = path.with_extension("json.tmp");
    std::fs::File::create(&tmp)?.write_all(bytes)?;
    std::fs::rename(&tmp, path)
}

/// Size of `bytes` after gzip at the default level (what a server sends).
pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(bytes);
    gz.finish().map(|v| v.len()).unwrap_or(0)
}
