//! The email preview: a Yespo template's HTML made safe to show in `<iframe sandbox="" srcdoc=…>`,
//! its remote images held back until the user asks for them, then fetched here and inlined.
//!
//! Three layers, none trusted alone (import-and-browse-notes.md §4):
//! 1. this module: ammonia's allow-list over the body, a CSS filter over `<style>` and `style=""`,
//!    remote `<img src>` moved to `data-remote-src`;
//! 2. the document's own Content-Security-Policy `<meta>` ([`CONTENT_SECURITY_POLICY`]): an older
//!    WebKitGTK may not give a dynamically set `srcdoc` the parent's CSP, so it does not rely on that;
//! 3. the UI's `sandbox=""`: no scripts, no same origin (no IPC), no popups, no top navigation.
//!
//! [`Removed`] describes what was taken out, for a "blocked" line; it is counted by a separate look
//! over the parsed document and the safety does not depend on it.

use crate::html;
use base64::Engine as _;
use cssparser::{Delimiter, ParseError, Parser, ToCss, Token, TokenSerializationType};
use futures_util::stream::{self, StreamExt};
use html5ever::{ns, LocalName, QualName};
use scraper::{ElementRef, Html, Node};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::Duration;
use url::Url;

/// The policy the preview document carries itself: nothing loads but inline images, inline
/// styles and inline fonts, and no form can post.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'";

/// The attribute a held-back image's address is moved to (from `src`).
pub const REMOTE_SRC: &str = "data-remote-src";

/// A template ready for the preview frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PreparedEmail {
    /// A complete HTML document for the frame's `srcdoc`.
    pub document: String,
    /// The distinct absolute http(s) addresses of the images the document holds back, in order.
    pub remote_images: Vec<String>,
    /// What was taken out.
    pub removed: Removed,
}

/// How many of each kind of thing the preview took out of the template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Removed {
    /// `<script>` elements, with their code.
    pub scripts: u32,
    /// `on…` attributes (`onclick`, `onerror`, `onload`…).
    pub event_handlers: u32,
    /// Links and image sources with a scheme other than http, https, mailto or tel
    /// (`javascript:`, `vbscript:`, `data:` that is not a raster image…).
    pub unsafe_urls: u32,
    /// Relative links and image sources: the preview has no address to resolve them against.
    pub relative_urls: u32,
    /// `<form>`, `<input>`, `<button>`, `<select>` and `<textarea>` (a button's text stays).
    pub forms: u32,
    /// `<iframe>`, `<frame>`, `<frameset>`, `<object>`, `<embed>`, `<applet>`, `<video>`, `<audio>`.
    pub embeds: u32,
    /// `<svg>` and `<math>` elements, with their content.
    pub svg_and_math: u32,
    /// `<meta http-equiv="refresh">`.
    pub meta_refresh: u32,
    /// `<base>` elements.
    pub base_elements: u32,
    /// `<link>` elements: external stylesheets, icons, preloads.
    pub link_elements: u32,
    /// `srcset` and `background` attributes: only `<img src>` images can be loaded.
    pub image_attributes: u32,
    /// CSS `@import` rules.
    pub css_imports: u32,
    /// CSS `url()`s (and `image-set()` strings) to anything but an inline `data:` image or font.
    pub css_urls: u32,
    /// CSS that runs code in old browsers: `expression()`, `behavior`, `-moz-binding`.
    pub css_scripts: u32,
    /// Other CSS at-rules the preview does not keep (`@namespace`, `@-moz-document`…).
    pub css_at_rules: u32,
}

impl Removed {
    /// Everything taken out, all kinds together.
    pub fn total(&self) -> u32 {
        let Removed {
            scripts,
            event_handlers,
            unsafe_urls,
            relative_urls,
            forms,
            embeds,
            svg_and_math,
            meta_refresh,
            base_elements,
            link_elements,
            image_attributes,
            css_imports,
            css_urls,
            css_scripts,
            css_at_rules,
        } = self;
        [
            scripts,
            event_handlers,
            unsafe_urls,
            relative_urls,
            forms,
            embeds,
            svg_and_math,
            meta_refresh,
            base_elements,
            link_elements,
            image_attributes,
            css_imports,
            css_urls,
            css_scripts,
            css_at_rules,
        ]
        .into_iter()
        .sum()
    }
}

/// Makes a template's HTML (and its separate CSS, if any) safe for the preview frame.
pub fn prepare(html: &str, css: Option<&str>) -> PreparedEmail {
    let mut removed = Removed::default();
    let mut page = Html::parse_document(html);
    look_over(&page, &mut removed);
    hold_back_remote_images(&mut page);

    // The separate stylesheet first, as if linked before the email's own <style> blocks.
    let mut styles = css.map(|css| filter_stylesheet(css, &mut removed)).unwrap_or_default();
    for style in page.tree.nodes().filter_map(ElementRef::wrap).filter(|e| is_html_element(e, "style")) {
        styles.push_str(&filter_stylesheet(&style.text().collect::<String>(), &mut removed));
    }

    let body = page.root_element().child_elements().find(|e| is_html_element(e, "body"));
    let body_attributes = body.map(|body| body_attributes(&body)).unwrap_or_default();
    let content = body.map(|body| SANITIZER.clean(&body.inner_html()).to_string()).unwrap_or_default();

    let document = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\
         <base target=\"_blank\"><style>{styles}</style></head><body{body_attributes}>{content}</body></html>"
    );
    // Listed from the sanitised document, so an image ammonia dropped (inside an <svg>, say) is
    // never offered for loading.
    let remote_images = held_back_images(&document);
    PreparedEmail { document, remote_images, removed }
}

/// The prepared document with each held-back image that was fetched put back as a `data:` URI.
pub fn with_images(prepared: &PreparedEmail, images: &HashMap<String, InlineImage>) -> String {
    let mut page = Html::parse_document(&prepared.document);
    let targets: Vec<_> = page
        .tree
        .nodes()
        .filter_map(|node| {
            let element = ElementRef::wrap(node)?;
            let image = images.get(element.attr(REMOTE_SRC)?)?;
            (is_html_element(&element, "img") && image.is_well_formed()).then(|| (node.id(), image.data_uri.clone()))
        })
        .collect();
    for (id, data_uri) in targets {
        if let Some(Node::Element(element)) = page.tree.get_mut(id).as_mut().map(|node| node.value()) {
            replace_attribute(element, REMOTE_SRC, "src", &data_uri);
        }
    }
    page.html()
}

// ---------------------------------------------------------------------------------------------
// The HTML.

