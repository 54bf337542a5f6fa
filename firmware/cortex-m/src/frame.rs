//! The hardware exception frame, and how a `cortex-m-interrupt` body finds
//! it.
//!
//! On exception entry the core pushes r0-r3, r12, LR, the return address
//! and xPSR onto the stack in use (MSP here: Thread mode never switches to
//! PSP), 8-byte aligned. The handler gets no pointer to it, and by the time
//! the body's first statement runs its prologue has moved `sp`. But Rust
//! compiles Thumb targets with frame pointers: every body begins
//! `push {.., r7, lr}; add r7, sp, #n`, so r7 points at the saved r7 with
//! LR above it, and the stack pointer at entry — the hardware frame — is
//! r7 + 8. [`hardware_frame!`] reads it from there; it must be used in the
//! `#[interrupt]` body itself (not in a function the body calls, whose r7
//! is its own).

/// What the core stacks on exception entry (no FPU on these cores).
#[repr(C)]
pub struct HardwareFrame {
    pub r0: u32,
    pub r1: u32,
    pub r2: u32,
    pub r3: u32,
    pub r12: u32,
    pub lr: u32,
    /// Where the exception returns to: the next instruction for `svc` and
    /// interrupts, the faulting one for faults.
    pub pc: u32,
    pub xpsr: u32,
}

/// `&mut HardwareFrame` of the exception the enclosing handler body serves.
macro_rules! hardware_frame {
    () => {{
        let fp: *mut u32;
        // SAFETY: reads r7, the body's frame pointer (see the module docs).
        unsafe {
            core::arch::asm!("mov {}, r7", out(reg) fp, options(nomem, nostack, preserves_flags))
        };
        // SAFETY: r7 + 8 is the stack pointer at exception entry, where the
        // core stacked the frame; nothing else refers to it while the body
        // runs.
        unsafe { &mut *(fp.add(2) as *mut $crate::frame::HardwareFrame) }
    }};
}
pub(crate) use hardware_frame;

/// The instruction `b .` (Thumb, 16 bits): the spin a cost anchor skips.
pub const B_SELF: u16 = 0xe7fe;

/// Whether the halfword at `pc` begins a 32-bit Thumb instruction (its top
/// five bits are 0b11101, 0b11110 or 0b11111).
pub fn is_wide(pc: u32) -> bool {
    // SAFETY: `pc` is the address of an instruction in flash.
    let first = unsafe { (pc as *const u16).read_volatile() };
    first >> 11 >= 0x1d
}
