/**
 * The shape of the SIP/IMS reference base: one entry per method, response code, header, option tag, feature
 * tag, SDP attribute or procedure group, written in our own words and citing the RFC or 3GPP TS section it
 * comes from. Runtime-free data: the CLI (`sipscope explain`), the app's detail pane and the expert findings
 * all read the same entries.
 */

export type ReferenceKind = 'method' | 'response' | 'header' | 'option-tag' | 'feature-tag' | 'sdp-attribute' | 'procedure';

export interface ReferenceSource {
  /** The document: 'RFC 3261', '3GPP TS 24.229', 'IANA SIP Parameters'. */
  spec: string;
  /** Section inside it, when one section carries the definition: '§21.1.5'. */
  section?: string;
}

export interface ReferenceEntry {
  kind: ReferenceKind;
  /** The term as it appears on the wire: 'INVITE', '183', 'P-Access-Network-Info', '100rel', 'a=curr', 'registration'. */
  key: string;
  /** 'Session Progress' for 183 (the IANA reason phrase), the header's full name, a short name otherwise. */
  title: string;
  /** What it is and when it is sent, in 1–3 sentences. */
  summary: string;
  /** What it usually means in an IMS (VoLTE/VoNR) network, for the terms an IMS engineer meets often. */
  ims?: string;
  sources: ReferenceSource[];
  /** Keys of related entries, each one `explain()` resolves. */
  seeAlso?: string[];
  /** Other spellings that find this entry: a header's compact form ('i' for Call-ID), 'curr' for 'a=curr'. */
  aliases?: string[];
  /** For a procedure group: the typical message sequence, one hop per line ('UE → P-CSCF: REGISTER'). */
  flow?: string[];
  /** True for the fallback entry built for a term the base does not know (an extension method, an unregistered code). */
  generic?: boolean;
}

export function rfc(number: number, section?: string): ReferenceSource {
  return section === undefined ? { spec: `RFC ${number}` } : { spec: `RFC ${number}`, section };
}

export function ts(number: string, section?: string): ReferenceSource {
  return section === undefined ? { spec: `3GPP TS ${number}` } : { spec: `3GPP TS ${number}`, section };
}

/** The IANA registry a list comes from: https://www.iana.org/assignments/sip-parameters/ */
export const IANA_SIP_PARAMETERS: ReferenceSource = { spec: 'IANA SIP Parameters registry' };
