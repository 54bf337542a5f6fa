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
//! depth 2 or more, the deepest nesting (at least 2). The counters, the
//! wind-down and the report are `arm_common::nested`'s.

use core::arch::asm;

use arm_common::clobber;
use arm_common::nested::{self, Board, N};
use arm_common::report::Checks;
use arm_common::rt::{self, Vector};
use arm_common::scenario::{Source, xorshift};
use arm_common::shared::Shared;
use arm_common::torture::Torture;
use interrupt_abi::interrupt;

use crate::sp804::{Clock, TIMER0};
use crate::vic::{self, line};

/// Depth down to which each timer interrupt chains software IRQs.
const CHAIN: u32 = 3;

static SOFT: Shared<u32> = Shared::new(0);
static SOFT_RAISED: Shared<u32> = Shared::new(0);

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
    let depth = nested::enter();
    let pending = vic::irq_status();
    let mut wait_for_soft = None;
    if pending & (1 << line::TIMER01) != 0 {
        TIMER0.clear();
        N.timer.increment();
        if !N.stopping.get() {
            TIMER0.one_shot(1 + (xorshift(&N.rng) & 3));
            N.armed.increment();
            vic::raise(line::SOFT);
            wait_for_soft = Some(SOFT_RAISED.increment());
        }
    } else if pending & (1 << line::SOFT) != 0 {
        vic::clear(line::SOFT);
        SOFT.increment();
        if depth < CHAIN && !N.stopping.get() {
            vic::raise(line::SOFT);
            wait_for_soft = Some(SOFT_RAISED.increment());
        }
    } else {
        N.unexpected.increment();
    }
    unmask_irq();
    if let Some(raised) = wait_for_soft {
        nested::await_nested(&SOFT, raised);
    }
    clobber::caller_saved(N.timer.get());
    nested::leave();
}

/// The VIC's software line, the one the handler chains.
static SOFT_SOURCES: [Source; 1] = [Source {
    name: "soft",
    taken: &SOFT,
    raised: &SOFT_RAISED,
}];

/// The VIC, SP804 timer 0, and timer 1 as the clock.
struct Versatile(Clock);

impl Board for Versatile {
    /// 10 ms (µs ticks).
    const DRAIN_TICKS: u64 = 10_000;
    const UNEXPECTED: &'static str = "interrupts without a pending source";
    const SOFT_NAME: &'static str = "software IRQs";

    fn start() -> Self {
        let clock = Clock::start();
        rt::install(Vector::Irq, irq_nesting.addr());
        vic::configure(1 << line::TIMER01 | 1 << line::SOFT, 0);
        TIMER0.one_shot(2);
        N.armed.set(1);
        Versatile(clock)
    }

    fn now(&self) -> u64 {
        self.0.now().into()
    }

    fn stop(&self) {
        vic::reset();
        TIMER0.stop();
    }

    fn soft() -> &'static [Source] {
        &SOFT_SOURCES
    }

    /// A timer interrupt due meanwhile may nest deeper than [`CHAIN`].
    fn depth_ok(max_depth: u32, nested: u32, soft: u32) -> bool {
        max_depth >= CHAIN && nested >= soft
    }

    fn check(checks: &mut Checks, torture: &Torture) {
        checks.expect(
            torture.thumb_rounds > 0,
            format_args!("no Thumb torture rounds"),
        );
    }

    fn fields() -> [(&'static str, u32); 2] {
        [("soft", SOFT.get()), ("soft_raised", SOFT_RAISED.get())]
    }
}

/// Runs the scenario, then `cost` (the entry's cost, for the report).
pub fn run(cost: impl FnOnce() -> crate::cost::Measured) {
    nested::run::<Versatile, _>(cost);
}
