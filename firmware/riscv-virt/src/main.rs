//! Smoke-test firmware for QEMU's RISC-V `virt` board, started with
//! `-bios none -kernel <elf>` (M-mode, RAM at 0x8000_0000).
//!
//! It prints `hello from <target triple>`, checks that the CLINT answers where
//! `platform` says it is, and exits QEMU with status 0 through the test
//! finisher. A panic or an unexpected trap exits with a non-zero status.
//!
//! Modules: `rt` (reset entry, default trap, panic), `csr` (CSR access),
//! `uart` (`print!`/`println!`), `platform` (board devices: CLINT, exit).

#![no_std]
#![no_main]

#[macro_use]
mod uart;
mod csr;
mod platform;
mod rt;

/// Called by `rt` on a fresh stack with zeroed `.bss`; returning passes the run.
fn main() {
    println!("hello from {}", env!("FIRMWARE_TARGET"));
    platform::self_check();
}
