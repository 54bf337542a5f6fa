//! The A32 torture routine, and the same source assembled as Thumb-2.
//!
//! T is r12 and U is r11. One pass:
//!
//! 1. park U, read the CPSR into U before any comparison changes the flags,
//!    keep it in the frame;
//! 2. compare T with its pattern (U as the scratch), then the CPSR read in 1;
//!    unpark U;
//! 3. compare r0-r11 and lr, T as the scratch;
//! 4. with VFP: park U again, store each d register to the frame and compare
//!    both halves (T and U), compare FPSCR; unpark U;
//! 5. in the FPEXC variants (VFP disabled, the registers not tortured):
//!    compare FPEXC with 0, T as the scratch;
//! 6. count the pass down, put the pattern flags back (`msr cpsr_fs`) and T's
//!    pattern value, and go again.

use core::arch::global_asm;
use core::mem::{offset_of, size_of};

use super::{Failure, Pattern};

/// Stack frame of the routines; everything is addressed from SP.
#[repr(C)]
struct Frame {
    /// Expected d registers (VFP stores reach only 1020 bytes from SP).
    d: [u64; 32],
    /// Where a d register is stored to be compared word by word.
    seen_d: u64,
    fail: Failure,
    /// The CPSR as read back after loading the pattern flags.
    cpsr: u32,
    /// FPSCR as read back after loading its pattern.
    fpscr: u32,
    passes: u32,
    /// U's live value while U serves as a scratch register.
    parked: u32,
    seen_cpsr: u32,
    /// The caller's FPSCR, restored on return.
    caller_fpscr: u32,
}

const FRAME_BYTES: usize = (size_of::<Frame>() + 7) & !7;
const X: usize = offset_of!(Frame, fail) + offset_of!(Failure, x);

