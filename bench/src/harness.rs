//! The architecture-independent half of the measurement: what each
//! architecture's harness (`riscv::harness`, `x86::harness`,
//! `arm::harness`) reads around one interrupt, and the `@bench` line it
//! prints for xtask (xtask/src/bench/dynamic.rs).
//!
//! Every harness measures the same way: the interrupted code reads the
//! instruction counter, raises the interrupt, and reads it again once the
//! handler has returned; the body's probes (`probe.rs`) leave the counter
//! at the body's first and last instruction and the body's stack pointer.
//! A calibration handler, whose body starts at its first instruction and
//! whose exit is the return instruction alone, goes through the same code;
//! xtask subtracts its numbers. `known`, with exactly 7 entry and 5 +
//! return exit instructions, lets `cargo xtask test` check that the whole
//! method reports 7 and 6.
//!
//! ```text
//! @bench handler=leaf entry_raw=10 exit_raw=9 total=31 stack=16 cal_entry_raw=2 cal_exit_raw=3 cal_total=9 cal_stack=0 cycles=31
//! ```

use core::fmt::Write;

/// What one measurement reads (counts in instructions).
#[derive(Clone, Copy)]
pub struct Sample {
    /// Counter at the body's first instruction minus before the interrupt.
    pub entry_raw: usize,
    /// Counter after the return minus at the body's last instruction.
    pub exit_raw: usize,
    /// Instructions of the whole round trip.
    pub total: usize,
    /// The round trip on a separate cycle counter, where there is one.
    pub cycles: Option<usize>,
    /// Bytes between the interrupted code's and the body's stack pointer.
    pub stack: usize,
}

/// The address of a vector defined in assembly or by the contender.
#[cfg(not(any(target_arch = "riscv32", target_arch = "riscv64")))]
macro_rules! vector {
    ($sym:ident) => {{
        unsafe extern "C" {
            fn $sym();
        }
        $sym as unsafe extern "C" fn() as usize
    }};
}

/// Measures each of `cases` (name, vector) with `measure`, next to the
/// calibration handler at `calibrate`, between the start and end lines.
#[cfg(not(any(target_arch = "riscv32", target_arch = "riscv64")))]
pub fn run(
    out: &mut impl Write,
    calibrate: usize,
    cases: &[(&str, usize)],
    measure: impl Fn(usize) -> Sample,
) {
    let _ = writeln!(out, "@bench-start");
    let cal = measure(calibrate);
    for &(name, vector) in cases {
        print_line(out, name, measure(vector), cal);
    }
    let _ = writeln!(out, "@bench-end");
}

/// Prints the `@bench` line of `handler`, measured as `s`, next to the
/// calibration handler's `cal`.
pub fn print_line(out: &mut impl Write, handler: &str, s: Sample, cal: Sample) {
    let _ = write!(
        out,
        "@bench handler={handler} entry_raw={} exit_raw={} total={} stack={} \
         cal_entry_raw={} cal_exit_raw={} cal_total={} cal_stack={}",
        s.entry_raw,
        s.exit_raw,
        s.total,
        s.stack,
        cal.entry_raw,
        cal.exit_raw,
        cal.total,
        cal.stack,
    );
    if let Some(cycles) = s.cycles {
        let _ = write!(out, " cycles={cycles}");
    }
    let _ = writeln!(out);
}
