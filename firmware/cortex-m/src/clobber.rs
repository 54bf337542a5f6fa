//! Junk in every caller-saved register, written from inside handler bodies.
//!
//! A body that calls [`caller_saved`] clobbers all that AAPCS lets a callee
//! clobber: r0–r3, r12, LR and the flags. On Cortex-M the hardware restores
//! them on exception return (and LR holds EXC_RETURN, which the body's own
//! prologue keeps): the torture then proves that the body is an ordinary
//! AAPCS function the hardware may call directly.

use core::arch::asm;

/// Overwrites every caller-saved register with values derived from `seed`.
#[inline(always)]
pub fn caller_saved(seed: u32) {
    let seed = seed.rotate_left(11) ^ 0xa5c3_5a3c;
    // SAFETY: writes only registers declared as outputs (and the flags).
    unsafe {
        asm!(
            "adds r1, r0, #1",
            "adds r2, r0, #2",
            "adds r3, r0, #3",
            "add.w r12, r0, #12",
            "add.w lr, r0, #14",
            "msr apsr_nzcvq, r0",
            inout("r0") seed => _,
            out("r1") _, out("r2") _, out("r3") _, out("r12") _, out("lr") _,
            options(nomem, nostack),
        )
    }
}
