//! Devices of QEMU's `virt` board that the scenarios drive: the CLINT
//! (software and timer interrupts per hart) and the test finisher (QEMU's exit
//! status).
//!
//! Both are plain MMIO, so S-mode code (no paging, PMP open) uses them too.

/// Core-local interruptor: MSIP words (4 bytes per hart), `mtimecmp` (8 bytes
/// per hart) and the shared `mtime`, which counts at 10 MHz. Under
/// `-icount shift=0` one instruction takes 1 ns, so a tick is 100 instructions.
const CLINT_MSIP: usize = 0x0200_0000;
const CLINT_MTIMECMP: usize = 0x0200_4000;
const CLINT_MTIME: usize = 0x0200_BFF8;

/// Address of hart 0's MSIP word, for assembly that raises it directly.
pub const MSIP0: usize = CLINT_MSIP;

/// SiFive test finisher: a 32-bit write ends QEMU.
const TEST_FINISHER: usize = 0x0010_0000;
const FINISHER_PASS: u32 = 0x5555;
const FINISHER_FAIL: u32 = 0x3333;

/// Exit statuses, so a failed run says at a glance what went wrong.
pub mod exit {
    pub const PANIC: u16 = 1;
    pub const UNEXPECTED_TRAP: u16 = 2;
    pub const TORTURE: u16 = 3;
    pub const WATCHDOG: u16 = 4;
    pub const CHECK: u16 = 5;
}

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

/// Prints `FAIL: <message>` and ends the run with exit status `code`.
macro_rules! fail {
    ($code:expr, $($arg:tt)*) => {{
        println!("FAIL: {}", format_args!($($arg)*));
        $crate::platform::exit_failure($code)
    }};
}
pub(crate) use fail;

fn msip(hart: usize) -> *mut u32 {
    (CLINT_MSIP + 4 * hart) as *mut u32
}

/// Sets (`true`) or clears the machine software interrupt of `hart`.
pub fn set_software_interrupt(hart: usize, pending: bool) {
    // SAFETY: MSIP word of a hart of `virt`; only bit 0 is writable.
    unsafe { msip(hart).write_volatile(u32::from(pending)) };
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

/// Programs `mtimecmp` of `hart`: its timer interrupt is pending while
/// `mtime >= deadline`.
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

/// Current `mtimecmp` of `hart`.
pub fn timer(hart: usize) -> u64 {
    let lo = (CLINT_MTIMECMP + 8 * hart) as *const u32;
    let hi = (CLINT_MTIMECMP + 8 * hart + 4) as *const u32;
    // SAFETY: mtimecmp's MMIO words of a hart of `virt`; only its own hart
    // writes them, so the halves cannot change in between.
    unsafe { (u64::from(hi.read_volatile()) << 32) | u64::from(lo.read_volatile()) }
}

/// Never: parks a hart's timer.
pub const NEVER: u64 = u64::MAX;
