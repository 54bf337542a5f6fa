//! `extern "cortex-m-interrupt"` on QEMU's `lm3s6965evb` (Cortex-M3,
//! `thumbv7m-none-eabi`; feature `mps2-an385` for that board), with a
//! vector table of our own built from `Handler` values (`vectors`).
//!
//! The handlers also carry the symbol names `cortex-m-rt` fills its vector
//! table with (`#[unsafe(export_name = "SysTick")]`, `PendSV`, `SVCall`,
//! `UsageFault`): linked with `cortex-m-rt` instead of `vectors`, those
//! strong symbols would override its weak `DefaultHandler` entries, with
//! no `#[exception]` attribute (docs/cortex-m-interrupt.md).
//!
//! Scenarios (`scenario`), each printing one `@report` line (`report`):
//!
//! - `storm`: 100,000+ SysTick, PendSV and NVIC interrupts with nested
//!   priorities over the register torture (`torture`), handler bodies
//!   clobbering every caller-saved register (`clobber`), with the entry and
//!   exit cost of a handler (`cost`, SysTick under `-icount shift=0`).
//! - `faults`: `svc` with arguments and a result, `udf` and an unaligned
//!   load skipped by a UsageFault handler.
//!
//! The run ends through semihosting (`platform`): status 0 when every
//! scenario passed. Support modules: `rt` (reset, panic), `frame` (the
//! hardware exception frame), `clock`, `scs` (SysTick, NVIC, SCB), `uart`;
//! `print!`, `@report` lines and `Shared` statics come from `fw_common`.

#![no_std]
#![no_main]

#[macro_use]
mod uart;
mod clobber;
mod clock;
mod cost;
mod frame;
mod platform;
mod report;
mod rt;
mod scenario;
mod scs;
mod torture;
mod vectors;

/// The QEMU machine this build is for.
pub const BOARD: &str = if cfg!(feature = "mps2-an385") {
    "mps2-an385"
} else {
    "lm3s6965evb"
};

/// Called by `rt::reset` with memory initialised.
fn main() -> ! {
    uart::init();
    println!("cortex-m on {} ({BOARD})", env!("FIRMWARE_TARGET"));
    vectors::check();
    clock::init();
    let cost = cost::measure();
    scenario::storm::run(cost);
    scenario::faults::run();
    println!("all scenarios passed");
    platform::exit_success()
}
