//! Cortex-M: `extern "cortex-m-interrupt"`.
//!
//! On exception entry an M-profile core itself pushes r0-r3, r12, LR, the
//! return address and xPSR (and, lazily, s0-s15 and FPSCR when the FPU is in
//! use), aligns SP to 8 bytes (CCR.STKALIGN), and loads LR with an
//! EXC_RETURN value that makes an ordinary `bx lr` the exception return. Any
//! AAPCS function is therefore a valid handler, and `#[interrupt] extern
//! "cortex-m-interrupt" fn` emits no trampoline: the body is the entry. The
//! ABI exists for uniformity: the signature is checked, the item is a
//! [`crate::Handler`] (its `addr()` keeps the Thumb bit the vector table
//! needs), and calling it from Rust is an error.
//!
//! Next to `cortex-m-rt`, which names handlers by symbol (`#[exception] fn
//! SysTick()`, `#[interrupt] fn UART0()`), give the handler the symbol the
//! runtime's vector table expects with `#[unsafe(export_name = "SysTick")]`,
//! or build your own table from `Handler` values.
