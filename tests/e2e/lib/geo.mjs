// Small plane geometry for the end-to-end checks: lon/lat scaled to metres around a point
// (equirectangular, good to a millimetre over a few hundred metres), and pixel geometry for
// counting screenshot pixels inside a drawn polygon.

const M_PER_DEG = 111_195; // one degree of latitude on the mean sphere (R 6 371 km)

/** Metres east and north of `origin` ([lon, lat]) for a [lon, lat]. */
export function local(origin) {
  const k = Math.cos((origin[1] * Math.PI) / 180);
  return ([lon, lat]) => [(lon - origin[0]) * M_PER_DEG * k, (lat - origin[1]) * M_PER_DEG];
}

/** Distance in metres between two [lon, lat]. */
export function metres(a, b) {
  const [x, y] = local(a)(b);
  return Math.hypot(x, y);
}

/** The ring without its closing point. */
export function open(ring) {
  const r = ring.slice();
  const [f, l] = [r[0], r[r.length - 1]];
  if (r.length > 1 && f[0] === l[0] && f[1] === l[1]) r.pop();
  return r;
}

/** Signed area (shoelace) of a ring of plane points. */
export function signedArea(pts) {
  let a = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x0, y0] = pts[i];
    const [x1, y1] = pts[(i + 1) % pts.length];
    a += x0 * y1 - x1 * y0;
  }
  return a / 2;
}

/** Area in m² of a lon/lat ring. */
export function areaM2(ring) {
  const pts = open(ring);
  return Math.abs(signedArea(pts.map(local(pts[0]))));
}

/** Area centroid of a lon/lat ring. */
export function centroid(ring) {
  // Relative to the first vertex: products of raw degrees lose the digits a grid's area lives in.
  const [ox, oy] = ring[0];
  const pts = open(ring).map(([x, y]) => [x - ox, y - oy]);
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x0, y0] = pts[i];
    const [x1, y1] = pts[(i + 1) % pts.length];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  return [ox + cx / (3 * a), oy + cy / (3 * a)];
}

/** Bounding box [w, s, e, n] of a ring. */
export function bboxOf(ring) {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Whether a ring is convex (collinear vertices allowed). */
export function convex(ring) {
  const pts = open(ring).map(local(ring[0]));
  let sign = 0;
  for (let i = 0; i < pts.length; i++) {
    const [ax, ay] = pts[i];
    const [bx, by] = pts[(i + 1) % pts.length];
    const [cx, cy] = pts[(i + 2) % pts.length];
    const z = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    if (Math.abs(z) < 1e-6) continue;
    if (sign === 0) sign = Math.sign(z);
    else if (Math.sign(z) !== sign) return false;
  }
  return true;
}

/** Where segment p–q crosses segment a–b (all [x, y]), or null. */
export function crossing(p, q, a, b) {
  const r = [q[0] - p[0], q[1] - p[1]];
  const s = [b[0] - a[0], b[1] - a[1]];
  const d = r[0] * s[1] - r[1] * s[0];
  if (d === 0) return null;
  const t = ((a[0] - p[0]) * s[1] - (a[1] - p[1]) * s[0]) / d;
  const u = ((a[0] - p[0]) * r[1] - (a[1] - p[1]) * r[0]) / d;
  return t >= 0 && t <= 1 && u >= 0 && u <= 1 ? { point: [p[0] + t * r[0], p[1] + t * r[1]], t } : null;
}

/** Where the line p–q crosses the ring's edges, ordered from p (lon/lat in and out). */
export function crossings(ring, p, q) {
  const pts = open(ring);
  const out = [];
  for (let i = 0; i < pts.length; i++) {
    const c = crossing(p, q, pts[i], pts[(i + 1) % pts.length]);
    if (c && !out.some((o) => metres(o.point, c.point) < 0.01)) out.push(c);
  }
  return out.sort((a, b) => a.t - b.t).map((c) => c.point);
}

/** Signed distance in metres of `v` from the line p→q (positive on its left). */
export function side(p, q, v) {
  const f = local(p);
  const [qx, qy] = f(q);
  const [vx, vy] = f(v);
  return (qx * vy - qy * vx) / Math.hypot(qx, qy);
}

/** Whether plane point `p` is inside polygon `poly` (even-odd). */
export function inside(p, poly) {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/** Distance from plane point p to segment a–b. */
export function toSegment(p, a, b) {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/**
 * Counts the pixels of `img` that lie inside the pixel polygon `poly` at least `margin` px from
 * its edges, and of those the ones `pred(r, g, b)` accepts.
 */
export function countInside(img, poly, margin, pred) {
  const xs = poly.map((p) => p[0]);
  const ys = poly.map((p) => p[1]);
  let hits = 0;
  let total = 0;
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y < Math.min(img.height, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x < Math.min(img.width, Math.ceil(Math.max(...xs))); x++) {
      const c = [x + 0.5, y + 0.5];
      if (!inside(c, poly)) continue;
      let near = false;
      for (let i = 0; i < poly.length && !near; i++) near = toSegment(c, poly[i], poly[(i + 1) % poly.length]) < margin;
      if (near) continue;
      total++;
      const o = (y * img.width + x) * 4;
      if (pred(img.data[o], img.data[o + 1], img.data[o + 2])) hits++;
    }
  }
  return { hits, total, fraction: total === 0 ? 0 : hits / total };
}

/**
 * Of the pixel positions along a–b (between `from` and `to` of its length), the share that has a
 * pixel `pred` accepts within `radius` px.
 */
export function alongLine(img, a, b, pred, { from = 0.1, to = 0.9, radius = 2 } = {}) {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  let hits = 0;
  let total = 0;
  for (let d = from * len; d <= to * len; d += 1) {
    const x = a[0] + ((b[0] - a[0]) * d) / len;
    const y = a[1] + ((b[1] - a[1]) * d) / len;
    total++;
    let found = false;
    for (let yy = Math.round(y) - radius; yy <= Math.round(y) + radius && !found; yy++) {
      for (let xx = Math.round(x) - radius; xx <= Math.round(x) + radius && !found; xx++) {
        if (xx < 0 || yy < 0 || xx >= img.width || yy >= img.height) continue;
        const o = (yy * img.width + xx) * 4;
        found = pred(img.data[o], img.data[o + 1], img.data[o + 2]);
      }
    }
    if (found) hits++;
  }
  return { hits, total, fraction: total === 0 ? 0 : hits / total };
}
