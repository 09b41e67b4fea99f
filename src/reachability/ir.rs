//! Reading one LLVM IR text file (`.ll`) into the facts the call graph needs: the functions it
//! defines and every symbol their bodies reference, the globals and the symbols their initializers
//! reference (vtables, function-pointer tables), and the debug-info records that locate call sites
//! and inlined functions.
//!
//! Written by hand: the crates that read LLVM IR link LLVM itself (a matching LLVM install), and
//! we need only a handful of line shapes. The reader is line-oriented and streams the file, so a
//! module of any size is read with one line buffer; unknown lines are skipped, never guessed at.

use super::completeness::Completeness;
use hashbrown::HashTable;
use memchr::memmem;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;
use std::io::BufRead;

mod encode;

/// Index of a symbol name in [`Module::symbols`].
pub type SymbolIndex = u32;

/// What one `.ll` file says.
#[derive(Debug, Default)]
pub struct Module {
    /// Every symbol name seen, once each (module-local interning), including the linkage names
    /// of the debug info's subprograms.
    pub symbols: Vec<Box<str>>,
    pub functions: Vec<Function>,
    pub globals: Vec<Global>,
    pub debug: DebugInfo,
    /// Lines that started a definition but could not be read (reported, not guessed at).
    pub malformed: Vec<usize>,
    /// Whether the file ended inside a function body (a truncated file).
    pub truncated: bool,
    /// What says the module is whole (its metadata, declarations); see [`Completeness::problem`].
    pub completeness: Completeness,
    /// Indexes into `symbols`, found by the hash of the name (each name is stored once).
    interner: HashTable<SymbolIndex>,
}

/// A function defined in the module.
#[derive(Debug, PartialEq, Eq)]
pub struct Function {
    pub symbol: SymbolIndex,
    /// `internal` or `private` linkage: the name means this definition only within this file.
    pub local: bool,
    /// The function's `DISubprogram`, when it has debug info.
    pub subprogram: Option<u32>,
    pub references: Vec<Reference>,
}

/// A global variable or constant with the symbols its initializer names.
#[derive(Debug, PartialEq, Eq)]
pub struct Global {
    pub symbol: SymbolIndex,
    pub local: bool,
    pub references: Vec<SymbolIndex>,
}

/// A symbol named inside a function body, with the instruction's debug location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub symbol: SymbolIndex,
    pub location: Option<u32>,
}

/// The debug-info records the graph needs, by metadata number: one dense table (rustc numbers
/// metadata from 0), one small record per number, whatever its kind.
#[derive(Debug, Default)]
pub struct DebugInfo {
    records: Vec<Record>,
}

