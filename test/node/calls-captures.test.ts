/**
 * The call analysis (src/core/calls) on real captures, against what an IMS engineer reads in them.
 *
 * Every expectation below was written from tshark's decode of the capture (TShark 4.0.17: `tshark -r FILE
 * -Y sip -T fields -e frame.number -e frame.time_relative -e ip.src -e ip.dst -e sip.Method -e
 * sip.Status-Code -e sip.Call-ID -e sip.CSeq -e sip.to.tag -e sip.Via.branch`, plus `-V` / extra fields for
 * Expires, Authorization nonces, RSeq/RAck, SDP, ESP sequence numbers and IP ids), not from sipscope's output:
 * calls (Call-IDs) in order of first message, per call its Wireshark/sngrep state, its dialogs (RFC 3261
 * §12.1: created by a 2xx or a 101-199 with a To tag to INVITE, or by SUBSCRIBE/NOTIFY; never by REGISTER,
 * OPTIONS, CANCEL or a failure final), its procedure instances in order with their outcome and frames,
 * its retransmissions (frames), KPIs (ms, from tshark's frame times) and expert findings (frames).
 *
 * Where sipscope disagrees with the reading, the expectation stays in the table and the aspect is listed
 * in `disagree` with the reason: it becomes an `it.todo` until the analysis is fixed (then delete the
 * `disagree` entry and the test runs).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallKpis } from '../../src/core/calls/analysis.js';
import { aspects, checks, checkTodos, loadCalls, range, type ExpectedCall, type ExpectedTrace, type Loaded } from '../helpers/calls-table.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';

interface CaptureCase {
  name: string;
  path: string;
  shared: boolean;
  calls: ExpectedCall[];
  trace?: ExpectedTrace;
  /** Why sipscope's call set-up / answered counts are wrong, when they are. */
  traceDisagree?: string;
}


// ---------------------------------------------------------------------------------------------------------
// resources/sample-volte.pcap (SIPp, loopback): three MO VoLTE calls with preconditions.
const sampleVolte: CaptureCase = {
  name: 'resources/sample-volte.pcap',
  path: join(repoRoot, 'resources/sample-volte.pcap'),
  shared: false,
  calls: [
    // INVITE/100/183 (Require 100rel, RSeq 1)/PRACK (RAck 1 1 INVITE)/UPDATE/180/200/ACK, BYE/200 at 112 ms.
    {
      callId: '1-27294@127.0.0.1',
      state: 'COMPLETED',
      dialogs: 1,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: range(1, 10) },
        { group: 'call-release', outcome: 'success', finalStatus: 200, frames: [21, 22] },
      ],
      retransmissions: [],
      kpis: { postDialDelayMs: 1.442, answerTimeMs: 5.109, setupTimeMs: 5.155, durationMs: 107.042 },
      findings: [],
    },
    // Same flow 99 ms later; BYE at 208 ms.
    {
      callId: '2-27294@127.0.0.1',
      state: 'COMPLETED',
      dialogs: 1,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: range(11, 20) },
        { group: 'call-release', outcome: 'success', finalStatus: 200, frames: [33, 34] },
      ],
      retransmissions: [],
      kpis: { postDialDelayMs: 1.288, answerTimeMs: 3.854, setupTimeMs: 3.907, durationMs: 105.046 },
      findings: [],
    },
    // Same flow at 200 ms; BYE at 308 ms.
    {
      callId: '3-27294@127.0.0.1',
      state: 'COMPLETED',
      dialogs: 1,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: range(23, 32) },
        { group: 'call-release', outcome: 'success', finalStatus: 200, frames: [35, 36] },
      ],
      retransmissions: [],
      kpis: { postDialDelayMs: 1.25, answerTimeMs: 3.748, setupTimeMs: 3.802, durationMs: 103.7 },
      findings: [],
    },
  ],
  trace: { callSetups: 3, answered: 3, registrations: 0, responseCodes: { INVITE: { 100: 3, 180: 3, 183: 3, 200: 3 }, PRACK: { 200: 3 }, UPDATE: { 200: 3 }, BYE: { 200: 3 } } },
};

