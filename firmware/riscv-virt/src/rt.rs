//! Runtime: reset entry for both harts, the default trap handler and the
//! panic handler.

use core::arch::{global_asm, naked_asm};
use core::panic::PanicInfo;

use crate::csr::csr_read;
use crate::platform::{self, exit};

/// Reset entry of every hart, placed first in RAM by `link.ld` (`.text.start`).
///
/// Hart 0 zeroes `.bss` and runs `main`. Any other hart takes the small
/// second stack and sleeps in `wfi` until hart 0 raises its MSIP, which hart 0
/// does only once `.bss` is initialised (see `generator`); it must not touch
/// memory before that. Only x0–x15 are used, so the same code runs on RV32E.
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
        // Report any trap until a scenario installs its own handler.
        "la t0, riscv_virt_unexpected_trap",
        "csrw mtvec, t0",
        "csrr t0, mhartid",
        "bnez t0, 5f",
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
        "call {main}",
        "3:",
        "j 3b",
        // Secondary harts: wait for MSIP with interrupts masked (`wfi` still
        // wakes on a pending, enabled-in-`mie` interrupt).
        "5:",
        "la sp, __stack1_top",
        "li t0, {msie}",
        "csrw mie, t0",
        "6:",
        "wfi",
        "csrr t0, mip",
        "andi t0, t0, {msie}",
        "beqz t0, 6b",
        "call {secondary}",
        "j 3b",
        main = sym rust_entry,
        secondary = sym crate::generator::secondary_main,
        msie = const crate::csr::IP_MSIP,
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
    // The trapped context's sp may be the problem: start from a fresh stack
    // (hart 1's, which is idle or the culprit, so hart 0's stays intact for
    // a debugger).
    "la sp, __stack1_top",
    "call {report}",
    ".popsection",
    report = sym report_unexpected_trap,
);

extern "C" fn rust_entry() -> ! {
    // The FPU starts off (mstatus.FS = 0); turn it on before any Rust code
    // might use an F/D register. S-mode sees the same field in `sstatus`.
    #[cfg(fpu)]
    crate::csr::csr_set!("mstatus", crate::csr::MSTATUS_FS_INITIAL);
    crate::main()
}

extern "C" fn report_unexpected_trap() -> ! {
    print!("hart {}: ", csr_read!("mhartid"));
    unexpected_trap(
        "M",
        csr_read!("mcause"),
        csr_read!("mepc"),
        csr_read!("mtval"),
    )
}

/// Reports a trap no handler expected and fails the run; `mode` is the mode
/// the trap went to, "M" or "S".
pub fn unexpected_trap(mode: &str, cause: usize, epc: usize, tval: usize) -> ! {
    if mode == "S" {
        platform::fail!(
            exit::UNEXPECTED_EXCEPTION,
            "unexpected trap to S-mode: cause={cause:#x} epc={epc:#x} tval={tval:#x}"
        )
    }
    platform::fail_in_m!(
        exit::UNEXPECTED_EXCEPTION,
        "unexpected trap to M-mode: cause={cause:#x} epc={epc:#x} tval={tval:#x}"
    )
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    println!("panic: {info}");
    platform::exit_failure(exit::PANIC)
}
