//! `extern "aarch64-interrupt"` with an `ExceptionFrame`: the IRQ storm
//! again, now with a frame-taking handler, while every torture pass also
//! raises `svc #0x42` and `brk #0x42` (and, when the run started at EL2,
//! calls EL2 with `hvc #0x42`; see `el2`).
//!
//! At those traps every register holds its pattern value, so the synchronous
//! handler can check the whole frame the entry built: x0–x30 against the
//! pattern, ELR at the instruction after the `svc` / at the `brk`, SPSR with
//! the pattern's NZCV, EL1h and IRQs unmasked. It then writes through the
//! frame: inverts x0 and x1 after an `svc` (the torture inverts them back,
//! so a write that did not reach `eret` is a mismatch) and skips the `brk`
//! with `elr += 4`.

use interrupt_abi::aarch64::{ExceptionFrame, Vector};
use interrupt_abi::interrupt;

use crate::platform::{self, exit};
use crate::report::Checks;
use crate::scenario::fp_env;
use crate::sysreg::{ec, exception_class, iss, mrs};
use crate::torture::{self, TRAP_HVC, TRAP_IMM, TRAP_SVC_BRK, Torture};
use crate::{clobber, cost, gic, storm, vectors};
use fw_common::Shared;

static SVCS: Shared<u64> = Shared::new(0);
static BRKS: Shared<u64> = Shared::new(0);
/// Set by each `svc`, cleared by the `brk` that follows it: a `brk` that
/// finds it clear was taken again because `elr += 4` did not reach `eret`.
static BRK_DUE: Shared<bool> = Shared::new(false);
/// Frame fields compared with what they must hold.
static FRAME_CHECKS: Shared<u64> = Shared::new(0);

/// `brk #imm` and `svc #imm` encodings, to check ELR points where it must.
const BRK: u32 = 0xd420_0000;
const SVC: u32 = 0xd400_0001;

/// SPSR.M\[3:0\] = EL1h, and the I bit.
const SPSR_MODE_MASK: u64 = 0xf;
const SPSR_EL1H: u64 = 0x5;
const SPSR_I: u64 = 1 << 7;

/// The storm's IRQ handler, reading where it struck from the frame.
#[interrupt]
extern "aarch64-interrupt" fn irq_frame(f: &ExceptionFrame) {
    fp_env::expect_default();
    // The frame holds what the registers held at entry.
    let (elr, spsr) = (mrs!("elr_el1"), mrs!("spsr_el1"));
    if f.elr != elr || f.spsr != spsr {
        platform::fail!(
            exit::CHECK,
            "IRQ frame: elr={:#x} spsr={:#x}, registers say {elr:#x} {spsr:#x}",
            f.elr,
            f.spsr
        );
    }
    FRAME_CHECKS.set(FRAME_CHECKS.get() + 2);
    storm::struck(f.elr);
    let intid = gic::acknowledge();
    let _ = storm::timer_taken(intid);
    gic::end(intid);
    clobber::caller_saved(storm::total());
}

/// `svc #0x42` and `brk #0x42` from the torture loop.
#[interrupt]
unsafe extern "aarch64-interrupt" fn trap(f: &mut ExceptionFrame) {
    fp_env::expect_default();
    let (class, imm) = (exception_class(f.esr), iss(f.esr) & 0xffff);
    if imm != TRAP_IMM || !torture::contains(f.elr) {
        unexpected(f);
    }
    match class {
        ec::SVC64 => {
            // Preferred return address: the instruction after the `svc`.
            check_frame(f, f.elr - 4, SVC | (imm as u32) << 5);
            f.x[0] = !f.x[0];
            f.x[1] = !f.x[1];
            SVCS.increment();
            BRK_DUE.set(true);
        }
        ec::BRK64 => {
            // The `brk` itself: skip it.
            check_frame(f, f.elr, BRK | (imm as u32) << 5);
            if !BRK_DUE.get() {
                platform::fail!(
                    exit::CHECK,
                    "brk at {:#x} taken again: the handler's `elr += 4` did not take effect",
                    f.elr
                );
            }
            BRK_DUE.set(false);
            f.elr += 4;
            BRKS.increment();
        }
        _ => unexpected(f),
    }
    clobber::caller_saved(SVCS.get());
}

