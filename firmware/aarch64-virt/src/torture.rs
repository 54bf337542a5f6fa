//! Register torture: the code that interrupts interrupt.
//!
//! [`Torture::round`] calls `torture_round` (assembly below), which loads a
//! fresh pattern — distinct values derived from the round number — into
//! x0–x30 (x18 and x30 included; only `sp` is left out), NZCV, and on
//! targets with FP/SIMD into all 128 bits of q0–q31, FPCR and FPSR. It then
//! compares every register with the pattern, again and again, while
//! interrupts arrive. A handler entry that fails to restore a single
//! register (or half a vector register, or a flag), or restores it from a
//! stale or wrong slot, is caught at the next comparison: the loop reports
//! which register, the value expected and the value found, and fails the run.
//!
//! The comparisons must not disturb what they check, so they do not use
//! `cmp` (it writes NZCV): `eor` the register with its expected value into a
//! scratch register and `cbnz` on the result. Every register is in use, so
//! the expected values live in the routine's own stack frame, addressed from
//! `sp` (which the entry must preserve anyway), and one register, T (x30),
//! is the scratch of each pass. T holds its own pattern value between passes
//! and is checked first, with U (x29) as the scratch while U's live value is
//! parked in the frame. The FP checks need two scratch registers (the lane
//! moved out, the expected value loaded): T and U, U parked again.
//!
//! With `traps` set, every pass ends with `svc #0x42` and `brk #0x42` while
//! every register holds its pattern value: the synchronous handler checks
//! the whole `ExceptionFrame` against the pattern, inverts x0 and x1 through
//! the frame (the loop inverts them back, so a write that does not reach
//! `eret` shows up as a mismatch) and skips the `brk` by advancing ELR (a skip
//! that does not happen takes the `brk` again forever). With `TRAP_HVC` the
//! pass also calls EL2 (`hvc #0x42`), whose handler inverts x2 and x3.

use core::arch::global_asm;
use core::mem::{offset_of, size_of};

use crate::platform::{self, exit};
use fw_common::Shared;

/// Whether this target has FP/SIMD registers (`aarch64-unknown-none`) or
/// not (`aarch64-unknown-none-softfloat`, whose code never touches them).
pub const FP: bool = cfg!(target_feature = "neon");

/// The values one round loads.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct Pattern {
    /// q0–q31, low and high doubleword (first: `ldr q` offsets are scaled by 16).
    pub q: [[u64; 2]; 32],
    pub x: [u64; 31],
    pub fpcr: u64,
    pub fpsr: u64,
    pub nzcv: u64,
}

/// Stack frame of `torture_round`; everything is addressed from `sp`.
#[repr(C, align(16))]
struct Frame {
    /// A copy of the caller's pattern; FPCR, FPSR and NZCV as read back
    /// after writing them (bits the CPU does not implement read as zero).
    pattern: Pattern,
    /// Passes left in this round.
    passes: u64,
    /// `TRAP_*` bits: which exceptions each pass raises.
    traps: u64,
    /// U's live value while U serves as a scratch register.
    parked: u64,
    /// What failed: x`n` = `n`, q`n` low = 32 + 2`n`, high = 33 + 2`n`,
    /// 96 = FPCR, 97 = FPSR, 98 = NZCV.
    failed: u64,
    expected: u64,
    actual: u64,
    /// x0–x30 at the moment of a failure (T, U: scratch values).
    dump: [u64; 31],
    /// The caller's registers: x19–x30, d8–d15 and FPCR must survive the call.
    saved_x: [u64; 31],
    saved_d: [u64; 8],
    saved_fpcr: u64,
}

const FRAME_BYTES: usize = size_of::<Frame>();
const _: () = assert!(FRAME_BYTES.is_multiple_of(16) && FRAME_BYTES < 4096);

