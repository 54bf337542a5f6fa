//! Test kernel for QEMU's PC machine, proving `extern "x86-interrupt"`
//! handlers written with `#[interrupt]` on bare metal.
//!
//! One package, two kernels:
//!
//! - `x86_64-unknown-none` (`long_mode`): booted by `qemu-system-x86_64
//!   -kernel` through a PVH ELF note; breakpoint, page fault, general
//!   protection, a LAPIC timer storm over register torture, a double fault
//!   on an IST stack.
//! - 32-bit x86, built for `i686-unknown-linux-gnu` (there is no bare-metal
//!   i686 target; `core` does not care, and the ELF is linked static at
//!   1 MiB) (`protected_mode`): booted through multiboot; breakpoint,
//!   general protection, and the timer storm with x87 and SSE state too.
//!
//! Each scenario prints one `@report` line on COM1 (`report`); the run ends
//! through `isa-debug-exit` with status 33 on success (`pc_machine::exit`). Run under
//! `-icount shift=0`: the LAPIC timer (`apic`) then fires every N
//! instructions exactly, and `rdtsc` (`tsc`) counts instructions, which the
//! cost measurements rely on. `abi_checks` holds what every handler body
//! verifies about the state the trampoline hands it.
//!
//! Build and run through `cargo xtask test` or `cargo xtask demo`.
#![no_std]
#![no_main]

#[macro_use]
mod console;
mod abi_checks;
mod apic;
mod common;
mod report;
mod tsc;

use pc_machine::exit as machine;

#[cfg(target_arch = "x86_64")]
mod long_mode;
#[cfg(target_arch = "x86")]
mod protected_mode;

/// Reports an interrupt or exception the running scenario did not expect
/// and fails the run: returning from it could loop or corrupt state.
pub fn unexpected(what: core::fmt::Arguments) -> ! {
    println!("unexpected: {what}");
    machine::exit_failure(3)
}

/// For the torture loops, whose length is a prime: the timer period minus
/// the handler's length is then never a multiple of it, and successive
/// interrupts land on every instruction of the loop.
pub const fn is_prime(n: u32) -> bool {
    let mut d = 2;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 1;
    }
    n > 1
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    println!("panic: {info}");
    machine::exit_failure(2)
}
