//! Enters an interrupt entry like a long-mode CPU and checks that it gave
//! every register back.
//!
//! One interrupt, step by step ([`launch`], then a landing pad, then
//! [`capture`]):
//!
//! 1. `launch` saves the Rust caller's callee-saved registers and switches to
//!    a private "interrupted" stack at a random 8-aligned RSP (so both
//!    alignments of the frame occur). The words just above that RSP are
//!    filled with a canary: they belong to the interrupted code.
//! 2. It aligns RSP down to 16 and pushes SS, the interrupted RSP, RFLAGS, CS
//!    and RIP (the landing pad), plus the error code for that shape, exactly
//!    as the CPU does. CS and SS are the process's own, read at run time.
//! 3. It loads MXCSR (every bit random: rounding mode, FZ, DAZ, exception
//!    masks and flags), RFLAGS (random CF/PF/AF/ZF/SF/OF and DF; IF as the
//!    process has it; never TF or AC), all sixteen XMM registers and all
//!    fifteen GPRs with random values, and jumps to the entry with no
//!    register of its own left: the context pointer and the entry address
//!    live in statics.
//! 4. The entry's `iretq` (ring 3 to ring 3 works in Linux) lands on a pad
//!    that only stores a marker byte (no register or flag touched), then
//!    `capture` stores every register and RFLAGS, again through statics and
//!    without touching the interrupted stack, puts back the process's MXCSR
//!    and returns to Rust. A diverging body cannot return: it calls
//!    [`probe::escape`], which takes the same way back to Rust from inside
//!    the body.
//!
//! [`run`] then compares: registers, flags, MXCSR, RSP after `iretq`, the
//! frame and error code the body saw, DF, stack alignment and the FP
//! environment inside the body, which pad the return landed on, how many
//! times the body ran, and the canary.
//!
//! All of this uses process-wide statics, so runs are serialised behind
//! [`LOCK`]; tests may call [`run`] from parallel threads.

use super::crash;
use super::probe::{self, Record};
use super::rng::Rng;
use core::arch::{asm, naked_asm};
use core::fmt;
use core::mem::offset_of;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU8, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Names of [`Regs::gpr`], in order.
pub const GPR_NAMES: [&str; 15] = [
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
    "r15",
];

/// RFLAGS bits the harness randomises: CF, PF, AF, ZF, SF, DF, OF.
pub const RANDOM_FLAGS: u64 = 1 << 0 | 1 << 2 | 1 << 4 | 1 << 6 | 1 << 7 | 1 << 10 | 1 << 11;
const FLAG_TF: u64 = 1 << 8;
const FLAG_IF: u64 = 1 << 9;
const FLAG_DF: u64 = 1 << 10;
const FLAG_NT: u64 = 1 << 14;
const FLAG_AC: u64 = 1 << 18;
/// MXCSR's exception mask bits, IM through PM.
const MXCSR_MASKS: u32 = 0x1F80;

/// One register file: what is loaded before the interrupt, or what is found
/// after it.
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct Regs {
    /// rax, rbx, rcx, rdx, rsi, rdi, rbp, r8–r15 (no rsp), see [`GPR_NAMES`].
    pub gpr: [u64; 15],
    pub rflags: u64,
    pub xmm: [u128; 16],
    pub mxcsr: u32,
}

/// Everything `launch` and `capture` exchange with Rust. The assembly uses
/// these offsets through `offset_of!`, so layout and code cannot drift apart.
#[derive(Default)]
#[repr(C)]
struct Ctx {
    input: Regs,
    output: Regs,
    /// The Rust caller's RSP inside `launch`, after its callee-saved pushes.
    host_rsp: u64,
    /// RSP of the interrupted code.
    int_rsp: u64,
    /// RSP as found on the landing pad; must equal `int_rsp`.
    out_rsp: u64,
    cs: u64,
    ss: u64,
    has_error_code: u64,
    error_code: u64,
    /// The Rust caller's MXCSR, put back before returning to it.
    host_mxcsr: u32,
}

const IN_GPR: usize = offset_of!(Ctx, input) + offset_of!(Regs, gpr);
const IN_FLAGS: usize = offset_of!(Ctx, input) + offset_of!(Regs, rflags);
const IN_XMM: usize = offset_of!(Ctx, input) + offset_of!(Regs, xmm);
const OUT_GPR: usize = offset_of!(Ctx, output) + offset_of!(Regs, gpr);
const OUT_FLAGS: usize = offset_of!(Ctx, output) + offset_of!(Regs, rflags);
const OUT_XMM: usize = offset_of!(Ctx, output) + offset_of!(Regs, xmm);
const IN_MXCSR: usize = offset_of!(Ctx, input) + offset_of!(Regs, mxcsr);
const OUT_MXCSR: usize = offset_of!(Ctx, output) + offset_of!(Regs, mxcsr);

