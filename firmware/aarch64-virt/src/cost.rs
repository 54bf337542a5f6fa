//! Entry and exit cost of a handler, measured by the firmware itself with
//! the PMU (`pmu`): under `-icount shift=0` INST_RETIRED counts executed
//! instructions exactly and the cycle counter runs at one per instruction.
//!
//! How it is measured. The interrupted code reads the counters, lets the
//! exception happen with one instruction and reads them again once the
//! handler has returned:
//!
//! ```text
//! interrupted:  mrs i0, pmevcntr0; mrs c0, pmccntr; RAISE
//!                 ── exception ──▶ vector slot `b` ──▶ ENTRY ──▶ body: mrs; mrs; store  (B0)
//!                                                                   CLEAR
//!                                                                   mrs; mrs; store  (B1)
//!                 ◀── EXIT (body's ret, restores, eret) ──
//! interrupted:  mrs i1, pmevcntr0; mrs c1, pmccntr
//! ```
//!
//! RAISE is `msr daifclr, #2` for an IRQ (the virtual timer was made to fire
//! beforehand, with IRQs masked, and ISR_EL1 shows it pending, so it is
//! taken right after that instruction), `svc #0x99` or `hvc #0x99`. The
//! probe handler's body is exactly that one `asm!` block and a `ret` (it
//! clobbers only x9–x11, so the compiler adds no prologue). Then
//!
//! ```text
//! entry = (B0.insns - i0) - k_entry      exit = (i1 - B1.insns) - k_exit
//! ```
//!
//! where `k_entry` and `k_exit` are the same differences measured with the
//! body's instructions inlined into the interrupted code in place of the
//! exception (nothing pending for the IRQ, a `nop` for `svc`/`hvc`): they
//! remove the measuring instructions themselves. What remains is exactly the
//! instructions executed from the exception to the body's first instruction
//! (the slot's branch and the entry up to and including its `bl`), and from
//! after the body's last instruction back to the interrupted code (the
//! body's `ret`, the restores and `eret`). Cycles likewise, from PMCCNTR.
//! Each measurement is repeated and must come out the same.

use core::arch::asm;
use core::fmt;

use interrupt_abi::aarch64::Vector;
use interrupt_abi::{Handler, abi::Aarch64Interrupt};

use crate::platform::{self, exit};
use crate::sysreg::{ISR_I, mrs};
use crate::timer::{CTL_ENABLE, Timer};
use crate::{pmu, vectors};
use fw_common::Shared;

/// Repetitions that must agree.
const REPEATS: usize = 3;

/// The probe body's counter readings: B0 instructions and cycles, B1 the same.
static STAMPS: Shared<[u64; 4]> = Shared::new([0; 4]);

/// Entry and exit cost, in instructions and cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub entry_insns: u64,
    pub exit_insns: u64,
    pub entry_cycles: u64,
    pub exit_cycles: u64,
}

