//! Entry and exit cost of a trampoline, counted in instructions by the
//! firmware itself.
//!
//! Under `-icount shift=0` QEMU's TSC is its instruction counter, so the
//! difference of two `rdtsc` results is the number of instructions executed
//! from the first `rdtsc` up to (not including) the second. The measurement:
//!
//! ```text
//! interrupted code               probe body (the #[interrupt] handler)
//! rdtsc; store t0 (2 movs)
//! int 0x40      --> trampoline --> rdtsc; store t1 (2 movs)
//!                                  rdtsc; store t2 (2 movs)
//!                   trampoline <-- ret
//! rdtsc; store t3 (2 movs)  <--
//! ```
//!
//! `calibration` is the same `rdtsc` + 2 stores + `rdtsc` with nothing in
//! between (3 instructions if the TSC counts instructions, which is checked).
//!
//! - `entry_insns = (t1 - t0) - calibration - 1`: the trampoline's
//!   instructions before the body's first, the `int` itself not counted (a
//!   hardware interrupt has none).
//! - `exit_insns = (t3 - t2) - calibration - 1`: the trampoline's
//!   instructions after the body's `ret` up to and including `iretq`.
//!
//! The probe has the timer's shape (frame only, returns `()`), hence the
//! same trampoline. The body being exactly `rdtsc`/stores/`ret` is what the
//! subtraction assumes; `cargo xtask` disassembly or a `-d in_asm` trace
//! shows it.

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use interrupt_abi::interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;

use super::exceptions::GENERAL_PROTECTION;
use super::idt::{self, Gate};

pub const PROBE_VECTOR: u8 = 0x40;

static T0: AtomicU64 = AtomicU64::new(0);
static T1: AtomicU64 = AtomicU64::new(0);
static T2: AtomicU64 = AtomicU64::new(0);
static T3: AtomicU64 = AtomicU64::new(0);

#[interrupt]
pub extern "x86-interrupt" fn probe(_frame: &InterruptStackFrame) {
    // SAFETY: rdtsc and stores to the timestamp statics.
    unsafe {
        asm!(
            "rdtsc",
            "mov dword ptr [rip + {t1}], eax",
            "mov dword ptr [rip + {t1} + 4], edx",
            "rdtsc",
            "mov dword ptr [rip + {t2}], eax",
            "mov dword ptr [rip + {t2} + 4], edx",
            t1 = sym T1,
            t2 = sym T2,
            out("eax") _,
            out("edx") _,
            options(nostack, preserves_flags),
        )
    }
}

/// Length of `mov rax, qword ptr [rax]` (48 8B 00), the load that raises
/// #GP in [`measure_error_code`].
const FAULTING_LOAD_LEN: u64 = 3;

/// The error-code shape: a #GP handler with the probe's timestamps that
/// skips the faulting load.
#[interrupt]
unsafe extern "x86-interrupt" fn probe_error_code(frame: &mut InterruptStackFrame, _code: u64) {
    // SAFETY: rdtsc and stores to the timestamp statics.
    unsafe {
        asm!(
            "rdtsc",
            "mov dword ptr [rip + {t1}], eax",
            "mov dword ptr [rip + {t1} + 4], edx",
            t1 = sym T1,
            out("eax") _,
            out("edx") _,
            options(nostack, preserves_flags),
        )
    }
    frame.instruction_pointer += FAULTING_LOAD_LEN;
    // SAFETY: as above; the asm also orders the frame write before it.
    unsafe {
        asm!(
            "rdtsc",
            "mov dword ptr [rip + {t2}], eax",
            "mov dword ptr [rip + {t2} + 4], edx",
            t2 = sym T2,
            out("eax") _,
            out("edx") _,
            options(nostack, preserves_flags),
        )
    }
}

/// Measured cost of the probe's (and the timer's) trampoline.
pub struct Cost {
    pub entry_insns: u64,
    pub exit_insns: u64,
    /// The calibration showed an instruction-counting TSC and repeated
    /// measurements agreed.
    pub ok: bool,
}

/// Instructions of `rdtsc` + 2 stores, as the TSC counts them.
fn calibration() -> u64 {
    // SAFETY: rdtsc and stores to the timestamp statics.
    unsafe {
        asm!(
            "rdtsc",
            "mov dword ptr [rip + {t0}], eax",
            "mov dword ptr [rip + {t0} + 4], edx",
            "rdtsc",
            "mov dword ptr [rip + {t3}], eax",
            "mov dword ptr [rip + {t3} + 4], edx",
            t0 = sym T0,
            t3 = sym T3,
            out("eax") _,
            out("edx") _,
            options(nostack, preserves_flags),
        )
    }
    T3.load(Relaxed) - T0.load(Relaxed)
}

fn measure_once(calibration: u64) -> (u64, u64) {
    // SAFETY: the probe gate is installed; its handler preserves all registers.
    unsafe {
        asm!(
            "rdtsc",
            "mov dword ptr [rip + {t0}], eax",
            "mov dword ptr [rip + {t0} + 4], edx",
            "int {vector}",
            "rdtsc",
            "mov dword ptr [rip + {t3}], eax",
            "mov dword ptr [rip + {t3} + 4], edx",
            t0 = sym T0,
            t3 = sym T3,
            vector = const PROBE_VECTOR,
            out("eax") _,
            out("edx") _,
        )
    }
    let entry = T1.load(Relaxed) - T0.load(Relaxed) - calibration - 1;
    let exit = T3.load(Relaxed) - T2.load(Relaxed) - calibration - 1;
    (entry, exit)
}

/// The error-code shape through a real #GP (a non-canonical load), with
/// [`probe_error_code`] in the #GP gate for the duration. Under icount QEMU does not count an instruction that faults (measured:
/// `t1 - t0 - calibration` equals the trampoline's 14 instructions before
/// the call, as disassembled), so no `- 1` for it on entry.
pub fn measure_error_code() -> Cost {
    let calibration = calibration();
    let once = || {
        // SAFETY: the #GP gate points at probe_error_code, which skips the load.
        unsafe {
            asm!(
                "rdtsc",
                "mov dword ptr [rip + {t0}], eax",
                "mov dword ptr [rip + {t0} + 4], edx",
                "mov rax, {non_canonical}",
                "mov rax, qword ptr [rax]",
                "rdtsc",
                "mov dword ptr [rip + {t3}], eax",
                "mov dword ptr [rip + {t3} + 4], edx",
                t0 = sym T0,
                t3 = sym T3,
                non_canonical = const 0x8000_0000_0000_0000u64 as i64,
                out("eax") _,
                out("edx") _,
            )
        }
        // The `mov rax, imm` before the load is one more instruction.
        let entry = T1.load(Relaxed) - T0.load(Relaxed) - calibration - 1;
        let exit = T3.load(Relaxed) - T2.load(Relaxed) - calibration - 1;
        (entry, exit)
    };
    idt::set(GENERAL_PROTECTION, Gate::new(probe_error_code));
    let first = once();
    let agree = (0..2).all(|_| once() == first);
    idt::set(GENERAL_PROTECTION, Gate::new(super::exceptions::general_protection));
    Cost {
        entry_insns: first.0,
        exit_insns: first.1,
        ok: calibration == 3 && agree,
    }
}

/// Measures three times (with interrupts off, so nothing else runs in
/// between); the results must agree.
pub fn measure() -> Cost {
    let calibration = calibration();
    let first = measure_once(calibration);
    let agree = (0..2).all(|_| measure_once(calibration) == first);
    Cost {
        entry_insns: first.0,
        exit_insns: first.1,
        ok: calibration == 3 && agree,
    }
}
