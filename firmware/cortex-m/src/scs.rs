//! The System Control Space every Cortex-M has at 0xE000_E000: SysTick,
//! the NVIC and the System Control Block. Only what the scenarios use.

fn read(addr: usize) -> u32 {
    // SAFETY: architecturally defined SCS registers, 32-bit accesses.
    unsafe { (addr as *const u32).read_volatile() }
}

fn write(addr: usize, value: u32) {
    // SAFETY: as for `read`.
    unsafe { (addr as *mut u32).write_volatile(value) }
}

/// Interrupt Control and State Register.
const ICSR: usize = 0xe000_ed04;
const ICSR_PENDSVSET: u32 = 1 << 28;
/// Vector Table Offset Register.
const VTOR: usize = 0xe000_ed08;
/// Configuration and Control Register; UNALIGN_TRP makes unaligned word
/// accesses fault.
const CCR: usize = 0xe000_ed14;
pub const CCR_UNALIGN_TRP: u32 = 1 << 3;
/// System Handler Priority Registers: one byte per exception 4-15.
const SHPR_BASE: usize = 0xe000_ed18 - 4;
/// System Handler Control and State Register: fault enables.
const SHCSR: usize = 0xe000_ed24;
pub const SHCSR_USGFAULTENA: u32 = 1 << 18;
/// Configurable Fault Status Register (write 1 to clear) and HardFault status.
pub const CFSR: usize = 0xe000_ed28;
pub const HFSR: usize = 0xe000_ed2c;
pub const CFSR_UNDEFINSTR: u32 = 1 << 16;
pub const CFSR_UNALIGNED: u32 = 1 << 24;

/// SysTick: control and status, reload value, current value.
const SYST_CSR: usize = 0xe000_e010;
const SYST_RVR: usize = 0xe000_e014;
const SYST_CVR: usize = 0xe000_e018;
/// ENABLE, TICKINT (interrupt on reaching 0), CLKSOURCE (processor clock).
pub const SYST_ENABLE: u32 = 1 << 0;
pub const SYST_TICKINT: u32 = 1 << 1;
pub const SYST_CLKSOURCE_CPU: u32 = 1 << 2;

/// NVIC: set-enable, set-pending, and priority bytes.
const NVIC_ISER: usize = 0xe000_e100;
const NVIC_ISPR: usize = 0xe000_e200;
const NVIC_IPR: usize = 0xe000_e400;

/// Exception numbers of the system handlers whose priority is set.
pub const PENDSV: usize = 14;
pub const SYSTICK: usize = 15;

pub fn pend_pendsv() {
    write(ICSR, ICSR_PENDSVSET);
}

pub fn vtor() -> u32 {
    read(VTOR)
}

pub fn set_ccr_bits(bits: u32) {
    write(CCR, read(CCR) | bits);
}

pub fn clear_ccr_bits(bits: u32) {
    write(CCR, read(CCR) & !bits);
}

pub fn enable_fault(bits: u32) {
    write(SHCSR, read(SHCSR) | bits);
}

/// Reads a fault status register.
pub fn fault_status(reg: usize) -> u32 {
    read(reg)
}

/// Clears bits of CFSR (write-one-to-clear).
pub fn clear_cfsr(bits: u32) {
    write(CFSR, bits);
}

/// Priority of system exception `exception` (4-15): lower is more urgent;
/// the LM3S6965 implements the top three bits.
pub fn set_system_priority(exception: usize, priority: u8) {
    // SAFETY: the byte-accessible SHPR entry of `exception`.
    unsafe { ((SHPR_BASE + exception) as *mut u8).write_volatile(priority) }
}

/// Enables device interrupt `irq` at the NVIC, with `priority`.
pub fn enable_irq(irq: usize, priority: u8) {
    // SAFETY: the byte-accessible NVIC_IPR entry of `irq`.
    unsafe { ((NVIC_IPR + irq) as *mut u8).write_volatile(priority) };
    write(NVIC_ISER + 4 * (irq / 32), 1 << (irq % 32));
}

/// Makes device interrupt `irq` pending, as if its device had raised it.
pub fn pend_irq(irq: usize) {
    write(NVIC_ISPR + 4 * (irq / 32), 1 << (irq % 32));
}

/// Starts SysTick on the processor clock, interrupting every `reload + 1`
/// ticks.
pub fn systick_start(reload: u32) {
    write(SYST_CSR, 0);
    write(SYST_RVR, reload);
    write(SYST_CVR, 0);
    write(SYST_CSR, SYST_ENABLE | SYST_TICKINT | SYST_CLKSOURCE_CPU);
}

/// The reload value for the periods after the current one.
pub fn systick_set_reload(reload: u32) {
    write(SYST_RVR, reload);
}

/// Whether SysTick is enabled.
pub fn systick_running() -> bool {
    read(SYST_CSR) & SYST_ENABLE != 0
}

pub fn systick_stop() {
    write(SYST_CSR, 0);
}
