//! Static proof that RV32E firmware touches only x0–x15.
//!
//! RV32E has 16 integer registers, but QEMU 7.2's `-cpu rv32,e=true` executes
//! x16–x31 without trapping, so a trampoline that saved `a6` would pass every
//! run. This check reads the ELF, decodes every function symbol (the
//! `#[interrupt]` entries — symbols containing `__interrupt_abi_entry` — must
//! be among them) instruction by instruction, and fails on any register field
//! that names x16 or above, or on any instruction it cannot decode.
//!
//! LLVM's assembler already rejects x16+ in the naked templates when the
//! module is built for `riscv32e` ("invalid operand for instruction"); this
//! checks the linked result independently of that.

use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use interrupt_abi_codegen::ENTRY_SYMBOL;
use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

use crate::isa::riscv;

/// What the check looked at.
#[derive(Debug, Default)]
pub struct Summary {
    pub functions: usize,
    pub entries: usize,
    pub instructions: usize,
}

/// Checks the ELF at `path`.
pub fn check_elf(path: &Path) -> Result<Summary> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = object::File::parse(&*data)?;
    let mut summary = Summary::default();
    for symbol in file.symbols() {
        if symbol.kind() != SymbolKind::Text || symbol.size() == 0 {
            continue;
        }
        let name = symbol.name().unwrap_or("?");
        let Some(section) = symbol
            .section_index()
            .map(|i| file.section_by_index(i))
            .transpose()?
        else {
            continue;
        };
        let start = (symbol.address() - section.address()) as usize;
        let code = section
            .data()?
            .get(start..start + symbol.size() as usize)
            .with_context(|| format!("{name} lies outside its section"))?;
        summary.instructions += check_code(code, symbol.address())
            .with_context(|| format!("in {name} ({:#})", rustc_demangle::demangle(name)))?;
        summary.functions += 1;
        if name.contains(ENTRY_SYMBOL) {
            summary.entries += 1;
        }
    }
    ensure!(
        summary.entries > 0,
        "{}: no `#[interrupt]` entry (`{ENTRY_SYMBOL}`) symbol to check",
        path.display()
    );
    Ok(summary)
}

/// Decodes `code` (loaded at `address`); returns the instruction count.
fn check_code(code: &[u8], address: u64) -> Result<usize> {
    let mut offset = 0;
    let mut count = 0;
    while offset < code.len() {
        let pc = address + offset as u64;
        let insn = riscv::operands(&code[offset..], 32).with_context(|| format!("at {pc:#x}"))?;
        if let Some(reg) = insn.gprs.iter().find(|&&r| r >= 16) {
            let bytes = &code[offset..offset + insn.len];
            bail!("instruction {bytes:02x?} at {pc:#x} uses x{reg}, which RV32E does not have");
        }
        offset += insn.len;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_low_registers_and_rejects_the_high_ones() {
        // addi sp, sp, -48; sw ra, 0(sp); sw a5, 36(sp); mret
        let ok = [
            0x13, 0x01, 0x01, 0xfd, 0x23, 0x20, 0x11, 0x00, 0x23, 0x22, 0xf1, 0x02, 0x73, 0x00,
            0x20, 0x30,
        ];
        assert_eq!(check_code(&ok, 0x8000_0000).unwrap(), 4);
        // ... then sw t3, 8(sp)
        let mut bad = ok.to_vec();
        bad.extend([0x23, 0x24, 0xc1, 0x01]);
        let err = check_code(&bad, 0x8000_0000).unwrap_err().to_string();
        assert!(err.contains("x28") && err.contains("0x80000010"), "{err}");
    }
}
