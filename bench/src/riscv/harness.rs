//! Measures each handler of the suite on RISC-V (method: `crate::harness`).
//!
//! The interrupted code (one `asm!` block, [`measure`]) reads `minstret`,
//! sets the handler's bit in `mip` (the interrupt is taken right after that
//! instruction) and reads `minstret` again once the handler has returned.
//! The body's probes leave the counter at its first instruction in
//! `mscratch`, at its last in `sscratch`, and its stack pointer in `mtval`.
//! The calibration handler runs per interrupt bit. `cycles` is the round
//! trip in `mcycle`, read one instruction outside each `minstret` read,
//! which QEMU's icount clock advances by one per instruction unless it
//! jumps on its own.

use core::arch::{asm, global_asm};

use super::{println, Console};
use crate::harness::{print_line, Sample};
use crate::probe::bits::{SEIP, SSIP, STIP};

/// The calibration and self-test handlers. They clobber `t0`, which
/// [`measure`] gives up; every other handler preserves all registers.
/// Their "probes" are the same instructions as `probe.rs`'s, with `t0`.
macro_rules! fixed_handler {
    ($name:literal, $entry_nops:literal, $exit_nops:literal) => {
        global_asm!(
            concat!(".pushsection .text.", $name, ", \"ax\", @progbits"),
            ".balign 4",
            concat!(".global ", $name),
            concat!($name, ":"),
            concat!(".rept ", $entry_nops),
            "nop",
            ".endr",
            "csrr t0, minstret",
            "csrw mscratch, t0",
            "csrw mtval, sp",
            "li t0, {bits}",
            "csrc mip, t0",
            "csrr t0, minstret",
            "csrw sscratch, t0",
            concat!(".rept ", $exit_nops),
            "nop",
            ".endr",
            "mret",
            ".popsection",
            bits = const SSIP | STIP | SEIP,
        );
    };
}

// Entry 0, exit `mret` only: what the method itself costs.
fixed_handler!("bench_calibrate", 0, 0);
// Entry 7, exit 5 + `mret`: the method must report exactly that.
fixed_handler!("bench_known", 7, 5);

extern "C" {
    fn bench_calibrate();
    fn bench_known();
    fn _start_trap();
}

/// The address of a vector defined in assembly or by a contender.
fn addr(vector: unsafe extern "C" fn()) -> usize {
    vector as usize
}

/// A handler to measure: the address `mtvec` gets and the `mip` bit that
/// raises its interrupt.
struct Case {
    name: &'static str,
    vector: usize,
    bit: usize,
}

/// The vectors of the contender this firmware was built with.
#[cfg(not(feature = "rt"))]
fn cases() -> impl Iterator<Item = Case> {
    macro_rules! case {
        ($name:literal, $sym:ident, $bit:ident) => {{
            extern "C" {
                fn $sym();
            }
            Case {
                name: $name,
                vector: addr($sym),
                bit: $bit,
            }
        }};
    }
    [
        Some(case!("leaf", bench_leaf, SSIP)),
        Some(case!("nonleaf", bench_nonleaf, STIP)),
        Some(case!("deep", bench_deep, SEIP)),
        #[cfg(bench_fpu)]
        Some(case!("float", bench_float, SSIP)),
        #[cfg(not(bench_fpu))]
        None,
        Some(case!("nested", bench_nested, STIP)),
    ]
    .into_iter()
    .flatten()
}

/// riscv-rt has one vector and dispatches on the cause.
#[cfg(feature = "rt")]
fn cases() -> impl Iterator<Item = Case> {
    let vector = addr(_start_trap);
    let case = |name, bit| Some(Case { name, vector, bit });
    #[cfg(not(feature = "rt-second"))]
    let group = [
        case("leaf", SSIP),
        case("nonleaf", STIP),
        case("deep", SEIP),
    ];
    #[cfg(all(feature = "rt-second", bench_fpu))]
    let group = [case("float", SSIP), case("nested", STIP), None];
    #[cfg(all(feature = "rt-second", not(bench_fpu)))]
    let group = [case("nested", STIP), None, None];
    group.into_iter().flatten()
}

pub fn run() {
    println!("@bench-start");
    let known = Case {
        name: "known",
        vector: addr(bench_known),
        bit: SSIP,
    };
    for case in core::iter::once(known).chain(cases()) {
        let cal = calibrate(case.bit);
        // SAFETY: `case.vector` is a complete interrupt handler for `bit`.
        let s = unsafe { measure(case.vector, case.bit) };
        print_line(&mut Console, case.name, s, cal);
    }
    println!("@bench-end");
}

/// The method's own cost for interrupts raised through `bit`.
fn calibrate(bit: usize) -> Sample {
    // SAFETY: `bench_calibrate` acknowledges every bit the suite uses.
    unsafe { measure(addr(bench_calibrate), bit) }
}

/// Takes one interrupt through `vector` and reads the counters.
///
/// # Safety
///
/// `vector` must handle the interrupt of `bit`: clear it and return with
/// every register but `t0` intact.
unsafe fn measure(vector: usize, bit: usize) -> Sample {
    let (sp0, c0, i0, i1, c1): (usize, usize, usize, usize, usize);
    let (at_entry, at_exit, body_sp): (usize, usize, usize);
    asm!(
        "csrw mscratch, zero",
        "csrw sscratch, zero",
        "csrw mtval, zero",
        "csrw mtvec, {vector}",
        "csrs mie, {bit}",
        "csrsi mstatus, 8",
        "mv {sp0}, sp",
        "csrr {c0}, mcycle",
        "csrr {i0}, minstret",
        // The interrupt is taken right after this instruction...
        "csrs mip, {bit}",
        // ...and returns here.
        "csrr {i1}, minstret",
        "csrr {c1}, mcycle",
        "csrci mstatus, 8",
        "csrc mie, {bit}",
        // Exceptions from here on are reported by riscv-rt's handler.
        "csrw mtvec, {fallback}",
        vector = in(reg) vector,
        bit = in(reg) bit,
        fallback = in(reg) addr(_start_trap),
        sp0 = out(reg) sp0,
        c0 = out(reg) c0,
        i0 = out(reg) i0,
        i1 = out(reg) i1,
        c1 = out(reg) c1,
        out("t0") _,
    );
    asm!(
        "csrr {0}, mscratch",
        "csrr {1}, sscratch",
        "csrr {2}, mtval",
        out(reg) at_entry,
        out(reg) at_exit,
        out(reg) body_sp,
    );
    Sample {
        entry_raw: at_entry.wrapping_sub(i0),
        exit_raw: i1.wrapping_sub(at_exit),
        total: i1.wrapping_sub(i0),
        cycles: Some(c1.wrapping_sub(c0)),
        stack: sp0.wrapping_sub(body_sp),
    }
}
