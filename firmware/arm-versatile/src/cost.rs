//! Entry and exit cost of the IRQ, FIQ (and System-mode IRQ) entries:
//! counted from the code (`arm_common::cost::scan`) and confirmed by
//! measuring, deterministically, under `-icount shift=0`.
//!
//! The ARM926 and ARM1176 have no instruction counter QEMU models, but
//! under `-icount shift=0` its virtual clock advances exactly 1 ns per
//! instruction, so SP804 timer 1 (1 MHz) counts instructions in thousands.
//! Two A32 loops of [`ITERATIONS`] rounds each are timed:
//!
//! ```text
//! taken:      raise the VIC software line                 (IRQs unmasked)
//!               ── exception ──▶ ENTRY ──▶ body: clear the line; bx lr ──▶ EXIT
//! calibrate:  raise the VIC software line; clear the line (IRQs masked)
//! ```
//!
//! The probe handler's body is the three instructions that clear the line
//! (one `asm!` block), the frame-pointer prologue the target's code always
//! has, and its return; the calibration loop inlines the same three. The
//! difference of the two loops' times, divided by the rounds, is therefore
//! entry + exit + (body - 1 - 3) per interrupt (the body's return is part of
//! the exit), to within 2000/ITERATIONS instructions, and it must equal the
//! static counts (`scan`, `body_insns`). Where in the loop QEMU delivers the
//! interrupt does not matter: each round takes exactly one.

use core::arch::{asm, naked_asm};
use core::fmt::Display;

use arm_common::cost::{self, Static};
use arm_common::cpu;
use arm_common::report::Checks;
use arm_common::rt::{self, Vector};
use arm_common::scenario::EntryCost;
use interrupt_abi::interrupt;

use crate::sp804::{CLOCK_VALUE_ADDR, Clock};
use crate::vic::{self, SOFTINT_ADDR, SOFTINTCLEAR_ADDR, line};

/// Rounds per loop: 2 ticks of uncertainty become 0.1 instruction.
const ITERATIONS: u32 = 20_000;

/// The probe body: clear the software line, with r0 and r1 only.
macro_rules! clear_soft_line {
    () => {
        "ldr r0, ={clear}\nmovs r1, #{bit}\nstr r1, [r0]"
    };
}

#[inline(always)]
fn probe_body() {
    // SAFETY: writes the VIC's SOFTINTCLEAR.
    unsafe {
        asm!(
            clear_soft_line!(),
            clear = const SOFTINTCLEAR_ADDR,
            bit = const 1 << line::SOFT,
            out("r0") _, out("r1") _,
            options(nostack),
        )
    }
}

#[interrupt]
extern "arm-interrupt-irq" fn irq_probe() {
    probe_body();
}

#[interrupt]
unsafe extern "arm-interrupt-fiq" fn fiq_probe() {
    probe_body();
}

#[cfg(arm_v6)]
#[interrupt]
extern "arm-interrupt-irq-system" fn irq_system_probe() {
    probe_body();
}

/// Times `rounds` rounds of raising the software line, with the probe
/// body inlined if `inline` is non-zero; returns elapsed ticks.
#[unsafe(naked)]
#[instruction_set(arm::a32)]
extern "C" fn timed_loop(rounds: u32, inline: u32) -> u32 {
    naked_asm!(
        "push {{r4-r7, lr}}",
        "sub sp, sp, #4",
        "mov r4, r0",
        "ldr r6, ={clock}",
        "ldr r7, [r6]",
        "cmp r1, #0",
        "bne 3f",
        "1:",
        "ldr r0, ={raise}",
        "movs r1, #{bit}",
        "str r1, [r0]",
        "subs r4, r4, #1",
        "bne 1b",
        "b 4f",
        "3:",
        "ldr r0, ={raise}",
        "movs r1, #{bit}",
        "str r1, [r0]",
        clear_soft_line!(),
        "subs r4, r4, #1",
        "bne 3b",
        "4:",
        "ldr r0, [r6]",
        // The clock counts down.
        "sub r0, r7, r0",
        "add sp, sp, #4",
        "pop {{r4-r7, lr}}",
        "bx lr",
        ".ltorg",
        clock = const CLOCK_VALUE_ADDR,
        raise = const SOFTINT_ADDR,
        clear = const SOFTINTCLEAR_ADDR,
        bit = const 1 << line::SOFT,
    )
}

