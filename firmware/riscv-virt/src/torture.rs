//! Register torture: the code that interrupts interrupt.
//!
//! [`Torture::round`] calls `torture_round` (assembly below), which loads a
//! fresh pattern — distinct values derived from the round number — into every
//! general-purpose register except `sp` (x1, x3–x31; x1, x3–x15 on RV32E;
//! `gp` and `tp` included: nothing here relies on them, and rust-lld does not
//! relax addresses against `gp`), and with `cfg(fpu)` into f0–f31 and `fcsr`
//! (every rounding mode, flags clear in every other round). For interrupted
//! code that keeps the FPU off ([`Torture::with_fs_off`]) it leaves the FP state
//! alone and checks instead that `FS` still reads Off: an entry must neither
//! trap on it nor turn it on. It then compares every register with the
//! pattern, again and again, while interrupts arrive. A handler that fails to
//! restore a single register, or restores it from a stale or wrong slot, is
//! caught at the next comparison: the loop reports which register, the value
//! expected and the value found, and fails the run.
//!
//! Comparing needs a scratch register, and every register is in use. The
//! expected values therefore live in the routine's own stack frame, addressed
//! from `sp` (which the interrupt entry must preserve anyway), and one
//! register, T (x31, or x15 on RV32E), is the scratch of each pass. T holds
//! its own pattern value between passes and is checked first, with U (x30 or
//! x14) as the scratch while U's live value is parked in the frame for three
//! instructions. The FP checks need two scratch registers (the FP value moved
//! out, the expected value loaded): they use T and U, U parked again.

use core::arch::global_asm;
use core::mem::{offset_of, size_of};

use crate::platform::{self, exit};

/// The values one round loads, indexed by register number.
#[repr(C)]
pub struct Pattern {
    x: [usize; 32],
    f: [u64; 32],
    fcsr: usize,
    /// `FS` the round sets once the FP registers are filled (1 Initial,
    /// 2 Clean, 3 Dirty; 0 Off with the FPU off), and expects every pass.
    fs: usize,
}

/// Stack frame of `torture_round`; everything is addressed from `sp`.
#[repr(C)]
struct Frame {
    pattern: Pattern,
    /// Passes left in this round.
    passes: usize,
    /// Non-zero: f0-f31 and `fcsr` are filled and checked; zero: the FPU is
    /// off (`FS` = Off) and must stay off, which each pass checks instead.
    fp: usize,
    /// U's live value while U serves as a scratch register.
    parked: usize,
    /// What failed: register number, 32 + FP register number, 64 = `fcsr`,
    /// 65 = `FS`.
    failed: usize,
    expected: usize,
    actual: usize,
    /// The caller's `fcsr`, restored on return.
    fcsr_saved: usize,
    /// Every register at the moment of a failure (T, U: scratch values).
    dump: [usize; 32],
    /// The caller's registers (callee-saved ones must survive the call).
    saved: [usize; 32],
}

const FRAME_BYTES: usize = (size_of::<Frame>() + 15) & !15;
const XLEN: usize = size_of::<usize>();

/// Registers the torture fills, and the scratch registers T and U.
#[cfg(not(target_abi = "ilp32e"))]
macro_rules! gprs {
    () => {
        "1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
    };
}
#[cfg(not(target_abi = "ilp32e"))]
macro_rules! gprs_but_t {
    () => {
        "1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30"
    };
}
#[cfg(not(target_abi = "ilp32e"))]
const T: usize = 31;
#[cfg(target_abi = "ilp32e")]
macro_rules! gprs {
    () => {
        "1,3,4,5,6,7,8,9,10,11,12,13,14,15"
    };
}
#[cfg(target_abi = "ilp32e")]
macro_rules! gprs_but_t {
    () => {
        "1,3,4,5,6,7,8,9,10,11,12,13,14"
    };
}
#[cfg(target_abi = "ilp32e")]
const T: usize = 15;
const U: usize = T - 1;
/// Number of general-purpose registers the torture fills.
const GPR_COUNT: usize = T - 1;
/// f0–f31 and fcsr (`FS`, checked in either mode, comes on top).
const FP_CHECKS: usize = if cfg!(fpu) { 33 } else { 0 };

