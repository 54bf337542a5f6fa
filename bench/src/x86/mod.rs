//! x86_64 firmware for QEMU's PC machine: pc-machine (firmware/pc-machine)
//! boots it into long mode and calls [`kernel_entry`], [`harness`] measures
//! the suite through `int`, `isa-debug-exit` ends the run.

pub mod harness;

use core::fmt::{self, Write};

use pc_machine::{exit, serial};

/// The frame rustc's native `extern "x86-interrupt"` takes by value.
#[allow(dead_code)]
#[repr(C)]
pub struct Frame {
    pub instruction_pointer: u64,
    pub code_segment: u64,
    pub cpu_flags: u64,
    pub stack_pointer: u64,
    pub stack_segment: u64,
}

pub struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(serial::put_byte);
        Ok(())
    }
}

macro_rules! println {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::x86::Console, $($arg)*);
    }};
}

/// Called by pc-machine's boot stub, interrupts off; they stay off, since
/// `int` does not need them.
#[unsafe(no_mangle)]
extern "C" fn kernel_entry() -> ! {
    harness::run();
    exit::exit_success()
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    println!("FAIL: {info}");
    exit::exit_failure(1)
}
