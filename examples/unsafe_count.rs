//! Times the unsafe accounting over the dependencies of a locked project, from rustc's dep-info.
//!
//! `cargo run --example unsafe_count -- <Cargo.lock> <deps dir with .d files>`
//!
//! For each registry package of the lockfile, the `.d` file whose first source lies in that
//! package's directory (`<name>-<version>/`) gives the files rustc compiled (the largest one where
//! a package was built twice). One warm-up run, then the median of five.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use secgate::lints::unsafe_code::{UnsafeCounts, count_crate, files_from_dep_info};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(lock), Some(deps)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: unsafe_count <Cargo.lock> <deps dir>");
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
    let mut started = Instant::now();
    let mut times = Vec::new();
    let mut last = (0, 0, UnsafeCounts::default());
    for run in 0..6 {
        if run == 1 {
            started = Instant::now();
        }
        let t = Instant::now();
        last = count_all(&packages, &dep_infos);
        if run > 0 {
            times.push(t.elapsed());
        }
    }
    let _ = started;
    times.sort();
    let (crates, missing, total) = last;
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
    println!(
        "median of 5 warm runs: {:.3} s (min {:.3} s, max {:.3} s)",
        times[2].as_secs_f64(),
        times[0].as_secs_f64(),
        times[4].as_secs_f64()
    );
}

fn count_all(packages: &[String], dep_infos: &[PathBuf]) -> (usize, usize, UnsafeCounts) {
    let lists: Vec<Vec<PathBuf>> = dep_infos.iter().map(|d| files_from_dep_info(d)).collect();
    let mut total = UnsafeCounts::default();
    let (mut crates, mut missing) = (0, 0);
    for package in packages {
        let best = lists
            .iter()
            .filter(|files| files.first().is_some_and(|f| in_package(f, package)))
            .max_by_key(|files| files.len());
        let Some(files) = best else {
            missing += 1;
            continue;
        };
        crates += 1;
        let counts = count_crate(files).counts;
        total.files += counts.files;
        total.functions += counts.functions;
        total.blocks += counts.blocks;
        total.impls += counts.impls;
        total.traits += counts.traits;
        total.unparsed.extend(counts.unparsed);
    }
    (crates, missing, total)
}

fn in_package(file: &Path, package_dir: &str) -> bool {
    file.to_string_lossy().contains(&format!("/{package_dir}"))
}
