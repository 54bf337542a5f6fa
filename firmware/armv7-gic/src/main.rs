//! Interrupt storms with register and VFP torture and exceptions taken on
//! purpose, on QEMU's ARM `virt` board (`-cpu cortex-a15 -icount shift=0`,
//! semihosting for the exit status): ARMv7-A with VFPv3-D32, built for
//! `armv7a-none-eabihf` (A32) and `thumbv7a-none-eabihf` (Thumb-2 bodies,
//! A32 entries).
//!
//! Scenarios, one `@report` line each (see `arm_common::report`):
//!
//! 1. `exceptions`: SVC, undefined instruction, data and prefetch abort
//!    from A32 and Thumb code (`arm_common::exceptions`);
//! 2. `bios`: a BIOS-style call of an `#[instruction_set(arm::a32)]`
//!    handler (`arm_common::bios`);
//! 3. `storm`: IRQ (physical timer, SGI) and FIQ (virtual timer) through the
//!    GIC against the register torture, 100,000+ interrupts (`storm`);
//! 4. `nested`: the System-mode IRQ entry, nesting by GIC priority
//!    (`nested`);
//! 5. `lazy-vfp-enable` and `storm-vfp-disabled`: FPEXC.EN clear
//!    (`arm_common::lazy_vfp`).
//!
//! Modules: `timer` (generic timer), `cost` (entry/exit cost, measured and
//! counted); the GICv2 and the PMU are `arm_common`'s.
#![no_std]
#![no_main]

mod cost;
mod nested;
mod storm;
mod timer;

use arm_common::{gic, pmu, println, semihosting};

/// The board's PL011 UART.
const UART0: usize = 0x0900_0000;

#[unsafe(no_mangle)]
fn firmware_main() -> ! {
    arm_common::console::init(UART0);
    arm_common::report::set_target(env!("FIRMWARE_TARGET"));
    println!(
        "armv7-gic on {}: exceptions, storm, nested, VFP disabled",
        env!("FIRMWARE_TARGET")
    );
    pmu::start();
    arm_common::exceptions::run(8);
    arm_common::bios::run();
    // Each scenario measures its entries' cost after its storm: a broken
    // entry is then reported by the register torture, which says what
    // broke, rather than by a measurement that hangs.
    storm::run(|| (cost::irq(), cost::fiq()));
    nested::run(cost::irq_system);
    storm::run_vfp_disabled();
    semihosting::exit(0)
}
