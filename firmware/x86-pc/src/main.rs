//! x86 kernel for QEMU's PC machine.
#![no_std]
#![no_main]

#[macro_use]
mod serial;
mod abi_checks;
mod apic;
mod machine;
mod port;
mod report;
mod tsc;

#[cfg(target_arch = "x86_64")]
mod long_mode;

/// Reports an interrupt or exception the running scenario did not expect
/// and fails the run: returning from it could loop or corrupt state.
pub fn unexpected(what: core::fmt::Arguments) -> ! {
    println!("unexpected: {what}");
    machine::exit_failure(3)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    println!("panic: {info}");
    machine::exit_failure(2)
}
