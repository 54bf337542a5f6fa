use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

#[interrupt]
extern "x86-interrupt" fn no_frame() {}

#[interrupt]
extern "x86-interrupt" fn three(_f: &InterruptStackFrame, _code: u64, extra: u64) {}

#[interrupt]
extern "x86-interrupt" fn by_value(_f: InterruptStackFrame) {}

#[interrupt]
extern "x86-interrupt" fn named_lifetime(_f: &'static InterruptStackFrame) {}

#[interrupt]
extern "x86-interrupt" fn mutable_but_safe(f: &mut InterruptStackFrame) {
    f.instruction_pointer = 0;
}

fn main() {}
