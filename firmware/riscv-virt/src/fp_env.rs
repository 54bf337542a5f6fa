//! The FP environment handler bodies run in, and `mstatus.FS`/`sstatus.FS`
//! as the interrupted code left it.
//!
//! Every storm body calls [`body_start`] first. With the FPU on, it records
//! the `fcsr` the body found (which must be 0: round to nearest, even, and
//! no flags, whatever the interrupted code had set) and divides 1 by 10,
//! which is inexact (sets NX) and rounds up only under the round-to-nearest
//! modes: if the entry left the interrupted code's `fcsr` to the body, the
//! quotient or the flags come out different. The register torture checks
//! that the interrupted code gets its own `fcsr` back, bit for bit, after
//! the body's arithmetic. With the FPU off (`FS` = Off), it records whether
//! the body still finds it off: the entry must not switch it on.
//!
//! On targets without the FPU nothing is probed and nothing is checked.

use fw_common::Shared;

use crate::report::Checks;

/// Whether the interrupted code of the current storm keeps `FS` Off.
static FS_OFF: Shared<bool> = Shared::new(false);
/// Bodies probed, and those that found something wrong, with the first
/// wrong value for the message.
static PROBED: Shared<usize> = Shared::new(0);
static BAD_FCSR: Shared<usize> = Shared::new(0);
static FIRST_BAD_FCSR: Shared<usize> = Shared::new(0);
static BAD_QUOTIENT: Shared<usize> = Shared::new(0);
static FIRST_BAD_QUOTIENT: Shared<u64> = Shared::new(0);
static BAD_FS: Shared<usize> = Shared::new(0);
static FIRST_BAD_FS: Shared<usize> = Shared::new(0);

/// 1.0 / 10.0 rounded to nearest (even); RTZ and RDN give ...999.
const TENTH: u64 = 0x3FB9_9999_9999_999A;

/// `xstatus.FS` (bits 13-14; the same field in `mstatus` and `sstatus`).
pub const FS_MASK: usize = 3 << 13;

/// `FS` of this hart, read through `sstatus`, which M-mode may read too.
pub fn fs() -> usize {
    (crate::csr::csr_read!("sstatus") & FS_MASK) >> 13
}

/// Whether F/D instructions may run now.
#[cfg(fpu)]
pub fn fpu_on() -> bool {
    fs() != 0
}

/// Resets the counters for a storm whose interrupted code runs with `FS`
/// Off when `fs_off`.
pub fn begin(fs_off: bool) {
    FS_OFF.set(fs_off);
    for s in [&PROBED, &BAD_FCSR, &BAD_QUOTIENT, &BAD_FS] {
        s.set(0);
    }
}

/// First thing in every storm body: see the module comment.
#[inline(always)]
pub fn body_start() {
    if !cfg!(fpu) {
        return;
    }
    PROBED.increment();
    let fs = fs();
    if FS_OFF.get() {
        if fs != 0 && BAD_FS.increment() == 1 {
            FIRST_BAD_FS.set(fs);
        }
        return;
    }
    if fs == 0 {
        if BAD_FS.increment() == 1 {
            FIRST_BAD_FS.set(fs);
        }
        return;
    }
    #[cfg(fpu)]
    {
        let mut seen = [0u64; 2];
        // SAFETY: clobbers only what the C ABI lets a callee clobber.
        unsafe { probe(&mut seen) };
        if seen[0] != 0 && BAD_FCSR.increment() == 1 {
            FIRST_BAD_FCSR.set(seen[0] as usize);
        }
        if seen[1] != TENTH && BAD_QUOTIENT.increment() == 1 {
            FIRST_BAD_QUOTIENT.set(seen[1]);
        }
    }
}

/// Stores `fcsr` as found in `seen[0]`, then 1.0 / 10.0 with the dynamic
/// rounding mode in `seen[1]` (skipped when `frm` holds no valid mode: the
/// division would raise illegal-instruction; `seen[0]` already tells).
/// Assembly, so that the division is neither folded nor moved.
#[cfg(fpu)]
#[unsafe(naked)]
unsafe extern "C" fn probe(seen: &mut [u64; 2]) {
    core::arch::naked_asm!(
        ".option push",
        ".option arch, +d",
        "csrr t0, fcsr",
        "sd t0, 0(a0)",
        "srli t1, t0, 5",
        "li t2, 5",
        "bgeu t1, t2, 1f",
        "li t1, 1",
        "fcvt.d.l ft0, t1",
        "li t1, 10",
        "fcvt.d.l ft1, t1",
        "fdiv.d ft0, ft0, ft1",
        "fmv.x.d t1, ft0",
        "sd t1, 8(a0)",
        "1:",
        ".option pop",
        "ret",
    )
}

/// The storm's verdicts on what its bodies found.
pub fn check(checks: &mut Checks) {
    if !cfg!(fpu) {
        return;
    }
    let probed = PROBED.get();
    checks.expect(probed > 0, format_args!("no handler body probed the FPU"));
    let bad = BAD_FCSR.get();
    checks.expect(
        bad == 0,
        format_args!(
            "{bad} of {probed} handler bodies started with fcsr={:#x} or another non-default \
             environment, want 0 (round to nearest, no flags)",
            FIRST_BAD_FCSR.get()
        ),
    );
    let bad = BAD_QUOTIENT.get();
    checks.expect(
        bad == 0,
        format_args!(
            "{bad} of {probed} handler bodies computed 1/10 = {:#x}, want {:#x} (round to nearest)",
            FIRST_BAD_QUOTIENT.get(),
            TENTH
        ),
    );
    let bad = BAD_FS.get();
    checks.expect(
        bad == 0,
        format_args!(
            "{bad} of {probed} handler bodies found FS={}, want {}",
            FIRST_BAD_FS.get(),
            if FS_OFF.get() {
                "0 (Off), as interrupted"
            } else {
                "not Off"
            }
        ),
    );
}
