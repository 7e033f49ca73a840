//! GraphSense TagPack YAML.
//!
//! A TagPack is a header (`title`, `creator`, `description`, `lastmod`,
//! `source`, `label`, `category`, `abuse`, `confidence`, `currency`,
//! `actor`, `is_cluster_definer`, …) and a list `tags:` of entries with an
//! `address` and optional overrides of any header field. Every tag inherits
//! the header fields it does not set.
//!
//! The YAML is read at the event level (yaml-rust2's parser), so scalars
//! stay text (an unquoted `0x…` address is not turned into a number) and
//! every tag keeps its line for error messages and origins.
//!
//! # Bounded expansion
//!
//! A YAML alias (`*a`) stands for the whole node its anchor (`&a`) names,
//! so a few hundred bytes of nested aliases ("billion laughs") can stand
//! for billions of nodes. Aliases are shared here, never copied (an alias
//! costs one pointer), and every node records its *expanded size*: one per
//! node plus the bytes of its scalars and keys, as if every alias were
//! written out. The expanded size of a pack, counting for each tag the
//! header fields it inherits, may not exceed [`EXPANSION_FACTOR`] × the
//! file's size + [`EXPANSION_ALLOWANCE`]; past that the pack is refused with
//! a [`LabelError::Syntax`] naming the file and line. Real packs, which use
//! no aliases, stay below 8× (inheritance only).

use std::collections::HashMap;
use std::rc::Rc;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::parse::{add_or_skip, file_name, make_label, LoadOptions, RawLabel};
use super::{Category, LabelError, LabelSet};

/// Expanded size allowed per byte of TagPack text (see the module docs).
pub const EXPANSION_FACTOR: u64 = 32;
/// Expanded size allowed on top of [`EXPANSION_FACTOR`] × the file's size.
pub const EXPANSION_ALLOWANCE: u64 = 1 << 20;

/// The most expanded size a pack of `len` bytes may have.
fn expansion_limit(len: usize) -> u64 {
    (len as u64)
        .saturating_mul(EXPANSION_FACTOR)
        .saturating_add(EXPANSION_ALLOWANCE)
}

/// A YAML node with the line it starts on and its expanded size.
#[derive(Debug)]
struct Node {
    kind: Kind,
    line: u64,
    /// One per node plus scalar and key bytes, aliases counted as written out.
    weight: u64,
}

#[derive(Debug)]
enum Kind {
    Scalar(String),
    Seq(Vec<Rc<Node>>),
    Map(Vec<(String, Rc<Node>)>),
}

impl Node {
    fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

enum Frame {
    Seq(Vec<Rc<Node>>, u64, usize, u64),
    Map(Vec<(String, Rc<Node>)>, Option<String>, u64, usize, u64),
}

struct Builder {
    stack: Vec<Frame>,
    /// Anchor id → node (ids are unique: a redefined name gets a new id).
    anchors: HashMap<usize, Rc<Node>>,
    docs: Vec<Rc<Node>>,
    error: Option<(u64, String)>,
    limit: u64,
}

impl Builder {
    fn new(limit: u64) -> Builder {
        Builder {
            stack: Vec::new(),
            anchors: HashMap::new(),
            docs: Vec::new(),
            error: None,
            limit,
        }
    }

    fn too_large(&mut self, line: u64) {
        self.error = Some((
            line,
            format!(
                "YAML aliases expand past {} nodes and bytes: refused as an alias bomb",
                self.limit
            ),
        ));
    }