/// Each pass raises `svc #0x42` and `brk #0x42`.
pub const TRAP_SVC_BRK: u64 = 1;
/// Each pass also calls EL2 with `hvc #0x42`.
pub const TRAP_HVC: u64 = 2;
/// The immediate of the torture's `svc`, `brk` and `hvc`.
pub const TRAP_IMM: u64 = 0x42;

/// Registers the torture fills, and the scratch registers T and U.
macro_rules! all_x {
    () => {
        "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30"
    };
}
macro_rules! all_x_but_t {
    () => {
        "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29"
    };
}
macro_rules! all_q {
    () => {
        "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
    };
}
const T: usize = 30;
const U: usize = 29;
/// Comparisons per pass: x0–x30 and NZCV, with FP also 64 lanes, FPCR and FPSR.
const CHECKS_PER_PASS: u64 = 32 + if FP { 66 } else { 0 };

/// Passes per round: long enough that most interrupts strike the loop rather
/// than the Rust code setting up the next round, short enough that the
/// pattern changes often (a restore from a stale slot shows up).
const PASSES: u64 = 64;

global_asm!(
    ".pushsection .text.torture_round, \"ax\", %progbits",
    ".balign 4",
    ".global torture_round",
    ".type torture_round, %function",
    "torture_round:",
    // x0 = &Pattern, x1 = passes, x2 = traps. Save the caller's registers.
    "sub sp, sp, #{frame}",
    concat!(".irp n, ", all_x!()),
    "str x\\n, [sp, #({saved_x} + \\n*8)]",
    ".endr",
    ".if {fp}",
    ".irp n, 8,9,10,11,12,13,14,15",
    "str d\\n, [sp, #({saved_d} + (\\n-8)*8)]",
    ".endr",
    "mrs x9, fpcr",
    "str x9, [sp, #{saved_fpcr}]",
    ".endif",
    // Copy the pattern into the frame (no flags touched from here on).
    "mov x9, x0",
    "mov x10, sp",
    "mov x11, #({pattern_bytes} / 16)",
    "0:",
    "ldp x12, x13, [x9], #16",
    "stp x12, x13, [x10], #16",
    "sub x11, x11, #1",
    "cbnz x11, 0b",
    "str x1, [sp, #{passes}]",
    "str x2, [sp, #{traps}]",
    // Fill. Control and flag registers first, each read back as expected value.
    ".if {fp}",
    "ldr x9, [sp, #{fpcr}]",
    "msr fpcr, x9",
    "mrs x9, fpcr",
    "str x9, [sp, #{fpcr}]",
    "ldr x9, [sp, #{fpsr}]",
    "msr fpsr, x9",
    "mrs x9, fpsr",
    "str x9, [sp, #{fpsr}]",
    concat!(".irp n, ", all_q!()),
    "ldr q\\n, [sp, #({q} + \\n*16)]",
    ".endr",
    ".endif",
    "ldr x9, [sp, #{nzcv}]",
    "msr nzcv, x9",
    "mrs x9, nzcv",
    "str x9, [sp, #{nzcv}]",
    // From here on every register holds its pattern value.
    concat!(".irp n, ", all_x!()),
    "ldr x\\n, [sp, #({x} + \\n*8)]",
    ".endr",
    // One pass. T first, with U as the scratch.
    "1:",
    "str x{u}, [sp, #{parked}]",
    "ldr x{u}, [sp, #({x} + {t}*8)]",
    "eor x{u}, x{u}, x{t}",
    "cbnz x{u}, 8f",
    // NZCV, FPCR, FPSR and the vector registers, with T and U.
    "mrs x{t}, nzcv",
    "ldr x{u}, [sp, #{nzcv}]",
    "eor x{t}, x{t}, x{u}",
    "cbnz x{t}, 83f",
    ".if {fp}",
    "mrs x{t}, fpcr",
    "ldr x{u}, [sp, #{fpcr}]",
    "eor x{t}, x{t}, x{u}",
    "cbnz x{t}, 81f",
    "mrs x{t}, fpsr",
    "ldr x{u}, [sp, #{fpsr}]",
    "eor x{t}, x{t}, x{u}",
    "cbnz x{t}, 82f",
    concat!(".irp n, ", all_q!()),
    "fmov x{t}, d\\n",
    "ldr x{u}, [sp, #({q} + \\n*16)]",
    "eor x{t}, x{t}, x{u}",
    "cbnz x{t}, 6\\n\\()f",
    "mov x{t}, v\\n\\().d[1]",
    "ldr x{u}, [sp, #({q} + \\n*16 + 8)]",
    "eor x{t}, x{t}, x{u}",
    "cbnz x{t}, 7\\n\\()f",
    ".endr",
    ".endif",
    "ldr x{u}, [sp, #{parked}]",
    // Every other general-purpose register, with T as the scratch.
    concat!(".irp n, ", all_x_but_t!()),
    "ldr x{t}, [sp, #({x} + \\n*8)]",
    "eor x{t}, x{t}, x\\n",
    "cbnz x{t}, 5\\n\\()f",
    ".endr",
    // Count the pass down (`sub`, not `subs`: NZCV is part of the pattern).
    "ldr x{t}, [sp, #{passes}]",
    "sub x{t}, x{t}, #1",
    "str x{t}, [sp, #{passes}]",
    "cbz x{t}, 2f",
    // Traps, taken with every register at its pattern value.
    "ldr x{t}, [sp, #{traps}]",
    "tbz x{t}, #0, 3f",
    "ldr x{t}, [sp, #({x} + {t}*8)]",
    "svc #{imm}",
    "mvn x0, x0",
    "mvn x1, x1",
    "brk #{imm}",
    "ldr x{t}, [sp, #{traps}]",
    "3:",
    "tbz x{t}, #1, 4f",
    "ldr x{t}, [sp, #({x} + {t}*8)]",
    "hvc #{imm}",
    "mvn x2, x2",
    "mvn x3, x3",
    "4:",
    "ldr x{t}, [sp, #({x} + {t}*8)]",
    "b 1b",
    // Round done: give the caller its registers back.
    "2:",
    ".if {fp}",
    "ldr x9, [sp, #{saved_fpcr}]",
    "msr fpcr, x9",
    ".irp n, 8,9,10,11,12,13,14,15",
    "ldr d\\n, [sp, #({saved_d} + (\\n-8)*8)]",
    ".endr",
    ".endif",
    concat!(".irp n, ", all_x!()),
    "ldr x\\n, [sp, #({saved_x} + \\n*8)]",
    ".endr",
    "add sp, sp, #{frame}",
    "ret",
    // Failures. A GPR compared through T: the register itself is intact.
    concat!(".irp n, ", all_x_but_t!()),
    "5\\n\\():",
    "str x\\n, [sp, #{actual}]",
    "ldr x{t}, [sp, #({x} + \\n*8)]",
    "str x{t}, [sp, #{expected}]",
    "mov x{t}, #\\n",
    "b 9f",
    ".endr",
    // T compared through U.
    "8:",
    "str x{t}, [sp, #{actual}]",
    "ldr x{u}, [sp, #({x} + {t}*8)]",
    "str x{u}, [sp, #{expected}]",
    "ldr x{u}, [sp, #{parked}]",
    "mov x{t}, #{t}",
    "b 9f",
    // NZCV, FPCR, FPSR and vector lanes: read again, U parked.
    "83:",
    "mrs x{t}, nzcv",
    "str x{t}, [sp, #{actual}]",
    "ldr x{t}, [sp, #{nzcv}]",
    "str x{t}, [sp, #{expected}]",
    "ldr x{u}, [sp, #{parked}]",
    "mov x{t}, #98",
    "b 9f",
    ".if {fp}",
    "81:",
    "mrs x{t}, fpcr",
    "str x{t}, [sp, #{actual}]",
    "ldr x{t}, [sp, #{fpcr}]",
    "str x{t}, [sp, #{expected}]",
    "ldr x{u}, [sp, #{parked}]",
    "mov x{t}, #96",
    "b 9f",
    "82:",
    "mrs x{t}, fpsr",
    "str x{t}, [sp, #{actual}]",
    "ldr x{t}, [sp, #{fpsr}]",
    "str x{t}, [sp, #{expected}]",
    "ldr x{u}, [sp, #{parked}]",
    "mov x{t}, #97",
    "b 9f",
    concat!(".irp n, ", all_q!()),
    "6\\n\\():",
    "fmov x{t}, d\\n",
    "str x{t}, [sp, #{actual}]",
    "ldr x{t}, [sp, #({q} + \\n*16)]",
    "str x{t}, [sp, #{expected}]",
    "ldr x{u}, [sp, #{parked}]",
    "mov x{t}, #(32 + 2*\\n)",
    "b 9f",
    "7\\n\\():",
    "mov x{t}, v\\n\\().d[1]",
    "str x{t}, [sp, #{actual}]",
    "ldr x{t}, [sp, #({q} + \\n*16 + 8)]",
    "str x{t}, [sp, #{expected}]",
    "ldr x{u}, [sp, #{parked}]",
    "mov x{t}, #(33 + 2*\\n)",
    "b 9f",
    ".endr",
    ".endif",
    "9:",
    "str x{t}, [sp, #{failed}]",
    concat!(".irp n, ", all_x!()),
    "str x\\n, [sp, #({dump} + \\n*8)]",
    ".endr",
    "mov x0, sp",
    "bl {report}",
    ".global torture_round_end",
    "torture_round_end:",
    ".size torture_round, . - torture_round",
    ".popsection",
    frame = const FRAME_BYTES,
    fp = const FP as usize,
    t = const T,
    u = const U,
    imm = const TRAP_IMM,
    pattern_bytes = const size_of::<Pattern>(),
    q = const offset_of!(Frame, pattern) + offset_of!(Pattern, q),
    x = const offset_of!(Frame, pattern) + offset_of!(Pattern, x),
    fpcr = const offset_of!(Frame, pattern) + offset_of!(Pattern, fpcr),
    fpsr = const offset_of!(Frame, pattern) + offset_of!(Pattern, fpsr),
    nzcv = const offset_of!(Frame, pattern) + offset_of!(Pattern, nzcv),
    passes = const offset_of!(Frame, passes),
    traps = const offset_of!(Frame, traps),
    parked = const offset_of!(Frame, parked),
    failed = const offset_of!(Frame, failed),
    expected = const offset_of!(Frame, expected),
    actual = const offset_of!(Frame, actual),
    dump = const offset_of!(Frame, dump),
    saved_x = const offset_of!(Frame, saved_x),
    saved_d = const offset_of!(Frame, saved_d),
    saved_fpcr = const offset_of!(Frame, saved_fpcr),
    report = sym torture_failed,
);

