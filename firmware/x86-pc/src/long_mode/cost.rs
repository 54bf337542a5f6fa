//! Entry and exit cost of the 64-bit trampolines, counted in instructions
//! with `rdtsc` under `-icount shift=0`: the method and arithmetic of
//! `common/cost.rs` (see there), with RIP-relative stamps. The error-code
//! shape goes through a #GP from a load at a non-canonical address.

use core::arch::{asm, naked_asm};

use interrupt_abi::interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;

use super::exceptions::GENERAL_PROTECTION;
use pc_machine::idt;

use super::gate;

use crate::common::cost::{self, GpEntry, T0, T1, T2, T3, stamp};
pub use crate::common::cost::{Cost, PROBE_VECTOR, measure, probe};

/// Length of `mov rax, qword ptr [rax]` (48 8B 00), the load that raises
/// #GP with a non-canonical RAX.
const FAULTING_LOAD_LEN: u64 = 3;

/// The error-code shape: skips the faulting load, stamping around it.
#[interrupt]
unsafe extern "x86-interrupt" fn probe_error_code(frame: &mut InterruptStackFrame, _code: u64) {
    // SAFETY: rdtsc and stores to the timestamp statics.
    unsafe {
        asm!(stamp!("t1"), t1 = sym T1, out("eax") _, out("edx") _, options(nostack, preserves_flags))
    }
    frame.instruction_pointer += FAULTING_LOAD_LEN;
    // SAFETY: as above; the asm also orders the frame write before it.
    unsafe {
        asm!(stamp!("t2"), t2 = sym T2, out("eax") _, out("edx") _, options(nostack, preserves_flags))
    }
}

/// A #GP entry written by hand whose first instruction stamps `t1`: between
/// `t0` and it there is only the faulting load, as QEMU counts it. It skips
/// the load and returns; RAX and RDX are the measuring code's scratch.
#[unsafe(naked)]
extern "sysv64" fn fault_calibration_entry() {
    naked_asm!(
        stamp!("t1"),
        "add qword ptr [rsp + 8], {len}",
        "add rsp, 8",
        "iretq",
        t1 = sym T1,
        len = const FAULTING_LOAD_LEN,
    )
}

/// `t0`, a faulting non-canonical load (after one `mov` setting it up), `t3`.
fn faulting_load() {
    // SAFETY: the #GP gate points at an entry that skips the load.
    unsafe {
        asm!(
            stamp!("t0"),
            "mov rax, {non_canonical}",
            "mov rax, qword ptr [rax]",
            stamp!("t3"),
            t0 = sym T0,
            t3 = sym T3,
            non_canonical = const 0x8000_0000_0000_0000u64 as i64,
            out("eax") _,
            out("edx") _,
        )
    }
}

/// The error-code shape, through a real #GP; the #GP gate is borrowed for
/// the duration.
pub fn measure_error_code() -> Cost {
    cost::measure_error_code(faulting_load, |entry| {
        let installed = match entry {
            GpEntry::Calibration => {
                idt::Gate::new(fault_calibration_entry as extern "sysv64" fn() as usize)
            }
            GpEntry::Probe => gate(probe_error_code),
            GpEntry::Handler => gate(super::exceptions::general_protection),
        };
        idt::set(GENERAL_PROTECTION, installed);
    })
}
