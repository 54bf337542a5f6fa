//! AArch64: the exception frame and a vector table to put handlers in.
//!
//! A vector table has 16 slots of 128 bytes at a 2 KiB-aligned address
//! (VBAR_ELx): {synchronous, IRQ, FIQ, SError} × where the exception came
//! from {current EL using SP_EL0, current EL using SP_ELx, lower EL in
//! AArch64, lower EL in AArch32}. The slot only tells where the exception
//! came from: taking it always selects SP_ELx (PSTATE.SP = 1), so every
//! handler, `CurrentSp0*` ones included, runs and pushes its frame on
//! SP_ELx. [`VectorTable`] fills each slot with a branch to a handler's
//! entry.

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

/// One of the 16 slots of a vector table, named by where the exception was
/// taken from. Whichever slot it is, the handler runs on SP_ELx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vector {
    /// Taken from the current EL while it used SP_EL0 (SPSel = 0, e.g.
    /// EL1t): the handler itself still runs on SP_ELx, and SPSR.M says
    /// `t` so that `eret` returns to SP_EL0.
    CurrentSp0Sync = 0,
    CurrentSp0Irq,
    CurrentSp0Fiq,
    CurrentSp0SError,
    /// Taken from the current EL on SP_ELx (the usual kernel case, EL1h).
    CurrentSpxSync,
    CurrentSpxIrq,
    CurrentSpxFiq,
    CurrentSpxSError,
    /// Taken from a lower EL running AArch64 (EL0 under EL1, EL1 under EL2).
    Lower64Sync,
    Lower64Irq,
    Lower64Fiq,
    Lower64SError,
    /// Taken from a lower EL running AArch32.
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

    /// Points `vector` at `handler` with a `b` from the slot.
    ///
    /// # Panics
    ///
    /// If the entry is not within the reach of `b`, -128 MiB to +128 MiB - 4
    /// from the slot (a table and handlers in one image of less than 128 MiB
    /// always are; a table copied far away from its image may not be). The
    /// slot is then left as it was rather than given a branch elsewhere.
    pub fn set(&mut self, vector: Vector, handler: Handler<Aarch64Interrupt>) {
        let slot = &mut self.0[vector as usize * SLOT_WORDS];
        let from = slot as *mut u32 as usize;
        let Some(insn) = branch(from, handler.addr()) else {
            panic!(
                "VectorTable::set({vector:?}): the entry at {:#x} is out of reach of a `b` \
                 from the slot at {from:#x} (±128 MiB)",
                handler.addr()
            );
        };
        *slot = insn;
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
    /// unification and invalidate the instruction cache over them, one
    /// line at a time in each cache's own smallest line size.
    #[cfg(target_arch = "aarch64")]
    fn sync_instruction_cache(&self) {
        let ctr: u64;
        // SAFETY: CTR_EL0 is readable at EL1 and above.
        unsafe {
            core::arch::asm!("mrs {0}, ctr_el0", out(reg) ctr, options(nomem, nostack, preserves_flags))
        };
        let (dline, iline) = cache_line_bytes(ctr);
        let base = self.0.as_ptr() as usize;
        let end = base + core::mem::size_of::<Self>();
        // SAFETY: cache maintenance by address on memory we own.
        unsafe {
            for line in (base & !(dline - 1)..end).step_by(dline) {
                core::arch::asm!("dc cvau, {0}", in(reg) line);
            }
            core::arch::asm!("dsb ish");
            for line in (base & !(iline - 1)..end).step_by(iline) {
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

/// The smallest data and instruction cache line sizes in bytes, from
/// CTR_EL0.DminLine (bits 19:16) and IminLine (bits 3:0), each the log2 of
/// a number of 4-byte words. Cores differ (32, 64, 128 bytes...); a stride
/// larger than the real line would leave lines unmaintained.
#[cfg(any(target_arch = "aarch64", test))]
fn cache_line_bytes(ctr: u64) -> (usize, usize) {
    let words_log2 = |shift: u64| ((ctr >> shift) & 0xf) as usize;
    (4 << words_log2(16), 4 << words_log2(0))
}

/// Encodes `b target` placed at `from`, if `b` reaches it: a signed 26-bit
/// word offset.
fn branch(from: usize, target: usize) -> Option<u32> {
    const REACH: isize = 128 << 20;
    let offset = target.wrapping_sub(from) as isize;
    let reachable = (-REACH..REACH).contains(&offset) && offset % 4 == 0;
    reachable.then_some(HANG | ((offset >> 2) as u32 & 0x03ff_ffff))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handle whose entry would be at `addr` (never called).
    fn handler_at(addr: usize) -> Handler<Aarch64Interrupt> {
        // SAFETY: a non-null function pointer; it is only compared and encoded.
        unsafe { Handler::__new(core::mem::transmute::<usize, unsafe extern "C" fn()>(addr)) }
    }

    const MIB_128: usize = 128 << 20;
    const IRQ: Vector = Vector::CurrentSpxIrq;

    fn slot(table: &VectorTable, vector: Vector) -> (usize, u32) {
        let word = &table.0[vector as usize * SLOT_WORDS];
        (word as *const u32 as usize, *word)
    }

    #[test]
    fn cache_line_sizes_come_from_ctr_el0() {
        // Cortex-A53 (QEMU's too): 64-byte lines in both caches.
        assert_eq!(cache_line_bytes(0x8444_8004), (64, 64));
        // DminLine = 5 (128-byte data lines), IminLine = 3 (32-byte
        // instruction lines): a 64-byte stride would skip every other
        // instruction cache line.
        assert_eq!(cache_line_bytes(0x8445_8003), (128, 32));
    }

    #[test]
    fn set_reaches_128_mib_either_way() {
        let mut table = VectorTable::new();
        let (at, _) = slot(&table, IRQ);
        table.set(IRQ, handler_at(at + MIB_128 - 4));
        assert_eq!(slot(&table, IRQ).1, 0x15ff_ffff);
        table.set(IRQ, handler_at(at - MIB_128));
        assert_eq!(slot(&table, IRQ).1, 0x1600_0000);
    }

    #[test]
    #[should_panic(expected = "out of reach of a `b`")]
    fn set_refuses_a_handler_128_mib_ahead() {
        let mut table = VectorTable::new();
        let (at, _) = slot(&table, IRQ);
        table.set(IRQ, handler_at(at + MIB_128));
    }

    #[test]
    #[should_panic(expected = "out of reach of a `b`")]
    fn set_refuses_a_handler_beyond_128_mib_behind() {
        let mut table = VectorTable::new();
        let (at, _) = slot(&table, IRQ);
        table.set(IRQ, handler_at(at - MIB_128 - 4));
    }

    #[test]
    fn branch_encodes_both_directions() {
        assert_eq!(branch(0x1000, 0x1000), Some(0x1400_0000));
        assert_eq!(branch(0x1000, 0x1008), Some(0x1400_0002));
        assert_eq!(branch(0x1008, 0x1000), Some(0x17ff_fffe));
        assert_eq!(branch(0x1000, 0x1002), None);
    }
}
