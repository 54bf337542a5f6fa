//! Entry and exit cost of the 32-bit trampolines, counted in instructions
//! with `rdtsc` under `-icount shift=0`: the method and arithmetic of `common/cost.rs`
//! (see there), with absolute addresses. The error-code shape goes through
//! a #GP from loading DS with a selector beyond the GDT limit.

use core::arch::{asm, naked_asm};

use interrupt_abi::interrupt;
use interrupt_abi::x86::InterruptStackFrame;

use super::exceptions::GENERAL_PROTECTION;
use super::idt::{self, Gate};

use crate::common::cost::{self, GpEntry, T0, T1, T2, T3, stamp};
pub use crate::common::cost::{Cost, PROBE_VECTOR, measure, probe};

/// Length of `mov ds, eax` (8E D8), the segment load that raises #GP.
const FAULTING_LOAD_LEN: u32 = 2;

/// The error-code shape: skips the faulting load, stamping around it.
///
/// The frame is reached through the body's cdecl argument slot, `[esp + 4]`,
/// inside the asm: through the `&mut` argument the compiler loads the
/// pointer before the first stamp, an instruction that is not the
/// trampoline's. This holds while the body is this single asm block (no
/// prologue); if it did not, the skip would miss and the load fault again.
#[interrupt]
unsafe extern "x86-interrupt" fn probe_error_code(_frame: &mut InterruptStackFrame, _code: u32) {
    // SAFETY: stores to the timestamp statics; [esp + 4] is the frame
    // pointer argument (see above), whose EIP moves past the 2-byte load.
    unsafe {
        asm!(
            stamp!("t1"),
            "mov eax, dword ptr [esp + 4]",
            "add dword ptr [eax], {len}",
            stamp!("t2"),
            t1 = sym T1,
            t2 = sym T2,
            len = const FAULTING_LOAD_LEN,
            out("eax") _,
            out("edx") _,
            // No pushes: otherwise the compiler aligns the stack around the
            // asm and [esp + 4] moves.
            options(nostack),
        )
    }
}

/// A #GP entry written by hand whose first instruction stamps `t1`: between
/// `t0` and it there is only the faulting load, as QEMU counts it.
#[unsafe(naked)]
extern "C" fn fault_calibration_entry() {
    naked_asm!(
        stamp!("t1"),
        "add dword ptr [esp + 4], {len}",
        "add esp, 4",
        "iretd",
        t1 = sym T1,
        len = const FAULTING_LOAD_LEN,
    )
}

/// `t0`, a faulting segment load (after one `mov` setting it up), `t3`.
fn faulting_load() {
    // SAFETY: the #GP gate points at an entry that skips the load.
    unsafe {
        asm!(
            stamp!("t0"),
            "mov eax, 0x1230",
            "mov ds, eax",
            stamp!("t3"),
            t0 = sym T0,
            t3 = sym T3,
            out("eax") _,
            out("edx") _,
        )
    }
}

/// The error-code shape, through a real #GP; the #GP gate is borrowed for
/// the duration.
pub fn measure_error_code() -> Cost {
    cost::measure_error_code(faulting_load, |entry| {
        let gate = match entry {
            GpEntry::Calibration => Gate::raw(fault_calibration_entry as extern "C" fn() as usize),
            GpEntry::Probe => Gate::new(probe_error_code),
            GpEntry::Handler => Gate::new(super::exceptions::general_protection),
        };
        idt::set(GENERAL_PROTECTION, gate);
    })
}
