//! Every accepted x86_64 form, in const and static tables.
use interrupt_abi::abi::X86Interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;
use interrupt_abi::{Handler, interrupt};

/// Documented handler.
#[interrupt]
pub extern "x86-interrupt" fn breakpoint(frame: &InterruptStackFrame) {
    let _ = frame.instruction_pointer;
}

#[interrupt]
#[unsafe(no_mangle)]
extern "x86-interrupt" fn page_fault(_frame: &InterruptStackFrame, error_code: u64) {
    let _ = error_code;
}

#[interrupt]
#[unsafe(export_name = "my_double_fault")]
#[unsafe(link_section = ".text.interrupts")]
extern "x86-interrupt" fn double_fault(_frame: &InterruptStackFrame, _code: u64) -> ! {
    loop {}
}

#[interrupt]
unsafe extern "x86-interrupt" fn skip(frame: &mut InterruptStackFrame) {
    frame.instruction_pointer += 1;
}

#[interrupt]
#[cfg(target_arch = "riscv32")]
extern "riscv-interrupt-m" fn only_on_riscv() {}

const TABLE: [Handler<X86Interrupt>; 3] = [breakpoint, double_fault, skip];
static STATIC_TABLE: [Handler<X86Interrupt>; 2] = [page_fault, TABLE[0]];

fn main() {
    let copy = STATIC_TABLE[0];
    assert_eq!(copy.addr(), page_fault.addr());
    assert_ne!(TABLE[0].addr(), TABLE[1].addr());
}
