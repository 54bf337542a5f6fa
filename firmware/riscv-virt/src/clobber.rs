//! Junk in every caller-saved register, written from inside handler bodies.
//!
//! Compiled code only clobbers the registers it happens to allocate; a body
//! that calls [`caller_saved`] clobbers all that its calling convention allows
//! (`ra`, `t0`–`t6`, `a0`–`a7`; on RV32E `ra`, `t0`–`t2`, `a0`–`a5`; with
//! `cfg(fpu)` and the FPU on also `ft0`–`ft11`, `fa0`–`fa7` and `fcsr`, and
//! with `cfg(soft_float_abi)` `fs0`–`fs11`). An entry that forgets
//! to save any of them hands junk back to the interrupted code, which the
//! register torture then reports.

use core::arch::asm;

/// Overwrites every caller-saved register with values derived from `seed`
/// (a counter: the values differ per call, and no junk value repeats a
/// pattern value except by a 2^-32 chance). Shifts and xors only: RV32E has
/// no multiplier, and a slow handler would leave the torture no time.
#[inline(always)]
pub fn caller_saved(seed: usize) {
    let seed = seed.rotate_left(11) ^ 0xA5C3_5A3C;
    // With `FS` Off the FP state is not ours to clobber (nor reachable).
    #[cfg(fpu)]
    if crate::fp_env::fpu_on() {
        // SAFETY: `junk_fp` only writes registers and `fcsr` that the C ABI
        // lets a callee clobber; nothing in the body uses FP arithmetic
        // afterwards.
        unsafe { junk_fp(seed) };
    }
    junk_gprs(seed);
}

#[cfg(not(target_abi = "ilp32e"))]
#[inline(always)]
fn junk_gprs(seed: usize) {
    // SAFETY: writes only registers declared as outputs.
    unsafe {
        asm!(
            ".irp n, 1,5,6,7,11,12,13,14,15,16,17,28,29,30,31",
            "addi x\\n, a0, \\n",
            ".endr",
            "addi a0, a0, 10",
            inout("a0") seed => _,
            out("ra") _, out("t0") _, out("t1") _, out("t2") _,
            out("a1") _, out("a2") _, out("a3") _, out("a4") _,
            out("a5") _, out("a6") _, out("a7") _,
            out("t3") _, out("t4") _, out("t5") _, out("t6") _,
            options(nomem, nostack),
        )
    }
}

#[cfg(target_abi = "ilp32e")]
#[inline(always)]
fn junk_gprs(seed: usize) {
    // SAFETY: writes only registers declared as outputs.
    unsafe {
        asm!(
            ".irp n, 1,5,6,7,11,12,13,14,15",
            "addi x\\n, a0, \\n",
            ".endr",
            "addi a0, a0, 10",
            inout("a0") seed => _,
            out("ra") _, out("t0") _, out("t1") _, out("t2") _,
            out("a1") _, out("a2") _, out("a3") _, out("a4") _, out("a5") _,
            options(nomem, nostack),
        )
    }
}

/// Writes junk into the caller-saved FP registers and `fcsr` (whose rounding
/// mode may come out invalid: nothing rounds before the entry restores it).
/// A call rather than inline assembly: FP register operands need the `d`
/// feature visible to `cfg`, which stable rustc does not promise.
#[cfg(fpu)]
#[unsafe(naked)]
unsafe extern "C" fn junk_fp(seed: usize) {
    core::arch::naked_asm!(
        ".option push",
        ".option arch, +d",
        ".irp n, 0,1,2,3,4,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31",
        "fmv.d.x f\\n, a0",
        "addi a0, a0, 1",
        ".endr",
        // `lp64` leaves fs0-fs11 to the caller as well.
        ".if {soft_float_abi}",
        ".irp n, 8,9,18,19,20,21,22,23,24,25,26,27",
        "fmv.d.x f\\n, a0",
        "addi a0, a0, 1",
        ".endr",
        ".endif",
        "csrw fcsr, a0",
        ".option pop",
        "ret",
        soft_float_abi = const cfg!(soft_float_abi) as usize,
    )
}
