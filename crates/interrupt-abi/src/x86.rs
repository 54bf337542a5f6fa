//! The 32-bit x86 (protected mode) interrupt stack frame.

use interrupt_abi_codegen::layout;

/// The frame the CPU pushes in protected mode, lowest address first.
///
/// Only these three words are always present: ESP and SS follow them only
/// when the interrupt came from a less privileged ring, and the handler can
/// read them then through its own `#[repr(C)]` frame type implementing
/// [`crate::abi::HardwareFrame`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterruptStackFrame {
    /// EIP of the interrupted instruction (faults) or the next one (traps).
    pub instruction_pointer: u32,
    /// CS of the interrupted code.
    pub code_segment: u32,
    /// EFLAGS of the interrupted code.
    pub cpu_flags: u32,
}

assert_frame_layout!(
    InterruptStackFrame,
    layout::X86,
    instruction_pointer,
    code_segment,
    cpu_flags
);

// SAFETY: the layout matches the protected-mode frame, asserted above.
#[cfg(target_arch = "x86")]
unsafe impl crate::abi::HardwareFrame<crate::abi::X86Interrupt> for InterruptStackFrame {}
