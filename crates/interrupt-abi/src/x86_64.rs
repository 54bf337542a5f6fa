//! The x86_64 interrupt stack frame.
//!
//! # The red zone
//!
//! On the same stack, an interrupt pushes its frame right below the
//! interrupted RSP, where SysV code compiled with a red zone keeps up to 128
//! bytes of live data: a handler interrupting such code corrupts it. Kernels
//! compile with `x86_64-unknown-none` (no red zone) or switch stacks on entry
//! (an IST entry, or a privilege change through the TSS).

use interrupt_abi_codegen::layout;

/// The frame the CPU pushes in long mode, lowest address first.
///
/// `&InterruptStackFrame` reads it; `&mut InterruptStackFrame` (allowed only
/// in an `unsafe extern "x86-interrupt" fn`, since it can send the CPU
/// anywhere) writes the very words `iretq` consumes, e.g. to skip a faulting
/// instruction by advancing `instruction_pointer`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterruptStackFrame {
    /// RIP of the interrupted instruction (faults) or the next one (traps).
    pub instruction_pointer: u64,
    /// CS of the interrupted code (the high 48 bits are undefined).
    pub code_segment: u64,
    /// RFLAGS of the interrupted code.
    pub cpu_flags: u64,
    /// RSP of the interrupted code.
    pub stack_pointer: u64,
    /// SS of the interrupted code (the high 48 bits are undefined).
    pub stack_segment: u64,
}

assert_frame_layout!(
    InterruptStackFrame,
    layout::X86_64,
    instruction_pointer,
    code_segment,
    cpu_flags,
    stack_pointer,
    stack_segment
);

// SAFETY: the layout matches the long-mode frame, asserted above.
#[cfg(target_arch = "x86_64")]
unsafe impl crate::abi::HardwareFrame<crate::abi::X86Interrupt> for InterruptStackFrame {}
