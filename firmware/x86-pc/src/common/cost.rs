//! Entry and exit cost of the trampolines, counted in instructions by the
//! firmware itself.
//!
//! Under `-icount shift=0` QEMU's TSC is its instruction counter, so the
//! difference of two `rdtsc` results is the number of instructions executed
//! from the first `rdtsc` up to (not including) the second. A "stamp" is
//! `rdtsc` plus two stores of EDX:EAX. The measurement:
//!
//! ```text
//! interrupted code              probe body (an #[interrupt] handler)
//! stamp t0
//! int 0x40     --> trampoline --> stamp t1
//!                                 stamp t2
//!                  trampoline <-- ret
//! stamp t3     <--
//! ```
//!
//! `calibration` is stamp + stamp with nothing in between: 3 instructions
//! if the TSC counts instructions, which is checked.
//!
//! - `entry_insns = (t1 - t0) - calibration - 1`: the trampoline's
//!   instructions before the body's first; the `int` itself is not counted
//!   (a hardware interrupt has none).
//! - `exit_insns = (t3 - t2) - calibration - 1`: the trampoline's
//!   instructions after the body's `ret`, up to and including `iretq`
//!   (`iretd` in protected mode).
//!
//! The probe has the timer's shape (frame only, returns `()`), hence the
//! same trampoline; its body is exactly the stamps and `ret` (disassemble
//! `probe`'s `__interrupt_abi_body` to see it). The error-code shape is
//! measured through a real #GP, whose faulting instruction QEMU may or may
//! not count (it differs between fault kinds): a hand-written #GP entry
//! that stamps as its very first instruction measures that first.
//!
//! The error-code probe, the faulting instruction and the hand-written
//! entry are each mode's (`long_mode/cost.rs`, `protected_mode/cost.rs`);
//! the timestamps, the frame-only probe, the `int` measurement and the
//! arithmetic are here.

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use interrupt_abi::interrupt;

use super::InterruptStackFrame;

pub const PROBE_VECTOR: u8 = 0x40;

pub static T0: AtomicU64 = AtomicU64::new(0);
pub static T1: AtomicU64 = AtomicU64::new(0);
pub static T2: AtomicU64 = AtomicU64::new(0);
pub static T3: AtomicU64 = AtomicU64::new(0);

/// `rdtsc` and two stores into the static named by the `sym` operand `$t`,
/// RIP-relative in long mode.
#[cfg(target_arch = "x86_64")]
macro_rules! stamp {
    ($t:literal) => {
        concat!(
            "rdtsc\n",
            "mov dword ptr [rip + {",
            $t,
            "}], eax\n",
            "mov dword ptr [rip + {",
            $t,
            "} + 4], edx"
        )
    };
}

/// `rdtsc` and two stores into the static named by the `sym` operand `$t`,
/// at its absolute address in protected mode.
#[cfg(target_arch = "x86")]
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
pub(crate) use stamp;

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

/// What the #GP gate points at while the error-code shape is measured.
pub enum GpEntry {
    /// The hand-written entry that stamps `t1` first and skips the load.
    Calibration,
    /// The error-code probe, an `#[interrupt]` handler.
    Probe,
    /// The scenario's own #GP handler, restored at the end.
    Handler,
}

/// The error-code shape, through a real #GP; the #GP gate is borrowed for
/// the duration. `faulting_load` stamps `t0`, runs one `mov` setting up a
/// faulting instruction and that instruction, then stamps `t3`;
/// `set_gp` points the #GP gate at an entry.
pub fn measure_error_code(faulting_load: impl Fn(), set_gp: impl Fn(GpEntry)) -> Cost {
    let calibration = calibration();
    set_gp(GpEntry::Calibration);
    faulting_load();
    // The `mov` setting up the load, and the load if QEMU counts it.
    let before = T1.load(Relaxed) - T0.load(Relaxed) - calibration;
    set_gp(GpEntry::Probe);
    let cost = repeat(calibration, || {
        faulting_load();
        deltas(calibration, before)
    });
    set_gp(GpEntry::Handler);
    cost
}
