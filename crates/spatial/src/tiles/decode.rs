//! A strict MVT decoder for tests, independent of the `mvt` encoder: the protobuf messages are
//! declared here from the vector-tile spec 2.1 and decoded with `prost`; geometry commands are
//! decoded by hand and checked against the spec's MUST rules.

use std::collections::BTreeMap;

#[derive(Clone, PartialEq, prost::Message)]
struct PbTile {
    #[prost(message, repeated, tag = "3")]
    layers: Vec<PbLayer>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbLayer {
    #[prost(uint32, required, tag = "15")]
    version: u32,
    #[prost(string, required, tag = "1")]
    name: String,
    #[prost(message, repeated, tag = "2")]
    features: Vec<PbFeature>,
    #[prost(string, repeated, tag = "3")]
    keys: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    values: Vec<PbValue>,
    #[prost(uint32, optional, tag = "5")]
    extent: Option<u32>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbFeature {
    #[prost(uint64, optional, tag = "1")]
    id: Option<u64>,
    #[prost(uint32, repeated, packed = "true", tag = "2")]
    tags: Vec<u32>,
    #[prost(int32, optional, tag = "3")]
    r#type: Option<i32>,
    #[prost(uint32, repeated, packed = "true", tag = "4")]
    geometry: Vec<u32>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbValue {
    #[prost(string, optional, tag = "1")]
    string_value: Option<String>,
    #[prost(float, optional, tag = "2")]
    float_value: Option<f32>,
    #[prost(double, optional, tag = "3")]
    double_value: Option<f64>,
    #[prost(int64, optional, tag = "4")]
    int_value: Option<i64>,
    #[prost(uint64, optional, tag = "5")]
    uint_value: Option<u64>,
    #[prost(sint64, optional, tag = "6")]
    sint_value: Option<i64>,
    #[prost(bool, optional, tag = "7")]
    bool_value: Option<bool>,
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Other(String),
}

impl Val {
    pub fn str(&self) -> &str {
        match self {
            Val::Str(s) => s,
            _ => panic!("not a string: {self:?}"),
        }
    }
    pub fn int(&self) -> i64 {
        match self {
            Val::Int(i) => *i,
            _ => panic!("not an int: {self:?}"),
        }
    }
}

/// Geometry type as in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Point,
    Line,
    Polygon,
}

/// A decoded feature. For polygons `parts` are the rings (open, as encoded); for points, one
/// part per point.
#[derive(Debug, Clone)]
pub struct Feat {
    pub id: Option<u64>,
    pub kind: Kind,
    pub props: BTreeMap<String, Val>,
    pub parts: Vec<Vec<[i32; 2]>>,
}

impl Feat {
    /// An attribute (panics when missing, which fails the test).
    pub fn get(&self, key: &str) -> &Val {
        self.props
            .get(key)
            .unwrap_or_else(|| panic!("no `{key}` in {:?}", self.props))
    }
}

/// A decoded tile: layer name → features.
pub type Decoded = BTreeMap<String, Vec<Feat>>;

fn zigzag(v: u32) -> i32 {
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

fn geometry(kind: Kind, g: &[u32]) -> Vec<Vec<[i32; 2]>> {
    let (mut x, mut y) = (0i32, 0i32);
    let mut parts: Vec<Vec<[i32; 2]>> = Vec::new();
    let mut i = 0;
    let mut expect_move = true;
    while i < g.len() {
        let (cmd, count) = (g[i] & 7, g[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                assert!(count > 0, "zero command count");
                if kind == Kind::Polygon {
                    assert_eq!(
                        cmd == 1,
                        expect_move,
                        "polygon ring must start with one MoveTo: {g:?}"
                    );
                    if cmd == 1 {
                        assert_eq!(count, 1, "polygon MoveTo count must be 1");
                        parts.push(Vec::new());
                    }
                    expect_move = false;
                }
                for _ in 0..count {
                    x += zigzag(g[i]);
                    y += zigzag(g[i + 1]);
                    i += 2;
                    match (kind, cmd, parts.last_mut()) {
                        (Kind::Polygon, _, Some(ring)) => ring.push([x, y]),
                        (Kind::Line, 2, Some(line)) => line.push([x, y]),
                        _ => parts.push(vec![[x, y]]),
                    }
                }
            }
            7 => {
                assert_eq!(kind, Kind::Polygon, "ClosePath outside a polygon");
                assert!(
                    parts.last().is_some_and(|r| r.len() >= 3),
                    "ring with < 3 vertices: {g:?}"
                );
                expect_move = true;
            }
            c => panic!("unknown command {c}"),
        }
    }
    if kind == Kind::Polygon {
        assert!(expect_move, "unclosed ring");
    }
    parts
}

/// Decodes a tile, asserting the spec's structural rules (version 2, extent 4096, valid tags).
pub fn decode(bytes: &[u8]) -> Decoded {
    use prost::Message;
    let tile = PbTile::decode(bytes).unwrap_or_else(|e| panic!("not a vector tile: {e}"));
    let mut out = Decoded::new();
    for l in tile.layers {
        assert_eq!(l.version, 2);
        assert_eq!(l.extent, Some(4096));
        assert!(!out.contains_key(&l.name), "duplicate layer {}", l.name);
        let feats = l
            .features
            .iter()
            .map(|f| {
                assert_eq!(f.tags.len() % 2, 0);
                let props = f
                    .tags
                    .chunks(2)
                    .map(|kv| {
                        let v = &l.values[kv[1] as usize];
                        let val = match (&v.string_value, v.int_value) {
                            (Some(s), _) => Val::Str(s.clone()),
                            (None, Some(i)) => Val::Int(i),
                            _ => Val::Other(format!("{v:?}")),
                        };
                        (l.keys[kv[0] as usize].clone(), val)
                    })
                    .collect();
                let kind = match f.r#type {
                    Some(1) => Kind::Point,
                    Some(2) => Kind::Line,
                    Some(3) => Kind::Polygon,
                    t => panic!("unexpected geometry type {t:?}"),
                };
                Feat {
                    id: f.id,
                    kind,
                    props,
                    parts: geometry(kind, &f.geometry),
                }
            })
            .collect();
        out.insert(l.name, feats);
    }
    out
}

/// Twice the signed area of a ring by the surveyor's formula in tile coordinates.
pub fn area2(ring: &[[i32; 2]]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            i64::from(p[0]) * i64::from(q[1]) - i64::from(q[0]) * i64::from(p[1])
        })
        .sum()
}
