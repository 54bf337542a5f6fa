//! Runtime: the exception vector table, the reset entry that sets up one
//! stack per processor mode, default handlers for unexpected exceptions, and
//! the panic handler.
//!
//! The vector table is eight `ldr pc, [pc, #24]` slots followed by eight
//! address words, so a scenario installs a handler by storing its
//! [`interrupt_abi::Handler::addr`] into a word ([`install`]); the table
//! lives in RAM. `ldr pc` does not interwork on ARMv4T, which is fine: every
//! `#[interrupt]` entry is A32 code at an even address. The board's linker
//! script puts the table at address 0 (versatilepb) or anywhere 32-byte
//! aligned, with VBAR pointing at it (ARMv7).
//!
//! Reset leaves the core in System mode, IRQ and FIQ masked, with VFP
//! enabled on targets that have it, and calls the binary's `firmware_main`.
//! Handlers get their own stacks: IRQ, FIQ, abort, undefined and SVC mode
//! each bank SP.

use core::arch::global_asm;
use core::panic::PanicInfo;

use interrupt_abi::arm::ExceptionFrame;
use interrupt_abi::interrupt;

use crate::cpu::{self, mode};
use crate::semihosting::status;

/// The vectors a scenario can install handlers for (index = slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Vector {
    Undefined = 1,
    Svc = 2,
    PrefetchAbort = 3,
    DataAbort = 4,
    Irq = 6,
    Fiq = 7,
}

/// Whether the target has VFP registers (reset enables VFP, torture and
/// clobbers include them).
pub const FPU: bool = cfg!(arm_fpregs);
/// Whether the target has VFP d16-d31.
pub const D32: bool = cfg!(arm_d32);

global_asm!(
    // The table: reset and seven exception slots, each loading the word 32
    // bytes further on (pc reads 8 ahead in A32).
    ".pushsection .vectors, \"awx\", %progbits",
    ".arm",
    ".balign 32",
    ".global arm_common_vectors",
    "arm_common_vectors:",
    ".rept 8",
    "ldr pc, [pc, #24]",
    ".endr",
    ".word arm_common_start",
    ".rept 7",
    ".word 0",
    ".endr",
    ".popsection",
    // Reset: in SVC mode (QEMU's ELF loader starts there), IRQ and FIQ
    // masked.
    ".pushsection .text.arm_common_start, \"ax\", %progbits",
    ".arm",
    ".global arm_common_start",
    ".type arm_common_start, %function",
    "arm_common_start:",
    "msr cpsr_c, #({irq} | 0xc0)",
    "ldr sp, =__stack_irq_top",
    "msr cpsr_c, #({fiq} | 0xc0)",
    "ldr sp, =__stack_fiq_top",
    "msr cpsr_c, #({abt} | 0xc0)",
    "ldr sp, =__stack_abt_top",
    "msr cpsr_c, #({und} | 0xc0)",
    "ldr sp, =__stack_und_top",
    "msr cpsr_c, #({svc} | 0xc0)",
    "ldr sp, =__stack_svc_top",
    "msr cpsr_c, #({sys} | 0xc0)",
    "ldr sp, =__stack_top",
    // Zero .bss (both ends 4-aligned by the linker script).
    "ldr r0, =__bss_start",
    "ldr r1, =__bss_end",
    "mov r2, #0",
    "1:",
    "cmp r0, r1",
    "strlo r2, [r0], #4",
    "blo 1b",
    // ARMv6 (not v7, where it is fixed): SCTLR.U selects the unaligned
    // access model LLVM assumes for v6 targets.
    ".if {v6} && !{v7}",
    "mrc p15, 0, r0, c1, c0, 0",
    "orr r0, r0, #(1 << 22)",
    "mcr p15, 0, r0, c1, c0, 0",
    ".endif",
    // ARMv7: the table may be anywhere; VBAR says where.
    ".if {v7}",
    "ldr r0, =arm_common_vectors",
    "mcr p15, 0, r0, c12, c0, 0",
    ".endif",
    // VFP: CP10/CP11 full access in CPACR, then FPEXC.EN. Before any Rust
    // code, which may use VFP registers for copies.
    ".if {fpu}",
    ".fpu vfpv2",
    "mrc p15, 0, r0, c1, c0, 2",
    "orr r0, r0, #(0xf << 20)",
    "mcr p15, 0, r0, c1, c0, 2",
    // Let the access change take effect (ARMv6: CP15 prefetch flush).
    ".if {v7}",
    "isb",
    ".else",
    "mov r0, #0",
    "mcr p15, 0, r0, c7, c5, 4",
    ".endif",
    "mov r0, #0x40000000",
    "vmsr fpexc, r0",
    ".endif",
    "ldr r3, ={entry}",
    "mov lr, pc",
    "bx r3",
    "2:",
    "b 2b",
    ".ltorg",
    ".size arm_common_start, . - arm_common_start",
    ".popsection",
    irq = const mode::IRQ,
    fiq = const mode::FIQ,
    abt = const mode::ABT,
    und = const mode::UND,
    svc = const mode::SVC,
    sys = const mode::SYS,
    v6 = const cfg!(arm_v6) as u32,
    v7 = const cfg!(arm_v7) as u32,
    fpu = const FPU as u32,
    entry = sym rust_entry,
);