/// Emits one routine: `$name`, assembled after the directives `$isa`;
/// `$fpu` says whether it tortures the VFP registers, `$fpexc` whether it
/// checks that FPEXC stays 0 instead.
macro_rules! torture_routine {
    ($name:literal, $isa:literal, $isa_id:literal, $fpu:expr, $fpexc:expr) => {
        global_asm!(
            concat!(".pushsection .text.", $name, ", \"ax\", %progbits"),
            ".balign 4",
            ".syntax unified",
            $isa,
            concat!(".global ", $name),
            concat!(".type ", $name, ", %function"),
            concat!($name, ":"),
            ".if {fpu} | {fpexc}",
            ".if {d32}",
            ".fpu vfpv3",
            ".else",
            ".fpu vfpv2",
            ".endif",
            ".endif",
            // r0 = &Pattern, r1 = passes. Save what AAPCS makes us (SP stays
            // 8-aligned: 9 words and a filler).
            "push {{r4-r11, lr}}",
            "sub sp, sp, #4",
            ".if {fpu}",
            "vpush {{d8-d15}}",
            ".endif",
            "ldr r12, ={frame}",
            "sub sp, sp, r12",
            "str r1, [sp, #{passes}]",
            // Copy the pattern into the frame; VFP registers are filled on
            // the way.
            ".if {fpu}",
            "vmrs r1, fpscr",
            "str r1, [sp, #{caller_fpscr}]",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
            "vldr d\\n, [r0, #(\\n*8)]",
            "vstr d\\n, [sp, #(\\n*8)]",
            ".endr",
            ".if {d32}",
            ".irp n, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "vldr d\\n, [r0, #(\\n*8)]",
            "vstr d\\n, [sp, #(\\n*8)]",
            ".endr",
            ".endif",
            "ldr r1, [r0, #{p_fpscr}]",
            "vmsr fpscr, r1",
            "vmrs r1, fpscr",
            "str r1, [sp, #{fpscr}]",
            ".endif",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,14",
            "ldr r1, [r0, #({p_x} + \\n*4)]",
            "str r1, [sp, #({x} + \\n*4)]",
            ".endr",
            "ldr r1, [r0, #{p_flags}]",
            "msr cpsr_fs, r1",
            "mrs r1, cpsr",
            "str r1, [sp, #{cpsr}]",
            // Fill: from here on every register holds its pattern value.
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,14",
            "ldr r\\n, [sp, #({x} + \\n*4)]",
            ".endr",
            // One pass. The CPSR first, then T, with U as the scratch.
            "1:",
            "str r11, [sp, #{parked}]",
            "mrs r11, cpsr",
            "str r11, [sp, #{seen_cpsr}]",
            "ldr r11, [sp, #({x} + 12*4)]",
            "cmp r12, r11",
            "bne 8f",
            "ldr r12, [sp, #{seen_cpsr}]",
            "ldr r11, [sp, #{cpsr}]",
            "cmp r12, r11",
            "bne 7f",
            "ldr r11, [sp, #{parked}]",
            // Every other register, with T as the scratch.
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,14",
            "ldr r12, [sp, #({x} + \\n*4)]",
            "cmp r\\n, r12",
            "bne 5\\n\\()f",
            ".endr",
            ".if {fpu}",
            "str r11, [sp, #{parked}]",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
            "vstr d\\n, [sp, #{seen_d}]",
            "ldr r12, [sp, #{seen_d}]",
            "ldr r11, [sp, #(\\n*8)]",
            "cmp r12, r11",
            "bne 6\\n\\()f",
            "ldr r12, [sp, #({seen_d} + 4)]",
            "ldr r11, [sp, #(\\n*8 + 4)]",
            "cmp r12, r11",
            "bne 6\\n\\()f",
            ".endr",
            ".if {d32}",
            ".irp n, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "vstr d\\n, [sp, #{seen_d}]",
            "ldr r12, [sp, #{seen_d}]",
            "ldr r11, [sp, #(\\n*8)]",
            "cmp r12, r11",
            "bne 6\\n\\()f",
            "ldr r12, [sp, #({seen_d} + 4)]",
            "ldr r11, [sp, #(\\n*8 + 4)]",
            "cmp r12, r11",
            "bne 6\\n\\()f",
            ".endr",
            ".endif",
            "vmrs r12, fpscr",
            "ldr r11, [sp, #{fpscr}]",
            "cmp r12, r11",
            "bne 4f",
            "ldr r11, [sp, #{parked}]",
            ".endif",
            ".if {fpexc}",
            "vmrs r12, fpexc",
            "cmp r12, #0",
            "bne 10f",
            ".endif",
            // Count the pass down; put the flags and T back and go again.
            "ldr r12, [sp, #{passes}]",
            "subs r12, r12, #1",
            "str r12, [sp, #{passes}]",
            "beq 2f",
            "ldr r12, [sp, #{cpsr}]",
            "msr cpsr_fs, r12",
            "ldr r12, [sp, #({x} + 12*4)]",
            "b 1b",
            // Round done: give the caller its registers back.
            "2:",
            ".if {fpu}",
            "ldr r1, [sp, #{caller_fpscr}]",
            "vmsr fpscr, r1",
            ".endif",
            "ldr r12, ={frame}",
            "add sp, sp, r12",
            ".if {fpu}",
            "vpop {{d8-d15}}",
            ".endif",
            "add sp, sp, #4",
            "pop {{r4-r11, lr}}",
            "bx lr",
            // Failures. A register compared with T: T holds the expected value.
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,14",
            "5\\n\\():",
            "str r12, [sp, #{expected}]",
            "str r\\n, [sp, #{actual}]",
            "mov r12, #\\n",
            "b 9f",
            ".endr",
            // T, the CPSR, a d register half or FPSCR (in T) compared with
            // U, whose live value is parked.
            "8:",
            "str r11, [sp, #{expected}]",
            "str r12, [sp, #{actual}]",
            "mov r12, #12",
            "b 3f",
            "7:",
            "str r11, [sp, #{expected}]",
            "str r12, [sp, #{actual}]",
            "mov r12, #16",
            "b 3f",
            ".if {fpu}",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "6\\n\\():",
            "str r11, [sp, #{expected}]",
            "str r12, [sp, #{actual}]",
            "mov r12, #(32 + \\n)",
            "b 3f",
            ".endr",
            "4:",
            "str r11, [sp, #{expected}]",
            "str r12, [sp, #{actual}]",
            "mov r12, #64",
            ".endif",
            "3:",
            "ldr r11, [sp, #{parked}]",
            "b 9f",
            // FPEXC (in T), expected 0.
            "10:",
            "str r12, [sp, #{actual}]",
            "mov r12, #0",
            "str r12, [sp, #{expected}]",
            "mov r12, #65",
            "9:",
            "str r12, [sp, #{what}]",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,14",
            "str r\\n, [sp, #({dump} + \\n*4)]",
            ".endr",
            // Mask IRQ and FIQ: a broken handler must not corrupt the report.
            "mrs r0, cpsr",
            "orr r0, r0, #0xc0",
            "msr cpsr_c, r0",
            "ldr r1, ={fail}",
            "add r0, sp, r1",
            concat!("mov r1, #", $isa_id),
            "ldr r2, ={report}",
            "bx r2",
            ".ltorg",
            concat!(".size ", $name, ", . - ", $name),
            ".popsection",
            frame = const FRAME_BYTES,
            fpu = const $fpu as u32,
            fpexc = const $fpexc as u32,
            d32 = const crate::rt::D32 as u32,
            passes = const offset_of!(Frame, passes),
            parked = const offset_of!(Frame, parked),
            cpsr = const offset_of!(Frame, cpsr),
            seen_cpsr = const offset_of!(Frame, seen_cpsr),
            fpscr = const offset_of!(Frame, fpscr),
            caller_fpscr = const offset_of!(Frame, caller_fpscr),
            seen_d = const offset_of!(Frame, seen_d),
            x = const X,
            fail = const offset_of!(Frame, fail),
            what = const offset_of!(Frame, fail) + offset_of!(Failure, what),
            expected = const offset_of!(Frame, fail) + offset_of!(Failure, expected),
            actual = const offset_of!(Frame, fail) + offset_of!(Failure, actual),
            dump = const offset_of!(Frame, fail) + offset_of!(Failure, dump),
            p_x = const offset_of!(Pattern, x),
            p_flags = const offset_of!(Pattern, flags),
            p_fpscr = const offset_of!(Pattern, fpscr),
            report = sym super::failed,
        );
    };
}

torture_routine!("torture_a32", ".arm", "0", crate::rt::FPU, false);
#[cfg(arm_thumb2)]
torture_routine!(
    "torture_t32",
    ".thumb\n.thumb_func",
    "2",
    crate::rt::FPU,
    false
);
#[cfg(arm_fpregs)]
torture_routine!("torture_a32_fpexc", ".arm", "0", false, true);
#[cfg(all(arm_fpregs, arm_thumb2))]
torture_routine!("torture_t32_fpexc", ".thumb\n.thumb_func", "2", false, true);

// Leave the assembler in the target's default state for what follows.
#[cfg(arm_thumb_mode)]
global_asm!(".thumb");
#[cfg(not(arm_thumb_mode))]
global_asm!(".arm");

unsafe extern "C" {
    /// Loads `pattern` and checks every register `passes` times, in A32
    /// state. Returns with the callee-saved registers as they were; diverges
    /// into [`super::failed`] on a mismatch.
    pub fn torture_a32(pattern: &Pattern, passes: u32);
    /// The same in Thumb-2 state.
    #[cfg(arm_thumb2)]
    pub fn torture_t32(pattern: &Pattern, passes: u32);
    /// [`torture_a32`] for code that runs with VFP disabled: r0-r12, lr and
    /// the CPSR, and FPEXC, which must stay 0; no VFP register.
    #[cfg(arm_fpregs)]
    pub fn torture_a32_fpexc(pattern: &Pattern, passes: u32);
    /// The same in Thumb-2 state.
    #[cfg(all(arm_fpregs, arm_thumb2))]
    pub fn torture_t32_fpexc(pattern: &Pattern, passes: u32);
}

/// Stand-in on targets without Thumb-2, where the Thumb rounds use `t16`.
#[cfg(not(arm_thumb2))]
pub unsafe fn torture_t32(_: &Pattern, _: u32) {
    unreachable!()
}

/// Stand-ins where there is no VFP to disable (or no Thumb-2).
#[cfg(not(arm_fpregs))]
pub unsafe fn torture_a32_fpexc(_: &Pattern, _: u32) {
    unreachable!()
}
#[cfg(not(all(arm_fpregs, arm_thumb2)))]
pub unsafe fn torture_t32_fpexc(_: &Pattern, _: u32) {
    unreachable!()
}
