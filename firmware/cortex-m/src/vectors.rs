//! The vector table, a `static` in `.vector_table` (placed at address 0 by
//! `link.ld`) built from `Handler<CortexMInterrupt>` values.
//!
//! Word 0 is the initial stack pointer, word 1 the reset vector, words 2-15
//! the system exceptions, then one word per device interrupt. Each handler
//! word must have bit 0 set (Thumb state); `Handler::addr()` keeps it, and
//! a `Handler` stored in the table is its entry pointer, which carries the
//! bit already (the linker sets it for Thumb function symbols).

use interrupt_abi::{Handler, abi::CortexMInterrupt, interrupt};

use crate::cost::{PROBE_IRQ, irq_probe};
use crate::platform::{self, exit};
use crate::scenario::faults::{SVCall, UsageFault};
use crate::scenario::storm::{NESTED_IRQ, PendSV, SysTick, nested_irq};

/// One word of the table.
#[derive(Clone, Copy)]
#[repr(C)]
pub union Vector {
    handler: Handler<CortexMInterrupt>,
    reset: unsafe extern "C" fn() -> !,
    stack: *const u32,
    reserved: usize,
}

// `Handler` is one function pointer (checked against `addr()` at run time
// by `check`): it fills exactly one word of the table.
const _: () = assert!(size_of::<Handler<CortexMInterrupt>>() == 4);

/// Device interrupts of the LM3S6965 (the table may be longer than the
/// device needs; it must not be shorter).
pub const IRQS: usize = 48;

#[repr(C)]
pub struct VectorTable {
    stack_top: Vector,
    reset: Vector,
    exceptions: [Vector; 14],
    irqs: [Vector; IRQS],
}

// SAFETY: read-only data (the raw stack pointer is never dereferenced).
unsafe impl Sync for VectorTable {}

unsafe extern "C" {
    static __stack_top: u32;
}

const fn h(handler: Handler<CortexMInterrupt>) -> Vector {
    Vector { handler }
}

const RESERVED: Vector = Vector { reserved: 0 };

#[unsafe(link_section = ".vector_table")]
#[used]
pub static VECTORS: VectorTable = VectorTable {
    stack_top: Vector {
        stack: &raw const __stack_top,
    },
    reset: Vector {
        reset: crate::rt::reset,
    },
    exceptions: [
        h(unexpected), // 2 NMI
        h(hard_fault), // 3 HardFault
        h(unexpected), // 4 MemManage
        h(unexpected), // 5 BusFault
        h(UsageFault), // 6 UsageFault
        RESERVED,      // 7
        RESERVED,      // 8
        RESERVED,      // 9
        RESERVED,      // 10
        h(SVCall),     // 11 SVCall
        h(unexpected), // 12 DebugMonitor
        RESERVED,      // 13
        h(PendSV),     // 14 PendSV
        h(SysTick),    // 15 SysTick
    ],
    irqs: irqs(),
};

/// Device interrupts: the ones the scenarios raise, every other one
/// `unexpected`.
const fn irqs() -> [Vector; IRQS] {
    let mut irqs = [h(unexpected); IRQS];
    irqs[NESTED_IRQ] = h(nested_irq);
    irqs[PROBE_IRQ] = h(irq_probe);
    irqs
}

/// Checks what the table relies on: a `Handler` stored in it is the word
/// `addr()` returns, with the Thumb bit set, and the core uses this table.
pub fn check() {
    // SAFETY: every union member is a plain word; reading one as `usize`
    // is what the core does.
    let word = unsafe { VECTORS.exceptions[15 - 2].reserved };
    let addr = SysTick.addr();
    if word != addr || addr & 1 == 0 || crate::scs::vtor() != 0 {
        platform::fail!(
            exit::CHECK,
            "vector table: SysTick word {word:#x}, addr() {addr:#x}, VTOR {:#x}",
            crate::scs::vtor()
        );
    }
}

/// Reports an exception no scenario expects, by its number in IPSR.
#[interrupt]
extern "cortex-m-interrupt" fn unexpected() -> ! {
    let ipsr: u32;
    // SAFETY: reads IPSR.
    unsafe { core::arch::asm!("mrs {}, ipsr", out(reg) ipsr, options(nomem, nostack)) };
    platform::fail!(
        exit::UNEXPECTED_EXCEPTION,
        "unexpected exception {ipsr} (16 + n: device interrupt n)"
    )
}

#[interrupt]
extern "cortex-m-interrupt" fn hard_fault() -> ! {
    platform::fail!(
        exit::UNEXPECTED_EXCEPTION,
        "HardFault: HFSR={:#x} CFSR={:#x}",
        crate::scs::fault_status(crate::scs::HFSR),
        crate::scs::fault_status(crate::scs::CFSR)
    )
}
