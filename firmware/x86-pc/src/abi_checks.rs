//! What a handler body can check about the state the trampoline gave it:
//! the psABI's entry conditions (DF clear, stack aligned at the call) and
//! that it may clobber every caller-saved register.

use core::arch::asm;

const RFLAGS_DF: usize = 1 << 10;

/// True when the direction flag is clear, as the psABI requires at a call
/// (the trampoline's `cld`; the interrupted code may have set it).
#[inline(always)]
pub fn direction_flag_clear() -> bool {
    let flags: usize;
    // SAFETY: reads the flags through the stack, below RSP only as push/pop do.
    unsafe { asm!("pushf", "pop {}", out(reg) flags, options(preserves_flags)) };
    flags & RFLAGS_DF == 0
}

/// True when the stack was 16-byte aligned at the call into the body, as the
/// psABI requires (the trampoline's padding).
///
/// The compiler places a 16-aligned local assuming that alignment, so the
/// local's real address is misaligned exactly when the stack was. Laundering
/// the address through `asm!` keeps the compiler from folding the check.
#[inline(always)]
pub fn stack_aligned() -> bool {
    #[repr(align(16))]
    struct Aligned(#[allow(dead_code)] u8);
    let local = Aligned(0);
    let mut addr = core::ptr::addr_of!(local) as usize;
    // SAFETY: an empty asm block that only "changes" a register.
    unsafe { asm!("/* {} */", inout(reg) addr, options(nomem, nostack, preserves_flags)) };
    addr % 16 == 0
}

/// Overwrites every caller-saved general-purpose register with junk, as any
/// body may: a trampoline that forgets to save one corrupts the interrupted
/// code.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn clobber_caller_saved() {
    // SAFETY: the registers are declared clobbered; no memory is touched.
    unsafe {
        asm!(
            "mov rax, {junk}",
            "mov rcx, rax",
            "mov rdx, rax",
            "mov rsi, rax",
            "mov rdi, rax",
            "mov r8, rax",
            "mov r9, rax",
            "mov r10, rax",
            "mov r11, rax",
            junk = const 0xDEAD_BEEF_DEAD_BEEFu64 as i64,
            out("rax") _, out("rcx") _, out("rdx") _, out("rsi") _, out("rdi") _,
            out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            options(nomem, nostack),
        )
    }
}
