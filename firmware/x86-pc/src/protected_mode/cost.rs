//! Entry and exit cost of the 32-bit trampolines, counted in instructions
//! with `rdtsc` under `-icount shift=0`: the method of `long_mode/cost.rs`
//! (see there), with absolute addresses. The error-code shape goes through
//! a #GP from loading DS with a selector beyond the GDT limit.

use core::arch::{asm, naked_asm};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use interrupt_abi::interrupt;
use interrupt_abi::x86::InterruptStackFrame;

use super::exceptions::GENERAL_PROTECTION;
use super::idt::{self, Gate};

pub const PROBE_VECTOR: u8 = 0x40;

static T0: AtomicU64 = AtomicU64::new(0);
static T1: AtomicU64 = AtomicU64::new(0);
static T2: AtomicU64 = AtomicU64::new(0);
static T3: AtomicU64 = AtomicU64::new(0);

/// `rdtsc` and two stores into the static named by the `sym` operand `$t`.
macro_rules! stamp {
    ($t:literal) => {
        concat!(
            "rdtsc\n",
            "mov dword ptr [{",
            $t,
            "}], eax\n",
            "mov dword ptr [{",
            $t,
            "} + 4], edx"
        )
    };
}

#[interrupt]
pub extern "x86-interrupt" fn probe(_frame: &InterruptStackFrame) {
    // SAFETY: rdtsc and stores to the timestamp statics.
    unsafe {
        asm!(
            stamp!("t1"),
            stamp!("t2"),
            t1 = sym T1,
            t2 = sym T2,
            out("eax") _,
            out("edx") _,
            options(nostack, preserves_flags),
        )
    }
}

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

/// Measured cost of a trampoline shape.
pub struct Cost {
    pub entry_insns: u64,
    pub exit_insns: u64,
    /// The TSC counted instructions and repeated measurements agreed.
    pub ok: bool,
}

/// Instructions of a stamp, as the TSC counts them (3).
fn calibration() -> u64 {
    // SAFETY: rdtsc and stores to the timestamp statics.
    unsafe {
        asm!(
            stamp!("t0"),
            stamp!("t3"),
            t0 = sym T0,
            t3 = sym T3,
            out("eax") _,
            out("edx") _,
            options(nostack, preserves_flags),
        )
    }
    T3.load(Relaxed) - T0.load(Relaxed)
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

/// `(entry, exit)` from the timestamps; `before` instructions between `t0`
/// and the trampoline's first are not the trampoline's.
fn deltas(calibration: u64, before: u64) -> (u64, u64) {
    let entry = T1.load(Relaxed) - T0.load(Relaxed) - calibration - before;
    let exit = T3.load(Relaxed) - T2.load(Relaxed) - calibration - 1;
    (entry, exit)
}

/// Three runs (interrupts off: nothing else runs in between) that must agree.
fn repeat(calibration: u64, once: impl Fn() -> (u64, u64)) -> Cost {
    let first = once();
    let agree = (0..2).all(|_| once() == first);
    Cost {
        entry_insns: first.0,
        exit_insns: first.1,
        ok: calibration == 3 && agree,
    }
}

/// The frame-only shape (the timer's), through `int 0x40`.
pub fn measure() -> Cost {
    let calibration = calibration();
    repeat(calibration, || {
        // SAFETY: the probe gate is installed; its handler preserves all registers.
        unsafe {
            asm!(
                stamp!("t0"),
                "int {vector}",
                stamp!("t3"),
                t0 = sym T0,
                t3 = sym T3,
                vector = const PROBE_VECTOR,
                out("eax") _,
                out("edx") _,
            )
        }
        deltas(calibration, 1)
    })
}

/// The error-code shape, through a real #GP; the #GP gate is borrowed for
/// the duration.
pub fn measure_error_code() -> Cost {
    let calibration = calibration();
    idt::set(
        GENERAL_PROTECTION,
        Gate::raw(fault_calibration_entry as extern "C" fn() as usize),
    );
    faulting_load();
    // The `mov` setting up the load, and the load if QEMU counts it.
    let before = T1.load(Relaxed) - T0.load(Relaxed) - calibration;
    idt::set(GENERAL_PROTECTION, Gate::new(probe_error_code));
    let cost = repeat(calibration, || {
        faulting_load();
        deltas(calibration, before)
    });
    idt::set(
        GENERAL_PROTECTION,
        Gate::new(super::exceptions::general_protection),
    );
    cost
}