/// The context of the interrupt in flight (for `capture`).
static CTX: AtomicPtr<Ctx> = AtomicPtr::new(ptr::null_mut());
/// The entry address `launch` jumps to.
static ENTRY: AtomicUsize = AtomicUsize::new(0);
/// `capture` parks the interrupted code's rax here while it finds `CTX`.
static SCRATCH: AtomicU64 = AtomicU64::new(0);
/// Which landing pad the `iretq` reached (one of the `LANDED_*` values).
static LANDED: AtomicU8 = AtomicU8::new(LANDED_NOWHERE);

const LANDED_NOWHERE: u8 = 0;
const LANDED_ORIGINAL: u8 = 1;
const LANDED_SKIPPED: u8 = 2;
const LANDED_REDIRECTED: u8 = 3;
const LANDED_ESCAPED: u8 = 4;

fn landed_name(marker: u8) -> &'static str {
    match marker {
        LANDED_ORIGINAL => "the interrupted RIP",
        LANDED_SKIPPED => "the interrupted RIP + 2 (instruction skipped)",
        LANDED_REDIRECTED => "the redirect target",
        LANDED_ESCAPED => "the harness through `probe::escape` (a diverging body)",
        _ => "nowhere (no landing pad ran)",
    }
}

/// Serialises all interrupts in the process (the statics above and in
/// [`probe`] are shared).
pub static LOCK: Mutex<()> = Mutex::new(());

/// Emulates the CPU's interrupt delivery for `ctx` and returns (through
/// `capture`) once the entry has `iretq`ed.
///
/// # Safety
/// `ctx` must be valid, `int_rsp` must point into a writable stack with
/// room for the handler below it, and `ENTRY` must be an interrupt entry.
#[unsafe(naked)]
unsafe extern "sysv64" fn launch(ctx: *mut Ctx) {
    naked_asm!(
        // The Rust caller's callee-saved registers; `capture` pops them.
        "push rbp",
        "push rbx",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        "mov [rip + {ctx}], rdi",
        "mov [rdi + {host_rsp}], rsp",
        "stmxcsr [rdi + {host_mxcsr}]",
        // Become the interrupted code, then be the CPU: align down to 16,
        // push the frame, and the error code for shapes that have one.
        "mov rsp, [rdi + {int_rsp}]",
        "mov rax, rsp",
        "and rsp, -16",
        "push qword ptr [rdi + {ss}]",
        "push rax",
        "push qword ptr [rdi + {in_flags}]",
        "push qword ptr [rdi + {cs}]",
        "lea rax, [rip + {land}]",
        "push rax",
        "cmp qword ptr [rdi + {has_ec}], 0",
        "je 2f",
        "push qword ptr [rdi + {ec}]",
        "2:",
        // Random state. Nothing below touches the flags or does arithmetic
        // that MXCSR could trap on; rdi goes last.
        "ldmxcsr [rdi + {in_mxcsr}]",
        "push qword ptr [rdi + {in_flags}]",
        "popfq",
        "movdqu xmm0, [rdi + {in_xmm} + 0 * 16]",
        "movdqu xmm1, [rdi + {in_xmm} + 1 * 16]",
        "movdqu xmm2, [rdi + {in_xmm} + 2 * 16]",
        "movdqu xmm3, [rdi + {in_xmm} + 3 * 16]",
        "movdqu xmm4, [rdi + {in_xmm} + 4 * 16]",
        "movdqu xmm5, [rdi + {in_xmm} + 5 * 16]",
        "movdqu xmm6, [rdi + {in_xmm} + 6 * 16]",
        "movdqu xmm7, [rdi + {in_xmm} + 7 * 16]",
        "movdqu xmm8, [rdi + {in_xmm} + 8 * 16]",
        "movdqu xmm9, [rdi + {in_xmm} + 9 * 16]",
        "movdqu xmm10, [rdi + {in_xmm} + 10 * 16]",
        "movdqu xmm11, [rdi + {in_xmm} + 11 * 16]",
        "movdqu xmm12, [rdi + {in_xmm} + 12 * 16]",
        "movdqu xmm13, [rdi + {in_xmm} + 13 * 16]",
        "movdqu xmm14, [rdi + {in_xmm} + 14 * 16]",
        "movdqu xmm15, [rdi + {in_xmm} + 15 * 16]",
        "mov rax, [rdi + {in_gpr} + 0 * 8]",
        "mov rbx, [rdi + {in_gpr} + 1 * 8]",
        "mov rcx, [rdi + {in_gpr} + 2 * 8]",
        "mov rdx, [rdi + {in_gpr} + 3 * 8]",
        "mov rsi, [rdi + {in_gpr} + 4 * 8]",
        "mov rbp, [rdi + {in_gpr} + 6 * 8]",
        "mov r8, [rdi + {in_gpr} + 7 * 8]",
        "mov r9, [rdi + {in_gpr} + 8 * 8]",
        "mov r10, [rdi + {in_gpr} + 9 * 8]",
        "mov r11, [rdi + {in_gpr} + 10 * 8]",
        "mov r12, [rdi + {in_gpr} + 11 * 8]",
        "mov r13, [rdi + {in_gpr} + 12 * 8]",
        "mov r14, [rdi + {in_gpr} + 13 * 8]",
        "mov r15, [rdi + {in_gpr} + 14 * 8]",
        "mov rdi, [rdi + {in_gpr} + 5 * 8]",
        "jmp qword ptr [rip + {entry}]",
        ctx = sym CTX,
        entry = sym ENTRY,
        land = sym land,
        host_rsp = const offset_of!(Ctx, host_rsp),
        host_mxcsr = const offset_of!(Ctx, host_mxcsr),
        int_rsp = const offset_of!(Ctx, int_rsp),
        cs = const offset_of!(Ctx, cs),
        ss = const offset_of!(Ctx, ss),
        has_ec = const offset_of!(Ctx, has_error_code),
        ec = const offset_of!(Ctx, error_code),
        in_flags = const IN_FLAGS,
        in_xmm = const IN_XMM,
        in_gpr = const IN_GPR,
        in_mxcsr = const IN_MXCSR,
    )
}

