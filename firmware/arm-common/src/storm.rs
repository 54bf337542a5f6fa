//! `arm-interrupt-irq` and `arm-interrupt-fiq` under a storm, against the
//! register torture: the board-independent half (counters, the run from
//! start to wind-down, the checks and the two report lines). The board
//! ([`Board`]) owns the handlers, its interrupt controller and its timers.
//!
//! Each board has a timer on IRQ and one on FIQ, each re-armed by its
//! handler a few µs ahead, and a software interrupt on IRQ raised by every
//! fourth FIQ. FIQs are not masked in IRQ mode, so some strike the IRQ
//! handler itself.
//!
//! Every interrupt is counted where it is raised (a timer armed, a software
//! interrupt sent) and where it is handled; the storm ends by no longer
//! re-arming and waiting for the last ones, and the counts must agree. An
//! interrupt whose handler finds no (or the wrong) source fails the run.

use core::fmt::Display;

use crate::clobber;
use crate::cpu::{self, CPSR_T, mode};
use crate::fpenv::Bodies;
use crate::report::Checks;
use crate::rt;
use crate::scenario::{self, EntryCost, INTERRUPTS, Source};
use crate::shared::Shared;
use crate::torture::Torture;

/// Counters, each written by one handler (the scenario resets them with
/// interrupts masked).
pub struct Counters {
    pub irq_timer: Shared<u32>,
    /// Software interrupts taken (the VIC's soft line, an SGI).
    pub irq_soft: Shared<u32>,
    pub fiq_timer: Shared<u32>,
    pub armed_irq: Shared<u32>,
    pub armed_fiq: Shared<u32>,
    pub soft_raised: Shared<u32>,
    /// Interrupts whose handler found no pending source (or, on the GIC,
    /// acknowledged 1023 or an interrupt of the other group).
    pub irq_unexpected: Shared<u32>,
    pub fiq_unexpected: Shared<u32>,
    /// Interrupts that struck Thumb code (SPSR.T), per handler.
    pub irq_thumb: Shared<u32>,
    pub fiq_thumb: Shared<u32>,
    /// FIQs that struck the IRQ handler (SPSR mode IRQ).
    pub fiq_in_irq: Shared<u32>,
    /// Set at wind-down: handlers no longer re-arm or raise.
    pub stopping: Shared<bool>,
    pub irq_rng: Shared<u32>,
    pub fiq_rng: Shared<u32>,
    /// The FP environment of the handlers' bodies.
    pub irq_fp: Bodies,
    pub fiq_fp: Bodies,
    /// The interrupted code runs with VFP disabled (FPEXC = 0): the bodies
    /// must leave VFP alone, and check that FPEXC is still 0.
    pub vfp_disabled: Shared<bool>,
    /// Bodies that found FPEXC not 0 with `vfp_disabled`, and the first
    /// value found.
    pub fpexc_wrong: Shared<u32>,
    pub first_fpexc: Shared<u32>,
}

pub static C: Counters = Counters {
    irq_timer: Shared::new(0),
    irq_soft: Shared::new(0),
    fiq_timer: Shared::new(0),
    armed_irq: Shared::new(0),
    armed_fiq: Shared::new(0),
    soft_raised: Shared::new(0),
    irq_unexpected: Shared::new(0),
    fiq_unexpected: Shared::new(0),
    irq_thumb: Shared::new(0),
    fiq_thumb: Shared::new(0),
    fiq_in_irq: Shared::new(0),
    stopping: Shared::new(false),
    irq_rng: Shared::new(0x1234_5679),
    fiq_rng: Shared::new(0x2468_ace1),
    irq_fp: Bodies::new(),
    fiq_fp: Bodies::new(),
    vfp_disabled: Shared::new(false),
    fpexc_wrong: Shared::new(0),
    first_fpexc: Shared::new(0),
};

