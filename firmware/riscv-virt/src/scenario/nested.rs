//! `#[interrupt(nested)] extern "riscv-interrupt-m"`: handlers that re-enable
//! interrupts. The timer branch silences its source (re-arms the timer),
//! raises hart 0's own software interrupt, fills every caller-saved register
//! with a known value and sets `mstatus.MIE`: the software interrupt, higher
//! in priority, is taken right there, nested inside the timer handler, and
//! must leave the timer handler's registers (and its `mepc`/`mstatus`, which
//! the nested entry saves) intact. Both branches keep `MIE` set for the rest
//! of their body, so later timer interrupts nest too, at arbitrary points.
//! Hart 1 only keeps the watchdog here: every software interrupt is raised by
//! a timer handler, so the counts must match one to one.

use core::arch::asm;

use interrupt_abi::interrupt;

use crate::csr::{self, csr_clear, csr_read, csr_set, csr_write};
use crate::platform::{self, NEVER, exit};
use crate::report::Checks;
use crate::torture::Torture;
use crate::{clobber, cost, fp_env, generator, rt, storm};
use fw_common::Shared;

/// Handler nesting right now, the deepest seen, and how many software
/// interrupts were taken inside another handler.
static DEPTH: Shared<usize> = Shared::new(0);
static MAX_DEPTH: Shared<usize> = Shared::new(0);
static NESTED: Shared<usize> = Shared::new(0);

/// Deeper than this means interrupts outrun their handlers: fail before the
/// stack does.
const DEPTH_LIMIT: usize = 8;

#[interrupt(nested)]
extern "riscv-interrupt-m" fn nested_trap() {
    fp_env::body_start();
    let depth = DEPTH.get() + 1;
    DEPTH.set(depth);
    MAX_DEPTH.set(MAX_DEPTH.get().max(depth));
    if depth > DEPTH_LIMIT {
        platform::fail!(exit::CHECK, "interrupts nested {depth} deep");
    }
    let cause = csr_read!("mcause");
    storm::struck(csr_read!("mepc"));
    match cause {
        csr::CAUSE_MTI => {
            platform::set_timer(0, storm::timer_taken());
            let before = storm::software();
            platform::set_software_interrupt(0, true);
            if let Some(reg) = registers_across_nested_interrupt() {
                platform::fail!(
                    exit::TORTURE,
                    "x{reg} of the timer handler changed across the nested software interrupt"
                );
            }
            if storm::software() == before {
                platform::fail!(
                    exit::CHECK,
                    "the software interrupt raised in the timer handler did not nest"
                );
            }
        }
        csr::CAUSE_MSI => {
            platform::set_software_interrupt(0, false);
            storm::software_taken();
            if depth >= 2 {
                NESTED.increment();
            }
            csr_set!("mstatus", csr::MSTATUS_MIE);
        }
        _ => rt::unexpected_trap("M", cause, csr_read!("mepc"), csr_read!("mtval")),
    }
    clobber::caller_saved(storm::total());
    DEPTH.set(depth - 1);
}

/// Fills the caller-saved registers with known values, enables interrupts
/// (the pending software interrupt is taken at once) and checks the values
/// afterwards. Returns the first register that changed. Leaves `MIE` set.
#[cfg(not(target_abi = "ilp32e"))]
fn registers_across_nested_interrupt() -> Option<usize> {
    let bad: usize;
    // SAFETY: writes only declared outputs; enabling interrupts is what the
    // nested entry exists for.
    unsafe {
        asm!(
            ".irp n, 1,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31",
            "li x\\n, (0x200 + \\n*37)",
            ".endr",
            "csrsi mstatus, 8",
            "nop",
            ".irp n, 1,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31",
            "addi x\\n, x\\n, -(0x200 + \\n*37)",
            "bnez x\\n, 7\\n\\()f",
            ".endr",
            "j 9f",
            ".irp n, 1,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31",
            "7\\n\\():",
            "li a0, \\n",
            "j 9f",
            ".endr",
            "9:",
            out("ra") _, out("t0") _, out("t1") _, out("t2") _,
            out("a0") bad, out("a1") _, out("a2") _, out("a3") _,
            out("a4") _, out("a5") _, out("a6") _, out("a7") _,
            out("t3") _, out("t4") _, out("t5") _, out("t6") _,
            options(nostack),
        )
    };
    (bad != 0).then_some(bad)
}

#[cfg(target_abi = "ilp32e")]
fn registers_across_nested_interrupt() -> Option<usize> {
    let bad: usize;
    // SAFETY: as above.
    unsafe {
        asm!(
            ".irp n, 1,5,6,7,10,11,12,13,14,15",
            "li x\\n, (0x200 + \\n*37)",
            ".endr",
            "csrsi mstatus, 8",
            "nop",
            ".irp n, 1,5,6,7,10,11,12,13,14,15",
            "addi x\\n, x\\n, -(0x200 + \\n*37)",
            "bnez x\\n, 7\\n\\()f",
            ".endr",
            "j 9f",
            ".irp n, 1,5,6,7,10,11,12,13,14,15",
            "7\\n\\():",
            "li a0, \\n",
            "j 9f",
            ".endr",
            "9:",
            out("ra") _, out("t0") _, out("t1") _, out("t2") _,
            out("a0") bad, out("a1") _, out("a2") _, out("a3") _,
            out("a4") _, out("a5") _,
            options(nostack),
        )
    };
    (bad != 0).then_some(bad)
}

/// Same ABI and shape as `nested_trap`, body replaced by the cost probe.
#[interrupt(nested)]
extern "riscv-interrupt-m" fn nested_probe() {
    cost::machine_probe_body();
}

pub fn run() {
    csr_write!("mtvec", nested_trap.addr());
    fp_env::begin(false);
    // Wider spacing than the plain storm: a timer handler with its nested
    // software interrupt runs about 500 instructions (5 ticks); closer
    // timers would nest ever deeper.
    platform::set_timer(0, storm::begin(6, 8));
    generator::start(false, || {
        csr_write!("mie", csr::IP_MTIP | csr::IP_MSIP);
        csr_set!("mstatus", csr::MSTATUS_MIE);
    });
    let mut torture = Torture::new();
    torture.run_until(|| storm::total() >= storm::INTERRUPTS);
    let (tally, _) = storm::wind_down(|| platform::set_timer(0, NEVER));
    csr_clear!("mstatus", csr::MSTATUS_MIE);
    csr_write!("mie", 0);
    let cost = cost::machine(nested_probe.addr());

    let (nested, max_depth) = (NESTED.get(), MAX_DEPTH.get());
    let mut checks = Checks::new();
    storm::check(&mut checks, &tally, nested);
    fp_env::check(&mut checks);
    checks.expect(
        tally.software == tally.timer,
        format_args!(
            "{} timer interrupts raised as many software interrupts, {} taken",
            tally.timer, tally.software
        ),
    );
    checks.expect(
        nested == tally.software,
        format_args!("{nested} of {} software interrupts nested", tally.software),
    );
    checks.expect(max_depth >= 2, format_args!("nesting depth {max_depth}"));
    checks.report(&[
        &[
            ("abi", &"riscv-interrupt-m"),
            ("scenario", &"nested"),
            ("handler", &"nested_trap"),
            ("interrupts", &(tally.timer + tally.software)),
            ("in_torture", &tally.in_torture),
            ("timer", &tally.timer),
            ("software", &tally.software),
            ("nested", &nested),
            ("max_depth", &max_depth),
            ("max_late_ticks", &tally.max_late),
            ("checks", &torture.checks),
        ],
        &cost.fields(),
    ]);
}
