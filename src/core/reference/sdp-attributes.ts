/**
 * SDP lines that matter in VoLTE/VoNR: precondition status attributes (RFC 3312, RFC 4032), media direction
 * (RFC 4566 §6, now RFC 8866), codec mapping and the fmtp parameters of AMR/AMR-WB (RFC 4867) and EVS
 * (TS 26.445 annex A), DTMF events (RFC 4733), packetisation and bandwidth lines as MTSI uses them (TS 26.114).
 */
import { rfc, ts, type ReferenceEntry, type ReferenceSource } from './types.js';

function sdp(key: string, title: string, sources: ReferenceSource[], summary: string, more: { ims?: string; seeAlso?: string[]; aliases?: string[] } = {}): ReferenceEntry {
  const entry: ReferenceEntry = { kind: 'sdp-attribute', key, title, summary, sources };
  if (more.ims !== undefined) entry.ims = more.ims;
  if (more.seeAlso !== undefined) entry.seeAlso = more.seeAlso;
  if (more.aliases !== undefined) entry.aliases = more.aliases;
  return entry;
}

const direction = (name: string, what: string): ReferenceEntry =>
  sdp(`a=${name}`, `Direction: ${name}`, [rfc(4566, '§6'), rfc(3264, '§5.1')], what, {
    ims: 'Hold and resume are re-INVITEs (or UPDATEs) that change the direction: the holding side offers sendonly (or inactive), the held side answers recvonly (or inactive); resume goes back to sendrecv (TS 24.610).',
    seeAlso: [...['a=sendrecv', 'a=sendonly', 'a=recvonly', 'a=inactive'].filter((key) => key !== `a=${name}`), 'session-modification'],
  });

