//! A user-defined frame type opts in through the unsafe trait.
use interrupt_abi::abi::{HardwareFrame, X86Interrupt};
use interrupt_abi::interrupt;

#[repr(C)]
pub struct MyFrame {
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

// SAFETY: the same five words as the long-mode frame.
unsafe impl HardwareFrame<X86Interrupt> for MyFrame {}

#[interrupt]
extern "x86-interrupt" fn handler(frame: &MyFrame) {
    let _ = frame.rip;
}

fn main() {
    let _ = handler.addr();
}
