//! Entry and exit cost of a handler, measured by the firmware itself.
//!
//! Under `-icount shift=0` QEMU derives `minstret` and `mcycle` (and their
//! S-mode shadows `instret`/`cycle`) from its instruction count, so both
//! count executed instructions exactly; a run without `-icount` still works,
//! but the numbers then come from the host clock.
//!
//! How it is measured. The interrupted code reads the counters, raises the
//! interrupt with one instruction and reads them again once the handler has
//! returned:
//!
//! ```text
//! interrupted:  csrr i0, instret; csrr c0, cycle; RAISE
//!                 ── trap ──▶ ENTRY ──▶ body: csrr instret; csrr cycle; store both   (B0)
//!                                             CLEAR (the interrupt's source)
//!                                             csrr instret; csrr cycle; store both   (B1)
//!                 ◀── EXIT (body's ret, restores, mret/sret) ──
//! interrupted:  csrr i1, instret; csrr c1, cycle
//! ```
//!
//! The probe handler's body is exactly that one `asm!` block and a `ret`
//! (it clobbers only `t0`–`t2`, so the compiler adds no prologue). Then
//!
//! ```text
//! entry = (B0.instret - i0) - k_entry      exit = (i1 - B1.instret) - k_exit
//! ```
//!
//! where `k_entry` and `k_exit` are the same differences measured with the
//! body's instructions inlined into the interrupted code and the interrupt
//! masked, so that it stays pending and is not taken: they remove the
//! measuring instructions themselves. What remains is exactly the
//! instructions the entry executes before the body's first instruction (the
//! trampoline up to and including its `call`), and those from after the body's
//! last instruction back to the interrupted code (the body's `ret`, the
//! trampoline's restores and `mret`/`sret`). Cycles likewise, from
//! `cycle`/`mcycle`. Each measurement is repeated and must come out the same.

use core::arch::asm;
use core::fmt;

use crate::csr::{self, csr_clear, csr_set, csr_write};
use crate::platform::{self, exit};
use fw_common::Shared;

/// Instructions and cycles of one entry and one exit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub entry_insns: usize,
    pub exit_insns: usize,
    pub entry_cycles: usize,
    pub exit_cycles: usize,
}

