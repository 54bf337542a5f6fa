//! The interrupt controller of `virt`: GICv2 (`-M virt,gic-version=2`, the
//! default) or GICv3 (`gic-version=3`), told apart at run time: the CPU
//! reports a GICv3 system-register interface in ID_AA64PFR0_EL1.GIC only
//! when a GICv3 is attached. QEMU's `virt` without `secure=on`
//! has no security extensions, so one interrupt group reaches the CPU as IRQ.
//!
//! Only what the storms need: enabling the timers' private peripheral
//! interrupts (PPIs) on CPU 0, acknowledging and ending them.

use crate::sysreg::{mrs, msr};
use fw_common::Shared;

/// Distributor (both versions).
const GICD: usize = 0x0800_0000;
const GICD_CTLR: usize = GICD;
/// GICv2: distributor set-enable registers (INTIDs 0-31 in the first word)
/// and the memory-mapped CPU interface.
const GICD_ISENABLER0: usize = GICD + 0x100;
/// Priority bytes, one per INTID (v2: distributor; v3: redistributor for PPIs).
const GICD_IPRIORITYR: usize = GICD + 0x400;
const GICC: usize = 0x0801_0000;
const GICC_CTLR: usize = GICC;
const GICC_PMR: usize = GICC + 0x04;
const GICC_IAR: usize = GICC + 0x0c;
const GICC_EOIR: usize = GICC + 0x10;
/// GICv3: CPU 0's redistributor; its SGI/PPI frame follows 64 KiB later.
const GICR: usize = 0x080a_0000;
const GICR_WAKER: usize = GICR + 0x14;
const GICR_SGI: usize = GICR + 0x1_0000;
const GICR_IGROUPR0: usize = GICR_SGI + 0x80;
const GICR_ISENABLER0: usize = GICR_SGI + 0x100;
const GICR_IPRIORITYR: usize = GICR_SGI + 0x400;

/// GICD_CTLR (v3, no security): ARE, EnableGrp1, EnableGrp0; RWP while busy.
const GICD_CTLR_V3: u32 = (1 << 4) | (1 << 1) | 1;
const GICD_CTLR_RWP: u32 = 1 << 31;
const WAKER_PROCESSOR_SLEEP: u32 = 1 << 1;
const WAKER_CHILDREN_ASLEEP: u32 = 1 << 2;

static VERSION: Shared<u8> = Shared::new(0);

fn read(addr: usize) -> u32 {
    // SAFETY: GIC registers of `virt`, 32-bit accesses.
    unsafe { (addr as *const u32).read_volatile() }
}

fn write(addr: usize, value: u32) {
    // SAFETY: as for `read`.
    unsafe { (addr as *mut u32).write_volatile(value) }
}

/// 2 or 3, once [`init`] ran.
pub fn version() -> u8 {
    VERSION.get()
}

/// Detects the GIC and enables distributor and CPU interface, every
/// interrupt still disabled and all priorities let through.
pub fn init() {
    let version = if (mrs!("id_aa64pfr0_el1") >> 24) & 0xf != 0 {
        3
    } else {
        2
    };
    VERSION.set(version);
    if version == 2 {
        write(GICD_CTLR, 1);
        write(GICC_PMR, 0xff);
        write(GICC_CTLR, 1);
    } else {
        write(GICD_CTLR, GICD_CTLR_V3);
        while read(GICD_CTLR) & GICD_CTLR_RWP != 0 {}
        write(GICR_WAKER, read(GICR_WAKER) & !WAKER_PROCESSOR_SLEEP);
        while read(GICR_WAKER) & WAKER_CHILDREN_ASLEEP != 0 {}
        // The system-register CPU interface.
        msr!("icc_sre_el1", mrs!("icc_sre_el1") | 1);
        msr!("icc_pmr_el1", 0xff);
        msr!("icc_igrpen1_el1", 1);
    }
}

/// Enables private peripheral interrupt `intid` (16-31) of CPU 0.
pub fn enable_ppi(intid: u32) {
    let bit = 1 << intid;
    if version() == 3 {
        write(GICR_IGROUPR0, read(GICR_IGROUPR0) | bit);
        write(GICR_ISENABLER0, bit);
    } else {
        write(GICD_ISENABLER0, bit);
    }
}

/// Sets the priority of PPI `intid` (lower is more urgent). An interrupt
/// preempts a handler whose interrupt has a higher value, once the handler
/// unmasks IRQs; QEMU implements at least the top five bits.
pub fn set_priority(intid: u32, priority: u8) {
    let base = if version() == 3 {
        GICR_IPRIORITYR
    } else {
        GICD_IPRIORITYR
    };
    // SAFETY: the byte-accessible priority register of `intid`.
    unsafe { ((base + intid as usize) as *mut u8).write_volatile(priority) }
}

/// Takes the highest-priority pending interrupt: its INTID (1023 if none).
pub fn acknowledge() -> u32 {
    if version() == 3 {
        mrs!("icc_iar1_el1") as u32
    } else {
        read(GICC_IAR) & 0x3ff
    }
}

/// Ends interrupt `intid`, acknowledged before.
pub fn end(intid: u32) {
    if version() == 3 {
        msr!("icc_eoir1_el1", u64::from(intid));
    } else {
        write(GICC_EOIR, intid);
    }
}
