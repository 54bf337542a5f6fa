//! The FP environment across an interrupt, where the body has one (32-bit
//! x86: x87, and SSE on i686; x86_64 built for the hard-float
//! `x86_64-sse-none.json`). The `x86_64-unknown-none` kernel's bodies have
//! none (soft-float), and its entries leave MXCSR alone.
//!
//! The interrupted code clears the exception flags, rounds toward zero
//! (MXCSR 0x7F80, x87 control word 0x0F7F) and raises `int 0x41`. The body
//! divides 1.0 by 10.0, inexact: it must round to nearest, in the default
//! environment (MXCSR 0x1F80, x87 0x037F) its compiled code assumes, and it
//! leaves the precision flags set (in x87's status word too). After the
//! `iret` the interrupted code must find MXCSR, the x87 control word and
//! status word exactly as it left them: the body's flags must not leak.

use core::arch::asm;
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};

use interrupt_abi::interrupt;

use super::InterruptStackFrame;
use crate::abi_checks::{DEFAULT_FCW, DEFAULT_MXCSR, INTERRUPTED_FCW, INTERRUPTED_MXCSR};
use crate::report::Report;

pub const FP_VECTOR: u8 = 0x41;

/// Asm lines for targets with SSE; nothing elsewhere.
#[cfg(target_feature = "sse")]
macro_rules! if_sse {
    ($($line:literal),* $(,)?) => { concat!($($line, "\n"),*) };
}
#[cfg(not(target_feature = "sse"))]
macro_rules! if_sse {
    ($($line:literal),* $(,)?) => {
        ""
    };
}

/// Asm lines for the x87 FPU, which only the 32-bit psABI uses.
#[cfg(target_arch = "x86")]
macro_rules! if_x87 {
    ($($line:literal),* $(,)?) => { concat!($($line, "\n"),*) };
}
#[cfg(target_arch = "x86_64")]
macro_rules! if_x87 {
    ($($line:literal),* $(,)?) => {
        ""
    };
}

/// One FP environment as the asm stores it.
#[repr(C)]
#[derive(Default)]
struct Env {
    mxcsr: u32,
    fcw: u16,
    fsw: u16,
}

/// The asm's memory, at fixed offsets: the kernel's environment (0), the
/// one to interrupt (8), as read before the `int` (16) and after (24).
#[repr(C)]
#[derive(Default)]
struct Block {
    kernel: Env,
    interrupted: Env,
    before: Env,
    after: Env,
}
const _: () = assert!(size_of::<Env>() == 8 && size_of::<Block>() == 32);

static COUNT: AtomicUsize = AtomicUsize::new(0);
static BODY_MXCSR: AtomicU32 = AtomicU32::new(0);
static BODY_FCW: AtomicU32 = AtomicU32::new(0);
static BODY_TENTH: AtomicU64 = AtomicU64::new(0);

/// 1.0 / 10.0 in the body's own floating point (SSE2, or x87 on i586).
#[inline(always)]
fn tenth() -> f64 {
    core::hint::black_box(1.0f64) / core::hint::black_box(10.0f64)
}

#[interrupt]
pub extern "x86-interrupt" fn fp_environment(_frame: &InterruptStackFrame) {
    let q = tenth();
    BODY_TENTH.store(q.to_bits(), Relaxed);
    #[cfg(target_feature = "sse")]
    BODY_MXCSR.store(crate::abi_checks::mxcsr(), Relaxed);
    #[cfg(target_arch = "x86")]
    {
        BODY_FCW.store(u32::from(crate::abi_checks::fcw()), Relaxed);
        // An inexact x87 division too (1 / log2(10)), whose flag lands in
        // the status word: the interrupted code must not see it.
        // SAFETY: pushes and pops the x87 stack, which is empty on entry.
        unsafe {
            asm!(
                "fld1",
                "fldl2t",
                "fdivp st(1), st",
                "fstp st(0)",
                out("st(0)") _,
                out("st(1)") _,
                options(nomem, nostack)
            )
        };
    }
    COUNT.fetch_add(1, Relaxed);
}

/// The scenario; the gate at [`FP_VECTOR`] must be `fp_environment`.
pub fn fp_environment_scenario() -> bool {
    let mut block = Block {
        interrupted: Env {
            mxcsr: INTERRUPTED_MXCSR,
            fcw: INTERRUPTED_FCW,
            fsw: 0,
        },
        ..Block::default()
    };
    // SAFETY: saves the kernel's FP environment, runs the interrupt in
    // another one, and puts the kernel's back.
    unsafe {
        asm!(
            if_sse!("stmxcsr [{b}]", "ldmxcsr [{b} + 8]", "stmxcsr [{b} + 16]"),
            if_x87!(
                "fnstcw [{b} + 4]",
                "fldcw [{b} + 12]",
                "fnclex",
                "fnstcw [{b} + 20]",
                "fnstsw [{b} + 22]",
            ),
            "int {vector}",
            if_sse!("stmxcsr [{b} + 24]", "ldmxcsr [{b}]"),
            if_x87!(
                "fnstcw [{b} + 28]",
                "fnstsw [{b} + 30]",
                "fldcw [{b} + 4]",
                "fnclex",
            ),
            b = in(reg) &mut block,
            vector = const FP_VECTOR,
        )
    };
    let sse = cfg!(target_feature = "sse");
    let x87 = cfg!(target_arch = "x86");
    let (before, after) = (&block.before, &block.after);
    let mut report = Report::new("fp-environment", "fp_environment")
        .field("interrupts", COUNT.load(Relaxed))
        .field("checks", 2 + 2 * usize::from(sse) + 3 * usize::from(x87))
        .check(COUNT.load(Relaxed) == 1, "count")
        .check(
            BODY_TENTH.load(Relaxed) == 0.1f64.to_bits(),
            "body_rounding",
        );
    if sse {
        let body = BODY_MXCSR.load(Relaxed);
        report = report
            .field("body_mxcsr", format_args!("{body:#06x}"))
            .field("mxcsr_after", format_args!("{:#06x}", after.mxcsr))
            .check(body & !0x3F == DEFAULT_MXCSR, "body_mxcsr")
            .check(
                before.mxcsr == INTERRUPTED_MXCSR && after.mxcsr == before.mxcsr,
                "mxcsr_restored",
            );
    }
    if x87 {
        let body = BODY_FCW.load(Relaxed) as u16;
        report = report
            .field("body_fcw", format_args!("{body:#06x}"))
            .field("fcw_after", format_args!("{:#06x}", after.fcw))
            .field("fsw_after", format_args!("{:#06x}", after.fsw))
            .check(body == DEFAULT_FCW, "body_fcw")
            .check(
                before.fcw == INTERRUPTED_FCW && after.fcw == before.fcw,
                "fcw_restored",
            )
            .check(after.fsw == before.fsw, "fsw_restored");
    }
    report.finish()
}
