use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

#[interrupt]
#[inline(never)]
extern "x86-interrupt" fn inlined(_f: &InterruptStackFrame) {}

#[interrupt]
#[unsafe(no_mangle)]
#[unsafe(export_name = "other")]
extern "x86-interrupt" fn two_names(_f: &InterruptStackFrame) {}

fn main() {}
