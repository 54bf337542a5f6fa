//! The PL190 vectored interrupt controller of `versatilepb` at 0x1014_0000.
//!
//! Used without vectoring: the IRQ output is any enabled, pending line not
//! routed to FIQ; the FIQ output any pending line selected in INTSELECT.
//! Handlers read IRQSTATUS/FIQSTATUS to find their source. Lines can be
//! raised from software (SOFTINT), on top of the devices' own levels.

const BASE: usize = 0x1014_0000;
const IRQSTATUS: usize = 0x00;
const FIQSTATUS: usize = 0x04;
const INTSELECT: usize = 0x0c;
const INTENABLE: usize = 0x10;
const INTENCLEAR: usize = 0x14;
const SOFTINT: usize = 0x18;
const SOFTINTCLEAR: usize = 0x1c;

/// Address of SOFTINT, for assembly that raises a line directly.
pub const SOFTINT_ADDR: usize = BASE + SOFTINT;
/// Address of SOFTINTCLEAR.
pub const SOFTINTCLEAR_ADDR: usize = BASE + SOFTINTCLEAR;

/// VIC lines.
pub mod line {
    /// The line the board reserves for software interrupts.
    pub const SOFT: u32 = 1;
    /// SP804 timers 0 and 1 (one line for both).
    pub const TIMER01: u32 = 4;
    /// SP804 timers 2 and 3.
    pub const TIMER23: u32 = 5;
}

fn reg(offset: usize) -> *mut u32 {
    (BASE + offset) as *mut u32
}

fn write(offset: usize, value: u32) {
    // SAFETY: a PL190 register.
    unsafe { reg(offset).write_volatile(value) }
}

fn read(offset: usize) -> u32 {
    // SAFETY: a PL190 register.
    unsafe { reg(offset).read_volatile() }
}

/// Enables exactly `irq_lines | fiq_lines`, the latter routed to FIQ.
pub fn configure(irq_lines: u32, fiq_lines: u32) {
    write(INTENCLEAR, !0);
    write(SOFTINTCLEAR, !0);
    write(INTSELECT, fiq_lines);
    write(INTENABLE, irq_lines | fiq_lines);
}

/// Disables every line and clears every software interrupt.
pub fn reset() {
    configure(0, 0);
}

/// Enabled IRQ lines that are pending.
pub fn irq_status() -> u32 {
    read(IRQSTATUS)
}

/// Enabled FIQ lines that are pending.
pub fn fiq_status() -> u32 {
    read(FIQSTATUS)
}

/// Raises software interrupt `line`.
pub fn raise(line: u32) {
    write(SOFTINT, 1 << line);
}

/// Clears software interrupt `line`.
pub fn clear(line: u32) {
    write(SOFTINTCLEAR, 1 << line);
}
