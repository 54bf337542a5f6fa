//! The handler suite of `cargo xtask bench`, and the firmware that measures it.
//!
//! One source per language: [`suite`] here (Rust) and `c/handlers.c` (C).
//! Cargo features pick the contender that turns the bodies into interrupt
//! vectors (`ours`, `native`, `c`, `rt`); xtask builds every contender for
//! every target and reads the ELF (static metrics), and, except on
//! Cortex-M, boots it in QEMU under `-icount shift=0`, where the target's
//! harness ([`riscv::harness`], [`x86::harness`], [`arm::harness`]) raises
//! each handler's interrupt and reads the instruction counter around it
//! (dynamic metrics, printed as `@bench` lines by [`harness`]).
//!
//! Every vector is exported as `bench_<handler>` (riscv-rt: its one
//! `_start_trap`), so xtask finds them by name.

#![no_std]
#![no_main]
#![cfg_attr(
    all(feature = "native", target_arch = "x86_64"),
    feature(abi_x86_interrupt)
)]
#![cfg_attr(
    all(
        feature = "native",
        any(target_arch = "riscv32", target_arch = "riscv64")
    ),
    feature(abi_riscv_interrupt, fn_align)
)]
// The C contender defines the vectors itself, and each riscv-rt build binds
// only part of the suite: the Rust bodies and their macros go partly unused.
#![cfg_attr(any(feature = "c", feature = "rt"), allow(dead_code, unused_macros))]

#[cfg(not(any(feature = "ours", feature = "native", feature = "c", feature = "rt")))]
compile_error!("select a contender: feature `ours`, `native`, `c` or `rt`");

#[macro_use]
mod probe;
// Cortex-M is only disassembled.
#[cfg(not(bench_cortex_m))]
#[macro_use]
mod harness;
mod suite;

#[cfg(all(target_arch = "arm", not(bench_cortex_m)))]
mod arm;
#[cfg(bench_cortex_m)]
mod cortex_m;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
mod riscv;
#[cfg(target_arch = "x86_64")]
mod x86;
