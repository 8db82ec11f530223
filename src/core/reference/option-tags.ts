/**
 * Option tags (Require / Supported / Proxy-Require / Unsupported values, IANA "Option Tags" registry) and the
 * media feature tags of Contact, Accept-Contact and Feature-Caps (RFC 3840, TS 24.229 §7.9, TS 24.229 annex
 * B/C usage) that VoLTE/VoNR traffic carries.
 */
import { rfc, ts, type ReferenceEntry, type ReferenceSource } from './types.js';

function optionTag(key: string, title: string, sources: ReferenceSource[], summary: string, ims?: string, seeAlso?: string[]): ReferenceEntry {
  const entry: ReferenceEntry = { kind: 'option-tag', key, title, summary, sources };
  if (ims !== undefined) entry.ims = ims;
  if (seeAlso !== undefined) entry.seeAlso = seeAlso;
  return entry;
}

function featureTag(key: string, title: string, sources: ReferenceSource[], summary: string, ims?: string, seeAlso?: string[]): ReferenceEntry {
  const entry: ReferenceEntry = { kind: 'feature-tag', key, title, summary, sources, aliases: [key.slice(1)] };
  if (ims !== undefined) entry.ims = ims;
  if (seeAlso !== undefined) entry.seeAlso = seeAlso;
  return entry;
}

export const OPTION_TAG_ENTRIES: readonly ReferenceEntry[] = [
  optionTag('100rel', 'Reliable provisional responses', [rfc(3262, '§8.1')],
    'The sender supports (Supported) or requires (Require) reliable 1xx responses: a 18x is retransmitted until acknowledged by PRACK.',
    'Virtually every VoLTE call uses it: the 183 carrying the SDP answer is reliable. A reliable 18x without a PRACK is a finding.', ['PRACK', 'RSeq', 'RAck', '183']),
  optionTag('precondition', 'Preconditions', [rfc(3312), rfc(4032)],
    'The session must not start (the callee must not alert) until the preconditions described in the SDP (a=curr/a=des/a=conf), normally QoS resource reservation, are met.',
    'VoLTE/VoNR calls use QoS preconditions so the phone only rings once the dedicated voice bearers are set up at both ends (TS 24.229).', ['a=curr', 'a=des', 'a=conf', '580', 'UPDATE']),
  optionTag('sec-agree', 'Security mechanism agreement', [rfc(3329, '§2'), ts('33.203')],
    'Negotiates the security mechanism between the UE and its first-hop proxy with Security-Client/Server/Verify.',
    'The IMS REGISTER carries Require and Proxy-Require: sec-agree to set up IPsec (ipsec-3gpp) between UE and P-CSCF.', ['Security-Client', 'Security-Server', 'Security-Verify', '494']),
  optionTag('timer', 'Session timers', [rfc(4028)],
    'Session timer support: Session-Expires/Min-SE negotiate a refresh interval after which an unrefreshed dialog is torn down.',
    undefined, ['Session-Expires', 'Min-SE', '422']),
  optionTag('gruu', 'Globally routable user agent URIs', [rfc(5627)],
    'The UA supports GRUUs: the registrar returns a pub-gruu (and temp-gruu) per instance in the 200 OK to REGISTER, usable as a Contact that routes to that device.',
    'IMS uses GRUUs for routing to a specific device (e.g. for transfer and conferencing, TS 24.229 §5.1.1.2).', ['+sip.instance']),
  optionTag('path', 'Path header support', [rfc(3327)],
    'The registrar supports the Path header in REGISTER.', undefined, ['Path']),
  optionTag('replaces', 'Replaces header support', [rfc(3891)],
    'The UA supports the Replaces header (attended transfer, call pickup).', undefined, ['Replaces', 'REFER']),
  optionTag('norefersub', 'No REFER subscription', [rfc(4488)],
    'The UA supports suppressing the implicit subscription of a REFER (Refer-Sub: false).', undefined, ['Refer-Sub', 'REFER']),
  optionTag('outbound', 'SIP Outbound', [rfc(5626)],
    'The UA or proxy supports client-initiated connections (flows kept alive, reg-id and +sip.instance).', undefined, ['430', '439', '+sip.instance']),
  optionTag('tdialog', 'Target-Dialog support', [rfc(4538)],
    'The UA supports the Target-Dialog header.', undefined, ['Target-Dialog']),
  optionTag('histinfo', 'History-Info support', [rfc(7044)],
    'The UA or proxy supports History-Info; in a request it asks for History-Info to be returned.', undefined, ['History-Info']),
  optionTag('join', 'Join header support', [rfc(3911)], 'The UA supports the Join header.'),
  optionTag('eventlist', 'Event lists', [rfc(4662)], 'The subscriber accepts resource-list (RLS) notifications.'),
  optionTag('from-change', 'From/To change', [rfc(4916)],
    'The UA accepts changes of the From/To URIs inside a dialog (connected identity).'),
  optionTag('resource-priority', 'Resource priority', [rfc(4412)], 'The UA supports Resource-Priority.', undefined, ['Resource-Priority', '417']),
  optionTag('recipient-list-invite', 'Recipient list INVITE', [rfc(5366)],
    'The UA can send an INVITE with a URI list body to set up a conference (ad-hoc conference in IMS).'),
  optionTag('early-session', 'Early session', [rfc(3959)], 'The UA supports early-session content disposition (separate early media session).'),
  optionTag('answermode', 'Answer-Mode support', [rfc(5373)], 'The UA supports the Answer-Mode header.'),
  optionTag('pref', 'Caller preferences', [rfc(3840)], 'The UA supports caller preferences (Accept-Contact/Reject-Contact).'),
  optionTag('privacy', 'Privacy', [rfc(3323)], 'Used in Proxy-Require to make sure privacy is honoured.', undefined, ['Privacy']),
  optionTag('199', 'Early dialog terminated', [rfc(6228)], 'The UA supports the 199 response.', undefined, ['199']),
  optionTag('sdp-anat', 'SDP alternative network address types', [rfc(4092)], 'The UA supports ANAT grouping (historic, IPv4/IPv6 alternatives in SDP).'),
];

