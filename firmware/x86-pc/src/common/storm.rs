//! The timer storm's bookkeeping, shared by both kernels: the local APIC
//! timer interrupts a register-torture loop every [`PERIOD`] instructions,
//! [`STORM_TICKS`] times.
//!
//! Each mode writes its own loop (`torture`, asm over its registers) and a
//! timer handler for its frame type; both hand the frame to [`tick`],
//! which counts the interrupt, checks what the trampoline promised the body
//! (DF clear, aligned stack, the default FP environment, a frame from our
//! code segment with IF set, pointing into the loop), marks the interrupted instruction and clobbers
//! every caller-saved register. The loop's asm addresses the counters below
//! by `sym` with its own operand size: they are `usize`, the register width.

use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::cost::Cost;
use super::{HEX_WIDTH, InterruptStackFrame};
use crate::abi_checks::{
    JUNK, clobber_caller_saved, default_fp_environment, direction_flag_clear, stack_aligned,
};
use crate::report::Report;
use crate::{apic, tsc};

pub const TIMER_VECTOR: u8 = 0x20;
/// Instructions between two timer interrupts (under `-icount shift=0`).
pub const PERIOD: u32 = 293;
/// Interrupts per storm.
pub const STORM_TICKS: usize = 100_000;

/// Register patterns for the loop: distinct for every register (an odd
/// `multiplier` is a bijection) and never the timer body's junk.
pub const fn patterns<const N: usize>(multiplier: usize) -> [usize; N] {
    let mut p = [0; N];
    let mut i = 0;
    while i < N {
        p[i] = (i + 1).wrapping_mul(multiplier);
        assert!(p[i] != JUNK as usize);
        i += 1;
    }
    p
}

/// RFLAGS/EFLAGS patterns (IF stays set): CF PF AF ZF SF DF OF and the
/// reserved bit 1; then only IF and bit 1.
pub const FLAGS_SET: usize = 0xED7;
pub const FLAGS_CLEAR: usize = 0x202;

pub static TICKS: AtomicUsize = AtomicUsize::new(0);
pub static ITERATIONS: AtomicUsize = AtomicUsize::new(0);
/// Timer bodies that found DF set, the stack misaligned or a bad frame.
static DF_SET: AtomicUsize = AtomicUsize::new(0);
static MISALIGNED: AtomicUsize = AtomicUsize::new(0);
static BAD_FRAMES: AtomicUsize = AtomicUsize::new(0);
/// Timer bodies that ran in the interrupted code's FP environment (the
/// loops set non-default ones) rather than the default.
static FP_ENVIRONMENT: AtomicUsize = AtomicUsize::new(0);
/// Which instructions of the loop the interrupts hit: one bit per byte
/// offset from the start of `torture`, which is shorter than this (the
/// 32-bit loop, with its FP checks, is the longer one).
#[cfg(target_arch = "x86_64")]
const SITE_BYTES: usize = 1024;
#[cfg(target_arch = "x86")]
const SITE_BYTES: usize = 4096;
const WORD_BITS: usize = usize::BITS as usize;
static SITES: [AtomicUsize; SITE_BYTES / WORD_BITS] =
    [const { AtomicUsize::new(0) }; SITE_BYTES / WORD_BITS];
/// Scratch of the loop: the flags as read back, a register's wrong value.
pub static FLAGS_SEEN: AtomicUsize = AtomicUsize::new(0);
pub static BAD_VALUE: AtomicUsize = AtomicUsize::new(0);