/// The interrupted RIP. Its first instruction is a 2-byte `jmp` that a
/// skipping body steps over (like a faulting `ud2`); without a skip it marks
/// "original", with one "skipped". Only byte stores and jumps: no register
/// or flag may change before `capture`.
#[unsafe(naked)]
unsafe extern "sysv64" fn land() {
    naked_asm!(
        "jmp 2f",
        "mov byte ptr [rip + {landed}], {skipped}",
        "jmp {capture}",
        "2:",
        "mov byte ptr [rip + {landed}], {original}",
        "jmp {capture}",
        landed = sym LANDED,
        capture = sym capture,
        skipped = const LANDED_SKIPPED,
        original = const LANDED_ORIGINAL,
    )
}

/// The redirect target for a `&mut`-frame body.
#[unsafe(naked)]
unsafe extern "sysv64" fn land_redirected() {
    naked_asm!(
        "mov byte ptr [rip + {landed}], {redirected}",
        "jmp {capture}",
        landed = sym LANDED,
        capture = sym capture,
        redirected = const LANDED_REDIRECTED,
    )
}

/// Stores the interrupted code's registers into `CTX.output` and returns to
/// `launch`'s caller. It uses no stack but `CTX` itself (RSP may be wrong if
/// the entry is broken), and parks rax in `SCRATCH` to get a base register.
#[unsafe(naked)]
unsafe extern "sysv64" fn capture() {
    naked_asm!(
        "mov [rip + {scratch}], rax",
        "mov rax, [rip + {ctx}]",
        "mov [rax + {out_rsp}], rsp",
        // `pushfq` into the output's rflags slot.
        "lea rsp, [rax + {out_flags} + 8]",
        "pushfq",
        "mov [rax + {out_gpr} + 1 * 8], rbx",
        "mov [rax + {out_gpr} + 2 * 8], rcx",
        "mov [rax + {out_gpr} + 3 * 8], rdx",
        "mov [rax + {out_gpr} + 4 * 8], rsi",
        "mov [rax + {out_gpr} + 5 * 8], rdi",
        "mov [rax + {out_gpr} + 6 * 8], rbp",
        "mov [rax + {out_gpr} + 7 * 8], r8",
        "mov [rax + {out_gpr} + 8 * 8], r9",
        "mov [rax + {out_gpr} + 9 * 8], r10",
        "mov [rax + {out_gpr} + 10 * 8], r11",
        "mov [rax + {out_gpr} + 11 * 8], r12",
        "mov [rax + {out_gpr} + 12 * 8], r13",
        "mov [rax + {out_gpr} + 13 * 8], r14",
        "mov [rax + {out_gpr} + 14 * 8], r15",
        "mov rbx, [rip + {scratch}]",
        "mov [rax + {out_gpr} + 0 * 8], rbx",
        "movdqu [rax + {out_xmm} + 0 * 16], xmm0",
        "movdqu [rax + {out_xmm} + 1 * 16], xmm1",
        "movdqu [rax + {out_xmm} + 2 * 16], xmm2",
        "movdqu [rax + {out_xmm} + 3 * 16], xmm3",
        "movdqu [rax + {out_xmm} + 4 * 16], xmm4",
        "movdqu [rax + {out_xmm} + 5 * 16], xmm5",
        "movdqu [rax + {out_xmm} + 6 * 16], xmm6",
        "movdqu [rax + {out_xmm} + 7 * 16], xmm7",
        "movdqu [rax + {out_xmm} + 8 * 16], xmm8",
        "movdqu [rax + {out_xmm} + 9 * 16], xmm9",
        "movdqu [rax + {out_xmm} + 10 * 16], xmm10",
        "movdqu [rax + {out_xmm} + 11 * 16], xmm11",
        "movdqu [rax + {out_xmm} + 12 * 16], xmm12",
        "movdqu [rax + {out_xmm} + 13 * 16], xmm13",
        "movdqu [rax + {out_xmm} + 14 * 16], xmm14",
        "movdqu [rax + {out_xmm} + 15 * 16], xmm15",
        "stmxcsr [rax + {out_mxcsr}]",
        // Back to Rust: its stack, MXCSR and callee-saved registers, DF clear.
        "mov rsp, [rax + {host_rsp}]",
        "ldmxcsr [rax + {host_mxcsr}]",
        "cld",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbx",
        "pop rbp",
        "ret",
        ctx = sym CTX,
        scratch = sym SCRATCH,
        host_rsp = const offset_of!(Ctx, host_rsp),
        out_rsp = const offset_of!(Ctx, out_rsp),
        out_flags = const OUT_FLAGS,
        out_gpr = const OUT_GPR,
        out_xmm = const OUT_XMM,
        out_mxcsr = const OUT_MXCSR,
        host_mxcsr = const offset_of!(Ctx, host_mxcsr),
    )
}

