//! The vector tables: one for EL1, one for EL2 (when the run started there),
//! each an `interrupt_abi::aarch64::VectorTable` whose slots the scenarios
//! point at their handlers. A slot no scenario claims goes to
//! [`unexpected`], which reports the exception and fails the run.

use interrupt_abi::aarch64::{ExceptionFrame, Vector, VectorTable};
use interrupt_abi::{Handler, abi::Aarch64Interrupt, interrupt};

use crate::platform::{self, exit};
use crate::sysreg::exception_class;

/// Lives in `.data` (RAM, executable with the MMU off) and is rewritten
/// between scenarios, always with IRQs masked and no exception in flight.
static mut EL1: VectorTable = VectorTable::new();
static mut EL2: VectorTable = VectorTable::new();

const ALL: [Vector; 16] = [
    Vector::CurrentSp0Sync,
    Vector::CurrentSp0Irq,
    Vector::CurrentSp0Fiq,
    Vector::CurrentSp0SError,
    Vector::CurrentSpxSync,
    Vector::CurrentSpxIrq,
    Vector::CurrentSpxFiq,
    Vector::CurrentSpxSError,
    Vector::Lower64Sync,
    Vector::Lower64Irq,
    Vector::Lower64Fiq,
    Vector::Lower64SError,
    Vector::Lower32Sync,
    Vector::Lower32Irq,
    Vector::Lower32Fiq,
    Vector::Lower32SError,
];

/// Any exception at EL1 no scenario expects. For an IRQ, FIQ or SError the
/// syndrome is stale (it belongs to the last synchronous exception).
#[interrupt]
extern "aarch64-interrupt" fn unexpected(f: &ExceptionFrame) -> ! {
    report("EL1", f)
}

/// The same at EL2.
#[interrupt(el2)]
extern "aarch64-interrupt" fn unexpected_el2(f: &ExceptionFrame) -> ! {
    report("EL2", f)
}

fn report(el: &str, f: &ExceptionFrame) -> ! {
    platform::fail!(
        exit::UNEXPECTED_EXCEPTION,
        "unexpected exception at {el}: ESR={:#x} (EC {:#x}) ELR={:#x} FAR={:#x} SPSR={:#x}",
        f.esr,
        exception_class(f.esr),
        f.elr,
        f.far,
        f.spsr
    )
}

/// Makes the EL1 table the vector base with `slots` pointing at their
/// handlers and every other slot at [`unexpected`]. Call with IRQs masked.
pub fn install_el1(slots: &[(Vector, Handler<Aarch64Interrupt>)]) {
    let table = &raw mut EL1;
    // SAFETY: the table is only touched here, on one CPU, with no exception
    // being taken through it (IRQs masked, no synchronous exception here).
    let table: &'static mut VectorTable = unsafe { &mut *table };
    fill(table, unexpected, slots);
    // SAFETY: every slot points at a handler; the table is a static.
    unsafe { table.install_el1() };
}

/// The same for EL2, using `#[interrupt(el2)]` handlers; call at EL2.
pub fn install_el2(slots: &[(Vector, Handler<Aarch64Interrupt>)]) {
    let table = &raw mut EL2;
    // SAFETY: as in `install_el1`.
    let table: &'static mut VectorTable = unsafe { &mut *table };
    fill(table, unexpected_el2, slots);
    // SAFETY: every slot points at a handler; the table is a static; we
    // run at EL2.
    unsafe { table.install_el2() };
}

fn fill(
    table: &mut VectorTable,
    default: Handler<Aarch64Interrupt>,
    slots: &[(Vector, Handler<Aarch64Interrupt>)],
) {
    for vector in ALL {
        table.set(vector, default);
    }
    for &(vector, handler) in slots {
        table.set(vector, handler);
    }
}
