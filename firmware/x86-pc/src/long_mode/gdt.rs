//! The long-mode GDT and TSS.
//!
//! The TSS matters here only for its interrupt stack table: the double-fault
//! gate names IST 1, so the CPU switches to a dedicated stack before pushing
//! the frame. A double fault caused by a broken stack (the classic kernel
//! stack overflow) then still has a stack to run on. The NMI gate names
//! IST 2, as kernels do: an NMI may arrive at any instruction, even one
//! that has just switched stacks.

use core::arch::asm;
use core::mem::size_of;
use core::ops::Range;

/// Selectors of [`GDT`]: the same layout as the boot stub's GDT, plus the TSS.
pub use pc_machine::KERNEL_CODE;
pub const KERNEL_DATA: u16 = 0x10;
const TSS_SELECTOR: u16 = 0x18;

/// IST slot (1-based, as the gate names it) of the double-fault stack.
pub const DOUBLE_FAULT_IST: u8 = 1;
/// IST slot of the NMI stack.
pub const NMI_IST: u8 = 2;

const IST_STACK_SIZE: usize = 16 * 1024;

/// The 64-bit task-state segment (Intel SDM vol. 3, figure 8-11).
#[repr(C, packed(4))]
struct Tss {
    reserved0: u32,
    /// Stacks for privilege changes to rings 0-2 (unused: everything runs in ring 0).
    rsp: [u64; 3],
    reserved1: u64,
    /// Interrupt stack table, IST1..IST7.
    ist: [u64; 7],
    reserved2: u64,
    reserved3: u16,
    /// Offset of the I/O permission bitmap; past the limit means none.
    iomap_base: u16,
}

static mut TSS: Tss = Tss {
    reserved0: 0,
    rsp: [0; 3],
    reserved1: 0,
    ist: [0; 7],
    reserved2: 0,
    reserved3: 0,
    iomap_base: size_of::<Tss>() as u16,
};

#[repr(C, align(16))]
struct Stack([u8; IST_STACK_SIZE]);

static mut DOUBLE_FAULT_STACK: Stack = Stack([0; IST_STACK_SIZE]);
static mut NMI_STACK: Stack = Stack([0; IST_STACK_SIZE]);

/// Null, kernel code (64-bit), kernel data, TSS (two slots: 16-byte descriptor).
static mut GDT: [u64; 5] = [0, 0x00AF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF, 0, 0];

/// The address range of the double-fault stack, for checks in its handler.
pub fn double_fault_stack() -> Range<u64> {
    let start = (&raw const DOUBLE_FAULT_STACK) as u64;
    start..start + IST_STACK_SIZE as u64
}

/// The address range of the NMI stack.
pub fn nmi_stack() -> Range<u64> {
    let start = (&raw const NMI_STACK) as u64;
    start..start + IST_STACK_SIZE as u64
}

/// Loads the GDT with the TSS, reloads the segment registers and the task
/// register.
pub fn init() {
    let tss = (&raw const TSS) as u64;
    let limit = size_of::<Tss>() as u64 - 1;
    // Available 64-bit TSS (type 9), present: low 8 bytes as a code/data
    // descriptor would have them, high 8 bytes the upper half of the base.
    let low = (limit & 0xFFFF)
        | ((tss & 0xFF_FFFF) << 16)
        | (0x89 << 40)
        | (((limit >> 16) & 0xF) << 48)
        | (((tss >> 24) & 0xFF) << 56);
    let high = tss >> 32;
    #[repr(C, packed)]
    struct Pointer {
        limit: u16,
        base: u64,
    }
    // SAFETY: single CPU, before interrupts are enabled; the statics live
    // forever, as the CPU requires of the GDT and TSS.
    unsafe {
        (*(&raw mut TSS)).ist[usize::from(DOUBLE_FAULT_IST - 1)] = double_fault_stack().end;
        (*(&raw mut TSS)).ist[usize::from(NMI_IST - 1)] = nmi_stack().end;
        let gdt = &raw mut GDT;
        (*gdt)[3] = low;
        (*gdt)[4] = high;
        let pointer = Pointer {
            limit: (size_of::<[u64; 5]>() - 1) as u16,
            base: gdt as u64,
        };
        asm!(
            "lgdt [{pointer}]",
            // Reload CS with a far return: push selector and target, retfq.
            "push {code}",
            "lea {tmp}, [rip + 2f]",
            "push {tmp}",
            "retfq",
            "2:",
            "mov ds, {data:e}",
            "mov es, {data:e}",
            "mov ss, {data:e}",
            "ltr {tss:x}",
            pointer = in(reg) &pointer,
            code = const KERNEL_CODE,
            data = in(reg) u32::from(KERNEL_DATA),
            tss = in(reg) TSS_SELECTOR,
            tmp = out(reg) _,
        );
    }
}