/// Passes per round: long enough that most interrupts strike the loop rather
/// than the Rust code setting up the next round, short enough that the
/// pattern changes often (a restore from a stale slot shows up).
const PASSES: usize = 64;

global_asm!(
    ".pushsection .text.torture_round, \"ax\", @progbits",
    ".balign 4",
    ".global torture_round",
    ".type torture_round, @function",
    "torture_round:",
    // XLEN-sized load/store relative to a base register (sp by default).
    ".macro TLD rd, off, base=sp",
    ".if {xlen} == 8",
    "ld \\rd, \\off(\\base)",
    ".else",
    "lw \\rd, \\off(\\base)",
    ".endif",
    ".endm",
    ".macro TST rs, off, base=sp",
    ".if {xlen} == 8",
    "sd \\rs, \\off(\\base)",
    ".else",
    "sw \\rs, \\off(\\base)",
    ".endif",
    ".endm",
    // a0 = &Pattern, a1 = passes, a2 = fp. Save the caller's registers,
    // copy the pattern into the frame.
    "addi sp, sp, -{frame}",
    concat!(".irp n, ", gprs!()),
    "TST x\\n, ({saved} + \\n*{xlen})",
    ".endr",
    concat!(".irp n, ", gprs!()),
    "TLD t0, (\\n*{xlen}), a0",
    "TST t0, ({x} + \\n*{xlen})",
    ".endr",
    "TST a1, {passes}",
    "TST a2, {fp}",
    ".if {fpu}",
    ".option push",
    ".option arch, +d",
    "beqz a2, 3f",
    "csrr t0, fcsr",
    "TST t0, {fcsr_saved}",
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    "ld t0, (32*{xlen} + \\n*8)(a0)",
    "sd t0, ({f} + \\n*8)(sp)",
    "fmv.d.x f\\n, t0",
    ".endr",
    "TLD t0, (32*{xlen} + 32*8), a0",
    "TST t0, {fcsr}",
    "csrw fcsr, t0",
    // Writing the registers made FS Dirty; a kernel that has just saved or
    // loaded them would call them Clean, and an entry must not leave them
    // Dirty then. One `csrc` from Dirty: no interrupt sees FS in between.
    "TLD t0, {pattern_fs}, a0",
    "xori t0, t0, 3",
    "slli t0, t0, 13",
    "csrc sstatus, t0",
    "3:",
    "TLD t0, {pattern_fs}, a0",
    "TST t0, {fs}",
    ".option pop",
    ".endif",
    // Fill: from here on every register holds its pattern value.
    concat!(".irp n, ", gprs!()),
    "TLD x\\n, ({x} + \\n*{xlen})",
    ".endr",
    // One pass. T first, with U as the scratch.
    "1:",
    "TST x{u}, {parked}",
    "TLD x{u}, ({x} + {t}*{xlen})",
    "bne x{t}, x{u}, 8f",
    "TLD x{u}, {parked}",
    // Every other register, with T as the scratch.
    concat!(".irp n, ", gprs_but_t!()),
    "TLD x{t}, ({x} + \\n*{xlen})",
    "bne x\\n, x{t}, 5\\n\\()f",
    ".endr",
    ".if {fpu}",
    ".option push",
    ".option arch, +d",
    "TST x{u}, {parked}",
    // `FS` as the round set it: Off stays Off, and an entry that used the
    // FP registers puts Initial or Clean back.
    "csrr x{t}, sstatus",
    "srli x{t}, x{t}, 13",
    "andi x{t}, x{t}, 3",
    "TLD x{u}, {fs}",
    "bne x{t}, x{u}, 4f",
    "TLD x{t}, {fp}",
    "beqz x{t}, 10f",
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    "fmv.x.d x{t}, f\\n",
    "ld x{u}, ({f} + \\n*8)(sp)",
    "bne x{t}, x{u}, 6\\n\\()f",
    ".endr",
    "csrr x{t}, fcsr",
    "TLD x{u}, {fcsr}",
    "bne x{t}, x{u}, 7f",
    "10:",
    "TLD x{u}, {parked}",
    ".option pop",
    ".endif",
    // Count the pass down; reload T with its pattern value and go again.
    "TLD x{t}, {passes}",
    "addi x{t}, x{t}, -1",
    "TST x{t}, {passes}",
    "beqz x{t}, 2f",
    "TLD x{t}, ({x} + {t}*{xlen})",
    "j 1b",
    // Round done: give the caller its registers back.
    "2:",
    ".if {fpu}",
    "TLD t0, {fp}",
    "beqz t0, 3f",
    "TLD t0, {fcsr_saved}",
    "csrw fcsr, t0",
    "3:",
    ".endif",
    concat!(".irp n, ", gprs!()),
    "TLD x\\n, ({saved} + \\n*{xlen})",
    ".endr",
    "addi sp, sp, {frame}",
    "ret",
    // Failures. A GPR compared with T: T holds the expected value.
    concat!(".irp n, ", gprs_but_t!()),
    "5\\n\\():",
    "TST x{t}, {expected}",
    "TST x\\n, {actual}",
    "li x{t}, \\n",
    "j 9f",
    ".endr",
    // T compared with U.
    "8:",
    "TST x{u}, {expected}",
    "TST x{t}, {actual}",
    "TLD x{u}, {parked}",
    "li x{t}, {t}",
    "j 9f",
    ".if {fpu}",
    // An FP register (moved to T) compared with U.
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    "6\\n\\():",
    "TST x{u}, {expected}",
    "TST x{t}, {actual}",
    "TLD x{u}, {parked}",
    "li x{t}, (32 + \\n)",
    "j 9f",
    ".endr",
    "7:",
    "TST x{u}, {expected}",
    "TST x{t}, {actual}",
    "TLD x{u}, {parked}",
    "li x{t}, 64",
    "j 9f",
    // `FS` (in T) compared with U.
    "4:",
    "TST x{u}, {expected}",
    "TST x{t}, {actual}",
    "TLD x{u}, {parked}",
    "li x{t}, 65",
    ".endif",
    "9:",
    "TST x{t}, {failed}",
    concat!(".irp n, ", gprs!()),
    "TST x\\n, ({dump} + \\n*{xlen})",
    ".endr",
    "mv a0, sp",
    "call {report}",
    ".global torture_round_end",
    "torture_round_end:",
    ".size torture_round, . - torture_round",
    ".purgem TLD",
    ".purgem TST",
    ".popsection",
    xlen = const XLEN,
    frame = const FRAME_BYTES,
    fpu = const cfg!(fpu) as usize,
    t = const T,
    u = const U,
    x = const offset_of!(Frame, pattern) + offset_of!(Pattern, x),
    f = const offset_of!(Frame, pattern) + offset_of!(Pattern, f),
    fcsr = const offset_of!(Frame, pattern) + offset_of!(Pattern, fcsr),
    fs = const offset_of!(Frame, pattern) + offset_of!(Pattern, fs),
    pattern_fs = const offset_of!(Pattern, fs),
    passes = const offset_of!(Frame, passes),
    fp = const offset_of!(Frame, fp),
    parked = const offset_of!(Frame, parked),
    failed = const offset_of!(Frame, failed),
    expected = const offset_of!(Frame, expected),
    actual = const offset_of!(Frame, actual),
    fcsr_saved = const offset_of!(Frame, fcsr_saved),
    dump = const offset_of!(Frame, dump),
    saved = const offset_of!(Frame, saved),
    report = sym torture_failed,
);

