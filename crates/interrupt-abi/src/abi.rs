//! One zero-sized marker type per interrupt ABI, and the traits that tie
//! frame and error-code types to an ABI on the current target.

mod sealed {
    pub trait Sealed {}
}

/// An interrupt ABI supported by `#[interrupt]`. Sealed.
pub trait Abi: sealed::Sealed + Copy + 'static {
    /// The ABI string, as written in `extern "..."`.
    const NAME: &'static str;
    /// Alignment the hardware requires of the entry address.
    const ENTRY_ALIGN: usize;
}

macro_rules! markers {
    ($($(#[$doc:meta])* $name:ident = $abi:literal, align $align:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name;
        impl sealed::Sealed for $name {}
        impl Abi for $name {
            const NAME: &'static str = $abi;
            const ENTRY_ALIGN: usize = $align;
        }
    )*};
}

markers! {
    /// `extern "x86-interrupt"`: IDT gates on x86 and x86_64.
    X86Interrupt = "x86-interrupt", align 1;
    /// `extern "riscv-interrupt-m"`: machine-mode traps through `mtvec`.
    RiscvInterruptM = "riscv-interrupt-m", align 4;
    /// `extern "riscv-interrupt-s"`: supervisor-mode traps through `stvec`.
    RiscvInterruptS = "riscv-interrupt-s", align 4;
    /// `extern "arm-interrupt-irq"`: the IRQ vector of A/R-profile ARM.
    ArmInterruptIrq = "arm-interrupt-irq", align 4;
    /// `extern "arm-interrupt-fiq"`: the FIQ vector (banked r8-r12).
    ArmInterruptFiq = "arm-interrupt-fiq", align 4;
    /// `extern "arm-interrupt-svc"`: supervisor calls; the frame holds the
    /// caller's r0-r3.
    ArmInterruptSvc = "arm-interrupt-svc", align 4;
    /// `extern "arm-interrupt-abort"`: prefetch or data abort.
    ArmInterruptAbort = "arm-interrupt-abort", align 4;
    /// `extern "arm-interrupt-undef"`: undefined instruction.
    ArmInterruptUndef = "arm-interrupt-undef", align 4;
    /// `extern "arm-interrupt-irq-system"`: IRQ whose body runs in System
    /// mode on the System stack, so it may unmask IRQs and nest (ARMv6+).
    ArmInterruptIrqSystem = "arm-interrupt-irq-system", align 4;
    /// `extern "aarch64-interrupt"`: AArch64 exception vector entries.
    Aarch64Interrupt = "aarch64-interrupt", align 4;
    /// `extern "cortex-m-interrupt"`: Cortex-M exception and interrupt
    /// handlers (the address keeps its Thumb bit).
    CortexMInterrupt = "cortex-m-interrupt", align 1;
}

/// A type with the layout of the frame the CPU presents to handlers of ABI
/// `A` on the current target.
///
/// Implemented for [`crate::x86_64::InterruptStackFrame`] on x86_64,
/// [`crate::x86::InterruptStackFrame`] on 32-bit x86,
/// [`crate::arm::ExceptionFrame`] for the ARM SVC, abort and undefined
/// instruction entries, and [`crate::aarch64::ExceptionFrame`] on AArch64.
///
/// # Safety
///
/// Implement it for your own type only if it is `#[repr(C)]` and its layout
/// matches, word for word, what the CPU pushes; the trampoline hands the
/// handler a reference to the pushed words as this type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the interrupt frame the CPU pushes for `{A}` on this target",
    label = "not the hardware frame of this target",
    note = "use `interrupt_abi::x86_64::InterruptStackFrame` on x86_64, \
            `interrupt_abi::x86::InterruptStackFrame` on 32-bit x86, \
            `interrupt_abi::arm::ExceptionFrame` on ARM and `interrupt_abi::aarch64::ExceptionFrame` \
            on AArch64, or implement the unsafe trait `interrupt_abi::abi::HardwareFrame` for your \
            own `#[repr(C)]` frame type"
)]
pub unsafe trait HardwareFrame<A: Abi> {}

/// The type of the error code the CPU pushes for ABI `A` on this target.
/// Sealed: `u64` on x86_64, `u32` on 32-bit x86.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the error-code type the CPU pushes for `{A}` on this target",
    label = "wrong error-code type",
    note = "the error code is `u64` on x86_64 and `u32` on 32-bit x86"
)]
pub trait ErrorCode<A: Abi>: sealed::Sealed {}

impl sealed::Sealed for u64 {}
impl sealed::Sealed for u32 {}

#[cfg(target_arch = "x86_64")]
impl ErrorCode<X86Interrupt> for u64 {}
#[cfg(target_arch = "x86")]
impl ErrorCode<X86Interrupt> for u32 {}
