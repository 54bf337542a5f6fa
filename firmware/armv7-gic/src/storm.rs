//! `arm-interrupt-irq` and `arm-interrupt-fiq` under a storm on the GIC,
//! against the register torture (r0-r12, lr, CPSR, d0-d31, FPSCR; A32 and
//! Thumb-2 rounds).
//!
//! Sources: the physical timer (PPI 30, group 1: IRQ) and the virtual timer
//! (PPI 27, group 0: FIQ), each re-armed by its handler 16-79 ticks ahead
//! (256-1264 instructions under `-icount shift=0`), and SGI 1 (IRQ), raised
//! by every fourth FIQ. FIQs are not masked in IRQ mode, so some strike the
//! IRQ handler itself.
//!
//! Every interrupt is counted where it is raised (a timer armed, an SGI
//! sent) and where it is handled; the storm ends by no longer re-arming and
//! waiting for the last ones, and the counts must agree. An acknowledge
//! that finds nothing (1023) or an interrupt of the other group fails the
//! run. The counters, the wind-down and the reports are
//! `arm_common::storm`'s.

use arm_common::rt::{self, Vector};
use arm_common::scenario::xorshift;
use arm_common::shared::Shared;
use arm_common::storm::{self, Board, C};
use interrupt_abi::interrupt;

use crate::cost::Measured;
use crate::gic::{self, id};
use crate::timer::{self, Timer};

/// 16-79 ticks from a handler's own xorshift generator.
fn next_ticks(rng: &Shared<u32>) -> u32 {
    16 + (xorshift(rng) & 63)
}

#[interrupt]
extern "arm-interrupt-irq" fn irq_storm() {
    storm::irq_entered();
    let iar = gic::acknowledge();
    match iar & 0x3ff {
        id::PHYSICAL_TIMER => {
            C.irq_timer.increment();
            if C.stopping.get() {
                Timer::Physical.stop();
            } else {
                Timer::Physical.arm(next_ticks(&C.irq_rng));
                C.armed_irq.increment();
            }
        }
        id::SGI_IRQ => {
            C.irq_soft.increment();
        }
        _ => {
            C.irq_unexpected.increment();
        }
    }
    if iar & 0x3ff != gic::SPURIOUS {
        gic::end(iar);
    }
    storm::clobber(C.irq_timer.get());
}

#[interrupt]
unsafe extern "arm-interrupt-fiq" fn fiq_storm() {
    storm::fiq_entered();
    let iar = gic::acknowledge();
    if iar & 0x3ff == id::VIRTUAL_TIMER {
        let n = C.fiq_timer.increment();
        if C.stopping.get() {
            Timer::Virtual.stop();
        } else {
            Timer::Virtual.arm(next_ticks(&C.fiq_rng));
            C.armed_fiq.increment();
            if n % 4 == 0 {
                gic::raise_sgi(id::SGI_IRQ);
                C.soft_raised.increment();
            }
        }
    } else {
        C.fiq_unexpected.increment();
    }
    if iar & 0x3ff != gic::SPURIOUS {
        gic::end(iar);
    }
    storm::clobber(C.fiq_timer.get());
}

/// The GIC and the physical and virtual timers.
struct Gic;

impl Board for Gic {
    const NAMES: [&'static str; 3] = ["physical timer", "virtual timer", "SGI"];
    const SOFT_KEYS: [&'static str; 2] = ["sgi", "sgi_raised"];
    const UNEXPECTED: &'static str = "unexpected acknowledges";
    /// Ticks of the 62.5 MHz counter: 1 ms.
    const DRAIN_TICKS: u64 = 62_500;

    fn start() -> Self {
        rt::install(Vector::Irq, irq_storm.addr());
        rt::install(Vector::Fiq, fiq_storm.addr());
        gic::configure(&[id::PHYSICAL_TIMER, id::SGI_IRQ], &[id::VIRTUAL_TIMER]);
        Timer::Physical.arm(32);
        C.armed_irq.set(1);
        Timer::Virtual.arm(48);
        C.armed_fiq.set(1);
        Gic
    }

    fn now(&self) -> u64 {
        timer::now()
    }

    fn stop(&self) {
        Timer::Physical.stop();
        Timer::Virtual.stop();
        gic::reset();
    }
}

/// Runs the storm, then `cost` (the IRQ and FIQ entries' cost, for the
/// reports).
pub fn run(cost: impl FnOnce() -> (Measured, Measured)) {
    storm::run::<Gic, _, _>(cost);
}

/// The storm with VFP disabled, after a lazy VFP enable
/// (`arm_common::lazy_vfp`).
#[cfg(arm_fpregs)]
pub fn run_vfp_disabled() {
    arm_common::lazy_vfp::run::<Gic>();
}
