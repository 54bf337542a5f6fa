//! Register torture: the code that interrupts interrupt.
//!
//! A round loads a fresh pattern, distinct values derived from the round
//! number, into every general-purpose register but SP and PC (r0-r12, lr),
//! the CPSR flags (NZCVQ, and GE on ARMv6+) and, where the target has VFP,
//! every d register and FPSCR; then it compares every register with the
//! pattern, again and again, while interrupts arrive. A handler that fails to
//! restore a single register, or restores it from a wrong slot, or returns
//! with the wrong CPSR (flags, mode, Thumb bit), is caught at the next
//! comparison: the routine reports which register, the value expected and
//! the value found, and fails the run.
//!
//! The routines are assembly in three instruction sets, and rounds alternate
//! between A32 and a Thumb one, so interrupts strike both states (SPSR.T must
//! come back right, and an undefined-instruction entry must tell them apart):
//!
//! - [`a32`]: A32, and the same source assembled as Thumb-2 on targets that
//!   have it (`cfg(arm_thumb2)`). Checks the CPSR too.
//! - [`t16`]: Thumb-1 (ARMv4T's Thumb, on targets without Thumb-2): r0-r12
//!   and lr; Thumb-1 cannot read the CPSR.
//!
//! Comparing needs a scratch register, and every register is in use. The
//! expected values therefore live in the routine's own stack frame, addressed
//! from SP (which every entry must preserve anyway), and one register, T, is
//! the scratch of each pass; T holds its own pattern value between passes
//! and is checked first, with a second register U as the scratch while U's
//! live value is parked in the frame.

mod a32;
mod t16;

use crate::semihosting::status;

/// The values one round loads. `d` comes first: VFP loads and stores reach
/// only 1020 bytes from their base.
#[repr(C)]
pub struct Pattern {
    pub d: [u64; 32],
    /// Indexed by register number; r13 and r15 unused.
    pub x: [u32; 16],
    /// CPSR value whose NZCVQ and GE bits are loaded (`msr cpsr_fs`).
    pub flags: u32,
    pub fpscr: u32,
}

/// What a failed comparison leaves for [`failed`].
#[repr(C)]
pub struct Failure {
    /// 0-15: r0-r15; 16: CPSR; 32-63: d0-d31; 64: FPSCR; 65: FPEXC.
    pub what: u32,
    pub expected: u32,
    pub actual: u32,
    /// Every general-purpose register at the moment of the failure (the two
    /// scratch registers excepted).
    pub dump: [u32; 16],
    /// The pattern of the round.
    pub x: [u32; 16],
}

/// Called by the routines on a mismatch, with SP still in their frame.
pub(crate) extern "C" fn failed(f: &Failure, isa: u32) -> ! {
    // The routine's scratch registers T and U hold no pattern value.
    let (isa, scratch) = [
        ("A32", [12, 11]),
        ("Thumb-1", [7, 6]),
        ("Thumb-2", [12, 11]),
    ][isa as usize];
    print!("torture ({isa}): ");
    match f.what {
        n @ 0..16 => print!("r{n}"),
        16 => print!("CPSR"),
        n @ 32..64 => print!("d{} (32-bit half)", n - 32),
        64 => print!("FPSCR"),
        _ => print!("FPEXC"),
    }
    println!(" expected {:#010x} found {:#010x}", f.expected, f.actual);
    for n in (0..15).filter(|&n| n != 13 && n as u32 != f.what && !scratch.contains(&n)) {
        if f.dump[n] != f.x[n] {
            println!(
                "torture: also r{n} expected {:#010x} found {:#010x}",
                f.x[n], f.dump[n]
            );
        }
    }
    fail!(status::TORTURE, "register torture detected corruption")
}

/// Passes per round: long enough that most interrupts strike the loop rather
/// than the Rust code setting up the next round, short enough that the
/// pattern changes often (a restore from a stale slot shows up).
const PASSES: u32 = 32;

/// Whether the Thumb rounds use the Thumb-2 build of the A32 source.
const THUMB2: bool = cfg!(arm_thumb2);

/// Marsaglia's xorshift32: the pattern values are its successive outputs.
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
    /// Rounds run in A32 and in Thumb state.
    pub a32_rounds: u32,
    pub thumb_rounds: u32,
    /// VFP is disabled: leave the VFP registers alone, check FPEXC stays 0.
    vfp_disabled: bool,
}

impl Default for Torture {
    fn default() -> Self {
        Self::new()
    }
}

impl Torture {
    pub const fn new() -> Self {
        Torture {
            round: 0,
            state: 0x9E37_79B9,
            checks: 0,
            a32_rounds: 0,
            thumb_rounds: 0,
            vfp_disabled: false,
        }
    }

    /// For interrupted code that runs with FPEXC = 0 (VFP targets only):
    /// the integer registers, and FPEXC in every pass of the A32 and
    /// Thumb-2 rounds.
    pub const fn vfp_disabled() -> Self {
        Torture {
            vfp_disabled: true,
            ..Self::new()
        }
    }

    /// One round of [`PASSES`] comparisons of every register, alternately in
    /// A32 and Thumb state.
    pub fn round(&mut self) {
        self.round = self.round.wrapping_add(1);
        let mut state = self.state;
        let mut pattern = Pattern {
            d: [0; 32],
            x: [0; 16],
            flags: 0,
            fpscr: 0,
        };
        for x in &mut pattern.x {
            *x = next(&mut state);
        }
        for d in &mut pattern.d {
            *d = u64::from(next(&mut state)) << 32 | u64::from(next(&mut state));
        }
        // NZCVQ and GE[3:0]; other bits of the read-back CPSR are compared
        // as they are.
        pattern.flags = next(&mut state) & 0xf80f_0000;
        // FPSCR: NZCV, DN, FZ, rounding mode and the cumulative exception
        // flags; no trap enables, no short vectors (Len/Stride).
        pattern.fpscr = next(&mut state) & 0xf3c0_009f;
        self.state = state;
        let thumb = self.round % 2 == 0;
        // r0-r12 and lr, plus the CPSR where the routine can read it.
        let regs = 14 + if thumb && !THUMB2 { 0 } else { 1 };
        // d0-d15 or d0-d31, plus FPSCR.
        let fp = if thumb && !THUMB2 {
            0
        } else if self.vfp_disabled {
            1
        } else if crate::rt::FPU {
            if crate::rt::D32 { 33 } else { 17 }
        } else {
            0
        };
        // SAFETY: the routines restore every callee-saved register and return.
        unsafe {
            if !thumb {
                if self.vfp_disabled {
                    a32::torture_a32_fpexc(&pattern, PASSES);
                } else {
                    a32::torture_a32(&pattern, PASSES);
                }
                self.a32_rounds += 1;
            } else if THUMB2 {
                if self.vfp_disabled {
                    a32::torture_t32_fpexc(&pattern, PASSES);
                } else {
                    a32::torture_t32(&pattern, PASSES);
                }
                self.thumb_rounds += 1;
            } else {
                t16::torture_t16(pattern.x.as_ptr(), PASSES);
                self.thumb_rounds += 1;
            }
        }
        self.checks += u64::from(PASSES) * (regs + fp) as u64;
    }

    /// Runs rounds until `done` says so.
    pub fn run_until(&mut self, mut done: impl FnMut() -> bool) {
        while !done() {
            self.round();
        }
    }
}