/// ammonia's allow-list, set up once: email layout (tables and their presentational attributes,
/// `<font>`, `style`, `class`) stays; everything that runs, loads, posts or navigates goes.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(CONTENT_REMOVED_WITH_TAG.iter().copied().collect())
        .generic_attributes(ATTRIBUTES.iter().copied().collect())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href"])),
            ("area", HashSet::from(["href", "shape", "coords"])),
            ("img", HashSet::from(["src", REMOTE_SRC, "usemap"])),
        ]))
        // `data` only so that attribute_filter sees it and keeps inline raster images.
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel", "data"]))
        .url_relative(ammonia::UrlRelative::Deny)
        // The frame is sandboxed without allow-popups, so a new-window link is inert; one
        // without a target would load the page into the frame.
        .set_tag_attribute_value("a", "target", "_blank")
        .set_tag_attribute_value("area", "target", "_blank")
        .attribute_filter(kept_attribute);
    builder
});

#[rustfmt::skip]
const TAGS: &[&str] = &[
    "a", "abbr", "address", "area", "article", "aside", "b", "bdi", "bdo", "big", "blockquote",
    "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "main", "map", "mark", "nav", "ol",
    "p", "pre", "q", "s", "samp", "section", "small", "span", "strike", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var",
    "wbr",
];

/// Tags whose content goes too: code, raw text that would show as markup, or things that only
/// make sense when they run or load.
#[rustfmt::skip]
const CONTENT_REMOVED_WITH_TAG: &[&str] = &[
    "script", "style", "title", "noscript", "template", "iframe", "frame", "frameset", "noframes",
    "object", "embed", "applet", "noembed", "svg", "math", "select", "textarea", "video", "audio",
    "xmp", "plaintext",
];

/// Attributes on any allowed tag: none of them loads or runs anything (`style` is filtered).
#[rustfmt::skip]
const ATTRIBUTES: &[&str] = &[
    "align", "alt", "aria-hidden", "aria-label", "bgcolor", "border", "bordercolor", "cellpadding",
    "cellspacing", "class", "color", "colspan", "dir", "face", "headers", "height", "hspace", "id",
    "lang", "name", "nowrap", "role", "rowspan", "scope", "size", "span", "start", "style",
    "summary", "title", "type", "valign", "vspace", "width",
];

/// `<body>` attributes carried over to the preview's own `<body>` (`style` is filtered).
const BODY_ATTRIBUTES: &[&str] = &["alink", "bgcolor", "class", "dir", "id", "lang", "link", "style", "text", "vlink"];

const LINK_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Image types the preview shows inline (by `data:` URI in the template, or fetched). No SVG: as a
/// document it can carry scripts.
const INLINE_IMAGE_TYPES: &[&str] =
    &["image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/avif", "image/vnd.microsoft.icon"];

/// ammonia's last word on each attribute it kept. It has already checked the scheme of `href`
/// and `src` against [`SANITIZER`]'s list (which includes `data` only for this check).
fn kept_attribute<'v>(element: &str, attribute: &str, value: &'v str) -> Option<Cow<'v, str>> {
    match attribute {
        // Counted already, by look_over.
        "style" => {
            Some(filter_declarations(value, &mut Removed::default())).filter(|css| !css.is_empty()).map(Cow::Owned)
        }
        "src" => (element == "img" && is_inline_image(value)).then_some(Cow::Borrowed(value)),
        REMOTE_SRC => remote_image_url(value).map(|url| Cow::Owned(url.into())),
        "href" => {
            Url::parse(value).is_ok_and(|url| LINK_SCHEMES.contains(&url.scheme())).then_some(Cow::Borrowed(value))
        }
        _ => Some(Cow::Borrowed(value)),
    }
}

/// An absolute http(s) address, as the `url` crate writes it.
fn remote_image_url(value: &str) -> Option<Url> {
    Url::parse(value).ok().filter(|url| matches!(url.scheme(), "http" | "https"))
}

/// `data:image/<raster type>…`: an image that loads nothing.
fn is_inline_image(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    INLINE_IMAGE_TYPES.iter().any(|mime| {
        value
            .strip_prefix("data:")
            .and_then(|rest| rest.strip_prefix(mime))
            .is_some_and(|rest| rest.starts_with([';', ',']))
    })
}

fn is_html_element(element: &ElementRef, name: &str) -> bool {
    element.value().name.ns == ns!(html) && &*element.value().name.local == name
}

fn attribute_name(name: &str) -> QualName {
    QualName::new(None, ns!(), LocalName::from(name))
}

/// Puts `new="value"` where `old` was (at the end if it was not there), so the markup keeps its
/// order.
fn replace_attribute(element: &mut scraper::node::Element, old: &str, new: &str, value: &str) {
    let attributes = &mut element.attrs;
    attributes.shift_remove(&attribute_name(new));
    let at = attributes.get_index_of(&attribute_name(old)).unwrap_or(attributes.len());
    attributes.shift_remove(&attribute_name(old));
    attributes.shift_insert(at, attribute_name(new), value.into());
}

/// Counts what the sanitising will take out, over the whole document (the head too).
fn look_over(page: &Html, removed: &mut Removed) {
    for element in page.tree.nodes().filter_map(ElementRef::wrap) {
        let value = element.value();
        let html_namespace = value.name.ns == ns!(html);
        match &*value.name.local {
            "script" => removed.scripts += 1,
            "form" | "input" | "button" | "select" | "textarea" => removed.forms += 1,
            "iframe" | "frame" | "frameset" | "object" | "embed" | "applet" | "video" | "audio" => removed.embeds += 1,
            "svg" | "math" => removed.svg_and_math += 1,
            "meta" if value.attr("http-equiv").is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh")) => {
                removed.meta_refresh += 1
            }
            "base" if html_namespace => removed.base_elements += 1,
            "link" if html_namespace => removed.link_elements += 1,
            _ => {}
        }
        for (attribute, attribute_value) in value.attrs() {
            match attribute {
                a if a.len() > 2 && a.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on")) => {
                    removed.event_handlers += 1
                }
                "srcset" | "background" if !attribute_value.trim().is_empty() => removed.image_attributes += 1,
                "style" => {
                    filter_declarations(attribute_value, removed);
                }
                "href" if matches!(&*value.name.local, "a" | "area") => {
                    count_url(attribute_value, LINK_SCHEMES, removed)
                }
                "src" if &*value.name.local == "img" && !is_inline_image(attribute_value) => {
                    count_url(attribute_value, &["http", "https"], removed)
                }
                _ => {}
            }
        }
    }
}

fn count_url(value: &str, allowed_schemes: &[&str], removed: &mut Removed) {
    match Url::parse(value) {
        Ok(url) if allowed_schemes.contains(&url.scheme()) => {}
        Err(url::ParseError::RelativeUrlWithoutBase) => removed.relative_urls += 1,
        _ => removed.unsafe_urls += 1,
    }
}

