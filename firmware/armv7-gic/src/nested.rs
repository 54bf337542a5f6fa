//! `arm-interrupt-irq-system`: IRQs that nest by GIC priority, against the
//! register torture.
//!
//! The handler's body runs in System mode on the interrupted code's stack,
//! with LR_irq and SPSR_irq already saved there by the entry (`srsdb`), so it
//! may unmask IRQs once it has acknowledged its interrupt. The physical
//! timer (priority 0x80) interrupts every 16-79 ticks; its handler re-arms
//! it, sends SGI 3 (priority 0x60, more urgent) and unmasks IRQs: the GIC
//! signals the SGI above the running priority and it nests at depth 2; that
//! handler sends SGI 4 (0x50) the same way, which nests at depth 3. Each
//! ends its interrupt (EOI) after the nested ones returned, with IRQs masked
//! again, so the GIC's running priority unwinds in order and the timer
//! cannot nest into its own handler. A plain `arm-interrupt-irq` handler
//! doing this would lose LR_irq and SPSR_irq to the nested interrupt; the
//! torture would catch it.
//!
//! Counts: interrupts raised and handled per source (must agree), entries at
//! depth 2 or more, the deepest nesting (3). The counters, the wind-down
//! and the report are `arm_common::nested`'s.

use core::arch::asm;

use arm_common::clobber;
use arm_common::nested::{self, Board, N};
use arm_common::rt::{self, Vector};
use arm_common::scenario::{Source, xorshift};
use arm_common::shared::Shared;
use interrupt_abi::interrupt;

use crate::cost::Measured;
use crate::gic::{self, id};
use crate::timer::{self, Timer};

/// The nesting SGIs and their priorities (the timer has `priority::IRQ`,
/// 0x80).
const SGI_DEPTH2: u32 = 3;
const SGI_DEPTH3: u32 = 4;
const PRIORITY_DEPTH2: u8 = 0x60;
const PRIORITY_DEPTH3: u8 = 0x50;

static SGI2: Shared<u32> = Shared::new(0);
static SGI2_RAISED: Shared<u32> = Shared::new(0);
static SGI3: Shared<u32> = Shared::new(0);
static SGI3_RAISED: Shared<u32> = Shared::new(0);

#[instruction_set(arm::a32)]
fn unmask_irq() {
    // SAFETY: the handler acknowledged its interrupt; it masks IRQs again
    // before ending it.
    unsafe { asm!("cpsie i", options(nostack, preserves_flags)) };
}

#[instruction_set(arm::a32)]
fn mask_irq() {
    // SAFETY: masks IRQs (the entry does the same after the body).
    unsafe { asm!("cpsid i", options(nostack, preserves_flags)) };
}

/// Sends `sgi` and returns how many of it must have been taken once it
/// nested.
fn send(sgi: u32, raised: &Shared<u32>) -> u32 {
    gic::raise_sgi(sgi);
    raised.increment()
}

#[interrupt]
extern "arm-interrupt-irq-system" fn irq_nesting() {
    nested::enter();
    let iar = gic::acknowledge();
    let stopping = N.stopping.get();
    let wait = match iar & 0x3ff {
        id::PHYSICAL_TIMER => {
            N.timer.increment();
            if stopping {
                Timer::Physical.stop();
                None
            } else {
                Timer::Physical.arm(16 + (xorshift(&N.rng) & 63));
                N.armed.increment();
                Some((&SGI2, send(SGI_DEPTH2, &SGI2_RAISED)))
            }
        }
        SGI_DEPTH2 => {
            SGI2.increment();
            (!stopping).then(|| (&SGI3, send(SGI_DEPTH3, &SGI3_RAISED)))
        }
        SGI_DEPTH3 => {
            SGI3.increment();
            None
        }
        _ => {
            N.unexpected.increment();
            None
        }
    };
    unmask_irq();
    if let Some((taken, raised)) = wait {
        nested::await_nested(taken, raised);
    }
    // Mask before the EOI: the EOI drops the GIC's running priority, and a
    // timer interrupt that became due meanwhile would otherwise nest into
    // this handler's last instructions, and the next into its, without
    // bound when handlers take longer than the timer's period.
    mask_irq();
    nested::leave();
    if iar & 0x3ff != gic::SPURIOUS {
        gic::end(iar);
    }
    clobber::caller_saved(N.timer.get());
}

/// The nesting SGIs, by depth.
static SGI_SOURCES: [Source; 2] = [
    Source {
        name: "SGI 3",
        taken: &SGI2,
        raised: &SGI2_RAISED,
    },
    Source {
        name: "SGI 4",
        taken: &SGI3,
        raised: &SGI3_RAISED,
    },
];

/// The GIC and the physical timer.
struct Gic;

impl Board for Gic {
    /// Counter ticks: 1 ms.
    const DRAIN_TICKS: u64 = 62_500;
    const UNEXPECTED: &'static str = "unexpected acknowledges";
    const SOFT_NAME: &'static str = "SGIs";

    fn start() -> Self {
        rt::install(Vector::Irq, irq_nesting.addr());
        gic::configure(&[id::PHYSICAL_TIMER, SGI_DEPTH2, SGI_DEPTH3], &[]);
        gic::set_priority(SGI_DEPTH2, PRIORITY_DEPTH2);
        gic::set_priority(SGI_DEPTH3, PRIORITY_DEPTH3);
        Timer::Physical.arm(32);
        N.armed.set(1);
        Gic
    }

    fn now(&self) -> u64 {
        timer::now()
    }

    fn stop(&self) {
        Timer::Physical.stop();
        gic::reset();
    }

    fn soft() -> &'static [Source] {
        &SGI_SOURCES
    }

    /// The priorities bound the nesting: exactly 3, every SGI nested.
    fn depth_ok(max_depth: u32, nested: u32, soft: u32) -> bool {
        max_depth == 3 && nested == soft
    }

    fn fields() -> [(&'static str, u32); 2] {
        [("sgi_depth2", SGI2.get()), ("sgi_depth3", SGI3.get())]
    }
}

/// Runs the scenario, then `cost` (the entry's cost, for the report).
pub fn run(cost: impl FnOnce() -> Measured) {
    nested::run::<Gic, _>(cost);
}
