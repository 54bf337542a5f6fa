//! The `#[interrupt]` attribute. Use it through the `interrupt-abi` crate.
//!
//! The pipeline is [`parse`] (syntax into a model) -> [`check`] (every rule of
//! the ABI, all errors collected) -> [`expand`] (a `Handler` constant, the body
//! and one naked trampoline per target variant from the codegen crate).

use proc_macro::TokenStream;

mod check;
mod expand;
mod parse;

/// Turns `extern "<abi>" fn` into a hardware-callable `interrupt_abi::Handler`.
///
/// See the `interrupt-abi` crate documentation.
#[proc_macro_attribute]
pub fn interrupt(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_interrupt(attr.into(), item.into()).into()
}

/// The whole front end on `proc_macro2` tokens, so tests can drive it.
fn expand_interrupt(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let parsed = match parse::parse(attr, item) {
        Ok(parsed) => parsed,
        Err(e) => return e.into_compile_error(),
    };
    match check::check(&parsed) {
        Ok(checked) => expand::expand(&parsed, &checked),
        Err(e) => {
            let mut out = e.into_compile_error();
            out.extend(expand::placeholder(&parsed));
            out
        }
    }
}

#[cfg(test)]
mod fuzz;