/// Moves every remote `<img src>` to [`REMOTE_SRC`], before ammonia sees the body: its attribute
/// filter can change or drop a value but cannot rename an attribute. A [`REMOTE_SRC`] the
/// template brought itself goes: only what the template really shows is offered for loading.
fn hold_back_remote_images(page: &mut Html) {
    let images: Vec<_> = page
        .tree
        .nodes()
        .filter_map(|node| {
            let element = ElementRef::wrap(node)?;
            let remote =
                element.attr("src").and_then(remote_image_url).filter(|_| &*element.value().name.local == "img");
            (remote.is_some() || element.attr(REMOTE_SRC).is_some()).then(|| (node.id(), remote))
        })
        .collect();
    for (id, remote) in images {
        if let Some(Node::Element(element)) = page.tree.get_mut(id).as_mut().map(|node| node.value()) {
            element.attrs.shift_remove(&attribute_name(REMOTE_SRC));
            if let Some(url) = remote {
                replace_attribute(element, "src", REMOTE_SRC, url.as_str());
            }
        }
    }
}

fn held_back_images(document: &str) -> Vec<String> {
    let page = Html::parse_document(document);
    let mut seen = HashSet::new();
    page.tree
        .nodes()
        .filter_map(ElementRef::wrap)
        .filter(|element| is_html_element(element, "img"))
        .filter_map(|element| element.attr(REMOTE_SRC))
        .filter(|url| seen.insert(url.to_string()))
        .map(str::to_string)
        .collect()
}

