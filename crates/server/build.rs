//! Minifies the visitor widget (web/widget/: its scripts and stylesheets) into
//! `$OUT_DIR/widget` at build time. `http/assets.rs` serves that folder (embedded in release
//! builds, read from disk in debug builds), so a customer page downloads the minified files
//! in every build, and the end-to-end tests run exactly what ships.
//!
//! Scripts: oxc parses each file (widget.js as a classic script, the others as ES modules),
//! compresses it and renames local bindings (exports, imports' names, properties and
//! top-level names of the classic script stay), for ES2020 (the widget's baseline). A syntax
//! error fails the build. Stylesheets: comments and whitespace removed (`minifier`).

use oxc_allocator::Allocator;
use oxc_codegen::{Codegen, CodegenOptions};
use oxc_compat::EngineTargets;
use oxc_minifier::{CompressOptions, MangleOptions, Minifier, MinifierOptions};
use oxc_parser::Parser;
use oxc_span::SourceType;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

/// The loader: a classic script (it reads `document.currentScript`); every other script is a module.
const CLASSIC_SCRIPTS: &[&str] = &["widget.js"];

fn main() -> Result<(), Box<dyn Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let src = manifest.join("../../web/widget");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("widget");
    // A directory: Cargo reruns this script when any file in it changes.
    println!("cargo::rerun-if-changed={}", src.display());
    // Start afresh: a file deleted from web/widget must not be served any more.
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    fs::create_dir_all(&out)?;
    for entry in fs::read_dir(&src)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !path.is_file() {
            continue;
        }
        let body = match path.extension().and_then(|e| e.to_str()) {
            Some("js") => script(&path, CLASSIC_SCRIPTS.contains(&name))?,
            Some("css") => stylesheet(&path)?,
            // The widget's README is documentation, not served.
            Some("md") => continue,
            _ => fs::read(&path)?,
        };
        fs::write(out.join(name), body)?;
    }
    Ok(())
}

fn script(path: &Path, classic: bool) -> Result<Vec<u8>, Box<dyn Error>> {
    let source = fs::read_to_string(path)?;
    let source_type = if classic {
        SourceType::script()
    } else {
        SourceType::mjs()
    };
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, &source, source_type).parse();
    if parsed.panicked || !parsed.diagnostics.is_empty() {
        let errors: Vec<String> = parsed.diagnostics.iter().map(|e| e.to_string()).collect();
        return Err(format!("{}: {}", path.display(), errors.join("; ")).into());
    }
    let mut program = parsed.program;
    let options = MinifierOptions {
        mangle: Some(MangleOptions::default()),
        compress: Some(CompressOptions {
            target: EngineTargets::from_target("es2020")?,
            ..CompressOptions::smallest()
        }),
        ..MinifierOptions::default()
    };
    let minified = Minifier::new(options).minify(&allocator, &mut program);
    let code = Codegen::new()
        .with_options(CodegenOptions::minify())
        .with_scoping(minified.scoping)
        .build(&program)
        .code;
    Ok(code.into_bytes())
}

fn stylesheet(path: &Path) -> Result<Vec<u8>, Box<dyn Error>> {
    let source = fs::read_to_string(path)?;
    let min =
        minifier::css::minify(&source).map_err(|e| format!("minifying {}: {e}", path.display()))?;
    Ok(min.to_string().trim().as_bytes().to_vec())
}
