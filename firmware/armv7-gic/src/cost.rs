//! Entry and exit cost of the IRQ, FIQ and System-mode IRQ entries, measured
//! with the PMU (exact instruction counts under `-icount`, see `pmu`) and
//! compared with the count read from the code (`arm_common::cost::scan`).
//!
//! As in the RISC-V firmware, the interrupted code reads the counters,
//! raises an SGI with one store and reads them again once the handler has
//! returned:
//!
//! ```text
//! interrupted:  read i0, c0; str SGIR
//!                 ── exception ──▶ vector ──▶ ENTRY ──▶ body: read, store      (B0)
//!                                                         acknowledge, end the SGI
//!                                                         read, store          (B1)
//!                 ◀── EXIT (body's return, restores, ldm ^ / rfe) ──
//! interrupted:  read i1, c1
//! ```
//!
//! The probe handler's body is that one `asm!` block between the
//! frame-pointer prologue and the return every function of these targets
//! has. Then `entry = (B0 - i0) - k_entry` and `exit = (i1 - B1) - k_exit`,
//! where the `k` are the same differences measured with the body's
//! instructions inlined into the interrupted code and the interrupt masked
//! at the CPU, so that it stays pending: they remove the measuring
//! instructions. What remains is the vector's `ldr pc`, the trampoline up to
//! its `bx` and the body's prologue (entry), and the body's return, the
//! trampoline's restores and its return (exit). Cycles likewise, from
//! PMCCNTR. Each measurement is repeated and must come out the same.

use core::arch::asm;
use core::fmt::Display;

use arm_common::cost::{self, Static};
use arm_common::cpu;
use arm_common::report::Checks;
use arm_common::rt::{self, Vector};
use arm_common::scenario::EntryCost;
use arm_common::shared::Shared;
use interrupt_abi::interrupt;

use crate::gic::{self, IAR_ADDR, SGIR_ADDR, id};

/// The body's readings: B0 then B1 (instructions, cycles each).
static STAMPS: Shared<[u32; 4]> = Shared::new([0; 4]);

const REPEATS: usize = 3;

/// The probe body: B0, acknowledge and end the interrupt, B1. r0-r3 only.
macro_rules! body_asm {
    () => {
        concat!(
            "mrc p15, 0, r0, c9, c13, 2\n",
            "mrc p15, 0, r1, c9, c13, 0\n",
            "ldr r2, ={stamps}\n",
            "str r0, [r2]\n",
            "str r1, [r2, #4]\n",
            "ldr r3, ={iar}\n",
            "ldr r0, [r3]\n",
            "str r0, [r3, #4]\n",
            "mrc p15, 0, r0, c9, c13, 2\n",
            "mrc p15, 0, r1, c9, c13, 0\n",
            "ldr r2, ={stamps}\n",
            "str r0, [r2, #8]\n",
            "str r1, [r2, #12]\n",
        )
    };
}

/// Instructions in [`body_asm`].
const BODY_ASM_INSNS: u32 = 13;

#[inline(always)]
fn probe_body() {
    // SAFETY: reads the PMU, writes STAMPS, acknowledges and ends the SGI.
    unsafe {
        asm!(
            body_asm!(),
            stamps = sym STAMPS,
            iar = const IAR_ADDR,
            out("r0") _, out("r1") _, out("r2") _, out("r3") _,
            options(nostack),
        )
    }
}

#[interrupt]
extern "arm-interrupt-irq" fn irq_probe() {
    probe_body();
}

#[interrupt]
unsafe extern "arm-interrupt-fiq" fn fiq_probe() {
    probe_body();
}

#[interrupt]
extern "arm-interrupt-irq-system" fn irq_system_probe() {
    probe_body();
}

/// Counter readings of the interrupted code, before and after.
#[derive(Clone, Copy)]
struct Outer {
    i0: u32,
    c0: u32,
    i1: u32,
    c1: u32,
}

/// The interrupted code: counters, raise `sgi`, (the body inlined if
/// `inline`), counters. A32, like the entry.
#[instruction_set(arm::a32)]
fn outer(sgi: u32, inline: bool) -> Outer {
    let (i0, c0, i1, c1): (u32, u32, u32, u32);
    let sgir = 2 << 24 | sgi;
    // SAFETY: raises an SGI that the (inlined or real) body acknowledges
    // and ends; the handler preserves every register.
    unsafe {
        if inline {
            asm!(
                "mrc p15, 0, {i0}, c9, c13, 2",
                "mrc p15, 0, {c0}, c9, c13, 0",
                "str {v}, [{a}]",
                body_asm!(),
                "mrc p15, 0, {i1}, c9, c13, 2",
                "mrc p15, 0, {c1}, c9, c13, 0",
                i0 = out(reg) i0, c0 = out(reg) c0, i1 = out(reg) i1, c1 = out(reg) c1,
                v = in(reg) sgir, a = in(reg) SGIR_ADDR,
                stamps = sym STAMPS,
                iar = const IAR_ADDR,
                out("r0") _, out("r1") _, out("r2") _, out("r3") _,
                options(nostack),
            );
        } else {
            asm!(
                "mrc p15, 0, {i0}, c9, c13, 2",
                "mrc p15, 0, {c0}, c9, c13, 0",
                "str {v}, [{a}]",
                "mrc p15, 0, {i1}, c9, c13, 2",
                "mrc p15, 0, {c1}, c9, c13, 0",
                i0 = out(reg) i0, c0 = out(reg) c0, i1 = out(reg) i1, c1 = out(reg) c1,
                v = in(reg) sgir, a = in(reg) SGIR_ADDR,
                options(nostack),
            );
        }
    }
    Outer { i0, c0, i1, c1 }
}