// ---------------------------------------------------------------------------------------------------------
const registerInviteReinviteBye: CaptureCase = {
  name: 'sipnab_register-invite-reinvite-bye.pcap',
  path: sharedCapture('sipnab_register-invite-reinvite-bye.pcap'),
  shared: true,
  calls: [
    // REGISTER (Expires 3600) → 200 (expires=3600) in 0.247 ms; the binding outlives the 2.3 s trace.
    {
      callId: '1-3812679@127.0.0.1',
      state: 'REGISTERED',
      dialogs: 0,
      procedures: [{ group: 'registration', kind: 'initial', outcome: 'success', finalStatus: 200, frames: [1, 2] }],
      retransmissions: [],
      kpis: { registrationTimeMs: 0.247 },
      findings: [],
    },
    // INVITE PCMU/100/180/200/ACK; re-INVITE CSeq 2 moves to opus (sendrecv) → 200 → ACK; BYE/200.
    {
      callId: '1-3812687@127.0.0.1',
      state: 'COMPLETED',
      dialogs: 1,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: [3, 4, 5, 6, 7] },
        { group: 'session-modification', kind: 're-invite', outcome: 'success', finalStatus: 200, frames: [162, 163, 164] },
        { group: 'call-release', outcome: 'success', finalStatus: 200, frames: [229, 230] },
      ],
      retransmissions: [],
      kpis: { postDialDelayMs: 1.525, answerTimeMs: 2.709, setupTimeMs: 2.832, durationMs: 2110.67 },
      findings: [],
    },
  ],
  trace: { callSetups: 1, answered: 1, registrations: 1, responseCodes: { REGISTER: { 200: 1 }, INVITE: { 100: 1, 180: 1, 200: 2 }, BYE: { 200: 1 } } },
};

// ---------------------------------------------------------------------------------------------------------
const codecReject: CaptureCase = {
  name: 'sipnab_sip-488-codec-reject.pcapng',
  path: sharedCapture('sipnab_sip-488-codec-reject.pcapng'),
  shared: true,
  calls: [
    // OPTIONS keep-alive → 200 (the 200's To tag makes no dialog).
    {
      callId: '0076da05-6f74-4bd0-8351-179edaca8596',
      state: 'COMPLETED',
      dialogs: 0,
      procedures: [{ group: 'capability-query', outcome: 'success', finalStatus: 200, frames: [1, 2] }],
      retransmissions: [],
      kpis: {},
      findings: [],
    },
    // OPTIONS → 200 with SDP capabilities.
    {
      callId: '9ebf99be-3dd0-4a4a-bbac-d755918fe789',
      state: 'COMPLETED',
      dialogs: 0,
      procedures: [{ group: 'capability-query', outcome: 'success', finalStatus: 200, frames: [3, 4] }],
      retransmissions: [],
      kpis: {},
      findings: [],
    },
    // OPTIONS from the outside (176.9.39.206) → 200.
    {
      callId: 'fab24225-14f8a735-e063ce6@176.9.39.206',
      state: 'COMPLETED',
      dialogs: 0,
      procedures: [{ group: 'capability-query', outcome: 'success', finalStatus: 200, frames: [5, 6] }],
      retransmissions: [],
      kpis: {},
      findings: [],
    },
    // INVITE 20 (SDP PCMU, inactive) → 401 → ACK; INVITE 21 with the 401's nonce → 100 → 488 → ACK: one rejected attempt.
    {
      callId: 'NA4y5nr9Jk',
      state: 'REJECTED',
      dialogs: 0,
      procedures: [{ group: 'call-setup', outcome: 'failure', finalStatus: 488, frames: range(7, 13) }],
      retransmissions: [],
      kpis: {},
      findings: [
        { severity: 'note', code: 'failure-final', frames: [7, 8] },
        { severity: 'warning', code: 'failure-final', frames: [10, 12] },
      ],
    },
  ],
  trace: { callSetups: 1, answered: 0, registrations: 0, responseCodes: { OPTIONS: { 200: 3 }, INVITE: { 100: 1, 401: 1, 488: 1 } } },
};

