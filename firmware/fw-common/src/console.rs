//! `print!`/`println!` plumbing: `core::fmt` output to a board's serial
//! console, one byte at a time through the board's byte output function.
//!
//! A board defines its own `print!`/`println!` on top of [`print_to!`] and
//! [`println_to!`], naming its `put_byte`:
//!
//! ```ignore
//! macro_rules! print {
//!     ($($arg:tt)*) => { fw_common::print_to!($crate::uart::put_byte, $($arg)*) };
//! }
//! ```

use core::fmt::{self, Write};

/// `core::fmt` sink writing every byte with the function it holds;
/// stateless, so interrupt handlers may print too (their output may then
/// interleave with the interrupted code's).
pub struct Console(pub fn(u8));

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(self.0);
        Ok(())
    }
}

/// Writes `args` with `put_byte`.
pub fn print(put_byte: fn(u8), args: fmt::Arguments) {
    // Console::write_str never fails.
    let _ = Console(put_byte).write_fmt(args);
}

/// `print!` to the console whose byte output function is `$put_byte`.
#[macro_export]
macro_rules! print_to {
    ($put_byte:expr, $($arg:tt)*) => {
        $crate::console::print($put_byte, format_args!($($arg)*))
    };
}

/// `println!` to the console whose byte output function is `$put_byte`.
#[macro_export]
macro_rules! println_to {
    ($put_byte:expr $(,)?) => {
        $crate::console::print($put_byte, format_args!("\n"))
    };
    ($put_byte:expr, $($arg:tt)*) => {
        $crate::console::print($put_byte, format_args!("{}\n", format_args!($($arg)*)))
    };
}
