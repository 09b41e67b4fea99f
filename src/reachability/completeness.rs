//! Whether a `.ll` file is whole. The IR cache's digests (`build::ir_digest`) prove a file is the
//! one rustc wrote; these checks catch a file that was incomplete when it was written or that has
//! no digest to compare with: a module ends with its metadata, including `!llvm.module.flags`
//! (rustc always emits it); metadata is numbered densely and every `!N` named is defined; every
//! symbol a body or an initializer names is defined or declared in the module (deleting a
//! function's body leaves its callers naming it).

use super::ir::{Module, SymbolIndex};

/// What the reader saw that says the module is complete.
#[derive(Debug, Default)]
pub struct Completeness {
    /// The last line ended with a newline (a cut inside a line does not).
    pub last_line_ended: bool,
    /// `!llvm.module.flags = …` was seen.
    module_flags: bool,
    /// Numbered metadata definitions seen, and the highest number defined.
    defined: u32,
    max_defined: Option<u32>,
    /// The highest metadata number named anywhere (operands, `!dbg` attachments).
    max_referenced: Option<u32>,
    /// Symbols declared (`declare … @name(…)`).
    declared: Vec<SymbolIndex>,
}

impl Completeness {
    /// A metadata line: `!N = …` defines `N`; every `!M` outside strings is a reference.
    pub fn metadata_line(&mut self, text: &[u8]) {
        if text.starts_with(b"!llvm.module.flags = ") {
            self.module_flags = true;
        }
        let mut rest = text;
        if let Some(number) = leading_number(&text[1..]) {
            self.defined += 1;
            self.max_defined = self.max_defined.max(Some(number));
            rest = &text[1..];
            // Skip the defined number itself.
            rest = &rest[rest.iter().take_while(|b| b.is_ascii_digit()).count()..];
        }
        let mut in_string = false;
        for (i, &byte) in rest.iter().enumerate() {
            match byte {
                b'"' => in_string = !in_string,
                b'!' if !in_string => {
                    if let Some(number) = leading_number(&rest[i + 1..]) {
                        self.referenced(number);
                    }
                }
                _ => {}
            }
        }
    }

    pub fn referenced(&mut self, number: u32) {
        self.max_referenced = self.max_referenced.max(Some(number));
    }

    pub fn declared(&mut self, symbol: SymbolIndex) {
        self.declared.push(symbol);
    }

    /// Why the module is not complete, or `None`.
    pub fn problem(&self, module: &Module) -> Option<String> {
        if !self.last_line_ended {
            return Some("incomplete: the last line is cut off".into());
        }
        if !self.module_flags {
            return Some(
                "incomplete: no `!llvm.module.flags` (the module's trailing metadata is missing)"
                    .into(),
            );
        }
        if let Some(max) = self.max_defined
            && self.defined != max + 1
        {
            return Some(format!(
                "incomplete: metadata !0 to !{max} has {} definitions",
                self.defined
            ));
        }
        if let Some(referenced) = self.max_referenced
            && self.max_defined.is_none_or(|max| referenced > max)
        {
            return Some(format!(
                "incomplete: metadata !{referenced} is named but not defined"
            ));
        }
        let mut known = vec![false; module.symbols.len()];
        let defined = module
            .functions
            .iter()
            .map(|f| f.symbol)
            .chain(module.globals.iter().map(|g| g.symbol))
            .chain(self.declared.iter().copied());
        for symbol in defined {
            known[symbol as usize] = true;
        }
        let named = module
            .functions
            .iter()
            .flat_map(|f| f.references.iter().map(|r| r.symbol))
            .chain(
                module
                    .globals
                    .iter()
                    .flat_map(|g| g.references.iter().copied()),
            );
        for symbol in named {
            if !known[symbol as usize] {
                return Some(format!(
                    "incomplete: `@{}` is named but neither defined nor declared",
                    module.symbol(symbol)
                ));
            }
        }
        None
    }
}

fn leading_number(text: &[u8]) -> Option<u32> {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&text[..digits]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::super::ir::Module;

    const WHOLE: &str = r#"@vtable = private constant <{ ptr }> <{ ptr @helper }>, align 8

define internal void @helper() !dbg !4 {
  ret void, !dbg !6
}

define i32 @main(i32 %0, ptr %1) !dbg !5 {
  call void @helper(), !dbg !6
  call void @ext(ptr @"quoted name"), !dbg !7
  call void asm sideeffect "call foo@PLT", ""(), !dbg !7
  ret i32 0
}

declare void @ext(ptr)
declare void @"quoted name"()

attributes #0 = { nounwind }

!llvm.module.flags = !{!0, !1}
!llvm.dbg.cu = !{!2}

!0 = !{i32 7, !"PIC Level", i32 2}
!1 = !{i32 2, !"Debug Info Version", i32 3}
!2 = distinct !DICompileUnit(language: DW_LANG_Rust, file: !3, producer: "rustc!9")
!3 = !DIFile(filename: "src/main.rs", directory: "/p")
!4 = distinct !DISubprogram(name: "helper", scope: !3, file: !3, line: 1, unit: !2)
!5 = distinct !DISubprogram(name: "main", scope: !3, file: !3, line: 3, unit: !2)
!6 = !DILocation(line: 4, column: 5, scope: !5)
!7 = !DILocation(line: 5, column: 5, scope: !5)
"#;

    fn problem(text: &str) -> Option<String> {
        let module = Module::parse(text);
        module.completeness.problem(&module)
    }

    #[test]
    fn a_whole_module_is_complete() {
        assert_eq!(problem(WHOLE), None);
    }

    #[test]
    fn cut_modules_are_incomplete() {
        let cut = |marker: &str| WHOLE[..WHOLE.find(marker).unwrap()].to_string();
        let table = [
            // At a function boundary: no metadata at all.
            (cut("declare void @ext"), "llvm.module.flags"),
            (cut("attributes #0"), "llvm.module.flags"),
            // Inside the metadata, at a line boundary and inside a line.
            (cut("!6 = "), "metadata !7 is named but not defined"),
            (cut("!2 = "), "metadata !7 is named but not defined"),
            (cut("column: 5, scope: !5)\n!7"), "last line is cut off"),
            // A function's body deleted: its caller still names it.
            (
                WHOLE.replace(
                    "define internal void @helper() !dbg !4 {\n  ret void, !dbg !6\n}\n",
                    "",
                ),
                "`@helper` is named but neither defined nor declared",
            ),
            // A declaration deleted.
            (
                WHOLE.replace("declare void @ext(ptr)\n", ""),
                "`@ext` is named but neither defined nor declared",
            ),
            // A metadata line deleted in the middle.
            (
                WHOLE.replace("!4 = distinct !DISubprogram(name: \"helper\", scope: !3, file: !3, line: 1, unit: !2)\n", ""),
                "metadata !0 to !7 has 7 definitions",
            ),
        ];
        for (text, expected) in table {
            let found = problem(&text).unwrap_or_default();
            assert!(
                found.contains(expected),
                "{found:?} lacks {expected:?} in\n{text}"
            );
        }
    }
}
