//! Control and status register access.

/// Reads a CSR by name: `csr_read!("mcause")`.
macro_rules! csr_read {
    ($csr:literal) => {{
        let value: usize;
        // SAFETY: reading a CSR has no side effects on the CSRs used here.
        unsafe {
            core::arch::asm!(concat!("csrr {0}, ", $csr), out(reg) value, options(nomem, nostack))
        };
        value
    }};
}

/// Sets bits in a CSR by name: `csr_set!("mstatus", 1 << 13)`.
#[cfg(target_feature = "f")]
macro_rules! csr_set {
    ($csr:literal, $bits:expr) => {{
        let bits: usize = $bits;
        // SAFETY: the caller chooses bits whose effect it has accounted for.
        unsafe {
            core::arch::asm!(concat!("csrs ", $csr, ", {0}"), in(reg) bits, options(nomem, nostack))
        };
    }};
}

pub(crate) use csr_read;
#[cfg(target_feature = "f")]
pub(crate) use csr_set;

/// `mip`/`mie` bit of the machine software interrupt.
pub const MIP_MSIP: usize = 1 << 3;
/// `mip`/`mie` bit of the machine timer interrupt.
pub const MIP_MTIP: usize = 1 << 7;
/// `mstatus.FS = Initial`: lets F/D instructions run.
#[cfg(target_feature = "f")]
pub const MSTATUS_FS_INITIAL: usize = 1 << 13;
