//! What a handler body can check about the state the trampoline gave it:
//! the psABI's entry conditions (DF clear, stack aligned at the call, the
//! default FP environment) and that it may clobber every caller-saved
//! register.

use core::arch::asm;

const RFLAGS_DF: usize = 1 << 10;

/// What [`clobber_caller_saved`] writes into the general-purpose registers.
#[cfg(target_arch = "x86_64")]
pub const JUNK: u64 = 0xDEAD_BEEF_DEAD_BEEF;
#[cfg(target_arch = "x86")]
pub const JUNK: u32 = 0xDEAD_BEEF;

/// True when the direction flag is clear, as the psABI requires at a call
/// (the trampoline's `cld`; the interrupted code may have set it).
#[inline(always)]
pub fn direction_flag_clear() -> bool {
    let flags: usize;
    // SAFETY: reads the flags through the stack, below RSP only as push/pop
    // do. The operand size is explicit: a bare `pushf` assembles to the
    // 16-bit `pushfw` in 32-bit code, which `pop` would not balance.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        asm!("pushfq", "pop {}", out(reg) flags, options(preserves_flags))
    };
    #[cfg(target_arch = "x86")]
    unsafe {
        asm!("pushfd", "pop {}", out(reg) flags, options(preserves_flags))
    };
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

/// MXCSR of the psABIs' default environment: round to nearest, every
/// exception masked, no flags, FZ and DAZ off.
#[cfg(any(target_arch = "x86", target_feature = "sse"))]
pub const DEFAULT_MXCSR: u32 = 0x1F80;
/// The x87 control word after `fninit`: round to nearest, 64-bit precision,
/// every exception masked (what the i386 psABI's code assumes).
#[cfg(any(target_arch = "x86", target_feature = "sse"))]
pub const DEFAULT_FCW: u16 = 0x037F;

/// MXCSR as the running code has it.
#[cfg(target_feature = "sse")]
#[inline(always)]
pub fn mxcsr() -> u32 {
    let mut value = 0u32;
    // SAFETY: stores MXCSR into a local.
    unsafe { asm!("stmxcsr [{}]", in(reg) &mut value, options(nostack, preserves_flags)) };
    value
}

/// Loads MXCSR.
#[cfg(target_feature = "sse")]
#[inline(always)]
pub fn set_mxcsr(value: u32) {
    // SAFETY: loads MXCSR from a local; the caller picks a valid value.
    unsafe { asm!("ldmxcsr [{}]", in(reg) &value, options(nostack, preserves_flags)) };
}

/// Loads the x87 control word and clears the status word's exception flags.
#[cfg(target_arch = "x86")]
#[inline(always)]
pub fn set_fcw(value: u16) {
    // SAFETY: loads the control word from a local.
    unsafe { asm!("fldcw [{}]", "fnclex", in(reg) &value, options(nostack, preserves_flags)) };
}

/// Runs the following code in a non-default FP environment with clear
/// flags, as interrupted code may: rounding toward zero in MXCSR and (on
/// 32-bit x86) in the x87 control word. [`set_default_fp_environment`]
/// undoes it.
#[inline(always)]
pub fn set_interrupted_fp_environment() {
    #[cfg(target_feature = "sse")]
    set_mxcsr(INTERRUPTED_MXCSR);
    #[cfg(target_arch = "x86")]
    set_fcw(INTERRUPTED_FCW);
}

/// Back to the default FP environment, flags clear.
#[inline(always)]
pub fn set_default_fp_environment() {
    #[cfg(target_feature = "sse")]
    set_mxcsr(DEFAULT_MXCSR);
    #[cfg(target_arch = "x86")]
    set_fcw(DEFAULT_FCW);
}

/// MXCSR of the interrupted code in the FP scenarios: round toward zero,
/// every exception masked, no flags.
#[cfg(any(target_arch = "x86", target_feature = "sse"))]
pub const INTERRUPTED_MXCSR: u32 = 0x7F80;
/// x87 control word of the interrupted code in the FP scenarios: round
/// toward zero, 64-bit precision, every exception masked.
#[cfg(any(target_arch = "x86", target_feature = "sse"))]
pub const INTERRUPTED_FCW: u16 = 0x0F7F;

