//! The Thumb-1 torture routine (ARMv4T's Thumb: loads, stores and most ALU
//! operations reach only r0-r7; `mov` and `cmp` reach r8-r12 and lr).
//!
//! T is r7 and U is r6. A pass compares T with its pattern (U as the
//! scratch, its live value parked), then r0-r6 and r8-r12, lr with T as the
//! scratch. Thumb-1 cannot read the CPSR, so the flags are checked only by
//! the A32 rounds. Conditional branches reach 256 bytes, so the failure stubs
//! follow the loop directly.

use core::arch::global_asm;
use core::mem::{offset_of, size_of};

use super::Failure;

#[repr(C)]
struct Frame {
    fail: Failure,
    passes: u32,
    parked: u32,
}

/// `sub sp, #imm` reaches 508.
const FRAME_BYTES: usize = (size_of::<Frame>() + 7) & !7;
const _: () = assert!(FRAME_BYTES <= 508);

global_asm!(
    ".pushsection .text.torture_t16, \"ax\", %progbits",
    ".balign 4",
    ".syntax unified",
    ".thumb",
    ".global torture_t16",
    ".type torture_t16, %function",
    ".thumb_func",
    "torture_t16:",
    // r0 = &Pattern::x, r1 = passes. Save r4-r11 and lr (nine words) and
    // allocate the frame plus one filler word, so SP stays 8-aligned.
    "push {{r4-r7, lr}}",
    "mov r4, r8",
    "mov r5, r9",
    "mov r6, r10",
    "mov r7, r11",
    "push {{r4-r7}}",
    "sub sp, #({frame} + 4)",
    "str r1, [sp, #{passes}]",
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,14",
    "ldr r2, [r0, #(\\n*4)]",
    "str r2, [sp, #({x} + \\n*4)]",
    ".endr",
    // Fill: high registers through r7, then the low ones.
    ".irp n, 8,9,10,11,12,14",
    "ldr r7, [sp, #({x} + \\n*4)]",
    "mov r\\n, r7",
    ".endr",
    ".irp n, 0,1,2,3,4,5,6,7",
    "ldr r\\n, [sp, #({x} + \\n*4)]",
    ".endr",
    // One pass: T first, with U as the scratch.
    "1:",
    "str r6, [sp, #{parked}]",
    "ldr r6, [sp, #({x} + 7*4)]",
    "cmp r7, r6",
    "bne 8f",
    "ldr r6, [sp, #{parked}]",
    ".irp n, 0,1,2,3,4,5,6,8,9,10,11,12,14",
    "ldr r7, [sp, #({x} + \\n*4)]",
    "cmp r\\n, r7",
    "bne 5\\n\\()f",
    ".endr",
    "ldr r7, [sp, #{passes}]",
    "subs r7, #1",
    "str r7, [sp, #{passes}]",
    "beq 2f",
    "ldr r7, [sp, #({x} + 7*4)]",
    "b 1b",
    // Round done. `pop {{pc}}` does not interwork on ARMv4T: `bx`.
    "2:",
    "add sp, #({frame} + 4)",
    "pop {{r4-r7}}",
    "mov r8, r4",
    "mov r9, r5",
    "mov r10, r6",
    "mov r11, r7",
    "pop {{r4-r7}}",
    "pop {{r3}}",
    "bx r3",
    // Failures: T holds the expected value.
    ".irp n, 0,1,2,3,4,5,6",
    "5\\n\\():",
    "str r7, [sp, #{expected}]",
    "str r\\n, [sp, #{actual}]",
    "movs r7, #\\n",
    "b 9f",
    ".endr",
    ".irp n, 8,9,10,11,12,14",
    "5\\n\\():",
    "str r7, [sp, #{expected}]",
    "mov r7, r\\n",
    "str r7, [sp, #{actual}]",
    "movs r7, #\\n",
    "b 9f",
    ".endr",
    // T compared with U.
    "8:",
    "str r6, [sp, #{expected}]",
    "str r7, [sp, #{actual}]",
    "ldr r6, [sp, #{parked}]",
    "movs r7, #7",
    "9:",
    "str r7, [sp, #{what}]",
    ".irp n, 0,1,2,3,4,5,6",
    "str r\\n, [sp, #({dump} + \\n*4)]",
    ".endr",
    ".irp n, 8,9,10,11,12,14",
    "mov r7, r\\n",
    "str r7, [sp, #({dump} + \\n*4)]",
    ".endr",
    // Mask IRQ and FIQ (a broken handler must not corrupt the report),
    // which takes A32: `bx pc` from a word-aligned address enters A32 state
    // at the next word.
    ".balign 4",
    "bx pc",
    "nop",
    ".arm",
    "mrs r0, cpsr",
    "orr r0, r0, #0xc0",
    "msr cpsr_c, r0",
    "mov r0, sp",
    "mov r1, #1",
    "ldr r2, ={report}",
    "bx r2",
    ".ltorg",
    ".size torture_t16, . - torture_t16",
    ".popsection",
    frame = const FRAME_BYTES,
    passes = const offset_of!(Frame, passes),
    parked = const offset_of!(Frame, parked),
    x = const offset_of!(Frame, fail) + offset_of!(Failure, x),
    what = const offset_of!(Frame, fail) + offset_of!(Failure, what),
    expected = const offset_of!(Frame, fail) + offset_of!(Failure, expected),
    actual = const offset_of!(Frame, fail) + offset_of!(Failure, actual),
    dump = const offset_of!(Frame, fail) + offset_of!(Failure, dump),
    report = sym super::failed,
);

// Leave the assembler in the target's default state for what follows.
#[cfg(arm_thumb_mode)]
global_asm!(".thumb");
#[cfg(not(arm_thumb_mode))]
global_asm!(".arm");

unsafe extern "C" {
    /// Loads the general-purpose pattern `x` and checks r0-r12 and lr
    /// `passes` times, in Thumb state.
    pub fn torture_t16(x: *const u32, passes: u32);
}