/// One metadata record: one of the four kinds the graph reads, or another.
#[derive(Debug, Default, PartialEq, Eq)]
enum Record {
    #[default]
    Other,
    File(Box<str>),
    Subprogram(Subprogram),
    /// A lexical block: the enclosing scope and the file, if the block names one.
    Block(Block),
    Location(DiLocation),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subprogram {
    /// The linkage name, interned in the module's [`Module::symbols`].
    pub linkage_name: Option<SymbolIndex>,
    pub file: Option<u32>,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub scope: u32,
    pub file: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiLocation {
    pub line: u32,
    pub column: u32,
    pub scope: u32,
    pub inlined_at: Option<u32>,
}

impl Module {
    /// Reads a module from any buffered reader, one line at a time.
    pub fn read(mut reader: impl BufRead) -> std::io::Result<Module> {
        let mut module = Module::default();
        let mut line = Vec::with_capacity(256);
        let mut line_number = 0usize;
        let mut current: Option<Function> = None;
        // Where the previous instruction's references start, for an `invoke` whose `!dbg` is on
        // its continuation line (`to label %ok unwind label %cleanup, !dbg !N`).
        let mut previous_start = 0usize;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            line_number += 1;
            module.completeness.last_line_ended = line.last() == Some(&b'\n');
            let text = trim_end(&line);
            if let Some(function) = current.as_mut() {
                if text == b"}" {
                    module.functions.extend(current.take());
                } else {
                    module.read_body_line(text, function, &mut previous_start);
                }
                continue;
            }
            match text.first() {
                Some(b'd') if text.starts_with(b"define ") => match module.read_define(text) {
                    Some(function) => {
                        previous_start = 0;
                        current = Some(function);
                    }
                    None => module.malformed.push(line_number),
                },
                Some(b'd') if text.starts_with(b"declare ") => {
                    if let Some(at) = memchr::memchr(b'@', text)
                        && let Some((name, _)) = symbol_at(text, at + 1)
                    {
                        let symbol = module.intern(name);
                        module.completeness.declared(symbol);
                    }
                }
                Some(b'@') => {
                    module.read_global(text);
                }
                Some(b'!') => {
                    let Module {
                        debug,
                        symbols,
                        interner,
                        ..
                    } = &mut module;
                    debug.read_metadata(text, |name| intern(symbols, interner, name.as_bytes()));
                    module.completeness.metadata_line(text);
                }
                _ => {}
            }
        }
        module.truncated = current.is_some();
        module.functions.extend(current);
        module.interner = HashTable::new();
        Ok(module)
    }

    /// Reads a module from text (tests and small inputs).
    #[cfg(test)]
    pub fn parse(text: &str) -> Module {
        Module::read(text.as_bytes()).unwrap_or_default()
    }

    pub fn symbol(&self, index: SymbolIndex) -> &str {
        &self.symbols[index as usize]
    }

    fn intern(&mut self, name: &[u8]) -> SymbolIndex {
        intern(&mut self.symbols, &mut self.interner, name)
    }

    /// `define [linkage…] type @name(args) … !dbg !N {`
    fn read_define(&mut self, text: &[u8]) -> Option<Function> {
        let at = memchr::memchr(b'@', text)?;
        let (name, _) = symbol_at(text, at + 1)?;
        let head = &text[..at];
        let local = contains_word(head, b"internal") || contains_word(head, b"private");
        let subprogram = metadata_ref(text, b"!dbg !");
        if let Some(subprogram) = subprogram {
            self.completeness.referenced(subprogram);
        }
        let symbol = self.intern(name);
        Some(Function {
            symbol,
            local,
            subprogram,
            references: Vec::new(),
        })
    }

    fn read_body_line(&mut self, text: &[u8], function: &mut Function, previous_start: &mut usize) {
        let trimmed = text.trim_ascii_start();
        if trimmed.starts_with(b"to label") {
            if let Some(location) = metadata_ref(text, b"!dbg !") {
                let previous = function.references.get_mut(*previous_start..);
                for reference in previous.into_iter().flatten() {
                    reference.location.get_or_insert(location);
                }
            }
            return;
        }
        if trimmed.first() == Some(&b';') {
            return;
        }
        *previous_start = function.references.len();
        let Some(first) = memchr::memchr(b'@', text) else {
            return;
        };
        let location = metadata_ref(text, b"!dbg !");
        if let Some(location) = location {
            self.completeness.referenced(location);
        }
        let mut from = first;
        // Whether `from` is inside a string constant (inline assembly, a section name): an `@`
        // there names no symbol.
        let mut in_string = memchr::memchr_iter(b'"', &text[..first]).count() % 2 == 1;
        while let Some(offset) = memchr::memchr(b'@', &text[from..]) {
            let at = from + offset;
            if memchr::memchr_iter(b'"', &text[from..at]).count() % 2 == 1 {
                in_string = !in_string;
            }
            if in_string {
                from = at + 1;
                continue;
            }
            let Some((name, end)) = symbol_at(text, at + 1) else {
                from = at + 1;
                continue;
            };
            from = end;
            if name.starts_with(b"llvm.") {
                continue;
            }
            let symbol = self.intern(name);
            let reference = Reference { symbol, location };
            if function.references.last() != Some(&reference) {
                function.references.push(reference);
            }
        }
    }

    /// `@name = [linkage…] (global|constant) type initializer`, or an alias.
    fn read_global(&mut self, text: &[u8]) -> Option<()> {
        let (name, end) = symbol_at(text, 1)?;
        let rest = &text[end..];
        if !rest.starts_with(b" = ") {
            return None;
        }
        let symbol = self.intern(name);
        let local = contains_word(rest, b"internal") || contains_word(rest, b"private");
        let mut references = Vec::new();
        let mut i = 0;
        // Walk the initializer, skipping string constants (`c"…"`) which may hold any byte.
        while i < rest.len() {
            match rest[i] {
                b'"' => {
                    i += 1;
                    while i < rest.len() && rest[i] != b'"' {
                        i += 1;
                    }
                    i += 1;
                }
                b'@' => match symbol_at(rest, i + 1) {
                    Some((name, end)) => {
                        if !name.starts_with(b"llvm.") {
                            references.push(self.intern(name));
                        }
                        i = end;
                    }
                    None => i += 1,
                },
                _ => i += 1,
            }
        }
        self.globals.push(Global {
            symbol,
            local,
            references,
        });
        Some(())
    }
}

impl DebugInfo {
    pub fn location(&self, id: u32) -> Option<&DiLocation> {
        match self.records.get(id as usize)? {
            Record::Location(location) => Some(location),
            _ => None,
        }
    }

