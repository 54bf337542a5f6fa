//! Processor state the scenarios touch: CPSR masks, SPSR, CP15 registers.
//!
//! Every helper is A32 (`#[instruction_set(arm::a32)]`): ARMv4T's Thumb has
//! no `mrs`/`msr`/`mcr`, and one instruction set keeps the code the same on
//! every target. Rust's calls interwork with them on every target.

use core::arch::asm;

/// CPSR mode field values.
pub mod mode {
    pub const IRQ: u32 = 0x12;
    pub const FIQ: u32 = 0x11;
    pub const SVC: u32 = 0x13;
    pub const ABT: u32 = 0x17;
    pub const UND: u32 = 0x1b;
    pub const SYS: u32 = 0x1f;
    pub const MASK: u32 = 0x1f;
}

/// CPSR bits.
pub const CPSR_T: u32 = 1 << 5;
pub const CPSR_F: u32 = 1 << 6;
pub const CPSR_I: u32 = 1 << 7;

/// SCTLR.A: alignment checking of data accesses.
pub const SCTLR_A: u32 = 1 << 1;

#[instruction_set(arm::a32)]
pub fn cpsr() -> u32 {
    let v: u32;
    // SAFETY: reads CPSR.
    unsafe { asm!("mrs {}, cpsr", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

/// The SPSR of the current (exception) mode: what the interrupted code's
/// CPSR was. Meaningful only in handler bodies.
#[instruction_set(arm::a32)]
pub fn spsr() -> u32 {
    let v: u32;
    // SAFETY: reads SPSR of the current mode.
    unsafe { asm!("mrs {}, spsr", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

/// Writes the CPSR control field (mode, I, F, T must stay as is).
#[instruction_set(arm::a32)]
fn set_cpsr_c(v: u32) {
    // SAFETY: callers only change the I and F masks; a memory clobber keeps
    // accesses to data shared with handlers on their side of the change.
    unsafe { asm!("msr cpsr_c, {}", in(reg) v, options(nostack, preserves_flags)) };
}

/// Unmasks IRQs (and FIQs if `fiq`), on every architecture version (ARMv4T
/// has no `cpsie`).
pub fn enable_interrupts(fiq: bool) {
    let mask = if fiq { CPSR_I | CPSR_F } else { CPSR_I };
    set_cpsr_c(cpsr() & !mask & 0xff);
}

/// Masks IRQs and FIQs.
pub fn disable_interrupts() {
    set_cpsr_c((cpsr() | CPSR_I | CPSR_F) & 0xff);
}

#[instruction_set(arm::a32)]
pub fn sctlr() -> u32 {
    let v: u32;
    // SAFETY: reads SCTLR.
    unsafe {
        asm!("mrc p15, 0, {}, c1, c0, 0", out(reg) v, options(nomem, nostack, preserves_flags))
    };
    v
}

/// Writes SCTLR. The caller keeps the MMU and caches as they are.
#[instruction_set(arm::a32)]
pub fn set_sctlr(v: u32) {
    // SAFETY: see above; the memory clobber orders accesses around it.
    unsafe { asm!("mcr p15, 0, {}, c1, c0, 0", in(reg) v, options(nostack, preserves_flags)) };
}

/// Data fault status and address registers, read in an abort handler.
#[instruction_set(arm::a32)]
pub fn data_fault() -> (u32, u32) {
    let (dfsr, dfar): (u32, u32);
    // SAFETY: reads the fault registers.
    unsafe {
        asm!(
            "mrc p15, 0, {}, c5, c0, 0",
            "mrc p15, 0, {}, c6, c0, 0",
            out(reg) dfsr, out(reg) dfar,
            options(nomem, nostack, preserves_flags),
        )
    };
    (dfsr, dfar)
}

/// FPSCR.
#[cfg(arm_fpregs)]
#[instruction_set(arm::a32)]
pub fn fpscr() -> u32 {
    let v: u32;
    // SAFETY: reads FPSCR (VFP is enabled at reset).
    unsafe { asm!("vmrs {}, fpscr", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

/// FPSCR, read after whatever computed `after` (so that the flags it set
/// are in).
#[cfg(arm_fpregs)]
#[instruction_set(arm::a32)]
pub fn fpscr_after(after: u64) -> u32 {
    let v: u32;
    // SAFETY: reads FPSCR; the inputs only order the read.
    unsafe {
        asm!(
            "vmrs {}, fpscr /* after {}:{} */",
            out(reg) v,
            in(reg) after as u32,
            in(reg) (after >> 32) as u32,
            options(nomem, nostack, preserves_flags),
        )
    };
    v
}

/// FPEXC.EN: VFP enabled.
#[cfg(arm_fpregs)]
pub const FPEXC_EN: u32 = 1 << 30;

/// FPEXC, which PL1 may read and write while VFP is disabled (CPACR grants
/// cp10/cp11 from reset on).
#[cfg(arm_fpregs)]
#[instruction_set(arm::a32)]
pub fn fpexc() -> u32 {
    let v: u32;
    // SAFETY: reads FPEXC.
    unsafe { asm!("vmrs {}, fpexc", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

/// Writes FPEXC. With EN clear, the caller and whatever it calls must not
/// execute a VFP instruction (but FPEXC accesses) until EN is set again.
#[cfg(arm_fpregs)]
#[instruction_set(arm::a32)]
pub fn set_fpexc(v: u32) {
    // SAFETY: see above; the memory clobber keeps accesses in order.
    unsafe { asm!("vmsr fpexc, {}", in(reg) v, options(nostack, preserves_flags)) };
}
