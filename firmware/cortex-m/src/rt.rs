//! Runtime: the reset handler and the panic handler.

use core::panic::PanicInfo;

use crate::platform::{self, exit};

unsafe extern "C" {
    static mut __data_start: u32;
    static mut __data_end: u32;
    static __data_load: u32;
    static mut __bss_start: u32;
    static mut __bss_end: u32;
}

/// The reset vector: the core has loaded SP from the vector table and
/// starts here in Thread mode, privileged, on the main stack. Copies
/// `.data` from flash, zeroes `.bss` and runs `main`.
///
/// No `#[interrupt]`: reset is not an exception return path, and this runs
/// before memory is initialised (it only uses registers and the stack).
pub unsafe extern "C" fn reset() -> ! {
    // SAFETY: the linker script defines the symbols, word-aligned; nothing
    // has used .data or .bss yet. Volatile: plain copies could be turned
    // into calls of `memcpy`/`memset`, which is fine but needs nothing here.
    unsafe {
        let mut from = &raw const __data_load;
        let mut to = &raw mut __data_start;
        while to < &raw mut __data_end {
            to.write_volatile(from.read());
            to = to.add(1);
            from = from.add(1);
        }
        let mut to = &raw mut __bss_start;
        while to < &raw mut __bss_end {
            to.write_volatile(0);
            to = to.add(1);
        }
    }
    crate::main()
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    println!("panic: {info}");
    platform::exit_failure(exit::PANIC)
}
