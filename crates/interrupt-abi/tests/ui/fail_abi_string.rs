use interrupt_abi::interrupt;

#[interrupt]
extern "C" fn c_abi() {}

#[interrupt]
extern "arm-interrupt-foo" fn unknown() {}

#[interrupt]
fn no_abi() {}

#[interrupt]
extern fn unnamed() {}

fn main() {}
