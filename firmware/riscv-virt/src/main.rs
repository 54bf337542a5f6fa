//! Interrupt storms with register torture on QEMU's RISC-V `virt` board,
//! started with `-bios none -smp 2 -icount shift=0` (M-mode, RAM at
//! 0x8000_0000), for RV32I(MAC), RV64GC and RV32E.
//!
//! Hart 0 runs three scenarios in sequence (see `scenario`), each a storm of
//! at least 100,000 interrupts against the register torture (`torture`), with
//! handlers that clobber every caller-saved register (`clobber`), and prints
//! one `@report` line per scenario (`report`) with the interrupts taken, the
//! register checks made and the entry/exit cost of its handler (`cost`).
//! Hart 1 raises software interrupts at arbitrary moments and watches for
//! stalls (`generator`). The run ends through the test finisher: status 0
//! when every scenario passed, non-zero on the first failure (`platform::exit`).
//!
//! Modules: `rt` (reset entry, default trap, panic), `csr`, `uart`
//! (`print!`/`println!`), `platform` (CLINT, exit), `storm` (counters and
//! timer schedule). The print machinery, `@report` lines and `Shared`
//! (statics shared with handlers and hart 1) come from `fw_common`.

#![no_std]
#![no_main]

#[macro_use]
mod uart;
mod clobber;
mod cost;
mod csr;
mod fp_env;
mod generator;
mod platform;
mod report;
mod rt;
mod scenario;
mod storm;
mod torture;

/// Called by `rt` on hart 0, on a fresh stack with zeroed `.bss`.
fn main() -> ! {
    println!(
        "riscv-virt on {}: machine, nested and supervisor storms",
        env!("FIRMWARE_TARGET")
    );
    scenario::machine::run();
    scenario::nested::run();
    scenario::supervisor::run()
}
