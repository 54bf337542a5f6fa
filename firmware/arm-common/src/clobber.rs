//! Junk in every caller-saved register, written from inside handler bodies.
//!
//! Compiled code only clobbers the registers it happens to allocate; a body
//! that calls [`caller_saved`] clobbers all that AAPCS lets it: r0-r3, r12,
//! lr and, with VFP, d0-d7, d16-d31 and FPSCR. An entry that forgets to save
//! any of them hands junk back to the interrupted code, which the register
//! torture then reports. (d8-d15 are callee-saved: a body that used them
//! would save them itself.)

use core::arch::asm;

/// Overwrites every caller-saved register with values derived from `seed`
/// (a counter, so the values differ per call).
#[inline(always)]
pub fn caller_saved(seed: u32) {
    #[cfg(arm_fpregs)]
    vfp(seed.rotate_left(11) ^ 0xA5C3_5A3C);
    integer(seed);
}

/// [`caller_saved`] but for the VFP registers: for bodies that run with VFP
/// disabled.
#[inline(always)]
pub fn integer(seed: u32) {
    let seed = seed.rotate_left(11) ^ 0xA5C3_5A3C;
    // The same instructions assemble as A32, Thumb-2 and ARMv4T's Thumb-1
    // (low-register `adds`, `mov` to high registers).
    // SAFETY: writes only registers declared as outputs.
    unsafe {
        asm!(
            "adds r1, r0, #1",
            "adds r2, r0, #2",
            "adds r3, r0, #3",
            "mov r12, r1",
            "mov lr, r2",
            "adds r0, r0, #5",
            inout("r0") seed => _,
            out("r1") _, out("r2") _, out("r3") _, out("r12") _, out("lr") _,
            options(nomem, nostack),
        )
    }
}

/// Junk in d0-d7 (and d16-d31) and FPSCR: NZCV, rounding mode, FZ, DN and
/// the cumulative exception flags (no trap enables, no short vectors: the
/// entry's own `vpop` must still work before it restores FPSCR).
#[cfg(arm_fpregs)]
#[inline(always)]
fn vfp(seed: u32) {
    let fpscr = seed & 0xf3c0_009f;
    // SAFETY: writes only registers declared as outputs, and FPSCR, which
    // nothing in the body uses afterwards.
    unsafe {
        asm!(
            ".irp n, 0,1,2,3,4,5,6,7",
            "vmov d\\n, {a}, {b}",
            ".endr",
            "vmsr fpscr, {f}",
            a = in(reg) seed,
            b = in(reg) !seed,
            f = in(reg) fpscr,
            out("d0") _, out("d1") _, out("d2") _, out("d3") _,
            out("d4") _, out("d5") _, out("d6") _, out("d7") _,
            options(nomem, nostack),
        );
        #[cfg(arm_d32)]
        asm!(
            ".irp n, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "vmov d\\n, {b}, {a}",
            ".endr",
            a = in(reg) seed,
            b = in(reg) !seed,
            out("d16") _, out("d17") _, out("d18") _, out("d19") _,
            out("d20") _, out("d21") _, out("d22") _, out("d23") _,
            out("d24") _, out("d25") _, out("d26") _, out("d27") _,
            out("d28") _, out("d29") _, out("d30") _, out("d31") _,
            options(nomem, nostack),
        );
    }
}
