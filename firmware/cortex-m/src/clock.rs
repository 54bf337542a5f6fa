//! The processor clock, which SysTick counts: on the LM3S6965 50 MHz from
//! the PLL, set up here, so that a tick is 20 ns, 20 instructions under
//! `-icount shift=0`; on MPS2 a fixed 25 MHz, 40 instructions a tick.
//!
//! QEMU's LM3S6965 model derives the clock it gives SysTick from RCC; out of
//! reset its SysTick does not count without `-icount` ("Timer with period
//! zero" on stderr), and it runs at 12.5 MHz under it, 80 instructions a
//! tick.

/// Run-Mode Clock Configuration.
#[cfg(not(feature = "mps2-an385"))]
const RCC: usize = 0x400f_e060;
/// SYSDIV (bits 26:23): the 200 MHz PLL output is divided by SYSDIV + 1.
#[cfg(not(feature = "mps2-an385"))]
mod rcc {
    pub const SYSDIV_SHIFT: u32 = 23;
    pub const SYSDIV_MASK: u32 = 0xf << SYSDIV_SHIFT;
    pub const USESYSDIV: u32 = 1 << 22;
    /// PLL powered down, and bypassed: both cleared to run from the PLL.
    pub const PWRDN: u32 = 1 << 13;
    pub const BYPASS: u32 = 1 << 11;
}

/// Instructions per SysTick tick under `-icount shift=0` (1 ns each).
#[cfg(not(feature = "mps2-an385"))]
pub const INSNS_PER_TICK: u32 = 20;
#[cfg(feature = "mps2-an385")]
pub const INSNS_PER_TICK: u32 = 40;

/// The 25 MHz of MPS2 need no setup.
#[cfg(feature = "mps2-an385")]
pub fn init() {}

/// Switches to 50 MHz: the PLL (200 MHz) divided by 4.
#[cfg(not(feature = "mps2-an385"))]
pub fn init() {
    // SAFETY: the LM3S6965 system control block's RCC register.
    unsafe {
        let rcc = RCC as *mut u32;
        let value = rcc.read_volatile() & !(rcc::SYSDIV_MASK | rcc::PWRDN | rcc::BYPASS);
        rcc.write_volatile(value | (3 << rcc::SYSDIV_SHIFT) | rcc::USESYSDIV);
    }
}
