//! The GICv2 of QEMU's `virt` board: distributor at 0x0800_0000, CPU
//! interface at 0x0801_0000.
//!
//! The board's GIC has no security extensions; its CPU interface then acts
//! as if every access were secure: group 0 interrupts are signalled as FIQ
//! (GICC_CTLR.FIQEn), group 1 as IRQ, and with AckCtl set GICC_IAR
//! acknowledges both groups. Handlers acknowledge with [`acknowledge`] and
//! finish with [`end`].

const GICD: usize = 0x0800_0000;
const GICC: usize = 0x0801_0000;

const GICD_CTLR: usize = 0x000;
const GICD_IGROUPR: usize = 0x080;
const GICD_ISENABLER: usize = 0x100;
const GICD_ICENABLER: usize = 0x180;
const GICD_ICPENDR: usize = 0x280;
const GICD_IPRIORITYR: usize = 0x400;
const GICD_SGIR: usize = 0xf00;

const GICC_CTLR: usize = 0x00;
const GICC_PMR: usize = 0x04;
const GICC_BPR: usize = 0x08;
const GICC_IAR: usize = 0x0c;
const GICC_EOIR: usize = 0x10;

/// Addresses of GICD_SGIR and GICC_IAR (GICC_EOIR follows it), for
/// assembly.
pub const SGIR_ADDR: usize = GICD + GICD_SGIR;
pub const IAR_ADDR: usize = GICC + GICC_IAR;
const _: () = assert!(GICC_EOIR == GICC_IAR + 4);

/// What GICC_IAR says when nothing is pending.
pub const SPURIOUS: u32 = 1023;

/// Interrupt IDs.
pub mod id {
    /// Software-generated interrupts (to this CPU).
    pub const SGI_IRQ: u32 = 1;
    pub const SGI_FIQ: u32 = 2;
    /// Generic timer PPIs: virtual timer (27) and non-secure physical timer
    /// (30).
    pub const VIRTUAL_TIMER: u32 = 27;
    pub const PHYSICAL_TIMER: u32 = 30;
}

/// Priorities (lower is more urgent).
pub mod priority {
    pub const FIQ: u8 = 0x40;
    pub const IRQ: u8 = 0x80;
}

fn write(addr: usize, value: u32) {
    // SAFETY: a GIC register.
    unsafe { (addr as *mut u32).write_volatile(value) }
}

fn read(addr: usize) -> u32 {
    // SAFETY: a GIC register.
    unsafe { (addr as *const u32).read_volatile() }
}

/// Turns the GIC on with the SGIs and PPIs of `irqs` (group 1, IRQ) and
/// `fiqs` (group 0, FIQ) enabled, all others disabled and not pending.
pub fn configure(irqs: &[u32], fiqs: &[u32]) {
    write(GICD + GICD_CTLR, 0);
    write(GICD + GICD_ICENABLER, !0);
    write(GICD + GICD_ICPENDR, !0);
    let mut group1 = 0;
    let mut enable = 0;
    for &i in irqs {
        group1 |= 1 << i;
        enable |= 1 << i;
    }
    for &i in fiqs {
        enable |= 1 << i;
    }
    write(GICD + GICD_IGROUPR, group1);
    for i in 0..32 {
        let p = if group1 & 1 << i != 0 {
            priority::IRQ
        } else {
            priority::FIQ
        };
        set_priority(i, p);
    }
    write(GICD + GICD_ISENABLER, enable);
    // EnableGrp0 | EnableGrp1.
    write(GICD + GICD_CTLR, 3);
    write(GICC + GICC_PMR, 0xf0);
    write(GICC + GICC_BPR, 0);
    // EnableGrp0 | EnableGrp1 | AckCtl | FIQEn.
    write(GICC + GICC_CTLR, 0xf);
}

/// Sets the priority of interrupt `id` (< 32).
pub fn set_priority(id: u32, priority: u8) {
    // SAFETY: IPRIORITYR is byte-accessible.
    unsafe {
        ((GICD + GICD_IPRIORITYR + id as usize) as *mut u8).write_volatile(priority);
    }
}

/// Disables every SGI and PPI.
pub fn reset() {
    write(GICD + GICD_ICENABLER, !0);
    write(GICD + GICD_ICPENDR, !0);
}

/// Raises SGI `id` on this CPU (TargetListFilter = 0b10: self).
pub fn raise_sgi(id: u32) {
    write(GICD + GICD_SGIR, 2 << 24 | id);
}

/// Acknowledges the highest-priority pending interrupt; returns GICC_IAR
/// (ID in bits 0-9, for SGIs the source CPU in 10-12).
pub fn acknowledge() -> u32 {
    read(GICC + GICC_IAR)
}

/// Ends the interrupt `iar` (the value [`acknowledge`] returned).
pub fn end(iar: u32) {
    write(GICC + GICC_EOIR, iar);
}
