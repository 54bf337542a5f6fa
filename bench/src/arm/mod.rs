//! Classic-ARM firmware for QEMU's `virt` board (`-cpu cortex-a15`):
//! arm-common's runtime (firmware/arm-common) resets into System mode with
//! a stack per mode and VFP on, and calls [`firmware_main`]; [`harness`]
//! measures the suite through SGIs at the GIC; semihosting ends the run.

pub mod harness;

use core::fmt::{self, Write};

use arm_common::{console, gic, pmu, semihosting};

/// The board's PL011 UART.
const UART0: usize = 0x0900_0000;

pub struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(console::put_byte);
        Ok(())
    }
}

#[unsafe(no_mangle)]
fn firmware_main() -> ! {
    console::init(UART0);
    pmu::start();
    gic::configure(&[harness::SGI], &[]);
    harness::run();
    semihosting::exit(0)
}
