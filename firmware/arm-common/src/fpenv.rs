//! The floating-point environment handler bodies run in, on targets with
//! VFP.
//!
//! LLVM compiles a body for the default environment: round to nearest, no
//! flush-to-zero, no default NaN, no trap enabled, scalar VFP (Len and
//! Stride 0). The interrupted code may run in any mode and with any
//! cumulative flags set; its FPSCR must come back bit for bit, and nothing
//! the body does may leak into it.
//!
//! [`Bodies::check`] is the first thing a body calls: it reads FPSCR before
//! any floating point of the body's own, divides 1 by 5 (inexact: rounded
//! to nearest the quotient ends in `...9a`, toward zero in `...99`) and
//! reads FPSCR again, which must then hold IXC alone. The interrupted code
//! meanwhile runs in round-toward-zero with its flags clear
//! ([`crate::exceptions`]' probes, which compare their FPSCR after every
//! exception) or with random modes and flags (the register torture under
//! the storms).

use crate::report::Checks;
use crate::shared::Shared;

/// FPSCR of a body: every control field at its default; every other bit is
/// a flag, RES0 or UNK/SBZP.
pub const DEFAULT_FPSCR: u32 = 0;
/// FPSCR.RMode = round toward zero.
pub const RZ: u32 = 0b11 << 22;
/// FPSCR.FZ, FPSCR.DN.
pub const FZ: u32 = 1 << 24;
pub const DN: u32 = 1 << 25;
/// FPSCR.IXC, the inexact cumulative flag.
const IXC: u32 = 1 << 4;
/// 1/5 rounded to nearest.
const ONE_FIFTH: u64 = 0x3fc9_9999_9999_999a;

/// What one body saw.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// FPSCR before the body's first floating-point instruction.
    pub entry: u32,
    /// The bits of 1.0 / 5.0 as the body computed it.
    pub quotient: u64,
    /// FPSCR after the division.
    pub after: u32,
}

impl Sample {
    fn is_default(&self) -> bool {
        self.entry == DEFAULT_FPSCR && self.quotient == ONE_FIFTH && self.after == IXC
    }
}

/// The verdict of every body of one handler.
pub struct Bodies {
    checked: Shared<u32>,
    wrong: Shared<u32>,
    first_wrong: Shared<Sample>,
}

impl Default for Bodies {
    fn default() -> Self {
        Self::new()
    }
}

impl Bodies {
    pub const fn new() -> Self {
        Bodies {
            checked: Shared::new(0),
            wrong: Shared::new(0),
            first_wrong: Shared::new(Sample {
                entry: 0,
                quotient: 0,
                after: 0,
            }),
        }
    }

    /// Forgets earlier bodies (interrupts masked).
    pub fn reset(&self) {
        self.checked.set(0);
        self.wrong.set(0);
    }

    /// Called first in a body: samples the environment the entry set up (a
    /// no-op without VFP).
    #[inline(always)]
    pub fn check(&self) {
        if let Some(sample) = sample() {
            self.checked.increment();
            if !sample.is_default() && self.wrong.increment() == 1 {
                self.first_wrong.set(sample);
            }
        }
    }

    /// Bodies checked so far.
    pub fn checked(&self) -> u32 {
        self.checked.get()
    }

    /// Fails `checks` if a body of `handler` ran in another environment
    /// than the default (or, with VFP, if none was checked).
    pub fn expect(&self, checks: &mut Checks, handler: &str) {
        if !crate::rt::FPU {
            return;
        }
        let s = self.first_wrong.get();
        checks.expect(
            self.checked.get() > 0 && self.wrong.get() == 0,
            format_args!(
                "{handler}: {} of {} bodies not in the default FP environment; first: \
                 FPSCR {:#010x} at entry (want {DEFAULT_FPSCR:#x}), 1/5 = {:#018x} \
                 (want {ONE_FIFTH:#018x}), then FPSCR {:#010x} (want {IXC:#x})",
                self.wrong.get(),
                self.checked.get(),
                s.entry,
                s.quotient,
                s.after
            ),
        );
    }
}

#[cfg(arm_fpregs)]
#[inline(always)]
fn sample() -> Option<Sample> {
    let entry = crate::cpu::fpscr();
    let quotient = core::hint::black_box(1.0f64) / core::hint::black_box(5.0f64);
    let bits = quotient.to_bits();
    // The division is an input, so it cannot move past the read.
    let after = crate::cpu::fpscr_after(bits);
    Some(Sample {
        entry,
        quotient: bits,
        after,
    })
}

#[cfg(not(arm_fpregs))]
#[inline(always)]
fn sample() -> Option<Sample> {
    None
}
