import { describe, expect, it } from 'vitest';
import {
  bodySpan,
  detailTitle,
  encapsulationView,
  framesText,
  headerSelection,
  headerTree,
  headerValueTokens,
  membershipRows,
  notesView,
  parsePreconditionText,
  preconditionTables,
  sameSelection,
  sdpLineSpans,
  sdpLineView,
  sdpView,
  selectedHeader,
  selectionAt,
  selectionSpan,
  splitRaw,
  startLineTokens,
  stepSelection,
  timeText,
  treeItems,
  utf8Length,
  visibleText,
} from '../../../src/renderer/src/detail/detail-model.js';
import type { HeaderDetail, MessageDetail, NoteDetail } from '../../../src/shared/api.js';
import { sampleDetail } from './sample-detail.js';

// Frames of resources/sample-volte.pcap (tshark -r resources/sample-volte.pcap -Y sip): 1 INVITE with the
// precondition offer, 3 183 Session Progress with the answer, 6 UPDATE once the local bearer is up.
const invite = sampleDetail(1);
const progress = sampleDetail(3);
const update = sampleDetail(6);

describe('splitRaw', () => {
  it('cuts the raw message around the bytes of the selected header', () => {
    const via = invite.headers[0];
    const parts = splitRaw(invite.raw, { start: via.start, end: via.end });
    expect(parts.selected).toBe('Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-27294-1-0');
    expect(parts.before).toBe('INVITE tel:+15551;phone-context=ims.mnc001.mcc001.3gppnetwork.org SIP/2.0\r\n');
    expect(parts.after.startsWith('\r\nMax-Forwards: 70\r\n')).toBe(true);
    expect(parts.before + parts.selected + parts.after).toBe(invite.raw);
  });

  it('highlights nothing for no span, an empty or reversed span, and clamps spans past the text', () => {
    const raw = 'ACK sip:a SIP/2.0\r\n\r\n';
    expect(splitRaw(raw, null)).toEqual({ before: raw, selected: '', after: '' });
    expect(splitRaw(raw, { start: 4, end: 4 })).toEqual({ before: raw, selected: '', after: '' });
    expect(splitRaw(raw, { start: 9, end: 4 })).toEqual({ before: raw, selected: '', after: '' });
    expect(splitRaw(raw, { start: Number.NaN, end: 4 })).toEqual({ before: raw, selected: '', after: '' });
    expect(splitRaw(raw, { start: -5, end: 3 })).toEqual({ before: '', selected: 'ACK', after: raw.slice(3) });
    expect(splitRaw(raw, { start: 18, end: 999 })).toEqual({ before: raw.slice(0, 18), selected: raw.slice(18), after: '' });
  });
});

