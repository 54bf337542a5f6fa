//! The FP environment around a body (FP/SIMD build only): the body runs with
//! the default one whatever the interrupted code set, and the interrupted
//! code gets its own back bit for bit.
//!
//! Rust code is compiled for FPCR = 0 (round to nearest, no flush to zero,
//! no default NaN, IEEE half precision, traps off): a body that inherited
//! the interrupted code's round-towards-zero would compute other results
//! than the ones its author tested. And the cumulative flags of FPSR belong
//! to the interrupted code: a body's inexact division must not show up in
//! them, nor may the interrupted code's flags show up in the body's.
//!
//! [`run`] interrupts code that set a non-default FPCR (RMode = RZ, and FZ,
//! DN, AHP) with clear FPSR, then again with RZ and every FPSR flag set, for
//! three entries: an IRQ handler without a frame, an `svc` handler with one
//! and, when the run started at EL2, the EL2 `hvc` handler (`el2`). Each
//! body records the FPCR and FPSR it started with, divides 1.0 by 10.0 (an
//! inexact result whose last bit differs between round-to-nearest and
//! round-towards-zero) and records the quotient and FPSR after it. The
//! interrupted code reads FPCR and FPSR back after the exception.
//!
//! The storms check the first half too, on every interrupt: their bodies
//! call [`expect_default`] while the torture runs with varying FPCR and
//! FPSR patterns.

/// The `hvc` immediate that makes `el2`'s handler record its environment.
pub const HVC_FP_ENV: u64 = 2;

#[cfg(target_feature = "neon")]
pub use fp::{expect_default, record_body, run};

/// Without FP/SIMD there is no FP environment to check.
#[cfg(not(target_feature = "neon"))]
pub fn expect_default() {}
#[cfg(not(target_feature = "neon"))]
pub fn record_body() {}
#[cfg(not(target_feature = "neon"))]
pub fn run(_el2: bool) {}

#[cfg(target_feature = "neon")]
mod fp {
    use core::arch::asm;
    use core::hint::black_box;

    use interrupt_abi::aarch64::{ExceptionFrame, Vector};
    use interrupt_abi::interrupt;

    use crate::platform::{self, exit};
    use crate::report::Checks;
    use crate::sysreg::{ISR_I, mrs};
    use crate::timer::{CTL_ENABLE, Timer};
    use crate::vectors;
    use fw_common::Shared;

    use super::HVC_FP_ENV;

    /// FPCR.RMode = 0b11, round towards zero; FZ, DN, AHP.
    const FPCR_RZ: u64 = 3 << 22;
    const FPCR_FZ_DN_AHP: u64 = 7 << 24;
    /// FPCR trap enables (IDE, IXE, UFE, OFE, DZE, IOE): written too, so that a
    /// core that implements them would trap the body's inexact division if the
    /// entry left them on. Cortex-A53 does not: they read back as zero.
    const FPCR_TRAP_ENABLES: u64 = 0x9f00;
    /// FPSR: QC and every cumulative exception flag; IXC alone.
    const FPSR_ALL_FLAGS: u64 = 0x0800_009f;
    const FPSR_IXC: u64 = 1 << 4;

    /// 1.0 / 10.0 rounded to nearest (towards zero it ends in ...9999).
    const TENTH_NEAREST: u64 = 0x3fb9_9999_9999_999a;

    /// The `svc` immediate of this scenario.
    const SVC_FP_ENV: u64 = 0x77;

    /// What a body saw.
    #[derive(Clone, Copy)]
    struct Seen {
        fpcr: u64,
        fpsr: u64,
        quotient: u64,
        fpsr_after: u64,
    }

    static SEEN: Shared<Option<Seen>> = Shared::new(None);

    /// For every storm body, first thing: fails the run unless the entry set
    /// the default environment.
    #[inline(always)]
    pub fn expect_default() {
        let (fpcr, fpsr) = read_fp_env();
        if fpcr != 0 || fpsr != 0 {
            platform::fail!(
                exit::CHECK,
                "handler body entered with FPCR={fpcr:#x} FPSR={fpsr:#x}, want both 0 \
                 (the interrupted code's FP environment leaked into the body)"
            );
        }
    }

