//! Register probes around one exception-raising instruction.
//!
//! `probe_<isa>_<kind>(regs)` loads r0-r12 and lr from `regs` (and, in A32,
//! the flags from `regs[13]` and, with VFP, FPSCR from `regs[15]`),
//! executes the instruction at the global label `probe_<isa>_<kind>_insn`
//! (an SVC, an undefined instruction, an unaligned load, a `bkpt`), then
//! increments r7 (so resuming one instruction too late shows), and stores
//! r0-r12 and lr back into `regs` (A32: the CPSR into `regs[13]`, FPSCR
//! into `regs[15]`). The exception handler must resume right after the
//! instruction, with every register the interrupted code owns intact.
//!
//! A32 probes run in ARM state, T16 probes in Thumb state (ARMv4T Thumb-1
//! instructions, available on every target here).

use core::arch::global_asm;

/// Which instruction a probe executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `svc #1`.
    Svc,
    /// The permanently undefined `udf #0` (A32 0xe7f000f0, T16 0xde00).
    Undefined,
    /// `ldr r1, [r2]`: a data abort when r2 is unaligned and SCTLR.A is set.
    Load,
    /// `bkpt #1`: a prefetch abort on ARMv5 and later.
    Breakpoint,
}

/// The probe's register image: r0-r12, then the CPSR (flags in; whole CPSR
/// out, A32 only), then lr, then FPSCR (A32 with VFP only).
pub type Regs = [u32; 16];
pub const CPSR: usize = 13;
pub const LR: usize = 14;
pub const FPSCR: usize = 15;

macro_rules! a32_probe {
    ($name:literal, $insn:literal) => {
        global_asm!(
            concat!(".pushsection .text.", $name, ", \"ax\", %progbits"),
            ".syntax unified",
            ".arm",
            ".balign 4",
            concat!(".global ", $name),
            concat!(".type ", $name, ", %function"),
            concat!($name, ":"),
            // Twelve words: SP stays 8-aligned. r1 keeps the caller's
            // FPSCR. VFP instructions as `.inst` words, which assemble in
            // every module without a `.fpu` that would outlive this one.
            "push {{r4-r12, lr}}",
            ".if {fpu}",
            ".inst 0xeef11a10 @ vmrs r1, fpscr",
            "ldr r2, [r0, #60]",
            ".inst 0xeee12a10 @ vmsr fpscr, r2",
            ".endif",
            "push {{r0, r1}}",
            "ldr r1, [r0, #52]",
            "msr cpsr_f, r1",
            "ldr lr, [r0, #56]",
            "ldm r0, {{r0-r12}}",
            concat!(".global ", $name, "_insn"),
            concat!($name, "_insn:"),
            $insn,
            "add r7, r7, #1",
            "push {{r0}}",
            "mrs r0, cpsr",
            "push {{r0}}",
            "ldr r0, [sp, #8]",
            "stmib r0, {{r1-r12}}",
            "str lr, [r0, #56]",
            ".if {fpu}",
            ".inst 0xeef11a10 @ vmrs r1, fpscr",
            "str r1, [r0, #60]",
            ".endif",
            "pop {{r1}}",
            "str r1, [r0, #52]",
            "pop {{r1}}",
            "str r1, [r0]",
            "pop {{r0, r1}}",
            ".if {fpu}",
            ".inst 0xeee11a10 @ vmsr fpscr, r1",
            ".endif",
            "pop {{r4-r12, lr}}",
            "bx lr",
            concat!(".size ", $name, ", . - ", $name),
            ".popsection",
            fpu = const crate::rt::FPU as u32,
        );
    };
}

