use interrupt_abi::interrupt;

// These tests run on x86_64: the RISC-V ABIs do not exist here.
#[interrupt]
extern "riscv-interrupt-m" fn machine_trap() {}

#[interrupt]
extern "riscv-interrupt-s" fn supervisor_trap() {}

fn main() {}
