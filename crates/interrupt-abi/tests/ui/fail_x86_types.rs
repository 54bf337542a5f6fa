use interrupt_abi::{interrupt, x86, x86_64::InterruptStackFrame};

#[interrupt]
extern "x86-interrupt" fn not_a_frame(_f: &u64) {}

// The 32-bit frame on a 64-bit target.
#[interrupt]
extern "x86-interrupt" fn wrong_width(_f: &x86::InterruptStackFrame) {}

// The CPU pushes a 64-bit error code in long mode.
#[interrupt]
extern "x86-interrupt" fn short_code(_f: &InterruptStackFrame, _code: u32) {}

fn main() {}
