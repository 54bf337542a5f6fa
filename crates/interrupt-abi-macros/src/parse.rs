//! Syntax: the attribute's options and the function item, unchecked.

use proc_macro2::{Span, TokenStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, ItemFn, Meta, Token};

/// Flags written inside `#[interrupt(..)]`, each with its span.
#[derive(Default)]
pub struct Options {
    flags: Vec<(&'static str, Span)>,
}

impl Options {
    pub fn get(&self, name: &str) -> Option<Span> {
        self.flags.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    pub fn flags(&self) -> impl Iterator<Item = (&'static str, Span)> + '_ {
        self.flags.iter().copied()
    }
}

/// Every flag `#[interrupt(..)]` knows; `check` decides which ABI takes which.
pub const FLAGS: &[&str] = &["nested", "data_abort", "prefetch_abort", "el2", "nmi"];

/// What `#[interrupt]` was applied to.
pub struct Parsed {
    pub options: Options,
    pub item: ItemFn,
    /// Mistakes in the options, reported together with the item's.
    pub option_errors: Errors,
}

pub const OPTIONS_HELP: &str = "`#[interrupt]` takes these flags: `nested` (RISC-V: save \
     `mepc`/`mstatus` so the body may re-enable interrupts), `data_abort` or `prefetch_abort` \
     (`arm-interrupt-abort`: which vector the handler serves), `el2` (`aarch64-interrupt`: the \
     exception is taken to EL2), `nmi` (`x86-interrupt`: the handler serves a non-maskable \
     vector such as NMI or machine check, and must be an `unsafe fn`)";

pub fn parse(attr: TokenStream, item: TokenStream) -> syn::Result<Parsed> {
    let mut option_errors = Errors::default();
    let options = parse_options(attr, &mut option_errors);
    match syn::parse2::<ItemFn>(item) {
        Ok(item) => Ok(Parsed {
            options,
            item,
            option_errors,
        }),
        Err(e) => Err(option_errors.fail(
            e.span(),
            format!(
                "`#[interrupt]` applies to a function with a body, \
                 `extern \"<abi>\" fn name(..) {{ .. }}`: {e}"
            ),
        )),
    }
}

fn parse_options(attr: TokenStream, errors: &mut Errors) -> Options {
    let mut options = Options::default();
    let metas =
        match syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, attr) {
            Ok(metas) => metas,
            Err(e) => {
                errors.push_at(e.span(), format!("{e}: {OPTIONS_HELP}"));
                return options;
            }
        };
    for meta in metas {
        let flag = match &meta {
            Meta::Path(p) => FLAGS.iter().find(|f| p.is_ident(f)),
            _ => None,
        };
        match flag {
            Some(f) if options.get(f).is_some() => {
                errors.push(&meta, format!("`{f}` is given twice"))
            }
            Some(f) => options.flags.push((f, syn::spanned::Spanned::span(&meta))),
            None => errors.push(&meta, format!("unknown option: {OPTIONS_HELP}")),
        }
    }
    options
}

/// Where an attribute on the handler goes.
pub enum AttrKind {
    /// `#[doc]`, `#[cfg]` and lint levels: on the `Handler` constant, whose
    /// initialiser holds the body, so lint levels reach the body too.
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
#[derive(Default, Clone)]
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

    /// Records a last error and returns all of them.
    pub fn fail(mut self, span: Span, message: impl std::fmt::Display) -> syn::Error {
        let last = syn::Error::new(span, message);
        match self.0.take() {
            Some(mut all) => {
                all.combine(last);
                all
            }
            None => last,
        }
    }

    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        self.0.map_or(Ok(value), Err)
    }
}
