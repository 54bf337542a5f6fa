//! Control and status registers: access macros and the bits the scenarios use.
//!
//! None of the macros is `nomem`: CSR accesses here are ordered against the
//! MMIO writes around them (raising MSIP, then reading `mip`).

/// Reads a CSR by name: `csr_read!("mcause")`.
macro_rules! csr_read {
    ($csr:literal) => {{
        let value: usize;
        // SAFETY: reading the CSRs used here has no side effect.
        unsafe { core::arch::asm!(concat!("csrr {0}, ", $csr), out(reg) value, options(nostack)) };
        value
    }};
}

/// Writes a CSR by name: `csr_write!("mtvec", addr)`.
macro_rules! csr_write {
    ($csr:literal, $value:expr) => {{
        let value: usize = $value;
        // SAFETY: the caller chooses a value whose effect it has accounted for.
        unsafe { core::arch::asm!(concat!("csrw ", $csr, ", {0}"), in(reg) value, options(nostack)) };
    }};
}

/// Sets bits in a CSR by name: `csr_set!("mstatus", MSTATUS_MIE)`.
macro_rules! csr_set {
    ($csr:literal, $bits:expr) => {{
        let bits: usize = $bits;
        // SAFETY: the caller chooses bits whose effect it has accounted for.
        unsafe { core::arch::asm!(concat!("csrs ", $csr, ", {0}"), in(reg) bits, options(nostack)) };
    }};
}

/// Clears bits in a CSR by name: `csr_clear!("mie", MIP_MTIP)`.
macro_rules! csr_clear {
    ($csr:literal, $bits:expr) => {{
        let bits: usize = $bits;
        // SAFETY: the caller chooses bits whose effect it has accounted for.
        unsafe { core::arch::asm!(concat!("csrc ", $csr, ", {0}"), in(reg) bits, options(nostack)) };
    }};
}

pub(crate) use {csr_clear, csr_read, csr_set, csr_write};

/// `mip`/`mie`/`mideleg` (and `sip`/`sie`) bits.
pub const IP_SSIP: usize = 1 << 1;
pub const IP_MSIP: usize = 1 << 3;
pub const IP_STIP: usize = 1 << 5;
pub const IP_MTIP: usize = 1 << 7;

/// `mstatus` bits.
pub const MSTATUS_SIE: usize = 1 << 1;
pub const MSTATUS_MIE: usize = 1 << 3;
pub const MSTATUS_MPP: usize = 3 << 11;
pub const MSTATUS_MPP_S: usize = 1 << 11;
/// `mstatus.FS = Initial`: lets F/D instructions run.
#[cfg(fpu)]
pub const MSTATUS_FS_INITIAL: usize = 1 << 13;

/// `xcause` of an interrupt has the top bit set; the rest is the code.
pub const CAUSE_INTERRUPT: usize = 1 << (usize::BITS - 1);
pub const CAUSE_SSI: usize = CAUSE_INTERRUPT | 1;
pub const CAUSE_MSI: usize = CAUSE_INTERRUPT | 3;
pub const CAUSE_STI: usize = CAUSE_INTERRUPT | 5;
pub const CAUSE_MTI: usize = CAUSE_INTERRUPT | 7;
/// Exception: `ecall` from S-mode.
pub const CAUSE_ECALL_S: usize = 9;

/// `mcounteren`: S-mode may read `cycle`, `time` and `instret`.
pub const MCOUNTEREN_CY_TM_IR: usize = 0b111;