// ---------------------------------------------------------------------------------------------------------
const authFailure: CaptureCase = {
  name: 'sipnab_sip-auth-failure.pcapng',
  path: sharedCapture('sipnab_sip-auth-failure.pcapng'),
  shared: true,
  calls: [
    // REGISTER → 401 (nonce 54bd660f) → REGISTER with that nonce → 403 Forbidden: the retry failed.
    {
      callId: 'YzAwMDllYjUyNmVlZWFhZjE0NDViMWRkNDUyNzJmZDU.',
      state: 'FAILED',
      dialogs: 0,
      procedures: [{ group: 'registration', kind: 'initial', outcome: 'failure', finalStatus: 403, frames: [1, 2, 3, 4] }],
      retransmissions: [],
      kpis: {},
      findings: [
        { severity: 'note', code: 'failure-final', frames: [1, 2] },
        { severity: 'warning', code: 'failure-final', frames: [3, 4] },
      ],
    },
    // SUBSCRIBE message-summary → 401 (nonce 6fb72fd3) → SUBSCRIBE with that nonce → 403: one failed subscription.
    {
      callId: 'MGJmNzkwZTBmYjg4NDAyMjM2ODRmMDMyYTdkNjZiNDU.',
      state: 'FAILED',
      dialogs: 0,
      procedures: [{ group: 'subscription-notification', kind: 'message-summary', outcome: 'failure', finalStatus: 403, frames: [5, 6, 7, 8] }],
      retransmissions: [],
      kpis: {},
      findings: [
        { severity: 'note', code: 'failure-final', frames: [5, 6] },
        { severity: 'warning', code: 'failure-final', frames: [7, 8] },
      ],
    },
  ],
  trace: { callSetups: 0, answered: 0, registrations: 1, responseCodes: { REGISTER: { 401: 1, 403: 1 }, SUBSCRIBE: { 401: 1, 403: 1 } } },
};

// ---------------------------------------------------------------------------------------------------------
const proxy: CaptureCase = {
  name: 'sipnab_sip-proxy.pcap',
  path: sharedCapture('sipnab_sip-proxy.pcap'),
  shared: true,
  calls: [
    // A (.101) → proxy (.102) → B (.100): 100/180/200 relayed back; no Record-Route, so ACK (9) and BYE (10) go end to end.
    {
      callId: '75104938772201062721@10.33.6.101',
      state: 'COMPLETED',
      dialogs: 1,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: range(1, 9) },
        { group: 'call-release', outcome: 'success', finalStatus: 200, frames: [10, 11] },
      ],
      retransmissions: [],
      // Caller's view: INVITE (1) → 180 at A (6) → 200 at A (8) → ACK (9); BYE (10).
      kpis: { postDialDelayMs: 121.593, answerTimeMs: 725.139, setupTimeMs: 747.151, durationMs: 2210.111 },
      findings: [],
    },
  ],
  trace: { callSetups: 1, answered: 1, registrations: 0 },
};

// ---------------------------------------------------------------------------------------------------------
const codecNegotiation: CaptureCase = {
  name: 'sipnab_codec-negotiation.pcap',
  path: sharedCapture('sipnab_codec-negotiation.pcap'),
  shared: true,
  calls: [
    // INVITE offers PCMU/PCMA/G722 → 200 answers PCMU; re-INVITE offers G722/PCMU → 200 answers G722; BYE at 6.0 s.
    {
      callId: '1-3685341@127.0.0.1',
      state: 'COMPLETED',
      dialogs: 1,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: [1, 2, 3, 4, 5] },
        { group: 'session-modification', kind: 're-invite', outcome: 'success', finalStatus: 200, frames: [308, 309, 310] },
        { group: 'call-release', outcome: 'success', finalStatus: 200, frames: [613, 614] },
      ],
      retransmissions: [],
      kpis: { postDialDelayMs: 1.378, answerTimeMs: 2.499, setupTimeMs: 2.605, durationMs: 6009.98 },
      findings: [],
    },
  ],
  trace: { callSetups: 1, answered: 1, registrations: 0 },
};

// ---------------------------------------------------------------------------------------------------------
const heplifyTcp: CaptureCase = {
  name: 'heplify_sip_ipv4_tcp.pcap',
  path: sharedCapture('heplify_sip_ipv4_tcp.pcap'),
  shared: true,
  calls: [
    // INVITE/100/180/200 (answered after 4.3 s)/ACK over TCP; the callee hangs up (BYE from .101) 2.1 s later.
    {
      callId: '158936656982201062716@10.33.6.100',
      state: 'COMPLETED',
      dialogs: 1,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: [3, 5, 7, 9, 11] },
        { group: 'call-release', outcome: 'success', finalStatus: 200, frames: [81, 83] },
      ],
      retransmissions: [],
      kpis: { postDialDelayMs: 59.027, answerTimeMs: 4343.54, setupTimeMs: 4371.036, durationMs: 2124.02 },
      findings: [],
    },
  ],
  trace: { callSetups: 1, answered: 1, registrations: 0, responseCodes: { INVITE: { 100: 1, 180: 1, 200: 1 }, BYE: { 200: 1 } } },
};

