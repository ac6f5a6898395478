//! Geometry of the SVG figure: where every box, label and arrow goes.
//!
//! The layout is deterministic and collision-free by construction:
//!
//! 1. each stakeholder becomes a *cluster*: its green box plus its orange factor
//!    boxes stacked on the outer side (above for the top half of the ring, below
//!    for the bottom half);
//! 2. cluster anchors sit on an ellipse whose radius grows in small steps until no
//!    two cluster frames intersect;
//! 3. the threats panel (grouped by motivation) goes left of the ring, the support
//!    panel right, the title above and the legend below;
//! 4. arrows join stakeholder boxes, clipped at the box borders; each arrow's kind
//!    label is tried at several points along the arrow and kept at the first one
//!    that touches no box, frame or other label (otherwise it is left out of the
//!    figure and kept only in the arrow's tooltip).
//!
//! Text widths are estimated from character counts (see [`text_width`]).

use holisec_model::{Ecosystem, Motivation, RelationKind, RelationLevel, SupportKind};

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// Centre point.
    pub fn centre(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// True when the two rectangles overlap or come closer than `gap`.
    pub fn intersects(&self, other: &Rect, gap: f64) -> bool {
        self.x < other.right() + gap
            && other.x < self.right() + gap
            && self.y < other.bottom() + gap
            && other.y < self.bottom() + gap
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            w: self.right().max(other.right()) - x,
            h: self.bottom().max(other.bottom()) - y,
        }
    }

    fn shifted(&self, dx: f64, dy: f64) -> Rect {
        Rect {
            x: self.x + dx,
            y: self.y + dy,
            ..*self
        }
    }
}

/// What a block of the figure shows (drives its style).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// The figure title and subtitle.
    Title,
    /// Green stakeholder box.
    Stakeholder,
    /// Orange vulnerability factor box.
    Factor,
    /// Heading of a side panel or of a group in it.
    Heading,
    /// A threat entry (italic).
    Threat,
    /// A support entry (bold).
    Support,
    /// The kind label of an arrow.
    EdgeLabel,
    /// One entry of the legend.
    Legend,
}

/// Text style of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Regular black.
    Plain,
    /// Bold black.
    Bold,
    /// Italic black.
    Italic,
    /// Bold italic black.
    BoldItalic,
    /// Small grey note.
    Note,
    /// Small domain tag of a factor.
    Tag,
}

/// One line of text inside a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The text (not escaped).
    pub text: String,
    /// Font size in px.
    pub size: f64,
    /// Style.
    pub style: Style,
}

/// A rectangle of the figure with its text: a box, a panel entry or a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// What it shows.
    pub kind: BlockKind,
    /// Where.
    pub rect: Rect,
    /// Its lines, top to bottom.
    pub lines: Vec<Line>,
    /// Centre the lines horizontally (boxes) or left-align them (panels).
    pub centred: bool,
    /// For legend entries: the swatch to draw at the left.
    pub swatch: Option<Swatch>,
}

/// A legend symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swatch {
    /// Green box.
    Stakeholder,
    /// Orange box.
    Factor,
    /// Solid arrow.
    FirstLevel,
    /// Dashed arrow.
    SecondLevel,
    /// No symbol (the text itself shows the style).
    None,
}

/// One arrow between two stakeholder boxes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Start point (on the border of the source box).
    pub from: (f64, f64),
    /// End point (on the border of the target box).
    pub to: (f64, f64),
    /// Solid or dashed.
    pub level: RelationLevel,
    /// Tooltip text: "source kind target".
    pub tooltip: String,
    /// Index into [`Layout::blocks`] of its label, when one fitted.
    pub label: Option<usize>,
}

/// A side panel frame with its title.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The frame.
    pub rect: Rect,
}

/// The whole figure geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// Every text-bearing rectangle; no two intersect.
    pub blocks: Vec<Block>,
    /// One frame per stakeholder cluster (its green and orange boxes).
    pub clusters: Vec<Rect>,
    /// The side panels.
    pub panels: Vec<Panel>,
    /// The legend frame.
    pub legend: Rect,
    /// Arrows.
    pub edges: Vec<Edge>,
    /// Arrows whose label did not fit anywhere.
    pub unlabelled: usize,
}

