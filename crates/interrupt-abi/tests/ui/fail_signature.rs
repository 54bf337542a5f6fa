use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

#[interrupt]
extern "x86-interrupt" fn returns_value(_f: &InterruptStackFrame) -> u32 {
    0
}

#[interrupt]
extern "x86-interrupt" fn generic<T>(_f: &InterruptStackFrame) {}

#[interrupt]
extern "x86-interrupt" fn bounded(_f: &InterruptStackFrame)
where
    u8: Copy,
{
}

#[interrupt]
async extern "x86-interrupt" fn asynchronous(_f: &InterruptStackFrame) {}

#[interrupt]
const extern "x86-interrupt" fn constant(_f: &InterruptStackFrame) {}

#[interrupt]
extern "x86-interrupt" fn receiver(self) {}

fn main() {}
