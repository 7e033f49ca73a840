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

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::parse::{add_or_skip, file_name, make_label, LoadOptions, RawLabel};
use super::{Category, LabelError, LabelSet};

/// A YAML node with the line it starts on.
#[derive(Clone, Debug)]
enum Node {
    Scalar(String, u64),
    Seq(Vec<Node>, u64),
    Map(Vec<(String, Node)>, u64),
}

impl Node {
    fn line(&self) -> u64 {
        match self {
            Node::Scalar(_, l) | Node::Seq(_, l) | Node::Map(_, l) => *l,
        }
    }

    fn as_scalar(&self) -> Option<&str> {
        match self {
            Node::Scalar(s, _) => Some(s),
            _ => None,
        }
    }
}

enum Frame {
    Seq(Vec<Node>, u64, usize),
    Map(Vec<(String, Node)>, Option<String>, u64, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node)>,
    docs: Vec<Node>,
    error: Option<(u64, String)>,
}

impl Builder {
    fn push_node(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(items, _, _)) => items.push(node),
            Some(Frame::Map(entries, key, _, _)) => match key.take() {
                None => match node {
                    Node::Scalar(k, _) => *key = Some(k),
                    other => {
                        self.error =
                            Some((other.line(), "mapping keys must be scalars".to_string()));
                    }
                },
                Some(k) => entries.push((k, node)),
            },
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
            Event::Scalar(value, _, anchor, _) => self.push_node(Node::Scalar(value, line), anchor),
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq(Vec::new(), line, anchor))
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map(Vec::new(), None, line, anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq(items, l, anchor)) => self.push_node(Node::Seq(items, l), anchor),
                Some(Frame::Map(entries, _, l, anchor)) => {
                    self.push_node(Node::Map(entries, l), anchor)
                }
                None => self.error = Some((line, "unbalanced collection end".to_string())),
            },
            Event::Alias(id) => {
                match self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                {
                    Some(n) => self.push_node(n, 0),
                    None => self.error = Some((line, format!("unknown alias {id}"))),
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

fn parse_yaml(text: &str, file: &str) -> Result<Node, LabelError> {
    let mut b = Builder::default();
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

/// The GraphSense fields a tag carries after inheritance.
#[derive(Clone, Default)]
struct Fields {
    label: Option<String>,
    category: Option<String>,
    abuse: Option<String>,
    actor: Option<String>,
    source: Option<String>,
    confidence: Option<String>,
    currency: Option<String>,
    concepts: Vec<String>,
}

impl Fields {
    fn set(&mut self, key: &str, value: &Node) {
        let text = value.as_scalar().map(str::to_string);
        match key {
            "label" => self.label = text,
            "category" => self.category = text,
            "abuse" => self.abuse = text,
            "actor" => self.actor = text,
            "source" => self.source = text,
            "confidence" => self.confidence = text,
            "currency" | "network" => self.currency = text,
            "concepts" => {
                if let Node::Seq(items, _) = value {
                    self.concepts = items
                        .iter()
                        .filter_map(Node::as_scalar)
                        .map(str::to_string)
                        .collect();
                }
            }
            _ => {}
        }
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
    let from_category = match f.category.as_deref() {
        Some(c) => Some(Category::parse(c).map_err(|_| c.to_string())?),
        None => None,
    };
    if let Some(c) = from_category.filter(|c| !personal(*c)) {
        return Ok(c);
    }
    if let Some(a) = f.abuse.as_deref() {
        if let Ok(c) = Category::parse(a) {
            return Ok(c);
        }
    }
    if let Some(c) = f.concepts.iter().find_map(|c| Category::parse(c).ok()) {
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
/// [`LabelError::Syntax`] for malformed YAML or a pack without `tags:`;
/// in strict mode the first bad tag as [`LabelError::Field`].
pub fn parse_tagpack(text: &str, file: &str, opts: &LoadOptions) -> Result<LabelSet, LabelError> {
    let root = parse_yaml(text, file)?;
    let Node::Map(entries, _) = root else {
        return Err(LabelError::Syntax {
            file: file.to_string(),
            line: root.line(),
            message: "a TagPack is a mapping".to_string(),
        });
    };
    let mut header = Fields::default();
    let mut title = None;
    let mut tags = None;
    for (k, v) in &entries {
        match k.as_str() {
            "tags" => tags = Some(v),
            "title" => title = v.as_scalar().map(str::to_string),
            _ => header.set(k, v),
        }
    }
    let Some(Node::Seq(tags, _)) = tags else {
        return Err(LabelError::Syntax {
            file: file.to_string(),
            line: 0,
            message: "no `tags:` list".to_string(),
        });
    };
    let title = title.unwrap_or_else(|| file_name(file).to_string());
    let mut set = LabelSet::new();
    for tag in tags {
        let line = tag.line();
        let Node::Map(fields, _) = tag else {
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
                address = v.as_scalar().map(str::to_string);
            } else {
                f.set(k, v);
            }
        }
        let result = match tag_category(&f) {
            Ok(category) => {
                let raw = RawLabel {
                    address,
                    chain: f.currency.clone(),
                    entity: Some(f.label.clone().unwrap_or_else(|| title.clone())),
                    category: Some(category.name().to_string()),
                    actor: f.actor.clone(),
                    source: Some(f.source.clone().unwrap_or_else(|| title.clone())),
                    confidence: f.confidence.clone(),
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
}
