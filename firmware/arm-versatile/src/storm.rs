//! `arm-interrupt-irq` and `arm-interrupt-fiq` under a storm, against the
//! register torture.
//!
//! Sources: SP804 timer 0 on VIC line 4 (IRQ) and timer 2 on line 5 (routed
//! to FIQ), each a one-shot re-armed by its handler 1-4 µs ahead (1000-4000
//! instructions under `-icount shift=0`), and the VIC's software interrupt
//! on line 1 (IRQ), raised by every fourth FIQ. FIQs are not masked in IRQ
//! mode, so some strike the IRQ handler itself; software IRQs raised in the
//! FIQ handler arrive as soon as it returns, wherever that is.
//!
//! Every interrupt is counted where it is raised (a timer armed, a software
//! line set) and where it is handled; the storm ends by no longer re-arming
//! and waiting for the last ones, and the counts must agree. An interrupt
//! whose handler finds no pending source fails the run.

use arm_common::cpu::{self, CPSR_T, mode};
use arm_common::report::Checks;
use arm_common::rt::{self, Vector};
use arm_common::semihosting::status;
use arm_common::shared::Shared;
use arm_common::torture::Torture;
use arm_common::{clobber, fail};
use interrupt_abi::interrupt;

use crate::cost::Measured;
use crate::sp804::{Clock, TIMER0, TIMER2};
use crate::vic::{self, line};

/// Interrupts per storm (IRQ and FIQ together).
pub const INTERRUPTS: u32 = 100_000;

/// Longest wait for the last interrupts once re-arming stopped (µs).
const DRAIN_TICKS: u32 = 10_000;

/// Counters, each written by one handler (the scenario resets them with
/// interrupts masked).
struct Counters {
    irq_timer: Shared<u32>,
    irq_soft: Shared<u32>,
    fiq_timer: Shared<u32>,
    armed0: Shared<u32>,
    armed2: Shared<u32>,
    soft_raised: Shared<u32>,
    spurious: Shared<u32>,
    /// Interrupts that struck Thumb code (SPSR.T), per handler.
    irq_thumb: Shared<u32>,
    fiq_thumb: Shared<u32>,
    /// FIQs that struck the IRQ handler (SPSR mode IRQ).
    fiq_in_irq: Shared<u32>,
    stopping: Shared<bool>,
    irq_rng: Shared<u32>,
    fiq_rng: Shared<u32>,
}

static C: Counters = Counters {
    irq_timer: Shared::new(0),
    irq_soft: Shared::new(0),
    fiq_timer: Shared::new(0),
    armed0: Shared::new(0),
    armed2: Shared::new(0),
    soft_raised: Shared::new(0),
    spurious: Shared::new(0),
    irq_thumb: Shared::new(0),
    fiq_thumb: Shared::new(0),
    fiq_in_irq: Shared::new(0),
    stopping: Shared::new(false),
    irq_rng: Shared::new(0x1234_5679),
    fiq_rng: Shared::new(0x2468_ace1),
};

/// 1-4 ticks from a handler's own xorshift generator.
fn next_ticks(rng: &Shared<u32>) -> u32 {
    let mut x = rng.get();
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng.set(x);
    1 + (x & 3)
}

#[interrupt]
extern "arm-interrupt-irq" fn irq_storm() {
    if cpu::spsr() & CPSR_T != 0 {
        C.irq_thumb.increment();
    }
    let pending = vic::irq_status();
    if pending & (1 << line::TIMER01) != 0 {
        TIMER0.clear();
        C.irq_timer.increment();
        if !C.stopping.get() {
            TIMER0.one_shot(next_ticks(&C.irq_rng));
            C.armed0.increment();
        }
    }
    if pending & (1 << line::SOFT) != 0 {
        vic::clear(line::SOFT);
        C.irq_soft.increment();
    }
    if pending & (1 << line::TIMER01 | 1 << line::SOFT) == 0 {
        C.spurious.increment();
    }
    clobber::caller_saved(C.irq_timer.get());
}