export const FEATURE_TAG_ENTRIES: readonly ReferenceEntry[] = [
  featureTag('+g.3gpp.icsi-ref', 'IMS communication service identifier', [ts('24.229', '§7.9'), ts('24.173')],
    'Names the IMS communication services (ICSI URNs) a contact supports or a request asks for.',
    'urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel marks multimedia telephony (VoLTE/VoNR voice and video). It appears in the Contact of REGISTER and INVITE and in Accept-Contact.', ['P-Asserted-Service', 'Accept-Contact']),
  featureTag('+g.3gpp.iari-ref', 'IMS application reference identifier', [ts('24.229', '§7.9')],
    'Names IMS applications (IARI URNs) a contact supports, e.g. RCS applications (chat, file transfer, geolocation push).'),
  featureTag('+g.3gpp.smsip', 'SMS over IP capability', [ts('24.341'), ts('24.229', '§7.9')],
    'In the Contact of REGISTER: the UE can send and receive SMS over IP (MESSAGE with application/vnd.3gpp.sms).', undefined, ['MESSAGE', 'messaging']),
  featureTag('+sip.instance', 'Instance identifier', [rfc(5626), rfc(5627)],
    'A stable, unique URN for the device (in IMS usually urn:gsma:imei:...), used for GRUU and outbound.',
    'Lets the network tell a UE\'s registrations apart and build its GRUU; often reveals the IMEI.', ['gruu', 'outbound']),
  featureTag('+g.3gpp.accesstype', 'Access type', [ts('24.229', '§7.9')],
    'Indicates the access type (e.g. cellular, wlan) the contact uses.'),
  featureTag('+g.3gpp.mid-call', 'Mid-call SRVCC support', [ts('24.237')],
    'The UE supports moving a call in mid-call state (held/active) to CS during SRVCC.', undefined, ['+g.3gpp.srvcc-alerting']),
  featureTag('+g.3gpp.srvcc-alerting', 'SRVCC in alerting phase', [ts('24.237')],
    'The UE supports SRVCC of a call that is still alerting.'),
  featureTag('+g.3gpp.ps2cs-srvcc-orig-pre-alerting', 'SRVCC in pre-alerting phase', [ts('24.237')],
    'The UE supports SRVCC of an originating call before alerting.'),
  featureTag('+g.3gpp.nw-init-ussi', 'Network-initiated USSI', [ts('24.390')],
    'The UE supports USSD over IMS (USSI) sessions started by the network.'),
  featureTag('+g.3gpp.trf', 'Transit and roaming function', [ts('24.229')],
    'Marks a transit and roaming function address (roaming architecture for voice over IMS with local breakout).'),
  featureTag('+sip.video', 'Video capability', [rfc(3840)],
    'The contact supports video media streams.'),
  featureTag('+sip.audio', 'Audio capability', [rfc(3840)],
    'The contact supports audio media streams.'),
  featureTag('+sip.text', 'Real-time text capability', [rfc(3840)],
    'The contact supports real-time text (RFC 4103).'),
];
