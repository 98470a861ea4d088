// Overlaps for coordination. The graph lists each appointment's overlaps (`overlapsWith`);
// these helpers say which of a page's appointments to highlight and check spans the way the
// gateway does: half-open, `[start, end)`, an appointment without an end being its instant.

export interface Span {
  start: string | null | undefined;
  end?: string | null;
}

export function spansOverlap(a: Span, b: Span): boolean {
  if (!a.start || !b.start) return false;
  const as = Date.parse(a.start);
  const bs = Date.parse(b.start);
  const ae = a.end ? Date.parse(a.end) : as;
  const be = b.end ? Date.parse(b.end) : bs;
  if (ae === as && be === bs) return as === bs;
  if (ae === as) return bs <= as && as < be;
  if (be === bs) return as <= bs && bs < ae;
  return as < be && bs < ae;
}

export interface WithOverlaps {
  id: string;
  overlapsWith: ReadonlyArray<{ id: string }>;
}

/** Ids of the appointments that overlap another one (either side of the pair). */
export function overlappingIds(items: ReadonlyArray<WithOverlaps>): Set<string> {
  const ids = new Set<string>();
  for (const item of items) {
    for (const other of item.overlapsWith) {
      ids.add(item.id);
      ids.add(other.id);
    }
  }
  return ids;
}
