use interrupt_abi::interrupt;

#[interrupt]
struct NotAFunction;

unsafe extern "C" {
    #[interrupt]
    fn declared_only();
}

fn main() {}
