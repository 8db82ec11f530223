/** Data model of a session description (RFC 8866, formerly RFC 4566) as SIP offer/answer carries it (RFC 3264). */
import type { Diagnostic } from '../diagnostics.js';

/** o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 §5.2). */
export interface SdpOrigin {
  username: string;
  /** Kept as text: numeric but may exceed 2^53. */
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** c=<nettype> <addrtype> <connection-address>[/<ttl>][/<number of addresses>] (RFC 8866 §5.7). */
export interface SdpConnection {
  netType: string;
  addrType: string;
  address: string;
  ttl?: number;
  addressCount?: number;
}

/** b=<bwtype>:<bandwidth>: AS/CT (kbit/s, RFC 8866 §5.8), TIAS (bit/s, RFC 3890), RR/RS (bit/s, RFC 3556). */
export interface SdpBandwidth {
  type: string;
  value: number;
}

/** t=<start-time> <stop-time> plus its r= lines (RFC 8866 §5.9-5.10). NTP seconds; 0 = unbounded. */
export interface SdpTiming {
  start: number;
  stop: number;
  repeats: string[];
}

/** One a= line: `a=<name>` (property) or `a=<name>:<value>`. */
export interface SdpAttribute {
  name: string;
  value: string | undefined;
  /** Character offset of the line in the SDP text. */
  offset: number;
}

/** a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 §6.6). */
export interface SdpRtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
  /** Encoding parameters: the number of audio channels. */
  channels?: number;
}

/** a=fmtp:<format> <format specific parameters> (RFC 8866 §6.15), parameters split on ';'. */
export interface SdpFmtp {
  format: string;
  /** The parameter text as written. */
  value: string;
  params: Array<{ name: string; value: string | undefined }>;
}

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * Precondition attributes (RFC 3312 §5, RFC 4032): a=curr / a=des / a=conf, as VoLTE uses them for QoS
 * bearer set-up (TS 24.229 §6.1.2).
 */
export interface SdpPrecondition {
  kind: 'curr' | 'des' | 'conf';
  /** precondition-type: `qos` (RFC 3312), `sec` (RFC 5027), ... */
  type: string;
  /** des only: mandatory / optional / none / failure / unknown. */
  strength?: string;
  /** e2e / local / remote. */
  statusType: string;
  /** none / send / recv / sendrecv. */
  direction: string;
}

export interface SdpMedia {
  /** audio, video, text, application, message, image. */
  type: string;
  port: number;
  portCount?: number;
  /** RTP/AVP, RTP/AVPF, RTP/SAVP, UDP/TLS/RTP/SAVPF, udptl, TCP/MSRP, ... */
  proto: string;
  formats: string[];
  title?: string;
  connections: SdpConnection[];
  bandwidths: SdpBandwidth[];
  key?: string;
  /** Every a= line of this media section, in order. */
  attributes: SdpAttribute[];
  rtpmaps: SdpRtpMap[];
  fmtps: SdpFmtp[];
  /** Effective direction: this section's direction attribute, else the session-level one, else sendrecv (RFC 3264 §5.1). */
  direction: SdpDirection;
  /** The direction attribute written in this media section, if any. */
  directionAttribute?: SdpDirection;
  preconditions: SdpPrecondition[];
  ptime?: number;
  maxptime?: number;
  /** Character offset of the m= line in the SDP text. */
  offset: number;
}

export interface SdpLine {
  /** The type letter (`v`, `o`, `m`, ...). */
  type: string;
  value: string;
  offset: number;
  /** Index of the media section the line belongs to, or -1 for the session level. */
  media: number;
}

export interface SdpSession {
  version?: number;
  origin?: SdpOrigin;
  sessionName?: string;
  information?: string;
  uri?: string;
  emails: string[];
  phones: string[];
  connection?: SdpConnection;
  bandwidths: SdpBandwidth[];
  timings: SdpTiming[];
  timeZones?: string;
  key?: string;
  /** Session-level a= lines, in order. */
  attributes: SdpAttribute[];
  /** Session-level direction attribute, default sendrecv (RFC 3264 §5.1). */
  direction: SdpDirection;
  directionAttribute?: SdpDirection;
  /** Session-level preconditions (rare; RFC 3312 puts them at media level). */
  preconditions: SdpPrecondition[];
  media: SdpMedia[];
  /** Every line in order. */
  lines: SdpLine[];
  /** Layer `sdp`; offsets are character offsets in the SDP text. */
  diagnostics: Diagnostic[];
}
