//! Interrupt calling conventions for stable Rust.
//!
//! ```
//! # #[cfg(target_arch = "x86_64")] mod example {
//! use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};
//!
//! #[interrupt]
//! extern "x86-interrupt" fn page_fault(frame: &InterruptStackFrame, error_code: u64) {
//!     // ordinary, safe Rust
//!     let _ = (frame.instruction_pointer, error_code);
//! }
//!
//! // The IDT gets the entry address.
//! fn install() -> usize {
//!     page_fault.addr()
//! }
//! # }
//! ```
//!
//! The same for `extern "riscv-interrupt-m"`, `"arm-interrupt-irq"`,
//! `"aarch64-interrupt"` and the other ABIs of [`abi`], each on its targets.
//! A handler cannot be called from Rust:
//!
//! ```compile_fail,E0618
//! # #[cfg(target_arch = "x86_64")] mod example {
//! # use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};
//! #[interrupt]
//! extern "x86-interrupt" fn breakpoint(_frame: &InterruptStackFrame) {}
//!
//! fn oops() {
//!     unsafe { breakpoint() } // error[E0618]: expected function, found `Handler<X86Interrupt>`
//! }
//! # }
//! ```
//!
//! `#[interrupt]` turns the function into a [`Handler`]: a `Copy` value holding
//! the address of a naked entry trampoline that saves exactly the registers
//! the body's calling convention may clobber, sets up what that convention
//! requires, calls the body and returns the way the hardware expects
//! (`iretq`, `mret`, `sret`, ...). The handler cannot be called from Rust; its
//! [`Handler::addr`] goes into an IDT, `mtvec` or `stvec`.
//!
//! See the `docs/` directory of the repository for one reference page per ABI.
#![no_std]

/// Asserts at compile time that a frame struct has the size of `$layout`
/// and each named field sits at the offset the table (and so the emitter)
/// uses for it.
macro_rules! assert_frame_layout {
    ($frame:ty, $layout:expr, $($field:ident),+) => {
        const _: () = {
            let layout = $layout;
            assert!(core::mem::size_of::<$frame>() == layout.size());
            $(assert!(core::mem::offset_of!($frame, $field) == layout.offset(stringify!($field)));)+
        };
    };
}

pub mod aarch64;
pub mod abi;
pub mod arm;
pub mod cortex_m;
mod handler;
pub mod x86;
pub mod x86_64;

pub use handler::Handler;

// `__select_variant!`, generated for the target by build.rs.
include!(concat!(env!("OUT_DIR"), "/select.rs"));
pub use interrupt_abi_macros::interrupt;

/// Items the expansion of `#[interrupt]` refers to. Not public API.
#[doc(hidden)]
pub mod __private {
    use crate::abi::Abi;
    pub use crate::abi::{ErrorCode, HardwareFrame};

    /// Fails to compile, on the user's frame type, unless `F` is the frame
    /// the CPU presents to handlers of `A` on this target.
    pub const fn assert_frame<A: Abi, F: ?Sized + HardwareFrame<A>>() {}

    /// Fails to compile, on the user's type, unless `E` is the error code the
    /// CPU pushes for `A` on this target.
    pub const fn assert_error_code<A: Abi, E: ErrorCode<A>>() {}

    /// Stands in for the entry of an item that failed to expand, so that the
    /// compile errors already reported are not followed by unrelated ones.
    pub unsafe extern "C" fn placeholder_entry() {}
}
