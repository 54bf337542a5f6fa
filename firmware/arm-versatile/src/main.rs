//! Interrupt storms with register torture and exceptions taken on purpose,
//! on QEMU's `versatilepb` board (`-icount shift=0`, semihosting for the
//! exit status): ARMv4T (`-cpu ti925t`, A32 and Thumb builds), ARMv5TE
//! (`arm926`) and ARMv6 with VFP (`arm1176`).
//!
//! Scenarios, one `@report` line each (see `arm_common::report`):
//!
//! 1. `exceptions`: SVC, undefined instruction, data and prefetch abort
//!    from A32 and Thumb code (`arm_common::exceptions`);
//! 2. `bios`: a BIOS-style call of an `#[instruction_set(arm::a32)]`
//!    handler (`arm_common::bios`);
//! 3. `storm`: IRQ (timer 0, software line) and FIQ (timer 2) against the
//!    register torture, 100,000+ interrupts (`storm`);
//! 4. ARMv6 and later: `nested`, the System-mode IRQ entry with nesting;
//! 5. with VFP: `lazy-vfp-enable` and `storm-vfp-disabled`, FPEXC.EN clear
//!    (`arm_common::lazy_vfp`).
//!
//! Modules: `vic` (PL190), `sp804` (timers), `cost` (entry/exit cost,
//! counted and measured).
#![no_std]
#![no_main]

mod cost;
#[cfg(arm_v6)]
mod nested;
mod sp804;
mod storm;
mod vic;

use arm_common::{println, semihosting};

/// UART0, a PL011.
const UART0: usize = 0x101f_1000;

#[unsafe(no_mangle)]
fn firmware_main() -> ! {
    arm_common::console::init(UART0);
    arm_common::report::set_target(env!("FIRMWARE_TARGET"));
    println!(
        "arm-versatile on {}: exceptions, storm{}",
        env!("FIRMWARE_TARGET"),
        match (cfg!(arm_v6), cfg!(arm_fpregs)) {
            (true, true) => ", nested, VFP disabled",
            (true, false) => ", nested",
            _ => "",
        }
    );
    arm_common::exceptions::run(8);
    arm_common::bios::run();
    // Each storm measures its entries' cost after the storm: a broken entry
    // is then reported by the register torture, which says what broke,
    // rather than by a measuring loop that never ends.
    storm::run(|| (cost::irq(), cost::fiq()));
    #[cfg(arm_v6)]
    nested::run(cost::irq_system);
    #[cfg(arm_fpregs)]
    storm::run_vfp_disabled();
    semihosting::exit(0)
}