/// The way back to Rust for a diverging body, called from inside it: what
/// `capture` does after the landing pad, without the registers (nothing was
/// restored, so there is nothing to compare). The body's frames and the
/// entry's are left behind on the interrupted stack, which `launch` reuses.
///
/// # Safety
/// Only from a handler body entered by `launch`, with no destructors pending.
#[unsafe(naked)]
pub(super) unsafe extern "sysv64" fn escape() -> ! {
    naked_asm!(
        "mov byte ptr [rip + {landed}], {escaped}",
        "mov rax, [rip + {ctx}]",
        "mov rsp, [rax + {host_rsp}]",
        "ldmxcsr [rax + {host_mxcsr}]",
        "cld",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbx",
        "pop rbp",
        "ret",
        landed = sym LANDED,
        escaped = const LANDED_ESCAPED,
        ctx = sym CTX,
        host_rsp = const offset_of!(Ctx, host_rsp),
        host_mxcsr = const offset_of!(Ctx, host_mxcsr),
    )
}

/// Where an entry's `iretq` is expected to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Return {
    /// To the interrupted RIP, unchanged.
    Original,
    /// Wherever [`probe::redirect`] told the body to write into its `&mut`
    /// frame; the harness alternates randomly between skipping an
    /// instruction and jumping to a second landing pad.
    Rewritten,
    /// Never: the body diverges and leaves through [`probe::escape`]. The
    /// registers are not compared (nothing is restored), everything the
    /// body saw is.
    Escapes,
}

/// One handler shape to torture: how to enter it and what to expect.
#[derive(Clone, Copy)]
pub struct Shape {
    /// For reports.
    pub name: &'static str,
    /// Address the "CPU" jumps to.
    pub entry: usize,
    /// Whether the CPU pushes an error code for this shape.
    pub error_code: bool,
    pub returns: Return,
    /// Reads and resets what the body recorded; usually [`probe::take`].
    pub take: fn() -> Record,
}