fn body_attributes(body: &ElementRef) -> String {
    let mut out = String::new();
    for (name, value) in body.value().attrs() {
        if !BODY_ATTRIBUTES.contains(&name) {
            continue;
        }
        let value =
            if name == "style" { filter_declarations(value, &mut Removed::default()) } else { value.to_string() };
        if !value.is_empty() {
            out.push_str(&format!(" {name}=\"{}\"", html::escape(&value)));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The CSS: re-written token by token with cssparser, so what comes out is what was checked (no
// comment or escape can hide a `url(` from the check and bring it back in the output).

/// Declarations that ran code in old browsers (IE's HTC behaviours, Firefox's XBL bindings).
const SCRIPT_PROPERTIES: &[&str] = &["behavior", "-ms-behavior", "-moz-binding"];

/// Functions whose string arguments are image addresses.
const IMAGE_FUNCTIONS: &[&str] = &["image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade"];

/// What one prelude or declaration value held that must not stay.
#[derive(Default)]
struct Findings {
    remote_urls: u32,
    script: bool,
    malformed: bool,
}

/// A stylesheet (a `<style>` block or the template's CSS) with its unsafe parts left out.
fn filter_stylesheet(css: &str, removed: &mut Removed) -> String {
    let mut out = String::new();
    copy_rules(&mut Parser::new(css), &mut out, removed);
    end_safely(out)
}

/// A `style=""` value with its unsafe declarations left out.
fn filter_declarations(css: &str, removed: &mut Removed) -> String {
    let mut out = String::new();
    copy_declarations(&mut Parser::new(css), &mut out, removed);
    end_safely(out)
}

/// The output goes inside `<style>`, which the HTML parser closes at the first `</style`: strings
/// have their `<` escaped already (see `write_string`), so a `</` left is a `<` delimiter before a
/// `/` one, and a space between keeps the meaning.
fn end_safely(css: String) -> String {
    if css.contains("</") {
        css.replace("</", "< /")
    } else {
        css
    }
}

fn copy_rules(p: &mut Parser, out: &mut String, removed: &mut Removed) {
    loop {
        let start = p.state();
        let at_keyword = match p.next() {
            Err(_) => return,
            Ok(Token::CDO | Token::CDC) => continue,
            Ok(Token::AtKeyword(name)) => Some(name.clone()),
            Ok(_) => None,
        };
        match at_keyword {
            Some(name) => copy_at_rule(p, &name, out, removed),
            None => {
                p.reset(&start);
                copy_style_rule(p, out, removed);
            }
        }
    }
}

fn copy_style_rule(p: &mut Parser, out: &mut String, removed: &mut Removed) {
    let mut prelude = String::new();
    let mut findings = Findings::default();
    let _ = p.parse_until_before(Delimiter::CurlyBracketBlock, |p| {
        copy_values(p, &mut prelude, &mut findings, false);
        Ok::<(), ParseError<()>>(())
    });
    if !matches!(p.next(), Ok(Token::CurlyBracketBlock)) {
        return;
    }
    let mut block = String::new();
    let nested = p.parse_nested_block(|p| {
        copy_declarations(p, &mut block, removed);
        Ok::<(), ParseError<()>>(())
    });
    removed.css_urls += findings.remote_urls;
    let prelude = prelude.trim();
    if nested.is_ok() && !findings.malformed && !findings.script && findings.remote_urls == 0 && !prelude.is_empty() {
        out.push_str(prelude);
        out.push('{');
        out.push_str(&block);
        out.push('}');
    }
}

enum AtRuleBlock {
    Rules,
    Declarations,
}

fn copy_at_rule(p: &mut Parser, name: &str, out: &mut String, removed: &mut Removed) {
    let mut prelude = String::new();
    let mut findings = Findings::default();
    let _ = p.parse_until_before(Delimiter::Semicolon | Delimiter::CurlyBracketBlock, |p| {
        copy_values(p, &mut prelude, &mut findings, false);
        Ok::<(), ParseError<()>>(())
    });
    // Takes the `;` or the block (which a later `next` skips unless parsed here).
    let has_block = matches!(p.next(), Ok(Token::CurlyBracketBlock));
    let lower = name.to_ascii_lowercase();
    let block = match lower.as_str() {
        "import" => {
            removed.css_imports += 1;
            return;
        }
        // Meaningless in the preview's own document.
        "charset" | "namespace" => return,
        "media" | "supports" | "container" | "layer" | "keyframes" | "-webkit-keyframes" | "-moz-keyframes"
        | "-o-keyframes" => AtRuleBlock::Rules,
        "font-face" | "page" => AtRuleBlock::Declarations,
        _ => {
            removed.css_at_rules += 1;
            return;
        }
    };
    removed.css_urls += findings.remote_urls;
    if findings.malformed || findings.script || findings.remote_urls > 0 {
        return;
    }
    out.push('@');
    write_token(&Token::Ident(name.into()), out);
    let prelude = prelude.trim();
    if !prelude.is_empty() {
        out.push(' ');
        out.push_str(prelude);
    }
    if !has_block {
        out.push(';');
        return;
    }
    out.push('{');
    let _ = p.parse_nested_block(|p| {
        match block {
            AtRuleBlock::Rules => copy_rules(p, out, removed),
            AtRuleBlock::Declarations => copy_declarations(p, out, removed),
        }
        Ok::<(), ParseError<()>>(())
    });
    out.push('}');
}

fn copy_declarations(p: &mut Parser, out: &mut String, removed: &mut Removed) {
    loop {
        let property = match p.next() {
            Err(_) => return,
            Ok(Token::Semicolon) => continue,
            Ok(Token::Ident(name)) => Some(name.clone()),
            Ok(_) => None,
        };
        let mut value = String::new();
        let mut findings = Findings::default();
        // Without a property name the closure reads nothing, which skips to after the `;`.
        let parsed = p.parse_until_after(Delimiter::Semicolon, |p| {
            if property.is_some() {
                p.expect_colon()?;
                copy_values(p, &mut value, &mut findings, false);
            }
            Ok::<(), ParseError<()>>(())
        });
        let Some(property) = property else { continue };
        if parsed.is_err() || findings.malformed {
            continue;
        }
        removed.css_urls += findings.remote_urls;
        if findings.script || SCRIPT_PROPERTIES.contains(&property.to_ascii_lowercase().as_str()) {
            removed.css_scripts += 1;
            continue;
        }
        let value = value.trim();
        if findings.remote_urls > 0 || value.is_empty() {
            continue;
        }
        write_token(&Token::Ident(property), out);
        out.push(':');
        out.push_str(value);
        out.push(';');
    }
}

/// Copies component values (a prelude, a declaration's value, a block's content), checking every
/// address. `strings_are_urls` inside functions such as `image-set()`.
fn copy_values(p: &mut Parser, out: &mut String, findings: &mut Findings, strings_are_urls: bool) {
    let mut previous = TokenSerializationType::Nothing;
    loop {
        let token = match p.next_including_whitespace() {
            Ok(token) => token.clone(),
            Err(_) => return,
        };
        if let Token::WhiteSpace(_) = token {
            out.push(' ');
            previous = TokenSerializationType::WhiteSpace;
            continue;
        }
        // Two tokens written side by side could read back as one (`url` then `(`): cssparser says
        // when, and an empty comment keeps them apart.
        if previous.needs_separator_when_before(token.serialization_type()) {
            out.push_str("/**/");
        }
        previous = token.serialization_type();
        match &token {
            Token::UnquotedUrl(address) => write_url(address, out, findings),
            Token::QuotedString(address) if strings_are_urls => write_url(address, out, findings),
            Token::QuotedString(text) => write_string(text, out),
            Token::Function(name) if name.eq_ignore_ascii_case("url") || name.eq_ignore_ascii_case("src") => {
                let address = p.parse_nested_block(|p| {
                    let address = p.expect_string()?.to_string();
                    p.expect_exhausted()?;
                    Ok::<String, ParseError<()>>(address)
                });
                match address {
                    Ok(address) => write_url(&address, out, findings),
                    Err(_) => findings.malformed = true,
                }
            }
            Token::Function(name) if name.eq_ignore_ascii_case("expression") => {
                findings.script = true;
                let _ = p.parse_nested_block(|p| {
                    while p.next().is_ok() {}
                    Ok::<(), ParseError<()>>(())
                });
            }
            Token::Function(name) => {
                let image_strings = strings_are_urls || IMAGE_FUNCTIONS.iter().any(|f| name.eq_ignore_ascii_case(f));
                write_token(&token, out);
                copy_block(p, out, findings, image_strings, ')');
            }
            Token::ParenthesisBlock => {
                out.push('(');
                copy_block(p, out, findings, strings_are_urls, ')');
            }
            Token::SquareBracketBlock => {
                out.push('[');
                copy_block(p, out, findings, strings_are_urls, ']');
            }
            Token::CurlyBracketBlock => {
                out.push('{');
                copy_block(p, out, findings, strings_are_urls, '}');
            }
            Token::BadUrl(_)
            | Token::BadString(_)
            | Token::CloseParenthesis
            | Token::CloseSquareBracket
            | Token::CloseCurlyBracket
            | Token::CDO
            | Token::CDC => findings.malformed = true,
            other => write_token(other, out),
        }
        if matches!(
            token,
            Token::Function(_) | Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock
        ) {
            // Written up to its closing bracket.
            previous = TokenSerializationType::Other;
        }
    }
}

fn copy_block(p: &mut Parser, out: &mut String, findings: &mut Findings, strings_are_urls: bool, close: char) {
    let nested = p.parse_nested_block(|p| {
        copy_values(p, out, findings, strings_are_urls);
        Ok::<(), ParseError<()>>(())
    });
    // Too deep (cssparser's nesting limit) or unbalanced.
    if nested.is_err() {
        findings.malformed = true;
    }
    out.push(close);
}

/// Keeps an address only if it is an inline image or font; anything else marks the value.
fn write_url(address: &str, out: &mut String, findings: &mut Findings) {
    let lower = address.trim().to_ascii_lowercase();
    let inline = ["data:image/", "data:font/", "data:application/font-", "data:application/x-font-"]
        .iter()
        .any(|prefix| lower.starts_with(prefix));
    if inline {
        out.push_str("url(");
        write_string(address.trim(), out);
        out.push(')');
    } else {
        findings.remote_urls += 1;
    }
}

/// A CSS string with `<` escaped, so no string can close the `<style>` element.
fn write_string(text: &str, out: &mut String) {
    let mut quoted = String::new();
    cssparser::serialize_string(text, &mut quoted).expect("writing to a String does not fail");
    out.push_str(&quoted.replace('<', "\\3c "));
}

fn write_token(token: &Token, out: &mut String) {
    token.to_css(out).expect("writing to a String does not fail");
}

// ---------------------------------------------------------------------------------------------
// Fetching the held-back images ("Load images").

/// Limits on fetching a template's images. Sizes in bytes (a MB here is 1,048,576 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// One image larger than this is refused (reading stops there).
    pub per_image_bytes: u64,
    /// Images past this many bytes in all are refused.
    pub total_bytes: u64,
    /// For one image, from connecting to the last byte.
    pub timeout: Duration,
    /// Images fetched at the same time.
    pub concurrency: usize,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits { per_image_bytes: 5 * MB, total_bytes: 25 * MB, timeout: Duration::from_secs(20), concurrency: 4 }
    }
}

const MB: u64 = 1024 * 1024;

/// A fetched image, ready to inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct InlineImage {
    /// The type its bytes show (not what the server said).
    pub mime: String,
    pub bytes_len: u64,
    /// `data:<mime>;base64,…`
    pub data_uri: String,
}

impl InlineImage {
    fn new(mime: &str, bytes: &[u8]) -> Self {
        InlineImage {
            mime: mime.to_string(),
            bytes_len: bytes.len() as u64,
            data_uri: format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)),
        }
    }

    /// A raster type, and a data URI of that type: `with_images` takes its map from the caller.
    fn is_well_formed(&self) -> bool {
        INLINE_IMAGE_TYPES.contains(&self.mime.as_str())
            && self.data_uri.strip_prefix("data:").and_then(|rest| rest.strip_prefix(self.mime.as_str())).is_some_and(
                |rest| {
                    rest.strip_prefix(";base64,").is_some_and(|data| {
                        data.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                    })
                },
            )
    }
}

/// An image that was not inlined, and why, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImageFailure {
    pub url: String,
    pub reason: String,
}

