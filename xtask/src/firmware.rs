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

use interrupt_abi_codegen::ENTRY_SYMBOL;

use crate::{qemu, toolchain};

/// How to boot a firmware image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    /// `qemu-system-riscv{32,64} -M virt -bios none`, test finisher exit.
    RiscvVirt,
    /// `qemu-system-x86_64`/`-i386` PC with `-kernel`, `isa-debug-exit`
    /// (which cannot exit with 0: pass is status 33).
    X86Pc,
    /// `qemu-system-arm -M versatilepb` (PL190 VIC, SP804 timers),
    /// semihosting exit.
    ArmVersatile,
    /// `qemu-system-arm -M virt` (GICv2, generic timer), semihosting exit.
    ArmVirt,
    /// `qemu-system-aarch64 -M virt -cpu cortex-a53` (machine options such
    /// as `gic-version` come as a second `-M` in the entry's arguments),
    /// semihosting exit.
    Aarch64Virt,
    /// `qemu-system-arm -M lm3s6965evb` (Cortex-M3), semihosting exit.
    Lm3s6965evb,
    /// `qemu-system-arm -M mps2-an385` (Cortex-M3), semihosting exit.
    Mps2An385,
}

impl Machine {
    /// QEMU's exit status when the firmware passed.
    pub fn pass_status(self) -> i32 {
        match self {
            Machine::X86Pc => qemu::X86_PC_PASS_STATUS,
            _ => 0,
        }
    }

    /// QEMU binary and arguments that boot `elf`, built for `target`, on
    /// this machine (callers add the CPU and `-icount` options).
    pub fn command(self, target: &str, elf: &Path) -> Result<(&'static str, Vec<String>)> {
        match self {
            Machine::RiscvVirt => qemu::riscv_virt_command(target, elf),
            Machine::X86Pc => qemu::x86_pc_command(target, elf),
            Machine::ArmVersatile => qemu::arm_command("versatilepb", elf),
            Machine::ArmVirt => qemu::arm_command("virt", elf),
            Machine::Aarch64Virt => qemu::aarch64_virt_command(elf),
            Machine::Lm3s6965evb => qemu::arm_command("lm3s6965evb", elf),
            Machine::Mps2An385 => qemu::arm_command("mps2-an385", elf),
        }
    }
}

/// QEMU arguments of the `riscv-virt` firmware.
const RISCV_VIRT_ARGS: &[&str] = &["-smp", "2", "-icount", "shift=0,sleep=off"];

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