    /// FPCR and FPSR. Not `nomem`: the asm then stays ordered with the
    /// `black_box`es around the division, which FPSR must see in order.
    #[inline(always)]
    fn read_fp_env() -> (u64, u64) {
        let (fpcr, fpsr): (u64, u64);
        // SAFETY: reads two FP system registers (FP/SIMD is enabled).
        unsafe {
            asm!("mrs {}, fpcr", "mrs {}, fpsr", out(reg) fpcr, out(reg) fpsr,
                options(nostack, preserves_flags))
        };
        (fpcr, fpsr)
    }

    /// For the bodies of this scenario (and `el2`'s `hvc #2`): records what
    /// the body starts with and what an inexact division does in it.
    #[inline(always)]
    pub fn record_body() {
        let (fpcr, fpsr) = read_fp_env();
        let quotient = black_box(black_box(1.0f64) / black_box(10.0f64)).to_bits();
        let (_, fpsr_after) = read_fp_env();
        SEEN.set(Some(Seen {
            fpcr,
            fpsr,
            quotient,
            fpsr_after,
        }));
    }

    #[interrupt]
    extern "aarch64-interrupt" fn fp_irq() {
        record_body();
        // Level-sensitive: stopping the timer withdraws the interrupt.
        Timer::Virtual.set_ctl(0);
    }

    #[interrupt]
    extern "aarch64-interrupt" fn fp_svc(f: &ExceptionFrame) {
        if crate::sysreg::iss(f.esr) & 0xffff != SVC_FP_ENV {
            platform::fail!(exit::CHECK, "fp-env: unexpected ESR {:#x}", f.esr);
        }
        record_body();
    }

    /// The interrupted code's FP environment: as set (read back, so bits the
    /// core does not implement drop out) and after the exception returned.
    struct Interrupted {
        set: (u64, u64),
        after: (u64, u64),
    }

    /// Sets FPCR and FPSR, raises the exception `$raise`, reads both back and
    /// restores the caller's (Rust code runs with FPCR = 0).
    macro_rules! interrupted {
        ($raise:literal, $fpcr:expr, $fpsr:expr) => {{
            let (fpcr_set, fpsr_set, fpcr_after, fpsr_after): (u64, u64, u64, u64);
            // SAFETY: FPCR and FPSR are put back as they were; the handlers
            // preserve every register.
            unsafe {
                asm!(
                    "mrs {old_cr}, fpcr",
                    "mrs {old_sr}, fpsr",
                    "msr fpcr, {cr}",
                    "msr fpsr, {sr}",
                    "mrs {cr}, fpcr",
                    "mrs {sr}, fpsr",
                    $raise,
                    "mrs {cr_after}, fpcr",
                    "mrs {sr_after}, fpsr",
                    "msr fpcr, {old_cr}",
                    "msr fpsr, {old_sr}",
                    cr = inout(reg) $fpcr => fpcr_set,
                    sr = inout(reg) $fpsr => fpsr_set,
                    cr_after = out(reg) fpcr_after,
                    sr_after = out(reg) fpsr_after,
                    old_cr = out(reg) _,
                    old_sr = out(reg) _,
                    options(nostack),
                )
            };
            Interrupted {
                set: (fpcr_set, fpsr_set),
                after: (fpcr_after, fpsr_after),
            }
        }};
    }

    /// The entries whose bodies record their environment.
    #[derive(Clone, Copy, Debug)]
    enum Entry {
        /// `fp_irq`: no frame, EL1.
        Irq,
        /// `fp_svc`: frame, EL1.
        Svc,
        /// `el2`'s `hvc`: frame, EL2.
        Hvc,
    }

    const _: () = assert!(SVC_FP_ENV == 0x77 && HVC_FP_ENV == 2, "see `take`");