unsafe extern "C" {
    /// Loads `pattern` into the registers and checks them `passes` times,
    /// raising the exceptions `traps` selects at the end of each pass.
    /// Returns with every register the caller must see preserved as it was;
    /// diverges into `torture_failed` on a mismatch.
    fn torture_round(pattern: &Pattern, passes: u64, traps: u64);
    /// The first byte after `torture_round`.
    static torture_round_end: u8;
}

/// Whether `pc` lies in the torture routine: reports count how many
/// interrupts hit it rather than the Rust code around it.
pub fn contains(pc: u64) -> bool {
    let start = torture_round as *const () as u64;
    let end = &raw const torture_round_end as u64;
    (start..end).contains(&pc)
}

extern "C" fn torture_failed(frame: &Frame) -> ! {
    print!("torture: ");
    match frame.failed {
        n @ 0..=30 => print!("x{n}"),
        n @ 32..96 => print!(
            "q{} {} half",
            (n - 32) / 2,
            if n % 2 == 0 { "low" } else { "high" }
        ),
        96 => print!("fpcr"),
        97 => print!("fpsr"),
        _ => print!("nzcv"),
    }
    println!(" expected {:#x} found {:#x}", frame.expected, frame.actual);
    // Other registers that were wrong at the same moment (T and U excepted:
    // they were in use as scratch registers).
    for n in (0..T).filter(|&n| n != U && n as u64 != frame.failed) {
        let (want, got) = (frame.pattern.x[n], frame.dump[n]);
        if want != got {
            println!("torture: also x{n} expected {want:#x} found {got:#x}");
        }
    }
    platform::fail!(exit::TORTURE, "register torture detected corruption")
}

