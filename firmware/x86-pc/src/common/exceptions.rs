//! What the exception handlers of both kernels record, the #GP handler's
//! skip, and the breakpoint and general-protection reports, whose checks
//! differ between the modes only in register names (and long mode's RSP).

use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::InterruptStackFrame;
use super::cost::Cost;
use crate::abi_checks::{direction_flag_clear, stack_aligned};
use crate::report::Report;

/// The instruction pointer's and the flags register's names, for messages
/// and check names.
#[cfg(target_arch = "x86_64")]
const NAMES: [&str; 3] = ["rip", "rflags", "rflags_restored"];
#[cfg(target_arch = "x86")]
const NAMES: [&str; 3] = ["eip", "eflags", "eflags_restored"];

pub const FLAGS_DF: usize = 1 << 10;

/// What a handler saw, for the interrupted code to check afterwards.
pub struct Seen {
    pub count: AtomicUsize,
    pub ip: AtomicUsize,
    pub cs: AtomicUsize,
    pub flags: AtomicUsize,
    pub error_code: AtomicUsize,
    /// Entries that found DF set or the stack misaligned (see `abi_checks`).
    pub abi_violations: AtomicUsize,
}

impl Seen {
    pub const fn new() -> Seen {
        Seen {
            count: AtomicUsize::new(0),
            ip: AtomicUsize::new(0),
            cs: AtomicUsize::new(0),
            flags: AtomicUsize::new(0),
            error_code: AtomicUsize::new(0),
            abi_violations: AtomicUsize::new(0),
        }
    }

    #[inline(always)]
    pub fn record(&self, frame: &InterruptStackFrame, error_code: usize) {
        if !direction_flag_clear() || !stack_aligned() {
            self.abi_violations.fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.ip.store(frame.instruction_pointer as usize, Relaxed);
        self.cs.store(frame.code_segment as usize & 0xFFFF, Relaxed);
        self.flags.store(frame.cpu_flags as usize, Relaxed);
        self.error_code.store(error_code, Relaxed);
    }
}

pub static BREAKPOINT_SEEN: Seen = Seen::new();
pub static GP_SEEN: Seen = Seen::new();

/// Instruction length for the #GP handler to skip, set by the scenario
/// before it executes the faulting instruction.
pub static GP_SKIP: AtomicUsize = AtomicUsize::new(0);

/// The #GP handler's bookkeeping: records the frame and returns how far to
/// move its instruction pointer; a #GP no scenario announced fails the run.
#[inline(always)]
pub fn general_protection(frame: &InterruptStackFrame, error_code: usize) -> usize {
    GP_SEEN.record(frame, error_code);
    let skip = GP_SKIP.swap(0, Relaxed);
    if skip == 0 {
        crate::unexpected(format_args!(
            "general protection fault at {} {:#x}, error code {error_code:#x}",
            NAMES[0], frame.instruction_pointer
        ));
    }
    skip
}

/// The breakpoint report: `int3` with DF set, `after` the address after it,
/// `flags` before it and `flags_after` after it; `sp_ok` whether the frame
/// held the stack pointer, where it has one (long mode).
pub fn breakpoint_report(
    after: usize,
    kernel_code: u16,
    flags: usize,
    flags_after: usize,
    sp_ok: Option<bool>,
) -> bool {
    let s = &BREAKPOINT_SEEN;
    let report = Report::new("breakpoint", "breakpoint")
        .field("interrupts", s.count.load(Relaxed))
        .field("checks", 6 + usize::from(sp_ok.is_some()))
        .check(s.count.load(Relaxed) == 1, "count")
        .check(s.ip.load(Relaxed) == after, NAMES[0])
        .check(s.cs.load(Relaxed) == usize::from(kernel_code), "cs");
    let report = match sp_ok {
        Some(ok) => report.check(ok, "rsp"),
        None => report,
    };
    report
        .check(s.flags.load(Relaxed) == flags | FLAGS_DF, NAMES[1])
        .check(flags_after == flags | FLAGS_DF, NAMES[2])
        .check(s.abi_violations.load(Relaxed) == 0, "body_entry_state")
        .finish()
}

/// The general-protection report: the handler saw `error_code` at the
/// faulting instruction `fault_ip`, and `skipped` says the instruction had
/// no effect.
pub fn general_protection_report(
    cost: &Cost,
    error_code: usize,
    fault_ip: usize,
    skipped: bool,
) -> bool {
    let s = &GP_SEEN;
    Report::new("general-protection", "general_protection")
        .field("interrupts", s.count.load(Relaxed))
        .field("checks", 5)
        .field("entry_insns", cost.entry_insns)
        .field("exit_insns", cost.exit_insns)
        .check(cost.ok, "cost_calibration")
        .check(s.count.load(Relaxed) == 1, "count")
        .check(s.abi_violations.load(Relaxed) == 0, "body_entry_state")
        .check(s.error_code.load(Relaxed) == error_code, "error_code")
        .check(s.ip.load(Relaxed) == fault_ip, NAMES[0])
        .check(skipped, "skipped")
        .finish()
}
