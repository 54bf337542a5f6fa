//! `arm-interrupt-irq-system` (ARMv6+): IRQs that nest, against the register
//! torture.
//!
//! The handler's body runs in System mode on the interrupted code's stack,
//! with LR_irq and SPSR_irq already saved there by the entry (`srsdb`), so it
//! may unmask IRQs once it has acknowledged its source. Timer 0 (line 4)
//! interrupts every 1-4 µs; its handler clears the timer, re-arms it, raises
//! the VIC's software line and unmasks IRQs (`cpsie i`): the software IRQ
//! then nests inside it, at depth 2. That handler clears the line, raises it
//! once more and unmasks IRQs too, so a third level nests inside the second
//! ([`CHAIN`]); a timer interrupt due meanwhile may nest deeper still. A plain
//! `arm-interrupt-irq` handler doing this would lose LR_irq and SPSR_irq to
//! the nested interrupt; the torture would catch it.
//!
//! Counts: interrupts raised and handled per source (must agree), entries at
//! depth 2 or more, the deepest nesting (at least 2).

use core::arch::asm;

use arm_common::cpu;
use arm_common::report::Checks;
use arm_common::rt::{self, Vector};
use arm_common::semihosting::status;
use arm_common::shared::Shared;
use arm_common::torture::Torture;
use arm_common::{clobber, fail};
use interrupt_abi::interrupt;

use crate::sp804::{Clock, TIMER0};
use crate::vic::{self, line};

/// Interrupts of the scenario.
const INTERRUPTS: u32 = 100_000;

/// Longest wait for the last interrupts once re-arming stopped (µs).
const DRAIN_TICKS: u32 = 10_000;

/// Depth down to which each timer interrupt chains software IRQs.
const CHAIN: u32 = 3;

/// Longest spin for the nested software interrupt (loop iterations).
const NEST_SPIN: u32 = 10_000;

static TIMER: Shared<u32> = Shared::new(0);
static ARMED: Shared<u32> = Shared::new(0);
static SOFT: Shared<u32> = Shared::new(0);
static SOFT_RAISED: Shared<u32> = Shared::new(0);
static SPURIOUS: Shared<u32> = Shared::new(0);
static NOT_NESTED: Shared<u32> = Shared::new(0);
static DEPTH: Shared<u32> = Shared::new(0);
static MAX_DEPTH: Shared<u32> = Shared::new(0);
/// Entries at depth 2 or more.
static NESTED: Shared<u32> = Shared::new(0);
static STOPPING: Shared<bool> = Shared::new(false);
static RNG: Shared<u32> = Shared::new(0x0bad_5eed);

/// `cpsie i`: ARMv6's unmasking of IRQs (the point of this ABI: only the
/// body knows when its source is quiet).
#[instruction_set(arm::a32)]
fn unmask_irq() {
    // SAFETY: the handler acknowledged its source; the entry masks IRQs
    // again after the body.
    unsafe { asm!("cpsie i", options(nostack, preserves_flags)) };
}

#[interrupt]
extern "arm-interrupt-irq-system" fn irq_nesting() {
    let depth = DEPTH.get() + 1;
    DEPTH.set(depth);
    if depth > MAX_DEPTH.get() {
        MAX_DEPTH.set(depth);
    }
    if depth >= 2 {
        NESTED.increment();
    }
    let pending = vic::irq_status();
    let mut wait_for_soft = None;
    if pending & (1 << line::TIMER01) != 0 {
        TIMER0.clear();
        TIMER.increment();
        if !STOPPING.get() {
            let mut x = RNG.get();
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            RNG.set(x);
            TIMER0.one_shot(1 + (x & 3));
            ARMED.increment();
            vic::raise(line::SOFT);
            wait_for_soft = Some(SOFT_RAISED.increment());
        }
    } else if pending & (1 << line::SOFT) != 0 {
        vic::clear(line::SOFT);
        SOFT.increment();
        if depth < CHAIN && !STOPPING.get() {
            vic::raise(line::SOFT);
            wait_for_soft = Some(SOFT_RAISED.increment());
        }
    } else {
        SPURIOUS.increment();
    }
    unmask_irq();
    if let Some(raised) = wait_for_soft {
        // Interrupts arrive at translation-block boundaries: spin until the
        // software IRQ has nested (it should at once).
        let mut spins = 0;
        while SOFT.get() < raised && spins < NEST_SPIN {
            spins += 1;
        }
        if SOFT.get() < raised {
            NOT_NESTED.increment();
        }
    }
    clobber::caller_saved(TIMER.get());
    DEPTH.set(DEPTH.get() - 1);
}

fn total() -> u32 {
    TIMER.get() + SOFT.get()
}

/// Runs the scenario, then `cost` (the entry's cost, for the report).
pub fn run(cost: impl FnOnce() -> crate::cost::Measured) {
    for s in [
        &TIMER,
        &ARMED,
        &SOFT,
        &SOFT_RAISED,
        &SPURIOUS,
        &NOT_NESTED,
        &DEPTH,
        &MAX_DEPTH,
        &NESTED,
    ] {
        s.set(0);
    }
    STOPPING.set(false);
    let clock = Clock::start();
    rt::install(Vector::Irq, irq_nesting.addr());
    vic::configure(1 << line::TIMER01 | 1 << line::SOFT, 0);
    TIMER0.one_shot(2);
    ARMED.set(1);
    cpu::enable_interrupts(false);

    let mut torture = Torture::new();
    torture.run_until(|| total() >= INTERRUPTS);

    STOPPING.set(true);
    let deadline = clock.now() + DRAIN_TICKS;
    while TIMER.get() != ARMED.get() || SOFT.get() != SOFT_RAISED.get() {
        if clock.now() > deadline {
            fail!(
                status::WATCHDOG,
                "interrupts never taken: timer {}/{} soft {}/{}",
                TIMER.get(),
                ARMED.get(),
                SOFT.get(),
                SOFT_RAISED.get()
            );
        }
    }
    cpu::disable_interrupts();
    vic::reset();
    TIMER0.stop();
    rt::install_defaults();
    let cost = cost();

    let mut checks = Checks::new();
    checks.expect(
        total() >= INTERRUPTS,
        format_args!("only {} interrupts, want {INTERRUPTS}", total()),
    );
    checks.expect(
        SPURIOUS.get() == 0 && NOT_NESTED.get() == 0,
        format_args!(
            "{} interrupts without a pending source, {} software IRQs that did not nest",
            SPURIOUS.get(),
            NOT_NESTED.get()
        ),
    );
    checks.expect(
        MAX_DEPTH.get() >= CHAIN && NESTED.get() >= SOFT.get(),
        format_args!(
            "max depth {}, {} nested entries for {} software IRQs",
            MAX_DEPTH.get(),
            NESTED.get(),
            SOFT.get()
        ),
    );
    checks.expect(
        torture.thumb_rounds > 0,
        format_args!("no Thumb torture rounds"),
    );
    cost.check(&mut checks, "irq_system_probe");
    checks.report(&[
        &[
            ("abi", &"arm-interrupt-irq-system"),
            ("scenario", &"nested"),
            ("handler", &"irq_nesting"),
            ("interrupts", &total()),
            ("timer", &TIMER.get()),
            ("soft", &SOFT.get()),
            ("soft_raised", &SOFT_RAISED.get()),
            ("nested", &NESTED.get()),
            ("max_depth", &MAX_DEPTH.get()),
            ("checks", &torture.checks),
        ],
        &cost.fields(),
    ]);
}
