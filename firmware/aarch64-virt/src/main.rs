//! AArch64 exception vectors on QEMU's `virt` board (`-cpu cortex-a53`,
//! GICv2 or GICv3, generic timer), built for `aarch64-unknown-none` (FP/SIMD:
//! q0-q31, FPCR and FPSR are part of every check) and
//! `aarch64-unknown-none-softfloat` (no FP/SIMD: left trapping, so that any
//! use by an entry would fail the run).
//!
//! Scenarios (`scenario`), each printing one `@report` line (`report`):
//!
//! - `fp-env` (FP/SIMD only): bodies run with FPCR = FPSR = 0 while the
//!   interrupted code rounds towards zero, and it gets its FPCR and FPSR
//!   back bit for bit (IRQ, `svc`, EL2 `hvc`).
//! - `irq-storm`: 100,000+ timer IRQs, handler without a frame, over the
//!   register torture (`torture`), handler bodies clobbering every
//!   caller-saved register (`clobber`).
//! - `unmasked-return`: the same storm with bodies that return with IRQs
//!   unmasked, none of which may strike an exit after its `msr elr_el1`.
//! - `frame-storm`: the same with a frame-taking IRQ handler, plus `svc` and
//!   `brk` (and `hvc` to EL2) in every torture pass with the frame checked
//!   against the pattern and written through.
//! - `sync`: `svc` with arguments and results, `brk` and `udf` skipped with
//!   `elr += 4`, data aborts with FAR checked, `svc` from EL1t through the
//!   `CurrentSp0Sync` slot.
//! - `el2-hvc` (run started at EL2): `#[interrupt(el2)]` handlers.
//!
//! Each reports the entry/exit cost of its handler (`cost`, counted with
//! the PMU under `-icount shift=0`). The run ends through semihosting
//! (`platform`): status 0 when every scenario passed.
//!
//! Support modules: `rt` (reset, EL2 to EL1, panic), `vectors` (the tables),
//! `gic`, `timer`, `pmu`, `storm` (counters and timer schedule), `sysreg`,
//! `uart`; `print!`, `@report` lines and `Shared` statics come from
//! `fw_common`.

#![no_std]
#![no_main]

#[macro_use]
mod uart;
mod clobber;
mod cost;
mod gic;
mod platform;
mod pmu;
mod report;
mod rt;
mod scenario;
mod storm;
mod sysreg;
mod timer;
mod torture;
mod vectors;

use sysreg::{mrs, msr};

/// SCTLR_EL1.SA: a misaligned `sp` used as a base faults.
const SCTLR_SA: u64 = 1 << 3;

/// Called by `rt::_start` with the exception level QEMU started us at.
extern "C" fn main(el: u64) -> ! {
    println!(
        "aarch64-virt on {}: started at EL{el}, FP/SIMD {}",
        env!("FIRMWARE_TARGET"),
        if torture::FP { "saved" } else { "absent" }
    );
    pmu::init();
    let el2 = (el == 2).then(|| {
        let cost = scenario::el2::prepare();
        // SAFETY: at EL2, on a valid stack; continues at EL1.
        unsafe { rt::drop_to_el1() };
        cost
    });
    msr!("sctlr_el1", mrs!("sctlr_el1") | SCTLR_SA);
    vectors::install_el1(&[]);
    gic::init();
    gic::enable_ppi(timer::Timer::Virtual.intid());

    scenario::fp_env::run(el2.is_some());
    scenario::irq::run();
    scenario::unmasked_return::run();
    let trapping_passes = scenario::traps::run(el2.is_some());
    scenario::sync::run();
    if let Some(cost) = el2 {
        scenario::el2::run(cost, trapping_passes);
    }
    println!("all scenarios passed");
    platform::exit_success()
}

/// Lets IRQs in at EL1.
pub fn unmask_irqs() {
    // SAFETY: the scenario has installed its handlers.
    unsafe { core::arch::asm!("msr daifclr, #2", options(nostack)) };
}

/// Masks IRQs again.
pub fn mask_irqs() {
    // SAFETY: masking is always sound.
    unsafe { core::arch::asm!("msr daifset, #2", options(nostack)) };
}
