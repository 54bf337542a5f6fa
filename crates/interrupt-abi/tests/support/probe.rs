//! The handler-body side of the harness.
//!
//! A body under test calls [`record`] first, then [`record_fp`] to do some
//! inexact arithmetic and note the FP environment it ran in, then (for a
//! `&mut` frame) writes [`redirect`]'s answer into the frame's instruction
//! pointer, and calls [`clobber_caller_saved`] last; a diverging body ends
//! with [`escape`] instead of returning. The harness reads the record back with
//! [`take`]. Everything lives in statics because the body cannot be handed a
//! context pointer; the harness serialises all runs behind one lock, so the
//! statics are never shared between two interrupts in flight.

use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// The five words a long-mode CPU pushes, in hardware order.
///
/// The harness describes its expectations with it; bodies pass their own
/// frame type to [`record`], which only needs the same layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Frame {
    pub instruction_pointer: u64,
    pub code_segment: u64,
    pub cpu_flags: u64,
    pub stack_pointer: u64,
    pub stack_segment: u64,
}

/// MXCSR of the SysV default environment: round to nearest, every
/// exception masked, no flags, FZ and DAZ off.
pub const DEFAULT_MXCSR: u32 = 0x1F80;
/// `1.0 / 10.0` rounded to nearest; toward zero or down it ends in 9.
pub const TENTH_TO_NEAREST: u64 = 0x3FB9_9999_9999_999A;

/// The FP environment a body ran in, from [`record_fp`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FpSeen {
    /// MXCSR right after the body's inexact division.
    pub mxcsr: u32,
    /// The bits of that division's result.
    pub tenth: u64,
}

/// What one body invocation saw.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seen {
    pub frame: Frame,
    pub error_code: Option<u64>,
    /// RFLAGS inside the body (only DF matters: SysV requires it clear).
    pub rflags: u64,
    /// RSP at an `asm!` block without `nostack`, where Rust guarantees call
    /// alignment — provided the body itself was entered with an ABI-aligned
    /// stack. A trampoline that misaligns the stack shows up here.
    pub rsp_at_asm: u64,
    /// Address of a `#[repr(align(16))]` local. The compiler places it at a
    /// fixed offset from RSP assuming ABI alignment, so it is only 16-aligned
    /// if the trampoline kept the stack aligned at its `call`.
    pub aligned_local: u64,
    /// Only for bodies that call [`record_fp`].
    pub fp: Option<FpSeen>,
}

/// What the harness reads back after an interrupt.
#[derive(Clone, Copy, Debug, Default)]
pub struct Record {
    /// How many times the body ran since the last [`take`]; must be exactly 1.
    pub calls: u64,
    /// The last invocation's observations.
    pub seen: Seen,
}

static CALLS: AtomicU64 = AtomicU64::new(0);
static FRAME: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];
static HAS_ERROR_CODE: AtomicBool = AtomicBool::new(false);
static ERROR_CODE: AtomicU64 = AtomicU64::new(0);
static RFLAGS: AtomicU64 = AtomicU64::new(0);
static RSP_AT_ASM: AtomicU64 = AtomicU64::new(0);
static ALIGNED_LOCAL: AtomicU64 = AtomicU64::new(0);
static HAS_FP: AtomicBool = AtomicBool::new(false);
static FP_MXCSR: AtomicU64 = AtomicU64::new(0);
static FP_TENTH: AtomicU64 = AtomicU64::new(0);

/// Seed for the junk [`clobber_caller_saved`] writes; set per interrupt.
static JUNK: AtomicU64 = AtomicU64::new(0x5A5A_5A5A_5A5A_5A5A);
/// Where [`redirect`] sends the return: 0 = skip the instruction at the
/// interrupted RIP, anything else = that absolute address.
static REDIRECT: AtomicU64 = AtomicU64::new(0);

/// Length of the instruction the harness's landing pad puts at the
/// interrupted RIP for a body to skip (a short `jmp`, checked at run time).
pub const SKIP_LEN: u64 = 2;

