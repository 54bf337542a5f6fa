//! What the two kernels share beyond the PC hardware: the bookkeeping of
//! the scenarios, their `@report` lines and the cost arithmetic. Only the
//! asm, the register names and the frame types stay in `long_mode` and
//! `protected_mode`.
//!
//! Counters and recorded frame fields are `usize`, the register width on
//! both targets (64 bits in long mode, 32 in protected mode), so the asm
//! of each mode addresses them with its own operand size (`qword ptr`,
//! `dword ptr`).
//!
//! - `cost`: timestamps, calibration and the entry/exit arithmetic.
//! - `exceptions`: what exception handlers saw, and the #GP skip.
//! - `storm`: the timer storm's counters, timer body checks and report.
//! - `diverging`: what diverging handlers saw, and the way back from them.
//! - `fp_env`: the FP environment across an interrupt, where bodies have one.

pub mod cost;
pub mod diverging;
pub mod exceptions;
#[cfg(any(target_arch = "x86", target_feature = "sse"))]
pub mod fp_env;
pub mod storm;

/// The frame of the mode being built: the two types have the same field
/// names, of the register width.
#[cfg(target_arch = "x86")]
pub use interrupt_abi::x86::InterruptStackFrame;
#[cfg(target_arch = "x86_64")]
pub use interrupt_abi::x86_64::InterruptStackFrame;

/// Hex digits of a register, for `{:#0w$x}`: `0x` and two per byte.
pub const HEX_WIDTH: usize = 2 + 2 * size_of::<usize>();