describe('selection', () => {
  const inviteTree = headerTree(invite.headers);

  it('covers every header line of the real INVITE exactly: name through value, without the CRLF', () => {
    for (const node of inviteTree) {
      const span = selectionSpan(invite, inviteTree, headerSelection(node));
      expect(span).not.toBeNull();
      const text = invite.raw.slice(span!.start, span!.end);
      expect(text.startsWith(`${node.name}:`), node.name).toBe(true);
      expect(text.endsWith(node.value), node.name).toBe(true);
    }
  });

  it('covers the start line and the SDP body, and nothing for a header the message lacks', () => {
    const progressTree = headerTree(progress.headers);
    const start = selectionSpan(progress, progressTree, { kind: 'start-line' });
    expect(progress.raw.slice(start!.start, start!.end)).toBe('SIP/2.0 183 Session Progress');
    const body = selectionSpan(invite, inviteTree, { kind: 'body' });
    expect(invite.raw.slice(body!.start, body!.start + 5)).toBe('v=0\r\n');
    expect(body!.end).toBe(invite.raw.length);
    expect(selectionSpan(invite, inviteTree, { kind: 'header', term: 'RSeq', occurrence: 1 })).toBeNull();
    expect(selectionSpan(invite, inviteTree, { kind: 'header', term: 'Via', occurrence: 2 })).toBeNull();
    expect(selectionSpan({ ...invite, bodyStart: null }, inviteTree, { kind: 'body' })).toBeNull();
    expect(selectionSpan(invite, inviteTree, null)).toBeNull();
  });

  it('keeps a selected header when moving to the next message, wherever it sits there', () => {
    const selection = { kind: 'header' as const, term: 'call-id', occurrence: 1 };
    const progressTree = headerTree(progress.headers);
    const inInvite = selectionSpan(invite, inviteTree, selection)!;
    const inProgress = selectionSpan(progress, progressTree, selection)!;
    expect(invite.raw.slice(inInvite.start, inInvite.end)).toBe('Call-ID: 1-27294@127.0.0.1');
    expect(progress.raw.slice(inProgress.start, inProgress.end)).toBe('Call-ID: 1-27294@127.0.0.1');
    expect(inProgress.start).not.toBe(inInvite.start);
    expect(selectedHeader(progressTree, selection)?.index).toBe(progressTree.findIndex((n) => n.term === 'Call-ID'));
  });

  it('compares selections by tree node', () => {
    expect(sameSelection({ kind: 'header', term: 'Via', occurrence: 2 }, { kind: 'header', term: 'via', occurrence: 2 })).toBe(true);
    expect(sameSelection({ kind: 'header', term: 'Via', occurrence: 1 }, { kind: 'header', term: 'Via', occurrence: 2 })).toBe(false);
    expect(sameSelection({ kind: 'body' }, { kind: 'start-line' })).toBe(false);
    expect(sameSelection(null, { kind: 'body' })).toBe(false);
    expect(sameSelection(null, null)).toBe(true);
  });

  it('steps through the tree with the keyboard: start line, headers, body, clamped at the ends', () => {
    const items = treeItems(invite, inviteTree);
    expect(items).toHaveLength(1 + invite.headers.length + 1);
    expect(items[0]).toEqual({ kind: 'start-line' });
    expect(items[items.length - 1]).toEqual({ kind: 'body' });
    expect(stepSelection(items, null, 1)).toEqual({ kind: 'start-line' });
    expect(stepSelection(items, null, -1)).toEqual({ kind: 'body' });
    expect(stepSelection(items, { kind: 'start-line' }, 1)).toEqual({ kind: 'header', term: 'Via', occurrence: 1 });
    expect(stepSelection(items, { kind: 'start-line' }, -1)).toEqual({ kind: 'start-line' });
    expect(stepSelection(items, { kind: 'header', term: 'Via', occurrence: 1 }, Infinity)).toEqual({ kind: 'body' });
    expect(stepSelection(items, { kind: 'body' }, -Infinity)).toEqual({ kind: 'start-line' });
    // A message without a body ends at its last header.
    const ack = treeItems({ bodyStart: null, raw: 'x', headers: [] }, inviteTree);
    expect(stepSelection(ack, null, -1)).toEqual({ kind: 'header', term: 'Content-Length', occurrence: 1 });
    expect(stepSelection([], null, 1)).toBeNull();
  });
});

describe('selectionAt (a click in the raw text)', () => {
  const tree = headerTree(invite.headers);
  it('selects the header whose line holds the offset, the start line, or the body', () => {
    const callId = invite.raw.indexOf('Call-ID:');
    expect(selectionAt(invite, tree, callId)).toEqual({ kind: 'header', term: 'Call-ID', occurrence: 1 });
    expect(selectionAt(invite, tree, callId + 'Call-ID: 1-27294@127.0.0.1'.length)).toEqual({ kind: 'header', term: 'Call-ID', occurrence: 1 });
    expect(selectionAt(invite, tree, 3)).toEqual({ kind: 'start-line' });
    const curr = invite.sdp!.media[0].lines.findIndex(([t, v]) => t === 'a' && v === 'curr:qos local none');
    expect(selectionAt(invite, tree, invite.raw.indexOf('a=curr:qos local none') + 4)).toEqual({ kind: 'sdp', media: 0, line: curr });
    expect(selectionAt(invite, tree, invite.raw.indexOf('m=audio'))).toEqual({ kind: 'sdp', media: 0, line: -1 });
    expect(selectionAt(invite, tree, invite.raw.indexOf('v=0'))).toEqual({ kind: 'sdp', media: -1, line: 0 });
    expect(selectionAt({ ...invite, sdp: null }, tree, invite.raw.indexOf('v=0'))).toEqual({ kind: 'body' });
    // The empty line between the headers and the body belongs to nothing.
    expect(selectionAt(invite, tree, invite.bodyStart! - 1)).toBeNull();
    expect(selectionAt(invite, tree, invite.raw.length)).toBeNull();
  });
});

