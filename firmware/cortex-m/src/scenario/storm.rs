//! A storm of SysTick, PendSV and NVIC interrupts with nested priorities,
//! against the register torture in Thread mode.
//!
//! - SysTick (priority 0x60) fires every 11–42 ticks (220–840 instructions
//!   on the LM3S6965 at 50 MHz, twice as many on MPS2 at 25 MHz), the
//!   handler choosing the next period at random.
//! - Every 4th SysTick handler pends device interrupt [`NESTED_IRQ`]
//!   (priority 0x20, more urgent) through NVIC_ISPR: it must preempt the
//!   SysTick handler at once (checked right after the `dsb; isb`), and its
//!   handler checks that it did interrupt SysTick.
//! - Every 3rd SysTick handler pends PendSV (priority 0xe0, least urgent)
//!   through ICSR: it must not run before SysTick returns (checked), then
//!   tail-chains to it.
//!
//! Every handler body clobbers all caller-saved registers (`clobber`).
//! Raised and handled counts must agree at the end.

use core::arch::asm;

use interrupt_abi::interrupt;

use crate::frame::hardware_frame;
use crate::platform::{self, exit};
use crate::report::Checks;
use crate::torture::{self, Torture};
use crate::{clobber, cost, scs};
use fw_common::Shared;

/// Interrupts per storm.
const INTERRUPTS: u32 = 100_000;
/// The device interrupt SysTick pends to be preempted by it.
pub const NESTED_IRQ: usize = 0;

const PRIORITY_NESTED: u8 = 0x20;
const PRIORITY_SYSTICK: u8 = 0x60;
const PRIORITY_PENDSV: u8 = 0xe0;

/// SysTick period in ticks: `MIN_TICKS + (random & SPREAD_MASK)`, minus 1 as
/// the reload value.
const MIN_TICKS: u32 = 11;
const SPREAD_MASK: u32 = 31;

static SYSTICKS: Shared<u32> = Shared::new(0);
static IN_TORTURE: Shared<u32> = Shared::new(0);
static PENDSV_RAISED: Shared<u32> = Shared::new(0);
static PENDSVS: Shared<u32> = Shared::new(0);
static NESTED_RAISED: Shared<u32> = Shared::new(0);
static NESTED: Shared<u32> = Shared::new(0);
/// Set by the SysTick handler around the pend of [`NESTED_IRQ`].
static IN_SYSTICK: Shared<bool> = Shared::new(false);
static STOPPING: Shared<bool> = Shared::new(false);
static RNG: Shared<u32> = Shared::new(0x1234_5679);

fn barrier() {
    // SAFETY: barriers only; after them a pended exception of higher
    // priority has been taken.
    unsafe { asm!("dsb", "isb", options(nostack, preserves_flags)) };
}

/// SysTick, under the symbol name `cortex-m-rt` gives it, so that the
/// handler also fits a runtime that builds the vector table by name.
#[interrupt]
#[unsafe(export_name = "SysTick")]
pub extern "cortex-m-interrupt" fn SysTick() {
    let frame = hardware_frame!();
    if cost::anchoring() {
        cost::anchor(frame);
        return;
    }
    let n = SYSTICKS.increment();
    if torture::contains(frame.pc) {
        IN_TORTURE.increment();
    }
    if STOPPING.get() {
        scs::systick_stop();
    } else {
        let mut r = RNG.get();
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        RNG.set(r);
        scs::systick_set_reload(MIN_TICKS - 1 + (r & SPREAD_MASK));
    }
    if n % 4 == 0 {
        IN_SYSTICK.set(true);
        let before = NESTED.get();
        NESTED_RAISED.increment();
        scs::pend_irq(NESTED_IRQ);
        barrier();
        if NESTED.get() != before + 1 {
            platform::fail!(
                exit::CHECK,
                "IRQ {NESTED_IRQ} (priority 0x20) did not preempt SysTick"
            );
        }
        IN_SYSTICK.set(false);
    }
    if n % 3 == 0 {
        let before = PENDSVS.get();
        PENDSV_RAISED.increment();
        scs::pend_pendsv();
        barrier();
        if PENDSVS.get() != before {
            platform::fail!(exit::CHECK, "PendSV (priority 0xe0) preempted SysTick");
        }
    }
    clobber::caller_saved(n);
}

/// The more urgent device interrupt, pended from inside SysTick.
#[interrupt]
pub extern "cortex-m-interrupt" fn nested_irq() {
    if !IN_SYSTICK.get() {
        platform::fail!(exit::CHECK, "IRQ {NESTED_IRQ} taken outside SysTick");
    }
    let n = NESTED.increment();
    clobber::caller_saved(n);
}

/// The least urgent exception, tail-chained after SysTick.
#[interrupt]
#[unsafe(export_name = "PendSV")]
pub extern "cortex-m-interrupt" fn PendSV() {
    let n = PENDSVS.increment();
    clobber::caller_saved(n);
}

fn total() -> u32 {
    SYSTICKS.get() + PENDSVS.get() + NESTED.get()
}

pub fn run(cost: cost::Cost) {
    scs::set_system_priority(scs::SYSTICK, PRIORITY_SYSTICK);
    scs::set_system_priority(scs::PENDSV, PRIORITY_PENDSV);
    scs::enable_irq(NESTED_IRQ, PRIORITY_NESTED);
    STOPPING.set(false);
    scs::systick_start(MIN_TICKS - 1);

    let mut torture = Torture::new();
    // A round lasts several SysTick periods: one without any interrupt
    // means the storm stalled.
    let mut last = u32::MAX;
    torture.run_until(|| {
        let now = total();
        if now == last {
            platform::fail!(
                exit::WATCHDOG,
                "no interrupt during a torture round, {now} taken"
            );
        }
        last = now;
        now >= INTERRUPTS
    });
    STOPPING.set(true);
    while scs::systick_running() {}

    let (systicks, in_torture) = (SYSTICKS.get(), IN_TORTURE.get());
    let (pendsv_raised, pendsvs) = (PENDSV_RAISED.get(), PENDSVS.get());
    let (nested_raised, nested) = (NESTED_RAISED.get(), NESTED.get());
    let mut checks = Checks::new();
    checks.expect(
        total() >= INTERRUPTS,
        format_args!("only {} interrupts, want {INTERRUPTS}", total()),
    );
    checks.expect(
        pendsvs == pendsv_raised && pendsvs > 0,
        format_args!("PendSV: {pendsv_raised} raised, {pendsvs} handled"),
    );
    checks.expect(
        nested == nested_raised && nested > 0,
        format_args!("IRQ {NESTED_IRQ}: {nested_raised} raised, {nested} handled"),
    );
    checks.expect(
        in_torture * 2 > systicks,
        format_args!("only {in_torture} of {systicks} SysTicks struck the torture"),
    );
    checks.report(&[
        &[
            ("abi", &"cortex-m-interrupt"),
            ("scenario", &"storm"),
            ("handler", &"SysTick"),
            ("interrupts", &total()),
            ("systick", &systicks),
            ("in_torture", &in_torture),
            ("pendsv", &pendsvs),
            ("nested", &nested),
            ("checks", &torture.checks),
        ],
        &cost.fields(),
    ]);
}
