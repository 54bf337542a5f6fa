use interrupt_abi::{interrupt, x86_64::InterruptStackFrame};

// Handlers that no interrupt mask holds off must be `unsafe fn`.
#[interrupt(nmi)]
extern "x86-interrupt" fn nmi(_f: &InterruptStackFrame) {}

#[interrupt(nmi)]
extern "x86-interrupt" fn machine_check(_f: &InterruptStackFrame) -> ! {
    loop {}
}

#[interrupt]
extern "arm-interrupt-fiq" fn fiq() {}

#[interrupt]
#[unsafe(export_name = "NMI")]
extern "cortex-m-interrupt" fn nmi_by_export_name() {}

#[interrupt]
#[unsafe(no_mangle)]
extern "cortex-m-interrupt" fn HardFault() {}

#[interrupt]
#[unsafe(export_name = "NonMaskableInt")]
extern "cortex-m-interrupt" fn nmi_cortex_m_rt_name() {}

// `nmi` marks x86 vectors only.
#[interrupt(nmi)]
extern "riscv-interrupt-m" fn nmi_on_riscv() {}

#[interrupt(nmi)]
unsafe extern "arm-interrupt-fiq" fn nmi_on_fiq() {}

fn main() {}
