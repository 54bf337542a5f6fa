//! Entry from QEMU's multiboot (v1) loader (`qemu-system-i386 -kernel <elf>`).
//!
//! QEMU enters `multiboot_start` in 32-bit protected mode with flat
//! segments, paging and interrupts off, EAX = 0x2BADB002 and EBX pointing at
//! the multiboot information (unused); GDTR and ESP are undefined. The stub
//! zeroes `.bss`, takes the stack from the linker script, loads its own flat
//! GDT, enables the FPU and SSE (Rust code for this target may use them) and
//! calls [`kernel_entry`](super::kernel_entry).

use core::arch::global_asm;

global_asm!(
    // Multiboot 1 header: magic, flags (none: the ELF headers say where
    // to load), checksum making the three words sum to 0.
    ".pushsection .multiboot, \"a\"",
    ".balign 4",
    ".long 0x1BADB002",
    ".long 0",
    ".long -0x1BADB002",
    ".popsection",

    ".pushsection .text.boot, \"ax\", @progbits",
    ".global multiboot_start",
    "multiboot_start:",
    "cli",
    "cld",
    "mov edi, offset __bss_start",
    "mov ecx, offset __bss_end",
    "sub ecx, edi",
    "shr ecx, 2",
    "xor eax, eax",
    "rep stosd",
    "mov esp, offset __stack_top",
    "lgdt [boot_gdt_pointer]",
    // Reload CS (selector 0x08) with a far return, then the data segments.
    "push 0x08",
    "mov eax, offset multiboot_flat",
    "push eax",
    "retf",
    "multiboot_flat:",
    "mov ax, 0x10",
    "mov ds, ax",
    "mov es, ax",
    "mov ss, ax",
    "mov fs, ax",
    "mov gs, ax",
    // FPU and SSE: CR0.EM = 0, CR0.MP = 1, CR0.TS = 0; CR4.OSFXSR and
    // CR4.OSXMMEXCPT = 1 (without OSFXSR SSE instructions raise #UD).
    "mov eax, cr0",
    "and eax, ~((1 << 2) | (1 << 3))",
    "or eax, 1 << 1",
    "mov cr0, eax",
    "mov eax, cr4",
    "or eax, (1 << 9) | (1 << 10)",
    "mov cr4, eax",
    "fninit",
    // A return address slot, as after a call, keeps the stack as aligned
    // as the compiler assumes (16 at the call).
    "push 0",
    "jmp {entry}",

    // Null, flat 32-bit code, flat data.
    ".balign 8",
    "boot_gdt:",
    ".quad 0",
    ".quad 0x00CF9A000000FFFF",
    ".quad 0x00CF92000000FFFF",
    "boot_gdt_pointer:",
    ".word boot_gdt_pointer - boot_gdt - 1",
    ".long boot_gdt",
    ".popsection",
    entry = sym super::kernel_entry,
);
