//! A read module in a compact binary form, for the cache of read modules ([`super::super::cache`]):
//! the symbols, the functions and globals with their references, and the debug-info records.
//! Only a module that passed every check is stored, so the checks' own state is not.
//!
//! Hand-written (LEB128 integers, length-prefixed strings) rather than through serde: the types
//! are few and small, and decoding must reject any input it does not fully understand without
//! panicking.

use super::{Block, DebugInfo, DiLocation, Function, Global, Module, Record, Reference};
use super::{Subprogram, SymbolIndex};

impl Module {
    /// The module's facts as bytes; [`Module::decode`] reads them back.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer(Vec::new());
        out.count(self.symbols.len());
        for symbol in &self.symbols {
            out.str(symbol);
        }
        out.count(self.functions.len());
        for function in &self.functions {
            out.u32(function.symbol);
            out.u32(u32::from(function.local));
            out.option(function.subprogram);
            out.count(function.references.len());
            for reference in &function.references {
                out.u32(reference.symbol);
                out.option(reference.location);
            }
        }
        out.count(self.globals.len());
        for global in &self.globals {
            out.u32(global.symbol);
            out.u32(u32::from(global.local));
            out.count(global.references.len());
            for &reference in &global.references {
                out.u32(reference);
            }
        }
        out.count(self.debug.records.len());
        for record in &self.debug.records {
            match record {
                Record::Other => out.u32(0),
                Record::File(path) => {
                    out.u32(1);
                    out.str(path);
                }
                Record::Subprogram(sp) => {
                    out.u32(2);
                    out.option(sp.linkage_name);
                    out.option(sp.file);
                    out.u32(sp.line);
                }
                Record::Block(block) => {
                    out.u32(3);
                    out.u32(block.scope);
                    out.option(block.file);
                }
                Record::Location(location) => {
                    out.u32(4);
                    out.u32(location.line);
                    out.u32(location.column);
                    out.u32(location.scope);
                    out.option(location.inlined_at);
                }
            }
        }
        out.0
    }

    /// Reads what [`Module::encode`] wrote; `None` for anything else, including a symbol index
    /// out of range (so a module from the cache is as safe to use as one read from text).
    pub fn decode(bytes: &[u8]) -> Option<Module> {
        let mut input = Reader(bytes);
        let mut module = Module::default();
        let symbols = input.count()?;
        for _ in 0..symbols {
            module.symbols.push(input.str()?.into());
        }
        let symbol = |input: &mut Reader| -> Option<SymbolIndex> {
            input.u32().filter(|&s| (s as usize) < symbols)
        };
        for _ in 0..input.count()? {
            let name = symbol(&mut input)?;
            let local = input.flag()?;
            let subprogram = input.option()?;
            let count = input.count()?;
            let mut references = Vec::with_capacity(count);
            for _ in 0..count {
                references.push(Reference {
                    symbol: symbol(&mut input)?,
                    location: input.option()?,
                });
            }
            module.functions.push(Function {
                symbol: name,
                local,
                subprogram,
                references,
            });
        }
        for _ in 0..input.count()? {
            let name = symbol(&mut input)?;
            let local = input.flag()?;
            let count = input.count()?;
            let mut references = Vec::with_capacity(count);
            for _ in 0..count {
                references.push(symbol(&mut input)?);
            }
            module.globals.push(Global {
                symbol: name,
                local,
                references,
            });
        }
        let records = input.count()?;
        module.debug.records.reserve_exact(records);
        for _ in 0..records {
            let record = match input.u32()? {
                0 => Record::Other,
                1 => Record::File(input.str()?.into()),
                2 => Record::Subprogram(Subprogram {
                    linkage_name: match input.option()? {
                        Some(s) if (s as usize) >= symbols => return None,
                        linkage => linkage,
                    },
                    file: input.option()?,
                    line: input.u32()?,
                }),
                3 => Record::Block(Block {
                    scope: input.u32()?,
                    file: input.option()?,
                }),
                4 => Record::Location(DiLocation {
                    line: input.u32()?,
                    column: input.u32()?,
                    scope: input.u32()?,
                    inlined_at: input.option()?,
                }),
                _ => return None,
            };
            module.debug.records.push(record);
        }
        // The module was whole when it was stored (only such modules are).
        module.completeness.last_line_ended = true;
        input.0.is_empty().then_some(module)
    }
}

