/**
 * SIP methods: every method in the IANA "Methods and Response Codes" registry (sip-parameters, Methods table),
 * each with the RFC section that defines it. Unknown methods get a generic entry (RFC 3261 §8.2.1: a UAS that
 * does not know a method answers 501; §27.4 says how new methods are registered).
 */
import { rfc, ts, type ReferenceEntry } from './types.js';

export const METHOD_ENTRIES: readonly ReferenceEntry[] = [
  {
    kind: 'method',
    key: 'ACK',
    title: 'ACK',
    summary:
      'Confirms that the caller received the final response to an INVITE. For a 2xx it is a new end-to-end request in the dialog; for a non-2xx final it is hop-by-hop and belongs to the INVITE transaction. ACK gets no response.',
    ims: 'The ACK for the 200 OK completes call setup (the setup time Wireshark measures ends here). A 200 OK retransmitted again and again by the callee usually means the ACK got lost or was not routed back along Record-Route.',
    sources: [rfc(3261, '§13.2.2.4'), rfc(3261, '§17.1.1.3')],
    seeAlso: ['INVITE', 'call-setup'],
  },
  {
    kind: 'method',
    key: 'BYE',
    title: 'BYE',
    summary: 'Ends a session: either side of a confirmed dialog sends it, and the dialog is gone once it is answered (normally 200).',
    ims: 'Carries a Reason header with the release cause in many networks (e.g. Q.850 cause 16, or a 3GPP release cause such as a lost media bearer). A BYE from the P-CSCF rather than a UE often means the network tore the call down (media bearer lost, session timer expired).',
    sources: [rfc(3261, '§15'), ts('24.229', '§5.1.5')],
    seeAlso: ['call-release', 'Reason'],
  },
  {
    kind: 'method',
    key: 'CANCEL',
    title: 'CANCEL',
    summary:
      'Asks to stop a request that has not received its final response yet, in practice a ringing INVITE. It is answered on its own (200) and the INVITE then ends with 487 Request Terminated, which the caller ACKs.',
    ims: 'The caller hung up before answer. A CANCEL after a 200 OK for the INVITE has no effect: the caller must send BYE instead.',
    sources: [rfc(3261, '§9')],
    seeAlso: ['487', 'call-cancellation'],
  },
  {
    kind: 'method',
    key: 'INFO',
    title: 'INFO',
    summary:
      'Carries application information inside an existing dialog without changing the session. RFC 6086 adds Info Packages (Info-Package / Recv-Info headers) to say what the body is; older "legacy" use sends bodies without a package.',
    ims: 'Seen for DTMF (application/dtmf-relay or the "dtmf" info package) and for some network-specific signalling; in VoLTE, DTMF normally travels in RTP as telephone-event instead.',
    sources: [rfc(6086, '§4')],
    seeAlso: ['Info-Package', 'Recv-Info', 'telephone-event', 'supplementary-services'],
  },
  {
    kind: 'method',
    key: 'INVITE',
    title: 'INVITE',
    summary:
      'Starts a session (a call) and makes the offer/answer exchange of SDP that sets up the media. Sent again inside an established dialog (a re-INVITE) it changes the session, e.g. to put the call on hold or add video.',
    ims: 'A VoLTE/VoNR INVITE carries the MMTel ICSI (+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel") and usually Supported: 100rel, precondition, with SDP that lists AMR-WB/EVS and the QoS precondition attributes (a=curr/a=des).',
    sources: [rfc(3261, '§13'), rfc(3261, '§14'), ts('24.229', '§5.1.3'), ts('24.229', '§5.1.4')],
    seeAlso: ['call-setup', 'session-modification', 'ACK', 'PRACK', 'a=des'],
  },
  {
    kind: 'method',
    key: 'MESSAGE',
    title: 'MESSAGE',
    summary: 'Sends an instant message in its body, normally outside any dialog; each MESSAGE stands alone and is answered with 200 or 202.',
    ims: 'SMS over IP: the body is application/vnd.3gpp.sms carrying RP/TP data (SMS-SUBMIT, SMS-DELIVER or delivery reports) between the UE and the IP-SM-GW.',
    sources: [rfc(3428), ts('24.341')],
    seeAlso: ['messaging', '+g.3gpp.smsip'],
  },
  {
    kind: 'method',
    key: 'NOTIFY',
    title: 'NOTIFY',
    summary:
      'Delivers the state of an event package to a subscriber, inside the dialog the SUBSCRIBE (or REFER) created. Its Subscription-State header says whether the subscription is active, pending or terminated.',
    ims: 'After registration the S-CSCF sends NOTIFY for the "reg" event (application/reginfo+xml) to the UE and the P-CSCF; a NOTIFY saying the contact was deactivated or terminated is a network-initiated deregistration.',
    sources: [rfc(6665, '§3.2'), ts('24.229', '§5.4.2')],
    seeAlso: ['SUBSCRIBE', 'Event', 'Subscription-State', 'subscription-notification'],
  },
  {
    kind: 'method',
    key: 'OPTIONS',
    title: 'OPTIONS',
    summary: 'Asks a server or user agent what it supports (methods, extensions, body types) without setting up anything. Often used as a keep-alive ("SIP ping").',
    ims: 'Used between network nodes as a heartbeat and, with feature tags, for capability discovery (e.g. RCS capability exchange).',
    sources: [rfc(3261, '§11')],
    seeAlso: ['capability-query', 'Allow', 'Supported'],
  },
  {
    kind: 'method',
    key: 'PRACK',
    title: 'PRACK',
    summary:
      'Acknowledges a reliable provisional response (a 18x carrying Require: 100rel and an RSeq). Its RAck header names the RSeq and CSeq being acknowledged, and it can carry an SDP offer or answer.',
    ims: 'Standard in VoLTE call setup: the 183 Session Progress with the SDP answer is sent reliably, the caller PRACKs it, and the preconditions exchange continues with UPDATE.',
    sources: [rfc(3262, '§6'), rfc(3262, '§7.2')],
    seeAlso: ['100rel', 'RSeq', 'RAck', '183', 'call-setup'],
  },
  {
    kind: 'method',
    key: 'PUBLISH',
    title: 'PUBLISH',
    summary:
      'Uploads event state (for example presence) to a state agent, which then notifies subscribers. Refreshes and modifications carry the entity tag from the previous answer in SIP-If-Match.',
    ims: 'Presence and RCS publish capabilities to the presence server this way.',
    sources: [rfc(3903, '§4')],
    seeAlso: ['SIP-ETag', 'SIP-If-Match', '412', 'subscription-notification'],
  },
  {
    kind: 'method',
    key: 'REFER',
    title: 'REFER',
    summary:
      'Asks the recipient to send a request (usually an INVITE) to the URI in the Refer-To header; it creates an implicit subscription whose NOTIFYs (message/sipfrag bodies) report how that request went.',
    ims: 'Call transfer (explicit communication transfer, TS 24.629) and adding parties to a conference (TS 24.605).',
    sources: [rfc(3515, '§2'), ts('24.629')],
    seeAlso: ['Refer-To', 'Referred-By', 'Replaces', 'norefersub', 'supplementary-services'],
  },
  {
    kind: 'method',
    key: 'REGISTER',
    title: 'REGISTER',
    summary:
      'Binds the address of record in the To header to the contact addresses in Contact, for the time in Expires. Expires 0 removes the binding (deregistration); a REGISTER before expiry refreshes it.',
    ims: 'The first REGISTER is answered 401 with an AKA challenge; the UE retries with the response in Authorization over the IPsec security associations set up by sec-agree, and the 200 OK carries P-Associated-URI, Service-Route and Path. The UE then subscribes to its reg event.',
    sources: [rfc(3261, '§10'), ts('24.229', '§5.1.1'), ts('33.203')],
    seeAlso: ['registration', '401', 'Security-Client', 'Path', 'Service-Route', 'P-Associated-URI'],
  },
  {
    kind: 'method',
    key: 'SUBSCRIBE',
    title: 'SUBSCRIBE',
    summary:
      'Asks to be notified of the state of an event package (named in the Event header) for Expires seconds; Expires 0 ends the subscription. The notifier answers, then sends a NOTIFY at once and on every change.',
    ims: 'The UE (and the P-CSCF) subscribe to the "reg" event after registering; other packages seen in IMS are message-summary (voicemail waiting indication), presence and conference.',
    sources: [rfc(6665, '§3.1'), ts('24.229', '§5.1.1.3')],
    seeAlso: ['NOTIFY', 'Event', 'Allow-Events', 'subscription-notification'],
  },
  {
    kind: 'method',
    key: 'UPDATE',
    title: 'UPDATE',
    summary:
      'Changes session parameters (a new SDP offer) inside a dialog, including an early dialog before the INVITE is answered, without changing the dialog state. Also refreshes a session timer.',
    ims: 'In VoLTE call setup the caller sends UPDATE once its QoS bearer is up (a=curr:qos local sendrecv) so the callee can see the preconditions are met and start alerting (180).',
    sources: [rfc(3311, '§5'), rfc(3312)],
    seeAlso: ['precondition', 'a=curr', 'call-setup', 'session-modification'],
  },
];
