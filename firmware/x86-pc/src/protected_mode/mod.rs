//! The 32-bit x86 kernel: multiboot into protected mode (paging off), an
//! IDT of `#[interrupt]` handlers using `interrupt_abi::x86`, then the
//! scenarios, one `@report` line each.
//!
//! - `boot`: multiboot header and entry, flat GDT, FPU/SSE enable.
//! - `idt`: 8-byte gates from `Handler::addr`.
//! - `exceptions`: breakpoint, general protection, the catch-all double fault.
//! - `cost`: entry/exit instruction counts.
//! - `storm`: the timer storm over GPR, EFLAGS and FP torture.
//! - `fp`: the FP part of the torture: x87 + SSE (`fxsave`) or x87 only (`fnsave`).
//! - `diverging`: diverging NMI and #GP handlers, their frames word for word.
//! - `common::fp_env`: the x87 and SSE environment across an interrupt.

mod boot;
mod cost;
mod diverging;
mod exceptions;
mod fp;
mod idt;
mod storm;

use interrupt_abi::interrupt;
use interrupt_abi::x86::InterruptStackFrame;

use crate::common::fp_env;
use crate::{apic, machine};
use exceptions::{BREAKPOINT, DOUBLE_FAULT, GENERAL_PROTECTION};
use idt::Gate;

const SPURIOUS_VECTOR: u8 = 0xFF;

/// The local APIC's spurious interrupt: no EOI, nothing to do.
#[interrupt]
extern "x86-interrupt" fn spurious(_frame: &InterruptStackFrame) {}

fn install_idt() {
    idt::set(BREAKPOINT, Gate::new(exceptions::breakpoint));
    idt::set(DOUBLE_FAULT, Gate::new(exceptions::double_fault));
    idt::set(
        GENERAL_PROTECTION,
        Gate::new(exceptions::general_protection),
    );
    idt::set(diverging::NMI, Gate::new(diverging::nmi));
    idt::set(storm::TIMER_VECTOR, Gate::new(storm::timer));
    idt::set(fp_env::FP_VECTOR, Gate::new(fp_env::fp_environment));
    idt::set(cost::PROBE_VECTOR, Gate::new(cost::probe));
    idt::set(SPURIOUS_VECTOR, Gate::new(spurious));
    idt::load();
}

/// Called by the boot stub on the kernel stack, interrupts off.
extern "C" fn kernel_entry() -> ! {
    println!("hello from {}", env!("FIRMWARE_TARGET"));
    machine::disable_pic();
    install_idt();
    apic::enable(SPURIOUS_VECTOR);

    let mut passed = true;
    passed &= exceptions::breakpoint_scenario();
    passed &= exceptions::general_protection_scenario(&cost::measure_error_code());
    passed &= storm::storm_scenario(&cost::measure());
    passed &= diverging::diverging_scenario();
    passed &= fp_env::fp_environment_scenario();
    if passed {
        machine::exit_success()
    } else {
        machine::exit_failure(6)
    }
}