/// x0–x30 of the round in progress, for handlers that check what the entry
/// stored in their `ExceptionFrame` (the `traps` passes).
static CURRENT_X: Shared<[u64; 31]> = Shared::new([0; 31]);
static CURRENT_NZCV: Shared<u64> = Shared::new(0);

/// The general-purpose register pattern of the round in progress.
pub fn current_x() -> [u64; 31] {
    CURRENT_X.get()
}

/// The NZCV pattern of the round in progress (bits 31:28, as in SPSR).
pub fn current_nzcv() -> u64 {
    CURRENT_NZCV.get()
}

/// Marsaglia's xorshift64.
fn next(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// A pattern for round `round`, its values the next outputs of `state`.
fn pattern(round: u64, state: &mut u64) -> Pattern {
    let mut pattern = Pattern {
        q: [[0; 2]; 32],
        x: [0; 31],
        fpcr: 0,
        fpsr: 0,
        nzcv: 0,
    };
    for x in &mut pattern.x {
        *x = next(state);
    }
    // NZCV: bits 31:28.
    pattern.nzcv = (round & 0xf) << 28;
    if FP {
        for q in pattern.q.iter_mut().flatten() {
            *q = next(state);
        }
        // FPCR: AHP, DN, FZ and the rounding mode (bits 26:22) vary; trap
        // enables stay off (nothing here computes in FP anyway).
        pattern.fpcr = (round % 32) << 22;
        // FPSR: QC and the cumulative exception flags.
        pattern.fpsr = next(state) & 0x0800_009f;
    }
    pattern
}

/// Passes of a [`window`] round.
const WINDOW_PASSES: u64 = 2;

/// A short torture round for a handler body that lets a nested interrupt
/// in: the nested entry must preserve the body's registers just as it
/// preserves the interrupted code's. Returns the comparisons made.
pub fn window(seed: u64) -> u64 {
    let mut state = seed.rotate_left(29) | 1;
    let pattern = pattern(seed, &mut state);
    // SAFETY: as in `Torture::round`; no traps.
    unsafe { torture_round(&pattern, WINDOW_PASSES, 0) };
    WINDOW_PASSES * CHECKS_PER_PASS
}

/// The torture state of one scenario.
pub struct Torture {
    round: u64,
    /// Generator state: the pattern values are its successive outputs.
    state: u64,
    traps: u64,
    /// Register comparisons made so far.
    pub checks: u64,
}

impl Torture {
    /// A torture whose passes raise the exceptions `traps` (`TRAP_*` bits) selects.
    pub const fn new(traps: u64) -> Self {
        Torture {
            round: 0,
            state: 0x9E37_79B9_7F4A_7C15,
            traps,
            checks: 0,
        }
    }

    /// One round: a new pattern, [`PASSES`] comparisons of every register.
    pub fn round(&mut self) {
        self.round += 1;
        let pattern = pattern(self.round, &mut self.state);
        CURRENT_X.set(pattern.x);
        CURRENT_NZCV.set(pattern.nzcv);
        // SAFETY: the routine restores every register the C ABI preserves.
        unsafe { torture_round(&pattern, PASSES, self.traps) };
        self.checks += PASSES * CHECKS_PER_PASS;
    }

    /// Runs rounds until `done` says so.
    pub fn run_until(&mut self, mut done: impl FnMut() -> bool) {
        while !done() {
            self.round();
        }
    }
}
