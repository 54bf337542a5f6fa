//! The protected-mode interrupt descriptor table, built from `#[interrupt]`
//! handlers through their public [`Handler::addr`].

use core::arch::asm;
use core::mem::size_of;

use interrupt_abi::Handler;
use interrupt_abi::abi::X86Interrupt;

/// Flat code segment of the boot stub's GDT.
pub const KERNEL_CODE: u16 = 0x08;

/// An 8-byte protected-mode gate descriptor (Intel SDM vol. 3, figure 6-2).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Gate {
    offset_low: u16,
    selector: u16,
    reserved: u8,
    /// P, DPL, type.
    attributes: u8,
    offset_high: u16,
}

/// Present, DPL 0, 32-bit interrupt gate (clears IF on entry).
const INTERRUPT_GATE: u8 = 0x8E;

impl Gate {
    /// Not present: using it raises #NP, and with no #NP gate a double
    /// fault, which `exceptions::double_fault` reports as a failure.
    pub const MISSING: Gate = Gate {
        offset_low: 0,
        selector: 0,
        reserved: 0,
        attributes: 0,
        offset_high: 0,
    };

    /// An interrupt gate to `handler`.
    pub fn new(handler: Handler<X86Interrupt>) -> Gate {
        Gate::raw(handler.addr())
    }

    /// A gate to hand-written code at `addr`: only the cost calibration's
    /// entry uses it, handlers go through [`Gate::new`].
    pub fn raw(addr: usize) -> Gate {
        let addr = addr as u32;
        Gate {
            offset_low: addr as u16,
            selector: KERNEL_CODE,
            reserved: 0,
            attributes: INTERRUPT_GATE,
            offset_high: (addr >> 16) as u16,
        }
    }
}

#[repr(C, align(8))]
struct Idt([Gate; 256]);

static mut IDT: Idt = Idt([Gate::MISSING; 256]);

/// Installs `gate` at `vector`.
pub fn set(vector: u8, gate: Gate) {
    // SAFETY: single CPU; a gate is written while its vector cannot fire.
    unsafe { (*(&raw mut IDT)).0[usize::from(vector)] = gate };
}

/// Points IDTR at the table.
pub fn load() {
    #[repr(C, packed)]
    struct Pointer {
        limit: u16,
        base: u32,
    }
    let pointer = Pointer {
        limit: (size_of::<Idt>() - 1) as u16,
        base: (&raw const IDT) as u32,
    };
    // SAFETY: IDT is a static with valid (or not-present) gates.
    unsafe { asm!("lidt [{}]", in(reg) &pointer, options(readonly, nostack, preserves_flags)) };
}
