use interrupt_abi::{arm::ExceptionFrame, interrupt};

// These tests run on x86_64: the ARM ABIs do not exist here.
#[interrupt]
extern "arm-interrupt-irq" fn irq() {}

// An abort handler says which vector it serves.
#[interrupt]
extern "arm-interrupt-abort" fn which_abort() {}

#[interrupt(data_abort, prefetch_abort)]
extern "arm-interrupt-abort" fn both_aborts() {}

#[interrupt(data_abort)]
extern "arm-interrupt-irq" fn abort_flag_on_irq() {}

#[interrupt(nested)]
extern "arm-interrupt-irq" fn nested_irq() {}

#[interrupt]
unsafe extern "arm-interrupt-fiq" fn fiq_with_frame(_f: &ExceptionFrame) {}

#[interrupt]
extern "arm-interrupt-svc" fn svc_writes_without_unsafe(f: &mut ExceptionFrame) {
    f.r0 = 0;
}

#[interrupt]
extern "cortex-m-interrupt" fn cortex_m_with_args(_f: &ExceptionFrame) {}

#[interrupt(el2)]
extern "riscv-interrupt-m" fn el2_on_riscv() {}

// Options that make no sense for Cortex-M, whose NVIC nests in hardware and
// which has no abort vectors of the classic kind.
#[interrupt(nested)]
extern "cortex-m-interrupt" fn nested_cortex_m() {}

#[interrupt(data_abort)]
extern "cortex-m-interrupt" fn abort_flag_on_cortex_m() {}

fn main() {}
