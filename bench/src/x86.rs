//! x86_64 (`x86_64-unknown-none`): only disassembled for the static
//! metrics, never booted. The entry point keeps every vector in the image.

use core::arch::global_asm;

/// The frame rustc's native `extern "x86-interrupt"` takes by value.
#[allow(dead_code)]
#[repr(C)]
pub struct Frame {
    pub instruction_pointer: u64,
    pub code_segment: u64,
    pub cpu_flags: u64,
    pub stack_pointer: u64,
    pub stack_segment: u64,
}

global_asm!(
    ".pushsection .text.bench_start, \"ax\"",
    ".global bench_start",
    "bench_start:",
    "lea rax, [rip + bench_leaf]",
    "lea rax, [rip + bench_nonleaf]",
    "lea rax, [rip + bench_deep]",
    "2: hlt",
    "jmp 2b",
    ".popsection",
);

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
