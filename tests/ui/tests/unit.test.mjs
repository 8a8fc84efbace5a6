// Unit tests of the UI's pure functions (no browser): clue geometry, map projection, text of unknown objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normRegion, normRange, describe } from '../../../crates/vidi-server/ui/media.js';
import { pathOf } from '../../../crates/vidi-server/ui/map.js';
import { qs } from '../../../crates/vidi-server/ui/api.js';

test('regions: pixels, fractions, arrays, corners; garbage gives null', () => {
  assert.deepEqual(normRegion({ x: 10, y: 20, w: 30, h: 40 }, 320, 240), { x: 10, y: 20, w: 30, h: 40 });
  assert.deepEqual(normRegion({ x: 0.5, y: 0.25, w: 0.25, h: 0.5 }, 320, 240), { x: 160, y: 60, w: 80, h: 120 });
  assert.deepEqual(normRegion([1, 2, 3, 4], 100, 100), { x: 1, y: 2, w: 3, h: 4 });
  assert.deepEqual(normRegion({ x: 0, y: 0, w: 1, h: 1 }, 100, 100), { x: 0, y: 0, w: 1, h: 1 }, 'integers are pixels');
  assert.deepEqual(normRegion({ left: 10, top: 10, right: 50, bottom: 30 }, 100, 100), { x: 10, y: 10, w: 40, h: 20 });
  assert.deepEqual(normRegion({ x: 5, y: 6, width: 7, height: 8 }, 100, 100), { x: 5, y: 6, w: 7, h: 8 });
  assert.equal(normRegion(null, 1, 1), null);
  assert.equal(normRegion({ x: 'a' }, 1, 1), null);
  assert.equal(normRegion('<script>', 1, 1), null);
});

test('time ranges: objects and arrays, end never before start', () => {
  assert.deepEqual(normRange({ start: 5, end: 15 }), { start: 5, end: 15 });
  assert.deepEqual(normRange({ start_s: 1.5, end_s: 2 }), { start: 1.5, end: 2 });
  assert.deepEqual(normRange([3, 1]), { start: 3, end: 3 });
  assert.equal(normRange({}), null);
  assert.equal(normRange(undefined), null);
});

test('map projection: equirectangular, antimeridian rings unwrapped', () => {
  assert.equal(pathOf({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 0]]] }), 'M180.00 90.00L190.00 90.00L190.00 80.00L180.00 90.00Z');
  const d = pathOf({ type: 'MultiPolygon', coordinates: [[[[179, 60], [-179, 60], [-179, 61], [179, 60]]]] });
  const xs = [...d.matchAll(/[ML]([\d.-]+) /g)].map((m) => Number(m[1]));
  assert.ok(Math.max(...xs) - Math.min(...xs) < 5, `no line across the world: ${d}`);
  assert.equal(pathOf(null), '');
  assert.equal(pathOf({ type: 'Point', coordinates: [0, 0] }), '');
});

test('describe and qs', () => {
  assert.equal(describe({ text: 'BOULANGERIE', lang: 'fra', empty: '' }), 'text: BOULANGERIE · lang: fra');
  assert.equal(describe([1, { a: 2 }]), '1, a: 2');
  assert.equal(describe(null), '');
  assert.equal(qs({ a: 1, b: '', c: null, d: false, e: 'x y' }), '?a=1&e=x+y');
  assert.equal(qs({}), '');
});

test('timestamps', async () => {
  const { fmtTime } = await import('../../../crates/vidi-server/ui/dom.js');
  assert.equal(fmtTime('2026-11-30T06:18:41.738Z'), '2026-11-30 06:18:41 UTC');
  assert.equal(fmtTime(0), '1970-01-01 00:00:00 UTC');
  assert.equal(fmtTime('yesterday'), 'yesterday');
  assert.equal(fmtTime(null), '');
});
