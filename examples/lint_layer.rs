//! Times the two halves of the lint layer over every dependency of a locked project, from rustc's
//! dep-info: unsafe accounting (`count_crate` per package) and secgate's rules (`scan_sources`
//! over the same files). `bench/lints.sh` runs it beside a plain `cargo build` of the project.
//!
//! `cargo run --release --example lint_layer -- <Cargo.lock> <deps dir with .d files>`
//!
//! For each registry package of the lockfile, the `.d` file whose first source lies in that
//! package's directory (`<name>-<version>/`) gives the files rustc compiled (the largest one where
//! a package was built twice). One warm-up run, then the median of five, for each half.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use secgate::build::files_from_dep_info;
use secgate::lints::unsafe_code::count_crate;
use secgate::lints::{LintOptions, scan_sources};
use secgate::report::UnsafeCounts;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(lock), Some(deps)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: lint_layer <Cargo.lock> <deps dir>");
        std::process::exit(2);
    };
    let lock: toml::Table = std::fs::read_to_string(lock)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let packages: Vec<String> = lock
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| p.get("source").is_some())
        .filter_map(|p| {
            Some(format!(
                "{}-{}/",
                p.get("name")?.as_str()?,
                p.get("version")?.as_str()?
            ))
        })
        .collect();
    let dep_infos: Vec<PathBuf> = std::fs::read_dir(deps)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "d"))
        .collect();
    let (unsafe_seconds, (crates, missing, total)) =
        median_of_five(|| count_all(&packages, &dep_infos));
    println!(
        "{crates} crates ({missing} without a .d file), {} files, {} unparsed: {} unsafe fns, {} blocks, {} impls, {} traits",
        total.files,
        total.unparsed.len(),
        total.functions,
        total.blocks,
        total.impls,
        total.traits
    );
    for file in &total.unparsed {
        println!("unparsed: {file}");
    }
    let files: Vec<PathBuf> = package_files(&packages, &dep_infos)
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let root = Path::new("/");
    let (rules_seconds, findings) = median_of_five(|| {
        scan_sources(root, &files, &LintOptions::default()).map_or(0, |found| found.len())
    });
    println!(
        "unsafe accounting: {unsafe_seconds:.3} s; rules: {rules_seconds:.3} s over {} files, {:.1} MB, {findings} findings (median of 5 warm runs each)",
        files.len(),
        bytes as f64 / 1e6
    );
}

/// The median wall time of five runs after one warm-up, and the last run's result.
fn median_of_five<T>(mut run: impl FnMut() -> T) -> (f64, T) {
    let mut last = run();
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        last = run();
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[2], last)
}

/// For each package, the files of its largest dep-info, if it has one.
fn package_files(packages: &[String], dep_infos: &[PathBuf]) -> Vec<Option<Vec<PathBuf>>> {
    let lists: Vec<Vec<PathBuf>> = dep_infos.iter().map(|d| files_from_dep_info(d)).collect();
    packages
        .iter()
        .map(|package| {
            lists
                .iter()
                .filter(|files| files.first().is_some_and(|f| in_package(f, package)))
                .max_by_key(|files| files.len())
                .cloned()
        })
        .collect()
}

fn count_all(packages: &[String], dep_infos: &[PathBuf]) -> (usize, usize, UnsafeCounts) {
    let mut total = UnsafeCounts::default();
    let (mut crates, mut missing) = (0, 0);
    for files in package_files(packages, dep_infos) {
        let Some(files) = files else {
            missing += 1;
            continue;
        };
        crates += 1;
        total.add(count_crate(&files).counts);
    }
    (crates, missing, total)
}

fn in_package(file: &Path, package_dir: &str) -> bool {
    file.to_string_lossy().contains(&format!("/{package_dir}"))
}
