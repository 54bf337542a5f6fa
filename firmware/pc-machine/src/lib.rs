//! What a bare-metal program on QEMU's PC machine needs before its own
//! code runs, shared by the x86-pc test kernel and the benchmark firmware
//! (`bench/`):
//!
//! - [`port`]: port I/O.
//! - [`serial`]: COM1 output.
//! - [`exit`]: the `isa-debug-exit` device and the legacy PICs.
//! - x86_64 only: [`boot`] (PVH entry into long mode, which calls the
//!   program's `#[unsafe(no_mangle)] extern "C" fn kernel_entry() -> !`),
//!   [`paging`] (the identity map it sets up) and [`idt`] (64-bit gates).
//!   A program links with `-Tlink-x86_64.ld`: the build script puts this
//!   crate's directory on the linker's search path.
#![no_std]

pub mod exit;
pub mod port;
pub mod serial;

#[cfg(target_arch = "x86_64")]
pub mod boot;
#[cfg(target_arch = "x86_64")]
pub mod idt;
#[cfg(target_arch = "x86_64")]
pub mod paging;

/// The code segment selector of the boot GDT, which a program's own GDT
/// keeps: every gate of [`idt`] names it.
pub const KERNEL_CODE: u16 = 0x08;