pub const MATRIX: &[Firmware] = &[
    // RISC-V `virt`, one image per target running three storms of 100,000+
    // interrupts over register torture: `riscv-interrupt-m`, the same
    // `#[interrupt(nested)]`, and `riscv-interrupt-s` behind an M-mode shim.
    // Hart 1 raises software interrupts at arbitrary moments (hence
    // `-smp 2`); `sleep=off` keeps virtual time from running on while both
    // harts wait. About 5 s each under icount.
    Firmware {
        package: "riscv-virt",
        target: "riscv32imac-unknown-none-elf",
        features: &[],
        machine: Machine::RiscvVirt,
        qemu_args: RISCV_VIRT_ARGS,
        timeout: Duration::from_secs(60),
    },
    // RV64 with F/D: the torture also checks f0-f31 and fcsr.
    Firmware {
        package: "riscv-virt",
        target: "riscv64gc-unknown-none-elf",
        features: &[],
        machine: Machine::RiscvVirt,
        qemu_args: RISCV_VIRT_ARGS,
        timeout: Duration::from_secs(60),
    },
    // RV32E (ilp32e, x1-x15), plus the static check that nothing in the ELF
    // names x16-x31 (`rv32e.rs`), which QEMU would not catch.
    Firmware {
        package: "riscv-virt",
        target: "riscv32e-unknown-none-elf",
        features: &[],
        machine: Machine::RiscvVirt,
        qemu_args: RISCV_VIRT_ARGS,
        timeout: Duration::from_secs(60),
    },
    // x86_64 kernel (PVH boot): breakpoint, page fault, general protection,
    // a 100,000-interrupt LAPIC timer storm over register torture, and a
    // double fault on an IST stack. About 1.5 s under icount.
    Firmware {
        package: "x86-pc",
        target: "x86_64-unknown-none",
        features: &[],
        machine: Machine::X86Pc,
        qemu_args: &["-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    // The same kernel built hard-float (a target spec in firmware/x86-pc:
    // x86_64-unknown-none with SSE), so that bodies use SSE and the SSE
    // entry's MXCSR handling runs on bare metal.
    Firmware {
        package: "x86-pc",
        target: "x86_64-sse-none",
        features: &[],
        machine: Machine::X86Pc,
        qemu_args: &["-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    // 32-bit x86 kernel (multiboot; there is no bare-metal i686 target: the
    // Linux target's `core`, statically linked at 1 MiB): breakpoint,
    // general protection, and a timer storm over GPR, EFLAGS, x87 and SSE
    // torture (`fxsave` trampolines). About 2 s under icount.
    Firmware {
        package: "x86-pc",
        target: "i686-unknown-linux-gnu",
        features: &[],
        machine: Machine::X86Pc,
        qemu_args: &["-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    // The same on an x87-only target: `fnsave` trampolines and torture.
    Firmware {
        package: "x86-pc",
        target: "i586-unknown-linux-gnu",
        features: &[],
        machine: Machine::X86Pc,
        qemu_args: &["-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    // Classic ARM on `versatilepb` (PL190 VIC, SP804 timers), one image per
    // CPU: SVC, undefined instruction, data and prefetch abort from A32 and
    // Thumb code; a BIOS-style call of an `instruction_set(arm::a32)`
    // handler; an IRQ (timer, software line) and FIQ (timer) storm of
    // 100,000+ interrupts over register torture in A32 and Thumb state.
    // About 2-4 s each under icount.
    Firmware {
        package: "arm-versatile",
        target: "armv5te-none-eabi",
        features: &[],
        machine: Machine::ArmVersatile,
        qemu_args: &["-cpu", "arm926", "-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    // ARMv4T, Thumb by default: A32 entries calling Thumb-1 bodies.
    Firmware {
        package: "arm-versatile",
        target: "thumbv4t-none-eabi",
        features: &[],
        machine: Machine::ArmVersatile,
        qemu_args: &["-cpu", "ti925t", "-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    // ARMv6 with VFPv2: d0-d15/FPSCR tortured too, and the System-mode IRQ
    // entry (`arm-interrupt-irq-system`) nesting three deep. About 8 s.
    Firmware {
        package: "arm-versatile",
        target: "armv6-none-eabihf",
        features: &[],
        machine: Machine::ArmVersatile,
        qemu_args: &["-cpu", "arm1176", "-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    // ARMv7-A on `virt` (GICv2: group 0 as FIQ; generic timers; PMU-measured
    // cost), VFPv3-D32 tortured, nesting by GIC priority; in A32 and in
    // Thumb-2. About 4 s each.
    Firmware {
        package: "armv7-gic",
        target: "armv7a-none-eabihf",
        features: &[],
        machine: Machine::ArmVirt,
        qemu_args: &["-cpu", "cortex-a15", "-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    Firmware {
        package: "armv7-gic",
        target: "thumbv7a-none-eabihf",
        features: &[],
        machine: Machine::ArmVirt,
        qemu_args: &["-cpu", "cortex-a15", "-icount", "shift=0"],
        timeout: Duration::from_secs(60),
    },
    // AArch64 on `virt` (generic timers, PMU-measured cost), FP/SIMD:
    // q0-q31, FPCR and FPSR tortured. Started at EL2 with GICv3: the
    // `#[interrupt(el2)]` hypercall handler is measured at EL2, then EL1 runs
    // a plain-handler IRQ storm with nesting by GIC priority, a frame-handler
    // storm with `svc`/`brk`/`hvc` in every torture pass, a storm whose
    // bodies return with IRQs unmasked (the exit must mask them before it
    // writes ELR/SPSR), `svc`, `brk`, `udf` and data aborts on purpose, and
    // bodies checked to start in the default FP environment (FPCR = FPSR = 0)
    // whatever the interrupted code set. About 4 s.
    Firmware {
        package: "aarch64-virt",
        target: "aarch64-unknown-none",
        features: &[],
        machine: Machine::Aarch64Virt,
        qemu_args: AARCH64_VIRT_EL2_GICV3,
        timeout: Duration::from_secs(60),
    },
    // No FP/SIMD (left trapping): started at EL1, GICv2. About 4 s.
    Firmware {
        package: "aarch64-virt",
        target: "aarch64-unknown-none-softfloat",
        features: &[],
        machine: Machine::Aarch64Virt,
        qemu_args: &["-M", "gic-version=2", "-icount", "shift=0,sleep=off"],
        timeout: Duration::from_secs(60),
    },
    // Cortex-M3 (`cortex-m-interrupt`): SysTick, PendSV and a nested NVIC
    // interrupt, 100,000+ over r0-r12/LR/APSR torture; SVC and UsageFaults
    // with the hardware frame read and written; cost measured with SysTick.
    // About 1.5 s each.
    Firmware {
        package: "cortex-m",
        target: "thumbv7m-none-eabi",
        features: &[],
        machine: Machine::Lm3s6965evb,
        qemu_args: CORTEX_M3_ARGS,
        timeout: Duration::from_secs(60),
    },
    Firmware {
        package: "cortex-m",
        target: "thumbv7m-none-eabi",
        features: &["mps2-an385"],
        machine: Machine::Mps2An385,
        qemu_args: CORTEX_M3_ARGS,
        timeout: Duration::from_secs(60),
    },
];

/// QEMU arguments of the FP/SIMD `aarch64-virt` run: GICv3, started at EL2.
const AARCH64_VIRT_EL2_GICV3: &[&str] = &[
    "-M",
    "gic-version=3,virtualization=on",
    "-icount",
    "shift=0,sleep=off",
];

/// QEMU arguments of the `cortex-m` runs; SysTick counts instructions only
/// under `-icount` (see firmware/cortex-m/src/cost.rs).
const CORTEX_M3_ARGS: &[&str] = &["-cpu", "cortex-m3", "-icount", "shift=0,sleep=off"];

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
    if fw.target.starts_with("riscv32e") {
        // QEMU does not trap on x16-x31: prove their absence statically.
        let s = crate::rv32e::check_elf(&elf)
            .with_context(|| format!("RV32E register check of {}", elf.display()))?;
        println!(
            "    RV32E check: {} instructions in {} functions ({} interrupt entries) use only x0-x15",
            s.instructions, s.functions, s.entries
        );
    }
    if let Some(thumb) = crate::arm_elf::classic_arm(fw.target) {
        // Exceptions enter in A32 state: prove every entry is A32 code (and
        // every body Thumb on Thumb targets) before anything runs.
        let s = crate::arm_elf::check(&elf, thumb)
            .with_context(|| format!("ARM instruction-set check of {}", elf.display()))?;
        println!(
            "    ARM check: {} interrupt entries are A32, {} bodies are {}",
            s.entries,
            s.bodies,
            if thumb { "Thumb" } else { "A32" }
        );
    }
    let (binary, mut args) = fw.machine.command(fw.target, &elf)?;
    args.extend(fw.qemu_args.iter().map(|a| a.to_string()));
    let outcome = qemu::run_qemu(binary, &args, fw.timeout)?;
    let reports = parse_reports(&outcome.stdout);
    outcome.check_with(fw.machine.pass_status())?;
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
    Ok(file
        .symbols()
        .find(|s| s.name().is_ok_and(|n| is_entry_of(n, handler)))
        .map(|s| s.size()))
}

/// Whether the (mangled) `symbol` is the entry nested in `handler`.
fn is_entry_of(symbol: &str, handler: &str) -> bool {
    format!("{:#}", rustc_demangle::demangle(symbol))
        .ends_with(&format!("::{handler}::{ENTRY_SYMBOL}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_found_by_handler_in_both_manglings() {
        let v0 = "_RNvNvNtNtCs2DiOWRyi6Bn_10riscv_virt8scenario10supervisor12machine_shim21___interrupt_abi_entry";
        assert!(is_entry_of(v0, "machine_shim"));
        assert!(!is_entry_of(v0, "shim"));
        let legacy =
            "_ZN10riscv_virt7machine12machine_trap21__interrupt_abi_entry17h0123456789abcdefE";
        assert!(is_entry_of(legacy, "machine_trap"));
        assert!(!is_entry_of(legacy, "machine"));
    }

    #[test]
    fn reports_are_parsed_from_noise() {
        let serial = "boot\n@report abi=riscv-interrupt-m interrupts=5 result=pass\nother\n";
        let reports = parse_reports(serial);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].get("interrupts"), Some("5"));
        assert_eq!(reports[0].get("missing"), None);
    }
}
