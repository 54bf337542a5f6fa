//! The double fault, last scenario: the page-fault gate is marked not
//! present and an unmapped page is touched. Delivering the #PF then raises
//! #NP, a contributory exception during a page fault, which the CPU turns
//! into #DF (error code 0). Its gate switches to the IST 1 stack; the
//! diverging handler checks that, and that its frame is the one the CPU
//! pushed at the stack's top (the saved RIP and CS of a #DF are undefined,
//! its position is not), and ends the run.
//!
//! The same handler catches any unexpected exception: no other gate is
//! present, so an unexpected vector raises #NP on #NP, again a #DF. Then
//! [`EXPECTED`] is false and the run fails.

use core::arch::asm;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

use interrupt_abi::interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;

use super::exceptions::PAGE_FAULT;
use super::gdt::{KERNEL_CODE, double_fault_stack};
use crate::abi_checks::{direction_flag_clear, stack_aligned};
use crate::machine;
use crate::report::Report;
use pc_machine::{idt, paging};

pub const DOUBLE_FAULT: u8 = 8;

static EXPECTED: AtomicBool = AtomicBool::new(false);

#[interrupt]
pub extern "x86-interrupt" fn double_fault(frame: &InterruptStackFrame, error_code: u64) -> ! {
    if !EXPECTED.load(Relaxed) {
        crate::unexpected(format_args!(
            "double fault (or an exception without a handler), rip {:#x}",
            frame.instruction_pointer
        ));
    }
    let rsp: u64;
    // SAFETY: reads RSP.
    unsafe { asm!("mov {}, rsp", out(reg) rsp, options(nomem, nostack, preserves_flags)) };
    let passed = Report::new("double-fault", "double_fault")
        .field("interrupts", 1)
        .field("checks", 6)
        .check(error_code == 0, "error_code")
        .check(double_fault_stack().contains(&rsp), "ist_stack")
        .check(
            frame as *const _ as u64 == double_fault_stack().end - 40,
            "frame_address",
        )
        .check(frame.code_segment & 0xFFFF == u64::from(KERNEL_CODE), "cs")
        .check(direction_flag_clear(), "df_set_in_body")
        .check(stack_aligned(), "stack_misaligned")
        .finish();
    if passed {
        machine::exit_success()
    } else {
        machine::exit_failure(5)
    }
}

/// Raises the double fault; its handler ends the run.
pub fn double_fault_scenario() -> ! {
    EXPECTED.store(true, Relaxed);
    idt::set_present(PAGE_FAULT, false);
    let address = paging::UNMAPPED_BASE + 0x10_0000;
    // SAFETY: the access faults; the double-fault handler never returns here.
    unsafe { asm!("mov {0}, qword ptr [{0}]", inout(reg) address => _, options(nostack)) };
    crate::unexpected(format_args!("no double fault"))
}