/// Measured entry and exit, and the static count of the same trampoline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    pub entry_insns: u32,
    pub exit_insns: u32,
    pub entry_cycles: u32,
    pub exit_cycles: u32,
    pub counted: Option<Static>,
    /// Instructions of the body before the `asm!` block (its prologue).
    pub prologue: Option<u32>,
}

impl Measured {
    /// Checks the measurement against the count: the entry differs by the
    /// body's prologue, the exit not at all.
    pub fn check(&self, checks: &mut Checks, handler: &str) {
        let (Some(counted), Some(prologue)) = (self.counted, self.prologue) else {
            checks.expect(
                false,
                format_args!("{handler}: unexpected trampoline shape"),
            );
            return;
        };
        checks.expect(
            self.entry_insns == counted.entry_insns + prologue
                && self.exit_insns == counted.exit_insns,
            format_args!(
                "{handler}: measured entry {} exit {}, counted entry {} (+{prologue} prologue) exit {}",
                self.entry_insns, self.exit_insns, counted.entry_insns, counted.exit_insns
            ),
        );
    }

    /// `(key, value)` pairs for a report line: the measured numbers.
    pub fn fields(&self) -> [(&'static str, &dyn Display); 4] {
        [
            ("entry_insns", &self.entry_insns),
            ("exit_insns", &self.exit_insns),
            ("entry_cycles", &self.entry_cycles),
            ("exit_cycles", &self.exit_cycles),
        ]
    }
}

/// Runs calibration and measurement [`REPEATS`] times; all must agree.
fn measure(entry: usize, vector: Vector, sgi: u32, fiq: bool) -> Measured {
    rt::install(vector, entry);
    if fiq {
        gic::configure(&[], &[sgi]);
    } else {
        gic::configure(&[sgi], &[]);
    }
    let counted = cost::scan(entry);
    let prologue = cost::body_insns(entry).map(|n| n.saturating_sub(BODY_ASM_INSNS + 1));
    let mut result: Option<Measured> = None;
    let mut consistent = true;
    for _ in 0..REPEATS {
        let cal = with_stamps(outer(sgi, true));
        cpu::enable_interrupts(true);
        let run = with_stamps(outer(sgi, false));
        cpu::disable_interrupts();
        let entry = |(o, b): (Outer, [u32; 4])| (b[0].wrapping_sub(o.i0), b[1].wrapping_sub(o.c0));
        let exit = |(o, b): (Outer, [u32; 4])| (o.i1.wrapping_sub(b[2]), o.c1.wrapping_sub(b[3]));
        let m = Measured {
            entry_insns: entry(run).0.wrapping_sub(entry(cal).0),
            entry_cycles: entry(run).1.wrapping_sub(entry(cal).1),
            exit_insns: exit(run).0.wrapping_sub(exit(cal).0),
            exit_cycles: exit(run).1.wrapping_sub(exit(cal).1),
            counted,
            prologue,
        };
        consistent &= result.is_none_or(|r| r == m);
        result = Some(m);
    }
    gic::reset();
    rt::install_defaults();
    let mut m = result.expect("REPEATS > 0");
    if !consistent {
        // Reported through `check`: no count can match.
        m.counted = None;
    }
    m
}

/// Pairs the interrupted code's readings with the body's; a body that never
/// ran leaves zeros, which no check accepts.
fn with_stamps(outer: Outer) -> (Outer, [u32; 4]) {
    let stamps = STAMPS.get();
    STAMPS.set([0; 4]);
    (outer, stamps)
}

pub fn irq() -> Measured {
    measure(irq_probe.addr(), Vector::Irq, id::SGI_IRQ, false)
}

pub fn fiq() -> Measured {
    measure(fiq_probe.addr(), Vector::Fiq, id::SGI_FIQ, true)
}

pub fn irq_system() -> Measured {
    measure(irq_system_probe.addr(), Vector::Irq, id::SGI_IRQ, false)
}

/// For the shared scenarios' reports.
impl EntryCost for Measured {
    type Fields<'a> = [(&'static str, &'a dyn Display); 4];

    fn check(&self, checks: &mut Checks, handler: &str) {
        Measured::check(self, checks, handler);
    }

    fn fields(&self) -> Self::Fields<'_> {
        Measured::fields(self)
    }
}