/// The x87 control word as the running code has it.
#[cfg(target_arch = "x86")]
#[inline(always)]
pub fn fcw() -> u16 {
    let mut value = 0u16;
    // SAFETY: stores the control word into a local.
    unsafe { asm!("fnstcw [{}]", in(reg) &mut value, options(nostack, preserves_flags)) };
    value
}

/// True when the body runs in the default FP environment of its psABI, as
/// compiled code assumes, whatever the interrupted code had set: MXCSR's
/// control bits 0x1F80 where there is SSE (its flags, bits 0-5, are left
/// to the body), the x87 control word 0x037F on 32-bit x86. A soft-float
/// body has no FP environment.
#[inline(always)]
pub fn default_fp_environment() -> bool {
    #[allow(unused_mut)]
    let mut ok = true;
    #[cfg(target_feature = "sse")]
    {
        ok &= mxcsr() & !0x3F == DEFAULT_MXCSR;
    }
    #[cfg(target_arch = "x86")]
    {
        ok &= fcw() == DEFAULT_FCW;
    }
    ok
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
            junk = const JUNK as i64,
            out("rax") _, out("rcx") _, out("rdx") _, out("rsi") _, out("rdi") _,
            out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            options(nomem, nostack),
        )
    }
}

/// Overwrites every caller-saved register of the i386 psABI with junk: EAX,
/// ECX, EDX, XMM0-7, the x87 stack (left empty, as the ABI requires), and
/// sets the zero-divide flags of the x87 status word and of MXCSR, as any
/// body doing floating point may.
#[cfg(all(target_arch = "x86", target_feature = "sse"))]
#[inline(always)]
pub fn clobber_caller_saved() {
    // SAFETY: the registers are declared clobbered; no memory is touched;
    // the x87 stack is empty at the end and the control words unchanged.
    unsafe {
        asm!(
            // 1.0f / 0.0f in SSE and x87: +inf and the ZE flags.
            "mov eax, 0x3F800000",
            "movd xmm0, eax",
            "xorps xmm1, xmm1",
            "divss xmm0, xmm1",
            "fld1",
            "fldz",
            "fdivp st(1), st",
            "fstp st(0)",
            "pcmpeqd xmm0, xmm0",
            "pcmpeqd xmm1, xmm1",
            "pcmpeqd xmm2, xmm2",
            "pcmpeqd xmm3, xmm3",
            "pcmpeqd xmm4, xmm4",
            "pcmpeqd xmm5, xmm5",
            "pcmpeqd xmm6, xmm6",
            "pcmpeqd xmm7, xmm7",
            "mov eax, {junk}",
            "mov ecx, eax",
            "mov edx, eax",
            junk = const JUNK as i32,
            out("eax") _, out("ecx") _, out("edx") _,
            out("xmm0") _, out("xmm1") _, out("xmm2") _, out("xmm3") _,
            out("xmm4") _, out("xmm5") _, out("xmm6") _, out("xmm7") _,
            out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
            out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
            out("mm0") _, out("mm1") _, out("mm2") _, out("mm3") _,
            out("mm4") _, out("mm5") _, out("mm6") _, out("mm7") _,
            options(nomem, nostack),
        )
    }
}

/// Overwrites every caller-saved register of an x87-only i386 target: EAX,
/// ECX, EDX, the x87 stack (left empty) and the status word's zero-divide
/// flag.
#[cfg(all(target_arch = "x86", not(target_feature = "sse")))]
#[inline(always)]
pub fn clobber_caller_saved() {
    // SAFETY: the registers are declared clobbered; no memory is touched;
    // the x87 stack is empty at the end and the control word unchanged.
    unsafe {
        asm!(
            "fld1",
            "fldz",
            "fdivp st(1), st",
            "fstp st(0)",
            "mov eax, {junk}",
            "mov ecx, eax",
            "mov edx, eax",
            junk = const JUNK as i32,
            out("eax") _, out("ecx") _, out("edx") _,
            out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
            out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
            out("mm0") _, out("mm1") _, out("mm2") _, out("mm3") _,
            out("mm4") _, out("mm5") _, out("mm6") _, out("mm7") _,
            options(nomem, nostack),
        )
    }
}
