//! Code generation: the `Handler` constant wrapping the body and one naked
//! trampoline per convention variant of the ABI, each under its `cfg`.

use interrupt_abi_codegen::Abi;
use interrupt_abi_codegen::abi::Variant;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Attribute;
use syn::spanned::Spanned;

use crate::check::{Checked, abi_of};
use crate::parse::{AttrKind, Parsed, attr_kind};

pub fn expand(parsed: &Parsed, checked: &Checked) -> TokenStream {
    let item = &parsed.item;
    let sig = &item.sig;
    let abi = checked.abi;
    let marker = format_ident!("{}", abi.marker());
    let body = body_ident();
    let (unsafety, inputs, output, block) = (&sig.unsafety, &sig.inputs, &sig.output, &item.block);

    let type_checks = type_checks(checked, &marker);
    let entry_attrs = entry_attrs(parsed);
    if abi.body_is_entry() {
        // Cortex-M stacks the caller-saved registers itself: the body is the
        // entry, and the entry symbol's attributes go on it.
        let fn_ty = quote!(#unsafety extern "C" fn() #output);
        let select = select_variant(parsed, abi, |_| Ok(TokenStream::new()));
        return handler_item(
            parsed,
            &marker,
            quote! {
                #(#entry_attrs)*
                #unsafety extern "C" fn #body() #output #block
                #select
                unsafe {
                    ::interrupt_abi::Handler::__new(
                        ::core::mem::transmute::<#fn_ty, unsafe extern "C" fn()>(#body),
                    )
                }
            },
        );
    }

    // The trampolines call the body with the C convention of the target; on
    // x86_64 pin it to SysV, which they are written for (also on UEFI).
    let body_fn = if abi == Abi::X86Interrupt {
        quote! {
            #[cfg(target_arch = "x86_64")]
            #unsafety extern "sysv64" fn #body(#inputs) #output #block
            #[cfg(not(target_arch = "x86_64"))]
            #unsafety extern "C" fn #body(#inputs) #output #block
        }
    } else {
        quote!(#unsafety extern "C" fn #body(#inputs) #output #block)
    };
    // Exceptions enter classic ARM cores in A32 state, whatever the target's
    // default instruction set.
    let instruction_set = abi
        .a32_entry()
        .then(|| quote!(#[instruction_set(arm::a32)]));
    let entry = entry_ident();
    let select = select_variant(parsed, abi, |variant| {
        let template = abi
            .emit(variant, checked.shape)
            .map_err(|e| {
                let msg = format!(
                    "interrupt-abi could not emit the `{}` entry: {e}",
                    variant.convention.name
                );
                syn::Error::new(Span::call_site(), msg).into_compile_error()
            })?
            .template();
        Ok(quote! {
            #[unsafe(naked)]
            #instruction_set
            #(#entry_attrs)*
            unsafe extern "C" fn #entry() {
                ::core::arch::naked_asm!(#template, body = sym #body)
            }
        })
    });
    handler_item(
        parsed,
        &marker,
        quote! {
            #body_fn
            #type_checks
            #select
            unsafe { ::interrupt_abi::Handler::__new(#entry) }
        },
    )
}

/// A stand-in emitted next to errors, so that uses of the name elsewhere do
/// not produce a second wave of unrelated errors.
pub fn placeholder(parsed: &Parsed) -> TokenStream {
    match abi_of(parsed) {
        Some(abi) => {
            let marker = format_ident!("{}", abi.marker());
            handler_item(
                parsed,
                &marker,
                quote! {
                    unsafe { ::interrupt_abi::Handler::__new(::interrupt_abi::__private::placeholder_entry) }
                },
            )
        }
        None => {
            let (vis, ident) = (&parsed.item.vis, &parsed.item.sig.ident);
            quote!(#[allow(non_upper_case_globals, dead_code)] #vis const #ident: () = ();)
        }
    }
}

fn handler_item(parsed: &Parsed, marker: &Ident, init: TokenStream) -> TokenStream {
    let (vis, ident) = (&parsed.item.vis, &parsed.item.sig.ident);
    let attrs = parsed
        .item
        .attrs
        .iter()
        .filter(|a| matches!(attr_kind(a), AttrKind::Item));
    quote! {
        #(#attrs)*
        #[allow(non_upper_case_globals)]
        #vis const #ident: ::interrupt_abi::Handler<::interrupt_abi::abi::#marker> = { #init };
    }
}

fn body_ident() -> Ident {
    Ident::new(interrupt_abi_codegen::BODY_SYMBOL, Span::mixed_site())
}

fn entry_ident() -> Ident {
    Ident::new(interrupt_abi_codegen::ENTRY_SYMBOL, Span::mixed_site())
}

/// `link_section` and `export_name` as written; `no_mangle` becomes an
/// `export_name` with the handler's name, since the entry is a nested item.
fn entry_attrs(parsed: &Parsed) -> Vec<TokenStream> {
    let name = parsed.item.sig.ident.to_string();
    parsed
        .item
        .attrs
        .iter()
        .filter_map(|a: &Attribute| match attr_kind(a) {
            AttrKind::LinkSection | AttrKind::ExportName => Some(a.to_token_stream()),
            AttrKind::NoMangle => Some(quote_spanned!(a.span()=> #[unsafe(export_name = #name)])),
            AttrKind::Item | AttrKind::Unsupported => None,
        })
        .collect()
}

/// Trait bounds on the user's frame and error-code types, spanned on them so
/// rustc's error points there.
fn type_checks(checked: &Checked, marker: &Ident) -> TokenStream {
    let mut out = TokenStream::new();
    if let Some((ty, _)) = &checked.frame {
        out.extend(quote_spanned! {ty.span()=>
            const _: () = ::interrupt_abi::__private::assert_frame::<::interrupt_abi::abi::#marker, #ty>();
        });
    }
    if let Some(ty) = &checked.error_code {
        out.extend(quote_spanned! {ty.span()=>
            const _: () = ::interrupt_abi::__private::assert_error_code::<::interrupt_abi::abi::#marker, #ty>();
        });
    }
    out
}

/// `__select_variant!` over the ABI's variants: the runtime crate keeps the
/// one its build script chose for the target, or the `_` arm, which holds the
/// errors (on the ABI string) for targets no variant fits.
fn select_variant(
    parsed: &Parsed,
    abi: Abi,
    arm: impl Fn(&Variant) -> Result<TokenStream, TokenStream>,
) -> TokenStream {
    let mut arms = TokenStream::new();
    for variant in abi.variants() {
        let id = Ident::new(variant.id, Span::call_site());
        match arm(variant) {
            Ok(tokens) => arms.extend(quote!(#id => { #tokens })),
            Err(error) => return error,
        }
    }
    let span = parsed
        .item
        .sig
        .abi
        .as_ref()
        .and_then(|a| a.name.as_ref())
        .map_or(Span::call_site(), |name| name.span());
    let mut arches: Vec<&str> = abi.variants().iter().map(|v| v.cfg.arch).collect();
    arches.dedup();
    let wrong_arch = format!(
        "`extern \"{}\"` exists only on {}; exclude this handler from other targets with `#[cfg(..)]`",
        abi.name(),
        abi.targets()
    );
    let wrong_features = format!(
        "`extern \"{}\"` does not support this target: {}",
        abi.name(),
        abi.unsupported_features_help()
    );
    let wrong_arch = syn::Error::new(span, wrong_arch).into_compile_error();
    let wrong_features = syn::Error::new(span, wrong_features).into_compile_error();
    let entry = entry_ident();
    quote! {
        ::interrupt_abi::__select_variant! {
            #arms
            _ => {
                #[cfg(not(any(#(target_arch = #arches),*)))]
                #wrong_arch
                #[cfg(any(#(target_arch = #arches),*))]
                #wrong_features
                unsafe extern "C" fn #entry() {}
            }
        }
    }
}