    /// One exception taken by code running with `fpcr`/`fpsr`.
    fn take(entry: Entry, fpcr: u64, fpsr: u64) -> (Interrupted, Option<Seen>) {
        SEEN.set(None);
        let interrupted = match entry {
            Entry::Irq => {
                // Pending before the interrupted code sets its environment, so
                // that the IRQ strikes at a known instruction.
                let timer = Timer::Virtual;
                timer.set_cval(0);
                timer.set_ctl(CTL_ENABLE);
                while mrs!("isr_el1") & ISR_I == 0 {}
                interrupted!("msr daifclr, #2\nmsr daifset, #2", fpcr, fpsr)
            }
            Entry::Svc => interrupted!("svc #0x77", fpcr, fpsr),
            Entry::Hvc => interrupted!("hvc #2", fpcr, fpsr),
        };
        (interrupted, SEEN.get())
    }

    pub fn run(el2: bool) {
        vectors::install_el1(&[
            (Vector::CurrentSpxIrq, fp_irq),
            (Vector::CurrentSpxSync, fp_svc),
        ]);
        let mut checks = Checks::new();
        let mut count = 0u64;
        let entries: &[Entry] = if el2 {
            &[Entry::Irq, Entry::Svc, Entry::Hvc]
        } else {
            &[Entry::Irq, Entry::Svc]
        };
        let cases = [
            (FPCR_RZ | FPCR_FZ_DN_AHP | FPCR_TRAP_ENABLES, 0),
            (FPCR_RZ, FPSR_ALL_FLAGS),
        ];
        for &entry in entries {
            for (fpcr, fpsr) in cases {
                let (i, seen) = take(entry, fpcr, fpsr);
                let (cr, sr) = i.set;
                let Some(seen) = seen else {
                    platform::fail!(exit::CHECK, "fp-env {entry:?}: the body did not run");
                };
                let mut expect = |ok: bool, what: core::fmt::Arguments| {
                    count += 1;
                    checks.expect(ok, what);
                };
                expect(
                    cr & FPCR_RZ == FPCR_RZ && sr == fpsr,
                    format_args!(
                        "fp-env {entry:?}: the interrupted code set FPCR={fpcr:#x} FPSR={fpsr:#x}, \
                         they read back as {cr:#x} {sr:#x}"
                    ),
                );
                expect(
                    seen.fpcr == 0,
                    format_args!(
                        "fp-env {entry:?}: body ran with FPCR={:#x} (interrupted code's: \
                         {cr:#x}), want 0",
                        seen.fpcr
                    ),
                );
                expect(
                    seen.fpsr == 0,
                    format_args!(
                        "fp-env {entry:?}: body started with FPSR={:#x} (interrupted code's: \
                         {sr:#x}), want 0",
                        seen.fpsr
                    ),
                );
                expect(
                    seen.quotient == TENTH_NEAREST,
                    format_args!(
                        "fp-env {entry:?}: 1.0/10.0 in the body gave {:#x}, \
                         want {TENTH_NEAREST:#x} (round to nearest)",
                        seen.quotient
                    ),
                );
                expect(
                    seen.fpsr_after & FPSR_IXC != 0,
                    format_args!(
                        "fp-env {entry:?}: the body's division left FPSR={:#x}, IXC not set",
                        seen.fpsr_after
                    ),
                );
                expect(
                    i.after == i.set,
                    format_args!(
                        "fp-env {entry:?}: interrupted code had FPCR={cr:#x} FPSR={sr:#x}, \
                         got back FPCR={:#x} FPSR={:#x}",
                        i.after.0, i.after.1
                    ),
                );
            }
        }
        checks.report(&[&[
            ("abi", &"aarch64-interrupt"),
            ("scenario", &"fp-env"),
            ("handler", &"fp_irq"),
            ("interrupts", &(entries.len() as u64 * cases.len() as u64)),
            ("checks", &count),
        ]]);
    }
}
