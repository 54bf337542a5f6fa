//! Architecture-independent support code of the firmware, shared by every
//! board (each keeps only its own device access):
//!
//! - [`console`]: `print!`/`println!` over a board's byte output function
//!   (its UART's transmit register).
//! - [`report`]: the `@report` lines xtask reads from the serial console,
//!   and the checks that decide their `result`.
//! - [`shared`]: [`Shared`], a static that scenario code and interrupt
//!   handlers both read and write.
//! - [`exit`]: the exit statuses of a failed run.
#![no_std]

#[macro_use]
pub mod console;
pub mod exit;
pub mod report;
pub mod shared;

pub use shared::Shared;
