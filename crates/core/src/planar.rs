//! Planar helpers every crate shares: the union of bounding boxes and the even-odd test of a
//! point against a ring of indexed vertices.

use geo_types::Rect;

/// The smallest rectangle holding both.
pub fn union_rect(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
        (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
    )
}

/// The smallest rectangle holding every one of `rects` (`None` for none).
pub fn union_rects(rects: impl IntoIterator<Item = Rect<f64>>) -> Option<Rect<f64>> {
    rects.into_iter().reduce(union_rect)
}

/// Whether `p` is inside the ring whose vertices are `verts[ring[0]]`, `verts[ring[1]]`, …
/// (closed implicitly), by the even-odd rule.
pub fn point_in_ring(p: [f64; 2], ring: &[u32], verts: &[[f64; 2]]) -> bool {
    let mut inside = false;
    let n = ring.len();
    for k in 0..n {
        let a = verts[ring[k] as usize];
        let b = verts[ring[(k + 1) % n] as usize];
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
        {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_holds_its_centre_and_not_a_point_outside() {
        let verts = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        let ring = [0, 1, 2, 3];
        assert!(point_in_ring([1.0, 1.0], &ring, &verts));
        assert!(!point_in_ring([3.0, 1.0], &ring, &verts));
        let r = union_rects([
            Rect::new((0.0, 0.0), (1.0, 1.0)),
            Rect::new((2.0, -1.0), (3.0, 0.5)),
        ]);
        assert_eq!(r, Some(Rect::new((0.0, -1.0), (3.0, 1.0))));
        assert_eq!(union_rects([]), None);
    }
}