/// Run length and seed; both can be overridden from the environment with
/// `INTERRUPT_ABI_TORTURE_ITERATIONS` and `INTERRUPT_ABI_TORTURE_SEED`
/// (decimal or `0x` hex) to reproduce or extend a run.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub iterations: u64,
    pub seed: u64,
    /// Fail when the body runs on a stack that is not 16-byte aligned at
    /// its `call` (SysV). On by default; turning it off still counts such
    /// interrupts in [`Stats::misaligned_bodies`], so an entry with a known
    /// alignment bug can be checked for everything else.
    pub check_alignment: bool,
    /// The interrupted code's MXCSR for every interrupt; `None` (the
    /// default) draws a random one each time.
    pub mxcsr: Option<u32>,
}

pub const DEFAULT_SEED: u64 = 0x1A7E_2024_C0DE_F00D;

impl Config {
    pub fn from_env(default_iterations: u64) -> Self {
        fn var(name: &str) -> Option<u64> {
            let text = std::env::var(name).ok()?;
            let text = text.trim().replace('_', "");
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            Some(parsed.unwrap_or_else(|_| panic!("{name}={text:?} is not a number")))
        }
        Config {
            iterations: var("INTERRUPT_ABI_TORTURE_ITERATIONS").unwrap_or(default_iterations),
            seed: var("INTERRUPT_ABI_TORTURE_SEED").unwrap_or(DEFAULT_SEED),
            check_alignment: true,
            mxcsr: None,
        }
    }
}

/// What a successful run exercised.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub interrupts: u64,
    /// Interrupts whose interrupted RSP was ≡ 8 (mod 16), so the CPU's
    /// align-down moved it; the rest were 16-aligned.
    pub rsp_8_mod_16: u64,
    /// Interrupts entered with DF set.
    pub df_set: u64,
    /// Interrupts whose interrupted MXCSR unmasked some SSE exception (a
    /// body run with it would trap on inexact arithmetic).
    pub mxcsr_unmasked: u64,
    /// For [`Return::Rewritten`]: how many returns were skips (the rest
    /// were redirects).
    pub skipped: u64,
    /// Interrupts whose body ran on a misaligned stack (only nonzero when
    /// [`Config::check_alignment`] is off).
    pub misaligned_bodies: u64,
    pub elapsed: Duration,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} interrupts in {:.1?} ({:.0} ns each; RSP ≡ 8 mod 16: {}, DF set: {}, MXCSR with unmasked exceptions: {}, skips: {}, misaligned bodies: {})",
            self.interrupts,
            self.elapsed,
            self.elapsed.as_nanos() as f64 / self.interrupts.max(1) as f64,
            self.rsp_8_mod_16,
            self.df_set,
            self.mxcsr_unmasked,
            self.skipped,
            self.misaligned_bodies,
        )
    }
}

/// The first interrupt that went wrong, with everything that differed.
#[derive(Debug)]
pub struct Failure {
    pub shape: &'static str,
    pub iteration: u64,
    pub iterations: u64,
    pub seed: u64,
    pub interrupted_rsp: u64,
    pub error_code: Option<u64>,
    pub rflags: u64,
    pub mxcsr: u32,
    /// One line per difference, e.g. `r11: expected 0x…, got 0x…`.
    pub problems: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "interrupt entry `{}` failed the register torture at iteration {} of {} (seed {:#x})",
            self.shape, self.iteration, self.iterations, self.seed
        )?;
        writeln!(
            f,
            "  interrupted RSP {:#x} (≡ {} mod 16), RFLAGS {:#x} (DF {}), MXCSR {:#06x}, error code {}",
            self.interrupted_rsp,
            self.interrupted_rsp % 16,
            self.rflags,
            u8::from(self.rflags & FLAG_DF != 0),
            self.mxcsr,
            match self.error_code {
                Some(code) => format!("{code:#x}"),
                None => "not pushed".into(),
            }
        )?;
        for problem in &self.problems {
            writeln!(f, "  {problem}")?;
        }
        write!(
            f,
            "  reproduce with INTERRUPT_ABI_TORTURE_SEED={:#x} INTERRUPT_ABI_TORTURE_ITERATIONS={}",
            self.seed,
            self.iteration + 1
        )
    }
}

impl std::error::Error for Failure {}

