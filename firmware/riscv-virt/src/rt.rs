//! Runtime: reset entry, the default trap handler and the panic handler.

use core::arch::{global_asm, naked_asm};
use core::panic::PanicInfo;

use crate::csr::csr_read;
use crate::platform;

/// Exit status of a panic.
const EXIT_PANIC: u16 = 1;
/// Exit status of a trap nobody installed a handler for.
const EXIT_UNEXPECTED_TRAP: u16 = 2;

/// Reset entry, placed first in RAM by `link.ld` (`.text.start`).
///
/// Only x0–x15 are used, so the same code runs on RV32E.
#[unsafe(naked)]
#[unsafe(no_mangle)]
#[unsafe(link_section = ".text.start")]
pub unsafe extern "C" fn _start() -> ! {
    naked_asm!(
        // `la gp` must not be relaxed into an access relative to gp itself.
        ".option push",
        ".option norelax",
        "la gp, __global_pointer$",
        ".option pop",
        "la sp, __stack_top",
        // Zero .bss (both ends 8-aligned by link.ld). QEMU's RAM starts
        // zeroed, but a reset through a debugger would not.
        "la t0, __bss_start",
        "la t1, __bss_end",
        "1:",
        "bgeu t0, t1, 2f",
        "sw zero, 0(t0)",
        "addi t0, t0, 4",
        "j 1b",
        "2:",
        // Report any trap until a test installs its own handler.
        "la t0, riscv_virt_unexpected_trap",
        "csrw mtvec, t0",
        "call {entry}",
        "3:",
        "j 3b",
        entry = sym rust_entry,
    )
}

// Default trap vector. `mtvec` needs a 4-byte aligned address (its low two
// bits select the mode), but functions on RVC targets are only 2-byte aligned,
// so it is written here with an explicit `.balign`.
global_asm!(
    ".pushsection .text.riscv_virt_unexpected_trap, \"ax\", @progbits",
    ".balign 4",
    ".global riscv_virt_unexpected_trap",
    "riscv_virt_unexpected_trap:",
    // The trapped context's sp may be the problem: start from a fresh stack.
    "la sp, __stack_top",
    "call {report}",
    ".popsection",
    report = sym report_unexpected_trap,
);

extern "C" fn rust_entry() -> ! {
    // The FPU starts off (mstatus.FS = 0); turn it on before any Rust code
    // might use an F/D register.
    #[cfg(target_feature = "f")]
    crate::csr::csr_set!("mstatus", crate::csr::MSTATUS_FS_INITIAL);
    crate::main();
    platform::exit_success()
}

extern "C" fn report_unexpected_trap() -> ! {
    println!(
        "unexpected trap: mcause={:#x} mepc={:#x} mtval={:#x}",
        csr_read!("mcause"),
        csr_read!("mepc"),
        csr_read!("mtval"),
    );
    platform::exit_failure(EXIT_UNEXPECTED_TRAP)
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    println!("panic: {info}");
    platform::exit_failure(EXIT_PANIC)
}
