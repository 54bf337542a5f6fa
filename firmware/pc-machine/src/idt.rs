//! The long-mode interrupt descriptor table: 256 gates, each to the
//! address of an interrupt entry (for `#[interrupt]` handlers, their
//! `Handler::addr`).

use core::arch::asm;
use core::mem::size_of;

use crate::KERNEL_CODE;

/// A 16-byte long-mode gate descriptor (Intel SDM vol. 3, figure 6-8).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Gate {
    offset_low: u16,
    selector: u16,
    /// Bits 0-2: IST slot (0 = stay on the current stack).
    ist: u8,
    /// P, DPL, type.
    attributes: u8,
    offset_mid: u16,
    offset_high: u32,
    reserved: u32,
}

/// Present, DPL 0, 64-bit interrupt gate (type 0xE: clears IF on entry).
const INTERRUPT_GATE: u8 = 0x8E;
const PRESENT: u8 = 0x80;

impl Gate {
    /// Not present: using it raises #NP, which (see `double_fault`) ends up
    /// as a double fault.
    pub const MISSING: Gate = Gate {
        offset_low: 0,
        selector: 0,
        ist: 0,
        attributes: 0,
        offset_mid: 0,
        offset_high: 0,
        reserved: 0,
    };

    /// An interrupt gate to the entry at `addr`, on the current stack.
    pub fn new(addr: usize) -> Gate {
        let addr = addr as u64;
        Gate {
            offset_low: addr as u16,
            selector: KERNEL_CODE,
            ist: 0,
            attributes: INTERRUPT_GATE,
            offset_mid: (addr >> 16) as u16,
            offset_high: (addr >> 32) as u32,
            reserved: 0,
        }
    }

    /// The same gate, switching to IST stack `slot` (1-7) on entry.
    pub fn with_ist(mut self, slot: u8) -> Gate {
        assert!((1..=7).contains(&slot));
        self.ist = slot;
        self
    }
}

#[repr(C, align(16))]
struct Idt([Gate; 256]);

static mut IDT: Idt = Idt([Gate::MISSING; 256]);

/// Installs `gate` at `vector`.
pub fn set(vector: u8, gate: Gate) {
    // SAFETY: single CPU; a gate is written while its vector cannot fire
    // (interrupts off, or an exception the running code does not raise).
    unsafe { (*(&raw mut IDT)).0[usize::from(vector)] = gate };
}

/// Sets or clears the present bit of the gate at `vector`.
pub fn set_present(vector: u8, present: bool) {
    // SAFETY: as for `set`.
    unsafe {
        let attributes = &mut (*(&raw mut IDT)).0[usize::from(vector)].attributes;
        if present {
            *attributes |= PRESENT;
        } else {
            *attributes &= !PRESENT;
        }
    }
}

/// Points IDTR at the table.
pub fn load() {
    #[repr(C, packed)]
    struct Pointer {
        limit: u16,
        base: u64,
    }
    let pointer = Pointer {
        limit: (size_of::<Idt>() - 1) as u16,
        base: (&raw const IDT) as u64,
    };
    // SAFETY: IDT is a static with valid (or not-present) gates.
    unsafe { asm!("lidt [{}]", in(reg) &pointer, options(readonly, nostack, preserves_flags)) };
}
