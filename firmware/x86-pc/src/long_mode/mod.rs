//! The x86_64 kernel: PVH boot into long mode, then the scenarios.

mod boot;
mod paging;

extern "C" fn kernel_entry() -> ! {
    crate::machine::disable_pic();
    println!("hello from {}", env!("FIRMWARE_TARGET"));
    crate::machine::exit_success()
}
