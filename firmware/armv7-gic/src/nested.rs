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
//! depth 2 or more, the deepest nesting (3).

use core::arch::asm;

use arm_common::cpu;
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

/// Interrupts of the scenario.
const INTERRUPTS: u32 = 100_000;

/// The nesting SGIs and their priorities (the timer has `priority::IRQ`,
/// 0x80).
const SGI_DEPTH2: u32 = 3;
const SGI_DEPTH3: u32 = 4;
const PRIORITY_DEPTH2: u8 = 0x60;
const PRIORITY_DEPTH3: u8 = 0x50;

/// Longest wait for the last interrupts (counter ticks: 1 ms).
const DRAIN_TICKS: u64 = 62_500;

/// Longest spin for a nested SGI (loop iterations).
const NEST_SPIN: u32 = 10_000;

static TIMER: Shared<u32> = Shared::new(0);
static ARMED: Shared<u32> = Shared::new(0);
static SGI2: Shared<u32> = Shared::new(0);
static SGI2_RAISED: Shared<u32> = Shared::new(0);
static SGI3: Shared<u32> = Shared::new(0);
static SGI3_RAISED: Shared<u32> = Shared::new(0);
static UNEXPECTED: Shared<u32> = Shared::new(0);
static NOT_NESTED: Shared<u32> = Shared::new(0);
static DEPTH: Shared<u32> = Shared::new(0);
static MAX_DEPTH: Shared<u32> = Shared::new(0);
/// Entries at depth 2 or more.
static NESTED: Shared<u32> = Shared::new(0);
static STOPPING: Shared<bool> = Shared::new(false);
static RNG: Shared<u32> = Shared::new(0x0bad_5eed);

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
    let depth = DEPTH.get() + 1;
    DEPTH.set(depth);
    if depth > MAX_DEPTH.get() {
        MAX_DEPTH.set(depth);
    }
    if depth >= 2 {
        NESTED.increment();
    }
    let iar = gic::acknowledge();
    let stopping = STOPPING.get();
    let wait = match iar & 0x3ff {
        id::PHYSICAL_TIMER => {
            TIMER.increment();
            if stopping {
                Timer::Physical.stop();
                None
            } else {
                let mut x = RNG.get();
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                RNG.set(x);
                Timer::Physical.arm(16 + (x & 63));
                ARMED.increment();
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
            UNEXPECTED.increment();
            None
        }
    };
    unmask_irq();
    if let Some((taken, raised)) = wait {
        // Interrupts arrive at translation-block boundaries: spin until the
        // SGI has nested (it should at once).
        let mut spins = 0;
        while taken.get() < raised && spins < NEST_SPIN {
            spins += 1;
        }
        if taken.get() < raised {
            NOT_NESTED.increment();
        }
    }
    // Mask before the EOI: the EOI drops the GIC's running priority, and a
    // timer interrupt that became due meanwhile would otherwise nest into
    // this handler's last instructions, and the next into its, without
    // bound when handlers take longer than the timer's period.
    mask_irq();
    DEPTH.set(DEPTH.get() - 1);
    if iar & 0x3ff != gic::SPURIOUS {
        gic::end(iar);
    }
    clobber::caller_saved(TIMER.get());
}

fn total() -> u32 {
    TIMER.get() + SGI2.get() + SGI3.get()
}

/// Runs the scenario, then `cost` (the entry's cost, for the report).
pub fn run(cost: impl FnOnce() -> Measured) {
    for s in [
        &TIMER,
        &ARMED,
        &SGI2,
        &SGI2_RAISED,
        &SGI3,
        &SGI3_RAISED,
        &UNEXPECTED,
        &NOT_NESTED,
        &DEPTH,
        &MAX_DEPTH,
        &NESTED,
    ] {
        s.set(0);
    }
    STOPPING.set(false);
    rt::install(Vector::Irq, irq_nesting.addr());
    gic::configure(&[id::PHYSICAL_TIMER, SGI_DEPTH2, SGI_DEPTH3], &[]);
    gic::set_priority(SGI_DEPTH2, PRIORITY_DEPTH2);
    gic::set_priority(SGI_DEPTH3, PRIORITY_DEPTH3);
    Timer::Physical.arm(32);
    ARMED.set(1);
    cpu::enable_interrupts(false);

    let mut torture = Torture::new();
    torture.run_until(|| total() >= INTERRUPTS);

    STOPPING.set(true);
    let deadline = timer::now() + DRAIN_TICKS;
    while TIMER.get() != ARMED.get()
        || SGI2.get() != SGI2_RAISED.get()
        || SGI3.get() != SGI3_RAISED.get()
    {
        if timer::now() > deadline {
            fail!(
                status::WATCHDOG,
                "interrupts never taken: timer {}/{} SGI {} {}/{} SGI {} {}/{}",
                TIMER.get(),
                ARMED.get(),
                SGI_DEPTH2,
                SGI2.get(),
                SGI2_RAISED.get(),
                SGI_DEPTH3,
                SGI3.get(),
                SGI3_RAISED.get()
            );
        }
    }
    cpu::disable_interrupts();
    Timer::Physical.stop();
    gic::reset();
    rt::install_defaults();
    let cost = cost();

    let mut checks = Checks::new();
    checks.expect(
        total() >= INTERRUPTS,
        format_args!("only {} interrupts, want {INTERRUPTS}", total()),
    );
    checks.expect(
        UNEXPECTED.get() == 0 && NOT_NESTED.get() == 0,
        format_args!(
            "{} unexpected acknowledges, {} SGIs that did not nest",
            UNEXPECTED.get(),
            NOT_NESTED.get()
        ),
    );
    checks.expect(
        MAX_DEPTH.get() == 3 && NESTED.get() == SGI2.get() + SGI3.get(),
        format_args!(
            "max depth {}, {} nested entries for {} SGIs",
            MAX_DEPTH.get(),
            NESTED.get(),
            SGI2.get() + SGI3.get()
        ),
    );
    cost.check(&mut checks, "irq_system_probe");
    checks.report(&[
        &[
            ("abi", &"arm-interrupt-irq-system"),
            ("scenario", &"nested"),
            ("handler", &"irq_nesting"),
            ("interrupts", &total()),
            ("timer", &TIMER.get()),
            ("sgi_depth2", &SGI2.get()),
            ("sgi_depth3", &SGI3.get()),
            ("nested", &NESTED.get()),
            ("max_depth", &MAX_DEPTH.get()),
            ("checks", &torture.checks),
        ],
        &cost.fields(),
    ]);
}
