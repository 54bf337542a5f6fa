//! Entry and exit cost of a `cortex-m-interrupt` handler, measured by the
//! firmware itself.
//!
//! QEMU implements no DWT (DWT_CTRL and CYCCNT read as zero), so the clock is
//! SysTick: under `-icount shift=0` one instruction takes 1 ns and a tick of
//! the 50 MHz processor clock is [`INSNS_PER_TICK`] = 20 instructions. One
//! reading is too coarse, but the count of tick edges between two points
//! `d` instructions apart, summed over 20 samples whose starting phases
//! relative to the tick edges are all 20 different residues, is exactly `d`
//! (MPS2: 40 instructions a tick, 40 samples)
//! (each of the `d` instructions lies just before an edge in exactly one of
//! the samples). Each sample therefore begins spinning on `b .`, which the
//! SysTick interrupt at a tick edge ends (the "anchor": the handler steps
//! the stacked return address over the `b .`, so every sample resumes the
//! same number of instructions after an edge; a one-instruction spin is
//! struck at the edge exactly), waits a fixed 129 instructions (past the
//! tick during which the counter stays at 0 before it reloads), then runs a
//! delay loop of `3·(k+1)`
//! instructions (3 is coprime to 20 and 40: k = 0, 1, ... give every
//! residue), then
//! the measured sequence:
//!
//! ```text
//! interrupted:  ldr A, SYST_CVR; str ISPR (pend the probe IRQ)
//!                 ── exception (hardware stacking) ──▶ body: ldr B0, SYST_CVR ...
//!                                                            ldr B1, SYST_CVR
//!                 ◀── body's `bx lr` (hardware unstacking) ──
//! interrupted:  ldr C, SYST_CVR
//! ```
//!
//! and the same with the body inlined and a store of 0 (which pends
//! nothing) in place of the pend: the difference removes the measuring
//! instructions. What remains are the instructions executed between the
//! pend and the body's first instruction (entry), and between the body's
//! last and the interrupted code (exit). The hardware stacking is not an
//! instruction and there is no trampoline, the body is the entry: what is
//! counted is the body's own prologue and epilogue around the `asm!` block.
//! Rust compiles Thumb targets with frame pointers, so even this leaf body
//! has `push {r7, lr}; mov r7, sp` (entry 2) and `pop {r7, pc}` (exit 1).
//! QEMU has no cycle model: cycles are not reported.

use core::arch::asm;
use core::fmt;

use interrupt_abi::interrupt;

use crate::clock::INSNS_PER_TICK;
use crate::frame::{B_SELF, HardwareFrame};
use crate::platform::{self, exit};
use crate::scs;
use fw_common::Shared;

/// The device interrupt the probe takes (no device of either board
/// model drives it).
pub const PROBE_IRQ: usize = 10;
/// SysTick period of the anchor, in ticks: longer than a sample.
const ANCHOR_RELOAD: u32 = 255;

/// Set while a sample waits for its anchor: the SysTick handler then only
/// stops the interrupt (the counter runs on) and returns.
static ANCHORING: Shared<bool> = Shared::new(false);
/// The probe body's counter readings B0 and B1.
static STAMPS: Shared<[u32; 2]> = Shared::new([0; 2]);
/// A stamp no reading of the 24-bit counter gives.
const NOT_RUN: u32 = u32::MAX;

/// Entry and exit cost in instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub entry_insns: u32,
    pub exit_insns: u32,
}

