use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

#[interrupt]
extern "x86-interrupt" fn breakpoint(_frame: &InterruptStackFrame) {}

#[allow(warnings)]
fn main() {
    // No `unsafe` block or lint makes a handler callable.
    unsafe { breakpoint() };
}