/// With VFP disabled, whether FPEXC is still 0 (the entry reads it, and
/// must neither write it nor execute anything that needs VFP).
fn check_fpexc() {
    #[cfg(arm_fpregs)]
    {
        let fpexc = cpu::fpexc();
        if fpexc != 0 && C.fpexc_wrong.increment() == 1 {
            C.first_fpexc.set(fpexc);
        }
    }
}

/// Out of line: its code saves d8 in the prologue of whatever function it
/// is part of, which must not run while VFP is disabled.
#[inline(never)]
fn check_fp(bodies: &Bodies) {
    bodies.check();
}

/// The IRQ handler's first step: checks the FP environment, counts a
/// strike on Thumb code.
pub fn irq_entered() {
    if C.vfp_disabled.get() {
        check_fpexc();
    } else {
        check_fp(&C.irq_fp);
    }
    if cpu::spsr() & CPSR_T != 0 {
        C.irq_thumb.increment();
    }
}

/// The FIQ handler's first step: checks the FP environment, counts a
/// strike on Thumb code or on the IRQ handler.
pub fn fiq_entered() {
    if C.vfp_disabled.get() {
        check_fpexc();
    } else {
        check_fp(&C.fiq_fp);
    }
    let spsr = cpu::spsr();
    if spsr & CPSR_T != 0 {
        C.fiq_thumb.increment();
    }
    if spsr & mode::MASK == mode::IRQ {
        C.fiq_in_irq.increment();
    }
}

/// A handler's last step: junk in every caller-saved register, VFP ones
/// only while VFP is enabled.
#[inline(always)]
pub fn clobber(seed: u32) {
    if C.vfp_disabled.get() {
        clobber::integer(seed);
    } else {
        clobber::caller_saved(seed);
    }
}

