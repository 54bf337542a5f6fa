//! `extern "aarch64-interrupt"` without a frame: a storm of generic-timer
//! IRQs against the register torture at EL1, some of them nested (see
//! `storm::nest_window`).

use interrupt_abi::aarch64::Vector;
use interrupt_abi::interrupt;

use crate::report::Checks;
use crate::scenario::fp_env;
use crate::sysreg::mrs;
use crate::timer::Timer;
use crate::torture::Torture;
use crate::{clobber, cost, gic, storm, vectors};

/// The storm's handler: acknowledge, count and re-arm, maybe let a nested
/// interrupt in, clobber.
#[interrupt]
extern "aarch64-interrupt" fn irq() {
    fp_env::expect_default();
    storm::struck(mrs!("elr_el1"));
    let intid = gic::acknowledge();
    let (timer, taken) = storm::timer_taken(intid);
    if timer == Timer::Virtual && taken % storm::NEST_EVERY == 0 {
        storm::nest_window();
    }
    gic::end(intid);
    clobber::caller_saved(storm::total());
}

/// Same ABI and shape as `irq`, body replaced by the cost probe.
#[interrupt]
extern "aarch64-interrupt" fn irq_probe() {
    cost::irq_probe_body();
}

pub fn run() {
    let cost = cost::irq(irq_probe);

    vectors::install_el1(&[(Vector::CurrentSpxIrq, irq)]);
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
    checks.report(&[
        &[
            ("abi", &"aarch64-interrupt"),
            ("scenario", &"irq-storm"),
            ("handler", &"irq"),
            ("gic", &gic::version()),
            ("interrupts", &tally.total()),
            ("in_torture", &tally.in_torture),
            ("virtual", &tally.taken[0]),
            ("physical", &tally.taken[1]),
            ("raised", &(tally.raised[0] + tally.raised[1])),
            ("max_late_ticks", &tally.max_late),
            ("windows", &tally.windows),
            ("nested", &tally.nested),
            ("checks", &(torture.checks + tally.window_checks)),
        ],
        &cost::Cost::fields(&cost),
    ]);
}
