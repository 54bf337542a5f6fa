use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

// Every mistake of one item is reported at once, each on its own tokens.
#[interrupt(nested, bogus)]
#[cold]
const extern "x86-interrupt" fn everything<T>(f: InterruptStackFrame, a: u64, b: u64) -> u8 {
    0
}

fn main() {}
