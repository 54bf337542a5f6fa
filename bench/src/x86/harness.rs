//! Measures each handler of the suite on x86_64 (method: `crate::harness`).
//!
//! The interrupted code ([`measure`]) reads the TSC, executes `int`, and
//! reads the TSC again after the `iretq`. Under QEMU `-icount shift=0` the
//! TSC advances by one per instruction, so it is the instruction counter
//! (there is no separate cycle counter: no `cycles` field). The body's
//! probes store it at the body's first and last instruction, and its stack
//! pointer, in the statics below. A software interrupt enters through the
//! same gate and pushes the same frame as a hardware one (no error code),
//! and needs no device to acknowledge.

use core::arch::{asm, global_asm};
use core::ptr::addr_of_mut;

use pc_machine::idt::{self, Gate};

use super::Console;
use crate::harness::{self, Sample};

/// The vector every case is installed at, in turn.
const VECTOR: u8 = 0x40;

// Written by the probes (`probe.rs`, `c/handlers.c`) by name.
#[unsafe(export_name = "bench_at_entry")]
static mut AT_ENTRY: u64 = 0;
#[unsafe(export_name = "bench_at_exit")]
static mut AT_EXIT: u64 = 0;
#[unsafe(export_name = "bench_body_sp")]
static mut BODY_SP: u64 = 0;
/// Where the probes keep `rax` and `rdx` while they use them.
#[unsafe(export_name = "bench_scratch")]
static mut SCRATCH: [u64; 2] = [0; 2];

/// The calibration and self-test handlers, with the probes' instructions.
macro_rules! fixed_handler {
    ($name:literal, $entry_nops:literal, $exit_nops:literal) => {
        global_asm!(
            concat!(".pushsection .text.", $name, ", \"ax\", @progbits"),
            ".balign 16",
            concat!(".global ", $name),
            concat!($name, ":"),
            concat!(".rept ", $entry_nops),
            "nop",
            ".endr",
            x86_probe_entry!(),
            x86_probe_exit!(),
            concat!(".rept ", $exit_nops),
            "nop",
            ".endr",
            "iretq",
            ".popsection",
        );
    };
}

// Entry 0, exit `iretq` only: what the method itself costs.
fixed_handler!("bench_calibrate", 0, 0);
// Entry 7, exit 5 + `iretq`: the method must report exactly that.
fixed_handler!("bench_known", 7, 5);

pub fn run() {
    idt::load();
    let cases = [
        ("known", vector!(bench_known)),
        ("leaf", vector!(bench_leaf)),
        ("nonleaf", vector!(bench_nonleaf)),
        ("deep", vector!(bench_deep)),
    ];
    harness::run(&mut Console, vector!(bench_calibrate), &cases, measure);
}

/// Takes one interrupt through the entry at `vector` and reads the counters.
fn measure(vector: usize) -> Sample {
    idt::set(VECTOR, Gate::new(vector));
    let (sp0, i0, i1): (u64, u64, u64);
    // SAFETY: every entry the harness installs returns with `iretq` and
    // every register intact; the probes write only the statics above.
    unsafe {
        asm!(
            "mov {sp0}, rsp",
            "rdtsc",
            "shl rdx, 32",
            "or rax, rdx",
            "mov {i0}, rax",
            // The handler runs here.
            "int {vector}",
            "rdtsc",
            "shl rdx, 32",
            "or rax, rdx",
            vector = const VECTOR,
            sp0 = out(reg) sp0,
            i0 = out(reg) i0,
            out("rax") i1,
            out("rdx") _,
        );
    }
    // SAFETY: the interrupt is over; nothing else writes these.
    let (at_entry, at_exit, body_sp) = unsafe {
        (
            addr_of_mut!(AT_ENTRY).read_volatile(),
            addr_of_mut!(AT_EXIT).read_volatile(),
            addr_of_mut!(BODY_SP).read_volatile(),
        )
    };
    Sample {
        entry_raw: at_entry.wrapping_sub(i0) as usize,
        exit_raw: i1.wrapping_sub(at_exit) as usize,
        total: i1.wrapping_sub(i0) as usize,
        cycles: None,
        stack: sp0.wrapping_sub(body_sp) as usize,
    }
}
