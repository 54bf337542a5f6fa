//! Exceptions on 32-bit x86: breakpoint (no error code), general protection
//! (a `u32` error code, recovered by skipping the instruction through
//! `&mut InterruptStackFrame`) and a diverging double-fault handler that
//! catches whatever nobody expected.

use core::arch::asm;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use interrupt_abi::interrupt;
use interrupt_abi::x86::InterruptStackFrame;

use super::idt::KERNEL_CODE;
use crate::abi_checks::{direction_flag_clear, stack_aligned};
use crate::report::Report;

pub const BREAKPOINT: u8 = 3;
pub const DOUBLE_FAULT: u8 = 8;
pub const GENERAL_PROTECTION: u8 = 13;

const EFLAGS_DF: u32 = 1 << 10;

/// What a handler saw, for the interrupted code to check afterwards.
struct Seen {
    count: AtomicU32,
    eip: AtomicU32,
    cs: AtomicU32,
    eflags: AtomicU32,
    error_code: AtomicU32,
    /// Entries that found DF set or the stack misaligned (see `abi_checks`).
    abi_violations: AtomicU32,
}

impl Seen {
    const fn new() -> Seen {
        Seen {
            count: AtomicU32::new(0),
            eip: AtomicU32::new(0),
            cs: AtomicU32::new(0),
            eflags: AtomicU32::new(0),
            error_code: AtomicU32::new(0),
            abi_violations: AtomicU32::new(0),
        }
    }

    #[inline(always)]
    fn record(&self, frame: &InterruptStackFrame, error_code: u32) {
        if !direction_flag_clear() || !stack_aligned() {
            self.abi_violations.fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.eip.store(frame.instruction_pointer, Relaxed);
        self.cs.store(frame.code_segment & 0xFFFF, Relaxed);
        self.eflags.store(frame.cpu_flags, Relaxed);
        self.error_code.store(error_code, Relaxed);
    }
}

static BREAKPOINT_SEEN: Seen = Seen::new();
static GP_SEEN: Seen = Seen::new();

#[interrupt]
pub extern "x86-interrupt" fn breakpoint(frame: &InterruptStackFrame) {
    BREAKPOINT_SEEN.record(frame, 0);
}

/// Instruction length for the #GP handler to skip, set by the scenario.
static GP_SKIP: AtomicU32 = AtomicU32::new(0);

#[interrupt]
pub unsafe extern "x86-interrupt" fn general_protection(
    frame: &mut InterruptStackFrame,
    error_code: u32,
) {
    GP_SEEN.record(frame, error_code);
    let skip = GP_SKIP.swap(0, Relaxed);
    if skip == 0 {
        crate::unexpected(format_args!(
            "general protection fault at eip {:#x}, error code {error_code:#x}",
            frame.instruction_pointer
        ));
    }
    frame.instruction_pointer += skip;
}

/// Nothing here raises a double fault on purpose: any exception without a
/// gate ends here (through #NP) and fails the run.
#[interrupt]
pub extern "x86-interrupt" fn double_fault(frame: &InterruptStackFrame, _error_code: u32) -> ! {
    crate::unexpected(format_args!(
        "double fault (or an exception without a handler), eip {:#x}",
        frame.instruction_pointer
    ))
}

/// `int3` with DF set: the frame holds the address after it, our CS and
/// EFLAGS; the body sees DF clear and an aligned stack; DF comes back set.
pub fn breakpoint_scenario() -> bool {
    let (after, eflags, eflags_after): (u32, u32, u32);
    // SAFETY: the breakpoint handler is installed and returns.
    unsafe {
        asm!(
            "pushfd",
            "pop {flags}",
            "lea {after}, [2f]",
            "std",
            "int3",
            "2:",
            "pushfd",
            "pop {flags_after}",
            "cld",
            after = out(reg) after,
            flags = out(reg) eflags,
            flags_after = out(reg) eflags_after,
        )
    };
    let s = &BREAKPOINT_SEEN;
    Report::new("breakpoint", "breakpoint")
        .field("interrupts", s.count.load(Relaxed))
        .field("checks", 6)
        .check(s.count.load(Relaxed) == 1, "count")
        .check(s.eip.load(Relaxed) == after, "eip")
        .check(s.cs.load(Relaxed) == u32::from(KERNEL_CODE), "cs")
        .check(s.eflags.load(Relaxed) == eflags | EFLAGS_DF, "eflags")
        .check(eflags_after == eflags | EFLAGS_DF, "eflags_restored")
        .check(s.abi_violations.load(Relaxed) == 0, "body_entry_state")
        .finish()
}

/// Loading DS with a selector beyond the GDT limit raises #GP with the
/// selector as error code; the handler skips the `mov`, DS stays as it was.
pub fn general_protection_scenario(cost: &super::cost::Cost) -> bool {
    const SELECTOR: u32 = 0x1230;
    let (mov_eip, ds_after): (u32, u32);
    // SAFETY: the #GP handler skips the segment load.
    unsafe {
        asm!(
            "lea {eip}, [2f]",
            "lea {len}, [3f]",
            "sub {len}, {eip}",
            "mov dword ptr [{skip}], {len}",
            "std",
            "2:",
            "mov ds, {selector:x}",
            "3:",
            "cld",
            "mov {ds:x}, ds",
            "movzx {ds}, {ds:x}",
            eip = out(reg) mov_eip,
            len = out(reg) _,
            skip = sym GP_SKIP,
            selector = in(reg) SELECTOR,
            ds = out(reg) ds_after,
            options(nostack),
        )
    };
    let s = &GP_SEEN;
    Report::new("general-protection", "general_protection")
        .field("interrupts", s.count.load(Relaxed))
        .field("checks", 5)
        .field("entry_insns", cost.entry_insns)
        .field("exit_insns", cost.exit_insns)
        .check(cost.ok, "cost_calibration")
        .check(s.count.load(Relaxed) == 1, "count")
        .check(s.abi_violations.load(Relaxed) == 0, "body_entry_state")
        .check(s.error_code.load(Relaxed) == SELECTOR, "error_code")
        .check(s.eip.load(Relaxed) == mov_eip, "eip")
        .check(ds_after == 0x10, "skipped")
        .finish()
}
