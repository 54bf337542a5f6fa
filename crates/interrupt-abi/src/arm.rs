//! Classic ARM (A/R profile): the frame of the SVC, abort and undefined
//! instruction entries.
//!
//! Every entry is A32 code, also on Thumb targets (`thumbv4t`, `thumbv7a`,
//! ...): exceptions enter in ARM state unless SCTLR.TE is set. Put the
//! handler's [`crate::Handler::addr`] in the vector table (e.g. `ldr pc,
//! [pc, #24]` slots followed by the addresses).
//!
//! Which abort a handler serves decides how far back LR points, so
//! `arm-interrupt-abort` handlers say it: `#[interrupt(data_abort)]` or
//! `#[interrupt(prefetch_abort)]`.

use interrupt_abi_codegen::layout;

/// The registers the entry saved, in `ldm` order, and where the interrupted
/// code resumes.
///
/// For SVC, `r0`-`r3` are the caller's arguments and, written back, its
/// results. `return_address` is the instruction after the `svc`, the aborted
/// instruction (data or prefetch abort; retried on return), or the undefined
/// instruction (re-executed on return: advance it by its length to skip it).
/// Writing the frame requires an `unsafe extern "..." fn` handler.
///
/// The entry also keeps the handler mode's SPSR (the interrupted code's
/// CPSR) on its stack, outside the frame, so the body may raise an exception
/// of its own mode (an `svc` in an SVC handler, a fault in an abort handler,
/// an undefined instruction in an undef handler) and still return right.
/// Such an exception overwrites SPSR and LR of the mode: read SPSR before
/// raising it, and declare `lr` clobbered in the `asm!` that raises it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionFrame {
    pub r0: u32,
    pub r1: u32,
    pub r2: u32,
    pub r3: u32,
    pub r12: u32,
    pub return_address: u32,
}

assert_frame_layout!(
    ExceptionFrame,
    layout::ARM_EXCEPTION,
    r0,
    r1,
    r2,
    r3,
    r12,
    return_address
);

// SAFETY: the entries of these ABIs store exactly this layout and pass its
// address (asserted above against the table the emitter uses).
#[cfg(target_arch = "arm")]
mod impls {
    use super::ExceptionFrame;
    use crate::abi::{ArmInterruptAbort, ArmInterruptSvc, ArmInterruptUndef, HardwareFrame};
    unsafe impl HardwareFrame<ArmInterruptSvc> for ExceptionFrame {}
    unsafe impl HardwareFrame<ArmInterruptAbort> for ExceptionFrame {}
    unsafe impl HardwareFrame<ArmInterruptUndef> for ExceptionFrame {}
}