/// The static count of an entry and what the timer measured.
pub struct Measured {
    pub counted: Option<Static>,
    /// The probe body's instructions, return included.
    pub body: Option<u32>,
    /// Entry plus exit, in thousandths of an instruction.
    pub milli_insns: u64,
}

impl Measured {
    /// The measurement rounded to whole instructions.
    pub fn roundtrip(&self) -> u64 {
        (self.milli_insns + 500) / 1000
    }

    /// Checks the measurement is a whole number and agrees with the count.
    pub fn check(&self, checks: &mut Checks, handler: &str) {
        let (Some(counted), Some(body)) = (self.counted, self.body) else {
            checks.expect(
                false,
                format_args!("{handler}: unexpected trampoline shape"),
            );
            return;
        };
        let off = self.milli_insns.abs_diff(self.roundtrip() * 1000);
        // The calibration inlined three of the body's instructions; its
        // return is counted in the exit.
        let sum = u64::from(counted.entry_insns + counted.exit_insns + body - 4);
        checks.expect(
            off <= 150 && self.roundtrip() == sum,
            format_args!(
                "{handler}: measured {}.{:03} instructions per interrupt, counted {sum}",
                self.milli_insns / 1000,
                self.milli_insns % 1000
            ),
        );
    }

    /// `(key, value)` pairs for a report line.
    pub fn fields(&self) -> [(&'static str, &dyn Display); 3] {
        const NONE: u32 = 0;
        match &self.counted {
            Some(c) => [
                ("entry_insns", &c.entry_insns),
                ("exit_insns", &c.exit_insns),
                ("measured_roundtrip_milli_insns", &self.milli_insns),
            ],
            None => [
                ("entry_insns", &NONE),
                ("exit_insns", &NONE),
                ("measured_roundtrip_milli_insns", &self.milli_insns),
            ],
        }
    }
}

/// Measures the probe handler at `entry`, installed at `vector`, the
/// software line routed to FIQ if `fiq`.
fn measure(entry: usize, vector: Vector, fiq: bool) -> Measured {
    let _clock = Clock::start();
    rt::install(vector, entry);
    let soft = 1 << line::SOFT;
    if fiq {
        vic::configure(0, soft);
    } else {
        vic::configure(soft, 0);
    }
    let calibrate = timed_loop(ITERATIONS, 1);
    cpu::enable_interrupts(true);
    let taken = timed_loop(ITERATIONS, 0);
    cpu::disable_interrupts();
    vic::reset();
    rt::install_defaults();
    let milli = u64::from(taken.wrapping_sub(calibrate)) * 1_000_000 / u64::from(ITERATIONS);
    Measured {
        counted: cost::scan(entry),
        body: cost::body_insns(entry),
        milli_insns: milli,
    }
}

pub fn irq() -> Measured {
    measure(irq_probe.addr(), Vector::Irq, false)
}

pub fn fiq() -> Measured {
    measure(fiq_probe.addr(), Vector::Fiq, true)
}

#[cfg(arm_v6)]
pub fn irq_system() -> Measured {
    measure(irq_system_probe.addr(), Vector::Irq, false)
}

/// For the shared scenarios' reports.
impl EntryCost for Measured {
    type Fields<'a> = [(&'static str, &'a dyn Display); 3];

    fn check(&self, checks: &mut Checks, handler: &str) {
        Measured::check(self, checks, handler);
    }

    fn fields(&self) -> Self::Fields<'_> {
        Measured::fields(self)
    }
}
