//! A linked firmware image: its symbols and the decoded code of a function.
//!
//! On ARM a function symbol's value has bit 0 set for Thumb code (the ARM
//! ELF convention); [`Image::function`] decodes from the even address, in
//! the state the target's functions use, and stops at the function's first
//! literal pool (a `$d` mapping symbol): the suite's functions keep their
//! pools after their code.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

use crate::isa::{self, Insn, Kind};

/// Instruction set of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    Riscv {
        xlen: u32,
    },
    X86_64,
    /// Classic ARM in A32 (`thumb: false`) or an M-profile core (`true`).
    Arm {
        thumb: bool,
    },
}

impl Isa {
    /// Whether `reg` (as the decoders name it) holds floating-point data.
    pub fn is_fp_register(self, reg: &str) -> bool {
        match self {
            // ft0-ft11, fa0-fa7, fs0-fs11; not the status register.
            Isa::Riscv { .. } => reg.starts_with('f') && reg != "fcsr",
            Isa::X86_64 => reg.starts_with("xmm") || reg.starts_with("ymm"),
            Isa::Arm { .. } => {
                reg.len() > 1
                    && (reg.starts_with('d') || reg.starts_with('s'))
                    && reg[1..].bytes().all(|b| b.is_ascii_digit())
            }
        }
    }

    /// The floating-point status register arithmetic sets, if any.
    pub fn fp_status_register(self) -> Option<&'static str> {
        match self {
            Isa::Riscv { .. } => Some("fcsr"),
            Isa::X86_64 => None,
            Isa::Arm { .. } => Some("fpscr"),
        }
    }
}

pub struct Image {
    data: Vec<u8>,
    pub isa: Isa,
    /// Name -> (address, size); sizes of assembly labels may be 0.
    symbols: BTreeMap<String, (u64, u64)>,
    /// Addresses of `$d` mapping symbols (ARM, RISC-V): data inside code.
    data_marks: Vec<u64>,
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
        let mut data_marks = Vec::new();
        for sym in file.symbols() {
            // Mapping symbols (`$a`, `$t`, `$d`, `$x`, optionally `.N`)
            // mark instruction sets and data, not functions.
            let mapping = sym
                .name()
                .ok()
                .and_then(|n| n.strip_prefix('$'))
                .map(|n| n.split('.').next().unwrap_or_default());
            match mapping {
                Some("d") if isa != Isa::X86_64 => {
                    data_marks.push(sym.address());
                    continue;
                }
                Some("a" | "t" | "x") => continue,
                _ => {}
            }
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
        data_marks.sort_unstable();
        Ok(Image {
            data,
            isa,
            symbols,
            data_marks,
        })
    }

    /// The bytes from `addr` to the end of the section holding it.
    fn bytes_from(&self, addr: u64) -> Result<&[u8]> {
        let file = object::File::parse(&*self.data)?;
        let section = file
            .sections()
            .find(|s| (s.address()..s.address() + s.size()).contains(&addr))
            .with_context(|| format!("no section holds {addr:#x}"))?;
        Ok(&section.data()?[(addr - section.address()) as usize..])
    }

    /// The little-endian word at `addr` (a literal in code).
    pub fn read_u32(&self, addr: u64) -> Result<u32> {
        let bytes = self
            .bytes_from(addr)?
            .get(..4)
            .context("literal past the section")?;
        Ok(u32::from_le_bytes(bytes.try_into()?))
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
        let &(symbol, size) = self
            .symbols
            .get(name)
            .with_context(|| format!("no symbol {name}"))?;
        let addr = match self.isa {
            Isa::Arm { .. } => symbol & !1,
            _ => symbol,
        };
        let bytes = self
            .bytes_from(addr)
            .with_context(|| format!("{name} at {addr:#x}"))?;
        let mut end = if size > 0 { size as usize } else { bytes.len() };
        if let Some(&pool) = self.data_marks.iter().find(|&&d| d > addr) {
            end = end.min((pool - addr) as usize);
        }
        let code = &bytes[..end];
        let mut insns = match self.isa {
            Isa::Riscv { xlen } => isa::riscv::decode(code, addr, xlen),
            Isa::X86_64 => isa::x86::decode(code, addr),
            Isa::Arm { thumb } => isa::arm::decode(code, addr, thumb),
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
        // A literal pool belongs to the function's bytes, not its code.
        let size = if size > 0 {
            size
        } else {
            insns.iter().map(|i| u64::from(i.len)).sum()
        };
        Ok(Function {
            name: name.to_string(),
            size,
            insns,
        })
    }
}