/// The timer body, given where `torture` starts and our code segment's
/// selector. The frame is read here, not before the call, so the body keeps
/// its length (which sets how many loop iterations a storm runs).
#[inline(always)]
pub fn tick(frame: &InterruptStackFrame, torture: usize, kernel_code: u16) {
    TICKS.store(TICKS.load(Relaxed) + 1, Relaxed);
    if !direction_flag_clear() {
        DF_SET.store(DF_SET.load(Relaxed) + 1, Relaxed);
    }
    if !stack_aligned() {
        MISALIGNED.store(MISALIGNED.load(Relaxed) + 1, Relaxed);
    }
    if !default_fp_environment() {
        FP_ENVIRONMENT.store(FP_ENVIRONMENT.load(Relaxed) + 1, Relaxed);
    }
    const IF: usize = 1 << 9;
    // Interrupts are enabled only inside the torture loop, so the frame
    // must point into it.
    let offset = (frame.instruction_pointer as usize).wrapping_sub(torture);
    if frame.code_segment as usize & 0xFFFF != usize::from(kernel_code)
        || frame.cpu_flags as usize & IF == 0
        || offset >= SITE_BYTES
    {
        BAD_FRAMES.store(BAD_FRAMES.load(Relaxed) + 1, Relaxed);
    } else {
        let word = &SITES[offset / WORD_BITS];
        word.store(word.load(Relaxed) | 1 << (offset % WORD_BITS), Relaxed);
    }
    clobber_caller_saved();
    apic::eoi();
}

/// Checks made so far, `checks_per_iteration` per loop iteration.
fn checks(checks_per_iteration: u32) -> u64 {
    ITERATIONS.load(Relaxed) as u64 * u64::from(checks_per_iteration)
}

/// Reports a mismatch the loop found and fails the run; `register` adds
/// what was wrong (see [`register_mismatch`]).
pub fn torture_failed(checks_per_iteration: u32, register: impl FnOnce(Report) -> Report) -> ! {
    apic::stop();
    let report = Report::new("timer-storm", "timer")
        .field("interrupts", TICKS.load(Relaxed))
        .field("checks", checks(checks_per_iteration));
    register(report).check(false, "torture").finish();
    crate::machine::exit_failure(4)
}

/// A general-purpose register that lost its pattern, found in [`BAD_VALUE`].
pub fn register_mismatch(report: Report, name: &str, expected: usize) -> Report {
    report
        .field("register", name)
        .field("expected", format_args!("{expected:#0HEX_WIDTH$x}"))
        .field(
            "found",
            format_args!("{:#0HEX_WIDTH$x}", BAD_VALUE.load(Relaxed)),
        )
}

/// The flags register (`name`) read back wrong, found in [`FLAGS_SEEN`].
pub fn flags_mismatch(report: Report, name: &str) -> Report {
    report
        .field("register", name)
        .field("found", format_args!("{:#x}", FLAGS_SEEN.load(Relaxed)))
}

/// Runs the storm over `torture` and reports it, with the entry and exit
/// cost measured by `cost` for the same handler shape. `loop_insns` is the
/// length of one iteration, which the interrupts must all hit.
pub fn storm_scenario(
    torture: impl FnOnce(),
    loop_insns: u32,
    checks_per_iteration: u32,
    cost: &Cost,
) -> bool {
    apic::start_periodic(TIMER_VECTOR, PERIOD);
    let start = tsc::read();
    torture();
    let elapsed = tsc::read() - start;
    apic::stop();
    let ticks = TICKS.load(Relaxed);
    // Every PERIOD instructions one interrupt: none may be lost (a slow or
    // re-entered handler would coalesce them). One of slack for the
    // partial periods at both ends.
    let expected = elapsed / u64::from(PERIOD);
    // Distinct instructions interrupted: the storm reaches all of the loop.
    let sites: u32 = SITES.iter().map(|w| w.load(Relaxed).count_ones()).sum();
    Report::new("timer-storm", "timer")
        .field("interrupts", ticks)
        .field("checks", checks(checks_per_iteration))
        .field("period_insns", PERIOD)
        .field("interrupted_sites", sites)
        .field("entry_insns", cost.entry_insns)
        .field("exit_insns", cost.exit_insns)
        .check(ticks >= STORM_TICKS, "interrupts")
        .check(sites == loop_insns, "interrupted_sites")
        .check((ticks as u64).abs_diff(expected) <= 1, "missed_interrupts")
        .check(DF_SET.load(Relaxed) == 0, "df_set_in_body")
        .check(MISALIGNED.load(Relaxed) == 0, "stack_misaligned")
        .check(FP_ENVIRONMENT.load(Relaxed) == 0, "fp_environment_in_body")
        .check(BAD_FRAMES.load(Relaxed) == 0, "bad_frame")
        .check(cost.ok, "cost_calibration")
        .finish()
}