impl Cost {
    /// `(key, value)` pairs for a report line.
    pub fn fields(&self) -> [(&'static str, &dyn fmt::Display); 4] {
        [
            ("entry_insns", &self.entry_insns),
            ("exit_insns", &self.exit_insns),
            ("entry_cycles", &self.entry_cycles),
            ("exit_cycles", &self.exit_cycles),
        ]
    }
}

/// Counter readings of the interrupted code, before and after.
#[derive(Clone, Copy)]
struct Outer {
    i0: usize,
    c0: usize,
    i1: usize,
    c1: usize,
}

/// The body's readings, B0 then B1 (instret, cycle each).
static STAMPS: Shared<[usize; 4]> = Shared::new([0; 4]);

const REPEATS: usize = 3;

#[cfg(target_pointer_width = "64")]
macro_rules! sx {
    () => {
        "sd"
    };
}
#[cfg(target_pointer_width = "32")]
macro_rules! sx {
    () => {
        "sw"
    };
}

/// The probe body: B0, clear the source, B1. Shared by the probe handlers and
/// the calibration, so both execute the same instructions.
macro_rules! body_asm {
    ($instret:literal, $cycle:literal, $clear:literal) => {
        concat!(
            "csrr t0, ",
            $instret,
            "\n",
            "csrr t2, ",
            $cycle,
            "\n",
            "la t1, {stamps}\n",
            sx!(),
            " t0, 0(t1)\n",
            sx!(),
            " t2, {x}(t1)\n",
            $clear,
            "\n",
            "csrr t0, ",
            $instret,
            "\n",
            "csrr t2, ",
            $cycle,
            "\n",
            "la t1, {stamps}\n",
            sx!(),
            " t0, 2*{x}(t1)\n",
            sx!(),
            " t2, 3*{x}(t1)\n",
        )
    };
}

/// The interrupted code; `$inline` is `""` when the interrupt is taken, or
/// the body when calibrating.
macro_rules! outer_asm {
    ($instret:literal, $cycle:literal, $raise:literal, $inline:expr) => {
        concat!(
            "csrr {i0}, ",
            $instret,
            "\n",
            "csrr {c0}, ",
            $cycle,
            "\n",
            $raise,
            "\n",
            $inline,
            "csrr {i1}, ",
            $instret,
            "\n",
            "csrr {c1}, ",
            $cycle,
            "\n",
        )
    };
}

/// Body of an M-mode probe handler (whose interrupt is hart 0's MSIP).
#[inline(always)]
pub fn machine_probe_body() {
    // SAFETY: reads counters, stores to STAMPS, clears MSIP of hart 0.
    unsafe {
        asm!(
            body_asm!("minstret", "mcycle", "li t1, 0x2000000\nsw zero, 0(t1)"),
            stamps = sym STAMPS,
            x = const size_of::<usize>(),
            out("t0") _, out("t1") _, out("t2") _,
            options(nostack),
        )
    }
}

/// Body of an S-mode probe handler (whose interrupt is SSIP).
#[inline(always)]
pub fn supervisor_probe_body() {
    // SAFETY: reads counters, stores to STAMPS, clears SSIP.
    unsafe {
        asm!(
            body_asm!("instret", "cycle", "csrci sip, 2"),
            stamps = sym STAMPS,
            x = const size_of::<usize>(),
            out("t0") _, out("t1") _, out("t2") _,
            options(nostack),
        )
    }
}

/// Entry and exit cost of the M-mode handler at `entry` (a probe handler
/// whose body is [`machine_probe_body`]), taken on hart 0's MSIP.
pub fn machine(entry: usize) -> Cost {
    csr_write!("mtvec", entry);
    measure(
        || {
            csr_write!("mie", 0);
            let (i0, c0, i1, c1): (usize, usize, usize, usize);
            // SAFETY: raises MSIP, which stays pending (masked) until the
            // inlined body clears it.
            unsafe {
                asm!(
                    outer_asm!("minstret", "mcycle", "sw {one}, 0({msip})",
                        body_asm!("minstret", "mcycle", "li t1, 0x2000000\nsw zero, 0(t1)")),
                    i0 = out(reg) i0, c0 = out(reg) c0, i1 = out(reg) i1, c1 = out(reg) c1,
                    one = in(reg) 1, msip = in(reg) platform::MSIP0,
                    stamps = sym STAMPS, x = const size_of::<usize>(),
                    out("t0") _, out("t1") _, out("t2") _,
                    options(nostack),
                )
            };
            Outer { i0, c0, i1, c1 }
        },
        || {
            csr_write!("mie", csr::IP_MSIP);
            csr_set!("mstatus", csr::MSTATUS_MIE);
            let (i0, c0, i1, c1): (usize, usize, usize, usize);
            // SAFETY: the handler preserves every register.
            unsafe {
                asm!(
                    outer_asm!("minstret", "mcycle", "sw {one}, 0({msip})", ""),
                    i0 = out(reg) i0, c0 = out(reg) c0, i1 = out(reg) i1, c1 = out(reg) c1,
                    one = in(reg) 1, msip = in(reg) platform::MSIP0,
                    options(nostack),
                )
            };
            csr_clear!("mstatus", csr::MSTATUS_MIE);
            csr_write!("mie", 0);
            Outer { i0, c0, i1, c1 }
        },
    )
}

/// Entry and exit cost of the S-mode handler at `entry` (a probe handler
/// whose body is [`supervisor_probe_body`]), taken on SSIP raised from
/// S-mode. Needs `mideleg.SSIP` and `mcounteren` set up by M-mode.
pub fn supervisor(entry: usize) -> Cost {
    csr_write!("stvec", entry);
    measure(
        || {
            csr_clear!("sie", csr::IP_SSIP);
            let (i0, c0, i1, c1): (usize, usize, usize, usize);
            // SAFETY: raises SSIP, which stays pending (masked) until the
            // inlined body clears it.
            unsafe {
                asm!(
                    outer_asm!("instret", "cycle", "csrsi sip, 2",
                        body_asm!("instret", "cycle", "csrci sip, 2")),
                    i0 = out(reg) i0, c0 = out(reg) c0, i1 = out(reg) i1, c1 = out(reg) c1,
                    stamps = sym STAMPS, x = const size_of::<usize>(),
                    out("t0") _, out("t1") _, out("t2") _,
                    options(nostack),
                )
            };
            Outer { i0, c0, i1, c1 }
        },
        || {
            csr_set!("sie", csr::IP_SSIP);
            csr_set!("sstatus", csr::MSTATUS_SIE);
            let (i0, c0, i1, c1): (usize, usize, usize, usize);
            // SAFETY: the handler preserves every register.
            unsafe {
                asm!(
                    outer_asm!("instret", "cycle", "csrsi sip, 2", ""),
                    i0 = out(reg) i0, c0 = out(reg) c0, i1 = out(reg) i1, c1 = out(reg) c1,
                    options(nostack),
                )
            };
            csr_clear!("sstatus", csr::MSTATUS_SIE);
            csr_clear!("sie", csr::IP_SSIP);
            Outer { i0, c0, i1, c1 }
        },
    )
}

/// Runs calibration and measurement [`REPEATS`] times; all must agree.
fn measure(mut calibrate: impl FnMut() -> Outer, mut taken: impl FnMut() -> Outer) -> Cost {
    let mut result = None;
    for _ in 0..REPEATS {
        let cal = with_stamps(calibrate());
        let run = with_stamps(taken());
        let entry =
            |(o, b): (Outer, [usize; 4])| (b[0].wrapping_sub(o.i0), b[1].wrapping_sub(o.c0));
        let exit = |(o, b): (Outer, [usize; 4])| (o.i1.wrapping_sub(b[2]), o.c1.wrapping_sub(b[3]));
        let cost = Cost {
            entry_insns: entry(run).0.wrapping_sub(entry(cal).0),
            entry_cycles: entry(run).1.wrapping_sub(entry(cal).1),
            exit_insns: exit(run).0.wrapping_sub(exit(cal).0),
            exit_cycles: exit(run).1.wrapping_sub(exit(cal).1),
        };
        if result.is_some_and(|r| r != cost) {
            platform::fail!(exit::CHECK, "entry/exit cost differs between repetitions");
        }
        result = Some(cost);
    }
    result.unwrap()
}

/// Pairs the interrupted code's readings with the body's (or the inlined
/// body's), clearing the stamps first so a body that never ran shows.
fn with_stamps(outer: Outer) -> (Outer, [usize; 4]) {
    let stamps = STAMPS.get();
    STAMPS.set([0; 4]);
    if stamps == [0; 4] {
        platform::fail!(exit::CHECK, "cost probe: the handler body did not run");
    }
    (outer, stamps)
}
