//! Exceptions with a frame to check: breakpoint (trap, no error code), page
//! fault (fault with an error code, recovered by mapping the page) and
//! general protection (fault with an error code, recovered by skipping the
//! instruction through `&mut InterruptStackFrame`).

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use interrupt_abi::interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;

use super::gdt::KERNEL_CODE;
use crate::common::exceptions::{self, BREAKPOINT_SEEN, GP_SKIP, Seen};
use crate::report::Report;
use pc_machine::paging::{self, UNMAPPED_BASE};

/// Vectors of the CPU exceptions used here.
pub const BREAKPOINT: u8 = 3;
pub const GENERAL_PROTECTION: u8 = 13;
pub const PAGE_FAULT: u8 = 14;

static PAGE_FAULT_SEEN: Seen = Seen::new();
/// RSP in the breakpoint's frame (the 32-bit frame has none).
static BREAKPOINT_RSP: AtomicU64 = AtomicU64::new(0);
/// CR2 at the page fault.
static FAULT_ADDRESS: AtomicU64 = AtomicU64::new(0);

#[interrupt]
pub extern "x86-interrupt" fn breakpoint(frame: &InterruptStackFrame) {
    BREAKPOINT_SEEN.record(frame, 0);
    BREAKPOINT_RSP.store(frame.stack_pointer, Relaxed);
}

/// Page fault: records CR2 and maps the page, so the faulting instruction
/// succeeds when `iretq` restarts it. Any other page fault fails the run.
#[interrupt]
pub extern "x86-interrupt" fn page_fault(frame: &InterruptStackFrame, error_code: u64) {
    let cr2: u64;
    // SAFETY: reading CR2 has no side effect.
    unsafe { asm!("mov {}, cr2", out(reg) cr2, options(nomem, nostack, preserves_flags)) };
    PAGE_FAULT_SEEN.record(frame, error_code as usize);
    FAULT_ADDRESS.store(cr2, Relaxed);
    if cr2 & !0xFFF != FAULT_PAGE_VIRT || PAGE_FAULT_SEEN.count.load(Relaxed) != 1 {
        // Returning would restart the access and fault forever.
        crate::unexpected(format_args!(
            "page fault at {cr2:#x}, rip {:#x}, error code {error_code:#x}",
            frame.instruction_pointer
        ));
    }
    // SAFETY: BACKING is reserved for this mapping; the virtual page is unused.
    unsafe { paging::map_page(FAULT_PAGE_VIRT, (&raw const BACKING) as u64) };
}

/// General protection: steps over the faulting instruction by moving the
/// return address in the frame, the reason `&mut` frames exist.
#[interrupt]
pub unsafe extern "x86-interrupt" fn general_protection(
    frame: &mut InterruptStackFrame,
    error_code: u64,
) {
    let skip = exceptions::general_protection(frame, error_code as usize);
    frame.instruction_pointer += skip as u64;
}

/// `int3` with DF set: the frame must hold the address after the
/// instruction (a trap), our CS and RSP, and RFLAGS as they were; the body
/// sees DF clear and an aligned stack; DF comes back set.
pub fn breakpoint_scenario() -> bool {
    let (after, rsp, rflags, rflags_after): (u64, u64, u64, u64);
    // SAFETY: the breakpoint handler is installed and returns.
    unsafe {
        asm!(
            "pushfq",
            "pop {flags}",
            "mov {rsp}, rsp",
            "lea {after}, [rip + 2f]",
            // DF set: the handler must see it cleared, we must get it back.
            "std",
            "int3",
            "2:",
            "pushfq",
            "pop {flags_after}",
            "cld",
            after = out(reg) after,
            rsp = out(reg) rsp,
            flags = out(reg) rflags,
            flags_after = out(reg) rflags_after,
        )
    };
    exceptions::breakpoint_report(
        after as usize,
        KERNEL_CODE,
        rflags as usize,
        rflags_after as usize,
        Some(BREAKPOINT_RSP.load(Relaxed) == rsp),
    )
}

/// The virtual page the page-fault scenario writes to: in the second GiB,
/// which the boot stub leaves unmapped.
const FAULT_PAGE_VIRT: u64 = UNMAPPED_BASE + 0x1000;
const FAULT_OFFSET: u64 = 0x238;
const FAULT_VALUE: u64 = 0x0123_4567_89AB_CDEF;

#[repr(C, align(4096))]
struct Page([u8; 4096]);
/// The physical page the handler maps at [`FAULT_PAGE_VIRT`].
static mut BACKING: Page = Page([0; 4096]);

/// A write to an unmapped page: the handler sees CR2 = the address, error
/// code "write to a not-present page in ring 0" (W=1, P=0, U=0) and the
/// RIP of the store; it maps the page, the store is restarted and lands in
/// the backing page.
pub fn page_fault_scenario() -> bool {
    let address = FAULT_PAGE_VIRT + FAULT_OFFSET;
    let store_rip: u64;
    // SAFETY: the page-fault handler maps the page, then the store succeeds
    // in memory nothing else uses.
    unsafe {
        asm!(
            "lea {rip}, [rip + 2f]",
            "std",
            "2:",
            "mov qword ptr [{address}], {value}",
            "cld",
            rip = out(reg) store_rip,
            address = in(reg) address,
            value = in(reg) FAULT_VALUE,
            options(nostack),
        )
    };
    // Read back through the identity map of the backing page.
    // SAFETY: an aligned u64 inside BACKING.
    let stored = unsafe {
        ((&raw const BACKING as *const u8).add(FAULT_OFFSET as usize) as *const u64).read_volatile()
    };
    const WRITE: u64 = 1 << 1;
    let s = &PAGE_FAULT_SEEN;
    Report::new("page-fault", "page_fault")
        .field("interrupts", s.count.load(Relaxed))
        .field("checks", 6)
        .check(s.count.load(Relaxed) == 1, "count")
        .check(s.abi_violations.load(Relaxed) == 0, "body_entry_state")
        .check(FAULT_ADDRESS.load(Relaxed) == address, "cr2")
        .check(s.error_code.load(Relaxed) == WRITE as usize, "error_code")
        .check(s.ip.load(Relaxed) == store_rip as usize, "rip")
        .check(stored == FAULT_VALUE, "restarted_store")
        .finish()
}

/// A load from a non-canonical address raises #GP(0); the handler skips the
/// load, so the destination register keeps its old value.
pub fn general_protection_scenario(cost: &super::cost::Cost) -> bool {
    const KEPT: u64 = 0x5A5A_5A5A_5A5A_5A5A;
    let (load_rip, after, loaded): (u64, u64, u64);
    // SAFETY: the #GP handler skips the load; nothing is accessed.
    unsafe {
        asm!(
            "lea {rip}, [rip + 2f]",
            "lea {after}, [rip + 3f]",
            "mov {len}, {after}",
            "sub {len}, {rip}",
            "mov qword ptr [rip + {skip}], {len}",
            "std",
            "2:",
            "mov {dst}, qword ptr [{address}]",
            "3:",
            "cld",
            rip = out(reg) load_rip,
            after = out(reg) after,
            len = out(reg) _,
            skip = sym GP_SKIP,
            dst = inout(reg) KEPT => loaded,
            address = in(reg) 0x8000_0000_0000_0000u64,
            options(nostack),
        )
    };
    exceptions::general_protection_report(
        cost,
        0,
        load_rip as usize,
        loaded == KEPT && after > load_rip,
    )
}