describe('bodySpan', () => {
  const message = (body: string, contentLength: string | null, extra = ''): Pick<MessageDetail, 'raw' | 'bodyStart' | 'headers'> => {
    const head = `MESSAGE sip:b@x SIP/2.0\r\n${contentLength === null ? '' : `Content-Length: ${contentLength}\r\n`}\r\n`;
    const headers: HeaderDetail[] =
      contentLength === null ? [] : [{ name: 'l', canonicalName: 'Content-Length', value: contentLength, start: 25, end: 25 + 16 + contentLength.length, parts: [] }];
    return { raw: head + body + extra, bodyStart: head.length, headers };
  };

  it('ends the body after Content-Length bytes, leaving octets after it out (RFC 3261 §18.3)', () => {
    // sv_sip_compact_form.pcap frame 1: `l: 272` and 100 more octets in the datagram.
    const m = message('x'.repeat(272), '272', 'y'.repeat(100));
    const span = bodySpan(m)!;
    expect(span.end - span.start).toBe(272);
    expect(m.raw.slice(span.end)).toBe('y'.repeat(100));
    const b = bodySpan(invite)!;
    expect([b.start, b.end]).toEqual([invite.bodyStart, invite.raw.length]);
  });

  it('counts Content-Length in UTF-8 bytes', () => {
    // "héllo 😀" is 11 bytes: h, é (2), l, l, o, space, 😀 (4).
    const m = message('héllo 😀!', '11');
    const span = bodySpan(m)!;
    expect(m.raw.slice(span.start, span.end)).toBe('héllo 😀');
  });

  it('runs to the end without a usable Content-Length, and is null without a body', () => {
    for (const value of [null, 'abc', '-1', '99999', '1e3']) {
      const m = message('hello', value);
      expect(m.raw.slice(bodySpan(m)!.start), String(value)).toBe('hello');
    }
    expect(bodySpan(message('', '0'))).toBeNull();
    expect(bodySpan(message('junk', '0'))).toBeNull();
    expect(bodySpan({ ...invite, bodyStart: null })).toBeNull();
  });
});

