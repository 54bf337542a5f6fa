//! x86 kernel for QEMU's PC machine.
#![no_std]
#![no_main]

#[macro_use]
mod serial;
mod machine;
mod port;

#[cfg(target_arch = "x86_64")]
mod long_mode;

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    println!("panic: {info}");
    machine::exit_failure(2)
}