fn unexpected(f: &ExceptionFrame) -> ! {
    platform::fail!(
        exit::UNEXPECTED_EXCEPTION,
        "unexpected synchronous exception: ESR={:#x} ELR={:#x} FAR={:#x}",
        f.esr,
        f.elr,
        f.far
    )
}

/// Checks the frame of a trap taken with every register at its pattern
/// value, raised by the instruction `insn` at `at`.
pub fn check_frame(f: &ExceptionFrame, at: u64, insn: u32) {
    // SAFETY: `at` lies in the torture routine (checked by the caller).
    let found = unsafe { (at as *const u32).read_volatile() };
    let pattern = torture::current_x();
    let bad = (0..31).find(|&n| f.x[n] != pattern[n]);
    let spsr_ok = f.spsr & SPSR_MODE_MASK == SPSR_EL1H
        && f.spsr & SPSR_I == 0
        && f.spsr & (0xf << 28) == torture::current_nzcv();
    if found != insn || bad.is_some() || !spsr_ok {
        if let Some(n) = bad {
            println!(
                "frame: x{n} = {:#x}, the interrupted code held {:#x}",
                f.x[n], pattern[n]
            );
        }
        platform::fail!(
            exit::CHECK,
            "trap frame: instruction {found:#x} at {at:#x} (want {insn:#x}), SPSR {:#x} \
             (want EL1h, IRQs unmasked, NZCV {:#x})",
            f.spsr,
            torture::current_nzcv()
        );
    }
    FRAME_CHECKS.set(FRAME_CHECKS.get() + 33);
}

/// Same ABI and shape as `irq_frame`, body replaced by the cost probe.
#[interrupt]
extern "aarch64-interrupt" fn irq_frame_probe(_f: &ExceptionFrame) {
    cost::irq_probe_body();
}

/// Runs the storm; `hvc` adds the EL2 call to every pass. Returns how many
/// passes trapped (each raised one `svc`, one `brk` and maybe one `hvc`).
pub fn run(hvc: bool) -> u64 {
    let cost = cost::irq(irq_frame_probe);

    vectors::install_el1(&[
        (Vector::CurrentSpxIrq, irq_frame),
        (Vector::CurrentSpxSync, trap),
    ]);
    SVCS.set(0);
    BRKS.set(0);
    BRK_DUE.set(false);
    FRAME_CHECKS.set(0);
    storm::begin();
    crate::unmask_irqs();
    let traps = TRAP_SVC_BRK | if hvc { TRAP_HVC } else { 0 };
    let mut torture = Torture::new(traps);
    torture.run_until(|| {
        storm::watchdog();
        storm::total() >= storm::INTERRUPTS
    });
    let tally = storm::wind_down();
    crate::mask_irqs();

    let (svcs, brks) = (SVCS.get(), BRKS.get());
    let mut checks = Checks::new();
    storm::check(&mut checks, &tally);
    checks.expect(
        svcs == brks && svcs > 0,
        format_args!("{svcs} svc and {brks} brk taken, want as many of each"),
    );
    checks.report(&[
        &[
            ("abi", &"aarch64-interrupt"),
            ("scenario", &"frame-storm"),
            ("handler", &"irq_frame"),
            ("gic", &gic::version()),
            ("interrupts", &tally.total()),
            ("in_torture", &tally.in_torture),
            ("svc", &svcs),
            ("brk", &brks),
            ("raised", &(tally.raised[0] + tally.raised[1])),
            ("max_late_ticks", &tally.max_late),
            ("frame_checks", &FRAME_CHECKS.get()),
            ("checks", &torture.checks),
        ],
        &cost::Cost::fields(&cost),
    ]);
    svcs
}