#[interrupt]
extern "arm-interrupt-fiq" fn fiq_storm() {
    let spsr = cpu::spsr();
    if spsr & CPSR_T != 0 {
        C.fiq_thumb.increment();
    }
    if spsr & mode::MASK == mode::IRQ {
        C.fiq_in_irq.increment();
    }
    if vic::fiq_status() & (1 << line::TIMER23) != 0 {
        TIMER2.clear();
        let n = C.fiq_timer.increment();
        if !C.stopping.get() {
            TIMER2.one_shot(next_ticks(&C.fiq_rng));
            C.armed2.increment();
            if n % 4 == 0 {
                vic::raise(line::SOFT);
                C.soft_raised.increment();
            }
        }
    } else {
        C.spurious.increment();
    }
    clobber::caller_saved(C.fiq_timer.get());
}

fn total() -> u32 {
    C.irq_timer.get() + C.irq_soft.get() + C.fiq_timer.get()
}

/// Runs the storm, then `cost` (the IRQ and FIQ entries' cost, for the
/// reports).
pub fn run(cost: impl FnOnce() -> (Measured, Measured)) {
    for s in [
        &C.irq_timer,
        &C.irq_soft,
        &C.fiq_timer,
        &C.armed0,
        &C.armed2,
        &C.soft_raised,
        &C.spurious,
        &C.irq_thumb,
        &C.fiq_thumb,
        &C.fiq_in_irq,
    ] {
        s.set(0);
    }
    C.stopping.set(false);
    let clock = Clock::start();
    rt::install(Vector::Irq, irq_storm.addr());
    rt::install(Vector::Fiq, fiq_storm.addr());
    vic::configure(1 << line::TIMER01 | 1 << line::SOFT, 1 << line::TIMER23);
    TIMER0.one_shot(2);
    C.armed0.set(1);
    TIMER2.one_shot(3);
    C.armed2.set(1);
    cpu::enable_interrupts(true);

    let mut torture = Torture::new();
    torture.run_until(|| total() >= INTERRUPTS);

    // Wind down: no more re-arming; the last timers and software
    // interrupts still arrive.
    C.stopping.set(true);
    let deadline = clock.now() + DRAIN_TICKS;
    while C.irq_timer.get() != C.armed0.get()
        || C.fiq_timer.get() != C.armed2.get()
        || C.irq_soft.get() != C.soft_raised.get()
    {
        if clock.now() > deadline {
            fail!(
                status::WATCHDOG,
                "interrupts never taken: timer0 {}/{} timer2 {}/{} soft {}/{}",
                C.irq_timer.get(),
                C.armed0.get(),
                C.fiq_timer.get(),
                C.armed2.get(),
                C.irq_soft.get(),
                C.soft_raised.get()
            );
        }
    }
    cpu::disable_interrupts();
    vic::reset();
    TIMER0.stop();
    TIMER2.stop();
    rt::install_defaults();
    let (irq_cost, fiq_cost) = cost();

    let irq = C.irq_timer.get() + C.irq_soft.get();
    let fiq = C.fiq_timer.get();
    let mut checks = Checks::new();
    checks.expect(
        irq + fiq >= INTERRUPTS,
        format_args!("only {} interrupts, want {INTERRUPTS}", irq + fiq),
    );
    checks.expect(
        C.spurious.get() == 0,
        format_args!("{} interrupts without a pending source", C.spurious.get()),
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
    irq_cost.check(&mut checks, "irq_probe");
    checks.report(&[
        &[
            ("abi", &"arm-interrupt-irq"),
            ("scenario", &"storm"),
            ("handler", &"irq_storm"),
            ("interrupts", &irq),
            ("timer", &C.irq_timer.get()),
            ("soft", &C.irq_soft.get()),
            ("soft_raised", &C.soft_raised.get()),
            ("in_thumb", &C.irq_thumb.get()),
            ("checks", &torture.checks),
        ],
        &irq_cost.fields(),
    ]);
    let mut checks = Checks::new();
    fiq_cost.check(&mut checks, "fiq_probe");
    checks.report(&[
        &[
            ("abi", &"arm-interrupt-fiq"),
            ("scenario", &"storm"),
            ("handler", &"fiq_storm"),
            ("interrupts", &fiq),
            ("armed", &C.armed2.get()),
            ("in_thumb", &C.fiq_thumb.get()),
            ("in_irq", &C.fiq_in_irq.get()),
            ("checks", &torture.checks),
        ],
        &fiq_cost.fields(),
    ]);
}
