//! Measures each handler of the suite on classic ARM (method:
//! `crate::harness`).
//!
//! The interrupted code ([`measure`], System mode) reads the PMU's
//! instruction counter, raises SGI [`SGI`] with one store to GICD_SGIR (the
//! IRQ is taken right after it) and reads the counter again once the
//! handler has returned. The body's probes (`probe.rs`) leave the counter
//! at the body's first instruction in TPIDRURW, at its last in TPIDRURO,
//! and the body's stack pointer in DFAR. Handlers run on the IRQ-mode
//! stack: the calibration handler's stack pointer is that stack's top, so
//! xtask's `stack - cal_stack` is what the entry pushed there. There is no
//! `cycles` field: PMCCNTR runs off the same virtual clock as the
//! instruction count (see `arm_common::pmu`).

use core::arch::{asm, global_asm};

use arm_common::gic;
use arm_common::rt::{self, Vector};

use super::Console;
use crate::harness::{self, Sample};
use crate::probe::GICC_IAR;

/// The software-generated interrupt every handler is taken through.
pub const SGI: u32 = gic::id::SGI_IRQ;
/// GICD_SGIR's value for [`SGI`] to this CPU (TargetListFilter = self).
const RAISE: u32 = 2 << 24 | SGI;

/// The calibration and self-test handlers: the probes' instructions around
/// the GIC acknowledgement. They clobber r0 and r1, which [`measure`] gives
/// up.
macro_rules! fixed_handler {
    ($name:literal, $entry_nops:literal, $exit_nops:literal) => {
        global_asm!(
            concat!(".pushsection .text.", $name, ", \"ax\", %progbits"),
            ".arm",
            ".balign 4",
            concat!(".global ", $name),
            concat!(".type ", $name, ", %function"),
            concat!($name, ":"),
            concat!(".rept ", $entry_nops),
            "nop",
            ".endr",
            arm_probe_entry!(),
            arm_ack!("r1", "r0"),
            arm_probe_exit!(),
            concat!(".rept ", $exit_nops),
            "nop",
            ".endr",
            "subs pc, lr, #4",
            concat!(".size ", $name, ", . - ", $name),
            ".popsection",
            iar_low = const GICC_IAR & 0xffff,
            iar_high = const GICC_IAR >> 16,
        );
    };
}

// Entry 0, exit `subs pc, lr, #4` only: what the method itself costs.
fixed_handler!("bench_calibrate", 0, 0);
// Entry 7, exit 5 + return: the method must report exactly that.
fixed_handler!("bench_known", 7, 5);

pub fn run() {
    let cases = [
        ("known", vector!(bench_known)),
        ("leaf", vector!(bench_leaf)),
        ("nonleaf", vector!(bench_nonleaf)),
        ("deep", vector!(bench_deep)),
        ("float", vector!(bench_float)),
    ];
    harness::run(&mut Console, vector!(bench_calibrate), &cases, measure);
}

/// Takes one IRQ through the entry at `vector` and reads the counters.
fn measure(vector: usize) -> Sample {
    rt::install(Vector::Irq, vector);
    let (sp0, i0, i1): (u32, u32, u32);
    let (at_entry, at_exit, body_sp): (u32, u32, u32);
    // SAFETY: every entry the harness installs acknowledges the SGI and
    // returns with every register intact but r0 and r1 (given up here);
    // the CP15 registers written are scratch nothing else reads.
    unsafe {
        asm!(
            "mcr p15, 0, {zero}, c13, c0, 2",
            "mcr p15, 0, {zero}, c13, c0, 3",
            "mcr p15, 0, {zero}, c6, c0, 0",
            "mov {sp0}, sp",
            "cpsie i",
            "mrc p15, 0, {i0}, c9, c13, 2",
            // The handler runs right after this store.
            "str {raise}, [{sgir}]",
            "mrc p15, 0, {i1}, c9, c13, 2",
            "cpsid i",
            zero = in(reg) 0,
            raise = in(reg) RAISE,
            sgir = in(reg) gic::SGIR_ADDR,
            sp0 = out(reg) sp0,
            i0 = out(reg) i0,
            i1 = out(reg) i1,
            out("r0") _,
            out("r1") _,
        );
        asm!(
            "mrc p15, 0, {0}, c13, c0, 2",
            "mrc p15, 0, {1}, c13, c0, 3",
            "mrc p15, 0, {2}, c6, c0, 0",
            out(reg) at_entry,
            out(reg) at_exit,
            out(reg) body_sp,
            options(nomem, nostack, preserves_flags),
        );
    }
    Sample {
        entry_raw: at_entry.wrapping_sub(i0) as usize,
        exit_raw: i1.wrapping_sub(at_exit) as usize,
        total: i1.wrapping_sub(i0) as usize,
        cycles: None,
        stack: sp0.wrapping_sub(body_sp) as usize,
    }
}
