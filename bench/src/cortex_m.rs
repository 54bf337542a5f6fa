//! Cortex-M (`thumbv7m-none-eabi`): only disassembled for the static
//! metrics, never booted (QEMU's M-profile boards have no counter that
//! reads single instructions; see the method in docs/bench). The entry
//! point keeps every vector in the image.

use core::arch::global_asm;

global_asm!(
    ".pushsection .rodata.bench_start, \"a\", %progbits",
    ".global bench_start",
    "bench_start:",
    ".word bench_leaf",
    ".word bench_nonleaf",
    ".word bench_deep",
    ".popsection",
);

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
