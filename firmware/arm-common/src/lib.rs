//! Shared parts of the classic-ARM firmware (`arm-versatile` on QEMU's
//! `versatilepb`, `armv7-gic` on its ARM `virt` board): everything that does
//! not depend on the interrupt controller or the timer.
//!
//! - [`rt`]: vector table, reset, mode stacks, default handlers, panic.
//! - [`torture`]: the interrupted code, which fills every register with a
//!   pattern and checks it continuously (A32, Thumb-1 and Thumb-2 variants,
//!   VFP included where the target has it).
//! - [`clobber`]: junk in every caller-saved register, from handler bodies.
//! - [`exceptions`]: SVC, undefined instruction, data and prefetch abort
//!   taken on purpose, around register probes ([`probe`]), also from a
//!   handler's own body.
//! - [`fpenv`]: the FP environment handler bodies find.
//! - `lazy_vfp` (VFP targets): a VFP instruction trapping with VFP disabled
//!   and enabled by an undefined-instruction handler, and the storm with
//!   VFP disabled.
//! - [`bios`]: a BIOS-style call of an `#[instruction_set(arm::a32)]` handler.
//! - [`cost`]: the instructions of an entry and an exit, from its code.
//! - [`storm`], [`nested`]: the interrupt scenarios' board-independent
//!   halves (counters, wind-down, checks, reports; shared steps in
//!   [`scenario`]); each board supplies its controller and timers.
//! - [`report`], [`console`], [`semihosting`], [`cpu`]; [`shared`] is
//!   `fw_common`'s.
//! - ARMv7 on QEMU's `virt` only: [`gic`] (its GICv2) and [`pmu`]
//!   (instruction and cycle counters), also used by the benchmark
//!   firmware (`bench/`).
#![no_std]

#[macro_use]
pub mod console;
#[macro_use]
pub mod semihosting;
pub mod bios;
pub mod clobber;
pub mod cost;
pub mod cpu;
pub mod exceptions;
pub mod fpenv;
#[cfg(arm_v7)]
pub mod gic;
#[cfg(arm_fpregs)]
pub mod lazy_vfp;
pub mod nested;
#[cfg(arm_v7)]
pub mod pmu;
pub mod probe;
pub mod report;
pub mod rt;
pub mod scenario;
pub mod storm;
pub mod torture;

/// [`Shared`](fw_common::Shared) statics, from `fw_common`.
pub use fw_common::shared;