/// Size of the private stack the "interrupted code" runs on.
const STACK_WORDS: usize = 32 * 1024;
/// Words above the interrupted RSP that must survive the interrupt.
const CANARY_WORDS: usize = 32;

fn current_rflags() -> u64 {
    let rflags: u64;
    // SAFETY: balanced push/pop.
    unsafe { asm!("pushfq", "pop {}", out(reg) rflags) };
    rflags
}

/// The MXCSR bits this CPU lets software set (`MXCSR_MASK` of an `fxsave`
/// image; 0 there means the original 0xFFBF, without DAZ).
fn mxcsr_mask() -> u32 {
    #[repr(C, align(16))]
    struct Fxsave([u8; 512]);
    let mut image = Fxsave([0; 512]);
    // SAFETY: stores 512 bytes into a 16-aligned buffer of that size.
    unsafe { asm!("fxsave [{}]", in(reg) &mut image, options(nostack, preserves_flags)) };
    match u32::from_le_bytes(image.0[28..32].try_into().unwrap()) {
        0 => 0xFFBF,
        mask => mask,
    }
}

fn segment_registers() -> (u64, u64) {
    let (cs, ss): (u64, u64);
    // SAFETY: reads two segment selectors.
    unsafe {
        asm!("mov {cs:e}, cs", "mov {ss:e}, ss", cs = out(reg) cs, ss = out(reg) ss,
             options(nomem, nostack, preserves_flags))
    };
    (cs, ss)
}