// ---------------------------------------------------------------------------------------------------------
const dtmfInfo: CaptureCase = {
  name: 'sipnab_DTMFsipinfo.pcap',
  path: sharedCapture('sipnab_DTMFsipinfo.pcap'),
  shared: true,
  calls: [
    // Three out-of-dialog INVITEs (CSeq 1, 2, 3); CSeq 2 and 3 CANCELled but all three answered 200 with the
    // same To tag (the CANCELs lost the race, their 200s come after the INVITEs' 200s); INFO DTMF; two
    // re-INVITEs from the far end (session refresh, sendrecv); no BYE: still in call at the end.
    {
      callId: '2091060b-146f-e011-809a-0019cb53db77@admind-desktop',
      state: 'IN CALL',
      dialogs: 1,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: [1, 3, 4, 9] },
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: [2, 8, 10, 11] },
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: [5, 13, 14, 16] },
        // sipscope names why the cancellation failed: the INVITE had been answered.
        { group: 'call-cancellation', kind: 'too late', outcome: 'failure', frames: [6, 12] },
        { group: 'call-cancellation', kind: 'too late', outcome: 'failure', frames: [7, 15] },
        { group: 'supplementary-services', kind: 'info', outcome: 'success', finalStatus: 200, frames: [17, 18] },
        { group: 'supplementary-services', kind: 'info', outcome: 'success', finalStatus: 200, frames: [19, 20] },
        { group: 'session-modification', kind: 're-invite', outcome: 'success', finalStatus: 200, frames: [21, 22, 23, 24] },
        { group: 'session-modification', kind: 're-invite', outcome: 'success', finalStatus: 200, frames: [25, 26, 27, 28] },
        { group: 'supplementary-services', kind: 'info', outcome: 'success', finalStatus: 200, frames: [29, 30] },
        { group: 'supplementary-services', kind: 'info', outcome: 'success', finalStatus: 200, frames: [31, 32] },
      ],
      retransmissions: [],
      kpis: { answerTimeMs: 90.748, setupTimeMs: 147.8 },
      findings: [],
    },
  ],
  trace: { callSetups: 3, answered: 3, registrations: 0, responseCodes: { INVITE: { 100: 5, 200: 5 }, CANCEL: { 200: 2 }, INFO: { 200: 4 } } },
};

// ---------------------------------------------------------------------------------------------------------
const nokiaTcpVolte: CaptureCase = {
  name: 'nokia_10_tcp_volte.pcap.gz',
  path: sharedCapture('nokia_10_tcp_volte.pcap.gz'),
  shared: true,
  calls: [
    // REGISTER → 401 → REGISTER → 200 (113 ms); at 77.2 s de-REGISTER (Expires 0, old nonce) then 57 ms later
    // de-REGISTER CSeq+1 with a NEW nonce (so a 401 came in between, not captured); no final; trace ends 16 s later.
    {
      callId: 'ce8e573d-6155-4ca1-b16d-2d9ba1d59cf4',
      state: 'INCOMPLETE',
      dialogs: 0,
      procedures: [
        { group: 'registration', kind: 'initial', outcome: 'success', finalStatus: 200, frames: [1, 2, 3, 4] },
        { group: 'registration', kind: 'de-registration', outcome: 'incomplete', frames: [78, 80] },
      ],
      retransmissions: [],
      kpis: { registrationTimeMs: 113 },
      findings: [{ severity: 'note', code: 'failure-final', frames: [1, 2] }],
    },
    // INVITE at 5.344 s, no response on this TCP connection for the remaining 88 s: Timer B.
    {
      callId: '5f400fe7-1015-4f1e-8b48-21eb30e3c174',
      state: 'CALL SETUP',
      dialogs: 0,
      procedures: [{ group: 'call-setup', outcome: 'timeout', frames: [15] }],
      retransmissions: [],
      kpis: {},
      findings: [{ severity: 'error', code: 'invite-timeout', frames: [15] }],
    },
  ],
  trace: { callSetups: 1, answered: 0, registrations: 2, responseCodes: { REGISTER: { 200: 1, 401: 1 } } },
};

// ---------------------------------------------------------------------------------------------------------
// nokia_51_esp_sip.pcapng.gz: 7 MT VoLTE calls, P-CSCF (10.228.38.176) → UE (10.55.252.83) over ESP-NULL. Every
// P-CSCF request after the INVITE is seen three times: plain ESP with packet comment 1101, plain ESP with
// comment 2101 (other MACs, TTL 252 instead of 254) and GTP-U-tunnelled, all with the same IP id and ESP
// sequence number (frames 31/32/33: ip.id 0xf0f0, ESP seq 1538) 0.5-1 ms apart: one transmission at three
// capture points, not retransmissions. The UE's 183/180/200 are seen once (GTP). No 200 to PRACK or BYE.
interface MtCall {
  callId: string;
  invite: number;
  trying?: number;
  s183: number;
  prack: [number, number, number];
  s180: number;
  s200: number;
  ack: [number, number, number];
  bye: [number, number, number];
  kpis: CallKpis;
  /** The BYE is the last message of the trace: 32 s have not passed. */
  byeAtEnd?: boolean;
}