macro_rules! t16_probe {
    ($name:literal, $insn:literal) => {
        global_asm!(
            concat!(".pushsection .text.", $name, ", \"ax\", %progbits"),
            ".syntax unified",
            ".thumb",
            ".balign 4",
            concat!(".global ", $name),
            concat!(".type ", $name, ", %function"),
            ".thumb_func",
            concat!($name, ":"),
            // Ten words: SP stays 8-aligned.
            "push {{r4-r7, lr}}",
            "mov r4, r8",
            "mov r5, r9",
            "mov r6, r10",
            "mov r7, r11",
            "push {{r4-r7}}",
            "push {{r0}}",
            ".irp n, 8,9,10,11,12,14",
            "ldr r1, [r0, #(\\n*4)]",
            "mov r\\n, r1",
            ".endr",
            ".irp n, 1,2,3,4,5,6,7,0",
            "ldr r\\n, [r0, #(\\n*4)]",
            ".endr",
            concat!(".global ", $name, "_insn"),
            concat!($name, "_insn:"),
            $insn,
            "adds r7, r7, #1",
            "push {{r0}}",
            "ldr r0, [sp, #4]",
            ".irp n, 1,2,3,4,5,6,7",
            "str r\\n, [r0, #(\\n*4)]",
            ".endr",
            ".irp n, 8,9,10,11,12,14",
            "mov r1, r\\n",
            "str r1, [r0, #(\\n*4)]",
            ".endr",
            "pop {{r1}}",
            "str r1, [r0]",
            "add sp, #4",
            "pop {{r4-r7}}",
            "mov r8, r4",
            "mov r9, r5",
            "mov r10, r6",
            "mov r11, r7",
            "pop {{r4-r7}}",
            "pop {{r3}}",
            "bx r3",
            concat!(".size ", $name, ", . - ", $name),
            ".popsection",
        );
    };
}

a32_probe!("probe_a32_svc", "svc #1");
a32_probe!("probe_a32_udf", ".word 0xe7f000f0");
a32_probe!("probe_a32_ldr", "ldr r1, [r2]");
a32_probe!("probe_a32_bkpt", ".word 0xe1200071");
t16_probe!("probe_t16_svc", "svc #1");
t16_probe!("probe_t16_udf", ".short 0xde00");
t16_probe!("probe_t16_ldr", "ldr r1, [r2]");
t16_probe!("probe_t16_bkpt", ".short 0xbe01");

// Leave the assembler in the target's default state for what follows.
#[cfg(arm_thumb_mode)]
global_asm!(".thumb");
#[cfg(not(arm_thumb_mode))]
global_asm!(".arm");

unsafe extern "C" {
    fn probe_a32_svc(regs: *mut Regs);
    fn probe_a32_udf(regs: *mut Regs);
    fn probe_a32_ldr(regs: *mut Regs);
    fn probe_a32_bkpt(regs: *mut Regs);
    fn probe_t16_svc(regs: *mut Regs);
    fn probe_t16_udf(regs: *mut Regs);
    fn probe_t16_ldr(regs: *mut Regs);
    fn probe_t16_bkpt(regs: *mut Regs);
    static probe_a32_svc_insn: u8;
    static probe_a32_udf_insn: u8;
    static probe_a32_ldr_insn: u8;
    static probe_a32_bkpt_insn: u8;
    static probe_t16_svc_insn: u8;
    static probe_t16_udf_insn: u8;
    static probe_t16_ldr_insn: u8;
    static probe_t16_bkpt_insn: u8;
}

/// Runs the probe of `kind` in Thumb state if `thumb`, else in A32 state.
/// Returns the address of its exception-raising instruction.
///
/// # Safety
///
/// The matching exception handler must be installed and resume after the
/// instruction.
pub unsafe fn run(kind: Kind, thumb: bool, regs: &mut Regs) -> u32 {
    let regs = regs as *mut Regs;
    // SAFETY: the caller's contract; the probes preserve the callee-saved
    // registers and write only `regs`.
    unsafe {
        match (kind, thumb) {
            (Kind::Svc, false) => probe_a32_svc(regs),
            (Kind::Undefined, false) => probe_a32_udf(regs),
            (Kind::Load, false) => probe_a32_ldr(regs),
            (Kind::Breakpoint, false) => probe_a32_bkpt(regs),
            (Kind::Svc, true) => probe_t16_svc(regs),
            (Kind::Undefined, true) => probe_t16_udf(regs),
            (Kind::Load, true) => probe_t16_ldr(regs),
            (Kind::Breakpoint, true) => probe_t16_bkpt(regs),
        }
        let insn = match (kind, thumb) {
            (Kind::Svc, false) => &raw const probe_a32_svc_insn,
            (Kind::Undefined, false) => &raw const probe_a32_udf_insn,
            (Kind::Load, false) => &raw const probe_a32_ldr_insn,
            (Kind::Breakpoint, false) => &raw const probe_a32_bkpt_insn,
            (Kind::Svc, true) => &raw const probe_t16_svc_insn,
            (Kind::Undefined, true) => &raw const probe_t16_udf_insn,
            (Kind::Load, true) => &raw const probe_t16_ldr_insn,
            (Kind::Breakpoint, true) => &raw const probe_t16_bkpt_insn,
        };
        insn as u32
    }
}
