//! Exceptions on 32-bit x86: breakpoint (no error code), general protection
//! (a `u32` error code, recovered by skipping the instruction through
//! `&mut InterruptStackFrame`) and a diverging double-fault handler that
//! catches whatever nobody expected.

use core::arch::asm;

use interrupt_abi::interrupt;
use interrupt_abi::x86::InterruptStackFrame;

use super::idt::KERNEL_CODE;
use crate::common::exceptions::{self, BREAKPOINT_SEEN, GP_SKIP};

pub const BREAKPOINT: u8 = 3;
pub const DOUBLE_FAULT: u8 = 8;
pub const GENERAL_PROTECTION: u8 = 13;

#[interrupt]
pub extern "x86-interrupt" fn breakpoint(frame: &InterruptStackFrame) {
    BREAKPOINT_SEEN.record(frame, 0);
}

#[interrupt]
pub unsafe extern "x86-interrupt" fn general_protection(
    frame: &mut InterruptStackFrame,
    error_code: u32,
) {
    let skip = exceptions::general_protection(frame, error_code as usize);
    frame.instruction_pointer += skip as u32;
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
    exceptions::breakpoint_report(
        after as usize,
        KERNEL_CODE,
        eflags as usize,
        eflags_after as usize,
        None,
    )
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
    exceptions::general_protection_report(
        cost,
        SELECTOR as usize,
        mov_eip as usize,
        ds_after == 0x10,
    )
}
