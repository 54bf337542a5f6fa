use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

#[interrupt(fast)]
extern "x86-interrupt" fn unknown_option(_f: &InterruptStackFrame) {}

#[interrupt(nested)]
extern "x86-interrupt" fn nested_on_x86(_f: &InterruptStackFrame) {}

#[interrupt(nested)]
extern "riscv-interrupt-m" fn nested_diverging() -> ! {
    loop {}
}

#[interrupt(nested, nested)]
extern "riscv-interrupt-m" fn twice() {}

#[interrupt(stack = 4096)]
extern "riscv-interrupt-m" fn with_value() {}

fn main() {}
