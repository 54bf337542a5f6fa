//! `mrs`/`msr` as expressions, and the system-register bits the firmware uses.

/// Reads a system register by its assembler name.
macro_rules! mrs {
    ($reg:literal) => {{
        let value: u64;
        // SAFETY: reading a system register has no side effect on memory.
        unsafe {
            core::arch::asm!(concat!("mrs {0}, ", $reg), out(reg) value,
                options(nomem, nostack, preserves_flags))
        };
        value
    }};
}

/// Writes a system register by its assembler name, then `isb` so that the
/// change is in effect for the next instruction.
macro_rules! msr {
    ($reg:literal, $value:expr) => {{
        let value: u64 = $value;
        // SAFETY: callers write registers whose effect they own (timers,
        // vector bases, counters); none of them moves memory under Rust.
        unsafe {
            core::arch::asm!(concat!("msr ", $reg, ", {0}"), "isb", in(reg) value,
                options(nostack, preserves_flags))
        };
    }};
}

pub(crate) use {mrs, msr};

/// ESR_ELx.EC (exception class) of a syndrome.
pub fn exception_class(esr: u64) -> u64 {
    (esr >> 26) & 0x3f
}

/// ESR_ELx.ISS (instruction-specific syndrome).
pub fn iss(esr: u64) -> u64 {
    esr & 0x01ff_ffff
}

/// Exception classes the scenarios take on purpose.
pub mod ec {
    /// Unknown reason: among others an undefined instruction (`udf`).
    pub const UNKNOWN: u64 = 0x00;
    pub const SVC64: u64 = 0x15;
    pub const HVC64: u64 = 0x16;
    /// Data abort from the current exception level.
    pub const DATA_ABORT_SAME: u64 = 0x25;
    pub const BRK64: u64 = 0x3c;
}

/// `ISR_EL1.I`: an IRQ is pending at the CPU (masked or not).
pub const ISR_I: u64 = 1 << 7;