impl Cost {
    pub fn fields(&self) -> [(&'static str, &dyn fmt::Display); 2] {
        [
            ("entry_insns", &self.entry_insns),
            ("exit_insns", &self.exit_insns),
        ]
    }
}

/// For the SysTick handler: whether this interrupt is a cost anchor.
pub fn anchoring() -> bool {
    ANCHORING.get()
}

/// For the SysTick handler, when [`anchoring`]: ends the sample's spin.
/// Always the same instructions, so that every sample resumes at the same
/// phase. SysTick runs on; its next interrupt comes [`ANCHOR_RELOAD`] ticks
/// later, long after the sample.
pub fn anchor(frame: &mut HardwareFrame) {
    // SAFETY: the stacked return address is an instruction in flash.
    if unsafe { (frame.pc as *const u16).read_volatile() } != B_SELF {
        platform::fail!(
            exit::CHECK,
            "cost anchor struck {:#x}, not the spin",
            frame.pc
        );
    }
    frame.pc += 2;
    ANCHORING.set(false);
}

/// The probe body, between the stamps. r1 = SYST_CVR, r2 = &STAMPS.
macro_rules! body_asm {
    () => {
        concat!(
            "movw r1, #{cvr_lo}\n",
            "movt r1, #{cvr_hi}\n",
            "movw r2, #:lower16:{stamps}\n",
            "movt r2, #:upper16:{stamps}\n",
            "ldr r0, [r1]\n",
            "str r0, [r2]\n",
            "ldr r0, [r1]\n",
            "str r0, [r2, #4]\n",
        )
    };
}

const CVR: usize = 0xe000_e018;
const ISPR: usize = 0xe000_e200 + 4 * (PROBE_IRQ / 32);

/// The probe handler: one `asm!` block using only caller-saved registers,
/// so that the compiler adds nothing but its frame-pointer prologue.
#[interrupt]
pub extern "cortex-m-interrupt" fn irq_probe() {
    // SAFETY: reads SysTick, writes STAMPS.
    unsafe {
        asm!(
            body_asm!(),
            cvr_lo = const CVR & 0xffff, cvr_hi = const CVR >> 16,
            stamps = sym STAMPS,
            out("r0") _, out("r1") _, out("r2") _,
            options(nostack),
        )
    }
}

/// One sample after `k` delay iterations: the interrupted code's readings A
/// and C and the body's B0 and B1.
fn sample(k: u32, taken: bool) -> [u32; 4] {
    STAMPS.set([NOT_RUN; 2]);
    ANCHORING.set(true);
    scs::systick_start(ANCHOR_RELOAD);
    let (a, c): (u32, u32);
    let pend = if taken { 1 << (PROBE_IRQ % 32) } else { 0 };
    // The sample, from the anchor to C; `$inline` is empty when the probe
    // IRQ is taken, its body when calibrating.
    macro_rules! sample_asm {
        ($inline:expr) => {
            concat!(
                "1:\n",
                "b 1b\n",
                "mov {j}, #64\n",
                "3:\n",
                "subs {j}, {j}, #1\n",
                "bne 3b\n",
                "2:\n",
                "subs {k}, {k}, #1\n",
                "nop\n",
                "bpl 2b\n",
                "ldr {a}, [{cvr}]\n",
                "str {pend}, [{ispr}]\n",
                $inline,
                "ldr {c}, [{cvr}]\n",
            )
        };
    }
    if taken {
        // SAFETY: spins until the anchor, then raises the probe IRQ, whose
        // handler preserves every register.
        unsafe {
            asm!(
                sample_asm!(""),
                k = inout(reg) k => _, j = out(reg) _, a = out(reg) a, c = out(reg) c,
                pend = in(reg) pend, cvr = in(reg) CVR, ispr = in(reg) ISPR,
                options(nostack),
            )
        }
    } else {
        // SAFETY: as above, with the body inlined: it writes r0-r2 and STAMPS.
        unsafe {
            asm!(
                sample_asm!(body_asm!()),
                k = inout(reg) k => _, j = out(reg) _, a = out(reg) a, c = out(reg) c,
                pend = in(reg) pend, cvr = in(reg) CVR, ispr = in(reg) ISPR,
                cvr_lo = const CVR & 0xffff, cvr_hi = const CVR >> 16,
                stamps = sym STAMPS,
                out("r0") _, out("r1") _, out("r2") _,
                options(nostack),
            )
        }
    }
    scs::systick_stop();
    if ANCHORING.get() {
        platform::fail!(exit::CHECK, "cost: the SysTick anchor never came");
    }
    let [b0, b1] = STAMPS.get();
    if b0 == NOT_RUN || b1 == NOT_RUN {
        platform::fail!(
            exit::CHECK,
            "cost: the probe body did not run ({a} {b0} {b1} {c})"
        );
    }
    [a, b0, b1, c]
}

/// Instructions from A to B0 and from B1 to C, summed over a full set of
/// phases.
fn distances(taken: bool) -> (u32, u32) {
    let (mut entry, mut exit) = (0, 0);
    for k in 0..INSNS_PER_TICK {
        // SysTick counts down.
        let [a, b0, b1, c] = sample(k, taken);
        entry += a - b0;
        exit += b1 - c;
    }
    (entry, exit)
}

/// Entry and exit cost of [`irq_probe`], taken on [`PROBE_IRQ`]; the
/// calibration and the measurement each run twice and must agree.
pub fn measure() -> Cost {
    scs::enable_irq(PROBE_IRQ, 0);
    let runs = [
        (distances(false), distances(true)),
        (distances(false), distances(true)),
    ];
    if runs[0] != runs[1] {
        platform::fail!(exit::CHECK, "cost differs between repetitions: {runs:?}");
    }
    let (cal, taken) = runs[0];
    Cost {
        entry_insns: taken.0.wrapping_sub(cal.0),
        exit_insns: taken.1.wrapping_sub(cal.1),
    }
}