unsafe extern "C" {
    /// Loads `pattern` into the registers and checks them `passes` times.
    /// Returns with every register as the caller left it; diverges into
    /// `torture_failed` on a mismatch.
    fn torture_round(pattern: &Pattern, passes: usize, fp: usize);
    /// The first byte after `torture_round`.
    static torture_round_end: u8;
}

/// Whether `pc` lies in the torture routine: reports count how many
/// interrupts hit it rather than the Rust code around it.
pub fn contains(pc: usize) -> bool {
    let start = torture_round as *const () as usize;
    let end = &raw const torture_round_end as usize;
    (start..end).contains(&pc)
}

/// ABI names, for messages.
const NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

extern "C" fn torture_failed(frame: &Frame) -> ! {
    platform::quietly(&|| report(frame))
}

fn report(frame: &Frame) -> ! {
    print!("torture: ");
    match frame.failed {
        n @ 0..32 => print!("x{n} ({})", NAMES[n]),
        n @ 32..64 => print!("f{}", n - 32),
        64 => print!("fcsr"),
        _ => print!("FS (mstatus/sstatus bits 13-14)"),
    }
    println!(" expected {:#x} found {:#x}", frame.expected, frame.actual);
    // Other registers that were wrong at the same moment (T and U excepted:
    // they were in use as scratch registers).
    for n in (1..=T).filter(|&n| ![2, T, U, frame.failed].contains(&n)) {
        let (want, got) = (frame.pattern.x[n], frame.dump[n]);
        if want != got {
            println!(
                "torture: also x{n} ({}) expected {want:#x} found {got:#x}",
                NAMES[n]
            );
        }
    }
    println!("FAIL: register torture detected corruption");
    platform::exit_failure(exit::TORTURE)
}

