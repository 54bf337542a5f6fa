//! The ARMv7 generic timer's physical (PPI 30) and virtual (PPI 27) timers,
//! through CP15.
//!
//! QEMU 7.2 runs the counter at 62.5 MHz (16 ns a tick); under `-icount
//! shift=0` one instruction takes 1 ns, so a tick is 16 instructions. Writing
//! a timer's TVAL sets its deadline that many ticks ahead and, with the
//! timer enabled, deasserts its (level) interrupt until then.

use core::arch::asm;

/// CNTx_CTL bits.
const ENABLE: u32 = 1;
const IMASK: u32 = 2;

/// One of the two timers.
#[derive(Debug, Clone, Copy)]
pub enum Timer {
    Physical,
    Virtual,
}

impl Timer {
    /// Interrupts `ticks` ticks from now (and not again until re-armed or
    /// stopped: the handler re-arms or stops it).
    #[instruction_set(arm::a32)]
    pub fn arm(self, ticks: u32) {
        // SAFETY: writes the timer's TVAL and CTL.
        unsafe {
            match self {
                Timer::Physical => asm!(
                    "mcr p15, 0, {t}, c14, c2, 0",
                    "mcr p15, 0, {c}, c14, c2, 1",
                    t = in(reg) ticks, c = in(reg) ENABLE,
                    options(nostack, preserves_flags),
                ),
                Timer::Virtual => asm!(
                    "mcr p15, 0, {t}, c14, c3, 0",
                    "mcr p15, 0, {c}, c14, c3, 1",
                    t = in(reg) ticks, c = in(reg) ENABLE,
                    options(nostack, preserves_flags),
                ),
            }
        }
    }

    /// Stops the timer and masks its interrupt.
    #[instruction_set(arm::a32)]
    pub fn stop(self) {
        // SAFETY: writes the timer's CTL.
        unsafe {
            match self {
                Timer::Physical => asm!(
                    "mcr p15, 0, {c}, c14, c2, 1",
                    c = in(reg) IMASK,
                    options(nostack, preserves_flags),
                ),
                Timer::Virtual => asm!(
                    "mcr p15, 0, {c}, c14, c3, 1",
                    c = in(reg) IMASK,
                    options(nostack, preserves_flags),
                ),
            }
        }
    }
}

/// The physical count (CNTPCT), 62.5 MHz.
#[instruction_set(arm::a32)]
pub fn now() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: reads CNTPCT.
    unsafe {
        asm!(
            "isb",
            "mrrc p15, 0, {lo}, {hi}, c14",
            lo = out(reg) lo, hi = out(reg) hi,
            options(nomem, nostack, preserves_flags),
        )
    };
    u64::from(hi) << 32 | u64::from(lo)
}
