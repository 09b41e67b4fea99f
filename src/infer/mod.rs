//! Inferring an advisory's vulnerable functions from its fix, for advisories that list none
//! (issue 11): the last vulnerable and the first patched release are chosen from the registry's
//! history ([`pair`]) and their sources are compared item by item ([`diff`]); the changed and
//! removed functions of the vulnerable release stand in for `[affected.functions]`.
//!
//! Nothing here compiles or runs a crate's code: sources are read with `syn`.

pub mod diff;
pub mod pair;

/// How much an inferred set is worth as evidence, by the number of functions the fix touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// Above this many functions the fix is too broad to stand for the vulnerable code.
pub const TOO_BROAD: usize = 100;

impl Confidence {
    /// High for at most 5 functions, medium for at most 25, low above; `None` past [`TOO_BROAD`].
    pub fn of(functions: usize) -> Option<Confidence> {
        match functions {
            0 => None,
            1..=5 => Some(Confidence::High),
            6..=25 => Some(Confidence::Medium),
            n if n <= TOO_BROAD => Some(Confidence::Low),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::diff::diff;
    use std::path::Path;

    #[test]
    fn the_fix_is_found_item_by_item() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/infer");
        let found = diff("demo", &root.join("demo-0.1.0"), &root.join("demo-0.1.1")).unwrap();
        let functions: Vec<&str> = found.functions.iter().map(String::as_str).collect();
        assert_eq!(
            functions,
            [
                "demo::Buffer::push",
                "demo::check",
                "demo::legacy_decode",
                "demo::net::parse_header",
                "demo::net::read_frame",
            ]
        );
        assert_eq!(found.other_files, ["Cargo.toml", "build.rs"]);
        // push, legacy_decode, parse_header (functions), MAX_LEN (a constant), check (a macro).
        assert_eq!(found.changed_items, 5);
    }

    #[test]
    fn confidence_follows_the_size_of_the_fix() {
        use super::Confidence;
        assert_eq!(Confidence::of(3), Some(Confidence::High));
        assert_eq!(Confidence::of(25), Some(Confidence::Medium));
        assert_eq!(Confidence::of(26), Some(Confidence::Low));
        assert_eq!(Confidence::of(101), None, "too broad");
        assert_eq!(Confidence::of(0), None, "nothing in the Rust code");
    }
}