    pub fn subprogram(&self, id: u32) -> Option<&Subprogram> {
        match self.records.get(id as usize)? {
            Record::Subprogram(subprogram) => Some(subprogram),
            _ => None,
        }
    }

    fn block(&self, id: u32) -> Option<&Block> {
        match self.records.get(id as usize)? {
            Record::Block(block) => Some(block),
            _ => None,
        }
    }

    /// The path of a `DIFile`.
    pub fn file(&self, id: u32) -> Option<&str> {
        match self.records.get(id as usize)? {
            Record::File(path) => Some(path),
            _ => None,
        }
    }

    fn insert(&mut self, id: u32, record: Record) {
        let index = id as usize;
        // Metadata numbers are dense; a wild one (garbage input) is ignored rather than allocated.
        if index > self.records.len() + (1 << 24) {
            return;
        }
        if index >= self.records.len() {
            self.records.resize_with(index + 1, Record::default);
        }
        self.records[index] = record;
    }

    /// `!N = [distinct ]!DIKind(fields…)`: keeps the four kinds the graph needs; `intern` gives a
    /// linkage name its symbol index.
    fn read_metadata(&mut self, text: &[u8], intern: impl FnOnce(&str) -> SymbolIndex) {
        let Some(eq) = memmem::find(text, b" = ") else {
            return;
        };
        let Some(id) = parse_u32(&text[1..eq]) else {
            return;
        };
        let mut body = &text[eq + 3..];
        if let Some(rest) = body.strip_prefix(b"distinct ") {
            body = rest;
        }
        if body.starts_with(b"!DILocation(") {
            let (Some(line), Some(scope)) = (field_u32(body, b"line"), field_ref(body, b"scope"))
            else {
                return;
            };
            self.insert(
                id,
                Record::Location(DiLocation {
                    line,
                    column: field_u32(body, b"column").unwrap_or(0),
                    scope,
                    inlined_at: field_ref(body, b"inlinedAt"),
                }),
            );
        } else if body.starts_with(b"!DISubprogram(") {
            self.insert(
                id,
                Record::Subprogram(Subprogram {
                    linkage_name: field_str(body, b"linkageName").map(intern),
                    file: field_ref(body, b"file"),
                    line: field_u32(body, b"line").unwrap_or(0),
                }),
            );
        } else if body.starts_with(b"!DILexicalBlock") {
            if let Some(scope) = field_ref(body, b"scope") {
                let file = field_ref(body, b"file");
                self.insert(id, Record::Block(Block { scope, file }));
            }
        } else if body.starts_with(b"!DIFile(") {
            let filename = field_str(body, b"filename").unwrap_or_default();
            let directory = field_str(body, b"directory").unwrap_or_default();
            let path = if filename.starts_with('/') || directory.is_empty() {
                filename.to_string()
            } else {
                format!("{}/{}", directory.trim_end_matches('/'), filename)
            };
            self.insert(id, Record::File(path.into()));
        }
    }

