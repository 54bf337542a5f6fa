//! Runtime: reset entry, the drop from EL2 to EL1, and the panic handler.

use core::arch::naked_asm;
use core::panic::PanicInfo;

use crate::platform::{self, exit};

/// CPACR_EL1.FPEN = 0b11: FP/SIMD instructions do not trap at EL1/EL0.
const CPACR_FPEN: u64 = 3 << 20;
/// CPTR_EL2 with its RES1 bits (13:12, 9:0); TFP (bit 10) clear: EL2 does
/// not trap FP/SIMD of EL2 and EL1, set: it does.
const CPTR_EL2_NO_TRAPS: u64 = 0x33ff;
const CPTR_EL2_TFP: u64 = 1 << 10;

/// Reset entry, placed first by `link.ld` (`.text.start`). QEMU enters at
/// EL1, or at EL2 with `-M virt,virtualization=on`, MMU off, with every
/// exception masked (DAIF), on no particular stack.
///
/// Sets up the stack, zeroes `.bss`, makes FP/SIMD usable on targets that
/// have it (Rust code may use the vector registers for anything, `memcpy`
/// included, and the first such instruction would trap otherwise; the
/// soft-float build makes them trap, CPACR_EL1.FPEN = 0 and CPTR_EL2.TFP = 1,
/// so that any use by an entry or body fails the run) and calls `main` with
/// the exception level.
#[unsafe(naked)]
#[unsafe(no_mangle)]
#[unsafe(link_section = ".text.start")]
pub unsafe extern "C" fn _start() -> ! {
    naked_asm!(
        "adrp x0, __stack_top",
        "add x0, x0, :lo12:__stack_top",
        "mov sp, x0",
        "adrp x0, __bss_start",
        "add x0, x0, :lo12:__bss_start",
        "adrp x1, __bss_end",
        "add x1, x1, :lo12:__bss_end",
        "1:",
        "cmp x0, x1",
        "b.hs 2f",
        "stp xzr, xzr, [x0], #16",
        "b 1b",
        "2:",
        "mrs x19, CurrentEL",
        "ubfx x19, x19, #2, #2",
        ".if {fp}",
        "mov x0, #{cptr_el2}",
        "mov x1, #{fpen}",
        ".else",
        "mov x0, #({cptr_el2} | {tfp})",
        "mov x1, #0",
        ".endif",
        "cmp x19, #2",
        "b.ne 3f",
        "msr cptr_el2, x0",
        "3:",
        "msr cpacr_el1, x1",
        "isb",
        "mov x0, x19",
        "bl {main}",
        "4:",
        "b 4b",
        fp = const crate::torture::FP as usize,
        cptr_el2 = const CPTR_EL2_NO_TRAPS,
        tfp = const CPTR_EL2_TFP,
        fpen = const CPACR_FPEN,
        main = sym crate::main,
    )
}

/// HCR_EL2.RW: EL1 runs in AArch64.
const HCR_RW: u64 = 1 << 31;
/// CNTHCTL_EL2: EL1 may read the physical counter and use the physical timer.
const CNTHCTL_EL1PCTEN_EL1PCEN: u64 = 3;
/// SPSR for the `eret` into EL1: EL1h (SP_EL1), D, A, I and F masked.
const SPSR_EL1H_MASKED: u64 = 0x3c5;
/// SCTLR_EL1 with its RES1 bits, MMU and caches off, SP alignment checked
/// (SA): a misaligned `sp` in an entry then faults instead of passing unseen.
const SCTLR_EL1: u64 = 0x30d0_0800 | (1 << 3);

/// At EL2: configures EL1 (AArch64, timers and counters not trapped, no
/// virtualisation) and continues at EL1 on the same stack, returning to
/// the caller there. EL2 keeps a stack of its own (`__el2_stack_top`) for
/// the exceptions it takes from then on: left on the main stack, its
/// handlers would push their frames over EL1's live data.
#[unsafe(naked)]
pub unsafe extern "C" fn drop_to_el1() {
    naked_asm!(
        "mov x0, #{hcr_rw}",
        "msr hcr_el2, x0",
        "mov x0, #{cnthctl}",
        "msr cnthctl_el2, x0",
        "msr cntvoff_el2, xzr",
        // MDCR_EL2.HPMN = PMCR_EL0.N: every event counter belongs to EL1.
        "mrs x0, pmcr_el0",
        "ubfx x0, x0, #11, #5",
        "msr mdcr_el2, x0",
        "ldr x0, ={sctlr}",
        "msr sctlr_el1, x0",
        "mov x0, sp",
        "msr sp_el1, x0",
        "adrp x0, __el2_stack_top",
        "add x0, x0, :lo12:__el2_stack_top",
        "mov sp, x0",
        "adr x0, 1f",
        "msr elr_el2, x0",
        "mov x0, #{spsr}",
        "msr spsr_el2, x0",
        "isb",
        "eret",
        "1:",
        "ret",
        hcr_rw = const HCR_RW,
        cnthctl = const CNTHCTL_EL1PCTEN_EL1PCEN,
        sctlr = const SCTLR_EL1,
        spsr = const SPSR_EL1H_MASKED,
    )
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    println!("panic: {info}");
    platform::exit_failure(exit::PANIC)
}