/// Runs `config.iterations` interrupts into `shape`, each with fresh random
/// registers, flags, interrupted RSP and error code, and stops at the first
/// that does not come back intact.
pub fn run(shape: &Shape, config: &Config) -> Result<Stats, Failure> {
    let _guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());

    // The skip target is `land` + SKIP_LEN: make sure the assembler really
    // made the first instruction a 2-byte short jump.
    let land_addr = land as *const () as u64;
    // SAFETY: reads the first two bytes of a function's code.
    let opcode = unsafe { ptr::read_volatile(land_addr as *const u8) };
    assert_eq!(opcode, 0xEB, "landing pad must start with a short jmp");
    assert_eq!(probe::SKIP_LEN, 2);

    let (cs, ss) = segment_registers();
    let mxcsr_mask = mxcsr_mask();
    // IF as the process has it (set), the reserved bit 1, never TF/NT/AC.
    let base_flags =
        (current_rflags() | FLAG_IF | 0b10) & !(RANDOM_FLAGS | FLAG_TF | FLAG_NT | FLAG_AC);

    let mut rng = Rng::new(config.seed);
    let mut stack = vec![0u128; STACK_WORDS / 2];
    let stack_top = stack.as_mut_ptr_range().end as u64;
    // Expose the allocation so that the integer RSP handed to assembly may
    // legitimately be used to access it.
    let _ = stack.as_mut_ptr().expose_provenance();
    let mut ctx = Box::new(Ctx {
        cs,
        ss,
        ..Ctx::default()
    });

    (shape.take)();
    let mut stats = Stats {
        interrupts: 0,
        rsp_8_mod_16: 0,
        df_set: 0,
        mxcsr_unmasked: 0,
        skipped: 0,
        misaligned_bodies: 0,
        elapsed: Duration::ZERO,
    };
    let armed = crash::Armed::new(shape.name, config.seed, shape.entry, land_addr as usize);
    let started = Instant::now();
    for iteration in 0..config.iterations {
        armed.iteration(iteration);
        // Fresh interrupted state.
        for gpr in &mut ctx.input.gpr {
            *gpr = rng.next_u64();
        }
        for xmm in &mut ctx.input.xmm {
            *xmm = rng.next_u128();
        }
        ctx.input.rflags = base_flags | (rng.next_u64() & RANDOM_FLAGS);
        ctx.input.mxcsr = config
            .mxcsr
            .unwrap_or_else(|| rng.next_u64() as u32 & mxcsr_mask);
        ctx.output = Regs::default();
        ctx.out_rsp = 0;
        // 8-aligned, about half of the time 16-aligned, with room above it
        // for the canary.
        ctx.int_rsp = stack_top - 8 * (CANARY_WORDS as u64 + 16) - 8 * rng.below(64);
        ctx.has_error_code = u64::from(shape.error_code);
        ctx.error_code = rng.next_u64();
        let canary: [u64; CANARY_WORDS] = core::array::from_fn(|_| rng.next_u64());
        let canary_at = ptr::with_exposed_provenance_mut::<u64>(ctx.int_rsp as usize);
        for (i, word) in canary.iter().enumerate() {
            // SAFETY: inside `stack`, whose provenance is exposed above.
            unsafe { ptr::write_volatile(canary_at.add(i), *word) };
        }
        let (redirect, expect_landed) = match shape.returns {
            Return::Original => (0, LANDED_ORIGINAL),
            Return::Rewritten if rng.below(2) == 0 => (0, LANDED_SKIPPED),
            Return::Rewritten => (land_redirected as *const () as u64, LANDED_REDIRECTED),
            Return::Escapes => (0, LANDED_ESCAPED),
        };
        probe::arm(rng.next_u64(), redirect);
        LANDED.store(LANDED_NOWHERE, Relaxed);
        ENTRY.store(shape.entry, Relaxed);

        // SAFETY: `ctx` is valid, `int_rsp` leaves the handler ~256 KiB of
        // `stack` below it, and `shape.entry` is an interrupt entry.
        unsafe { launch(&mut *ctx) };

        let record = (shape.take)();
        let landed = LANDED.load(Relaxed);
        let mut problems = Vec::new();
        if shape.returns != Return::Escapes {
            compare_registers(&ctx, &mut problems);
        }
        if shape.returns != Return::Escapes && ctx.out_rsp != ctx.int_rsp {
            problems.push(format!(
                "rsp after iretq: expected {:#x}, got {:#x}",
                ctx.int_rsp, ctx.out_rsp
            ));
        }
        if landed != expect_landed {
            problems.push(format!(
                "iretq returned to {}, expected {}",
                landed_name(landed),
                landed_name(expect_landed)
            ));
        }
        for (i, word) in canary.iter().enumerate() {
            // SAFETY: as for the writes above.
            let found = unsafe { ptr::read_volatile(canary_at.add(i)) };
            if found != *word {
                problems.push(format!(
                    "interrupted stack at rsp+{:#x} overwritten: expected {word:#018x}, got {found:#018x}",
                    8 * i
                ));
            }
        }
        let expected_frame = probe::Frame {
            instruction_pointer: land_addr,
            code_segment: cs,
            cpu_flags: ctx.input.rflags,
            stack_pointer: ctx.int_rsp,
            stack_segment: ss,
        };
        let expected_code = shape.error_code.then_some(ctx.error_code);
        let misaligned = check_body(&record, &expected_frame, expected_code, &mut problems);
        if misaligned && config.check_alignment {
            problems.push(misaligned_report(&record.seen));
        }

        if !problems.is_empty() {
            return Err(Failure {
                shape: shape.name,
                iteration,
                iterations: config.iterations,
                seed: config.seed,
                interrupted_rsp: ctx.int_rsp,
                error_code: expected_code,
                rflags: ctx.input.rflags,
                mxcsr: ctx.input.mxcsr,
                problems,
            });
        }
        stats.interrupts += 1;
        stats.rsp_8_mod_16 += u64::from(ctx.int_rsp % 16 == 8);
        stats.df_set += u64::from(ctx.input.rflags & FLAG_DF != 0);
        stats.mxcsr_unmasked += u64::from(ctx.input.mxcsr & MXCSR_MASKS != MXCSR_MASKS);
        stats.skipped += u64::from(landed == LANDED_SKIPPED);
        stats.misaligned_bodies += u64::from(misaligned);
    }
    stats.elapsed = started.elapsed();
    drop(armed);
    Ok(stats)
}

/// Runs `shape` and panics with the full report if any interrupt fails.
/// Also insists that the run exercised both frame alignments and DF.
pub fn torture(shape: &Shape, default_iterations: u64) -> Stats {
    let config = Config::from_env(default_iterations);
    let stats = run(shape, &config).unwrap_or_else(|failure| panic!("{failure}"));
    eprintln!("{}: {stats}", shape.name);
    if stats.interrupts >= 100 {
        assert!(
            stats.rsp_8_mod_16 > 0 && stats.rsp_8_mod_16 < stats.interrupts,
            "run did not exercise both frame alignments"
        );
        assert!(stats.df_set > 0, "run never set DF");
        if config.mxcsr.is_none() {
            assert!(
                stats.mxcsr_unmasked > 0 && stats.mxcsr_unmasked < stats.interrupts,
                "run did not exercise both masked and unmasked SSE exceptions"
            );
        }
        if shape.returns == Return::Rewritten {
            assert!(
                stats.skipped > 0 && stats.skipped < stats.interrupts,
                "run did not exercise both skip and redirect"
            );
        }
    }
    stats
}

