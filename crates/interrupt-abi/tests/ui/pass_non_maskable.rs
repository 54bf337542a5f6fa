use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

// Declared `unsafe`, a non-maskable handler is accepted.
#[interrupt(nmi)]
unsafe extern "x86-interrupt" fn nmi(_f: &InterruptStackFrame) {}

#[interrupt(nmi)]
unsafe extern "x86-interrupt" fn machine_check(_f: &InterruptStackFrame) -> ! {
    loop {}
}

// Maskable vectors stay safe.
#[interrupt]
extern "x86-interrupt" fn timer(_f: &InterruptStackFrame) {}

fn main() {
    let _ = (nmi.addr(), machine_check.addr(), timer.addr());
}
