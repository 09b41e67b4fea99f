//! The resolution layer every rule reads through: before the rules run, each file's syntax tree
//! is rewritten so that the same API reads the same however the code spelled it.
//!
//! 1. [`format`]: the arguments of `format!`-style, `log` and `tracing` macros become plain
//!    expressions (`{token}` captures, `target:`, `key = %value`), so every later pass and every
//!    rule sees inside them.
//! 2. [`names`]: every path is rewritten to its full form: `use` aliases, dependency renames
//!    (Cargo.toml `package = "…"`, `extern crate x as y`), glob imports, `Self`, and qualified
//!    paths (`<T as Trait>::m` → `T::m`).
//! 3. [`values`]: inside each function (free, inherent or trait-impl method alike), locals are
//!    replaced by the values they were bound to (constants, calls, `format!`s, builders kept
//!    across statements), marked with the local's name.
//!
//! The rules then match what they see; none re-implements alias or local tracking. This is
//! syntax only: no types, nothing across functions or files.

pub mod format;
pub mod names;
pub mod values;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use syn::visit_mut::VisitMut;

pub use names::Names;
pub use values::local_name;

/// A crate's dependency renames: the name code uses → the package it is, both with `-` as `_`
/// (`digest_old = { package = "sha1", … }` → `digest_old` → `sha1`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrateRenames(pub HashMap<String, String>);

impl CrateRenames {
    /// The renames of the `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]` and
    /// `[target.….dependencies]` tables of a manifest's text. A manifest that does not parse
    /// gives none (cargo would have refused it; the rules then see names as written).
    pub fn of_manifest(text: &str) -> CrateRenames {
        let mut renames = HashMap::new();
        let Ok(table) = text.parse::<toml::Table>() else {
            return CrateRenames(renames);
        };
        let mut scopes = vec![&table];
        if let Some(targets) = table.get("target").and_then(toml::Value::as_table) {
            scopes.extend(targets.values().filter_map(toml::Value::as_table));
        }
        for scope in scopes {
            for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
                let Some(deps) = scope.get(key).and_then(toml::Value::as_table) else {
                    continue;
                };
                for (name, spec) in deps {
                    if let Some(package) = spec.get("package").and_then(toml::Value::as_str) {
                        renames.insert(name.replace('-', "_"), package.replace('-', "_"));
                    }
                }
            }
        }
        CrateRenames(renames)
    }

    /// The renames of the crate a source file belongs to: the nearest `Cargo.toml` above it,
    /// read once per directory through `cache`.
    pub fn for_file(file: &Path, cache: &mut HashMap<PathBuf, CrateRenames>) -> CrateRenames {
        let mut dir = file.parent();
        let mut visited = Vec::new();
        while let Some(d) = dir {
            if let Some(found) = cache.get(d) {
                let found = found.clone();
                for v in visited {
                    cache.insert(v, found.clone());
                }
                return found;
            }
            visited.push(d.to_path_buf());
            if let Ok(text) = std::fs::read_to_string(d.join("Cargo.toml")) {
                let renames = CrateRenames::of_manifest(&text);
                for v in visited {
                    cache.insert(v, renames.clone());
                }
                return renames;
            }
            dir = d.parent();
        }
        CrateRenames::default()
    }
}

/// Rewrites `file` for the rules (see the module documentation) and returns its names.
pub fn normalize(file: &mut syn::File, renames: &CrateRenames) -> Names {
    FormatPass.visit_file_mut(file);
    let names = Names::of_file(file, renames);
    names::rewrite_paths(file, &names);
    values::propagate(file);
    names
}

struct FormatPass;

impl syn::visit_mut::VisitMut for FormatPass {
    fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        format::normalize(mac);
        format::visit_args_mut(mac, |arg| self.visit_expr_mut(arg));
    }
}

#[cfg(test)]
mod tests;
