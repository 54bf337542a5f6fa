//! Interrupt calling conventions as data, and emitters that turn a convention
//! plus a save set into a trampoline.
//!
//! This crate has no `proc_macro` dependency: the `#[interrupt]` macro, the
//! tests and the benchmarks all read the same tables. Without the default
//! `emit` feature it is `no_std` without `alloc`, so the runtime crate shares
//! the frame layouts with the emitters.
//!
//! - [`abi`]: the ABI strings we accept and the target variants of each.
//! - [`target`]: `cfg` predicates that select a variant at compile time.
//! - [`layout`]: hardware frame layouts (one table for structs and emitters).
//! - [`riscv_regs`]: RISC-V register-convention tables (psABI and proposed EABI).
//! - [`convention`]: what a trampoline must save and how it enters and returns.
//! - [`x86`], [`riscv`], [`arm`], [`aarch64`]: the emitters.
#![cfg_attr(not(test), no_std)]

#[cfg(feature = "emit")]
extern crate alloc;

pub mod abi;
pub mod layout;
pub mod riscv_regs;
pub mod target;

#[cfg(feature = "emit")]
pub mod aarch64;
#[cfg(feature = "emit")]
pub mod arm;
#[cfg(feature = "emit")]
pub mod convention;
#[cfg(feature = "emit")]
pub mod riscv;
#[cfg(feature = "emit")]
pub mod x86;

pub use abi::Abi;

/// Name of the entry function (the symbol the hardware jumps to) that
/// `#[interrupt]` nests in each handler's constant; tools that read linked
/// images find entries by it.
pub const ENTRY_SYMBOL: &str = "__interrupt_abi_entry";
/// Name of the function holding the handler's body, called by the entry.
pub const BODY_SYMBOL: &str = "__interrupt_abi_body";