    /// The subprogram a scope belongs to, following lexical blocks outwards.
    pub fn subprogram_of(&self, mut scope: u32) -> Option<u32> {
        for _ in 0..10_000 {
            if self.subprogram(scope).is_some() {
                return Some(scope);
            }
            scope = self.block(scope)?.scope;
        }
        None
    }

    /// The file a scope is in: the innermost block or subprogram that names one.
    pub fn file_of(&self, mut scope: u32) -> Option<&str> {
        for _ in 0..10_000 {
            if let Some(sub) = self.subprogram(scope) {
                return sub.file.and_then(|f| self.file(f));
            }
            let block = self.block(scope)?;
            if let Some(file) = block.file.and_then(|f| self.file(f)) {
                return Some(file);
            }
            scope = block.scope;
        }
        None
    }
}

/// The index of `name` in `symbols`, adding it if it is new.
fn intern(
    symbols: &mut Vec<Box<str>>,
    interner: &mut HashTable<SymbolIndex>,
    name: &[u8],
) -> SymbolIndex {
    let name = String::from_utf8_lossy(name);
    let hash = FxBuildHasher.hash_one(&*name);
    if let Some(&index) = interner.find(hash, |&i| *symbols[i as usize] == *name) {
        return index;
    }
    // Symbol indexes are u32 like the graph's ids; see `graph::next_id`.
    let index =
        SymbolIndex::try_from(symbols.len()).expect("fewer than 2^32 symbols in one module");
    symbols.push(name.into());
    interner.insert_unique(hash, index, |&i| {
        FxBuildHasher.hash_one(&*symbols[i as usize])
    });
    index
}

fn trim_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r' | b' ') {
        end -= 1;
    }
    &line[..end]
}

/// The symbol name starting at `start` (just after `@`): quoted or bare. Returns it and the end.
fn symbol_at(text: &[u8], start: usize) -> Option<(&[u8], usize)> {
    if text.get(start) == Some(&b'"') {
        let close = memchr::memchr(b'"', &text[start + 1..])?;
        let name = &text[start + 1..start + 1 + close];
        return Some((name, start + close + 2));
    }
    let mut end = start;
    while end < text.len()
        && (text[end].is_ascii_alphanumeric() || matches!(text[end], b'_' | b'$' | b'.' | b'-'))
    {
        end += 1;
    }
    (end > start).then(|| (&text[start..end], end))
}

fn contains_word(text: &[u8], word: &[u8]) -> bool {
    text.split(|&b| b == b' ').any(|w| w == word)
}