impl DebugInfo {
    #[cfg(test)]
    fn same_records(&self, other: &DebugInfo) -> bool {
        self.records == other.records
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, value: u32) {
        self.u64(u64::from(value));
    }

    /// LEB128: seven bits a byte, low bits first.
    fn u64(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    fn count(&mut self, count: usize) {
        self.u32(u32::try_from(count).expect("fewer than 2^32 items in one module"));
    }

    /// `None` as 0, `Some(n)` as n + 1.
    fn option(&mut self, value: Option<u32>) {
        self.u64(value.map_or(0, |v| u64::from(v) + 1));
    }

    fn str(&mut self, text: &str) {
        self.count(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    fn u64(&mut self) -> Option<u64> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first()?;
            self.0 = rest;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return None;
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// A count, bounded by the bytes left (each item takes at least one), so garbage cannot ask
    /// for a huge allocation.
    fn count(&mut self) -> Option<usize> {
        let count = self.u32()? as usize;
        (count <= self.0.len()).then_some(count)
    }

    fn flag(&mut self) -> Option<bool> {
        match self.u32()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn option(&mut self) -> Option<Option<u32>> {
        match self.u64()? {
            0 => Some(None),
            n => u32::try_from(n - 1).ok().map(Some),
        }
    }

    fn str(&mut self) -> Option<&'a str> {
        let length = self.count()?;
        let (text, rest) = self.0.split_at_checked(length)?;
        self.0 = rest;
        std::str::from_utf8(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_same(a: &Module, b: &Module) {
        assert_eq!(a.symbols, b.symbols);
        assert_eq!(a.functions, b.functions);
        assert_eq!(a.globals, b.globals);
        assert!(a.debug.same_records(&b.debug));
    }

    #[test]
    fn a_module_reads_back_as_it_was() {
        let module = Module::parse(super::super::tests::SAMPLE);
        assert!(!module.functions.is_empty() && !module.debug.records.is_empty());
        let decoded = Module::decode(&module.encode()).expect("decodes");
        assert_same(&module, &decoded);
        assert_eq!(
            decoded.debug.location(21).map(|l| l.inlined_at),
            Some(Some(20))
        );
    }

    #[test]
    fn anything_but_a_whole_encoding_is_refused() {
        let bytes = Module::parse(super::super::tests::SAMPLE).encode();
        for cut in 0..bytes.len() {
            assert!(Module::decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Module::decode(&longer).is_none(), "trailing bytes");
        // A reference to a symbol the module does not have.
        let mut module = Module::parse(super::super::tests::SAMPLE);
        module.functions[0].references[0].symbol = 999;
        assert!(Module::decode(&module.encode()).is_none());
    }

    #[test]
    fn integers_of_every_size_read_back() {
        for value in [0, 1, 127, 128, 16_383, 16_384, u32::MAX - 1, u32::MAX] {
            let mut out = Writer(Vec::new());
            out.u32(value);
            out.option(Some(value));
            out.option(None);
            let mut input = Reader(&out.0);
            assert_eq!(input.u32(), Some(value));
            assert_eq!(input.option(), Some(Some(value)));
            assert_eq!(input.option(), Some(None));
        }
        assert_eq!(
            Reader(&[0xff, 0xff, 0xff, 0xff, 0x7f]).u32(),
            None,
            "35 bits"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_read_module_reads_back_as_it_was(lines in proptest::collection::vec(super::super::properties::ir_line(), 0..60)) {
            let module = Module::read(lines.join("\n").as_bytes()).unwrap();
            let decoded = Module::decode(&module.encode()).expect("decodes");
            prop_assert_eq!(&module.symbols, &decoded.symbols);
            prop_assert_eq!(&module.functions, &decoded.functions);
            prop_assert_eq!(&module.globals, &decoded.globals);
            prop_assert!(module.debug.same_records(&decoded.debug));
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Module::decode(&bytes);
        }
    }
}
