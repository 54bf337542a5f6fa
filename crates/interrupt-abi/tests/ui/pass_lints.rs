//! Lint attributes on a handler apply to the code written in it.
#![deny(warnings)]

use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

#[allow(unused_variables)]
#[interrupt]
extern "x86-interrupt" fn allowed(_frame: &InterruptStackFrame) {
    let unused = 1;
}

#[expect(unused_mut)]
#[interrupt]
extern "x86-interrupt" fn expected(_frame: &InterruptStackFrame) {
    let mut once = 1;
    core::hint::black_box(once);
}

// A handler nobody installs is dead code, like any unused item.
#[allow(dead_code)]
#[interrupt]
extern "x86-interrupt" fn never_installed(_frame: &InterruptStackFrame) {}

fn main() {
    let _ = (allowed.addr(), expected.addr());
}
