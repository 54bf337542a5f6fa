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
//! run.

use arm_common::cpu::{self, CPSR_T, mode};
use arm_common::report::Checks;
use arm_common::rt::{self, Vector};
use arm_common::semihosting::status;
use arm_common::shared::Shared;
use arm_common::torture::Torture;
use arm_common::{clobber, fail};
use interrupt_abi::interrupt;

use crate::cost::Measured;
use crate::gic::{self, id};
use crate::timer::{self, Timer};

/// Interrupts per storm (IRQ and FIQ together).
pub const INTERRUPTS: u32 = 100_000;

/// Longest wait for the last interrupts once re-arming stopped (ticks of
/// the 62.5 MHz counter: 1 ms).
const DRAIN_TICKS: u64 = 62_500;

/// Counters, each written by one handler (the scenario resets them with
/// interrupts masked).
struct Counters {
    irq_timer: Shared<u32>,
    irq_sgi: Shared<u32>,
    fiq_timer: Shared<u32>,
    armed_irq: Shared<u32>,
    armed_fiq: Shared<u32>,
    sgi_raised: Shared<u32>,
    /// Acknowledges that returned 1023 or an interrupt of the other group.
    irq_unexpected: Shared<u32>,
    fiq_unexpected: Shared<u32>,
    irq_thumb: Shared<u32>,
    fiq_thumb: Shared<u32>,
    fiq_in_irq: Shared<u32>,
    stopping: Shared<bool>,
    irq_rng: Shared<u32>,
    fiq_rng: Shared<u32>,
}

static C: Counters = Counters {
    irq_timer: Shared::new(0),
    irq_sgi: Shared::new(0),
    fiq_timer: Shared::new(0),
    armed_irq: Shared::new(0),
    armed_fiq: Shared::new(0),
    sgi_raised: Shared::new(0),
    irq_unexpected: Shared::new(0),
    fiq_unexpected: Shared::new(0),
    irq_thumb: Shared::new(0),
    fiq_thumb: Shared::new(0),
    fiq_in_irq: Shared::new(0),
    stopping: Shared::new(false),
    irq_rng: Shared::new(0x1234_5679),
    fiq_rng: Shared::new(0x2468_ace1),
};

/// 16-79 ticks from a handler's own xorshift generator.
fn next_ticks(rng: &Shared<u32>) -> u32 {
    let mut x = rng.get();
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng.set(x);
    16 + (x & 63)
}

#[interrupt]
extern "arm-interrupt-irq" fn irq_storm() {
    if cpu::spsr() & CPSR_T != 0 {
        C.irq_thumb.increment();
    }
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
            C.irq_sgi.increment();
        }
        _ => {
            C.irq_unexpected.increment();
        }
    }
    if iar & 0x3ff != gic::SPURIOUS {
        gic::end(iar);
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
                C.sgi_raised.increment();
            }
        }
    } else {
        C.fiq_unexpected.increment();
    }
    if iar & 0x3ff != gic::SPURIOUS {
        gic::end(iar);
    }
    clobber::caller_saved(C.fiq_timer.get());
}

fn total() -> u32 {
    C.irq_timer.get() + C.irq_sgi.get() + C.fiq_timer.get()
}

/// Runs the storm, then `cost` (the IRQ and FIQ entries' cost, for the
/// reports).
pub fn run(cost: impl FnOnce() -> (Measured, Measured)) {
    for s in [
        &C.irq_timer,
        &C.irq_sgi,
        &C.fiq_timer,
        &C.armed_irq,
        &C.armed_fiq,
        &C.sgi_raised,
        &C.irq_unexpected,
        &C.fiq_unexpected,
        &C.irq_thumb,
        &C.fiq_thumb,
        &C.fiq_in_irq,
    ] {
        s.set(0);
    }
    C.stopping.set(false);
    rt::install(Vector::Irq, irq_storm.addr());
    rt::install(Vector::Fiq, fiq_storm.addr());
    gic::configure(&[id::PHYSICAL_TIMER, id::SGI_IRQ], &[id::VIRTUAL_TIMER]);
    Timer::Physical.arm(32);
    C.armed_irq.set(1);
    Timer::Virtual.arm(48);
    C.armed_fiq.set(1);
    cpu::enable_interrupts(true);

    let mut torture = Torture::new();
    torture.run_until(|| total() >= INTERRUPTS);

    // Wind down: no more re-arming; the last timers and SGIs still arrive.
    C.stopping.set(true);
    let deadline = timer::now() + DRAIN_TICKS;
    while C.irq_timer.get() != C.armed_irq.get()
        || C.fiq_timer.get() != C.armed_fiq.get()
        || C.irq_sgi.get() != C.sgi_raised.get()
    {
        if timer::now() > deadline {
            fail!(
                status::WATCHDOG,
                "interrupts never taken: physical timer {}/{} virtual timer {}/{} SGI {}/{}",
                C.irq_timer.get(),
                C.armed_irq.get(),
                C.fiq_timer.get(),
                C.armed_fiq.get(),
                C.irq_sgi.get(),
                C.sgi_raised.get()
            );
        }
    }
    cpu::disable_interrupts();
    Timer::Physical.stop();
    Timer::Virtual.stop();
    gic::reset();
    rt::install_defaults();
    let (irq_cost, fiq_cost) = cost();

    let irq = C.irq_timer.get() + C.irq_sgi.get();
    let fiq = C.fiq_timer.get();
    let mut checks = Checks::new();
    checks.expect(
        irq + fiq >= INTERRUPTS,
        format_args!("only {} interrupts, want {INTERRUPTS}", irq + fiq),
    );
    checks.expect(
        C.irq_unexpected.get() == 0 && C.fiq_unexpected.get() == 0,
        format_args!(
            "unexpected acknowledges: {} in IRQ, {} in FIQ",
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
    irq_cost.check(&mut checks, "irq_probe");
    checks.report(&[
        &[
            ("abi", &"arm-interrupt-irq"),
            ("scenario", &"storm"),
            ("handler", &"irq_storm"),
            ("interrupts", &irq),
            ("timer", &C.irq_timer.get()),
            ("sgi", &C.irq_sgi.get()),
            ("sgi_raised", &C.sgi_raised.get()),
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
            ("armed", &C.armed_fiq.get()),
            ("in_thumb", &C.fiq_thumb.get()),
            ("in_irq", &C.fiq_in_irq.get()),
            ("checks", &torture.checks),
        ],
        &fiq_cost.fields(),
    ]);
}
