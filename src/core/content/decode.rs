//! Reads the bundle and its safe trees from JSON with [`crate::core::json`]
//! (the widget's reader; see that module for why it is not serde). The wire
//! form is the one in [`super::tree`]'s table, which serde writes.

use super::{Block, Bundle, BundleArticle, Incident, Inline, Product, Table};
use crate::core::flow::decode::flow_from_json;
use crate::core::json::{items, string, whole_number, Fields, Json, JsonError, Path};

/// Reads a bundle whose `format` the caller has already checked.
pub(super) fn bundle(value: &Json) -> Result<Bundle, JsonError> {
    let f = Fields::of(value, Path::Root)?;
    let product = Fields::of(
        f.raw("product").unwrap_or(&Json::Null),
        Path::Key(&Path::Root, "product"),
    )?;
    let incident = match f.raw("incident") {
        None => None,
        Some(v) => {
            let i = Fields::of(v, Path::Key(&Path::Root, "incident"))?;
            Some(Incident {
                title: i.str("title")?,
                body: i.list("body", block)?,
                status_url: i.opt_str("status_url")?,
            })
        }
    };
    Ok(Bundle {
        format: f.u64("format")? as u32,
        hash: f.str("hash")?,
        built_at: f.str("built_at")?,
        product: Product {
            name: product.str("name")?,
        },
        locale: f.str("locale")?,
        locales: f.strings("locales")?,
        synonyms: f.list("synonyms", strings)?,
        featured: f.strings("featured")?,
        incident,
        articles: f.list("articles", |a, path| {
            let a = Fields::of(a, *path)?;
            Ok(BundleArticle {
                id: a.str("id")?,
                title: a.str("title")?,
                tags: a.strings("tags")?,
                aliases: a.strings("aliases")?,
                related_flows: a.strings("related_flows")?,
                locale: a.opt_str("locale")?,
                body: a.list("body", block)?,
            })
        })?,
        flows: f.list("flows", flow_from_json)?,
    })
}

/// Reads one block of a safe tree.
pub fn block(value: &Json, path: &Path) -> Result<Block, JsonError> {
    let (tag, inner) = variant(value, path)?;
    let here = Path::Key(path, tag);
    let at = &here;
    Ok(match tag {
        "hr" => Block::Rule,
        "p" => Block::Para(inlines(inner, at)?),
        "q" => Block::Quote(blocks(inner, at)?),
        "ul" => Block::Bullets(items(inner, at, blocks)?),
        "h" => {
            let [level, text] = pair(inner, at)?;
            Block::Heading(
                whole_number(level, at)?.clamp(1, 6) as u8,
                inlines(text, at)?,
            )
        }
        "pre" => {
            let [lang, text] = pair(inner, at)?;
            Block::Code(string(lang, at)?, string(text, at)?)
        }
        "ol" => {
            let [start, list] = pair(inner, at)?;
            Block::Ordered(whole_number(start, at)?, items(list, at, blocks)?)
        }
        "table" => {
            let t = Fields::of(inner, here)?;
            Block::Table(Table {
                align: t.list("align", |a, p| Ok(whole_number(a, p)?.min(3) as u8))?,
                head: t.list("head", inlines)?,
                rows: t.list("rows", |row, p| items(row, p, inlines))?,
            })
        }
        other => return Err(path.error(&format!("unknown variant `{other}`"))),
    })
}

/// Reads one inline of a safe tree.
pub fn inline(value: &Json, path: &Path) -> Result<Inline, JsonError> {
    let (tag, inner) = variant(value, path)?;
    let here = Path::Key(path, tag);
    let at = &here;
    Ok(match tag {
        "br" => Inline::Break,
        "t" => Inline::Text(string(inner, at)?),
        "c" => Inline::Code(string(inner, at)?),
        "b" => Inline::Strong(inlines(inner, at)?),
        "i" => Inline::Emph(inlines(inner, at)?),
        "s" => Inline::Strike(inlines(inner, at)?),
        "a" => {
            let [href, text] = pair(inner, at)?;
            Inline::Link(string(href, at)?, inlines(text, at)?)
        }
        "img" => {
            let [src, alt] = pair(inner, at)?;
            Inline::Image(string(src, at)?, string(alt, at)?)
        }
        other => return Err(path.error(&format!("unknown variant `{other}`"))),
    })
}

/// An externally tagged enum value: `"tag"` or `{"tag": inner}`.
fn variant<'a>(value: &'a Json, path: &Path) -> Result<(&'a str, &'a Json), JsonError> {
    match value {
        Json::Str(tag) => Ok((tag, &Json::Null)),
        Json::Obj(fields) if fields.len() == 1 => Ok((&fields[0].0, &fields[0].1)),
        _ => Err(path.error("expected a tree node")),
    }
}

fn blocks(value: &Json, path: &Path) -> Result<Vec<Block>, JsonError> {
    items(value, path, block)
}

fn inlines(value: &Json, path: &Path) -> Result<Vec<Inline>, JsonError> {
    items(value, path, inline)
}

fn strings(value: &Json, path: &Path) -> Result<Vec<String>, JsonError> {
    items(value, path, string)
}

fn pair<'a>(value: &'a Json, path: &Path) -> Result<[&'a Json; 2], JsonError> {
    match value {
        Json::Arr(list) if list.len() == 2 => Ok([&list[0], &list[1]]),
        _ => Err(path.error("expected a list of two")),
    }
}