/// Marsaglia's xorshift on the native word: a handful of instructions per
/// value, also on RV32E, which has no multiplier.
fn next(state: &mut usize) -> usize {
    let mut x = *state;
    if usize::BITS == 64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    } else {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
    }
    *state = x;
    x
}

/// The torture state of one scenario.
pub struct Torture {
    round: usize,
    /// Generator state: the pattern values are its successive outputs.
    state: usize,
    /// Register comparisons made so far.
    pub checks: u64,
    /// Whether the FP registers are tortured (else `FS` is checked to stay
    /// Off).
    fp: bool,
}

impl Torture {
    pub const fn new() -> Self {
        Torture {
            round: 0,
            state: 0x9E37_79B9,
            checks: 0,
            fp: cfg!(fpu),
        }
    }

    /// With `fs_off`, for interrupted code that keeps the FPU off (`FS` =
    /// Off, set by the caller): integer registers only, and with an FPU `FS`
    /// checked in every pass.
    pub const fn with_fs_off(fs_off: bool) -> Self {
        Torture {
            fp: cfg!(fpu) && !fs_off,
            ..Self::new()
        }
    }

    /// One round: a new pattern, [`PASSES`] comparisons of every register.
    pub fn round(&mut self) {
        self.round += 1;
        let mut state = self.state;
        let mut pattern = Pattern {
            x: [0; 32],
            f: [0; 32],
            fcsr: 0,
            fs: 0,
        };
        for x in &mut pattern.x {
            *x = next(&mut state);
        }
        if self.fp {
            for f in &mut pattern.f {
                *f = next(&mut state) as u64;
            }
            // fcsr: every valid rounding mode (0-4, RTZ among them) in frm;
            // fflags clear in every other round, so that a flag a body's
            // arithmetic leaks into the interrupted code shows, and any
            // flags in the others.
            let flags = if self.round % 2 == 0 {
                0
            } else {
                next(&mut state) % 32
            };
            pattern.fcsr = (self.round % 5) * 32 + flags;
            pattern.fs = 1 + self.round % 3;
        }
        self.state = state;
        // SAFETY: the routine restores every register before returning.
        unsafe { torture_round(&pattern, PASSES, usize::from(self.fp)) };
        let fp_checks = match (self.fp, cfg!(fpu)) {
            (true, _) => FP_CHECKS + 1,
            (false, true) => 1,
            (false, false) => 0,
        };
        self.checks += (PASSES * (GPR_COUNT + fp_checks)) as u64;
    }

    /// Runs rounds until `done` says so.
    pub fn run_until(&mut self, mut done: impl FnMut() -> bool) {
        while !done() {
            self.round();
        }
    }
}
