//! The EL1 generic timers: virtual (CNTV_*, PPI 27) and physical (CNTP_*,
//! PPI 30). Both count at CNTFRQ (62.5 MHz in QEMU: one tick is 16 ns, so
//! 16 instructions under `-icount shift=0`), and each asserts its
//! level-sensitive interrupt while ENABLE is set, IMASK clear and the
//! counter has reached the compare value (ISTATUS).

use crate::sysreg::{mrs, msr};

/// CNTx_CTL_EL0 bits.
pub const CTL_ENABLE: u64 = 1 << 0;
pub const CTL_ISTATUS: u64 = 1 << 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    Virtual,
    Physical,
}

impl Timer {
    pub const ALL: [Timer; 2] = [Timer::Virtual, Timer::Physical];

    /// Its private peripheral interrupt (INTID) on `virt`.
    pub const fn intid(self) -> u32 {
        match self {
            Timer::Virtual => 27,
            Timer::Physical => 30,
        }
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    /// The counter this timer compares against.
    pub fn now(self) -> u64 {
        match self {
            Timer::Virtual => mrs!("cntvct_el0"),
            Timer::Physical => mrs!("cntpct_el0"),
        }
    }

    pub fn ctl(self) -> u64 {
        match self {
            Timer::Virtual => mrs!("cntv_ctl_el0"),
            Timer::Physical => mrs!("cntp_ctl_el0"),
        }
    }

    pub fn set_ctl(self, ctl: u64) {
        match self {
            Timer::Virtual => msr!("cntv_ctl_el0", ctl),
            Timer::Physical => msr!("cntp_ctl_el0", ctl),
        }
    }

    /// The deadline programmed.
    pub fn cval(self) -> u64 {
        match self {
            Timer::Virtual => mrs!("cntv_cval_el0"),
            Timer::Physical => mrs!("cntp_cval_el0"),
        }
    }

    pub fn set_cval(self, cval: u64) {
        match self {
            Timer::Virtual => msr!("cntv_cval_el0", cval),
            Timer::Physical => msr!("cntp_cval_el0", cval),
        }
    }

    /// Fires `ticks` from now (TVAL: the compare value becomes counter + ticks).
    pub fn arm_in(self, ticks: u64) {
        match self {
            Timer::Virtual => msr!("cntv_tval_el0", ticks),
            Timer::Physical => msr!("cntp_tval_el0", ticks),
        }
        self.set_ctl(CTL_ENABLE);
    }
}
