/**
 * `sipscope export` as a user runs it (the compiled bin; `npm run build:cli` first): every format from the bundled
 * IMS sample and a shared capture (sngrep_aaa: UDP, several calls), checked against tshark's view of the same call;
 * notes from a --notes file, from a pcapng saved with notes and from the app's autosave, carried into pcapng as
 * comments tshark reads; the PNG decoded here and compared with the SVG it was drawn from; overwrite refused;
 * failed exports leave nothing; a hostile capture's HTML carries no script.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyAnnotations, type Annotations } from '../../src/core/annotations/annotations.js';
import { writeAutosave } from '../../src/node/annotations/load.js';
import { writeCapture } from '../../src/node/export/write-capture.js';
import { tsharkCall, writeHostileCapture } from '../core/export/export-helpers.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';
import { haveTshark } from '../helpers/tshark.js';

const bin = join(repoRoot, 'bin/sipscope.js');
const sample = join(repoRoot, 'resources/sample-ims.pcap');
const aaa = sharedCapture('sngrep_aaa.pcap');
const loadedTcp = join(repoRoot, 'test/fixtures/sipp-volte-tcp-loaded.pcap');
/** sample-ims call 4: an INVITE forked through four hops, then CANCELled (28 messages, TCP and UDP, IPv4 and IPv6). */
const CANCELLED = 'ded54d2fe3088c60c91b';
/** sngrep_aaa: an INVITE retransmitted, CANCELs, 408 (18 messages over UDP). */
const AAA_CALL = '105090259-446faf7a@192.168.1.2';
const AAA_OTHER = '85216695-42dcdb1d@192.168.1.2';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tshark(...args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Our own reading of a capture: (frame, Call-ID, CSeq, method or status) of each SIP message, from `analyze --format tsv`. */
function messagesOf(path: string): { frame: number; callId: string; cseq: string; kind: string }[] {
  const r = run('analyze', path, '--format', 'tsv');
  expect(r.code).toBe(0);
  const [header, ...lines] = r.stdout.trim().split('\n');
  const col = (name: string) => header.split('\t').indexOf(name);
  const [frame, method, status, callId, cseq] = ['frame', 'method', 'status', 'call_id', 'cseq'].map(col);
  return lines.map((line) => {
    const f = line.split('\t');
    return { frame: Number(f[frame]), callId: f[callId], cseq: f[cseq], kind: f[method] || f[status] };
  });
}

/** The exported JSON report. */
function readJson(path: string): {
  calls: { callId: string }[];
  messages: { frame: number }[];
  notes: { messages: { note: string; tag: string | null; frame: number }[]; calls: { callId: string; note: string }[] };
  aliases: Record<string, string>;
} {
  return JSON.parse(readFileSync(path, 'utf8'));
}

// ---------------------------------------------------------------------------------------------------------
// PNG decoding (RFC 2083 / ISO 15948), enough for resvg's output: 8-bit RGB or RGBA, not interlaced.

interface Png {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel. */
  pixels: Uint8Array;
}

function decodePng(bytes: Uint8Array): Png {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  expect([...bytes.subarray(0, 8)]).toEqual(signature);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Uint8Array[] = [];
  let at = 8;
  let first = true;
  while (at + 12 <= bytes.length) {
    const length = dv.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (first) expect(type).toBe('IHDR');
    first = false;
    if (type === 'IHDR') {
      width = dv.getUint32(at + 8);
      height = dv.getUint32(at + 12);
      expect(data[8]).toBe(8); // bit depth
      colourType = data[9];
      expect([2, 6]).toContain(colourType);
      expect(data[12]).toBe(0); // no interlace
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const channels = colourType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  expect(raw.length).toBe(height * (stride + 1));
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = v & 0xff;
    }
  }
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    pixels.set(out.subarray(i * channels, i * channels + 3), i * 4);
    pixels[i * 4 + 3] = channels === 4 ? out[i * channels + 3] : 255;
  }
  return { width, height, pixels };
}

/** A PNG's size from its IHDR (the first chunk, after the signature). */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(String.fromCharCode(...bytes.subarray(12, 16))).toBe('IHDR');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

/** Is the pixel (or one of its neighbours within `r`) clearly not white? */
function inkNear(png: Png, x: number, y: number, r = 1): boolean {
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const px = Math.round(x) + dx;
      const py = Math.round(y) + dy;
      if (px < 0 || py < 0 || px >= png.width || py >= png.height) continue;
      const i = (py * png.width + px) * 4;
      if (png.pixels[i] + png.pixels[i + 1] + png.pixels[i + 2] < 3 * 200) return true;
    }
  }
  return false;
}