/// The interrupt controller and timers of a board.
pub trait Board {
    /// Names of the IRQ timer, the FIQ timer and the software interrupt in
    /// the wind-down's failure message.
    const NAMES: [&'static str; 3];
    /// Report keys of the software interrupts taken and raised.
    const SOFT_KEYS: [&'static str; 2];
    /// What [`Counters::irq_unexpected`] counts, in the failure message.
    const UNEXPECTED: &'static str;
    /// Longest wait for the last interrupts once re-arming stopped (ticks
    /// of [`now`](Self::now)).
    const DRAIN_TICKS: u64;
    /// Installs the handlers, configures the controller and arms both
    /// timers once (counted in `armed_irq` and `armed_fiq`).
    fn start() -> Self;
    fn now(&self) -> u64;
    /// Stops the timers and resets the controller (interrupts masked).
    fn stop(&self);
}

fn total() -> u32 {
    C.irq_timer.get() + C.irq_soft.get() + C.fiq_timer.get()
}

/// Runs the storm, then `cost` (the IRQ and FIQ entries' cost, for the
/// reports).
pub fn run<B: Board, I: EntryCost, F: EntryCost>(cost: impl FnOnce() -> (I, F)) {
    let torture = storm::<B>(Torture::new());
    let (irq_cost, fiq_cost) = cost();
    report::<B, I, F>(&torture, irq_cost, fiq_cost);
}

/// The storm itself, against `torture`, from the handlers' installation to
/// the default handlers back in place (interrupts masked).
pub(crate) fn storm<B: Board>(mut torture: Torture) -> Torture {
    for s in [
        &C.irq_timer,
        &C.irq_soft,
        &C.fiq_timer,
        &C.armed_irq,
        &C.armed_fiq,
        &C.soft_raised,
        &C.irq_unexpected,
        &C.fiq_unexpected,
        &C.irq_thumb,
        &C.fiq_thumb,
        &C.fiq_in_irq,
        &C.fpexc_wrong,
    ] {
        s.set(0);
    }
    C.irq_fp.reset();
    C.fiq_fp.reset();
    C.stopping.set(false);
    let board = B::start();
    #[cfg(arm_fpregs)]
    if C.vfp_disabled.get() {
        cpu::set_fpexc(0);
    }
    cpu::enable_interrupts(true);

    torture.run_until(|| total() >= INTERRUPTS);

    // Wind down: no more re-arming; the last timers and software
    // interrupts still arrive.
    C.stopping.set(true);
    let [irq_timer, fiq_timer, soft] = B::NAMES;
    scenario::drain(
        || board.now(),
        B::DRAIN_TICKS,
        &[&[
            Source {
                name: irq_timer,
                taken: &C.irq_timer,
                raised: &C.armed_irq,
            },
            Source {
                name: fiq_timer,
                taken: &C.fiq_timer,
                raised: &C.armed_fiq,
            },
            Source {
                name: soft,
                taken: &C.irq_soft,
                raised: &C.soft_raised,
            },
        ]],
    );
    cpu::disable_interrupts();
    #[cfg(arm_fpregs)]
    if C.vfp_disabled.get() {
        cpu::set_fpexc(cpu::FPEXC_EN);
    }
    board.stop();
    rt::install_defaults();
    torture
}

/// The checks of a storm: every interrupt taken, none unexpected, Thumb
/// code and the IRQ handler struck.
pub(crate) fn storm_checks<B: Board>(checks: &mut Checks) {
    let irq = C.irq_timer.get() + C.irq_soft.get();
    let fiq = C.fiq_timer.get();
    checks.expect(
        irq + fiq >= INTERRUPTS,
        format_args!("only {} interrupts, want {INTERRUPTS}", irq + fiq),
    );
    checks.expect(
        C.irq_unexpected.get() == 0 && C.fiq_unexpected.get() == 0,
        format_args!(
            "{}: {} in IRQ, {} in FIQ",
            B::UNEXPECTED,
            C.irq_unexpected.get(),
            C.fiq_unexpected.get()
        ),
    );
    checks.expect(
        C.irq_thumb.get() > 0 && C.fiq_thumb.get() > 0,
        format_args!(
            "interrupts struck Thumb code {}/{} times (IRQ/FIQ): want both",
            C.irq_thumb.get(),
            C.fiq_thumb.get()
        ),
    );
    checks.expect(
        C.fiq_in_irq.get() > 0,
        format_args!("no FIQ struck the IRQ handler"),
    );
}

fn report<B: Board, I: EntryCost, F: EntryCost>(torture: &Torture, irq_cost: I, fiq_cost: F) {
    let irq = C.irq_timer.get() + C.irq_soft.get();
    let fiq = C.fiq_timer.get();
    let mut checks = Checks::new();
    storm_checks::<B>(&mut checks);
    C.irq_fp.expect(&mut checks, "irq_storm");
    irq_cost.check(&mut checks, "irq_probe");
    let [soft_key, soft_raised_key] = B::SOFT_KEYS;
    let fields: [(&str, &dyn Display); 9] = [
        ("abi", &"arm-interrupt-irq"),
        ("scenario", &"storm"),
        ("handler", &"irq_storm"),
        ("interrupts", &irq),
        ("timer", &C.irq_timer.get()),
        (soft_key, &C.irq_soft.get()),
        (soft_raised_key, &C.soft_raised.get()),
        ("in_thumb", &C.irq_thumb.get()),
        ("checks", &torture.checks),
    ];
    checks.report(&[&fields, irq_cost.fields().as_ref()]);
    let mut checks = Checks::new();
    C.fiq_fp.expect(&mut checks, "fiq_storm");
    fiq_cost.check(&mut checks, "fiq_probe");
    checks.report(&[
        &[
            ("abi", &"arm-interrupt-fiq"),
            ("scenario", &"storm"),
            ("handler", &"fiq_storm"),
            ("interrupts", &fiq),
            ("armed", &C.armed_fiq.get()),
            ("in_thumb", &C.fiq_thumb.get()),
            ("in_irq", &C.fiq_in_irq.get()),
            ("checks", &torture.checks),
        ],
        fiq_cost.fields().as_ref(),
    ]);
}
