//! The functions the analysed program can run, by source file and the line their definition
//! starts on: what reachability hands to later steps (the lint layer's reachable unsafe code)
//! once its call graph is gone.

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// Reached functions by file (as the compiler's debug info names it) and definition line.
#[derive(Debug, Default)]
pub struct ReachedFunctions {
    by_file: FxHashMap<Box<str>, BTreeMap<u32, Box<str>>>,
}

impl ReachedFunctions {
    /// Records that the function `symbol`, defined at `file:line`, is reached; the first symbol
    /// recorded for a line is kept.
    pub fn insert(&mut self, file: &str, line: u32, symbol: &str) {
        self.by_file
            .entry(file.into())
            .or_default()
            .entry(line)
            .or_insert_with(|| symbol.into());
    }

    /// The (mangled) symbol of a reached function of `file` whose definition starts within `lines`.
    pub fn symbol_defined_in(&self, file: &str, lines: RangeInclusive<u32>) -> Option<&str> {
        let functions = self.by_file.get(file)?;
        functions.range(lines).next().map(|(_, symbol)| &**symbol)
    }

    /// The demangled name of a reached function of `file` whose definition starts within `lines`.
    pub fn defined_in(&self, file: &str, lines: RangeInclusive<u32>) -> Option<String> {
        let symbol = self.symbol_defined_in(file, lines)?;
        Some(match rustc_demangle::try_demangle(symbol) {
            Ok(demangled) => format!("{demangled:#}"),
            Err(_) => symbol.to_string(),
        })
    }
}
