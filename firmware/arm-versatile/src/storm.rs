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
//! whose handler finds no pending source fails the run. The counters, the
//! wind-down and the reports are `arm_common::storm`'s.

use arm_common::rt::{self, Vector};
use arm_common::scenario::xorshift;
use arm_common::shared::Shared;
use arm_common::storm::{self, Board, C};
use interrupt_abi::interrupt;

use crate::cost::Measured;
use crate::sp804::{Clock, TIMER0, TIMER2};
use crate::vic::{self, line};

/// 1-4 ticks from a handler's own xorshift generator.
fn next_ticks(rng: &Shared<u32>) -> u32 {
    1 + (xorshift(rng) & 3)
}

#[interrupt]
extern "arm-interrupt-irq" fn irq_storm() {
    storm::irq_entered();
    let pending = vic::irq_status();
    if pending & (1 << line::TIMER01) != 0 {
        TIMER0.clear();
        C.irq_timer.increment();
        if !C.stopping.get() {
            TIMER0.one_shot(next_ticks(&C.irq_rng));
            C.armed_irq.increment();
        }
    }
    if pending & (1 << line::SOFT) != 0 {
        vic::clear(line::SOFT);
        C.irq_soft.increment();
    }
    if pending & (1 << line::TIMER01 | 1 << line::SOFT) == 0 {
        C.irq_unexpected.increment();
    }
    storm::clobber(C.irq_timer.get());
}

#[interrupt]
unsafe extern "arm-interrupt-fiq" fn fiq_storm() {
    storm::fiq_entered();
    if vic::fiq_status() & (1 << line::TIMER23) != 0 {
        TIMER2.clear();
        let n = C.fiq_timer.increment();
        if !C.stopping.get() {
            TIMER2.one_shot(next_ticks(&C.fiq_rng));
            C.armed_fiq.increment();
            if n % 4 == 0 {
                vic::raise(line::SOFT);
                C.soft_raised.increment();
            }
        }
    } else {
        C.fiq_unexpected.increment();
    }
    storm::clobber(C.fiq_timer.get());
}

/// The VIC, SP804 timers 0 and 2, and timer 1 as the clock.
struct Versatile(Clock);

impl Board for Versatile {
    const NAMES: [&'static str; 3] = ["timer0", "timer2", "soft"];
    const SOFT_KEYS: [&'static str; 2] = ["soft", "soft_raised"];
    const UNEXPECTED: &'static str = "interrupts without a pending source";
    /// 10 ms (µs ticks).
    const DRAIN_TICKS: u64 = 10_000;

    fn start() -> Self {
        let clock = Clock::start();
        rt::install(Vector::Irq, irq_storm.addr());
        rt::install(Vector::Fiq, fiq_storm.addr());
        vic::configure(1 << line::TIMER01 | 1 << line::SOFT, 1 << line::TIMER23);
        TIMER0.one_shot(2);
        C.armed_irq.set(1);
        TIMER2.one_shot(3);
        C.armed_fiq.set(1);
        Versatile(clock)
    }

    fn now(&self) -> u64 {
        self.0.now().into()
    }

    fn stop(&self) {
        vic::reset();
        TIMER0.stop();
        TIMER2.stop();
    }
}

/// Runs the storm, then `cost` (the IRQ and FIQ entries' cost, for the
/// reports).
pub fn run(cost: impl FnOnce() -> (Measured, Measured)) {
    storm::run::<Versatile, _, _>(cost);
}

/// The storm with VFP disabled, after a lazy VFP enable
/// (`arm_common::lazy_vfp`).
#[cfg(arm_fpregs)]
pub fn run_vfp_disabled() {
    arm_common::lazy_vfp::run::<Versatile>();
}
