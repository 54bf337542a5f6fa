//! Devices of QEMU's `virt` board that tests drive: the CLINT (software and
//! timer interrupts of hart 0) and the test finisher (QEMU's exit status).
//!
//! Interrupt tests go here: install a handler in `mtvec`, enable it in `mie`
//! and `mstatus.MIE`, then raise it with [`raise_software_interrupt`] or
//! [`set_timer`].

use crate::csr::{self, csr_read};

/// Core-local interruptor, hart 0.
const CLINT_MSIP: usize = 0x0200_0000;
const CLINT_MTIMECMP: usize = 0x0200_4000;
/// `mtime` counts at 10 MHz on `virt`.
const CLINT_MTIME: usize = 0x0200_BFF8;

/// SiFive test finisher: a 32-bit write ends QEMU.
const TEST_FINISHER: usize = 0x0010_0000;
const FINISHER_PASS: u32 = 0x5555;
const FINISHER_FAIL: u32 = 0x3333;

/// Ends the QEMU run with exit status 0.
pub fn exit_success() -> ! {
    finish(FINISHER_PASS)
}

/// Ends the QEMU run with exit status `code` (0 is turned into 1, so that a
/// failure never looks like a pass).
pub fn exit_failure(code: u16) -> ! {
    finish((u32::from(code.max(1)) << 16) | FINISHER_FAIL)
}

fn finish(value: u32) -> ! {
    // SAFETY: TEST_FINISHER is the finisher's MMIO register on `virt`.
    unsafe { (TEST_FINISHER as *mut u32).write_volatile(value) };
    // QEMU stops at the write; never fall through if it somehow does not.
    loop {
        core::hint::spin_loop();
    }
}

/// Sets (`true`) or clears the machine software interrupt pending bit (MSIP).
pub fn raise_software_interrupt(pending: bool) {
    // SAFETY: msip of hart 0; only bit 0 is writable.
    unsafe { (CLINT_MSIP as *mut u32).write_volatile(u32::from(pending)) };
}

/// Current `mtime`.
pub fn mtime() -> u64 {
    let lo = CLINT_MTIME as *const u32;
    let hi = (CLINT_MTIME + 4) as *const u32;
    // A 32-bit hart reads the halves separately: retry if the high half moved
    // (a carry) between the reads. One loop serves RV32 and RV64 alike.
    loop {
        // SAFETY: mtime's MMIO words on `virt`.
        let (h1, l, h2) = unsafe { (hi.read_volatile(), lo.read_volatile(), hi.read_volatile()) };
        if h1 == h2 {
            return (u64::from(h1) << 32) | u64::from(l);
        }
    }
}

/// Programs `mtimecmp`: the timer interrupt is pending while `mtime >= deadline`.
pub fn set_timer(deadline: u64) {
    let lo = CLINT_MTIMECMP as *mut u32;
    let hi = (CLINT_MTIMECMP + 4) as *mut u32;
    // Written in halves, so no intermediate value may lie in the past and
    // fire a spurious interrupt: park the low half at its maximum first.
    // SAFETY: mtimecmp's MMIO words of hart 0 on `virt`.
    unsafe {
        lo.write_volatile(u32::MAX);
        hi.write_volatile((deadline >> 32) as u32);
        lo.write_volatile(deadline as u32);
    }
}

/// Checks that the CLINT is where the constants say: `mtime` advances and
/// MSIP/MTIP show up in `mip`. Interrupts stay disabled (`mie` = 0 at reset),
/// so nothing traps.
pub fn self_check() {
    let start = mtime();
    while mtime() == start {}

    raise_software_interrupt(true);
    expect_mip(csr::MIP_MSIP, true, "MSIP set");
    raise_software_interrupt(false);
    expect_mip(csr::MIP_MSIP, false, "MSIP cleared");

    set_timer(0);
    expect_mip(csr::MIP_MTIP, true, "MTIP for a past deadline");
    set_timer(u64::MAX);
    expect_mip(csr::MIP_MTIP, false, "MTIP for a never deadline");
}

fn expect_mip(bit: usize, pending: bool, what: &str) {
    assert_eq!(
        csr_read!("mip") & bit != 0,
        pending,
        "CLINT check failed: {what}"
    );
}
