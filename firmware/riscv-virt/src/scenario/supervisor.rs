//! `extern "riscv-interrupt-s"`: the torture runs in S-mode while supervisor
//! timer and software interrupts, delegated through `mideleg`, arrive.
//!
//! Debian packages no 32-bit OpenSBI, so a small M-mode shim of our own plays
//! the SBI's part (itself an `extern "riscv-interrupt-m"` handler, so its
//! entry is under test too):
//!
//! - machine timer → masks `MTIE` and sets `STIP`; the S handler then asks
//!   for its next deadline with `ecall` (the shim programs `mtimecmp`, clears
//!   `STIP` and unmasks `MTIE`), as with SBI's `set_timer`;
//! - machine software interrupt from hart 1 → clears MSIP and sets `SSIP`,
//!   like an SBI IPI, so supervisor software interrupts land at arbitrary
//!   points of the S-mode code.
//!
//! The cost probe raises `SSIP` from S-mode directly (`csrsi sip, SSIP`), so
//! it measures the S entry alone. With an FPU a second storm follows in which
//! S-mode keeps it off (`sstatus.FS` = Off). This scenario runs last: it
//! ends the run from S-mode (the test finisher is plain MMIO) instead of
//! returning to M.

use core::arch::asm;

use interrupt_abi::interrupt;

use crate::csr::{self, csr_clear, csr_read, csr_set, csr_write};
use crate::platform::{self, NEVER};
use crate::report::Checks;
use crate::torture::Torture;
use crate::{clobber, cost, fp_env, generator, rt, storm};
use fw_common::Shared;

/// The deadline S-mode asks the shim for, passed through memory (the shim's
/// body cannot see the `ecall`er's registers).
static TIMER_REQUEST: Shared<u64> = Shared::new(NEVER);
/// Interrupts and calls the shim forwarded.
static FORWARDED: Shared<usize> = Shared::new(0);

/// The M-mode shim.
#[interrupt]
extern "riscv-interrupt-m" fn machine_shim() {
    let cause = csr_read!("mcause");
    match cause {
        csr::CAUSE_MTI => {
            csr_clear!("mie", csr::IP_MTIP);
            csr_set!("mip", csr::IP_STIP);
        }
        csr::CAUSE_MSI => {
            platform::set_software_interrupt(0, false);
            csr_set!("mip", csr::IP_SSIP);
        }
        csr::CAUSE_ECALL_S => {
            platform::run_quiet_request();
            csr_write!("mepc", csr_read!("mepc") + 4);
            platform::set_timer(0, TIMER_REQUEST.get());
            csr_clear!("mip", csr::IP_STIP);
            csr_set!("mie", csr::IP_MTIP);
        }
        _ => rt::unexpected_trap("M", cause, csr_read!("mepc"), csr_read!("mtval")),
    }
    let forwarded = FORWARDED.increment();
    clobber::caller_saved(forwarded);
}

/// The storm's S-mode handler.
#[interrupt]
extern "riscv-interrupt-s" fn supervisor_trap() {
    fp_env::body_start();
    let cause = csr_read!("scause");
    storm::struck(csr_read!("sepc"));
    match cause {
        csr::CAUSE_STI => set_timer(storm::timer_taken()),
        csr::CAUSE_SSI => {
            csr_clear!("sip", csr::IP_SSIP);
            storm::software_taken();
        }
        _ => rt::unexpected_trap("S", cause, csr_read!("sepc"), csr_read!("stval")),
    }
    clobber::caller_saved(storm::total());
}

/// Same ABI and shape as `supervisor_trap`, body replaced by the cost probe.
#[interrupt]
extern "riscv-interrupt-s" fn supervisor_probe() {
    cost::supervisor_probe_body();
}

/// S-mode's `set_timer` call into the shim.
fn set_timer(deadline: u64) {
    TIMER_REQUEST.set(deadline);
    // SAFETY: the shim preserves every register and returns past the ecall.
    unsafe { asm!("ecall", options(nostack)) };
}

/// Sets up delegation and the shim, then drops to S-mode; never returns.
pub fn run() -> ! {
    // PMP: with no entry set, S-mode may access nothing. One NAPOT entry
    // covering the whole address space opens everything.
    csr_write!("pmpaddr0", usize::MAX);
    csr_write!("pmpcfg0", 0x1f);
    csr_write!("mtvec", machine_shim.addr());
    csr_write!("medeleg", 0);
    csr_write!("mideleg", csr::IP_SSIP | csr::IP_STIP);
    csr_write!("mcounteren", csr::MCOUNTEREN_CY_TM_IR);
    // M-level interrupts are always enabled while the hart is in S-mode;
    // `mie` selects which (MTIE only while a deadline is requested).
    csr_write!("mie", csr::IP_MSIP);
    csr_clear!("mstatus", csr::MSTATUS_MPP | csr::MSTATUS_MIE);
    csr_set!("mstatus", csr::MSTATUS_MPP_S);
    csr_write!("mepc", supervisor_main as *const () as usize);
    platform::SUPERVISOR.set(true);
    // SAFETY: `mret` continues in S-mode at `supervisor_main`, on this stack.
    unsafe { asm!("mret", options(noreturn)) }
}

extern "C" fn supervisor_main() -> ! {
    storm(false);
    // With an FPU, again with S-mode keeping it off (`sstatus.FS` = Off, the
    // same field as `mstatus.FS`): both the S handler's entry and the M
    // shim's run with it off.
    #[cfg(fpu)]
    {
        csr_clear!("sstatus", fp_env::FS_MASK);
        storm(true);
        csr_set!("sstatus", csr::MSTATUS_FS_INITIAL);
    }
    platform::exit_success()
}

/// One storm in S-mode; `fs_off`: the caller has switched the FPU off.
fn storm(fs_off: bool) {
    csr_write!("stvec", supervisor_trap.addr());
    fp_env::begin(fs_off);
    FORWARDED.set(0);
    csr_write!("sie", csr::IP_SSIP | csr::IP_STIP);
    // Wider than in M-mode: each timer interrupt costs three traps here
    // (shim, S handler, its `ecall`) and each of hart 1's software
    // interrupts two; at 3-6 ticks the handlers left the torture almost no
    // time, and a few more instructions per body starved it completely.
    set_timer(storm::begin(6, 4));
    generator::start(true, || csr_set!("sstatus", csr::MSTATUS_SIE));
    let mut torture = Torture::with_fs_off(fs_off);
    torture.run_until(|| storm::total() >= storm::INTERRUPTS);
    let (tally, raised) = storm::wind_down(|| set_timer(NEVER));
    csr_clear!("sstatus", csr::MSTATUS_SIE);
    let cost = cost::supervisor(supervisor_probe.addr());

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
    let forwarded = FORWARDED.get();
    checks.report(&[
        &[
            ("abi", &"riscv-interrupt-s"),
            ("scenario", if fs_off { &"storm-fs-off" } else { &"storm" }),
            ("handler", &"supervisor_trap"),
            ("interrupts", &(tally.timer + tally.software)),
            ("in_torture", &tally.in_torture),
            ("timer", &tally.timer),
            ("software", &tally.software),
            ("raised", &raised),
            ("forwarded_by_m_shim", &forwarded),
            ("max_late_ticks", &tally.max_late),
            ("checks", &torture.checks),
        ],
        &cost.fields(),
    ]);
}
