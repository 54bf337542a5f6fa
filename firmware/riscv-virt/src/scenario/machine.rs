//! `extern "riscv-interrupt-m"`: a storm of CLINT timer interrupts (re-armed
//! by the handler) and software interrupts (raised by hart 1) against the
//! register torture running in M-mode; with an FPU, a second storm whose
//! interrupted code keeps it off (`mstatus.FS` = Off), as kernels with lazy
//! FP switching and firmware that never uses FP do.

use interrupt_abi::interrupt;

use crate::csr::{self, csr_clear, csr_read, csr_set, csr_write};
use crate::platform::{self, NEVER};
use crate::report::Checks;
use crate::torture::Torture;
use crate::{clobber, cost, fp_env, generator, rt, storm};

/// The storm's handler: one entry for both interrupts, dispatching on `mcause`.
#[interrupt]
extern "riscv-interrupt-m" fn machine_trap() {
    fp_env::body_start();
    let cause = csr_read!("mcause");
    storm::struck(csr_read!("mepc"));
    match cause {
        csr::CAUSE_MTI => platform::set_timer(0, storm::timer_taken()),
        csr::CAUSE_MSI => {
            platform::set_software_interrupt(0, false);
            storm::software_taken();
        }
        _ => rt::unexpected_trap("M", cause, csr_read!("mepc"), csr_read!("mtval")),
    }
    clobber::caller_saved(storm::total());
}

/// Same ABI and shape as `machine_trap`, body replaced by the cost probe.
#[interrupt]
extern "riscv-interrupt-m" fn machine_probe() {
    cost::machine_probe_body();
}

pub fn run() {
    storm(false);
    #[cfg(fpu)]
    {
        csr_clear!("mstatus", fp_env::FS_MASK);
        storm(true);
        csr_set!("mstatus", csr::MSTATUS_FS_INITIAL);
    }
}

/// One storm; `fs_off`: the caller has switched the FPU off.
fn storm(fs_off: bool) {
    csr_write!("mtvec", machine_trap.addr());
    fp_env::begin(fs_off);
    platform::set_timer(0, storm::begin(2, 4));
    generator::start(true, || {
        csr_write!("mie", csr::IP_MTIP | csr::IP_MSIP);
        csr_set!("mstatus", csr::MSTATUS_MIE);
    });
    let mut torture = Torture::with_fs_off(fs_off);
    torture.run_until(|| storm::total() >= storm::INTERRUPTS);
    let (tally, raised) = storm::wind_down(|| platform::set_timer(0, NEVER));
    csr_clear!("mstatus", csr::MSTATUS_MIE);
    csr_write!("mie", 0);

    // After the storm, whose handler and hart 1 turn a broken entry into a
    // message rather than a hang.
    let cost = cost::machine(machine_probe.addr());

    let mut checks = Checks::new();
    storm::check(&mut checks, &tally, 0);
    fp_env::check(&mut checks);
    checks.expect(
        tally.software == raised,
        format_args!(
            "hart 1 raised {raised} software interrupts, {} taken",
            tally.software
        ),
    );
    checks.report(&[
        &[
            ("abi", &"riscv-interrupt-m"),
            ("scenario", if fs_off { &"storm-fs-off" } else { &"storm" }),
            ("handler", &"machine_trap"),
            ("interrupts", &(tally.timer + tally.software)),
            ("in_torture", &tally.in_torture),
            ("timer", &tally.timer),
            ("software", &tally.software),
            ("raised", &raised),
            ("max_late_ticks", &tally.max_late),
            ("checks", &torture.checks),
        ],
        &cost.fields(),
    ]);
}
