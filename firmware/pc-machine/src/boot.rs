//! Entry from QEMU's PVH boot (`qemu-system-x86_64 -kernel <elf>`).
//!
//! QEMU finds the entry in the Xen ELF note `XEN_ELFNOTE_PHYS32_ENTRY` (type
//! 18, name "Xen") and jumps there in 32-bit protected mode with flat
//! segments, paging and interrupts off, and EBX pointing at the
//! `hvm_start_info` (unused). The stub zeroes `.bss`, identity-maps memory
//! (see `paging.rs`), enables PAE, long mode and paging, loads a boot GDT
//! with a 64-bit code segment, jumps to 64-bit code, takes the stack from
//! the linker script and jumps to the program's `kernel_entry`, an
//! `extern "C" fn() -> !` exported under that name.

use core::arch::global_asm;

use crate::paging::{PD_LOW, PD_MMIO, PDPT, PML4};

global_asm!(
    // The PVH entry note. On ELF64 QEMU reads the descriptor as a 64-bit
    // word (Linux emits it with `_ASM_PTR` too), so it is a `.quad`.
    ".pushsection .note.Xen, \"a\", @note",
    ".balign 4",
    ".long 4",      // name size, "Xen\0"
    ".long 8",      // descriptor size
    ".long 18",     // XEN_ELFNOTE_PHYS32_ENTRY
    ".asciz \"Xen\"",
    ".balign 4",
    ".quad pvh_start",
    ".popsection",

    ".pushsection .text.boot, \"ax\", @progbits",
    ".code32",
    ".global pvh_start",
    "pvh_start:",
    "cli",
    "cld",
    // Zero .bss (page tables, statics, stack; both ends 4-aligned).
    "mov edi, offset __bss_start",
    "mov ecx, offset __bss_end",
    "sub ecx, edi",
    "shr ecx, 2",
    "xor eax, eax",
    "rep stosd",
    // PML4[0] -> PDPT; PDPT[0] -> PD_LOW (GiB 0); PDPT[3] -> PD_MMIO (GiB 3).
    "mov eax, offset {pdpt}",
    "or eax, 3",
    "mov dword ptr [{pml4}], eax",
    "mov eax, offset {pd_low}",
    "or eax, 3",
    "mov dword ptr [{pdpt}], eax",
    "mov eax, offset {pd_mmio}",
    "or eax, 3",
    "mov dword ptr [{pdpt} + 3 * 8], eax",
    // 512 2 MiB pages each: present, writable, huge (0x83); the MMIO ones
    // also cache-disabled and write-through (0x18).
    "mov edi, offset {pd_low}",
    "mov eax, 0x83",
    "mov ecx, 512",
    "2:",
    "mov dword ptr [edi], eax",
    "add eax, 0x200000",
    "add edi, 8",
    "dec ecx",
    "jnz 2b",
    "mov edi, offset {pd_mmio}",
    "mov eax, 0xC000009B",
    "mov ecx, 512",
    "3:",
    "mov dword ptr [edi], eax",
    "add eax, 0x200000",
    "add edi, 8",
    "dec ecx",
    "jnz 3b",
    // CR4.PAE, CR3, EFER.LME, then CR0.PG (with PE, already set): this
    // activates long mode, still in a 32-bit (compatibility) code segment.
    // CR4.OSFXSR and OSXMMEXCPT, with CR0.MP set and EM, TS clear, let
    // programs built with SSE use it (without OSFXSR it raises #UD).
    "mov eax, cr4",
    "or eax, (1 << 5) | (1 << 9) | (1 << 10)",
    "mov cr4, eax",
    "mov eax, offset {pml4}",
    "mov cr3, eax",
    "mov ecx, 0xC0000080",
    "rdmsr",
    "or eax, 1 << 8",
    "wrmsr",
    "mov eax, cr0",
    "and eax, ~((1 << 2) | (1 << 3))",
    "or eax, 0x80000003",
    "mov cr0, eax",
    "lgdt [boot_gdt_pointer]",
    // Far return into the 64-bit code segment (selector 0x08): pops EIP, then CS.
    "push 0x08",
    "mov eax, offset pvh_long_mode",
    "push eax",
    "retf",

    ".code64",
    "pvh_long_mode:",
    "mov ax, 0x10",
    "mov ds, ax",
    "mov es, ax",
    "mov ss, ax",
    "mov fs, ax",
    "mov gs, ax",
    "lea rsp, [rip + __stack_top]",
    // No return address: the entry never returns, and its frame starts
    // 16-aligned minus 8, as after a call.
    "push 0",
    "jmp kernel_entry",

    // Null, 64-bit code (L=1, selector `KERNEL_CODE`), data. A program may
    // replace it, keeping those two selectors (x86-pc adds a TSS).
    ".balign 8",
    "boot_gdt:",
    ".quad 0",
    ".quad 0x00AF9A000000FFFF",
    ".quad 0x00CF92000000FFFF",
    "boot_gdt_pointer:",
    ".word boot_gdt_pointer - boot_gdt - 1",
    ".long boot_gdt",
    ".popsection",
    pml4 = sym PML4,
    pdpt = sym PDPT,
    pd_low = sym PD_LOW,
    pd_mmio = sym PD_MMIO,
);