const nokiaMtCalls: MtCall[] = [
  { callId: 'LU-167890050140232-174328@imsx-001.nas01e1a4n1p1.ims.mnc340.mcc313.3gppnetwork.org', invite: 3, s183: 21, prack: [31, 32, 33], s180: 36, s200: 47, ack: [58, 59, 60], bye: [61, 62, 63], kpis: { postDialDelayMs: 1017.766, answerTimeMs: 2637.711, setupTimeMs: 2773.037, durationMs: 61769.339 } },
  { callId: 'LU-1678900579278856-174331@imsx-001.nas01e1a4n1p1.ims.mnc340.mcc313.3gppnetwork.org', invite: 66, s183: 87, prack: [94, 95, 96], s180: 103, s200: 110, ack: [121, 122, 123], bye: [124, 125, 126], kpis: { postDialDelayMs: 738.991, answerTimeMs: 2294.078, setupTimeMs: 2428.798, durationMs: 61765.333 } },
  { callId: 'LU-1678900658149124-174332@imsx-001.nas01e1a4n1p1.ims.mnc340.mcc313.3gppnetwork.org', invite: 129, s183: 146, prack: [157, 158, 159], s180: 161, s200: 173, ack: [184, 185, 186], bye: [187, 188, 189], kpis: { postDialDelayMs: 889.05, answerTimeMs: 2381.633, setupTimeMs: 2507.406, durationMs: 61842.194 } },
  { callId: 'LU-1678900736876686-174335@imsx-001.nas01e1a4n1p1.ims.mnc340.mcc313.3gppnetwork.org', invite: 192, s183: 209, prack: [220, 221, 222], s180: 224, s200: 236, ack: [247, 248, 249], bye: [250, 251, 252], kpis: { postDialDelayMs: 642.067, answerTimeMs: 2129.045, setupTimeMs: 2248.749, durationMs: 61787.004 } },
  { callId: 'LU-1678900815524387-174337@imsx-001.nas01e1a4n1p1.ims.mnc340.mcc313.3gppnetwork.org', invite: 255, trying: 271, s183: 283, prack: [289, 290, 291], s180: 298, s200: 310, ack: [316, 317, 318], bye: [319, 320, 321], kpis: { postDialDelayMs: 1011.426, answerTimeMs: 2461.362, setupTimeMs: 2597.421, durationMs: 61772.703 } },
  { callId: 'LU-1678900893653967-174340@imsx-001.nas01e1a4n1p1.ims.mnc340.mcc313.3gppnetwork.org', invite: 324, s183: 341, prack: [352, 353, 354], s180: 356, s200: 368, ack: [379, 380, 381], bye: [382, 383, 384], kpis: { postDialDelayMs: 614.166, answerTimeMs: 2142.099, setupTimeMs: 2264.622, durationMs: 61735.733 } },
  { callId: 'LU-1678900971932133-174342@imsx-001.nas01e1a4n1p1.ims.mnc340.mcc313.3gppnetwork.org', invite: 387, s183: 404, prack: [415, 416, 417], s180: 419, s200: 431, ack: [442, 443, 444], bye: [445, 446, 447], kpis: { postDialDelayMs: 895.738, answerTimeMs: 2487.89, setupTimeMs: 2666.011, durationMs: 61695.938 }, byeAtEnd: true },
];

const nokiaEsp: CaptureCase = {
  name: 'nokia_51_esp_sip.pcapng.gz',
  path: sharedCapture('nokia_51_esp_sip.pcapng.gz'),
  shared: true,
  // Each: INVITE/(100)/183 reliable/PRACK (no 200 seen)/180/200/ACK; BYE 62 s later (no 200 seen).
  calls: nokiaMtCalls.map(
    (c): ExpectedCall => ({
      callId: c.callId,
      state: 'COMPLETED',
      dialogs: 1,
      procedures: [
        {
          group: 'call-setup',
          outcome: 'success',
          finalStatus: 200,
          frames: [c.invite, ...(c.trying !== undefined ? [c.trying] : []), c.s183, ...c.prack, c.s180, c.s200, ...c.ack].sort((a, b) => a - b),
        },
        { group: 'call-release', outcome: c.byeAtEnd ? 'incomplete' : 'timeout', frames: [...c.bye] },
      ],
      retransmissions: [],
      kpis: c.kpis,
      findings: [
        { severity: 'warning', code: 'transaction-timeout', frames: [c.prack[0]] },
        ...(c.byeAtEnd ? [] : [{ severity: 'warning' as const, code: 'transaction-timeout', frames: [c.bye[0]] }]),
      ],
    }),
  ),
  trace: { callSetups: 7, answered: 7, registrations: 0, responseCodes: { INVITE: { 100: 1, 180: 7, 183: 7, 200: 7 } } },
};

