//! The x86_64 kernel: PVH boot into long mode, GDT with a TSS, an IDT of
//! `#[interrupt]` handlers, then the scenarios in order, one `@report` line
//! each. The double fault comes last: its handler ends the run.
//!
//! - `pc_machine::boot`: 32-bit PVH entry, page tables, switch to long
//!   mode, then [`kernel_entry`].
//! - `pc_machine::paging`: the identity map and the page-fault scenario's
//!   mapping.
//! - `gdt`: GDT, TSS and the double-fault IST stack.
//! - `pc_machine::idt`: gates to `Handler::addr`.
//! - `exceptions`: breakpoint, page fault, general protection.
//! - `cost`: entry/exit instruction counts.
//! - `storm`: the timer storm over the register-torture loop.
//! - `diverging`: diverging NMI and #GP handlers, their frames word for word.
//! - `common::fp_env` (built with SSE only): MXCSR across an interrupt.
//! - `double_fault`: the diverging handler on its IST stack.

mod cost;
mod diverging;
mod double_fault;
mod exceptions;
mod gdt;
mod storm;

use interrupt_abi::Handler;
use interrupt_abi::abi::X86Interrupt;
use interrupt_abi::interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;
use pc_machine::idt::{self, Gate};

#[cfg(target_feature = "sse")]
use crate::common::fp_env;
use crate::{apic, machine};
use exceptions::{BREAKPOINT, GENERAL_PROTECTION, PAGE_FAULT};

const SPURIOUS_VECTOR: u8 = 0xFF;

/// The local APIC's spurious interrupt: no EOI, nothing to do.
#[interrupt]
extern "x86-interrupt" fn spurious(_frame: &InterruptStackFrame) {}

fn install_idt() {
    idt::set(BREAKPOINT, gate(exceptions::breakpoint));
    idt::set(PAGE_FAULT, gate(exceptions::page_fault));
    idt::set(GENERAL_PROTECTION, gate(exceptions::general_protection));
    idt::set(
        double_fault::DOUBLE_FAULT,
        gate(double_fault::double_fault).with_ist(gdt::DOUBLE_FAULT_IST),
    );
    idt::set(diverging::NMI, gate(diverging::nmi).with_ist(gdt::NMI_IST));
    idt::set(storm::TIMER_VECTOR, gate(storm::timer));
    #[cfg(target_feature = "sse")]
    idt::set(fp_env::FP_VECTOR, gate(fp_env::fp_environment));
    idt::set(cost::PROBE_VECTOR, gate(cost::probe));
    idt::set(SPURIOUS_VECTOR, gate(spurious));
    idt::load();
}

/// An interrupt gate to `handler` on the current stack.
fn gate(handler: Handler<X86Interrupt>) -> Gate {
    Gate::new(handler.addr())
}

/// Called by the boot stub on the kernel stack, interrupts off.
#[unsafe(no_mangle)]
extern "C" fn kernel_entry() -> ! {
    println!("hello from {}", env!("FIRMWARE_TARGET"));
    machine::disable_pic();
    gdt::init();
    install_idt();
    apic::enable(SPURIOUS_VECTOR);

    let mut passed = true;
    passed &= exceptions::breakpoint_scenario();
    passed &= exceptions::page_fault_scenario();
    passed &= exceptions::general_protection_scenario(&cost::measure_error_code());
    let cost = cost::measure();
    passed &= storm::storm_scenario(&cost);
    passed &= diverging::diverging_scenario();
    #[cfg(target_feature = "sse")]
    {
        passed &= fp_env::fp_environment_scenario();
    }
    if !passed {
        machine::exit_failure(6);
    }
    double_fault::double_fault_scenario()
}