fn compare_registers(ctx: &Ctx, problems: &mut Vec<String>) {
    let (want, got) = (&ctx.input, &ctx.output);
    for (i, name) in GPR_NAMES.iter().enumerate() {
        if want.gpr[i] != got.gpr[i] {
            problems.push(format!(
                "{name}: expected {:#018x}, got {:#018x}",
                want.gpr[i], got.gpr[i]
            ));
        }
    }
    for i in 0..16 {
        if want.xmm[i] != got.xmm[i] {
            problems.push(format!(
                "xmm{i}: expected {:#034x}, got {:#034x}",
                want.xmm[i], got.xmm[i]
            ));
        }
    }
    if want.mxcsr != got.mxcsr {
        problems.push(format!(
            "mxcsr: expected {:#06x}, got {:#06x} (differing bits {:#x})",
            want.mxcsr,
            got.mxcsr,
            want.mxcsr ^ got.mxcsr
        ));
    }
    if want.rflags != got.rflags {
        problems.push(format!(
            "rflags: expected {:#x}, got {:#x} (differing bits {:#x})",
            want.rflags,
            got.rflags,
            want.rflags ^ got.rflags
        ));
    }
}

/// Checks what the body recorded; returns whether it ran on a misaligned
/// stack (reported or only counted, depending on [`Config::check_alignment`]).
fn check_body(
    record: &Record,
    frame: &probe::Frame,
    error_code: Option<u64>,
    problems: &mut Vec<String>,
) -> bool {
    if record.calls != 1 {
        problems.push(format!("body ran {} times, expected once", record.calls));
        if record.calls == 0 {
            return false;
        }
    }
    let seen = &record.seen;
    let fields = [
        (
            "instruction_pointer",
            frame.instruction_pointer,
            seen.frame.instruction_pointer,
        ),
        ("code_segment", frame.code_segment, seen.frame.code_segment),
        ("cpu_flags", frame.cpu_flags, seen.frame.cpu_flags),
        (
            "stack_pointer",
            frame.stack_pointer,
            seen.frame.stack_pointer,
        ),
        (
            "stack_segment",
            frame.stack_segment,
            seen.frame.stack_segment,
        ),
    ];
    for (name, want, got) in fields {
        if want != got {
            problems.push(format!(
                "body saw frame.{name} = {got:#x}, expected {want:#x}"
            ));
        }
    }
    match (error_code, seen.error_code) {
        (Some(want), Some(got)) if want != got => {
            problems.push(format!("body saw error code {got:#x}, expected {want:#x}"))
        }
        (Some(_), None) => problems.push("body did not record an error code".into()),
        (None, Some(got)) => problems.push(format!(
            "body recorded error code {got:#x} for a shape without one"
        )),
        _ => {}
    }
    if let Some(fp) = seen.fp {
        // The body's own inexact division may have raised flags (bits 0-5).
        if fp.mxcsr & !0x3F != probe::DEFAULT_MXCSR {
            problems.push(format!(
                "body ran with MXCSR {:#06x}: expected the default environment {:#06x} (flags aside)",
                fp.mxcsr,
                probe::DEFAULT_MXCSR
            ));
        }
        if fp.tenth != probe::TENTH_TO_NEAREST {
            problems.push(format!(
                "body computed 1.0 / 10.0 = {:#018x}, expected {:#018x} (round to nearest)",
                fp.tenth,
                probe::TENTH_TO_NEAREST
            ));
        }
    }
    if seen.rflags & FLAG_DF != 0 {
        problems.push(format!(
            "RFLAGS.DF was set inside the body (RFLAGS {:#x}): the entry must `cld` before SysV code",
            seen.rflags
        ));
    }
    !seen.rsp_at_asm.is_multiple_of(16) || !seen.aligned_local.is_multiple_of(16)
}

fn misaligned_report(seen: &probe::Seen) -> String {
    format!(
        "body ran on a misaligned stack: RSP at a call-aligned point {:#x} (≡ {} mod 16), \
         align(16) local at {:#x} (≡ {} mod 16); SysV requires RSP ≡ 0 mod 16 at the `call`",
        seen.rsp_at_asm,
        seen.rsp_at_asm % 16,
        seen.aligned_local,
        seen.aligned_local % 16
    )
}