/// Fetches the images (`PreparedEmail::remote_images`), a few at a time, and keeps those whose
/// bytes are a raster image the preview can show. Failures come in the order of `urls`.
pub async fn fetch_images(
    http: &reqwest::Client,
    urls: &[String],
    limits: ImageLimits,
) -> (HashMap<String, InlineImage>, Vec<ImageFailure>) {
    let budget = AtomicU64::new(0);
    let mut seen = HashSet::new();
    // Owned URLs: a closure over `&String` makes the future not `Send` for every lifetime, which
    // a Tauri command needs.
    let distinct: Vec<String> = urls.iter().filter(|url| seen.insert(url.as_str())).cloned().collect();
    let (budget, limits) = (&budget, &limits);
    let results: Vec<_> = stream::iter(distinct)
        .map(|url: String| async move {
            let result = fetch_image(http, &url, limits, budget).await;
            (url, result)
        })
        .buffered(limits.concurrency.max(1))
        .collect()
        .await;
    let mut images = HashMap::new();
    let mut failures = Vec::new();
    for (url, result) in results {
        match result {
            Ok(image) => {
                images.insert(url, image);
            }
            Err(reason) => failures.push(ImageFailure { url, reason }),
        }
    }
    (images, failures)
}

/// Bytes counted against the total; given back if the image is not kept.
struct Reservation<'a> {
    budget: &'a AtomicU64,
    bytes: u64,
    kept: bool,
}

impl Reservation<'_> {
    /// Counts `bytes` more; false when that passes `total`.
    fn add(&mut self, bytes: u64, total: u64) -> bool {
        self.bytes += bytes;
        self.budget.fetch_add(bytes, Ordering::SeqCst) + bytes <= total
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.budget.fetch_sub(self.bytes, Ordering::SeqCst);
        }
    }
}

async fn fetch_image(
    http: &reqwest::Client,
    url: &str,
    limits: &ImageLimits,
    budget: &AtomicU64,
) -> Result<InlineImage, String> {
    let Some(parsed) = remote_image_url(url) else {
        return Err("only http and https images are loaded".into());
    };
    let describe = |error: reqwest::Error| {
        if error.is_timeout() {
            format!("took longer than {} s", limits.timeout.as_secs_f32())
        } else if error.is_connect() {
            "could not connect to the server".to_string()
        } else {
            format!("the download failed ({error})")
        }
    };
    let too_large = || format!("larger than {}", size_text(limits.per_image_bytes));
    let mut response = http.get(parsed).timeout(limits.timeout).send().await.map_err(describe)?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the server answered HTTP {}", status.as_u16()));
    }
    if response.content_length().is_some_and(|length| length > limits.per_image_bytes) {
        return Err(too_large());
    }
    let mut reservation = Reservation { budget, bytes: 0, kept: false };
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(describe)? {
        if (bytes.len() + chunk.len()) as u64 > limits.per_image_bytes {
            return Err(too_large());
        }
        if !reservation.add(chunk.len() as u64, limits.total_bytes) {
            return Err(format!("the images together are larger than {}", size_text(limits.total_bytes)));
        }
        bytes.extend_from_slice(&chunk);
    }
    let image = match infer::get(&bytes) {
        Some(kind) if INLINE_IMAGE_TYPES.contains(&kind.mime_type()) => InlineImage::new(kind.mime_type(), &bytes),
        Some(kind) if kind.matcher_type() == infer::MatcherType::Image => {
            return Err(format!("a {} image, which the preview cannot show", kind.mime_type()))
        }
        _ if looks_like_svg(&bytes) => return Err("an SVG image, which is not loaded (it can carry scripts)".into()),
        _ if bytes.is_empty() => return Err("the server sent nothing".into()),
        _ => return Err("not an image".into()),
    };
    reservation.kept = true;
    Ok(image)
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    head.contains("<svg")
}