impl Cost {
    /// Report fields; none when the PMU does not count instructions (a run
    /// without `-icount`).
    pub fn fields(cost: &Option<Cost>) -> [(&'static str, &dyn fmt::Display); 4] {
        match cost {
            Some(c) => [
                ("entry_insns", &c.entry_insns),
                ("exit_insns", &c.exit_insns),
                ("entry_cycles", &c.entry_cycles),
                ("exit_cycles", &c.exit_cycles),
            ],
            None => [
                ("entry_insns", &"n/a"),
                ("exit_insns", &"n/a"),
                ("entry_cycles", &"n/a"),
                ("exit_cycles", &"n/a"),
            ],
        }
    }
}

/// The interrupted code's readings.
#[derive(Clone, Copy)]
struct Outer {
    i0: u64,
    c0: u64,
    i1: u64,
    c1: u64,
}

/// The probe body, between the stamps; `$clear` silences the exception's
/// source (empty for `svc`/`hvc`).
macro_rules! body_asm {
    ($clear:literal) => {
        concat!(
            "mrs x9, pmevcntr0_el0\n",
            "mrs x10, pmccntr_el0\n",
            "adrp x11, {stamps}\n",
            "add x11, x11, :lo12:{stamps}\n",
            "stp x9, x10, [x11]\n",
            $clear,
            "\n",
            "mrs x9, pmevcntr0_el0\n",
            "mrs x10, pmccntr_el0\n",
            "stp x9, x10, [x11, #16]\n",
        )
    };
}

/// What the interrupted code runs: `$raise` is the exception, or in a
/// calibration the instruction that stands in for it; `$inline` is empty
/// when the exception is taken, the body when calibrating.
macro_rules! outer_asm {
    ($raise:literal, $inline:expr) => {
        concat!(
            "mrs {i0}, pmevcntr0_el0\n",
            "mrs {c0}, pmccntr_el0\n",
            $raise,
            "\n",
            $inline,
            "mrs {i1}, pmevcntr0_el0\n",
            "mrs {c1}, pmccntr_el0\n",
        )
    };
}

/// Runs `outer_asm!` and returns its readings: `outer!(raise)` takes the
/// exception, `outer!(stand_in, inline = body)` calibrates.
macro_rules! outer {
    ($raise:literal) => {{
        let (i0, c0, i1, c1): (u64, u64, u64, u64);
        // SAFETY: the handler preserves every register.
        unsafe {
            asm!(
                outer_asm!($raise, ""),
                i0 = out(reg) i0, c0 = out(reg) c0, i1 = out(reg) i1, c1 = out(reg) c1,
                options(nostack),
            )
        };
        Outer { i0, c0, i1, c1 }
    }};
    ($stand_in:literal, inline = $body:expr) => {{
        let (i0, c0, i1, c1): (u64, u64, u64, u64);
        // SAFETY: the inlined body writes only the declared scratch registers,
        // STAMPS and the register its `$clear` names.
        unsafe {
            asm!(
                outer_asm!($stand_in, $body),
                i0 = out(reg) i0, c0 = out(reg) c0, i1 = out(reg) i1, c1 = out(reg) c1,
                stamps = sym STAMPS,
                out("x9") _, out("x10") _, out("x11") _,
                options(nostack),
            )
        };
        Outer { i0, c0, i1, c1 }
    }};
}

/// Body of an IRQ probe handler, taken on the virtual timer: disabling the
/// timer drops its level-sensitive interrupt, so nothing needs acknowledging.
#[inline(always)]
pub fn irq_probe_body() {
    // SAFETY: reads counters, stores to STAMPS, stops the virtual timer.
    unsafe {
        asm!(
            body_asm!("msr cntv_ctl_el0, xzr"),
            stamps = sym STAMPS,
            out("x9") _, out("x10") _, out("x11") _,
            options(nostack),
        )
    }
}

/// Body of an `svc`/`hvc` probe handler.
#[inline(always)]
pub fn call_probe_body() {
    // SAFETY: reads counters, stores to STAMPS.
    unsafe {
        asm!(
            body_asm!(""),
            stamps = sym STAMPS,
            out("x9") _, out("x10") _, out("x11") _,
            options(nostack),
        )
    }
}

/// Entry and exit cost of the IRQ handler `probe` (whose body is
/// [`irq_probe_body`]), installed at EL1 for the current-EL IRQ slot.
/// The virtual timer's PPI must be enabled at the GIC; IRQs are masked.
pub fn irq(probe: Handler<Aarch64Interrupt>) -> Option<Cost> {
    if !pmu::counts_instructions() {
        return None;
    }
    vectors::install_el1(&[(Vector::CurrentSpxIrq, probe)]);
    let timer = Timer::Virtual;
    let cost = measure(
        || {
            timer.set_ctl(0);
            let outer = outer!(
                "msr daifclr, #2",
                inline = body_asm!("msr cntv_ctl_el0, xzr")
            );
            crate::mask_irqs();
            outer
        },
        || {
            // Fire now (compare value 0), then wait until the CPU sees it.
            timer.set_cval(0);
            timer.set_ctl(CTL_ENABLE);
            while mrs!("isr_el1") & ISR_I == 0 {}
            let outer = outer!("msr daifclr, #2");
            crate::mask_irqs();
            outer
        },
    );
    Some(cost)
}

/// Entry and exit cost of the synchronous handler `probe` (whose body is
/// [`call_probe_body`]) for `svc #0x99` at EL1.
pub fn svc(probe: Handler<Aarch64Interrupt>) -> Option<Cost> {
    if !pmu::counts_instructions() {
        return None;
    }
    vectors::install_el1(&[(Vector::CurrentSpxSync, probe)]);
    Some(measure(
        || outer!("nop", inline = body_asm!("")),
        || outer!("svc #0x99"),
    ))
}

/// The same at EL2, for `hvc #0x99` made at EL2 itself (the current-EL slot
/// of the EL2 table): the entry is the one a call from EL1 takes.
pub fn hvc_at_el2(probe: Handler<Aarch64Interrupt>) -> Option<Cost> {
    if !pmu::counts_instructions() {
        return None;
    }
    vectors::install_el2(&[(Vector::CurrentSpxSync, probe)]);
    Some(measure(
        || outer!("nop", inline = body_asm!("")),
        || outer!("hvc #0x99"),
    ))
}

/// Runs calibration and measurement [`REPEATS`] times; all must agree.
fn measure(mut calibrate: impl FnMut() -> Outer, mut taken: impl FnMut() -> Outer) -> Cost {
    let mut result = None;
    for _ in 0..REPEATS {
        let cal = with_stamps(calibrate());
        let run = with_stamps(taken());
        let entry = |(o, b): (Outer, [u64; 4])| (b[0].wrapping_sub(o.i0), b[1].wrapping_sub(o.c0));
        let exit = |(o, b): (Outer, [u64; 4])| (o.i1.wrapping_sub(b[2]), o.c1.wrapping_sub(b[3]));
        let cost = Cost {
            entry_insns: entry(run).0.wrapping_sub(entry(cal).0),
            entry_cycles: entry(run).1.wrapping_sub(entry(cal).1),
            exit_insns: exit(run).0.wrapping_sub(exit(cal).0),
            exit_cycles: exit(run).1.wrapping_sub(exit(cal).1),
        };
        if result.is_some_and(|r| r != cost) {
            platform::fail!(
                exit::CHECK,
                "entry/exit cost differs between repetitions: {:?} then {cost:?}",
                result.unwrap()
            );
        }
        result = Some(cost);
    }
    result.unwrap()
}

/// Pairs the interrupted code's readings with the body's (or the inlined
/// body's), clearing the stamps first so a body that never ran shows.
fn with_stamps(outer: Outer) -> (Outer, [u64; 4]) {
    let stamps = STAMPS.get();
    STAMPS.set([0; 4]);
    if stamps == [0; 4] {
        platform::fail!(exit::CHECK, "cost probe: the handler body did not run");
    }
    (outer, stamps)
}