describe('sdpLineSpans', () => {
  it('finds every SDP line of the real messages in the raw text, in order', () => {
    for (const detail of [invite, progress, update]) {
      const spans = sdpLineSpans(detail)!;
      const all = [...spans.session, ...spans.media.flatMap((m) => [m.line, ...m.lines])];
      const lines = [...detail.sdp!.session, ...detail.sdp!.media.flatMap((m) => [['m', m.line] as [string, string], ...m.lines])];
      expect(all.map((span) => (span === null ? null : detail.raw.slice(span.start, span.end)))).toEqual(lines.map(([t, v]) => `${t}=${v}`));
      const starts = all.map((span) => span!.start);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
  });

  it('tells the session b=AS:41 from the media one, and selects each', () => {
    const spans = sdpLineSpans(invite)!;
    const sessionAs = spans.session[invite.sdp!.session.findIndex(([t, v]) => t === 'b' && v === 'AS:41')]!;
    const mediaAs = spans.media[0].lines[0]!;
    expect(invite.raw.slice(mediaAs.start, mediaAs.end)).toBe('b=AS:41');
    expect(mediaAs.start).toBeGreaterThan(spans.media[0].line!.start);
    expect(sessionAs.start).toBeLessThan(spans.media[0].line!.start);
    const tree = headerTree(invite.headers);
    expect(selectionSpan(invite, tree, { kind: 'sdp', media: 0, line: 0 })).toEqual(mediaAs);
    expect(selectionSpan(invite, tree, { kind: 'sdp', media: 0, line: 99 })).toBeNull();
    expect(selectionSpan(invite, tree, { kind: 'sdp', media: 3, line: 0 })).toBeNull();
    expect(sameSelection({ kind: 'sdp', media: 0, line: 1 }, { kind: 'sdp', media: 0, line: 1 })).toBe(true);
    expect(sameSelection({ kind: 'sdp', media: 0, line: 1 }, { kind: 'sdp', media: -1, line: 1 })).toBe(false);
  });

  it('gives null for a line not in the body as written, without losing its place for the next ones', () => {
    const changed = { ...invite, sdp: { ...invite.sdp!, session: invite.sdp!.session.map(([t, v]): [string, string] => (t === 's' ? ['s', 'renamed'] : [t, v])) } };
    const spans = sdpLineSpans(changed)!;
    expect(spans.session.map((span) => span !== null)).toEqual([true, true, false, true, true, true, true, true]);
    expect(spans.media[0].line).not.toBeNull();
    expect(sdpLineSpans({ ...invite, sdp: null })).toBeNull();
  });

  it('finds the last line of a body cut short by Content-Length, whose text runs on in the raw message', () => {
    // As in sv_sip_compact_form.pcap frame 1, where Content-Length ends the SDP inside `k=prompt` (tshark: `k=prom`).
    const media = invite.sdp!.media[0];
    const cut = { ...invite, sdp: { ...invite.sdp!, media: [{ ...media, lines: [...media.lines.slice(0, -1), ['a', 'maxptime:24'] as [string, string]] }] } };
    const last = sdpLineSpans(cut)!.media[0].lines.at(-1)!;
    expect(invite.raw.slice(last.start, last.end)).toBe('a=maxptime:24');
    expect(invite.raw.slice(last.end)).toBe('0\r\n');
  });
});

describe('visibleText', () => {
  it('leaves printable text alone, CR LF and tab included', () => {
    const text = 'Subject: caf\u00e9 \u260e\tx\r\n';
    expect(visibleText(text)).toBe(text);
    expect(visibleText(invite.raw)).toBe(invite.raw);
  });

  it('shows controls and text-reordering characters, one for one', () => {
    const hostile = 'From: <sip:\u202egro.live@bob>\u0000hidden\u001b[31m\u007f\u200b\ufeff';
    const shown = visibleText(hostile);
    expect(shown).toBe('From: <sip:\u25afgro.live@bob>\u2400hidden\u241b[31m\u2421\u25af\u25af');
    expect(shown.length).toBe(hostile.length);
    expect(visibleText('\u0000')).toBe('\u2400');
  });
});

describe('startLineTokens', () => {
  it('marks the method of a request and the status code of a response as reference terms', () => {
    expect(startLineTokens(invite)).toEqual([
      { text: 'INVITE', ref: { kind: 'method', term: 'INVITE' } },
      { text: ' tel:+15551;phone-context=ims.mnc001.mcc001.3gppnetwork.org SIP/2.0' },
    ]);
    expect(startLineTokens(progress)).toEqual([
      { text: 'SIP/2.0 ' },
      { text: '183', ref: { kind: 'response', term: '183' } },
      { text: ' Session Progress' },
    ]);
  });

  it('keeps a start line whose method or code is not where the grammar puts it as plain text', () => {
    expect(startLineTokens({ startLine: 'garbage INVITE x', method: 'INVITE', status: null })).toEqual([{ text: 'garbage INVITE x' }]);
    expect(startLineTokens({ startLine: 'SIP/2.0 18 Ringing', method: null, status: 180 })).toEqual([{ text: 'SIP/2.0 18 Ringing' }]);
    expect(startLineTokens({ startLine: '', method: null, status: null })).toEqual([]);
  });
});

describe('headerTree', () => {
  it('lists the real headers in wire order with their reference term', () => {
    const tree = headerTree(invite.headers);
    expect(tree.map((h) => h.name).slice(0, 8)).toEqual(['Via', 'Max-Forwards', 'Route', 'From', 'To', 'Call-ID', 'CSeq', 'Contact']);
    const from = tree[3];
    expect(from).toMatchObject({ index: 3, term: 'From', alias: false, occurrence: 1, of: 1 });
    expect(from.parts).toEqual([
      ['value', '<sip:+15550001111@ims.mnc001.mcc001.3gppnetwork.org>'],
      ['tag', '27294SIPpTag001'],
    ]);
  });

  it('names compact forms by their full name and counts repeated headers', () => {
    const headers: HeaderDetail[] = [
      { name: 'v', canonicalName: 'Via', value: 'SIP/2.0/UDP a;branch=z9hG4bK1', start: 0, end: 10, parts: [] },
      { name: 'Via', canonicalName: 'Via', value: 'SIP/2.0/UDP b;branch=z9hG4bK2', start: 12, end: 20, parts: [] },
      { name: 'i', canonicalName: 'Call-ID', value: 'x@y', start: 22, end: 28, parts: [] },
      { name: 'X-Custom', canonicalName: '', value: '1', start: 30, end: 40, parts: [] },
    ];
    const tree = headerTree(headers);
    expect(tree.map((h) => [h.name, h.term, h.alias, h.occurrence, h.of])).toEqual([
      ['v', 'Via', true, 1, 2],
      ['Via', 'Via', false, 2, 2],
      ['i', 'Call-ID', true, 1, 1],
      ['X-Custom', 'X-Custom', false, 1, 1],
    ]);
  });

  it('cuts option tags and allowed methods out of their header values', () => {
    const supported = headerTree(invite.headers).find((h) => h.term === 'Supported')!;
    expect(headerValueTokens(supported)).toEqual([
      { text: '100rel', ref: { kind: 'option-tag', term: '100rel' } },
      { text: ',' },
      { text: 'precondition', ref: { kind: 'option-tag', term: 'precondition' } },
      { text: ',' },
      { text: 'timer', ref: { kind: 'option-tag', term: 'timer' } },
      { text: ',' },
      { text: 'sec-agree', ref: { kind: 'option-tag', term: 'sec-agree' } },
    ]);
    const allow = headerTree(invite.headers).find((h) => h.term === 'Allow')!;
    const methods = headerValueTokens(allow).flatMap((t) => ('ref' in t ? [t.ref] : []));
    expect(methods).toHaveLength(11);
    expect(methods[10]).toEqual({ kind: 'method', term: 'PRACK' });
    const spaced = headerValueTokens({ term: 'Require', value: ' 100rel , precondition' });
    expect(spaced.map((t) => t.text).join('')).toBe(' 100rel , precondition');
    expect(headerValueTokens({ term: 'Call-ID', value: '1-27294@127.0.0.1' })).toEqual([{ text: '1-27294@127.0.0.1' }]);
  });
});

describe('SDP', () => {
  it('splits attribute names and bandwidth modifiers out of their lines, with their reference keys', () => {
    expect(sdpLineView(['a', 'rtpmap:116 AMR-WB/16000/1'])).toEqual({ type: 'a', name: 'rtpmap', value: '116 AMR-WB/16000/1', term: 'a=rtpmap' });
    expect(sdpLineView(['a', 'sendrecv'])).toEqual({ type: 'a', name: 'sendrecv', value: '', term: 'a=sendrecv' });
    expect(sdpLineView(['b', 'AS:41'])).toEqual({ type: 'b', name: 'AS', value: '41', term: 'b=AS' });
    expect(sdpLineView(['o', '- 1 1 IN IP4 127.0.0.1'])).toEqual({ type: 'o', name: null, value: '- 1 1 IN IP4 127.0.0.1', term: null });
    expect(sdpLineView(['a', ''])).toEqual({ type: 'a', name: '', value: '', term: null });
  });

  it('groups the INVITE offer: session lines, the audio section, codecs, direction and preconditions', () => {
    const view = sdpView(invite.sdp!);
    expect(view.session.map((l) => l.type)).toEqual(['v', 'o', 's', 'c', 'b', 'b', 'b', 't']);
    expect(view.media).toHaveLength(1);
    const audio = view.media[0];
    expect(audio.mediaType).toBe('audio');
    expect(audio.line).toBe('audio 6004 RTP/AVP 116 107 118 96 111 110');
    expect(audio.codecs).toEqual([
      '116 AMR-WB/16000/1',
      '107 AMR-WB/16000/1',
      '118 AMR/8000/1',
      '96 EVS/16000',
      '111 telephone-event/16000',
      '110 telephone-event/8000',
    ]);
    expect(audio.direction).toBe('sendrecv');
    expect(audio.directionImplied).toBe(false);
    expect(audio.preconditions.map((p) => p.ok)).toEqual([true, true, true, true]);
    expect(audio.lines.filter((l) => l.term === 'a=curr')).toHaveLength(2);
  });

  it('draws the RFC 3312 status table of the offer: nothing reserved, local QoS mandatory, so not met', () => {
    const [table] = sdpView(invite.sdp!).media[0].tables;
    expect(table.type).toBe('qos');
    expect(table.rows.map((r) => [r.statusType, r.direction, r.current, r.desired, r.confirm, r.blocking])).toEqual([
      ['local', 'send', false, 'mandatory', false, true],
      ['local', 'recv', false, 'mandatory', false, true],
      ['remote', 'send', false, 'optional', false, false],
      ['remote', 'recv', false, 'optional', false, false],
    ]);
    expect(table.met).toBe(false);
  });

  it('reads the answer’s confirmation request and the UPDATE’s local bearer', () => {
    const [answer] = sdpView(progress.sdp!).media[0].tables;
    expect(answer.rows.filter((r) => r.confirm).map((r) => `${r.statusType} ${r.direction}`)).toEqual(['remote send', 'remote recv']);
    const [updated] = sdpView(update.sdp!).media[0].tables;
    expect(updated.rows.map((r) => [r.statusType, r.direction, r.current, r.blocking])).toEqual([
      ['local', 'send', true, false],
      ['local', 'recv', true, false],
      ['remote', 'send', false, true],
      ['remote', 'recv', false, true],
    ]);
    expect(updated.met).toBe(false);
    const [done] = preconditionTables(['curr:qos local sendrecv', 'curr:qos remote sendrecv', 'des:qos mandatory local sendrecv', 'des:qos mandatory remote sendrecv'].map(parsePreconditionText));
    expect(done.met).toBe(true);
  });

  it('keeps preconditions it cannot read, with the reason, out of the table', () => {
    const bad = parsePreconditionText('des:qos sometimes local sendrecv');
    expect(bad).toEqual({ ok: false, text: 'des:qos sometimes local sendrecv', error: "a=des strength-tag 'sometimes' is not mandatory/optional/none/failure/unknown (RFC 3312 §5)" });
    expect(parsePreconditionText('qos local none')).toMatchObject({ ok: false });
    expect(preconditionTables([bad])).toEqual([]);
    // One-direction attributes only create the rows they name.
    const [t] = preconditionTables([parsePreconditionText('des:qos optional e2e send')]);
    expect(t.rows).toEqual([{ statusType: 'e2e', direction: 'send', current: null, desired: 'optional', confirm: false, blocking: false }]);
  });

  it('takes the direction from the session level, else the RFC 3264 default', () => {
    const base = { session: [['v', '0'] as [string, string]], media: [{ line: 'audio 1 RTP/AVP 0', lines: [], direction: null, preconditions: [] }] };
    expect(sdpView(base).media[0]).toMatchObject({ direction: 'sendrecv', directionImplied: true });
    const held = { ...base, session: [...base.session, ['a', 'sendonly'] as [string, string]] };
    expect(sdpView(held).media[0]).toMatchObject({ direction: 'sendonly', directionImplied: false });
  });
});

describe('summary', () => {
  it('prints epoch seconds as ISO 8601 UTC with microseconds', () => {
    expect(timeText(1700000000.123456)).toBe('2023-11-14T22:13:20.123456Z');
    expect(timeText(0)).toBe('1970-01-01T00:00:00.000000Z');
    // Rounding to the microsecond carries into the next second rather than printing .1000000.
    expect(timeText(1700000059 + 0.9999996)).toBe('2023-11-14T22:14:20.000000Z');
    expect(timeText(Number.NaN)).toBe('—');
    expect(timeText(1e20)).toBe('100000000000000000000 s');
  });

  it('counts the message size in UTF-8 bytes', () => {
    // tshark: frame 1 is 2095 bytes on the wire = 14 Ethernet + 20 IPv4 + 8 UDP + 2053 of SIP.
    expect(utf8Length(invite.raw)).toBe(2053);
    expect(utf8Length('é€😀')).toBe(2 + 3 + 4);
    expect(utf8Length('\ud800x')).toBe(3 + 1);
  });

  it('matches outer layer fields to their layer of the encapsulation stack', () => {
    const layers = encapsulationView({
      encapsulation: ['eth', 'ipv4', 'udp', 'gtpu', 'ipv6', 'tcp'],
      outer: [
        { layer: 'ipv4', fields: [['src', '10.0.0.1'], ['dst', '10.0.0.2']] },
        { layer: 'udp', fields: [['dstport', '2152']] },
        { layer: 'gtpu', fields: [['teid', '0x00000001']] },
        { layer: 'esp', fields: [['spi', '0x1']] },
      ],
    });
    expect(layers.map((l) => [l.name, l.fields.length])).toEqual([
      ['eth', 0],
      ['ipv4', 2],
      ['udp', 1],
      ['gtpu', 1],
      ['ipv6', 0],
      ['tcp', 0],
      ['esp', 1],
    ]);
    expect(encapsulationView(invite).map((l) => l.name)).toEqual(['eth', 'ipv4', 'udp']);
  });

  it('says which frames carried the message', () => {
    expect(framesText(invite)).toBe('frame 1');
    expect(framesText({ frame: 7, frames: [], transport: 'UDP' })).toBe('frame 7');
    expect(framesText({ frame: 12, frames: [12, 13], transport: 'UDP' })).toBe('frames 12, 13 (2 fragments)');
    expect(framesText({ frame: 12, frames: [10, 11, 12], transport: 'TCP' })).toBe('frames 10, 11, 12 (3 segments)');
  });

  it('groups notes by source, worst first, and counts them', () => {
    const notes: NoteDetail[] = [
      { severity: 'note', message: 'compact form used', source: 'decoder' },
      { severity: 'error', message: 'Content-Length larger than the body', code: 'sip.content-length', source: 'decoder' },
      { severity: 'warning', message: 'no PRACK for reliable 183', code: 'prack-missing', source: 'analysis' },
    ];
    const view = notesView(notes);
    expect(view.groups.map((g) => [g.title, g.notes.map((n) => n.severity)])).toEqual([
      ['Decoder', ['error', 'note']],
      ['Analysis', ['warning']],
    ]);
    expect(view.counts).toEqual({ error: 1, warning: 1, note: 1 });
    expect(view.worst).toBe('error');
    expect(notesView([])).toEqual({ groups: [], counts: { error: 0, warning: 0, note: 0 }, worst: null });
  });

  it('names the call, transaction, dialog and procedure, with none for -1 and null', () => {
    const detail: Pick<MessageDetail, 'call' | 'transaction' | 'dialog' | 'procedure' | 'retransmission'> = { call: 2, transaction: 14, dialog: -1, procedure: null, retransmission: true };
    expect(membershipRows(detail)).toEqual([
      ['Call', '#2'],
      ['Transaction', '#14'],
      ['Dialog', 'none'],
      ['Procedure', 'none'],
      ['Retransmission', 'yes'],
    ]);
  });

  it('titles the pane with the frame and the start line without the SIP version', () => {
    expect(detailTitle(invite)).toBe('Frame 1 · INVITE tel:+15551;phone-context=ims.mnc001.mcc001.3gppnetwork.org');
    expect(detailTitle(progress)).toBe('Frame 3 · 183 Session Progress');
  });
});