/** The SVG's size and each arrow's shaft (`<line>` of a `<g class="arrow ...">`). */
function svgArrows(svg: string): { width: number; height: number; arrows: { x1: number; y1: number; x2: number; y2: number }[] } {
  const open = /^<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(open)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(open)?.[1]);
  const arrows = [...svg.matchAll(/<g class="arrow [^"]*"[^>]*>[\s\S]*?<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"/g)].map((m) => ({
    x1: Number(m[1]),
    y1: Number(m[2]),
    x2: Number(m[3]),
    y2: Number(m[4]),
  }));
  return { width, height, arrows };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipscope-export-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Files in the test folder that look like an export's temporary files. */
function leftovers(): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.tmp'));
}

describe('sipscope export: formats', () => {
  it('writes each format of one call of the IMS sample; the summary names what was written', () => {
    for (const format of ['html', 'svg', 'md', 'json', 'csv', 'pcapng', 'pcap']) {
      const out = join(dir, `cancelled.${format}`);
      const r = run('export', sample, '--call', CANCELLED, '--format', format, '-o', out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`sipscope: wrote ${out} (${format}): 1 call, 28 messages`);
    }
    const html = readFileSync(join(dir, 'cancelled.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain(CANCELLED);
    expect(html).not.toMatch(/<script/i);
    expect(readFileSync(join(dir, 'cancelled.svg'), 'utf8').match(/<g class="arrow /g)).toHaveLength(28);
    expect(readFileSync(join(dir, 'cancelled.md'), 'utf8')).toContain('CANCEL');
    const json = readJson(join(dir, 'cancelled.json'));
    expect(json.calls.map((c) => c.callId)).toEqual([CANCELLED]);
    expect(json.messages).toHaveLength(28);
    const csv = readFileSync(join(dir, 'cancelled.csv'), 'utf8').trim().split('\r\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(CANCELLED);
    // Both captures reopen to exactly that call's 28 messages.
    for (const format of ['pcapng', 'pcap']) {
      const messages = messagesOf(join(dir, `cancelled.${format}`));
      expect(messages).toHaveLength(28);
      expect(new Set(messages.map((m) => m.callId))).toEqual(new Set([CANCELLED]));
    }
    expect(leftovers()).toEqual([]);
  }, 60_000);

  it.runIf(haveSharedCaptures && haveTshark)('--call selects exactly the messages tshark shows for that Call-ID (sngrep_aaa)', () => {
    const reference = tsharkCall(aaa, AAA_CALL);
    expect(reference.length).toBe(18);
    const json = join(dir, 'aaa.json');
    expect(run('export', aaa, '--call', AAA_CALL, '--format', 'json', '-o', json).code).toBe(0);
    expect(readJson(json).messages.map((m) => m.frame)).toEqual(reference.map((m) => m.frame));
    const svg = join(dir, 'aaa.svg');
    expect(run('export', aaa, '--call', AAA_CALL, '--format', 'svg', '-o', svg).code).toBe(0);
    const frames = [...readFileSync(svg, 'utf8').matchAll(/<g class="arrow [^"]*"[^>]*data-frame="(\d+)"/g)].map((m) => Number(m[1]));
    expect(frames).toEqual(reference.map((m) => m.frame));
    // The pcap holds those frames and nothing else: tshark reads the same call from it, one frame per message.
    const pcap = join(dir, 'aaa.pcap');
    expect(run('export', aaa, '--call', AAA_CALL, '--format', 'pcap', '-o', pcap).code).toBe(0);
    const again = tsharkCall(pcap, AAA_CALL);
    expect(again.map((m) => m.frame)).toEqual(reference.map((_, i) => i + 1));
    expect(again.map((m) => [m.source, m.destination])).toEqual(reference.map((m) => [m.source, m.destination]));
    expect(tshark('-r', pcap, '-T', 'fields', '-e', 'frame.number').trim().split('\n')).toHaveLength(18);
    // Two calls named: both, in trace order.
    const two = join(dir, 'aaa-two.csv');
    expect(run('export', aaa, '--call', AAA_CALL, '--call', AAA_OTHER, '--format', 'csv', '-o', two).code).toBe(0);
    const ids = readFileSync(two, 'utf8').trim().split('\r\n').slice(1).map((line) => line.split(',')[1]);
    expect(ids).toEqual([AAA_CALL, AAA_OTHER]);
  }, 60_000);

  it('--filter: documents take the calls holding a match, captures the matching messages only', () => {
    const filter = 'sip.Method == "CANCEL"';
    const cancels = tshark('-r', sample, '-Y', filter, '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID').trim().split('\n').map((l) => l.split('\t'));
    const json = join(dir, 'cancel-calls.json');
    expect(run('export', sample, '--filter', filter, '--format', 'json', '-o', json).code).toBe(0);
    const report = readJson(json);
    expect(report.calls.map((c) => c.callId)).toEqual([...new Set(cancels.map(([, id]) => id))]);
    expect(report.messages).toHaveLength(28);
    const pcapng = join(dir, 'cancels.pcapng');
    const r = run('export', sample, '--filter', filter, '--format', 'pcapng', '-o', pcapng);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`1 call, ${cancels.length} messages in ${cancels.length} frames`);
    expect(messagesOf(pcapng).map((m) => m.kind)).toEqual(cancels.map(() => 'CANCEL'));
    // --call and --filter: that call's matching messages.
    const md = join(dir, 'cancel-of-call.md');
    const both = run('export', sample, '--call', CANCELLED, '--filter', 'sip.Status-Code == 487', '--format', 'md', '-o', md);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr).toContain('1 call, 4 messages');
    // No match: nothing written.
    const none = join(dir, 'none.html');
    const empty = run('export', sample, '--filter', 'sip.Method == "PUBLISH"', '--format', 'html', '-o', none);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no message matches the filter: nothing to export');
    expect(existsSync(none)).toBe(false);
  }, 60_000);

  it('tells when messages of other calls ride along in shared TCP segments (loaded SIPp capture)', () => {
    const out = join(dir, 'loaded-call1.pcapng');
    const r = run('export', loadedTcp, '--call', '1-29512@127.0.0.1', '--format', 'pcapng', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const along = Number(/the file also holds (\d+) other messages that share TCP segments/.exec(r.stderr)?.[1]);
    expect(along).toBeGreaterThan(0);
    const reopened = messagesOf(out);
    expect(reopened.filter((m) => m.callId === '1-29512@127.0.0.1')).toHaveLength(12);
    expect(reopened).toHaveLength(12 + along);
  }, 30_000);

  it('caps a ladder document of every call, and says so', () => {
    const out = join(dir, 'loaded.md');
    const r = run('export', loadedTcp, '--format', 'md', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('md export of the first 50 of 60 calls');
    expect(r.stderr).toContain('50 calls, 600 messages');
  }, 30_000);
});

describe('sipscope export: PNG', () => {
  it('rasterises the ladder at 2×: the SVG’s size doubled, every arrow drawn where the SVG puts it', () => {
    const svgPath = join(dir, 'ladder.svg');
    const pngPath = join(dir, 'ladder.png');
    expect(run('export', sample, '--call', CANCELLED, '--format', 'svg', '-o', svgPath).code).toBe(0);
    const r = run('export', sample, '--call', CANCELLED, '--format', 'png', '-o', pngPath);
    expect(r.code, r.stderr).toBe(0);
    const svg = svgArrows(readFileSync(svgPath, 'utf8'));
    const png = decodePng(readFileSync(pngPath));
    expect(r.stderr).toContain(`(png, ${png.width}×${png.height})`);
    expect([png.width, png.height]).toEqual([svg.width * 2, svg.height * 2]);
    expect(svg.arrows).toHaveLength(28);
    for (const a of svg.arrows) {
      expect(inkNear(png, ((a.x1 + a.x2) / 2) * 2, a.y1 * 2), `arrow at y=${a.y1}`).toBe(true);
    }
    // Half a row lower (between an arrow's SDP line and the next label) the paper is blank, bar a lifeline the
    // midpoint of a long arrow may fall on: the ink above is the arrows', not a smear.
    const blankBelow = svg.arrows.filter((a) => !inkNear(png, ((a.x1 + a.x2) / 2) * 2, (a.y1 + 18) * 2));
    expect(blankBelow.length).toBeGreaterThan(svg.arrows.length / 2);
    // Mostly white paper, but far from blank.
    let ink = 0;
    for (let i = 0; i < png.width * png.height; i++) if (png.pixels[i * 4] + png.pixels[i * 4 + 1] + png.pixels[i * 4 + 2] < 3 * 200) ink++;
    const share = ink / (png.width * png.height);
    expect(share).toBeGreaterThan(0.005);
    expect(share).toBeLessThan(0.5);
    // A white margin stays white: the top-right corner.
    expect(inkNear(png, png.width - 3, 3, 2)).toBe(false);
  }, 60_000);

  it('cuts a long ladder into pages OUT-1.png, OUT-2.png..., all or none', () => {
    const out = join(dir, 'all.png');
    const r = run('export', sample, '--format', 'png', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const pages = /\(png, (\d+) pages\)/.exec(r.stderr);
    expect(pages).not.toBeNull();
    const count = Number(pages?.[1]);
    expect(count).toBeGreaterThan(1);
    expect(existsSync(out)).toBe(false);
    const images = Array.from({ length: count }, (_, i) => pngSize(readFileSync(join(dir, `all-${i + 1}.png`))));
    expect(new Set(images.map((p) => p.width)).size).toBe(1);
    for (const image of images) expect(image.height).toBeLessThanOrEqual(2 * 2400);
    expect(existsSync(join(dir, `all-${count + 1}.png`))).toBe(false);
    // Again without --force: one page exists, so none is written.
    const before = statSync(join(dir, 'all-2.png')).mtimeMs;
    const again = run('export', sample, '--format', 'png', '-o', out);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(statSync(join(dir, 'all-2.png')).mtimeMs).toBe(before);
    expect(leftovers()).toEqual([]);
  }, 60_000);
});

describe('sipscope export: notes', () => {
  /** Notes on sngrep_aaa: the INVITE of AAA_CALL and a message of another call; a call note on each; an alias. */
  function notes(): Annotations {
    const a = emptyAnnotations();
    a.messages.push({ frame: 223, callId: AAA_CALL, cseq: '1', kind: 'INVITE', note: 'the first INVITE, never answered', tag: 'root cause' });
    a.messages.push({ frame: 252, callId: AAA_CALL, cseq: '1', kind: '408', note: 'proxy gives up', tag: null });
    const other = tsharkCall(aaa, AAA_OTHER)[0];
    a.messages.push({ frame: other.frame, callId: AAA_OTHER, cseq: '1', kind: 'INVITE', note: 'not about this call', tag: null });
    a.calls.push({ callId: AAA_CALL, note: 'cancelled, 408 after', tag: 'vendor bug' });
    a.calls.push({ callId: AAA_OTHER, note: 'other call note', tag: null });
    a.hosts['200.68.120.81:5060'] = 'PROXY';
    return a;
  }

  it.runIf(haveSharedCaptures && haveTshark)('--notes: the pcapng carries the call’s notes as frame comments tshark reads, and reopens with them', () => {
    const notesPath = join(dir, 'notes.json');
    writeFileSync(notesPath, JSON.stringify(notes()));
    const out = join(dir, 'aaa-notes.pcapng');
    const r = run('export', aaa, '--call', AAA_CALL, '--format', 'pcapng', '-o', out, '--notes', notesPath);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 call, 18 messages in 18 frames, 2 message notes, 1 call note');
    // New frame numbers: the call's frames in order (frame 223 is the 1st, 252 the 8th).
    const reference = tsharkCall(aaa, AAA_CALL).map((m) => m.frame);
    const comments = tshark('-r', out, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment')
      .trim()
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([, c]) => c);
    expect(comments).toEqual([
      [String(reference.indexOf(223) + 1), '[root cause] the first INVITE, never answered'],
      [String(reference.indexOf(252) + 1), 'proxy gives up'],
    ]);
    // Reopened by sipscope: the notes, the call note of this call only, the alias.
    const json = join(dir, 'aaa-notes.json');
    const again = run('export', out, '--format', 'json', '-o', json);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('notes from the capture');
    const report = readJson(json);
    expect(report.notes.messages.map((n) => [n.note, n.tag])).toEqual([
      ['the first INVITE, never answered', 'root cause'],
      ['proxy gives up', null],
    ]);
    expect(report.notes.calls.map((n) => [n.callId, n.note])).toEqual([[AAA_CALL, 'cancelled, 408 after']]);
    expect(report.aliases).toEqual({ '200.68.120.81:5060': 'PROXY' });
    // pcap cannot carry them, and says so.
    const pcap = run('export', aaa, '--call', AAA_CALL, '--format', 'pcap', '-o', join(dir, 'aaa-notes.pcap'), '--notes', notesPath);
    expect(pcap.code).toBe(0);
    expect(pcap.stderr).toContain('pcap has no comments: 2 message notes not written');
  }, 60_000);

  it.runIf(haveSharedCaptures && haveTshark)('takes the notes a pcapng was saved with, or the autosave beside the trace unless the trace changed since', async () => {
    const saved = join(dir, 'aaa-saved.pcapng');
    await writeCapture({ source: aaa, dest: saved, format: 'pcapng', annotations: notes() });
    const html = join(dir, 'saved.html');
    const r = run('export', saved, '--call', AAA_CALL, '--format', 'html', '-o', html);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 message notes, 1 call note');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('the first INVITE, never answered');
    expect(page).toContain('PROXY');
    expect(page).not.toContain('not about this call');
    expect(page).not.toContain('other call note');

    // The app's autosave beside a trace replaces the trace's own notes...
    const trace = join(dir, 'aaa-autosaved.pcap');
    copyFileSync(aaa, trace);
    const edited = emptyAnnotations();
    edited.calls.push({ callId: AAA_CALL, note: 'edited in the app, not saved yet', tag: null });
    await writeAutosave(trace, edited);
    const fromAutosave = join(dir, 'autosave.json');
    const a = run('export', trace, '--call', AAA_CALL, '--format', 'json', '-o', fromAutosave);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain('notes from the autosave');
    expect(readJson(fromAutosave).notes.calls.map((n) => n.note)).toEqual(['edited in the app, not saved yet']);
    // ...unless the trace was rewritten since: then it is not used, and the user is told.
    utimesSync(trace, new Date(), new Date(Date.now() + 60_000));
    const stale = join(dir, 'stale.json');
    const b = run('export', trace, '--call', AAA_CALL, '--format', 'json', '-o', stale);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/belong to an earlier version of the file; not used/);
    expect(readJson(stale).notes.calls).toEqual([]);
  }, 60_000);

  it('refuses a notes file that is not sipscope’s', () => {
    const bad = join(dir, 'bad-notes.json');
    writeFileSync(bad, JSON.stringify({ version: 1, messages: [{ frame: 'x' }], calls: [], hosts: {} }));
    const out = join(dir, 'bad-notes.html');
    const r = run('export', sample, '--call', CANCELLED, '--format', 'html', '-o', out, '--notes', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the notes file "${bad}" was not used`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('sipscope export: safety and errors', () => {
  it('does not replace an existing file without --force; with it, does', () => {
    for (const format of ['html', 'png', 'pcapng']) {
      const out = join(dir, `existing.${format}`);
      writeFileSync(out, 'keep me');
      const before = statSync(out).mtimeMs;
      const r = run('export', sample, '--call', CANCELLED, '--format', format, '-o', out);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`"${out}": the file already exists`);
      expect(readFileSync(out, 'utf8')).toBe('keep me');
      expect(statSync(out).mtimeMs).toBe(before);
      const forced = run('export', sample, '--call', CANCELLED, '--format', format, '-o', out, '--force');
      expect(forced.code, forced.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).not.toBe('keep me');
    }
    expect(leftovers()).toEqual([]);
  }, 60_000);

  it('an unknown Call-ID exits 1 naming it, and writes nothing', () => {
    const out = join(dir, 'unknown.html');
    const r = run('export', sample, '--call', CANCELLED, '--call', 'no-such-call@nowhere', '--format', 'html', '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no call with Call-ID "no-such-call@nowhere" in the capture');
    expect(existsSync(out)).toBe(false);
  });

  it('a failed export leaves no file behind', () => {
    const out = join(dir, 'no-such-folder', 'x.html');
    const r = run('export', sample, '--call', CANCELLED, '--format', 'html', '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot write "${out}": the folder does not exist.`);
    const unreadable = run('export', join(dir, 'missing.pcap'), '--format', 'html', '-o', join(dir, 'missing.html'));
    expect(unreadable.code).toBe(1);
    expect(existsSync(join(dir, 'missing.html'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it.runIf(haveTshark)('--anonymize: no number or address tshark finds in the call is left in any document, and the flow is intact', () => {
    // The originals, as tshark decodes them from the call: addresses of every IP header, user parts of the URIs.
    const fields = ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'sip.from.user', 'sip.to.user', 'sip.r-uri.user', 'sip.contact.user', 'sip.pai.user'];
    const args = ['-r', sample, '-Y', `sip.Call-ID == "${CANCELLED}"`, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
    const originals = [...new Set(tshark(...args, ...fields.flatMap((f) => ['-e', f])).split(/[\t,\n]/).filter((v) => v !== ''))];
    const numbers = originals.filter((v) => /^\+?\d{6,}$/.test(v)).map((v) => v.replace(/^\+/, ''));
    const addresses = originals.filter((v) => v.includes('.') || v.includes(':'));
    expect(numbers.length).toBeGreaterThanOrEqual(2);
    expect(addresses.length).toBeGreaterThanOrEqual(6);
    const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const found = (text: string) => [
      ...numbers.filter((v) => new RegExp(`(?<!\\d)${v}(?!\\d)`).test(text)),
      // Not part of a longer address (a hex digit, a dot and digit, an IPv6 group around it); `sip:` and a port may touch it.
      ...addresses.filter((v) => new RegExp(`(?<![0-9A-Fa-f.]|[0-9A-Fa-f]:)${escape(v)}(?![0-9A-Fa-f]|\\.\\d|:[0-9A-Fa-f]*:)`, 'i').test(text)),
    ];
    // The plain export has them all (the check can fail)...
    const plain = join(dir, 'plain.json');
    expect(run('export', sample, '--call', CANCELLED, '--format', 'json', '-o', plain).code).toBe(0);
    expect(found(readFileSync(plain, 'utf8')).sort()).toEqual([...numbers, ...addresses].sort());
    // ...the anonymised ones none, with the same messages between as many distinct hosts.
    for (const format of ['json', 'html', 'svg', 'md', 'csv']) {
      const out = join(dir, `anonymised.${format}`);
      const r = run('export', sample, '--call', CANCELLED, '--format', format, '-o', out, '--anonymize');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/anonymised: \d+ values replaced/);
      expect(found(readFileSync(out, 'utf8')), format).toEqual([]);
    }
    const before = JSON.parse(readFileSync(plain, 'utf8')) as { hosts: { address: string }[]; messages: { frame: number; method: string | null; status: number | null }[] };
    const after = JSON.parse(readFileSync(join(dir, 'anonymised.json'), 'utf8')) as typeof before;
    expect(after.messages.map((m) => [m.frame, m.method, m.status])).toEqual(before.messages.map((m) => [m.frame, m.method, m.status]));
    expect(new Set(after.hosts.map((h) => h.address)).size).toBe(before.hosts.length);
    // A capture too: the packets themselves rewritten (IP headers and SIP/SDP), the same messages between as many hosts.
    const pcapng = join(dir, 'anonymised.pcapng');
    const captured = run('export', sample, '--call', CANCELLED, '--format', 'pcapng', '-o', pcapng, '--anonymize');
    expect(captured.code, captured.stderr).toBe(0);
    expect(found(readFileSync(pcapng).toString('latin1'))).toEqual([]);
    const decoded = tshark('-r', pcapng, '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f]));
    expect(found(decoded)).toEqual([]);
    const flow = (file: string) => tshark('-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq');
    expect(flow(pcapng)).toBe(tshark('-r', sample, '-Y', `sip.Call-ID == "${CANCELLED}"`, '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq'));
  }, 60_000);

  it('usage errors exit 2: no format, no output, an unknown format, a bad filter', () => {
    const out = join(dir, 'usage.html');
    const cases: [string[], RegExp][] = [
      [['export', sample, '-o', out], /export needs --format/],
      [['export', sample, '--format', 'html'], /export needs -o OUT/],
      [['export', sample, '--format', 'pdf', '-o', out], /takes one of pcapng, pcap, html, svg, png, md, json, csv, not 'pdf'/],
      [['export', sample, '--format', 'html', '-o', out, '--filter', 'sip.Mehtod == "INVITE"'], /bad display filter/],
      [['export', '--format', 'html', '-o', out], /export needs a capture FILE/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    const help = run('export', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: sipscope export FILE');
    expect(run('help').stdout).toContain('export FILE');
  });

  it('a hostile capture exports to HTML and SVG with no script, its payloads as text', () => {
    const hostile = join(dir, 'hostile.pcap');
    writeHostileCapture(hostile);
    for (const format of ['html', 'svg']) {
      const out = join(dir, `hostile.${format}`);
      const r = run('export', hostile, '--format', format, '-o', out);
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(out, 'utf8');
      expect(text).not.toMatch(/<script/i);
      // An event attribute on a real tag (the payloads' own `onerror=` stays as escaped text).
      expect(text).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
      expect(text).not.toMatch(/href="javascript:/i);
      expect(text).toContain('&lt;script&gt;');
    }
  }, 30_000);
});
