// The 12 messages of one call of the SIPp VoLTE scenario in ../shared/bench (volte_uac.xml + volte_uas.xml:
// INVITE, 100, 183, PRACK, 200, UPDATE, 200, 180, 200, ACK, BYE, 200), with SIPp's [placeholders] filled in
// the way SIPp would for call N over UDP between 10.0.0.1:5060 (UE side) and 10.0.0.2:5070. Shared by the
// parser benchmark and the tests (test/core/sip/volte-fixtures.ts), so both see the same bytes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '../../shared/bench');

function cdataSections(xml) {
  return [...xml.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]);
}

/** SIPp strips each line's indentation, drops the leading/trailing blank lines, and ends lines with CRLF. */
function render(template, vars, lastRequest = '') {
  let text = template.replace(/\[last_([A-Za-z-]+):\]/g, (_, name) =>
    lastRequest.split('\r\n').find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':')) ?? '');
  text = text.replace(/\[(\$?[a-z_]+)\]/g, (whole, name) => (name in vars ? vars[name] : whole));
  const lines = text.split('\n').map((l) => l.trim());
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const blank = lines.indexOf('');
  const head = blank < 0 ? lines : lines.slice(0, blank);
  const body = blank < 0 ? '' : lines.slice(blank + 1).map((l) => l + '\r\n').join('');
  return head.map((l) => l + '\r\n').join('').replace('[len]', String(body.length)) + '\r\n' + body;
}

/** @returns {{ name: string, text: string }[]} */
export function volteCall(callNumber = 1) {
  const uac = cdataSections(readFileSync(join(benchDir, 'volte_uac.xml'), 'utf8'));
  const uas = cdataSections(readFileSync(join(benchDir, 'volte_uas.xml'), 'utf8'));
  const pid = '4321';
  const common = {
    transport: 'UDP',
    call_number: String(callNumber),
    pid,
    call_id: `${callNumber}-${pid}@10.0.0.1`,
    local_ip_type: '4',
    media_ip_type: '4',
    remote_port: '5070',
    len: '[len]',
  };
  const ue = { ...common, local_ip: '10.0.0.1', local_port: '5060', media_ip: '10.0.0.1', media_port: '6000' };
  const peer = { ...common, local_ip: '10.0.0.2', local_port: '5070', media_ip: '10.0.0.2', media_port: '6002' };
  const inDialog = {
    next_url: 'sip:10.0.0.2:5070;transport=UDP',
    routes: 'Route: <sip:scscf.ims.mnc001.mcc001.3gppnetwork.org;lr>',
    peer_tag_param: `;tag=${pid}SIPpTag01${callNumber}`,
    $rs: '1',
  };
  const request = (i) => render(uac[i], { ...ue, ...inDialog, branch: `z9hG4bK-${pid}-${callNumber}-${i}` });
  const [invite, prack, update, ack, bye] = [0, 1, 2, 3, 4].map(request);
  const header = (msg, name) => (msg.split('\r\n').find((l) => l.startsWith(name + ':')) ?? '').substring(name.length + 1).trim();
  const answerVars = { ...peer, $via: header(invite, 'Via'), $to: header(invite, 'To') };
  const response = (i, to) => render(uas[i], answerVars, to);
  return [
    { name: 'INVITE', text: invite },
    { name: '100 Trying', text: response(0, invite) },
    { name: '183 Session Progress', text: response(1, invite) },
    { name: 'PRACK', text: prack },
    { name: '200 OK (PRACK)', text: response(2, prack) },
    { name: 'UPDATE', text: update },
    { name: '200 OK (UPDATE)', text: response(3, update) },
    { name: '180 Ringing', text: response(4, update) },
    { name: '200 OK (INVITE)', text: response(5, update) },
    { name: 'ACK', text: ack },
    { name: 'BYE', text: bye },
    { name: '200 OK (BYE)', text: response(6, bye) },
  ];
}