#[repr(C, align(16))]
struct Aligned16(#[allow(dead_code)] [u8; 16]);

/// Records the frame, error code, DF and stack alignment as the body sees
/// them. Call it first in the body; it is `inline(always)` so that the
/// alignment and DF observations are made in the body's own frame.
///
/// `frame` is whatever frame type the handler under test receives, by
/// reference: any 40-byte type laid out like the hardware frame (five `u64`
/// in hardware order). Its words are read in place rather than copied into
/// a [`Frame`], because a debug build copies through aligned SSE stores,
/// which would fault on exactly the misaligned stack we want to report.
#[inline(always)]
pub fn record<F>(frame: &F, error_code: Option<u64>) {
    const { assert!(size_of::<F>() == 40 && align_of::<F>() >= 8) };
    let rflags: u64;
    let rsp: u64;
    // SAFETY: reads RSP and RFLAGS; the push/pop pair is balanced. No
    // `nostack`, on purpose: that makes Rust align RSP here for a call.
    unsafe { asm!("mov {sp}, rsp", "pushfq", "pop {fl}", sp = out(reg) rsp, fl = out(reg) rflags) };
    // Uninitialised, so that no aligned SSE store touches it.
    let local = core::mem::MaybeUninit::<Aligned16>::uninit();
    // Through `black_box` so that the compiler cannot fold `addr % 16` to 0
    // from the type's alignment: we want the address it actually computed.
    let aligned_local = core::hint::black_box(local.as_ptr() as usize) as u64;

    CALLS.fetch_add(1, Relaxed);
    let words = (frame as *const F).cast::<u64>();
    for (i, slot) in FRAME.iter().enumerate() {
        // SAFETY: `F` is 40 bytes and 8-aligned (checked above), so it
        // holds five readable `u64` words.
        slot.store(unsafe { words.add(i).read() }, Relaxed);
    }
    HAS_ERROR_CODE.store(error_code.is_some(), Relaxed);
    ERROR_CODE.store(error_code.unwrap_or(0), Relaxed);
    RFLAGS.store(rflags, Relaxed);
    RSP_AT_ASM.store(rsp, Relaxed);
    ALIGNED_LOCAL.store(aligned_local, Relaxed);
}

/// Divides 1.0 by 10.0 (inexact: sets PE, and the rounding mode decides the
/// last bit), then records the result and MXCSR. The harness expects the
/// default environment whatever the interrupted code had: an entry that
/// hands the body the interrupted MXCSR is seen here, or crashes the run
/// with SIGFPE when that MXCSR unmasks the precision exception.
#[inline(always)]
pub fn record_fp() {
    let tenth = core::hint::black_box(1.0f64) / core::hint::black_box(10.0f64);
    let mut mxcsr = 0u32;
    // SAFETY: stores MXCSR into a local. `tenth` is an operand so that the
    // division happens before the store.
    unsafe {
        asm!("/* {t} */ stmxcsr [{m}]", m = in(reg) &mut mxcsr, t = in(xmm_reg) tenth,
             options(nostack, preserves_flags))
    };
    FP_MXCSR.store(u64::from(mxcsr), Relaxed);
    FP_TENTH.store(tenth.to_bits(), Relaxed);
    HAS_FP.store(true, Relaxed);
}

/// Leaves a diverging body for the harness, which then checks what the
/// body recorded. Call it last, in place of returning.
pub fn escape() -> ! {
    // SAFETY: called from a body the harness entered; the bodies hold
    // nothing with a destructor.
    unsafe { super::harness::escape() }
}

/// The instruction pointer a `&mut`-frame body must write into its frame:
/// either `ip + SKIP_LEN` (skip the instruction, as after a fault) or the
/// address of the harness's second landing pad (redirect, as for a
/// breakpoint). The harness picks one per interrupt and checks where the
/// `iretq` landed.
#[inline(always)]
pub fn redirect(ip: u64) -> u64 {
    match REDIRECT.load(Relaxed) {
        0 => ip + SKIP_LEN,
        target => target,
    }
}

/// Overwrites every register a SysV function may clobber — rax, rcx, rdx,
/// rsi, rdi, r8–r11, xmm0–xmm15 and the arithmetic flags — with junk, so an
/// entry that forgets to save one of them is caught. DF is left clear, as
/// the ABI requires on return. Call it last in the body.
#[inline(always)]
pub fn clobber_caller_saved() {
    let junk = JUNK.load(Relaxed);
    // SAFETY: only writes registers declared as clobbered below. Each GPR
    // gets a different rotation of the junk; xmm<i> gets two of them (its
    // own in the low half, xmm<i+1>'s in the high half). The final `add`
    // leaves arithmetic flags that depend on the junk.
    unsafe {
        asm!(
            "mov rax, {j}",
            "mov rcx, rax", "rol rcx, 7",
            "mov rdx, rax", "rol rdx, 13",
            "mov rsi, rax", "rol rsi, 19",
            "mov rdi, rax", "rol rdi, 23",
            "mov r8, rax", "rol r8, 29",
            "mov r9, rax", "rol r9, 31",
            "mov r10, rax", "rol r10, 37",
            "mov r11, rax", "rol r11, 41",
            "movq xmm0, rax",
            "movq xmm1, rcx",
            "movq xmm2, rdx",
            "movq xmm3, rsi",
            "movq xmm4, rdi",
            "movq xmm5, r8",
            "movq xmm6, r9",
            "movq xmm7, r10",
            "movq xmm8, r11",
            "movq xmm9, rax",
            "movq xmm10, rcx",
            "movq xmm11, rdx",
            "movq xmm12, rsi",
            "movq xmm13, rdi",
            "movq xmm14, r8",
            "movq xmm15, r9",
            "punpcklqdq xmm0, xmm1",
            "punpcklqdq xmm1, xmm2",
            "punpcklqdq xmm2, xmm3",
            "punpcklqdq xmm3, xmm4",
            "punpcklqdq xmm4, xmm5",
            "punpcklqdq xmm5, xmm6",
            "punpcklqdq xmm6, xmm7",
            "punpcklqdq xmm7, xmm8",
            "punpcklqdq xmm8, xmm9",
            "punpcklqdq xmm9, xmm10",
            "punpcklqdq xmm10, xmm11",
            "punpcklqdq xmm11, xmm12",
            "punpcklqdq xmm12, xmm13",
            "punpcklqdq xmm13, xmm14",
            "punpcklqdq xmm14, xmm15",
            "punpcklqdq xmm15, xmm0",
            "add rax, rcx",
            j = in(reg) junk,
            out("rax") _, out("rcx") _, out("rdx") _, out("rsi") _, out("rdi") _,
            out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            out("xmm0") _, out("xmm1") _, out("xmm2") _, out("xmm3") _,
            out("xmm4") _, out("xmm5") _, out("xmm6") _, out("xmm7") _,
            out("xmm8") _, out("xmm9") _, out("xmm10") _, out("xmm11") _,
            out("xmm12") _, out("xmm13") _, out("xmm14") _, out("xmm15") _,
            options(nostack),
        );
    }
}

/// Reads and resets what the body recorded. The default
/// [`harness::Shape::take`](super::harness::Shape::take).
pub fn take() -> Record {
    let words: [u64; 5] = core::array::from_fn(|i| FRAME[i].swap(0, Relaxed));
    let seen = Seen {
        frame: Frame {
            instruction_pointer: words[0],
            code_segment: words[1],
            cpu_flags: words[2],
            stack_pointer: words[3],
            stack_segment: words[4],
        },
        error_code: HAS_ERROR_CODE
            .swap(false, Relaxed)
            .then(|| ERROR_CODE.load(Relaxed)),
        rflags: RFLAGS.swap(0, Relaxed),
        rsp_at_asm: RSP_AT_ASM.swap(0, Relaxed),
        aligned_local: ALIGNED_LOCAL.swap(0, Relaxed),
        fp: HAS_FP.swap(false, Relaxed).then(|| FpSeen {
            mxcsr: FP_MXCSR.load(Relaxed) as u32,
            tenth: FP_TENTH.load(Relaxed),
        }),
    };
    Record {
        calls: CALLS.swap(0, Relaxed),
        seen,
    }
}

/// Harness side: arm the next interrupt's junk and redirect target.
pub(super) fn arm(junk: u64, redirect: u64) {
    JUNK.store(junk, Relaxed);
    REDIRECT.store(redirect, Relaxed);
}