// ---------------------------------------------------------------------------------------------------------
const ipv6frag: CaptureCase = {
  name: 'sngrep_ipv6frag.pcap',
  path: sharedCapture('sngrep_ipv6frag.pcap'),
  shared: true,
  calls: [
    // UAC …1521 → proxy …3519 → UAS …4222 (IPv6 fragments). The UAS sends 183 (RSeq 1) on early dialog tag …0171847
    // and later 183 (RSeq 2) on tag …0271847; PRACK 8/9 carry RAck "1 2 INVITE" (wrong CSeq: the INVITE is 1),
    // PRACK 18/19 "2 1 INVITE" (right); PRACK/UPDATE restart at CSeq 2/3 in the second early dialog (its own
    // CSeq space). The UAS's 200 (tag 02, frame 26) is retransmitted (27, +502 ms); the proxy passes a 200 with
    // tag 01 to the UAC (28), ACK tag 01 (29, 30). BYE CSeq 2 in dialog 01 after UPDATE CSeq 3 there (31, 32).
    {
      callId: '71846-1647924829-397430@fd17:625c:f037:2:a00:27ff:feb9:1521',
      state: 'COMPLETED',
      dialogs: 2,
      procedures: [
        { group: 'call-setup', outcome: 'success', finalStatus: 200, frames: [2, 3, ...range(5, 30)] },
        { group: 'call-release', outcome: 'success', finalStatus: 200, frames: [31, 32, 33, 34] },
      ],
      retransmissions: [27],
      // Caller's view: INVITE (2) → 183 at the UAC (7) → 200 at the UAC (28) → ACK (29); BYE (31).
      kpis: { postDialDelayMs: 323.069, answerTimeMs: 4604.56, setupTimeMs: 4604.964, durationMs: 160002.857 },
      findings: [
        { severity: 'error', code: 'missing-prack', frames: [6, 7] },
        { severity: 'error', code: 'rack-mismatch', frames: [8] },
        { severity: 'error', code: 'rack-mismatch', frames: [9] },
        { severity: 'warning', code: 'cseq-backwards', frames: [12, 31] },
        { severity: 'warning', code: 'cseq-backwards', frames: [12, 32] },
        { severity: 'note', code: 'retransmission', frames: [27] },
      ],
    },
  ],
  trace: { callSetups: 1, answered: 1, registrations: 0 },
};