export const SDP_ENTRIES: readonly ReferenceEntry[] = [
  sdp('a=curr', 'Current precondition status', [rfc(3312), rfc(4032)],
    'Says which preconditions are currently met, per direction: e.g. a=curr:qos local sendrecv means QoS is reserved in both directions on this side\'s access.', {
      ims: 'At the start of a VoLTE call the UE offers a=curr:qos local none (no bearer yet); once the dedicated voice bearer is up it sends UPDATE with a=curr:qos local sendrecv.',
      seeAlso: ['a=des', 'a=conf', 'precondition', 'UPDATE'],
    }),
  sdp('a=des', 'Desired precondition status', [rfc(3312), rfc(4032)],
    'Says which preconditions the session needs and how strongly (mandatory, optional, none, failure, unknown), per side (local/remote) and direction.', {
      ims: 'VoLTE offers a=des:qos mandatory local sendrecv and a=des:qos optional (or mandatory) remote sendrecv: no alerting until the bearers are up.',
      seeAlso: ['a=curr', 'a=conf', 'precondition', '580'],
    }),
  sdp('a=conf', 'Confirmation of precondition status', [rfc(3312), rfc(4032)],
    'Asks the other side to send an updated offer when the named precondition becomes met, e.g. a=conf:qos remote sendrecv.', {
      seeAlso: ['a=curr', 'a=des', 'precondition'],
    }),
  direction('sendrecv', 'Media flows in both directions (the default when no direction attribute is given).'),
  direction('sendonly', 'This side only sends media on the stream; it does not expect to receive. Offered by the side putting a call on hold.'),
  direction('recvonly', 'This side only receives media on the stream. The answer of the held side.'),
  direction('inactive', 'No media flows in either direction on the stream (e.g. both sides have put the call on hold).'),
  sdp('a=rtpmap', 'RTP payload mapping', [rfc(4566, '§6'), rfc(3551)],
    'Maps a dynamic RTP payload type number to a codec name, clock rate and channels, e.g. a=rtpmap:104 AMR-WB/16000/1.', {
      ims: 'VoLTE offers list EVS, AMR-WB and AMR (each often twice, bandwidth-efficient and octet-aligned) plus telephone-event; the answer keeps one of each. "No common codec" compares these lines between offer and answer.',
      seeAlso: ['AMR', 'AMR-WB', 'EVS', 'telephone-event', 'a=fmtp', '488'],
    }),
  sdp('a=fmtp', 'Format parameters', [rfc(4566, '§6')],
    'Codec-specific parameters for a payload type, e.g. a=fmtp:104 mode-change-capability=2;max-red=0 for AMR-WB.', {
      seeAlso: ['AMR', 'AMR-WB', 'EVS', 'telephone-event'],
    }),
  sdp('AMR', 'AMR narrowband codec', [rfc(4867, '§8'), ts('26.114')],
    'Adaptive Multi-Rate speech codec, 8 kHz clock, eight modes from 4.75 to 12.2 kbit/s. fmtp parameters: octet-align (1 = octet-aligned, absent or 0 = bandwidth-efficient payload), mode-set (allowed modes), mode-change-period, mode-change-capability, mode-change-neighbor, max-red.', {
      ims: 'The fallback voice codec of VoLTE; offer and answer must agree on octet-align, otherwise the payload format differs and audio fails even though the codec name matches.',
      seeAlso: ['AMR-WB', 'EVS', 'a=rtpmap'],
      aliases: ['mode-set', 'octet-align', 'mode-change-period', 'mode-change-capability', 'mode-change-neighbor', 'max-red'],
    }),
  sdp('AMR-WB', 'AMR wideband codec', [rfc(4867, '§8'), ts('26.114')],
    'Wideband Adaptive Multi-Rate speech codec (HD voice), 16 kHz clock, nine modes from 6.6 to 23.85 kbit/s, with the same fmtp parameters as AMR (octet-align, mode-set, mode-change-*).', {
      ims: 'The mandatory HD voice codec for VoLTE (TS 26.114); mode-set=0,1,2 (up to 12.65 kbit/s) is a common operator restriction.',
      seeAlso: ['AMR', 'EVS', 'a=rtpmap'],
      aliases: ['mode-set', 'octet-align', 'mode-change-period', 'mode-change-capability', 'mode-change-neighbor', 'max-red'],
    }),
  sdp('EVS', 'Enhanced Voice Services codec', [ts('26.445', 'annex A'), ts('26.114')],
    'The 3GPP super-wideband/fullband speech codec, 16 kHz RTP clock. fmtp parameters include br (bit-rate range, e.g. 5.9-24.4), bw (nb, wb, swb, fb), ch-aw-recv (channel-aware mode offset), evs-mode-switch (AMR-WB IO mode), hf-only (header-full payloads only), dtx, cmr, max-red.', {
      ims: 'Preferred codec on VoLTE/VoNR networks that support it; when negotiation fails it is common to fall back to AMR-WB.',
      seeAlso: ['AMR-WB', 'a=rtpmap'],
      aliases: ['br', 'bw', 'ch-aw-recv', 'evs-mode-switch', 'hf-only', 'cmr'],
    }),
  sdp('telephone-event', 'DTMF events in RTP', [rfc(4733)],
    'RTP payload for DTMF digits and other telephony events (a=rtpmap:<pt> telephone-event/8000 or /16000 with a=fmtp:<pt> 0-15).', {
      ims: 'VoLTE sends DTMF this way, at the same clock rate as the speech codec chosen.',
      seeAlso: ['INFO', 'a=rtpmap'],
    }),
  sdp('a=ptime', 'Packet time', [rfc(4566, '§6'), ts('26.114')],
    'Preferred length of audio in each RTP packet, in milliseconds.', { ims: 'MTSI uses 20 ms (one speech frame per packet) by default.', seeAlso: ['a=maxptime'] }),
  sdp('a=maxptime', 'Maximum packet time', [rfc(4566, '§6'), ts('26.114')],
    'Largest amount of audio the sender may put in one RTP packet, in milliseconds.', { ims: 'VoLTE UEs typically offer 240 ms to allow frame bundling and redundancy.', seeAlso: ['a=ptime'] }),
  sdp('a=rtcp-fb', 'RTCP feedback', [rfc(4585, '§4.2')],
    'Enables RTCP feedback messages for a payload type (e.g. nack, nack pli, ccm fir, trr-int).', { ims: 'Used for video calls (ViLTE) and for codec mode adaptation requests.' }),
  sdp('a=rtcp', 'RTCP port', [rfc(3605)], 'The port (and address) for RTCP when it is not the RTP port + 1.'),
  sdp('b=AS', 'Application-specific bandwidth', [rfc(4566, '§5.8'), ts('26.114')],
    'Bandwidth the media stream needs, in kbit/s including IP/UDP/RTP overhead.', {
      ims: 'The P-CSCF/PCRF derives the guaranteed bit rate of the voice bearer from b=AS (e.g. 38 or 49 kbit/s for AMR-WB).',
      seeAlso: ['b=RS', 'b=RR'],
    }),
  sdp('b=RS', 'RTCP bandwidth for senders', [rfc(3556, '§2')], 'Bandwidth allowed for RTCP from active senders, in bit/s.', { seeAlso: ['b=AS', 'b=RR'] }),
  sdp('b=RR', 'RTCP bandwidth for receivers', [rfc(3556, '§2')], 'Bandwidth allowed for RTCP from receivers, in bit/s; b=RS:0 and b=RR:0 together turn RTCP off.', { seeAlso: ['b=AS', 'b=RS'] }),
];