    fn push_node(&mut self, node: Rc<Node>, anchor: usize, line: u64) {
        if anchor > 0 {
            self.anchors.insert(anchor, Rc::clone(&node));
        }
        let limit = self.limit;
        let over = match self.stack.last_mut() {
            None => {
                let over = node.weight > limit;
                self.docs.push(node);
                over
            }
            Some(Frame::Seq(items, _, _, weight)) => {
                *weight = weight.saturating_add(node.weight);
                items.push(node);
                *weight > limit
            }
            Some(Frame::Map(entries, key, _, _, weight)) => {
                *weight = weight.saturating_add(node.weight);
                match key.take() {
                    None => match &node.kind {
                        Kind::Scalar(k) => *key = Some(k.clone()),
                        _ => {
                            self.error =
                                Some((node.line, "mapping keys must be scalars".to_string()));
                        }
                    },
                    Some(k) => entries.push((k, node)),
                }
                *weight > limit
            }
        };
        if over {
            self.too_large(line);
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line() as u64;
        match ev {
            Event::Scalar(value, _, anchor, _) => {
                let weight = 1 + value.len() as u64;
                let node = Node {
                    kind: Kind::Scalar(value),
                    line,
                    weight,
                };
                self.push_node(Rc::new(node), anchor, line);
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq(Vec::new(), line, anchor, 1));
            }
            Event::MappingStart(anchor, _) => {
                self.stack
                    .push(Frame::Map(Vec::new(), None, line, anchor, 1));
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq(items, l, anchor, weight)) => {
                    let node = Node {
                        kind: Kind::Seq(items),
                        line: l,
                        weight,
                    };
                    self.push_node(Rc::new(node), anchor, line);
                }
                Some(Frame::Map(entries, _, l, anchor, weight)) => {
                    let node = Node {
                        kind: Kind::Map(entries),
                        line: l,
                        weight,
                    };
                    self.push_node(Rc::new(node), anchor, line);
                }
                None => self.error = Some((line, "unbalanced collection end".to_string())),
            },
            Event::Alias(id) => match self.anchors.get(&id).map(Rc::clone) {
                Some(n) => self.push_node(n, 0, line),
                None => self.error = Some((line, format!("unknown alias {id}"))),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

fn parse_yaml(text: &str, file: &str, limit: u64) -> Result<Rc<Node>, LabelError> {
    let mut b = Builder::new(limit);
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut b, false).map_err(|e| LabelError::Syntax {
        file: file.to_string(),
        line: e.marker().line() as u64,
        message: e.info().to_string(),
    })?;
    if let Some((line, message)) = b.error {
        return Err(LabelError::Syntax {
            file: file.to_string(),
            line,
            message,
        });
    }
    b.docs.into_iter().next().ok_or_else(|| LabelError::Syntax {
        file: file.to_string(),
        line: 0,
        message: "empty document".to_string(),
    })
}

/// The GraphSense fields a tag carries after inheritance (borrowed from
/// the document, so inheriting copies nothing).
#[derive(Clone, Default)]
struct Fields<'a> {
    label: Option<&'a str>,
    category: Option<&'a str>,
    abuse: Option<&'a str>,
    actor: Option<&'a str>,
    source: Option<&'a str>,
    confidence: Option<&'a str>,
    currency: Option<&'a str>,
    concepts: &'a [Rc<Node>],
}

impl<'a> Fields<'a> {
    fn set(&mut self, key: &str, value: &'a Node) {
        let text = value.as_scalar();
        match key {
            "label" => self.label = text,
            "category" => self.category = text,
            "abuse" => self.abuse = text,
            "actor" => self.actor = text,
            "source" => self.source = text,
            "confidence" => self.confidence = text,
            "currency" | "network" => self.currency = text,
            "concepts" => {
                if let Kind::Seq(items) = &value.kind {
                    self.concepts = items;
                }
            }
            _ => {}
        }
    }