// ---------------------------------------------------------------------------------------------------------
// sngrep_aaa.pcap (cybercity.dk, 2005): an X-Lite-like UA that waits ~17 s before answering a digest challenge.
// Authorization nonces were checked: each credentialed REGISTER/INVITE carries the nonce of the 401/407 just before.
const aaa: CaptureCase = {
  name: 'sngrep_aaa.pcap',
  path: sharedCapture('sngrep_aaa.pcap'),
  shared: true,
  calls: [
    // REG 68 401 → 69 403 Wrong password; 70 401 → 71 "401 nonce has changed" (no retry); 72/73 the same;
    // 74 401 → 75 200 (415.6 s, expires 1200, still valid at the end); de-REG 76 (Expires 0) 401 → 77 401 nonce
    // has changed; 17 s later REG 78 (Expires 1200, NO credentials: a new attempt) 401 → 79 401 nonce has changed.
    {
      callId: '578222729-4665d775@578222732-4665d772',
      state: 'AUTH CHALLENGED',
      dialogs: 0,
      procedures: [
        { group: 'registration', kind: 'initial', outcome: 'failure', finalStatus: 403, frames: [19, 20, 30, 31, 32] },
        { group: 'registration', kind: 'initial', outcome: 'failure', finalStatus: 401, frames: [107, 108, 121, 122] },
        { group: 'registration', kind: 'initial', outcome: 'failure', finalStatus: 401, frames: [143, 144, 154, 155] },
        { group: 'registration', kind: 'initial', outcome: 'success', finalStatus: 200, frames: [169, 170, 180, 181, 182] },
        { group: 'registration', kind: 'de-registration', outcome: 'failure', finalStatus: 401, frames: [421, 422, 430, 432] },
        // REGISTER 78 (frame 441) is for another AOR (To sip:35104723@…, the earlier ones are voi18062/voi18063):
        // never registered in this trace, so an initial registration for it.
        { group: 'registration', kind: 'initial', outcome: 'failure', finalStatus: 401, frames: [441, 442, 453, 454] },
      ],
      retransmissions: [],
      kpis: { registrationTimeMs: 17496.509 },
      findings: [
        { severity: 'note', code: 'failure-final', frames: [19, 20] },
        { severity: 'warning', code: 'failure-final', frames: [30, 32] },
        { severity: 'note', code: 'failure-final', frames: [107, 108] },
        { severity: 'note', code: 'failure-final', frames: [121, 122] },
        { severity: 'note', code: 'failure-final', frames: [143, 144] },
        { severity: 'note', code: 'failure-final', frames: [154, 155] },
        { severity: 'note', code: 'failure-final', frames: [169, 170] },
        { severity: 'note', code: 'failure-final', frames: [421, 422] },
        { severity: 'note', code: 'failure-final', frames: [430, 432] },
        { severity: 'note', code: 'failure-final', frames: [441, 442] },
        { severity: 'note', code: 'failure-final', frames: [453, 454] },
      ],
    },
    // INVITE (+2 retransmissions) → 100 (after 2.2 s); user CANCELs at 34 s (CANCEL retransmitted 10×);
    // 408 to the INVITE (545.1 s) → ACK; 408 to the CANCEL (575.4 s). sngrep keeps CANCELLED once a CANCEL is seen.
    {
      callId: '105090259-446faf7a@192.168.1.2',
      state: 'CANCELLED',
      dialogs: 0,
      procedures: [
        { group: 'call-setup', outcome: 'failure', finalStatus: 408, frames: [223, 225, 227, 228, 252, 253] },
        { group: 'call-cancellation', outcome: 'failure', finalStatus: 408, frames: [247, 249, 251, 255, 257, 259, 260, 264, 265, 266, 272, 274] },
      ],
      retransmissions: [225, 227, 249, 251, 255, 257, 259, 260, 264, 265, 266, 272],
      kpis: {},
      findings: [
        { severity: 'warning', code: 'failure-final', frames: [223, 252] },
        { severity: 'note', code: 'retransmission', frames: [225, 227] },
        { severity: 'warning', code: 'failure-final', frames: [247, 274] },
        // Ten retransmissions of the CANCEL: a peer that does not answer (a warning from three on).
        { severity: 'warning', code: 'retransmission', frames: [249, 251, 255, 257, 259, 260, 264, 265, 266, 272] },
      ],
    },
    // INVITE (+2 retransmissions) → 407 → ACK; 32.5 s later INVITE CSeq 2 with the 407's nonce → 403 Wrong password or domain → ACK.
    {
      callId: '85216695-42dcdb1d@192.168.1.2',
      state: 'REJECTED',
      dialogs: 0,
      procedures: [{ group: 'call-setup', outcome: 'failure', finalStatus: 403, frames: [321, 323, 325, 326, 327, 346, 348, 349] }],
      retransmissions: [323, 325],
      kpis: {},
      findings: [
        { severity: 'note', code: 'failure-final', frames: [321, 326] },
        { severity: 'note', code: 'retransmission', frames: [323, 325] },
        { severity: 'warning', code: 'failure-final', frames: [346, 348] },
      ],
    },
    // REG 1 401 → 2 200 (17.5 s); REG 3 (no credentials) 401 → 34 s later REG 4 with that nonce → 401 nonce has
    // changed; REG 5 401 → 6 200. Bindings (expires 1200) outlive the trace.
    {
      callId: '29858147-465b0752@29858051-465b07b2',
      state: 'REGISTERED',
      dialogs: 0,
      procedures: [
        { group: 'registration', kind: 'initial', outcome: 'success', finalStatus: 200, frames: [515, 516, 524, 526, 527] },
        { group: 'registration', kind: 're-registration', outcome: 'failure', finalStatus: 401, frames: [537, 539, 558, 560] },
        { group: 'registration', kind: 're-registration', outcome: 'success', finalStatus: 200, frames: [639, 640, 648, 649, 650] },
      ],
      retransmissions: [],
      kpis: { registrationTimeMs: 17545.464 },
      findings: [
        { severity: 'note', code: 'failure-final', frames: [515, 516] },
        { severity: 'note', code: 'failure-final', frames: [537, 539] },
        { severity: 'note', code: 'failure-final', frames: [558, 560] },
        { severity: 'note', code: 'failure-final', frames: [639, 640] },
      ],
    },
    // INVITE → 407 → ACK; 51 s later INVITE CSeq 2 with the 407's nonce → 100 → 403 Wrong password or domain → ACK.
    {
      callId: '24487391-449bf2a0@192.168.1.2',
      state: 'REJECTED',
      dialogs: 0,
      procedures: [{ group: 'call-setup', outcome: 'failure', finalStatus: 403, frames: [548, 550, 551, 578, 580, 581, 582] }],
      retransmissions: [],
      kpis: {},
      findings: [
        { severity: 'note', code: 'failure-final', frames: [548, 550] },
        { severity: 'warning', code: 'failure-final', frames: [578, 581] },
      ],
    },
    // INVITE → 407 → ACK; 17 s later INVITE CSeq 2 with the nonce → 100 → 183 "In band info available" → 480 → ACK.
    {
      callId: '11894297-4432a9f8@192.168.1.2',
      state: 'REJECTED',
      dialogs: 1,
      procedures: [{ group: 'call-setup', outcome: 'failure', finalStatus: 480, frames: [602, 603, 604, 617, 619, 620, 621, 622] }],
      retransmissions: [],
      // From the user's dial (first INVITE, 602) to the 183 (620); measured from the credentialed INVITE (617) it is 426.462 ms.
      kpis: { postDialDelayMs: 17846.036 },
      findings: [
        { severity: 'note', code: 'failure-final', frames: [602, 603] },
        { severity: 'warning', code: 'failure-final', frames: [617, 621] },
      ],
    },
  ],
  // Response counts read off tshark (no response retransmissions here): REGISTER 100×4 200×3 401×14 403×1;
  // INVITE 100×3 183 403×2 407×3 408 480; CANCEL 408.
  trace: {
    callSetups: 4,
    answered: 0,
    registrations: 9,
    responseCodes: { REGISTER: { 100: 4, 200: 3, 401: 14, 403: 1 }, INVITE: { 100: 3, 183: 1, 403: 2, 407: 3, 408: 1, 480: 1 }, CANCEL: { 408: 1 } },
  },
};

