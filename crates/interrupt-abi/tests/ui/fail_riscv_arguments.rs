use interrupt_abi::interrupt;

#[interrupt]
extern "riscv-interrupt-m" fn with_cause(cause: usize) {}

fn main() {}