/// Width estimate of `text` at `size` px in Helvetica/Arial.
///
/// Deliberately generous (0.58 em per character, 0.63 for bold) so real text
/// never spills out of the boxes computed from it.
pub fn text_width(text: &str, size: f64, style: Style) -> f64 {
    let per = match style {
        Style::Bold | Style::BoldItalic => 0.63,
        _ => 0.58,
    };
    text.chars().count() as f64 * size * per
}

/// Greedy word wrap at `max` characters; longer words are cut.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > max {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            let rest = word.split_off(max);
            lines.push(word.into_iter().collect());
            word = rest;
        }
        let word: String = word.into_iter().collect();
        let len = current.chars().count();
        if len == 0 {
            current = word;
        } else if len + 1 + word.chars().count() <= max {
            current.push(' ');
            current.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut current, word));
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// Line height for a font size.
pub fn line_height(size: f64) -> f64 {
    (size * 1.3).round()
}

const PAD_X: f64 = 10.0;
const PAD_Y: f64 = 7.0;
const STACK_GAP: f64 = 6.0;
const CLUSTER_PAD: f64 = 8.0;
const CLUSTER_GAP: f64 = 26.0;
const MARGIN: f64 = 30.0;
const PANEL_GAP: f64 = 40.0;
const PANEL_WIDTH_CHARS: usize = 34;
const LABEL_SIZE: f64 = 11.0;

fn lines_of(texts: Vec<String>, size: f64, style: Style) -> Vec<Line> {
    texts
        .into_iter()
        .map(|text| Line { text, size, style })
        .collect()
}

fn content_size(lines: &[Line]) -> (f64, f64) {
    let w = lines
        .iter()
        .map(|l| text_width(&l.text, l.size, l.style))
        .fold(0.0, f64::max);
    let h = lines.iter().map(|l| line_height(l.size)).sum();
    (w, h)
}

fn boxed(kind: BlockKind, lines: Vec<Line>, min_w: f64, centred: bool) -> Block {
    let (w, h) = content_size(&lines);
    Block {
        kind,
        rect: Rect {
            x: 0.0,
            y: 0.0,
            w: (w + 2.0 * PAD_X).max(min_w).ceil(),
            h: (h + 2.0 * PAD_Y).ceil(),
        },
        lines,
        centred,
        swatch: None,
    }
}

/// A stakeholder with its factor boxes, positioned relative to its own origin.
struct Cluster {
    boxes: Vec<Block>,
    frame: Rect,
    /// Index in `boxes` of the stakeholder box (always 0).
    anchor: Rect,
}

fn cluster(eco: &Ecosystem, s: usize, above: bool) -> Cluster {
    let st = &eco.stakeholders[s];
    let mut green = boxed(
        BlockKind::Stakeholder,
        lines_of(wrap(&st.name, 22), 15.0, Style::Bold),
        150.0,
        true,
    );
    let mut factors: Vec<Block> = eco
        .vulnerabilities
        .iter()
        .filter(|v| v.stakeholder.index() == s)
        .map(|v| {
            let mut lines = vec![Line {
                text: v.domain.as_str().to_string(),
                size: 11.0,
                style: Style::Tag,
            }];
            lines.extend(lines_of(wrap(&v.name, 28), 12.0, Style::Plain));
            boxed(BlockKind::Factor, lines, 0.0, true)
        })
        .collect();
    let width = factors
        .iter()
        .map(|b| b.rect.w)
        .fold(green.rect.w, f64::max);
    green.rect.w = width;
    green.rect.x = -width / 2.0;
    green.rect.y = -green.rect.h / 2.0;
    let mut y_up = green.rect.y;
    let mut y_down = green.rect.bottom();
    for f in &mut factors {
        f.rect.w = width - 16.0;
        f.rect.x = -f.rect.w / 2.0;
        if above {
            y_up -= STACK_GAP + f.rect.h;
            f.rect.y = y_up;
        } else {
            f.rect.y = y_down + STACK_GAP;
            y_down = f.rect.bottom();
        }
    }
    let anchor = green.rect;
    let mut frame = green.rect;
    for f in &factors {
        frame = frame.union(&f.rect);
    }
    let frame = Rect {
        x: frame.x - CLUSTER_PAD,
        y: frame.y - CLUSTER_PAD,
        w: frame.w + 2.0 * CLUSTER_PAD,
        h: frame.h + 2.0 * CLUSTER_PAD,
    };
    let mut boxes = vec![green];
    boxes.extend(factors);
    Cluster {
        boxes,
        frame,
        anchor,
    }
}

