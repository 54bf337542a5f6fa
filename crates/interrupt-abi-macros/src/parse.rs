//! Syntax: the attribute's options and the function item, unchecked.

use proc_macro2::{Span, TokenStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, ItemFn, Meta, Token};

/// Options written inside `#[interrupt(..)]`.
#[derive(Default)]
pub struct Options {
    /// `nested`: save `xepc`/`xstatus` so the body may re-enable interrupts.
    pub nested: Option<Span>,
}

/// What `#[interrupt]` was applied to.
pub struct Parsed {
    pub options: Options,
    pub item: ItemFn,
}

pub const OPTIONS_HELP: &str = "`#[interrupt]` takes no options, or `#[interrupt(nested)]` \
     (RISC-V: save `mepc`/`mstatus` so the body may re-enable interrupts)";

pub fn parse(attr: TokenStream, item: TokenStream) -> syn::Result<Parsed> {
    let options = parse_options(attr);
    let item = syn::parse2::<ItemFn>(item).map_err(|e| {
        syn::Error::new(
            e.span(),
            format!(
                "`#[interrupt]` applies to a function with a body, \
                 `extern \"<abi>\" fn name(..) {{ .. }}`: {e}"
            ),
        )
    });
    match (options, item) {
        (Ok(options), Ok(item)) => Ok(Parsed { options, item }),
        (Err(mut a), Err(b)) => {
            a.combine(b);
            Err(a)
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

fn parse_options(attr: TokenStream) -> syn::Result<Options> {
    let metas = syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, attr)
        .map_err(|e| syn::Error::new(e.span(), format!("{e}: {OPTIONS_HELP}")))?;
    let mut options = Options::default();
    let mut errors = Errors::default();
    for meta in metas {
        match &meta {
            Meta::Path(p) if p.is_ident("nested") && options.nested.is_none() => {
                options.nested = Some(syn::spanned::Spanned::span(p));
            }
            Meta::Path(p) if p.is_ident("nested") => errors.push(p, "`nested` is given twice"),
            _ => errors.push(&meta, format!("unknown option: {OPTIONS_HELP}")),
        }
    }
    errors.finish(options)
}

/// Where an attribute on the handler goes.
pub enum AttrKind {
    /// `#[doc]`, `#[cfg]` and lint levels: on the `Handler` constant.
    Item,
    /// `link_section`: on the entry symbol.
    LinkSection,
    /// `export_name`: on the entry symbol.
    ExportName,
    /// `no_mangle`: becomes `export_name = "<name>"` on the entry symbol.
    NoMangle,
    Unsupported,
}

pub const ATTRS_HELP: &str = "an interrupt handler accepts `#[doc]`, `#[cfg]`, lint attributes \
     (`allow`, `warn`, `deny`, `forbid`, `expect`), `#[unsafe(link_section = ..)]`, \
     `#[unsafe(export_name = ..)]` and `#[unsafe(no_mangle)]`";

/// Classifies an attribute, looking through `unsafe(..)`.
pub fn attr_kind(attr: &Attribute) -> AttrKind {
    let inner;
    let path = if attr.path().is_ident("unsafe") {
        match attr.parse_args::<Meta>() {
            Ok(meta) => {
                inner = meta;
                inner.path()
            }
            Err(_) => return AttrKind::Unsupported,
        }
    } else {
        attr.path()
    };
    let Some(name) = path.get_ident().map(ToString::to_string) else {
        return AttrKind::Unsupported;
    };
    match name.as_str() {
        "doc" | "cfg" | "allow" | "warn" | "deny" | "forbid" | "expect" => AttrKind::Item,
        "link_section" => AttrKind::LinkSection,
        "export_name" => AttrKind::ExportName,
        "no_mangle" => AttrKind::NoMangle,
        _ => AttrKind::Unsupported,
    }
}

/// Collects errors so that all of an item's mistakes are reported at once.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.add(syn::Error::new_spanned(tokens, message));
    }

    pub fn push_at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.add(syn::Error::new(span, message));
    }

    fn add(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        self.0.map_or(Ok(value), Err)
    }
}
