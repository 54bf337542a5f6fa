//! Devices of QEMU's `virt` board that the scenarios drive: the CLINT
//! (software and timer interrupts per hart) and the test finisher (QEMU's exit
//! status).
//!
//! Both are plain MMIO, so S-mode code (no paging, PMP open) uses them too.

/// Core-local interruptor: MSIP words (4 bytes per hart) and `mtimecmp` (8
/// bytes per hart); `mtime`, which counts at 10 MHz, is read through the
/// `time` CSR. Under `-icount shift=0` one instruction takes 1 ns, so a tick
/// is 100 instructions.
const CLINT_MSIP: usize = 0x0200_0000;
const CLINT_MTIMECMP: usize = 0x0200_4000;

use fw_common::Shared;

/// Address of hart 0's MSIP word, for assembly that raises it directly.
pub const MSIP0: usize = CLINT_MSIP;

/// SiFive test finisher: a 32-bit write ends QEMU.
const TEST_FINISHER: usize = 0x0010_0000;
const FINISHER_PASS: u32 = 0x5555;
const FINISHER_FAIL: u32 = 0x3333;

/// Exit statuses, shared by every board.
pub use fw_common::exit;

/// Ends the QEMU run with exit status 0.
pub fn exit_success() -> ! {
    finish(FINISHER_PASS)
}

/// Ends the QEMU run with exit status `code` (0 is turned into 1, so that a
/// failure never looks like a pass).
pub fn exit_failure(code: u32) -> ! {
    // The finisher takes a 16-bit status in the upper half.
    finish(((code.max(1) & 0xffff) << 16) | FINISHER_FAIL)
}

fn finish(value: u32) -> ! {
    // SAFETY: TEST_FINISHER is the finisher's MMIO register on `virt`.
    unsafe { (TEST_FINISHER as *mut u32).write_volatile(value) };
    // QEMU stops at the write; never fall through if it somehow does not.
    loop {
        core::hint::spin_loop();
    }
}

/// Hart 0's scenario code: prints `FAIL: <message>` where no interrupt can
/// reach it (see [`quietly`]) and ends the run with exit status `code`.
macro_rules! fail {
    ($code:expr, $($arg:tt)*) => {
        $crate::platform::quietly(&|| {
            println!("FAIL: {}", format_args!($($arg)*));
            $crate::platform::exit_failure($code)
        })
    };
}

/// The same for M-mode code that is not hart 0's scenario code (hart 1, trap
/// vectors): masks M-mode interrupts, prints, exits.
macro_rules! fail_in_m {
    ($code:expr, $($arg:tt)*) => {{
        $crate::csr::csr_clear!("mstatus", $crate::csr::MSTATUS_MIE);
        println!("FAIL: {}", format_args!($($arg)*));
        $crate::platform::exit_failure($code)
    }};
}
pub(crate) use {fail, fail_in_m};

/// Whether hart 0 runs its scenario in S-mode (set by the supervisor
/// scenario before it leaves M-mode).
pub static SUPERVISOR: Shared<bool> = Shared::new(false);

/// A diverging closure the M-mode shim runs for S-mode, type-erased.
#[derive(Clone, Copy)]
struct Quiet {
    run: unsafe fn(*const ()) -> !,
    closure: *const (),
}

// SAFETY: only hart 0 sets and takes it.
unsafe impl Send for Quiet {}

static QUIET: Shared<Option<Quiet>> = Shared::new(None);

/// Runs `report` (which prints a failure and exits; should it return, the run
/// fails all the same) where no interrupt can
/// reach it. A broken entry corrupts whatever code the next interrupt
/// strikes, the failure report included, which then prints garbage or hangs
/// instead of saying what failed. In M-mode, masking `mstatus.MIE` suffices;
/// in S-mode machine interrupts cannot be masked, so `report` runs in M-mode,
/// inside the shim's `ecall` handler, where they are masked by the trap.
pub fn quietly<F: Fn()>(report: &F) -> ! {
    unsafe fn run<F: Fn()>(closure: *const ()) -> ! {
        // SAFETY: `closure` is the `&F` that `quietly` stored; the S-mode
        // stack it lives on is still intact while the shim runs.
        unsafe { (*closure.cast::<F>())() };
        exit_failure(exit::CHECK)
    }
    if SUPERVISOR.get() {
        QUIET.set(Some(Quiet {
            run: run::<F>,
            closure: (report as *const F).cast(),
        }));
        // SAFETY: the shim's `ecall` branch runs the request and never returns.
        unsafe { core::arch::asm!("ecall", options(noreturn)) }
    }
    crate::csr::csr_clear!("mstatus", crate::csr::MSTATUS_MIE);
    report();
    exit_failure(exit::CHECK)
}

/// For the M-mode shim's `ecall` branch: runs a pending [`quietly`] request.
pub fn run_quiet_request() {
    if let Some(quiet) = QUIET.get() {
        // SAFETY: set by `quietly` just before its `ecall`.
        unsafe { (quiet.run)(quiet.closure) }
    }
}

fn msip(hart: usize) -> *mut u32 {
    (CLINT_MSIP + 4 * hart) as *mut u32
}

/// Sets (`true`) or clears the machine software interrupt of `hart`.
pub fn set_software_interrupt(hart: usize, pending: bool) {
    // SAFETY: MSIP word of a hart of `virt`; only bit 0 is writable.
    unsafe { msip(hart).write_volatile(u32::from(pending)) };
}

/// Current `mtime`, through the `time` CSR (S-mode needs `mcounteren.TM`).
/// A CSR read is much cheaper than an MMIO read under `-icount`: QEMU knows
/// at translation time that it must end the translation block there.
#[cfg(target_pointer_width = "64")]
pub fn mtime() -> u64 {
    crate::csr::csr_read!("time") as u64
}

/// Current `mtime`, through the `time`/`timeh` CSRs.
#[cfg(target_pointer_width = "32")]
pub fn mtime() -> u64 {
    use crate::csr::csr_read;
    // Retry if the high half moved (a carry) between the reads.
    loop {
        let (h1, l, h2) = (csr_read!("timeh"), csr_read!("time"), csr_read!("timeh"));
        if h1 == h2 {
            return ((h1 as u64) << 32) | l as u64;
        }
    }
}

/// Programs `mtimecmp` of `hart`: its timer interrupt is pending while
/// `mtime >= deadline`.
#[cfg(target_pointer_width = "64")]
pub fn set_timer(hart: usize, deadline: u64) {
    // SAFETY: mtimecmp of a hart of `virt`, which takes 64-bit accesses.
    unsafe { ((CLINT_MTIMECMP + 8 * hart) as *mut u64).write_volatile(deadline) };
}

/// Programs `mtimecmp` of `hart`: its timer interrupt is pending while
/// `mtime >= deadline`.
#[cfg(target_pointer_width = "32")]
pub fn set_timer(hart: usize, deadline: u64) {
    let lo = (CLINT_MTIMECMP + 8 * hart) as *mut u32;
    let hi = (CLINT_MTIMECMP + 8 * hart + 4) as *mut u32;
    // Written in halves, so no intermediate value may lie in the past and
    // fire a spurious interrupt: park the low half at its maximum first.
    // SAFETY: mtimecmp's MMIO words of a hart of `virt`.
    unsafe {
        lo.write_volatile(u32::MAX);
        hi.write_volatile((deadline >> 32) as u32);
        lo.write_volatile(deadline as u32);
    }
}

/// Never: parks a hart's timer.
pub const NEVER: u64 = u64::MAX;
