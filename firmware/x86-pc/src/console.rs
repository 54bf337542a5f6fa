//! `print!`/`println!` on COM1 (`pc_machine::serial`).

macro_rules! print {
    ($($arg:tt)*) => {
        fw_common::print_to!(pc_machine::serial::put_byte, $($arg)*)
    };
}

macro_rules! println {
    ($($arg:tt)*) => {
        fw_common::println_to!(pc_machine::serial::put_byte, $($arg)*)
    };
}
