//! Identity-mapped page tables, and the one mapping the page-fault test adds.
//!
//! The boot stub (`boot.rs`) fills these tables before it enables paging:
//! the first GiB (kernel, RAM) and the fourth (local APIC MMIO at
//! 0xFEE0_0000) are identity-mapped with 2 MiB pages. Everything else is not
//! present, so an access to the second GiB page-faults, which is what the
//! page-fault scenario wants; its handler maps one 4 KiB page there.

/// One page-table page: 512 entries.
#[repr(C, align(4096))]
pub struct Table(pub [u64; 512]);

impl Table {
    const EMPTY: Table = Table([0; 512]);
}

pub const PRESENT: u64 = 1 << 0;
pub const WRITABLE: u64 = 1 << 1;

/// Top level. The stub points CR3 here.
pub static mut PML4: Table = Table::EMPTY;
/// The first 512 GiB.
pub static mut PDPT: Table = Table::EMPTY;
/// GiB 0, 2 MiB pages.
pub static mut PD_LOW: Table = Table::EMPTY;
/// GiB 3, 2 MiB pages, uncached: MMIO (local APIC, I/O APIC).
pub static mut PD_MMIO: Table = Table::EMPTY;

/// Page directory and page table for GiB 1, linked in by [`map_page`].
static mut PD_EXTRA: Table = Table::EMPTY;
static mut PT_EXTRA: Table = Table::EMPTY;

/// Start of the second GiB, not mapped at boot.
pub const UNMAPPED_BASE: u64 = 0x4000_0000;

/// Maps the 4 KiB page at `virt` (in the first 2 MiB of the second GiB) to
/// the physical page `phys`.
///
/// # Safety
///
/// `phys` must be a 4 KiB-aligned page that nothing else uses through a
/// different type, and `virt` must not be in use yet.
pub unsafe fn map_page(virt: u64, phys: u64) {
    assert!(
        (UNMAPPED_BASE..UNMAPPED_BASE + 0x20_0000).contains(&virt),
        "map_page handles the first 2 MiB of GiB 1 only"
    );
    assert_eq!(phys % 4096, 0);
    let pt_index = ((virt - UNMAPPED_BASE) >> 12) as usize;
    // SAFETY: single CPU; the tables are only written here and by the boot
    // stub, which ran before any Rust code. The identity map makes a
    // table's address its physical address.
    unsafe {
        (*(&raw mut PT_EXTRA)).0[pt_index] = phys | PRESENT | WRITABLE;
        (*(&raw mut PD_EXTRA)).0[0] = (&raw const PT_EXTRA) as u64 | PRESENT | WRITABLE;
        (*(&raw mut PDPT)).0[1] = (&raw const PD_EXTRA) as u64 | PRESENT | WRITABLE;
        // A not-present entry is never cached in the TLB, but the page
        // walk's upper levels may be: flush the address to be safe.
        core::arch::asm!("invlpg [{}]", in(reg) virt, options(nostack, preserves_flags));
    }
}
