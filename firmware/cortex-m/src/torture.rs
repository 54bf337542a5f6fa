//! Register torture: the code that interrupts interrupt.
//!
//! [`Torture::round`] calls `torture_round` (assembly below), which loads a
//! fresh pattern into r0–r12, LR and the APSR flags (N, Z, C, V, Q) and then
//! compares every one of them with the pattern, again and again, while
//! exceptions arrive. The hardware stacks r0–r3, r12, LR, PC and xPSR; the
//! handler bodies, ordinary AAPCS functions, must preserve r4–r11. Anything
//! that breaks either — a handler that is not a valid AAPCS function, a
//! vector that lands in the middle of one, a wrong EXC_RETURN — shows up as
//! a mismatch: the loop reports which register, the value expected and the
//! value found, and fails the run.
//!
//! The comparisons must not disturb what they check, so they do not use
//! `cmp` (it writes the flags): `eor.w` (no S) the register with its
//! expected value into a scratch register and `cbz` on the result (`cbz`
//! needs a low register and branches only forward, hence T = r7, U = r6
//! and a `b.w` to the failure stub). Every register is in use, so the
//! expected values live in the routine's own stack frame, addressed from
//! `sp`, and T is the scratch of each pass: it holds its own pattern value
//! between passes and is checked first, with U as the scratch while U's live
//! value is parked in the frame.

use core::arch::global_asm;
use core::mem::{offset_of, size_of};

use crate::platform::{self, exit};

/// The values one round loads, indexed by register number (13, `sp`, unused).
#[repr(C)]
pub struct Pattern {
    r: [u32; 15],
    /// APSR: N, Z, C, V, Q in bits 31–27.
    apsr: u32,
}

/// Stack frame of `torture_round`; everything is addressed from `sp`.
#[repr(C, align(8))]
struct Frame {
    /// A copy of the caller's pattern; APSR as read back after writing it.
    pattern: Pattern,
    /// Passes left in this round.
    passes: u32,
    /// U's live value while U serves as a scratch register.
    parked: u32,
    /// What failed: register number, or 16 = APSR.
    failed: u32,
    expected: u32,
    actual: u32,
    /// r0–r14 at the moment of a failure (T, U: scratch values).
    dump: [u32; 15],
}

const FRAME_BYTES: usize = size_of::<Frame>();
const _: () = assert!(FRAME_BYTES % 8 == 0 && FRAME_BYTES < 4096);

macro_rules! all_r {
    () => {
        "0,1,2,3,4,5,6,7,8,9,10,11,12,14"
    };
}
macro_rules! all_r_but_t {
    () => {
        "0,1,2,3,4,5,6,8,9,10,11,12,14"
    };
}
const T: usize = 7;
const U: usize = 6;
/// Comparisons per pass: 14 registers and APSR.
const CHECKS_PER_PASS: u32 = 15;

/// Passes per round: long enough that most interrupts strike the loop
/// rather than the Rust code setting up the next round.
const PASSES: u32 = 64;

