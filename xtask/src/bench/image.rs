//! A linked firmware image: its symbols and the decoded code of a function.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

use crate::isa::{self, Insn, Kind};

/// Instruction set of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    Riscv { xlen: u32 },
    X86_64,
}

pub struct Image {
    data: Vec<u8>,
    pub isa: Isa,
    /// Name -> (address, size); sizes of assembly labels may be 0.
    symbols: BTreeMap<String, (u64, u64)>,
}

/// One function: its symbol, size in bytes and instructions.
pub struct Function {
    pub name: String,
    pub size: u64,
    pub insns: Vec<Insn>,
}

impl Image {
    pub fn load(path: &Path, isa: Isa) -> Result<Image> {
        let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let file = object::File::parse(&*data)?;
        let mut symbols = BTreeMap::new();
        for sym in file.symbols() {
            let code = matches!(
                sym.kind(),
                SymbolKind::Text | SymbolKind::Label | SymbolKind::Unknown
            );
            if let (true, Ok(name)) = (code && sym.address() != 0, sym.name()) {
                // A sized definition wins over an alias label.
                let entry = symbols.entry(name.to_string()).or_insert((0, 0));
                if entry.1 == 0 {
                    *entry = (sym.address(), sym.size());
                }
            }
        }
        Ok(Image { data, isa, symbols })
    }

    pub fn has(&self, name: &str) -> bool {
        self.symbols.contains_key(name)
    }

    /// The name of a symbol at `addr` (the first in name order).
    pub fn name_at(&self, addr: u64) -> Option<&str> {
        self.symbols
            .iter()
            .find(|(_, (a, _))| *a == addr)
            .map(|(n, _)| n.as_str())
    }

    /// Decodes the function `name`. Symbols without a size (labels in
    /// assembly) end at their first return.
    pub fn function(&self, name: &str) -> Result<Function> {
        let &(addr, size) = self
            .symbols
            .get(name)
            .with_context(|| format!("no symbol {name}"))?;
        let file = object::File::parse(&*self.data)?;
        let section = file
            .sections()
            .find(|s| s.address() <= addr && addr < s.address() + s.size())
            .with_context(|| format!("{name} at {addr:#x} is in no section"))?;
        let bytes = section.data()?;
        let start = (addr - section.address()) as usize;
        let end = if size > 0 {
            start + size as usize
        } else {
            bytes.len()
        };
        let mut insns = match self.isa {
            Isa::Riscv { xlen } => isa::riscv::decode(&bytes[start..end], addr, xlen),
            Isa::X86_64 => isa::x86::decode(&bytes[start..end], addr),
        };
        if size == 0 {
            let Some(last) = insns
                .iter()
                .position(|i| matches!(i.kind, Kind::Return | Kind::InterruptReturn))
            else {
                bail!("{name} has no size and no return");
            };
            insns.truncate(last + 1);
        }
        let size = insns.iter().map(|i| u64::from(i.len)).sum();
        Ok(Function {
            name: name.to_string(),
            size,
            insns,
        })
    }
}