fn parse_u32(text: &[u8]) -> Option<u32> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// The number after `prefix` (e.g. `!dbg !`), searched from the end of the line.
fn metadata_ref(text: &[u8], prefix: &[u8]) -> Option<u32> {
    let at = memmem::rfind(text, prefix)? + prefix.len();
    let digits = text[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    parse_u32(&text[at..at + digits])
}

/// Where `key: ` starts a field (after `(` or `, `), so `line` does not match `scopeLine`.
fn field_start(body: &[u8], key: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(offset) = memmem::find(&body[from..], key) {
        let at = from + offset;
        let after = at + key.len();
        let boundary = at > 0 && matches!(body[at - 1], b'(' | b' ');
        if boundary && body[after..].starts_with(b": ") {
            return Some(after + 2);
        }
        from = after;
    }
    None
}

fn field_u32(body: &[u8], key: &[u8]) -> Option<u32> {
    let start = field_start(body, key)?;
    let digits = body[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    parse_u32(&body[start..start + digits])
}

fn field_ref(body: &[u8], key: &[u8]) -> Option<u32> {
    let start = field_start(body, key)?;
    let rest = body[start..].strip_prefix(b"!")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    parse_u32(&rest[..digits])
}

fn field_str<'a>(body: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let start = field_start(body, key)?;
    let rest = body[start..].strip_prefix(b"\"")?;
    let close = memchr::memchr(b'"', rest)?;
    std::str::from_utf8(&rest[..close]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const SAMPLE: &str = r#"; ModuleID = 'demo'
@vtable.0 = private constant <{ [24 x i8], ptr }> <{ [24 x i8] c"\00@not_a_symbol\00", ptr @"_ZN4demo7Handler6handle17h1E" }>, align 8
@alloc_1 = private unnamed_addr constant [3 x i8] c"abc", align 1

; demo::main
define hidden void @_ZN4demo4main17h2E() unnamed_addr #0 !dbg !10 {
start:
  store ptr @vtable.0, ptr %1, align 8, !dbg !20
  call void @_ZN4demo6helper17h3E(ptr %1), !dbg !21
  call void @llvm.dbg.declare(metadata ptr %x, metadata !5)
  ret void, !dbg !22
}

define internal void @_ZN4demo6helper17h3E(ptr %v) unnamed_addr #0 !dbg !11 {
start:
  %r = invoke i32 @git_index_add(ptr %v)
          to label %ok unwind label %cleanup, !dbg !23
ok:
  ret void
}

declare i32 @git_index_add(ptr)

!1 = !DIFile(filename: "src/main.rs", directory: "/home/dev/demo")
!2 = !DIFile(filename: "/home/u/.cargo/registry/src/index.crates.io-1/smallvec-0.6.13/lib.rs", directory: "/x")
!10 = distinct !DISubprogram(name: "main", linkageName: "_ZN4demo4main17h2E", scope: !3, file: !1, line: 7, type: !4, scopeLine: 7, spFlags: DISPFlagDefinition, unit: !0)
!11 = distinct !DISubprogram(name: "helper", linkageName: "_ZN4demo6helper17h3E", scope: !3, file: !2, line: 12, type: !4, scopeLine: 99, unit: !0)
!12 = distinct !DILexicalBlock(scope: !10, file: !2, line: 8, column: 5)
!20 = !DILocation(line: 8, column: 9, scope: !10)
!21 = !DILocation(line: 9, column: 5, scope: !12, inlinedAt: !20)
"#;

    fn names(module: &Module, refs: &[Reference]) -> Vec<String> {
        refs.iter()
            .map(|r| module.symbol(r.symbol).to_string())
            .collect()
    }

    #[test]
    fn reads_functions_and_their_references() {
        let module = Module::parse(SAMPLE);
        assert_eq!(module.functions.len(), 2);
        let main = &module.functions[0];
        assert_eq!(module.symbol(main.symbol), "_ZN4demo4main17h2E");
        assert!(!main.local);
        assert_eq!(main.subprogram, Some(10));
        assert_eq!(
            names(&module, &main.references),
            ["vtable.0", "_ZN4demo6helper17h3E"],
            "llvm intrinsics are not references"
        );
        assert_eq!(main.references[1].location, Some(21));
        let helper = &module.functions[1];
        assert!(helper.local);
        assert_eq!(names(&module, &helper.references), ["git_index_add"]);
        assert_eq!(
            helper.references[0].location,
            Some(23),
            "an invoke's dbg is on its continuation line"
        );
        assert!(!module.truncated);
    }

    #[test]
    fn reads_global_initializers_but_not_string_contents() {
        let module = Module::parse(SAMPLE);
        let vtable = &module.globals[0];
        assert_eq!(module.symbol(vtable.symbol), "vtable.0");
        assert!(vtable.local);
        let refs: Vec<&str> = vtable
            .references
            .iter()
            .map(|&r| module.symbol(r))
            .collect();
        assert_eq!(refs, ["_ZN4demo7Handler6handle17h1E"]);
        assert!(module.globals[1].references.is_empty());
    }

    #[test]
    fn reads_debug_info() {
        let module = Module::parse(SAMPLE);
        let debug = &module.debug;
        let smallvec = "/home/u/.cargo/registry/src/index.crates.io-1/smallvec-0.6.13/lib.rs";
        assert_eq!(debug.file(1), Some("/home/dev/demo/src/main.rs"));
        assert_eq!(debug.file(2), Some(smallvec));
        let helper = debug.subprogram(11).unwrap();
        assert_eq!(
            helper.linkage_name.map(|name| module.symbol(name)),
            Some("_ZN4demo6helper17h3E")
        );
        assert_eq!(
            helper.linkage_name,
            Some(module.functions[1].symbol),
            "one symbol for the definition and its debug info"
        );
        assert_eq!(
            (helper.file, helper.line),
            (Some(2), 12),
            "line is not scopeLine"
        );
        assert_eq!(
            debug.location(21),
            Some(&DiLocation {
                line: 9,
                column: 5,
                scope: 12,
                inlined_at: Some(20)
            })
        );
        assert_eq!(debug.location(11), None, "a subprogram is not a location");
        assert_eq!(debug.subprogram(21), None, "a location is not a subprogram");
        assert_eq!(debug.file(10), None);
        assert_eq!(debug.subprogram_of(12), Some(10));
        assert_eq!(debug.file_of(12), Some(smallvec));
        assert_eq!(debug.file_of(10), Some("/home/dev/demo/src/main.rs"));
    }

    #[test]
    fn a_truncated_file_is_flagged() {
        let module = Module::parse("define void @f() {\n  call void @g()\n");
        assert!(module.truncated);
        assert_eq!(module.functions.len(), 1);
    }

    #[test]
    fn garbage_is_skipped_without_panicking() {
        for text in [
            "define",
            "define @",
            "@",
            "@x =",
            "!",
            "!1 = !DILocation(",
            "!x = !DIFile(filename: \"",
            "\u{0}\u{1}@\"",
            "define void @\"unterminated",
        ] {
            let _ = Module::parse(text);
        }
        let module = Module::parse("define nonsense without symbol {\n}\n");
        assert_eq!(module.malformed, [1]);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Lines built from the pieces the reader looks for, in any order and any state of repair.
    pub(super) fn ir_line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("define void @f() !dbg !1 {".to_string()),
            Just("define internal void @\"_ZN1a1b17h1E\"(ptr %x) {".to_string()),
            Just("}".to_string()),
            Just("  call void @g(), !dbg !2".to_string()),
            Just("  %r = invoke i32 @h()".to_string()),
            Just("          to label %ok unwind label %bad, !dbg !3".to_string()),
            Just("@vtable.0 = private constant <{ ptr }> <{ ptr @f }>".to_string()),
            Just("!2 = !DILocation(line: 4, column: 2, scope: !1, inlinedAt: !3)".to_string()),
            Just(
                "!1 = distinct !DISubprogram(name: \"f\", linkageName: \"f\", file: !9, line: 1)"
                    .to_string()
            ),
            Just("!9 = !DIFile(filename: \"a.rs\", directory: \"/d\")".to_string()),
            "[ -~]{0,80}",
            "[@!\"{}=(), a-z0-9]{0,40}",
        ]
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = Module::read(bytes.as_slice());
        }

        #[test]
        fn never_panics_on_shuffled_ir(lines in proptest::collection::vec(ir_line(), 0..60)) {
            let module = Module::read(lines.join("\n").as_bytes()).unwrap();
            // Every reference names a symbol the module interned.
            for function in &module.functions {
                for reference in &function.references {
                    prop_assert!((reference.symbol as usize) < module.symbols.len());
                }
            }
            // Scope walks terminate even on cyclic or dangling scopes.
            for id in 0..20 {
                let _ = module.debug.subprogram_of(id);
                let _ = module.debug.file_of(id);
            }
        }
    }
}