unsafe extern "C" {
    static mut arm_common_vectors: [u32; 16];
}

unsafe extern "Rust" {
    /// The binary's main program, in System mode with interrupts masked.
    fn firmware_main() -> !;
}

/// Points `vector` at `entry` (a handler's `addr()`).
pub fn install(vector: Vector, entry: usize) {
    // SAFETY: the address words of the table are plain RAM; the exception
    // using this slot is not in progress (interrupts that use it are masked
    // or not raised while scenarios switch handlers).
    unsafe {
        let table = &raw mut arm_common_vectors;
        (&raw mut (*table)[8 + vector as usize]).write_volatile(entry as u32);
    }
}

/// Installs the default handlers, which report an unexpected exception and
/// fail the run.
pub fn install_defaults() {
    install(Vector::Undefined, unexpected_undefined.addr());
    install(Vector::Svc, unexpected_svc.addr());
    install(Vector::PrefetchAbort, unexpected_prefetch_abort.addr());
    install(Vector::DataAbort, unexpected_data_abort.addr());
    install(Vector::Irq, unexpected_irq.addr());
    install(Vector::Fiq, unexpected_fiq.addr());
}

extern "C" fn rust_entry() -> ! {
    install_defaults();
    // SAFETY: defined by the binary.
    unsafe { firmware_main() }
}

/// Reports an exception no scenario expected and fails the run.
pub fn unexpected(what: &str, address: u32) -> ! {
    let spsr = cpu::spsr();
    fail!(
        status::UNEXPECTED_EXCEPTION,
        "unexpected {what} at {address:#010x} (SPSR {spsr:#010x}, mode {:#x})",
        cpu::cpsr() & mode::MASK
    )
}

#[interrupt]
extern "arm-interrupt-undef" fn unexpected_undefined(frame: &ExceptionFrame) -> ! {
    unexpected("undefined instruction", frame.return_address)
}

#[interrupt]
extern "arm-interrupt-svc" fn unexpected_svc(frame: &ExceptionFrame) -> ! {
    unexpected("SVC (returning to)", frame.return_address)
}

#[interrupt(prefetch_abort)]
extern "arm-interrupt-abort" fn unexpected_prefetch_abort(frame: &ExceptionFrame) -> ! {
    unexpected("prefetch abort", frame.return_address)
}

#[interrupt(data_abort)]
extern "arm-interrupt-abort" fn unexpected_data_abort(frame: &ExceptionFrame) -> ! {
    let (dfsr, dfar) = cpu::data_fault();
    println!("data abort: DFSR {dfsr:#x} DFAR {dfar:#010x}");
    unexpected("data abort", frame.return_address)
}

#[interrupt]
extern "arm-interrupt-irq" fn unexpected_irq() -> ! {
    unexpected("IRQ", 0)
}

#[interrupt]
unsafe extern "arm-interrupt-fiq" fn unexpected_fiq() -> ! {
    unexpected("FIQ", 0)
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    println!("panic: {info}");
    crate::semihosting::exit_failure(status::PANIC)
}