    /// The expanded size of the fields (what a tag inheriting them copies
    /// or scans).
    fn weight(&self) -> u64 {
        let text = [
            self.label,
            self.category,
            self.abuse,
            self.actor,
            self.source,
            self.confidence,
            self.currency,
        ];
        let t: u64 = text.iter().flatten().map(|s| s.len() as u64 + 1).sum();
        let c: u64 = self
            .concepts
            .iter()
            .fold(0u64, |acc, n| acc.saturating_add(n.weight));
        t.saturating_add(c)
    }
}

/// Maps a tag's GraphSense `category`, `concepts` and `abuse` onto one
/// [`Category`].
///
/// A service category (`exchange`, `mixing_service`, `coinjoin`, `bridge`,
/// `defi_dex`, `gambling`, `miner`, `market`, `wallet_service`, …) decides
/// first: an address with `category: exchange, abuse: service_hack` is the
/// hacked exchange's wallet. Without one (no category, `user`,
/// `organization`), the abuse decides: `sanction` → sanctioned;
/// `service_hack`, `phishing`, `scam`, `ransomware`, … → exploiter. Then
/// the first known concept; otherwise `other`.
fn tag_category(f: &Fields) -> Result<Category, String> {
    let personal = |c: Category| c == Category::Other;
    let from_category = match f.category {
        Some(c) => Some(Category::parse(c).map_err(|_| c.to_string())?),
        None => None,
    };
    if let Some(c) = from_category.filter(|c| !personal(*c)) {
        return Ok(c);
    }
    if let Some(a) = f.abuse {
        if let Ok(c) = Category::parse(a) {
            return Ok(c);
        }
    }
    if let Some(c) = f
        .concepts
        .iter()
        .find_map(|c| c.as_scalar().and_then(|c| Category::parse(c).ok()))
    {
        return Ok(c);
    }
    Ok(Category::Other)
}

/// Parses a GraphSense TagPack: one label per entry of `tags:`, with the
/// header fields inherited.
///
/// Label fields: address from `address`; chain from `currency` (or
/// `network`; [`LoadOptions::chain`] when absent); entity from `label`
/// (else the pack's `title`); category as described for the mapping above
/// (`category`, then `abuse`, then `concepts`); actor from `actor`; source
/// from `source` (else the pack's title); confidence from `confidence`
/// (GraphSense level names, see [`Confidence`](super::Confidence)). The
/// origin is `file:line` of the tag.
///
/// # Errors
///
/// [`LabelError::Syntax`] for malformed YAML, a pack without `tags:`, or
/// one that expands past its limit (see the module docs); in strict mode
/// the first bad tag as [`LabelError::Field`].
pub fn parse_tagpack(text: &str, file: &str, opts: &LoadOptions) -> Result<LabelSet, LabelError> {
    parse_limited(text, file, opts, expansion_limit(text.len()))
}

/// As [`parse_tagpack`], with the expansion limit given.
fn parse_limited(
    text: &str,
    file: &str,
    opts: &LoadOptions,
    limit: u64,
) -> Result<LabelSet, LabelError> {
    let root = parse_yaml(text, file, limit)?;
    let Kind::Map(entries) = &root.kind else {
        return Err(LabelError::Syntax {
            file: file.to_string(),
            line: root.line,
            message: "a TagPack is a mapping".to_string(),
        });
    };
    let mut header = Fields::default();
    let mut title = None;
    let mut tags = None;
    for (k, v) in entries {
        match k.as_str() {
            "tags" => tags = Some(v),
            "title" => title = v.as_scalar(),
            _ => header.set(k, v),
        }
    }
    let Some(Kind::Seq(tags)) = tags.map(|t| &t.kind) else {
        return Err(LabelError::Syntax {
            file: file.to_string(),
            line: 0,
            message: "no `tags:` list".to_string(),
        });
    };
    let title = title.unwrap_or_else(|| file_name(file));
    // What every tag may copy from the header (its fields and the title).
    let inherited = header.weight().saturating_add(2 * title.len() as u64);
    let mut expanded: u64 = 0;
    let mut set = LabelSet::new();
    for tag in tags {
        let line = tag.line;
        expanded = expanded
            .saturating_add(tag.weight)
            .saturating_add(inherited);
        if expanded > limit {
            return Err(LabelError::Syntax {
                file: file.to_string(),
                line,
                message: format!(
                    "the tags with their inherited header fields expand past {limit} nodes and bytes: refused as an expansion bomb"
                ),
            });
        }
        let Kind::Map(fields) = &tag.kind else {
            let e = LabelError::Syntax {
                file: file.to_string(),
                line,
                message: "a tag is a mapping".to_string(),
            };
            add_or_skip(&mut set, Err(e), opts)?;
            continue;
        };
        let mut f = header.clone();
        let mut address = None;
        for (k, v) in fields {
            if k == "address" {
                address = v.as_scalar();
            } else {
                f.set(k, v);
            }
        }
        let owned = |s: Option<&str>| s.map(str::to_string);
        let result = match tag_category(&f) {
            Ok(category) => {
                let raw = RawLabel {
                    address: owned(address),
                    chain: owned(f.currency),
                    entity: Some(f.label.unwrap_or(title).to_string()),
                    category: Some(category.name().to_string()),
                    actor: owned(f.actor),
                    source: Some(f.source.unwrap_or(title).to_string()),
                    confidence: owned(f.confidence),
                    origin_note: None,
                };
                make_label(&raw, file, line, opts)
            }
            Err(v) => Err(LabelError::Field {
                file: file.to_string(),
                line,
                field: "category".to_string(),
                value: v,
                reason: "unknown category".to_string(),
            }),
        };
        add_or_skip(&mut set, result, opts)?;
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Address;

    const PACK: &str = "title: Demo\nsource: https://example.org\nconfidence: authority_data\nabuse: sanction\ncategory: user\nactor: lazarusgroup\ntags:\n- address: 134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak\n  currency: BTC\n- address: 0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n  currency: ETH\n  category: exchange\n  confidence: web_crawl\n";

    #[test]
    fn header_fields_are_inherited_and_overridden() {
        let s = parse_tagpack(PACK, "p.yaml", &LoadOptions::default()).unwrap();
        assert_eq!(s.len(), 2);
        let b = Address::text("134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak").unwrap();
        let l = &s.get(&b)[0];
        assert_eq!(l.category, Category::Sanctioned);
        assert_eq!(l.chain, "bitcoin");
        assert_eq!(l.actor.as_deref(), Some("lazarusgroup"));
        assert_eq!(l.confidence.level(), 60);
        assert_eq!(l.entity, "Demo");
        assert_eq!(l.origin.as_deref(), Some("p.yaml:8"));
        let e: Address = "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
            .parse()
            .unwrap();
        let l = &s.get(&e)[0];
        assert_eq!(l.category, Category::Exchange);
        assert_eq!(l.confidence.level(), 20);
        assert_eq!(l.origin.as_deref(), Some("p.yaml:10"));
    }

    #[test]
    fn bad_tags_name_their_line() {
        let bad = "title: x\ncategory: exchange\ntags:\n- address: '0x1234'\n";
        let e = parse_tagpack(bad, "b.yaml", &LoadOptions::default()).unwrap_err();
        assert!(
            e.to_string().starts_with("b.yaml:4: field `address`"),
            "{e}"
        );
        let e = parse_tagpack("title: [x\n", "c.yaml", &LoadOptions::default()).unwrap_err();
        assert!(matches!(e, LabelError::Syntax { .. }));
    }

    /// Nine levels of ten aliases each: 10^9 nodes from a few hundred bytes.
    fn billion_laughs() -> String {
        let names = b"abcdefghij";
        let mut y = String::from("a: &a [x]\n");
        for w in names.windows(2) {
            let (prev, this) = (char::from(w[0]), char::from(w[1]));
            let refs = vec![format!("*{prev}"); 10].join(",");
            y.push_str(&format!("{this}: &{this} [{refs}]\n"));
        }
        y.push_str("tags: *j\n");
        y
    }

    #[test]
    fn alias_bombs_are_refused_quickly() {
        let bomb = billion_laughs();
        assert!(bomb.len() < 400, "{}", bomb.len());
        let t = std::time::Instant::now();
        let e = parse_tagpack(&bomb, "bomb.yaml", &LoadOptions::default()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("bomb.yaml:") && msg.contains("alias bomb"),
            "{msg}"
        );
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn aliases_within_the_limit_still_work() {
        let pack = "title: T\ncategory: exchange\nsrc: &s https://example.org\ntags:\n- &t1 {address: 134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak, currency: BTC, source: *s}\n- *t1\n";
        let s = parse_tagpack(pack, "a.yaml", &LoadOptions::default()).unwrap();
        let b = Address::text("134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak").unwrap();
        assert_eq!(s.get(&b)[0].source, "https://example.org");
        // Redefining an anchor: the later definition wins.
        let pack = "tags:\n- &t {address: 134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak, currency: BTC, category: exchange}\n- &t {address: 0x098B716B8Aaf21512996dC57EB0615e2383E2f96, currency: ETH, category: exchange}\n- *t\n";
        let s = parse_tagpack(pack, "r.yaml", &LoadOptions::default()).unwrap();
        let e: Address = "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
            .parse()
            .unwrap();
        assert_eq!(s.get(&e).len(), 1, "an exact repeat is one label");
        let e = parse_tagpack("tags: *nope\n", "u.yaml", &LoadOptions::default()).unwrap_err();
        assert!(matches!(e, LabelError::Syntax { .. }), "{e}");
    }

    #[test]
    fn inherited_header_fields_count_against_the_limit() {
        // A 200 kB header label inherited by 4,000 short tags would copy 800 MB.
        let mut pack = format!(
            "title: T\ncategory: exchange\ncurrency: ETH\nlabel: {}\ntags:\n",
            "x".repeat(200_000)
        );
        for i in 0..4_000 {
            pack.push_str(&format!("- address: '0x{i:040x}'\n"));
        }
        let e = parse_tagpack(&pack, "h.yaml", &LoadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("expansion bomb"), "{e}");
        // The same pack with a short label loads.
        let small = pack.replacen(&"x".repeat(200_000), "Exchange", 1);
        let s = parse_tagpack(&small, "h.yaml", &LoadOptions::default()).unwrap();
        assert_eq!(s.len(), 4_000);
    }

    #[test]
    #[ignore = "needs ../shared/data: GraphSense TagPacks"]
    fn real_packs_expand_less_than_eight_times() {
        let dir = std::path::Path::new("../shared/data/graphsense_tagpacks/packs");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.display().to_string();
            let opts = LoadOptions {
                lenient: true,
                ..LoadOptions::default()
            };
            let limit = 8 * text.len() as u64;
            if let Err(e) = parse_limited(&text, &name, &opts, limit) {
                panic!("{name}: {e}");
            }
            n += 1;
        }
        assert!(n >= 20, "{n} packs");
    }
}