const captures: CaptureCase[] = [sampleVolte, registerInviteReinviteBye, codecReject, authFailure, proxy, codecNegotiation, heplifyTcp, dtmfInfo, nokiaTcpVolte, nokiaEsp, ipv6frag, aaa];

// ---------------------------------------------------------------------------------------------------------



for (const capture of captures) {
  describe.skipIf(capture.shared && !haveSharedCaptures)(`calls in ${capture.name}`, () => {
    let loaded: Loaded;
    beforeAll(async () => {
      loaded = await loadCalls(capture.path);
    }, 60_000);

    it('finds the calls (Call-IDs in order of first message)', () => {
      expect(loaded.analysis.calls.map((c) => c.callId)).toEqual(capture.calls.map((c) => c.callId));
    });

    capture.calls.forEach((call, callIndex) => {
      const label = `call ${callIndex + 1} (${call.callId.slice(0, 24)})`;
      for (const aspect of aspects) {
        const reason = call.disagree?.[aspect];
        // SIPSCOPE_CHECK_TODOS=1 runs the disagreements as tests, to see which a fix has settled.
        if (reason && !checkTodos) it.todo(`${label} ${aspect}: ${reason}`);
        else it(`${label} ${aspect}`, () => checks[aspect](loaded, callIndex, call));
      }
    });

    const trace = capture.trace;
    if (trace) {
      const counts = 'trace KPIs: procedure counts (call set-ups, answered, registrations)';
      if (capture.traceDisagree && !checkTodos) it.todo(`${counts}: ${capture.traceDisagree}`);
      else
        it(counts, () => {
          const kpis = loaded.analysis.kpis;
          expect({ callSetups: kpis.callSetups, answered: kpis.answered, registrations: kpis.registrations }).toEqual({
            callSetups: trace.callSetups,
            answered: trace.answered,
            registrations: trace.registrations,
          });
        });
      if (trace.responseCodes) it('trace KPIs: response codes per method', () => expect(loaded.analysis.kpis.responseCodes).toEqual(trace.responseCodes));
    }
  });
}
