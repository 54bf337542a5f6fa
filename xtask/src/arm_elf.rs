//! Static checks of classic-ARM firmware (A/R profile): the instruction set
//! of every `#[interrupt]` entry and body, read from the linked ELF.
//!
//! Exceptions enter in A32 state, so every entry (a symbol whose mangled name
//! contains `ENTRY_SYMBOL`, `__interrupt_abi_entry`) must be A32 code, also on Thumb targets
//! where the compiler's default is T32: its symbol value has bit 0 clear (the
//! ELF convention for ARM functions; Thumb functions have it set) and the
//! mapping symbol covering it (`$a` for A32, `$t` for Thumb, `$d` for data,
//! as the ARM ELF ABI defines them) says `$a`. On Thumb targets the bodies
//! (`__interrupt_abi_body`) keep the default instruction set: bit 0 set,
//! `$t`. QEMU would not catch an entry assembled in the wrong state until an
//! exception ran it, and then only as a crash; this names the symbol.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use interrupt_abi_codegen::{BODY_SYMBOL, ENTRY_SYMBOL};
use object::{Object, ObjectSection, ObjectSymbol};

/// The instruction set (or data) a mapping symbol declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapping {
    A32,
    Thumb,
    Data,
}

impl Mapping {
    /// `$a`, `$t`, `$d`, optionally followed by `.<anything>`.
    fn from_name(name: &str) -> Option<Mapping> {
        let base = name.split('.').next()?;
        match base {
            "$a" => Some(Mapping::A32),
            "$t" => Some(Mapping::Thumb),
            "$d" => Some(Mapping::Data),
            _ => None,
        }
    }
}

/// For a classic-ARM target, whether its default instruction set is Thumb;
/// `None` for other targets (Cortex-M's `thumbv6m`/`v7m`/`v7em`/`v8m` have
/// no A32 state and use the Cortex-M ABI).
pub fn classic_arm(target: &str) -> Option<bool> {
    let arch = target.split('-').next()?;
    if arch.starts_with("arm") && !arch.starts_with("arm64") {
        return Some(false);
    }
    let m_profile = ["thumbv6m", "thumbv7m", "thumbv7em", "thumbv8m"];
    if arch.starts_with("thumb") && !m_profile.iter().any(|m| arch.starts_with(m)) {
        return Some(true);
    }
    None
}

/// What the check found.
#[derive(Debug, Default)]
pub struct Summary {
    pub entries: usize,
    pub bodies: usize,
}

/// The mapping in force at `addr`: the last mapping symbol at or before it.
pub fn mapping_at(mappings: &BTreeMap<u64, Mapping>, addr: u64) -> Option<Mapping> {
    mappings.range(..=addr).next_back().map(|(_, m)| *m)
}

/// Checks every entry of the ELF at `elf` is A32 and, if `thumb_target`,
/// every body Thumb. Fails naming the first offending symbol, or if the ELF
/// has no entries at all (nothing would have been checked).
pub fn check(elf: &Path, thumb_target: bool) -> Result<Summary> {
    let data = std::fs::read(elf).with_context(|| format!("reading {}", elf.display()))?;
    let file = object::File::parse(&*data)?;
    ensure!(
        file.architecture() == object::Architecture::Arm,
        "{} is not a 32-bit ARM ELF",
        elf.display()
    );
    // Mapping symbols per section, by address.
    let mut mappings: BTreeMap<usize, BTreeMap<u64, Mapping>> = BTreeMap::new();
    for sym in file.symbols() {
        let (Ok(name), Some(section)) = (sym.name(), sym.section_index()) else {
            continue;
        };
        if let Some(m) = Mapping::from_name(name) {
            mappings
                .entry(section.0)
                .or_default()
                .insert(sym.address(), m);
        }
    }
    let mut summary = Summary::default();
    for sym in file.symbols() {
        let Ok(name) = sym.name() else { continue };
        let (is_entry, is_body) = (name.contains(ENTRY_SYMBOL), name.contains(BODY_SYMBOL));
        if !is_entry && !is_body {
            continue;
        }
        let value = sym.address();
        let section = sym
            .section_index()
            .with_context(|| format!("{name} has no section"))?;
        let section_name = file
            .section_by_index(section)
            .ok()
            .and_then(|s| s.name().ok().map(str::to_string))
            .unwrap_or_default();
        let mapping = mappings
            .get(&section.0)
            .and_then(|m| mapping_at(m, value & !1))
            .with_context(|| {
                format!("no mapping symbol ($a/$t) covers {name} at {value:#x} in {section_name}")
            })?;
        let want = if is_entry || !thumb_target {
            Mapping::A32
        } else {
            Mapping::Thumb
        };
        let bit0 = value & 1 == 1;
        if mapping != want || bit0 != (want == Mapping::Thumb) {
            bail!(
                "{} {name} at {value:#x} is {mapping:?} code (bit 0 {}), want {want:?}",
                if is_entry { "entry" } else { "body" },
                u8::from(bit0),
            );
        }
        if is_entry {
            ensure!(
                value % 4 == 0,
                "entry {name} at {value:#x} is not 4-byte aligned"
            );
            summary.entries += 1;
        } else {
            summary.bodies += 1;
        }
    }
    ensure!(
        summary.entries > 0,
        "no `{ENTRY_SYMBOL}` symbol in {}: nothing to check",
        elf.display()
    );
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_arm_targets_and_their_default_state() {
        assert_eq!(classic_arm("armv5te-none-eabi"), Some(false));
        assert_eq!(classic_arm("armv7a-none-eabihf"), Some(false));
        assert_eq!(classic_arm("thumbv4t-none-eabi"), Some(true));
        assert_eq!(classic_arm("thumbv7a-none-eabihf"), Some(true));
        assert_eq!(classic_arm("thumbv7em-none-eabihf"), None);
        assert_eq!(classic_arm("thumbv6m-none-eabi"), None);
        assert_eq!(classic_arm("aarch64-unknown-none"), None);
        assert_eq!(classic_arm("riscv32imac-unknown-none-elf"), None);
    }

    #[test]
    fn the_last_mapping_symbol_at_or_before_an_address_wins() {
        let m: BTreeMap<u64, Mapping> = [
            (0x100, Mapping::Thumb),
            (0x140, Mapping::A32),
            (0x160, Mapping::Data),
        ]
        .into();
        assert_eq!(mapping_at(&m, 0xff), None);
        assert_eq!(mapping_at(&m, 0x100), Some(Mapping::Thumb));
        assert_eq!(mapping_at(&m, 0x140), Some(Mapping::A32));
        assert_eq!(mapping_at(&m, 0x15c), Some(Mapping::A32));
        assert_eq!(mapping_at(&m, 0x200), Some(Mapping::Data));
        assert_eq!(Mapping::from_name("$t.12"), Some(Mapping::Thumb));
        assert_eq!(Mapping::from_name("$x"), None);
    }
}