/// Title-cased motivation or support kind for the panels.
fn heading(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn names(eco: &Ecosystem, idx: impl Iterator<Item = usize>) -> String {
    let v: Vec<&str> = idx.map(|i| eco.stakeholders[i].name.as_str()).collect();
    v.join(", ")
}

/// Blocks of a side panel, stacked from y = 0 at x = 0.
fn panel_blocks(groups: Vec<(Line, Vec<Vec<Line>>)>, title: &str, kind: BlockKind) -> Vec<Block> {
    let mut out = Vec::new();
    let mut y = 0.0;
    let mut push = |b: Block, gap_after: f64, y: &mut f64| {
        let mut b = b;
        b.rect.y = *y;
        *y = b.rect.bottom() + gap_after;
        out.push(b);
    };
    push(
        boxed(
            BlockKind::Heading,
            lines_of(vec![title.to_string()], 17.0, Style::Bold),
            0.0,
            false,
        ),
        4.0,
        &mut y,
    );
    for (head, entries) in groups {
        push(
            boxed(BlockKind::Heading, vec![head], 0.0, false),
            0.0,
            &mut y,
        );
        for lines in entries {
            let mut b = boxed(kind, lines, 0.0, false);
            b.rect.h -= PAD_Y; // entries sit closer together than boxes
            push(b, 0.0, &mut y);
        }
        y += 8.0;
    }
    let width = out.iter().map(|b| b.rect.w).fold(0.0, f64::max);
    for b in &mut out {
        b.rect.w = width;
    }
    out
}

fn threat_panel(eco: &Ecosystem) -> Vec<Block> {
    let mut groups = Vec::new();
    for &m in Motivation::ALL {
        let entries: Vec<Vec<Line>> = eco
            .threats
            .iter()
            .filter(|t| t.motivation == m)
            .map(|t| {
                let mut lines = lines_of(wrap(&t.name, PANEL_WIDTH_CHARS), 12.0, Style::Italic);
                let targets = names(eco, t.targets.iter().map(|s| s.index()));
                if !targets.is_empty() {
                    lines.extend(lines_of(
                        wrap(&format!("targets: {targets}"), PANEL_WIDTH_CHARS + 4),
                        11.0,
                        Style::Note,
                    ));
                }
                lines
            })
            .collect();
        if !entries.is_empty() {
            let head = Line {
                text: heading(m.as_str()),
                size: 15.0,
                style: Style::BoldItalic,
            };
            groups.push((head, entries));
        }
    }
    panel_blocks(groups, "Motivations", BlockKind::Threat)
}

fn support_panel(eco: &Ecosystem) -> Vec<Block> {
    let mut groups = Vec::new();
    for &k in SupportKind::ALL {
        let entries: Vec<Vec<Line>> = eco
            .supports
            .iter()
            .filter(|s| s.kind == k)
            .map(|s| {
                let mut lines = lines_of(wrap(&s.name, PANEL_WIDTH_CHARS), 12.0, Style::Bold);
                let n = s.mitigates.len();
                let note = format!(
                    "by {} \u{b7} mitigates {n} factor{}",
                    eco.stakeholders[s.provider.index()].name,
                    if n == 1 { "" } else { "s" }
                );
                lines.extend(lines_of(
                    wrap(&note, PANEL_WIDTH_CHARS + 4),
                    11.0,
                    Style::Note,
                ));
                lines
            })
            .collect();
        if !entries.is_empty() {
            let head = Line {
                text: heading(k.as_str()),
                size: 15.0,
                style: Style::Bold,
            };
            groups.push((head, entries));
        }
    }
    panel_blocks(groups, "Support", BlockKind::Support)
}

fn legend_blocks() -> Vec<Block> {
    let entries = [
        ("Stakeholder", Style::Bold, Swatch::Stakeholder),
        (
            "Vulnerability factor (domain)",
            Style::Plain,
            Swatch::Factor,
        ),
        ("Motivation / threat", Style::Italic, Swatch::None),
        ("Support", Style::Bold, Swatch::None),
        (
            "First-level relation (direct)",
            Style::Plain,
            Swatch::FirstLevel,
        ),
        (
            "Second-level relation (indirect)",
            Style::Plain,
            Swatch::SecondLevel,
        ),
    ];
    entries
        .iter()
        .map(|&(text, style, swatch)| {
            let mut b = boxed(
                BlockKind::Legend,
                lines_of(vec![text.to_string()], 13.0, style),
                0.0,
                false,
            );
            if swatch != Swatch::None {
                b.rect.w += 44.0;
            }
            b.swatch = Some(swatch);
            b
        })
        .collect()
}

fn relation_label(kind: RelationKind) -> String {
    kind.as_str().replace('-', " ")
}

/// Point where the segment from the centre of `r` towards `(tx, ty)` leaves `r` (plus `margin`).
fn clip(r: &Rect, tx: f64, ty: f64, margin: f64) -> (f64, f64) {
    let (cx, cy) = r.centre();
    let (dx, dy) = (tx - cx, ty - cy);
    let hw = r.w / 2.0 + margin;
    let hh = r.h / 2.0 + margin;
    let sx = if dx.abs() > 1e-9 {
        hw / dx.abs()
    } else {
        f64::INFINITY
    };
    let sy = if dy.abs() > 1e-9 {
        hh / dy.abs()
    } else {
        f64::INFINITY
    };
    let s = sx.min(sy).min(1.0);
    (cx + dx * s, cy + dy * s)
}

/// Computes the figure layout of `eco`.
pub fn layout(eco: &Ecosystem) -> Layout {
    let n = eco.stakeholders.len();
    // 1. clusters around the origin.
    let angles: Vec<f64> = (0..n)
        .map(|i| -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n.max(1) as f64)
        .collect();
    let clusters: Vec<Cluster> = (0..n)
        .map(|i| cluster(eco, i, angles[i].sin() < -1e-9 || (n == 1)))
        .collect();
    // 2. grow the ellipse until no frames intersect.
    let (ax, ay) = (1.55, 1.0);
    let place = |r: f64| -> Vec<(f64, f64)> {
        angles
            .iter()
            .map(|a| (ax * r * a.cos(), ay * r * a.sin()))
            .collect()
    };
    let fits = |pos: &[(f64, f64)]| -> bool {
        for i in 0..n {
            let a = clusters[i].frame.shifted(pos[i].0, pos[i].1);
            for j in i + 1..n {
                let b = clusters[j].frame.shifted(pos[j].0, pos[j].1);
                if a.intersects(&b, CLUSTER_GAP) {
                    return false;
                }
            }
        }
        true
    };
    // Leave room in the middle for the arrows and their labels.
    let mut radius = if n <= 1 { 0.0 } else { 160.0 };
    while !fits(&place(radius)) {
        radius += 8.0;
    }
    let pos = place(radius);

    let mut blocks: Vec<Block> = Vec::new();
    let mut frames: Vec<Rect> = Vec::new();
    let mut anchors: Vec<Rect> = Vec::new();
    for (c, &(dx, dy)) in clusters.into_iter().zip(&pos) {
        frames.push(c.frame.shifted(dx, dy));
        anchors.push(c.anchor.shifted(dx, dy));
        for mut b in c.boxes {
            b.rect = b.rect.shifted(dx, dy);
            blocks.push(b);
        }
    }
    let ring = frames
        .iter()
        .copied()
        .reduce(|a, b| a.union(&b))
        .unwrap_or(Rect {
            x: -200.0,
            y: -100.0,
            w: 400.0,
            h: 200.0,
        });
    // Reserve the ring's interior when there are arrows, so it is not empty-looking.
    let ring = ring.union(&Rect {
        x: -200.0,
        y: -100.0,
        w: 400.0,
        h: 200.0,
    });

    // 3. panels left and right, title on top, legend below.
    let threats = threat_panel(eco);
    let supports = support_panel(eco);
    let panel_w = |p: &[Block]| p.first().map_or(0.0, |b| b.rect.w);
    let panel_h = |p: &[Block]| p.last().map_or(0.0, |b| b.rect.bottom());
    let title_lines = vec![
        Line {
            text: eco.meta.name.clone(),
            size: 26.0,
            style: Style::Bold,
        },
        Line {
            text: format!(
                "Holistic view of the healthcare cybersecurity ecosystem \u{2014} {} stakeholders, {} vulnerability factors, {} threats, {} support items, {} relations",
                eco.stakeholders.len(),
                eco.vulnerabilities.len(),
                eco.threats.len(),
                eco.supports.len(),
                eco.relations.len()
            ),
            size: 14.0,
            style: Style::Note,
        },
    ];
    let mut title = boxed(BlockKind::Title, title_lines, 0.0, false);
    let legend = legend_blocks();

    let left_w = if threats.is_empty() {
        0.0
    } else {
        panel_w(&threats) + PANEL_GAP
    };
    let top = MARGIN + title.rect.h + 20.0;
    let dx = MARGIN + left_w - ring.x;
    let dy = top - ring.y;
    for b in &mut blocks {
        b.rect = b.rect.shifted(dx, dy);
    }
    for f in frames.iter_mut().chain(anchors.iter_mut()) {
        *f = f.shifted(dx, dy);
    }
    let ring = ring.shifted(dx, dy);
    let mut panels = Vec::new();
    let mut panel_at = |p: Vec<Block>, x: f64, blocks: &mut Vec<Block>| {
        if p.is_empty() {
            return;
        }
        let h = panel_h(&p);
        let w = panel_w(&p);
        let y0 = top + ((ring.h - h) / 2.0).max(0.0);
        for mut b in p {
            b.rect = b.rect.shifted(x, y0);
            blocks.push(b);
        }
        panels.push(Panel {
            rect: Rect {
                x: x - 10.0,
                y: y0 - 10.0,
                w: w + 20.0,
                h: h + 20.0,
            },
        });
    };
    panel_at(threats, MARGIN, &mut blocks);
    let right_x = ring.right() + PANEL_GAP;
    let right_w = panel_w(&supports);
    panel_at(supports, right_x, &mut blocks);
    let content_right = if right_w > 0.0 {
        right_x + right_w
    } else {
        ring.right()
    };
    let content_bottom = panels
        .iter()
        .map(|p| p.rect.bottom())
        .fold(ring.bottom(), f64::max);

    // Legend: rows of entries, wrapped to the content width.
    let max_w = (content_right - MARGIN).max(title.rect.w).max(900.0);
    let mut legend_blocks = Vec::new();
    let (mut x, mut y) = (MARGIN + 12.0, content_bottom + 30.0);
    for mut b in legend {
        if x + b.rect.w > MARGIN + max_w && x > MARGIN + 12.0 {
            x = MARGIN + 12.0;
            y += b.rect.h + 4.0;
        }
        b.rect.x = x;
        b.rect.y = y;
        x += b.rect.w + 18.0;
        legend_blocks.push(b);
    }
    let legend_rect = legend_blocks
        .iter()
        .map(|b| b.rect)
        .reduce(|a, b| a.union(&b))
        .map(|r| Rect {
            x: r.x - 12.0,
            y: r.y - 8.0,
            w: r.w + 24.0,
            h: r.h + 16.0,
        })
        .unwrap_or(Rect {
            x: MARGIN,
            y: content_bottom,
            w: 0.0,
            h: 0.0,
        });
    blocks.extend(legend_blocks);
    title.rect.x = MARGIN;
    title.rect.y = MARGIN;
    blocks.push(title);

    // 4. arrows and their labels.
    let mut obstacles: Vec<Rect> = blocks.iter().map(|b| b.rect).collect();
    obstacles.extend(frames.iter().copied());
    obstacles.extend(panels.iter().map(|p| p.rect));
    obstacles.push(legend_rect);
    let mut edges = Vec::new();
    let mut unlabelled = 0;
    // Parallel arrows between the same pair are fanned out sideways.
    let mut pair_count = std::collections::BTreeMap::<(usize, usize), usize>::new();
    for r in &eco.relations {
        let key = (
            r.from.index().min(r.to.index()),
            r.from.index().max(r.to.index()),
        );
        *pair_count.entry(key).or_default() += 1;
    }
    let mut pair_seen = std::collections::BTreeMap::<(usize, usize), usize>::new();
    for r in &eco.relations {
        let (a, b) = (r.from.index(), r.to.index());
        if a == b {
            continue;
        }
        let key = (a.min(b), a.max(b));
        let total = pair_count[&key];
        let k = {
            let e = pair_seen.entry(key).or_default();
            *e += 1;
            *e - 1
        };
        // Offset perpendicular to the canonical direction (low index -> high index).
        let (lo, hi) = (anchors[key.0].centre(), anchors[key.1].centre());
        let (ux, uy) = (hi.0 - lo.0, hi.1 - lo.1);
        let len = (ux * ux + uy * uy).sqrt().max(1e-9);
        let (px, py) = (-uy / len, ux / len);
        let off = (k as f64 - (total as f64 - 1.0) / 2.0) * 12.0;
        let (ca, cb) = (anchors[a].centre(), anchors[b].centre());
        let sa = anchors[a].shifted(px * off, py * off);
        let sb = anchors[b].shifted(px * off, py * off);
        let from = clip(&sa, cb.0 + px * off, cb.1 + py * off, 2.0);
        let to = clip(&sb, ca.0 + px * off, ca.1 + py * off, 4.0);
        let text = relation_label(r.kind);
        let tooltip = format!(
            "{} {} {} ({} level)",
            eco.stakeholders[a].name,
            r.kind.as_str(),
            eco.stakeholders[b].name,
            r.level.as_str()
        );
        let lw = (text_width(&text, LABEL_SIZE, Style::Plain) + 8.0).ceil();
        let lh = line_height(LABEL_SIZE) + 2.0;
        let mut label = None;
        for t in [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.2, 0.8] {
            let cx = from.0 + (to.0 - from.0) * t;
            let cy = from.1 + (to.1 - from.1) * t;
            let rect = Rect {
                x: cx - lw / 2.0,
                y: cy - lh / 2.0,
                w: lw,
                h: lh,
            };
            if obstacles.iter().all(|o| !o.intersects(&rect, 2.0)) {
                obstacles.push(rect);
                blocks.push(Block {
                    kind: BlockKind::EdgeLabel,
                    rect,
                    lines: vec![Line {
                        text: text.clone(),
                        size: LABEL_SIZE,
                        style: Style::Note,
                    }],
                    centred: true,
                    swatch: None,
                });
                label = Some(blocks.len() - 1);
                break;
            }
        }
        if label.is_none() {
            unlabelled += 1;
        }
        edges.push(Edge {
            from,
            to,
            level: r.level,
            tooltip,
            label,
        });
    }

    let width = (content_right
        .max(legend_rect.right())
        .max(MARGIN + title_w(&blocks))
        + MARGIN)
        .max(1200.0)
        .ceil();
    let height = (legend_rect.bottom() + MARGIN).ceil();
    Layout {
        width,
        height,
        blocks,
        clusters: frames,
        panels,
        legend: legend_rect,
        edges,
        unlabelled,
    }
}

fn title_w(blocks: &[Block]) -> f64 {
    blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Title)
        .map(|b| b.rect.w)
        .fold(0.0, f64::max)
}

