/**
 * Issue 8's acceptance test for the HTML export: a call of a shared capture (../shared/captures/sngrep_aaa.pcap),
 * annotated, exported by the real CLI to HTML, opened in Chromium from disk with the network refused: the ladder
 * has one arrow per message of the call as tshark decodes it, the notes are visible beside their arrows, no script
 * ran; a screenshot is left in test-results/export/ for people to look at.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';
import { haveTshark } from '../helpers/tshark.js';
import { openFile } from '../core/export/export-helpers.js';

const capture = sharedCapture('sngrep_aaa.pcap');
const work = mkdtempSync(join(tmpdir(), 'sipscope-export-html-'));
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe.runIf(haveSharedCaptures && haveTshark)('the HTML export of a shared capture, in Chromium', () => {
  it('shows the ladder of the call as tshark decodes it, with the notes beside their arrows, and runs nothing', async () => {
    // The first INVITE's call, its frames in tshark's decode.
    const [firstFrame, callId] = execFileSync('tshark', ['-r', capture, '-Y', 'sip.Method == "INVITE"', '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID'], { encoding: 'utf8' })
      .split('\n')[0]
      .split('\t');
    const frames = execFileSync('tshark', ['-r', capture, '-Y', `sip.Call-ID == "${callId}"`, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(frames.length).toBeGreaterThan(2);
    // Notes as the app saves them: one on the INVITE (with a hostile-looking tail), one on the call.
    const notes = join(work, 'notes.json');
    const method = 'INVITE';
    const cseq = execFileSync('tshark', ['-r', capture, '-Y', `frame.number == ${firstFrame}`, '-T', 'fields', '-e', 'sip.CSeq.seq'], { encoding: 'utf8' }).trim();
    writeFileSync(
      notes,
      JSON.stringify({
        version: 1,
        messages: [{ frame: Number(firstFrame), callId, cseq, kind: method, note: 'Offer lacks telephone-event <script>window.__pwned=1</script>', tag: 'root cause' }],
        calls: [{ callId, note: 'Call under study for the vendor ticket', tag: null }],
        hosts: {},
      }),
    );
    const out = join(work, 'call.html');
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/sipscope.js'), 'export', capture, '--call', callId, '--format', 'html', '--notes', notes, '-o', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);

    const { page, problems, dialogs } = await openFile(browser, out);
    const shown = await page.evaluate(() => ({
      arrows: [...document.querySelectorAll('#ladder svg g.arrow')].map((g) => Number(g.getAttribute('data-frame'))),
      text: document.body.innerText,
      scripts: document.querySelectorAll('script').length,
    }));
    expect([...new Set(shown.arrows)].sort((a, b) => a - b)).toEqual(frames);
    expect(shown.text).toContain('[root cause]');
    expect(shown.text).toContain('Offer lacks telephone-event <script>window.__pwned=1</script>');
    expect(shown.text).toContain('Call under study for the vendor ticket');
    expect(shown.scripts).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: join(repoRoot, 'test-results/export/sngrep-aaa-call.png'), fullPage: false });
  }, 60_000);
});
