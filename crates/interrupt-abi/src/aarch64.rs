//! AArch64: the exception frame and a vector table to put handlers in.
//!
//! A vector table has 16 slots of 128 bytes at a 2 KiB-aligned address
//! (VBAR_ELx): {synchronous, IRQ, FIQ, SError} × {current EL with SP_EL0,
//! current EL with SP_ELx, lower EL in AArch64, lower EL in AArch32}.
//! [`VectorTable`] fills each slot with a branch to a handler's entry.

use interrupt_abi_codegen::layout;

use crate::Handler;
use crate::abi::Aarch64Interrupt;

/// The interrupted context, as the `aarch64-interrupt` entry stores it for a
/// handler that takes `&ExceptionFrame` (or, in an `unsafe fn`, `&mut`:
/// writes to `x` and `elr`/`spsr` are what `eret` resumes with — add 4 to
/// `elr` to skip the instruction that raised a synchronous exception).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionFrame {
    /// x0-x30 of the interrupted code.
    pub x: [u64; 31],
    /// ELR_ELx: where `eret` resumes.
    pub elr: u64,
    /// SPSR_ELx: the interrupted PSTATE.
    pub spsr: u64,
    /// ESR_ELx: the syndrome (meaningful for synchronous exceptions and SError).
    pub esr: u64,
    /// FAR_ELx: the faulting address (aborts and alignment faults).
    pub far: u64,
}

assert_frame_layout!(
    ExceptionFrame,
    layout::AARCH64_EXCEPTION,
    elr,
    spsr,
    esr,
    far
);
// `x` is one array: its first and last elements against the table.
const _: () = {
    let layout = layout::AARCH64_EXCEPTION;
    assert!(core::mem::offset_of!(ExceptionFrame, x) == layout.offset("x0"));
    assert!(core::mem::offset_of!(ExceptionFrame, x) + 30 * 8 == layout.offset("x30"));
};

// SAFETY: the entry stores this layout and passes its address.
#[cfg(target_arch = "aarch64")]
unsafe impl crate::abi::HardwareFrame<Aarch64Interrupt> for ExceptionFrame {}

/// One of the 16 slots of a vector table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vector {
    CurrentSp0Sync = 0,
    CurrentSp0Irq,
    CurrentSp0Fiq,
    CurrentSp0SError,
    CurrentSpxSync,
    CurrentSpxIrq,
    CurrentSpxFiq,
    CurrentSpxSError,
    Lower64Sync,
    Lower64Irq,
    Lower64Fiq,
    Lower64SError,
    Lower32Sync,
    Lower32Irq,
    Lower32Fiq,
    Lower32SError,
}

/// Instructions per 128-byte slot.
const SLOT_WORDS: usize = 32;
/// `b .`: an unset slot hangs where a debugger can see it.
const HANG: u32 = 0x1400_0000;

/// A vector table in memory: `static mut` or any 2 KiB-aligned place that is
/// both writable and executable.
#[repr(C, align(2048))]
pub struct VectorTable([u32; 16 * SLOT_WORDS]);

impl VectorTable {
    /// A table whose every slot hangs.
    pub const fn new() -> Self {
        VectorTable([HANG; 16 * SLOT_WORDS])
    }

    /// Points `vector` at `handler` with a `b` from the slot (the entry must
    /// be within ±128 MiB of the table, which a linked image always is).
    pub fn set(&mut self, vector: Vector, handler: Handler<Aarch64Interrupt>) {
        let slot = &mut self.0[vector as usize * SLOT_WORDS];
        let from = slot as *mut u32 as usize;
        *slot = branch(from, handler.addr());
    }

    /// Makes the table the vector base of EL1 (`VBAR_EL1`).
    ///
    /// # Safety
    ///
    /// Exceptions taken after this go through the table: every slot that can
    /// be taken must point at a handler, and the table must stay in place.
    #[cfg(target_arch = "aarch64")]
    pub unsafe fn install_el1(&'static self) {
        self.sync_instruction_cache();
        // SAFETY: the caller vouches for the table.
        unsafe { core::arch::asm!("msr vbar_el1, {0}", "isb", in(reg) self.0.as_ptr()) };
    }

    /// Makes the table the vector base of EL2 (`VBAR_EL2`), for handlers
    /// declared `#[interrupt(el2)]`.
    ///
    /// # Safety
    ///
    /// As for [`VectorTable::install_el1`]; the CPU must be at EL2.
    #[cfg(target_arch = "aarch64")]
    pub unsafe fn install_el2(&'static self) {
        self.sync_instruction_cache();
        // SAFETY: the caller vouches for the table and the exception level.
        unsafe { core::arch::asm!("msr vbar_el2, {0}", "isb", in(reg) self.0.as_ptr()) };
    }

    /// The slots were written as data: clean them to the point of
    /// unification and invalidate the instruction cache over them.
    #[cfg(target_arch = "aarch64")]
    fn sync_instruction_cache(&self) {
        let base = self.0.as_ptr() as usize;
        let lines = (base..base + core::mem::size_of::<Self>()).step_by(64);
        // SAFETY: cache maintenance by address on memory we own.
        unsafe {
            for line in lines.clone() {
                core::arch::asm!("dc cvau, {0}", in(reg) line);
            }
            core::arch::asm!("dsb ish");
            for line in lines {
                core::arch::asm!("ic ivau, {0}", in(reg) line);
            }
            core::arch::asm!("dsb ish");
        }
    }
}

impl Default for VectorTable {
    fn default() -> Self {
        Self::new()
    }
}

/// Encodes `b target` placed at `from`.
fn branch(from: usize, target: usize) -> u32 {
    let offset = (target as isize - from as isize) >> 2;
    HANG | (offset as u32 & 0x03ff_ffff)
}

#[cfg(test)]
mod tests {
    use super::branch;

    #[test]
    fn branch_encodes_both_directions() {
        assert_eq!(branch(0x1000, 0x1000), 0x1400_0000);
        assert_eq!(branch(0x1000, 0x1008), 0x1400_0002);
        assert_eq!(branch(0x1008, 0x1000), 0x17ff_fffe);
    }
}