global_asm!(
    ".pushsection .text.torture_round, \"ax\", %progbits",
    ".syntax unified",
    ".thumb",
    ".balign 4",
    ".global torture_round",
    ".type torture_round, %function",
    ".thumb_func",
    "torture_round:",
    // r0 = &Pattern, r1 = passes. The caller's r4-r11 and return address
    // go on the stack below the frame (9 words + 1 for 8-byte alignment).
    "push {{r4-r11, lr}}",
    "sub sp, sp, #({frame} + 4)",
    // Copy the pattern into the frame.
    "mov r2, sp",
    "movs r3, #({pattern_bytes} / 4)",
    "0:",
    "ldr r4, [r0], #4",
    "str r4, [r2], #4",
    "subs r3, r3, #1",
    "bne 0b",
    "str r1, [sp, #{passes}]",
    // Flags, read back as their expected value (bits the core does not
    // have read as zero).
    "ldr r4, [sp, #{apsr}]",
    "msr apsr_nzcvq, r4",
    "mrs r4, apsr",
    "str r4, [sp, #{apsr}]",
    // Fill: from here on every register holds its pattern value.
    concat!(".irp n, ", all_r!()),
    "ldr.w r\\n, [sp, #({r} + \\n*4)]",
    ".endr",
    // One pass. T first, with U as the scratch; then the flags.
    "1:",
    "str.w r{u}, [sp, #{parked}]",
    "ldr.w r{u}, [sp, #({r} + {t}*4)]",
    "eor.w r{u}, r{u}, r{t}",
    "cbz r{u}, 2f",
    "b.w 8f",
    "2:",
    "mrs r{t}, apsr",
    "ldr.w r{u}, [sp, #{apsr}]",
    "eor.w r{t}, r{t}, r{u}",
    "cbz r{t}, 3f",
    "b.w 83f",
    "3:",
    "ldr.w r{u}, [sp, #{parked}]",
    // Every other register, with T as the scratch.
    concat!(".irp n, ", all_r_but_t!()),
    "ldr.w r{t}, [sp, #({r} + \\n*4)]",
    "eor.w r{t}, r{t}, r\\n",
    "cbz r{t}, 4\\n\\()f",
    "b.w 5\\n\\()f",
    "4\\n\\():",
    ".endr",
    // Count the pass down (`sub.w`, not `subs`: the flags are in the pattern).
    "ldr.w r{t}, [sp, #{passes}]",
    "sub.w r{t}, r{t}, #1",
    "str.w r{t}, [sp, #{passes}]",
    "cbnz r{t}, 6f",
    "b.w 7f",
    "6:",
    "ldr.w r{t}, [sp, #({r} + {t}*4)]",
    "b.w 1b",
    // Round done: give the caller its registers back.
    "7:",
    "add sp, sp, #({frame} + 4)",
    "pop {{r4-r11, pc}}",
    // Failures. A register compared through T: the register is intact.
    concat!(".irp n, ", all_r_but_t!()),
    "5\\n\\():",
    "str.w r\\n, [sp, #{actual}]",
    "ldr.w r{t}, [sp, #({r} + \\n*4)]",
    "str.w r{t}, [sp, #{expected}]",
    "mov.w r{t}, #\\n",
    "b.w 9f",
    ".endr",
    // T compared through U.
    "8:",
    "str.w r{t}, [sp, #{actual}]",
    "ldr.w r{u}, [sp, #({r} + {t}*4)]",
    "str.w r{u}, [sp, #{expected}]",
    "ldr.w r{u}, [sp, #{parked}]",
    "mov.w r{t}, #{t}",
    "b.w 9f",
    // The flags.
    "83:",
    "mrs r{t}, apsr",
    "str.w r{t}, [sp, #{actual}]",
    "ldr.w r{t}, [sp, #{apsr}]",
    "str.w r{t}, [sp, #{expected}]",
    "ldr.w r{u}, [sp, #{parked}]",
    "mov.w r{t}, #16",
    "9:",
    "str.w r{t}, [sp, #{failed}]",
    concat!(".irp n, ", all_r!()),
    "str.w r\\n, [sp, #({dump} + \\n*4)]",
    ".endr",
    "mov r0, sp",
    "bl {report}",
    ".global torture_round_end",
    "torture_round_end:",
    ".size torture_round, . - torture_round",
    ".popsection",
    frame = const FRAME_BYTES,
    t = const T,
    u = const U,
    pattern_bytes = const size_of::<Pattern>(),
    r = const offset_of!(Frame, pattern) + offset_of!(Pattern, r),
    apsr = const offset_of!(Frame, pattern) + offset_of!(Pattern, apsr),
    passes = const offset_of!(Frame, passes),
    parked = const offset_of!(Frame, parked),
    failed = const offset_of!(Frame, failed),
    expected = const offset_of!(Frame, expected),
    actual = const offset_of!(Frame, actual),
    dump = const offset_of!(Frame, dump),
    report = sym torture_failed,
);

unsafe extern "C" {
    /// Loads `pattern` into the registers and checks them `passes` times.
    /// Returns with r4–r11 as the caller left them; diverges into
    /// `torture_failed` on a mismatch.
    fn torture_round(pattern: &Pattern, passes: u32);
    /// The first byte after `torture_round`.
    static torture_round_end: u8;
}

/// Whether `pc` (a stacked return address) lies in the torture routine:
/// reports count how many interrupts hit it rather than the Rust code
/// around it.
pub fn contains(pc: u32) -> bool {
    // The symbol's address has the Thumb bit set; return addresses do not.
    let start = torture_round as *const () as u32 & !1;
    let end = &raw const torture_round_end as u32;
    (start..end).contains(&pc)
}

extern "C" fn torture_failed(frame: &Frame) -> ! {
    match frame.failed {
        16 => print!("torture: apsr"),
        n => print!("torture: r{n}"),
    }
    println!(" expected {:#x} found {:#x}", frame.expected, frame.actual);
    for n in (0..15).filter(|&n| n != 13 && n != T && n != U && n as u32 != frame.failed) {
        let (want, got) = (frame.pattern.r[n], frame.dump[n]);
        if want != got {
            println!("torture: also r{n} expected {want:#x} found {got:#x}");
        }
    }
    platform::fail!(exit::TORTURE, "register torture detected corruption")
}

/// Marsaglia's xorshift32.
fn next(state: &mut u32) -> u32 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    x
}

/// The torture state of one scenario.
pub struct Torture {
    round: u32,
    state: u32,
    /// Register comparisons made so far.
    pub checks: u64,
}

impl Torture {
    pub const fn new() -> Self {
        Torture {
            round: 0,
            state: 0x9E37_79B9,
            checks: 0,
        }
    }

    /// One round: a new pattern, [`PASSES`] comparisons of every register.
    pub fn round(&mut self) {
        self.round += 1;
        let mut pattern = Pattern {
            r: [0; 15],
            apsr: (self.round & 0x1f) << 27,
        };
        for r in &mut pattern.r {
            *r = next(&mut self.state);
        }
        // SAFETY: the routine restores every register the C ABI preserves.
        unsafe { torture_round(&pattern, PASSES) };
        self.checks += u64::from(PASSES * CHECKS_PER_PASS);
    }

    /// Runs rounds until `done` says so.
    pub fn run_until(&mut self, mut done: impl FnMut() -> bool) {
        while !done() {
            self.round();
        }
    }
}