fn size_text(bytes: u64) -> String {
    if bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document_of(html: &str) -> String {
        prepare(html, None).document
    }

    /// The part of the document that came from the email (our head has its own <meta> and <base>).
    fn body_of(document: &str) -> &str {
        let start = document.find("<body").expect("a body");
        &document[start..]
    }

    fn assert_absent(document: &str, needles: &[&str]) {
        let lower = document.to_ascii_lowercase();
        for needle in needles {
            assert!(!lower.contains(&needle.to_ascii_lowercase()), "{needle:?} survived in:\n{document}");
        }
    }

    #[test]
    fn the_document_starts_with_its_own_content_security_policy() {
        let document = document_of("<p>Hello</p>");
        assert!(
            document.starts_with(
                "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" \
                 content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'\">"
            ),
            "{document}"
        );
        assert!(document.contains("<base target=\"_blank\">"), "{document}");
        assert!(document.ends_with("<body><p>Hello</p></body></html>"), "{document}");
    }

    #[test]
    fn scripts_go_with_their_code() {
        let prepared = prepare(
            "<html><head><script>var a = 1;</script></head><body><p>Hi</p><SCRIPT src=https://evil.example/x.js></SCRIPT>\
             <script>alert('body')</script></body></html>",
            None,
        );
        assert_absent(&prepared.document, &["script", "alert", "var a", "evil"]);
        assert!(prepared.document.contains("<p>Hi</p>"));
        assert_eq!(prepared.removed.scripts, 3);
    }

    #[test]
    fn event_handlers_are_removed() {
        let prepared = prepare(
            "<body onload=\"alert(1)\"><img src=\"data:image/png;base64,iVBORw0KGgo=\" onerror=\"alert(2)\">\
             <table><tr><td onmouseover=\"alert(3)\" ONCLICK=\"alert(4)\" €x=\"not a handler\">cell</td></tr></table></body>",
            None,
        );
        assert_absent(&prepared.document, &["onload", "onerror", "onmouseover", "onclick", "alert"]);
        assert!(prepared.document.contains("<td>cell</td>"), "{}", prepared.document);
        assert_eq!(prepared.removed.event_handlers, 4);
    }

    #[test]
    fn svg_with_onload_goes_whole() {
        let prepared = prepare(
            "<p>before</p><svg onload=\"alert(1)\"><circle r=\"5\"/><text>inside</text><script>alert(2)</script></svg><p>after</p>",
            None,
        );
        assert_absent(&prepared.document, &["svg", "onload", "alert", "circle", "inside"]);
        assert!(prepared.document.contains("<p>before</p><p>after</p>"), "{}", prepared.document);
        assert_eq!(prepared.removed.svg_and_math, 1);
        assert_eq!(prepared.removed.event_handlers, 1);
    }

    #[test]
    fn javascript_links_are_removed_however_they_are_spelled() {
        let hrefs = [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(2)",
            "jav&#x61;script:alert(3)",
            "java&#x09;script:alert(4)",
            " &#14; javascript:alert(5)",
            "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(6)",
            "vbscript:msgbox(7)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==",
        ];
        let html: String =
            hrefs.iter().enumerate().map(|(i, href)| format!("<a href=\"{href}\">link {i}</a>")).collect();
        let prepared = prepare(&html, None);
        assert_absent(&prepared.document, &["alert", "script:", "msgbox", "data:text", "href"]);
        for i in 0..hrefs.len() {
            assert!(prepared.document.contains(&format!(">link {i}</a>")), "{}", prepared.document);
        }
        assert_eq!(prepared.removed.unsafe_urls, hrefs.len() as u32);
    }

    #[test]
    fn links_open_outside_the_frame() {
        let document = document_of("<a href=\"https://yespo.io/x?a=1&amp;b=2\" target=\"_self\">Shop</a>");
        assert!(
            body_of(&document).contains(
                "<a href=\"https://yespo.io/x?a=1&amp;b=2\" target=\"_blank\" rel=\"noopener noreferrer\">Shop</a>"
            ),
            "{document}"
        );
    }

    #[test]
    fn meta_refresh_base_and_link_are_removed() {
        let prepared = prepare(
            "<html><head><meta http-equiv=\"Refresh\" content=\"0;url=https://evil.example/\">\
             <base href=\"https://evil.example/\"><link rel=\"stylesheet\" href=\"https://evil.example/x.css\"></head>\
             <body><meta http-equiv=\"refresh\" content=\"1\"><p>Hi</p></body></html>",
            None,
        );
        assert_absent(&prepared.document, &["evil", "refresh", "<link", "href"]);
        assert_eq!(prepared.document.matches("<base").count(), 1, "only the preview's own <base target>");
        assert_eq!(prepared.removed.meta_refresh, 2);
        assert_eq!(prepared.removed.base_elements, 1);
        assert_eq!(prepared.removed.link_elements, 1);
    }

    #[test]
    fn forms_go_but_the_text_of_a_button_stays() {
        let prepared = prepare(
            "<form action=\"https://evil.example/steal\" method=\"post\"><input type=\"password\" name=\"pw\">\
             <button formaction=\"https://evil.example/2\">Send</button><textarea>secret</textarea></form>",
            None,
        );
        assert_absent(
            body_of(&prepared.document),
            &["form", "input", "button", "evil", "password", "textarea", "secret"],
        );
        assert!(body_of(&prepared.document).contains("Send"), "{}", prepared.document);
        assert_eq!(prepared.removed.forms, 4);
    }

    #[test]
    fn frames_objects_and_embeds_are_removed() {
        let prepared = prepare(
            "<iframe src=\"https://evil.example/frame\">fallback</iframe><object data=\"https://evil.example/x.swf\">\
             <param name=\"movie\" value=\"x\"></object><embed src=\"https://evil.example/y\"><p>ok</p>",
            None,
        );
        assert_absent(&prepared.document, &["evil", "iframe", "object", "embed", "param", "fallback"]);
        assert!(prepared.document.contains("<p>ok</p>"));
        assert_eq!(prepared.removed.embeds, 3);
    }

    #[test]
    fn mutation_tricks_do_not_bring_markup_back() {
        let document = document_of(
            "<svg><iframe><a title=\"</iframe><img src onerror=alert(1)>\">x</a></iframe></svg>\
             <math><mtext><table><mglyph><style><img src=x onerror=alert(2)></style></mglyph></table></mtext></math>\
             <noscript><p title=\"</noscript><img src=x onerror=alert(3)>\"></noscript>\
             <xmp></xmp><img src=x onerror=alert(4)></xmp>",
        );
        assert_absent(&document, &["onerror", "alert"]);
    }

    #[test]
    fn remote_images_are_held_back_until_asked_for() {
        let prepared = prepare(
            "<img src=\"https://cdn.example.com/a.png\" srcset=\"https://cdn.example.com/a@2x.png 2x\" width=\"600\" alt=\"Logo\">\
             <img src=\" http://cdn.example.com/b.gif \"><img src=\"https://cdn.example.com/a.png\">\
             <table><tr><td background=\"https://cdn.example.com/bg.jpg\">x</td></tr></table>\
             <img data-remote-src=\"https://tracker.example/t.gif\" alt=\"own\">",
            None,
        );
        assert_eq!(prepared.remote_images, ["https://cdn.example.com/a.png", "http://cdn.example.com/b.gif"]);
        let body = body_of(&prepared.document);
        assert!(
            body.contains("<img data-remote-src=\"https://cdn.example.com/a.png\" width=\"600\" alt=\"Logo\">"),
            "{body}"
        );
        assert!(body.contains("<img data-remote-src=\"http://cdn.example.com/b.gif\">"), "{body}");
        assert_absent(body, &[" src=", "srcset", "background", "bg.jpg", "a@2x", "tracker"]);
        assert_eq!(prepared.removed.image_attributes, 2);
    }

    #[test]
    fn an_image_ammonia_drops_is_not_offered_for_loading() {
        let prepared =
            prepare("<svg><foreignObject><img src=\"https://tracker.example/pixel.gif\"></foreignObject></svg>", None);
        assert!(prepared.remote_images.is_empty(), "{:?}", prepared.remote_images);
        assert_absent(&prepared.document, &["tracker"]);
    }

    #[test]
    fn relative_urls_are_removed() {
        let prepared =
            prepare("<a href=\"/unsubscribe\">Unsubscribe</a><img src=\"images/logo.png\" alt=\"Logo\">", None);
        assert_absent(&prepared.document, &["unsubscribe\"", "logo.png", "href"]);
        assert!(body_of(&prepared.document).contains("<img alt=\"Logo\">"), "{}", prepared.document);
        assert_eq!(prepared.removed.relative_urls, 2);
    }

    #[test]
    fn an_inline_raster_image_stays_and_an_inline_svg_does_not() {
        let document = document_of(
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\"><img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
        );
        assert!(document.contains("<img src=\"data:image/png;base64,iVBORw0KGgo=\">"), "{document}");
        assert_absent(&document, &["svg", "alert"]);
    }

    #[test]
    fn conditional_comments_are_removed() {
        let document = document_of(
            "<!--[if mso]><table><tr><td>MSO only</td></tr></table><![endif]-->\
             <!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings></xml><![endif]-->\
             <!--[if !mso]><!--><p>Everyone</p><!--<![endif]-->\
             <!-- <script>alert(1)</script> -->",
        );
        assert_absent(&document, &["<!--", "MSO only", "OfficeDocumentSettings", "alert", "endif"]);
        assert!(document.contains("<p>Everyone</p>"), "{document}");
    }

    #[test]
    fn remote_css_urls_and_imports_are_removed_from_style_blocks() {
        let prepared = prepare(
            "<html><head><style>\
             @import url(https://evil.example/a.css); @import \"https://evil.example/b.css\";\
             .hero { background: url(https://evil.example/x.png) no-repeat; color: red }\
             .logo { background-image: url( \"https://evil.example/y.png\" ); width: 10px }\
             .tricky { background: u\\72l(https://evil.example/z.png) }\
             .set { background-image: -webkit-image-set(\"https://evil.example/w.png\" 1x) }\
             @font-face { font-family: Brand; src: url(https://evil.example/f.woff2) format(\"woff2\") }\
             </style></head><body><p class=\"hero\">x</p></body></html>",
            None,
        );
        assert_absent(&prepared.document, &["evil", "@import"]);
        let css = &prepared.document;
        assert!(css.contains(".hero{color:red;}"), "{css}");
        assert!(css.contains(".logo{width:10px;}"), "{css}");
        assert!(css.contains("@font-face{font-family:Brand;}"), "{css}");
        assert_eq!(prepared.removed.css_imports, 2);
        assert_eq!(prepared.removed.css_urls, 5);
    }

    #[test]
    fn remote_css_urls_are_removed_from_style_attributes() {
        let prepared = prepare(
            "<table><tr><td style=\"background:url(https://evil.example/v.png);color:#333333\">a</td></tr></table>\
             <div style=\"background-image:URL('https://evil.example/w.png'); padding: 4px\">b</div>\
             <div style=\"background:u\\72l(https://evil.example/x.png)\">c</div>\
             <body style=\"background:url(https://evil.example/body.png);margin:0\">",
            None,
        );
        assert_absent(&prepared.document, &["evil", "url("]);
        assert!(prepared.document.contains("style=\"color:#333333;\""), "{}", prepared.document);
        assert!(prepared.document.contains("style=\"padding:4px;\""), "{}", prepared.document);
        assert!(prepared.document.contains("<body style=\"margin:0;\">"), "{}", prepared.document);
        assert_eq!(prepared.removed.css_urls, 4);
    }

    #[test]
    fn inline_data_images_in_css_stay() {
        let document = document_of(
            "<style>.a{background:url(data:image/png;base64,iVBORw0KGgo=) no-repeat}</style>\
             <div style=\"background-image:url('data:image/gif;base64,R0lGODlh')\">x</div>",
        );
        assert!(
            document.contains(".a{background:url(\"data:image/png;base64,iVBORw0KGgo=\") no-repeat;}"),
            "{document}"
        );
        assert!(
            document.contains("style=\"background-image:url(&quot;data:image/gif;base64,R0lGODlh&quot;);\""),
            "{document}"
        );
    }

    #[test]
    fn css_that_runs_code_is_removed() {
        let prepared = prepare(
            "<style>.a{width:expression(alert(1));color:blue}.b{behavior:url(x.htc)}.c{-moz-binding:url(https://evil.example/x.xml#x)}\
             .d{beh\\61vior:url(y.htc)}</style><p style=\"width:EXPRESSION(alert(2))\">x</p>",
            None,
        );
        assert_absent(&prepared.document, &["expression", "alert", "behavior", "binding", "htc", "evil"]);
        assert!(prepared.document.contains(".a{color:blue;}"), "{}", prepared.document);
        assert_eq!(prepared.removed.css_scripts, 5);
    }

    #[test]
    fn css_cannot_close_the_style_element() {
        // A <style> block in the HTML ends at its first </style>, so this comes in as the separate CSS.
        let prepared = prepare(
            "<p>x</p>",
            Some(".a{content:\"</style><script>alert(1)</script>\"} .b</style><script>alert(2)</script>{color:red}"),
        );
        // Read back as a browser reads it: one <style>, holding all of the CSS, and no <script>.
        let page = Html::parse_document(&prepared.document);
        let elements = |name: &str| page.select(&scraper::Selector::parse(name).unwrap()).count();
        assert_eq!((elements("style"), elements("script")), (1, 0), "{}", prepared.document);
        assert_eq!(prepared.document.to_ascii_lowercase().matches("</style").count(), 1, "{}", prepared.document);
        assert!(
            prepared.document.contains(".a{content:\"\\3c /style>\\3c script>alert(1)\\3c /script>\";}"),
            "{}",
            prepared.document
        );
    }

    #[test]
    fn comments_cannot_join_tokens_into_a_url() {
        let prepared = prepare("<p style=\"background:url/**/(https://evil.example/a.png)\">x</p>", None);
        assert_absent(&prepared.document, &["url(https", "url(\"https"]);
    }

    #[test]
    fn the_separate_stylesheet_is_filtered_and_comes_first() {
        let document = document_of_with_css(
            "<style>.b{color:green}</style><p class=\"x\">x</p>",
            ".x{color:blue;background:url(https://evil.example/a.png)} @namespace svg url(http://www.w3.org/2000/svg);",
        );
        assert!(document.contains("<style>.x{color:blue;}.b{color:green;}</style>"), "{document}");
    }

    fn document_of_with_css(html: &str, css: &str) -> String {
        prepare(html, Some(css)).document
    }

    #[test]
    fn benign_email_layout_survives() {
        let prepared = prepare(
            r##"<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>Spring sale</title>
            <style type="text/css"><!--
              body { margin: 0; padding: 0 }
              @media only screen and (max-width: 600px) { .wrapper { width: 100% !important } }
              .btn { background-color: #0066cc; border-radius: 4px }
            --></style></head>
            <body style="margin:0; background-color:#f4f4f4" bgcolor="#f4f4f4">
            <table class="wrapper" width="600" cellpadding="0" cellspacing="0" border="0" align="center" bgcolor="#ffffff" style="border-collapse:collapse">
              <tr><td valign="top" align="left" style="padding:20px;color:#333333;font-family:Arial,sans-serif" colspan="2">
                <font color="#ff0000" face="Arial" size="2">Only today</font>
                <a class="btn" href="https://yespo.io/sale?utm_source=email&amp;x=1" style="color:#ffffff">Shop now</a>
                <a href="mailto:help@example.com">Write to us</a> <a href="tel:+380441234567">Call</a>
              </td></tr>
            </table></body></html>"##,
            None,
        );
        let document = &prepared.document;
        for kept in [
            "@media only screen and (max-width: 600px){.wrapper{width:100% !important;}}",
            ".btn{background-color:#0066cc;border-radius:4px;}",
            "<body style=\"margin:0;background-color:#f4f4f4;\" bgcolor=\"#f4f4f4\">",
            "<table class=\"wrapper\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" align=\"center\" bgcolor=\"#ffffff\" style=\"border-collapse:collapse;\">",
            "<td valign=\"top\" align=\"left\" style=\"padding:20px;color:#333333;font-family:Arial,sans-serif;\" colspan=\"2\">",
            "<font color=\"#ff0000\" face=\"Arial\" size=\"2\">Only today</font>",
            "<a class=\"btn\" href=\"https://yespo.io/sale?utm_source=email&amp;x=1\" style=\"color:#ffffff;\" target=\"_blank\" rel=\"noopener noreferrer\">Shop now</a>",
            "<a href=\"mailto:help@example.com\" target=\"_blank\" rel=\"noopener noreferrer\">Write to us</a>",
            "<a href=\"tel:+380441234567\" target=\"_blank\" rel=\"noopener noreferrer\">Call</a>",
        ] {
            assert!(document.contains(kept), "lost {kept:?} in:\n{document}");
        }
        assert_absent(document, &["Spring sale", "viewport"]);
        assert_eq!(prepared.removed, Removed::default());
        assert_eq!(prepared.removed.total(), 0);
    }

    #[test]
    fn with_images_puts_fetched_images_back_as_data_uris() {
        let prepared = prepare(
            "<img src=\"https://cdn.example.com/a.png\" alt=\"A\"><img src=\"https://cdn.example.com/b.png\" alt=\"B\">\
             <img src=\"https://cdn.example.com/c.png\" alt=\"C\">",
            None,
        );
        let png = InlineImage::new("image/png", PNG);
        let forged = InlineImage { mime: "image/png".into(), bytes_len: 1, data_uri: "javascript:alert(1)".into() };
        let images = HashMap::from([
            ("https://cdn.example.com/a.png".to_string(), png.clone()),
            ("https://cdn.example.com/c.png".to_string(), forged),
        ]);
        let document = with_images(&prepared, &images);
        assert!(document.contains(&format!("<img src=\"{}\" alt=\"A\">", png.data_uri)), "{document}");
        assert!(document.contains("<img data-remote-src=\"https://cdn.example.com/b.png\" alt=\"B\">"), "{document}");
        assert!(document.contains("<img data-remote-src=\"https://cdn.example.com/c.png\" alt=\"C\">"), "{document}");
        assert_absent(&document, &["javascript"]);
        assert!(document.contains(CONTENT_SECURITY_POLICY), "{document}");
    }

    #[test]
    fn payloads_serialise_in_camel_case() {
        let prepared = prepare("<img src=\"https://cdn.example.com/a.png\" onerror=\"x()\">", None);
        let json = serde_json::to_value(&prepared).unwrap();
        assert_eq!(json["remoteImages"], serde_json::json!(["https://cdn.example.com/a.png"]));
        assert_eq!(json["removed"]["eventHandlers"], 1);
        let image = serde_json::to_value(InlineImage::new("image/png", PNG)).unwrap();
        assert_eq!(image["bytesLen"], PNG.len());
        assert!(image["dataUri"].as_str().unwrap().starts_with("data:image/png;base64,iVBORw0KGgo"));
    }

    // -----------------------------------------------------------------------------------------
    // Fetching, against a local server.

    /// A 1×1 transparent PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D,
        0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    async fn image_server() -> String {
        use axum::http::header::CONTENT_TYPE;
        use axum::routing::get;
        let png = |body: Vec<u8>| ([(CONTENT_TYPE, "image/png")], body);
        let router = axum::Router::new()
            .route("/logo.png", get(move || async move { png(PNG.to_vec()) }))
            .route(
                "/page.png",
                get(move || async move { png(b"<!doctype html><html><body>Hi</body></html>".to_vec()) }),
            )
            .route(
                "/big.png",
                get(move || async move {
                    let mut body = PNG.to_vec();
                    body.resize(2 * MB as usize, 0);
                    png(body)
                }),
            )
            .route(
                "/icon.svg",
                get(|| async {
                    (
                        [(CONTENT_TYPE, "image/svg+xml")],
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
                    )
                }),
            )
            .route(
                "/slow.png",
                get(move || async move {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    png(PNG.to_vec())
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        format!("http://{address}")
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().unwrap()
    }

    fn limits() -> ImageLimits {
        ImageLimits { per_image_bytes: MB, total_bytes: 10 * MB, timeout: Duration::from_millis(1500), concurrency: 3 }
    }

    fn reason_for<'f>(failures: &'f [ImageFailure], url: &str) -> &'f str {
        &failures.iter().find(|f| f.url == url).unwrap_or_else(|| panic!("no failure for {url}: {failures:?}")).reason
    }

    #[tokio::test]
    async fn fetch_images_inlines_real_images_and_refuses_the_rest() {
        let server = image_server().await;
        let url = |path: &str| format!("{server}{path}");
        let urls: Vec<String> =
            ["/logo.png", "/page.png", "/big.png", "/missing.png", "/icon.svg", "/slow.png", "/logo.png"]
                .iter()
                .map(|path| url(path))
                .chain(["ftp://example.com/x.png".to_string()])
                .collect();
        let (images, failures) = fetch_images(&client(), &urls, limits()).await;

        assert_eq!(images.len(), 1, "{images:?}");
        let logo = &images[&url("/logo.png")];
        assert_eq!(logo.mime, "image/png");
        assert_eq!(logo.bytes_len, PNG.len() as u64);
        let encoded = logo.data_uri.strip_prefix("data:image/png;base64,").expect("a PNG data URI");
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap(), PNG);

        assert_eq!(failures.len(), 6, "{failures:?}");
        assert_eq!(reason_for(&failures, &url("/page.png")), "not an image");
        assert_eq!(reason_for(&failures, &url("/big.png")), "larger than 1 MB");
        assert_eq!(reason_for(&failures, &url("/missing.png")), "the server answered HTTP 404");
        assert!(reason_for(&failures, &url("/icon.svg")).contains("SVG"), "{failures:?}");
        assert!(reason_for(&failures, &url("/slow.png")).starts_with("took longer than"), "{failures:?}");
        assert_eq!(reason_for(&failures, "ftp://example.com/x.png"), "only http and https images are loaded");
        let order: Vec<_> = failures.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(order[0], url("/page.png"), "failures keep the order of the addresses");
    }

    #[tokio::test]
    async fn fetch_images_stops_at_the_total() {
        let server = image_server().await;
        let urls = vec![format!("{server}/logo.png?1"), format!("{server}/logo.png?2")];
        let limits = ImageLimits { total_bytes: PNG.len() as u64 + 10, concurrency: 1, ..limits() };
        let (images, failures) = fetch_images(&client(), &urls, limits).await;
        assert!(images.contains_key(&urls[0]), "{images:?}");
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].reason.starts_with("the images together are larger than"), "{failures:?}");
    }

    #[tokio::test]
    async fn prepared_fetched_and_inlined() {
        let server = image_server().await;
        let prepared = prepare(&format!("<img src=\"{server}/logo.png\" alt=\"Logo\">"), None);
        // In a spawned task, as a Tauri command runs it: the future must be Send for any lifetime.
        let urls = prepared.remote_images.clone();
        let (images, failures) =
            tokio::spawn(async move { fetch_images(&client(), &urls, ImageLimits::default()).await }).await.unwrap();
        assert!(failures.is_empty(), "{failures:?}");
        let document = with_images(&prepared, &images);
        assert!(document.contains("<img src=\"data:image/png;base64,iVBORw0KGgo"), "{document}");
        assert_absent(&document, &[&server]);
    }
}
