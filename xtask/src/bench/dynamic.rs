//! Dynamic metrics: boots a probe build in QEMU under `-icount shift=0`
//! and turns the firmware's `@bench` lines (bench/src/harness.rs) into
//! entry and exit counts.
//!
//! With `cal_*` the same numbers for the calibration handler, whose body
//! starts at its first instruction and whose exit is its return
//! instruction alone (`mret`, `iretq`, `subs pc, lr, #4`):
//!
//! - entry = `entry_raw - cal_entry_raw`: instructions from the interrupt to
//!   the body's first instruction, exclusive;
//! - exit = `exit_raw - cal_exit_raw + 1`: from the body's last instruction,
//!   exclusive, through the return instruction;
//! - stack = `stack - cal_stack`: what the entry's code pushes, below any
//!   frame the hardware pushes (x86_64's 40 bytes and its alignment) and
//!   on the stack the handler runs on (ARM's IRQ-mode stack).
//!
//! The counter is `minstret` on RISC-V, the TSC on x86_64 and the PMU's
//! INST_RETIRED on ARM, which QEMU all derive from the instruction count
//! under `-icount shift=0`.
//!
//! QEMU has no cycle model: under `-icount shift=0` an instruction takes
//! one nanosecond of virtual time and RISC-V's `mcycle` reads that clock, so
//! cycles equal instructions. The clock can also jump on QEMU's own account
//! (observed: RV32E `deep`, by a fixed 6661 with `sleep=off`, by a varying
//! amount without), while `minstret` stays exact. The entry and exit counts
//! therefore come from `minstret`, and the round trip's `mcycle` delta is
//! kept next to its `minstret` delta in the results, as a check.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use serde::Serialize;

use super::matrix::Target;
use crate::qemu;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Dynamic {
    pub entry_insns: u64,
    pub exit_insns: u64,
    /// Bytes between the interrupted code's stack pointer and the body's.
    pub stack_bytes: u64,
    /// The firmware's numbers, before calibration.
    pub raw: Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Raw {
    pub entry_raw: u64,
    pub exit_raw: u64,
    pub cal_entry_raw: u64,
    pub cal_exit_raw: u64,
    /// Instructions of the whole round trip, probes and harness included.
    pub total: u64,
    /// Stack bytes of the handler and of the calibration handler.
    pub stack: u64,
    pub cal_stack: u64,
    /// `mcycle` over the same round trip (RISC-V only: x86_64 and ARM read
    /// one counter).
    pub total_cycles: Option<u64>,
}

impl Raw {
    /// Whether the cycle counter, where there is one, advanced exactly
    /// with the instruction counter.
    pub fn cycles_match(&self) -> bool {
        self.total_cycles.is_none_or(|cycles| cycles == self.total)
    }
}

/// QEMU's `-icount` option of every run.
pub const ICOUNT: &str = "shift=0,sleep=off";

/// The harness reads `mcycle` one instruction before its first and after
/// its last `minstret` read.
const CYCLE_READS_AROUND: u64 = 2;

/// Parses one `@bench` line into its handler name and numbers.
pub fn parse_line(line: &str) -> Result<Option<(String, Dynamic)>> {
    let Some(rest) = line.trim().strip_prefix("@bench ") else {
        return Ok(None);
    };
    let mut name = None;
    let mut n = BTreeMap::new();
    for kv in rest.split_whitespace() {
        let (k, v) = kv.split_once('=').context("key=value expected")?;
        if k == "handler" {
            name = Some(v.to_string());
        } else {
            n.insert(k, v.parse::<u64>().with_context(|| format!("{k}={v}"))?);
        }
    }
    let get = |k: &str| {
        n.get(k)
            .copied()
            .with_context(|| format!("no {k} in {line:?}"))
    };
    let raw = Raw {
        entry_raw: get("entry_raw")?,
        exit_raw: get("exit_raw")?,
        cal_entry_raw: get("cal_entry_raw")?,
        cal_exit_raw: get("cal_exit_raw")?,
        total: get("total")?,
        stack: get("stack")?,
        cal_stack: get("cal_stack")?,
        total_cycles: n.get("cycles").map(|c| c.wrapping_sub(CYCLE_READS_AROUND)),
    };
    ensure!(
        raw.entry_raw >= raw.cal_entry_raw
            && raw.exit_raw + 1 >= raw.cal_exit_raw
            && raw.stack >= raw.cal_stack,
        "a handler measured faster or smaller than the calibration handler: {line}"
    );
    let dynamic = Dynamic {
        entry_insns: raw.entry_raw - raw.cal_entry_raw,
        exit_insns: raw.exit_raw + 1 - raw.cal_exit_raw,
        stack_bytes: raw.stack - raw.cal_stack,
        raw,
    };
    Ok(Some((name.context("no handler=")?, dynamic)))
}

/// Boots `elf` (a probe build for `triple`) and returns every handler's
/// numbers, including the self-test handler `known`.
pub fn run(target: &Target, elf: &Path) -> Result<BTreeMap<String, Dynamic>> {
    let machine = target
        .machine
        .with_context(|| format!("{} is not booted", target.name))?;
    let (binary, mut args) = machine.command(target.triple, elf)?;
    args.extend(target.qemu_args.iter().map(|a| a.to_string()));
    // `sleep=off`: virtual time never waits for real time, so even `mcycle`
    // is repeatable.
    args.extend(["-icount".into(), ICOUNT.into()]);
    let outcome = qemu::run_qemu(binary, &args, Duration::from_secs(30))?;
    outcome.check_with(machine.pass_status())?;
    let mut out = BTreeMap::new();
    for line in outcome.stdout.lines() {
        if let Some((name, d)) = parse_line(line)? {
            out.insert(name, d);
        }
    }
    if !outcome.stdout.contains("@bench-end") {
        bail!("the firmware did not finish:\n{}", outcome.stdout);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_is_subtracted() {
        let line = "@bench handler=known entry_raw=9 exit_raw=8 total=22 cycles=24 stack=48 \
                    cal_entry_raw=2 cal_exit_raw=3 cal_total=10 cal_stack=48";
        let (name, d) = parse_line(line).unwrap().unwrap();
        assert_eq!(name, "known");
        assert_eq!((d.entry_insns, d.exit_insns, d.stack_bytes), (7, 6, 0));
        let smaller = line.replace("stack=48 ", "stack=40 ");
        assert!(parse_line(&smaller).is_err());
        assert!(parse_line("@bench-start").unwrap().is_none());
    }

    #[test]
    fn cycles_are_compared_with_instructions() {
        let line = "@bench handler=x entry_raw=9 exit_raw=8 total=22 cycles=40 stack=0 \
                    cal_entry_raw=2 cal_exit_raw=3 cal_total=10 cal_stack=0";
        let (_, d) = parse_line(line).unwrap().unwrap();
        assert!(!d.raw.cycles_match());
        let line = line.replace("cycles=40", "cycles=24");
        assert!(parse_line(&line).unwrap().unwrap().1.raw.cycles_match());
        // One counter (x86_64): nothing to compare.
        let line = line.replace(" cycles=24", "");
        let d = parse_line(&line).unwrap().unwrap().1;
        assert_eq!(d.raw.total_cycles, None);
        assert!(d.raw.cycles_match());
    }
}
