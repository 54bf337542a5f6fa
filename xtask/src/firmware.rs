//! The firmware matrix: which program, for which target, in which emulator,
//! and what its serial output must report.
//!
//! Firmware speaks to xtask through lines on the serial console:
//!
//! ```text
//! @report firmware=riscv32imac abi=riscv-interrupt-m scenario=timer-storm handler=machine_timer interrupts=100000 checks=2512345 entry_insns=21 exit_insns=20 result=pass
//! ```
//!
//! Every `@report` line is one scenario; `result=pass` is required of each,
//! and a run without reports, or whose QEMU exit status is not success,
//! fails. Keys other than `result` are free-form numbers or words that
//! `demo` shows in its table; `handler` names the `#[interrupt]` item whose
//! entry size xtask reads from the ELF symbol table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};

use crate::{qemu, toolchain};

/// How to boot a firmware image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    /// `qemu-system-riscv{32,64} -M virt -bios none`, test finisher exit.
    RiscvVirt,
}

/// One firmware build and run.
#[derive(Debug, Clone, Copy)]
pub struct Firmware {
    /// Cargo package under `firmware/`.
    pub package: &'static str,
    pub target: &'static str,
    /// Cargo features of the package selecting the scenarios.
    pub features: &'static [&'static str],
    pub machine: Machine,
    /// Extra QEMU arguments (e.g. `-icount`).
    pub qemu_args: &'static [&'static str],
    /// Hard limit for the QEMU run.
    pub timeout: Duration,
}

pub const MATRIX: &[Firmware] = &[];

/// A parsed `@report` line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report(pub BTreeMap<String, String>);

impl Report {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

/// Reports found in a serial transcript.
pub fn parse_reports(serial: &str) -> Vec<Report> {
    serial
        .lines()
        .filter_map(|line| line.trim().strip_prefix("@report "))
        .map(|rest| {
            Report(
                rest.split_whitespace()
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        })
        .collect()
}

/// What one firmware run produced.
pub struct Run {
    pub elf: PathBuf,
    pub reports: Vec<Report>,
}

/// Builds and runs `fw`; fails unless QEMU exits with success and every
/// report says `result=pass`.
pub fn run(fw: &Firmware) -> Result<Run> {
    let mut cmd = toolchain::firmware_build_command(fw.package, fw.target)?;
    if !fw.features.is_empty() {
        cmd.arg("--features").arg(fw.features.join(","));
    }
    crate::host::run(&mut cmd)
        .with_context(|| format!("building {} for {}", fw.package, fw.target))?;
    let elf = toolchain::firmware_elf(fw.package, fw.target);
    let (binary, mut args) = match fw.machine {
        Machine::RiscvVirt => qemu::riscv_virt_command(fw.target, &elf)?,
    };
    args.extend(fw.qemu_args.iter().map(|a| a.to_string()));
    let outcome = qemu::run_qemu(binary, &args, fw.timeout)?;
    let reports = parse_reports(&outcome.stdout);
    outcome.check()?;
    ensure!(
        !reports.is_empty(),
        "no @report line on the serial console:\n{}",
        outcome.stdout
    );
    for r in &reports {
        if r.get("result") != Some("pass") {
            bail!("scenario failed: {r:?}\n{}", outcome.stdout);
        }
    }
    Ok(Run { elf, reports })
}

/// Size in bytes of the entry trampoline of `handler` in `elf`.
pub fn entry_bytes(elf: &Path, handler: &str) -> Result<Option<u64>> {
    use object::{Object, ObjectSymbol};
    let data = std::fs::read(elf)?;
    let file = object::File::parse(&*data)?;
    // Mangled: `..<len><handler>21__interrupt_abi_entry17h<hash>E`.
    let needle = format!("{}{handler}21__interrupt_abi_entry", handler.len());
    Ok(file
        .symbols()
        .find(|s| s.name().is_ok_and(|n| n.contains(&needle)))
        .map(|s| s.size()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_parsed_from_noise() {
        let serial = "boot\n@report abi=riscv-interrupt-m interrupts=5 result=pass\nother\n";
        let reports = parse_reports(serial);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].get("interrupts"), Some("5"));
        assert_eq!(reports[0].get("missing"), None);
    }
}
