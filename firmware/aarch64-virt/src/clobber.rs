//! Junk in every caller-saved register, written from inside handler bodies.
//!
//! Compiled code only clobbers the registers it happens to allocate; a body
//! that calls [`caller_saved`] clobbers all that AAPCS64 lets a callee
//! clobber: x0–x18, x30 (x18 is a temporary on `aarch64-unknown-none`),
//! NZCV, and with FP/SIMD every bit of v0–v31 (the compiler saves the low
//! halves of v8–v15, which AAPCS64 preserves, in the body's prologue: their
//! upper halves are junk on return) and FPSR. An entry that forgets to save
//! any of them hands junk back to the interrupted code, which the register
//! torture then reports.

use core::arch::asm;

/// Overwrites every caller-saved register with values derived from `seed`
/// (a counter: the values differ per call).
#[inline(always)]
pub fn caller_saved(seed: u64) {
    let seed = seed.rotate_left(23) ^ 0xA5C3_5A3C_0F1E_2D4B;
    #[cfg(target_feature = "neon")]
    junk_fp(seed);
    junk_gprs(seed);
}

#[inline(always)]
fn junk_gprs(seed: u64) {
    // SAFETY: writes only registers declared as outputs.
    unsafe {
        asm!(
            ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,30",
            "add x\\n, x0, #\\n",
            ".endr",
            "msr nzcv, x0",
            "add x0, x0, #77",
            inout("x0") seed => _,
            out("x1") _, out("x2") _, out("x3") _, out("x4") _, out("x5") _,
            out("x6") _, out("x7") _, out("x8") _, out("x9") _, out("x10") _,
            out("x11") _, out("x12") _, out("x13") _, out("x14") _, out("x15") _,
            out("x16") _, out("x17") _, out("x18") _, out("x30") _,
            options(nomem, nostack),
        )
    }
}

#[cfg(target_feature = "neon")]
#[inline(always)]
fn junk_fp(seed: u64) {
    // SAFETY: writes only registers declared as outputs, and FPSR, whose
    // cumulative flags no caller relies on.
    unsafe {
        asm!(
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "dup v\\n\\().2d, {seed}",
            "eor {seed}, {seed}, {seed}, ror #7",
            "mov v\\n\\().d[1], {seed}",
            ".endr",
            "msr fpsr, {seed}",
            seed = inout(reg) seed => _,
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _,
            out("v5") _, out("v6") _, out("v7") _, out("v8") _, out("v9") _,
            out("v10") _, out("v11") _, out("v12") _, out("v13") _, out("v14") _,
            out("v15") _, out("v16") _, out("v17") _, out("v18") _, out("v19") _,
            out("v20") _, out("v21") _, out("v22") _, out("v23") _, out("v24") _,
            out("v25") _, out("v26") _, out("v27") _, out("v28") _, out("v29") _,
            out("v30") _, out("v31") _,
            options(nomem, nostack),
        )
    }
}
