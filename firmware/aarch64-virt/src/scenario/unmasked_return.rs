//! A storm whose handler body returns with IRQs unmasked, as the docs allow
//! a body to leave them: the entry's exit then runs with interrupts
//! arriving every ~500 instructions.
//!
//! The exit writes ELR_EL1 and SPSR_EL1 back from the frame and ends with
//! `eret`. An IRQ taken between that `msr elr_el1` and the `eret` would
//! overwrite both with its own return state (an address inside the exit,
//! the exit's PSTATE), so the outer `eret` would resume inside the
//! trampoline rather than in the interrupted code. The entry must mask
//! interrupts before it writes them.
//!
//! The handler finds that window in its own entry's code (the first
//! `msr elr_el1, xN` after the `bl` to the body, up to the `eret`) and,
//! first thing in every body, fails the run if ELR says the interrupt
//! struck inside it, naming the instruction: the hit is caught where it
//! happens, not through whatever corruption follows. Interrupts that
//! strike the exit before the window are harmless and counted
//! (`in_exit`); the register torture checks the interrupted code as in
//! the other storms.

use interrupt_abi::aarch64::Vector;
use interrupt_abi::interrupt;

use crate::platform::{self, exit};
use crate::report::Checks;
use crate::scenario::fp_env;
use crate::sysreg::mrs;
use crate::torture::Torture;
use crate::{clobber, gic, storm, vectors};
use fw_common::Shared;

/// Addresses in `irq_unmasked`'s entry: the instruction after the `bl`
/// (the exit's first), the `msr elr_el1` and the `eret`.
static EXIT: Shared<[u64; 3]> = Shared::new([0; 3]);
/// Interrupts taken in the exit before ELR is written.
static IN_EXIT: Shared<u64> = Shared::new(0);

#[interrupt]
extern "aarch64-interrupt" fn irq_unmasked() {
    let elr = mrs!("elr_el1");
    let [exit_start, msr_elr, eret] = EXIT.get();
    if (msr_elr + 4..=eret).contains(&elr) {
        platform::fail!(
            exit::CHECK,
            "IRQ taken at {elr:#x}, between the exit's `msr elr_el1` ({msr_elr:#x}) and its \
             `eret` ({eret:#x}): the interrupted handler's ELR/SPSR are overwritten, its \
             `eret` would resume inside the trampoline (after {} interrupts, {} of them in \
             the exit before the window)",
            storm::total(),
            IN_EXIT.get()
        );
    }
    if (exit_start..msr_elr + 4).contains(&elr) {
        IN_EXIT.increment();
    }
    fp_env::expect_default();
    storm::struck(elr);
    let intid = gic::acknowledge();
    let _ = storm::timer_taken(intid);
    gic::end(intid);
    clobber::caller_saved(storm::total());
    crate::unmask_irqs();
}

/// `bl`, `msr elr_el1, xN`, `eret`.
const BL_MASK: u32 = 0xfc00_0000;
const BL: u32 = 0x9400_0000;
const MSR_ELR_EL1_MASK: u32 = 0xffff_ffe0;
const MSR_ELR_EL1: u32 = 0xd518_4020;
const ERET: u32 = 0xd69f_03e0;

/// Finds the exit of the entry at `entry` (see [`EXIT`]).
fn find_exit(entry: usize) -> [u64; 3] {
    // SAFETY: the entry's code, read as data; it is far shorter than this
    // bound and ends with the `eret` searched for.
    let code = unsafe { core::slice::from_raw_parts(entry as *const u32, 512) };
    let at = |i: usize| (entry + 4 * i) as u64;
    let find =
        |from: usize, mask: u32, insn: u32| (from..code.len()).find(|&i| code[i] & mask == insn);
    let bl = find(0, BL_MASK, BL);
    let msr = bl.and_then(|bl| find(bl, MSR_ELR_EL1_MASK, MSR_ELR_EL1));
    let eret = msr.and_then(|msr| find(msr, !0, ERET));
    match (bl, msr, eret) {
        (Some(bl), Some(msr), Some(eret)) => [at(bl + 1), at(msr), at(eret)],
        _ => platform::fail!(
            exit::CHECK,
            "unmasked-return: no bl/msr elr_el1/eret in the entry at {entry:#x}"
        ),
    }
}

pub fn run() {
    EXIT.set(find_exit(irq_unmasked.addr()));
    IN_EXIT.set(0);
    vectors::install_el1(&[(Vector::CurrentSpxIrq, irq_unmasked)]);
    storm::begin();
    crate::unmask_irqs();
    let mut torture = Torture::new(0);
    torture.run_until(|| {
        storm::watchdog();
        storm::total() >= storm::INTERRUPTS
    });
    let tally = storm::wind_down();
    crate::mask_irqs();

    let mut checks = Checks::new();
    storm::check(&mut checks, &tally);
    checks.report(&[&[
        ("abi", &"aarch64-interrupt"),
        ("scenario", &"unmasked-return"),
        ("handler", &"irq_unmasked"),
        ("gic", &gic::version()),
        ("interrupts", &tally.total()),
        ("in_torture", &tally.in_torture),
        ("returned_unmasked", &tally.total()),
        ("in_exit", &IN_EXIT.get()),
        ("raised", &(tally.raised[0] + tally.raised[1])),
        ("max_late_ticks", &tally.max_late),
        ("checks", &torture.checks),
    ]]);
}
