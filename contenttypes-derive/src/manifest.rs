//! The check that closes the migrations build helper's blind spot.
//!
//! The build helper (`contenttypes::build::Migrations`, from `build.rs`) plans migrations
//! from the source text it scans, and writes the fingerprints of the models it saw to
//! `OUT_DIR/contenttypes_manifest.rs`. When that file exists, each `#[derive(Model)]`
//! asserts at compile time that its own fingerprint is listed: a model the scanner could
//! not see (made by a macro, derived through `cfg_attr`, in an `include!`d file, outside the
//! scanned crate roots) is a compile error instead of a table silently missing from the
//! migrations. Crates without the build helper have no manifest, and no check. Test builds
//! (`cfg(test)`) are not checked: test models are not part of the schema.

use std::path::Path;

use contenttypes_core::codegen::ModelSpec;
use contenttypes_core::migrate::manifest::{fingerprint, FILE_NAME};
use proc_macro2::TokenStream;
use quote::quote_spanned;

/// The assertion for this model, when the crate being compiled has a manifest.
pub fn check(spec: &ModelSpec) -> TokenStream {
    let out_dir = std::env::var_os("OUT_DIR");
    check_with(spec, out_dir.as_deref().map(Path::new))
}

fn check_with(spec: &ModelSpec, out_dir: Option<&Path>) -> TokenStream {
    match out_dir {
        Some(dir) if dir.join(FILE_NAME).is_file() => {}
        _ => return TokenStream::new(),
    }
    let fp = fingerprint(spec);
    let file = format!("/{FILE_NAME}");
    let message = format!(
        "contenttypes: the migrations build helper did not see the model `{}` ({}.{}) as declared here, \
         so its table would be missing from the migrations. It reads the module tree of src/ (lib.rs, \
         main.rs, bin/) from build.rs: a model made by a macro, derived through `cfg_attr`, declared in \
         an `include!`d file or in a file outside those module trees is invisible to it. Declare the \
         model as a plain struct in a scanned module, or add its crate root with `Migrations::crate_root`.",
        spec.ident, spec.app_label.value, spec.model_name.value
    );
    quote_spanned! {spec.ident.span()=>
        #[cfg(not(test))]
        const _: () = {
            const __CONTENTTYPES_SEEN: &[u64] =
                ::core::include!(::core::concat!(::core::env!("OUT_DIR"), #file));
            const fn __contenttypes_seen(seen: &[u64], fingerprint: u64) -> bool {
                let mut i = 0;
                while i < seen.len() {
                    if seen[i] == fingerprint {
                        return true;
                    }
                    i += 1;
                }
                false
            }
            ::core::assert!(__contenttypes_seen(__CONTENTTYPES_SEEN, #fp), #message);
        };
    }
}

#[cfg(test)]
mod tests {
    use contenttypes_core::codegen::{parse_derive_input, ParseContext};

    use super::*;

    #[test]
    fn asserts_only_when_the_crate_has_a_manifest() {
        let input: syn::DeriveInput =
            syn::parse_str("#[model(app_label = \"blog\")] struct Article { id: i64 }").unwrap();
        let spec = parse_derive_input(&input, &ParseContext::new("app")).unwrap();
        assert!(check_with(&spec, None).is_empty());
        let dir = std::env::temp_dir().join(format!("contenttypes-derive-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(check_with(&spec, Some(&dir)).is_empty());
        std::fs::write(dir.join(FILE_NAME), "&[]").unwrap();
        let tokens = check_with(&spec, Some(&dir)).to_string();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(tokens.contains("contenttypes_manifest.rs"), "{tokens}");
        assert!(
            tokens.contains(&format!("{}u64", fingerprint(&spec))),
            "{tokens}"
        );
        assert!(
            tokens.contains("did not see the model `Article` (blog.article)"),
            "{tokens}"
        );
        assert!(tokens.contains("# [cfg (not (test))]"), "{tokens}");
    }
}