impl Layout {
    /// Every box and label rectangle of the figure (the ones that must never intersect).
    pub fn rects(&self) -> Vec<(BlockKind, Rect)> {
        self.blocks.iter().map(|b| (b.kind, b.rect)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use proptest::prelude::*;

    fn assert_no_overlap(l: &Layout) {
        let rects = l.rects();
        for (i, (ka, a)) in rects.iter().enumerate() {
            assert!(a.w > 0.0 && a.h > 0.0, "empty rect {ka:?} {a:?}");
            assert!(a.x >= 0.0 && a.y >= 0.0, "{ka:?} {a:?} outside the figure");
            assert!(
                a.right() <= l.width && a.bottom() <= l.height,
                "{ka:?} {a:?} outside {}x{}",
                l.width,
                l.height
            );
            for (kb, b) in &rects[i + 1..] {
                assert!(!a.intersects(b, 0.0), "{ka:?} {a:?} overlaps {kb:?} {b:?}");
            }
        }
        // Containers do not overlap each other either.
        let mut frames: Vec<Rect> = l.clusters.clone();
        frames.extend(l.panels.iter().map(|p| p.rect));
        frames.push(l.legend);
        for (i, a) in frames.iter().enumerate() {
            for b in &frames[i + 1..] {
                assert!(!a.intersects(b, 0.0), "frame {a:?} overlaps {b:?}");
            }
        }
        // Every box and panel entry stays inside its container.
        for b in &l.blocks {
            let inside = |f: &Rect| {
                b.rect.x >= f.x
                    && b.rect.y >= f.y
                    && b.rect.right() <= f.right()
                    && b.rect.bottom() <= f.bottom()
            };
            match b.kind {
                BlockKind::Stakeholder | BlockKind::Factor => {
                    assert!(l.clusters.iter().any(inside), "{b:?} outside its cluster")
                }
                BlockKind::Threat | BlockKind::Support => {
                    assert!(
                        l.panels.iter().any(|p| inside(&p.rect)),
                        "{b:?} outside its panel"
                    )
                }
                BlockKind::Legend => assert!(inside(&l.legend)),
                _ => {}
            }
        }
    }

    #[test]
    fn wrap_splits_on_words_and_cuts_long_words() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), vec![""]);
    }

    #[test]
    fn clip_stops_at_the_border() {
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 100.0,
            h: 40.0,
        };
        assert_eq!(clip(&r, 250.0, 20.0, 0.0), (100.0, 20.0));
        assert_eq!(clip(&r, 50.0, -200.0, 0.0), (50.0, 0.0));
    }

    #[test]
    fn fixture_layout_has_no_overlaps() {
        let eco = fixtures::nasty();
        let l = layout(&eco);
        assert_no_overlap(&l);
        assert_eq!(l.edges.len(), eco.relations.len());
        assert_eq!(l.clusters.len(), eco.stakeholders.len());
    }

    #[test]
    fn builtin_layout_has_no_overlaps_and_labels_most_arrows() {
        let Some(eco) = holisec_model::builtin::europe().ecosystem else {
            eprintln!("built-in model not valid yet; skipped");
            return;
        };
        let l = layout(&eco);
        assert_no_overlap(&l);
        assert!(
            l.unlabelled * 4 <= l.edges.len(),
            "{} of {} arrows unlabelled",
            l.unlabelled,
            l.edges.len()
        );
    }

    #[test]
    fn every_size_from_2_to_25_has_no_overlaps() {
        for n in 2..=25 {
            let eco = fixtures::generated(n, n as u64 * 7919);
            assert_no_overlap(&layout(&eco));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn generated_models_have_no_overlaps(n in 2usize..=25, seed in any::<u64>()) {
            let eco = fixtures::generated(n, seed);
            assert_no_overlap(&layout(&eco));
        }
    }
}
