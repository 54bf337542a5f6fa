//! BIOS-called handlers (issue 4, item 3): firmware written in A32 calls a
//! user's handler as an ordinary AAPCS function, the way the Game Boy
//! Advance BIOS calls the IRQ handler whose address the game stored at
//! 0x0300_7FFC. No interrupt ABI is involved; what matters is the
//! instruction set of the handler and the parity of its address:
//!
//! - On `thumbv4t-none-eabi` (or `armv4t-none-eabi`), write the handler as
//!   `#[instruction_set(arm::a32)] extern "C" fn`. Its address is even: A32
//!   code. A Thumb function's address is odd (bit 0 set), as the
//!   `instruction_set` RFC says: `bx` and, from ARMv5T on, `ldr pc`/`pop
//!   {pc}` switch to the state bit 0 names.
//! - ARMv4T's `ldr pc` and `mov pc` do *not* interwork: a BIOS that calls
//!   with `ldr pc, [rN]` (the GBA BIOS does: `add lr, pc, #0; ldr pc, [r0,
//!   #-4]`) needs an A32 handler there; a Thumb one would be run as A32 and
//!   crash. A BIOS that calls with `bx` takes either.
//!
//! The scenario puts both kinds in a table the "BIOS" (A32 assembly) reads,
//! checks the parity of each address, calls the A32 handler with `ldr pc`
//! and both with `bx`, and checks their results and that the BIOS's own
//! registers survived (the handlers are ordinary AAPCS functions).

use core::arch::naked_asm;

use crate::report::Checks;

/// The user's handler, in A32 on every target.
#[instruction_set(arm::a32)]
#[inline(never)]
extern "C" fn handler_a32(x: u32) -> u32 {
    x.rotate_left(7) ^ 0xa32a_32a3
}

/// The same in Thumb, for the `bx` call (Thumb exists on every target here).
#[instruction_set(arm::t32)]
#[inline(never)]
extern "C" fn handler_t32(x: u32) -> u32 {
    x.rotate_left(9) ^ 0x7327_3273
}

/// The "BIOS": A32 code that calls `table[index]` GBA-style with `ldr pc`
/// (if `ldr_pc`) or with `bx`, passing `arg`, and returns the result. The
/// callee-saved registers hold values an AAPCS handler must preserve; if r4,
/// r7 or r11 changed, the result is replaced by 0xdeadbad0.
#[unsafe(naked)]
#[instruction_set(arm::a32)]
extern "C" fn bios_call(table: *const usize, index: u32, arg: u32, ldr_pc: u32) -> u32 {
    naked_asm!(
        "push {{r4-r11, lr}}",
        "sub sp, sp, #4",
        "add r12, r0, r1, lsl #2",
        "mov r0, r2",
        // Values the handler must preserve (AAPCS callee-saved).
        "ldr r4, =0x44444444",
        "ldr r5, =0x55555555",
        "ldr r6, =0x66666666",
        "ldr r7, =0x77777777",
        "ldr r8, =0x88888888",
        "ldr r9, =0x99999999",
        "ldr r10, =0xaaaaaaaa",
        "ldr r11, =0xbbbbbbbb",
        "cmp r3, #0",
        "beq 1f",
        // GBA style: lr = the instruction after `ldr pc`.
        "add lr, pc, #0",
        "ldr pc, [r12]",
        "b 2f",
        "1:",
        "ldr r12, [r12]",
        "mov lr, pc",
        "bx r12",
        "2:",
        // A clobbered callee-saved register turns the result into a marker.
        "ldr r1, =0x44444444",
        "cmp r4, r1",
        "ldreq r1, =0x77777777",
        "cmpeq r7, r1",
        "ldreq r1, =0xbbbbbbbb",
        "cmpeq r11, r1",
        "ldrne r0, =0xdeadbad0",
        "add sp, sp, #4",
        "pop {{r4-r11, lr}}",
        "bx lr",
        ".ltorg",
    )
}

/// Runs the scenario; prints its report line.
pub fn run() {
    let table: [usize; 2] = [
        handler_a32 as *const () as usize,
        handler_t32 as *const () as usize,
    ];
    let mut checks = Checks::new();
    checks.expect(
        table[0] & 1 == 0,
        format_args!("A32 handler at odd address {:#x}", table[0]),
    );
    checks.expect(
        table[1] & 1 == 1,
        format_args!("Thumb handler at even address {:#x}", table[1]),
    );
    let mut calls = 0u32;
    for arg in [0u32, 1, 0x8000_0001, 0x1234_5678] {
        for (index, want, ldr_pc) in [
            (0, handler_a32(arg), true),
            (0, handler_a32(arg), false),
            (1, handler_t32(arg), false),
        ] {
            let got = bios_call(table.as_ptr(), index, arg, ldr_pc as u32);
            calls += 1;
            checks.expect(
                got == want,
                format_args!(
                    "BIOS call of table[{index}] with {}: {got:#x}, want {want:#x}",
                    if ldr_pc { "ldr pc" } else { "bx" }
                ),
            );
        }
    }
    checks.report(&[&[
        ("abi", &"C+instruction_set(a32)"),
        ("scenario", &"bios-call"),
        ("calls", &calls),
        ("a32_handler", &format_args!("{:#x}", table[0])),
        ("t32_handler", &format_args!("{:#x}", table[1])),
    ]]);
}
