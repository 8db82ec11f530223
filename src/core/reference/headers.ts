/**
 * SIP header fields an IMS engineer meets: the RFC 3261 core set (with the compact forms of RFC 3261 §7.3.3
 * and the IANA "Header Fields" registry), the 3GPP P-headers (RFC 7315, RFC 3325, RFC 5009, RFC 6050) and the
 * extensions VoLTE/VoNR traffic uses, each citing where TS 24.229 defines its IMS use.
 */
import { rfc, ts, type ReferenceEntry, type ReferenceSource } from './types.js';

interface HeaderSpec {
  compact?: string;
  ims?: string;
  seeAlso?: string[];
}

function header(name: string, sources: ReferenceSource[], summary: string, more: HeaderSpec = {}): ReferenceEntry {
  const entry: ReferenceEntry = { kind: 'header', key: name, title: name, summary, sources };
  if (more.ims !== undefined) entry.ims = more.ims;
  if (more.seeAlso !== undefined) entry.seeAlso = more.seeAlso;
  if (more.compact !== undefined) entry.aliases = [more.compact];
  return entry;
}

const r3261 = (section: string): ReferenceSource[] => [rfc(3261, section)];

export const HEADER_ENTRIES: readonly ReferenceEntry[] = [
  // ---- RFC 3261 §20 -----------------------------------------------------------------------------------
  header('Accept', r3261('§20.1'), 'Body types the sender can take in the response (or in later requests).', { seeAlso: ['415'] }),
  header('Accept-Encoding', r3261('§20.2'), 'Content codings (e.g. gzip) the sender accepts.'),
  header('Accept-Language', r3261('§20.3'), 'Languages preferred for reason phrases, bodies and announcements.'),
  header('Alert-Info', r3261('§20.4'), 'Points to an alternative ring tone (in a request) or ringback (in a 180).'),
  header('Allow', r3261('§20.5'), 'The methods the sending user agent supports.', { seeAlso: ['405', 'OPTIONS'] }),
  header('Authentication-Info', r3261('§20.6'), 'Sent by the server after successful digest authentication, e.g. with the next nonce.'),
  header('Authorization', r3261('§20.7'), 'The client\'s credentials answering a 401 challenge (digest response).', {
    ims: 'In IMS registration it carries the private user identity (username = IMPI) and, after the 401, the AKA response (RES used as the digest password). The first REGISTER carries it with an empty response so the S-CSCF knows the IMPI (TS 24.229 §5.1.1.2).',
    seeAlso: ['401', 'WWW-Authenticate', 'registration'],
  }),
  header('Call-ID', r3261('§20.8'), 'Identifies one dialog (with the From and To tags) or all registrations of one client; the same in every message of a call leg.', {
    compact: 'i',
    ims: 'Each leg of an IMS session through a B2BUA (the MMTel AS, the IBCF, the P-CSCF in some deployments) may get a new Call-ID; the ICID in P-Charging-Vector links the legs.',
    seeAlso: ['P-Charging-Vector', 'Session-ID'],
  }),
  header('Call-Info', r3261('§20.9'), 'Extra information about the caller or callee, as URIs with a purpose (icon, info, card).'),
  header('Contact', r3261('§20.10'), 'A URI where the sender can be reached directly: the target of later requests in the dialog, or the binding in REGISTER.', {
    compact: 'm',
    ims: 'In REGISTER it carries the UE\'s IP and protected port plus feature tags (+sip.instance, +g.3gpp.icsi-ref, +g.3gpp.smsip); in dialogs it is the UE\'s address the P-CSCF routes to.',
    seeAlso: ['+sip.instance', '+g.3gpp.icsi-ref', 'gruu'],
  }),
  header('Content-Disposition', r3261('§20.11'), 'How the body is to be handled (session, render, icon, alert, signal).'),
  header('Content-Encoding', r3261('§20.12'), 'Codings applied to the body (e.g. gzip).', { compact: 'e' }),
  header('Content-Language', r3261('§20.13'), 'Language of the body.'),
  header('Content-Length', r3261('§20.14'), 'Size of the body in bytes; required over TCP and other stream transports to find where the message ends.', { compact: 'l' }),
  header('Content-Type', r3261('§20.15'), 'Media type of the body: application/sdp, application/vnd.3gpp.sms, message/sipfrag, multipart/mixed, application/reginfo+xml ...', {
    compact: 'c',
    seeAlso: ['415'],
  }),
  header('CSeq', r3261('§20.16'), 'A sequence number and the method; it orders requests in a dialog and tells which request a response answers.', {
    ims: 'A CANCEL and the ACK for a non-2xx carry the INVITE\'s number; an ACK for a 2xx too. A PRACK or UPDATE gets a new number.',
  }),
  header('Date', r3261('§20.17'), 'Date and time the message was sent (RFC 1123 format, GMT).'),
  header('Error-Info', r3261('§20.18'), 'Points to more information about an error response, e.g. an announcement to play.'),
  header('Expires', r3261('§20.19'), 'How long (seconds) a registration, subscription or publication should last; 0 removes it.', {
    ims: 'UEs ask for long registrations (600000 s is common) and the S-CSCF grants less; the UE re-registers before expiry (TS 24.229 §5.1.1.4).',
    seeAlso: ['423', 'Min-Expires', 'registration'],
  }),
  header('From', r3261('§20.20'), 'The logical initiator of the request (address and tag). The tag identifies the caller\'s side of the dialog.', { compact: 'f' }),
  header('In-Reply-To', r3261('§20.21'), 'The Call-ID(s) this call refers or returns to.'),
  header('Max-Forwards', r3261('§20.22'), 'Hop limit, decremented by each proxy (usually starts at 70).', { seeAlso: ['483'] }),
  header('Min-Expires', r3261('§20.23'), 'The shortest expiration the server accepts; sent with 423.', { seeAlso: ['423'] }),
  header('MIME-Version', r3261('§20.24'), 'MIME version of the body (1.0).'),
  header('Organization', r3261('§20.25'), 'Name of the organisation of the sender.'),
  header('Priority', r3261('§20.26'), 'Urgency of the request as perceived by the user: non-urgent, normal, urgent, emergency.'),
  header('Proxy-Authenticate', r3261('§20.27'), 'A proxy\'s challenge, sent with 407.', { seeAlso: ['407'] }),
  header('Proxy-Authorization', r3261('§20.28'), 'Credentials for a proxy that challenged with 407.', { seeAlso: ['407'] }),
  header('Proxy-Require', r3261('§20.29'), 'Extensions every proxy on the path must support.', {
    ims: 'The UE puts sec-agree here (with Require: sec-agree) so the P-CSCF must understand the security agreement (RFC 3329).',
    seeAlso: ['sec-agree', '420'],
  }),
  header('Record-Route', r3261('§20.30'), 'Added by proxies that want to stay on the path of later requests in the dialog; becomes the route set.', {
    ims: 'The P-CSCF and S-CSCF record-route themselves for INVITE dialogs so they see the whole call.',
    seeAlso: ['Route'],
  }),
  header('Reply-To', r3261('§20.31'), 'Where a user should reply, if different from From.'),
  header('Require', r3261('§20.32'), 'Extensions the receiver must support to process the request (or that the UAC must support for a response).', {
    ims: 'A reliable 18x carries Require: 100rel; a VoLTE INVITE may carry Require: precondition; REGISTER carries Require: sec-agree.',
    seeAlso: ['420', '421', 'Supported', '100rel', 'precondition'],
  }),
  header('Retry-After', r3261('§20.33'), 'When to try again after a 503, 404, 413, 480, 486, 600 or 603.', {
    ims: 'After a 503 to REGISTER the UE waits at least this long before retrying (TS 24.229 §5.1.1.2).',
    seeAlso: ['503'],
  }),
  header('Route', r3261('§20.34'), 'The proxies a request must visit, taken from the route set (Record-Route) or a preloaded route.', {
    ims: 'The UE preloads the P-CSCF address and then the Service-Route learned at registration, so originating requests reach its S-CSCF.',
    seeAlso: ['Record-Route', 'Service-Route'],
  }),
  header('Server', r3261('§20.35'), 'Software of the server that answered; useful to see which node generated an error response.'),
  header('Subject', r3261('§20.36'), 'A summary or topic of the call.', { compact: 's' }),
  header('Supported', r3261('§20.37'), 'Extensions (option tags) the sender supports.', {
    compact: 'k',
    ims: 'A VoLTE UE typically lists 100rel, precondition, timer, gruu, sec-agree, replaces, norefersub.',
    seeAlso: ['Require', '100rel', 'precondition', 'timer'],
  }),
  header('Timestamp', r3261('§20.38'), 'When the client sent the request, echoed back to measure round-trip time.'),
  header('To', r3261('§20.39'), 'The logical recipient of the request. The tag, added by the UAS, identifies the callee\'s side of the dialog.', {
    compact: 't',
    ims: 'In REGISTER the To header carries the public user identity (IMPU) being registered.',
  }),
  header('Unsupported', r3261('§20.40'), 'Extensions the server does not support; sent with 420.', { seeAlso: ['420'] }),
  header('User-Agent', r3261('§20.41'), 'Software of the client that sent the request (handset model and IMS stack version in VoLTE).'),
  header('Via', r3261('§20.42'), 'The path taken so far, one entry per hop; responses retrace it. The branch of the top Via identifies the transaction.', {
    compact: 'v',
    ims: 'At the UE the Via carries the protected client port of the IPsec security association; received/rport show the address the P-CSCF actually saw.',
  }),
  header('Warning', r3261('§20.43'), 'Extra information about a response as a three-digit warning code and text, e.g. 305 Incompatible media format.', { seeAlso: ['488'] }),
  header('WWW-Authenticate', r3261('§20.44'), 'The challenge in a 401: realm, nonce and algorithm.', {
    ims: 'With algorithm=AKAv1-MD5 the nonce carries RAND and AUTN from the HSS; the 401 also carries the integrity and ciphering keys towards the P-CSCF, which strips them before the UE (TS 33.203).',
    seeAlso: ['401', 'Authorization', 'registration'],
  }),
  // ---- reliability of provisional responses, session timers -------------------------------------------
  header('RSeq', [rfc(3262, '§7.1')], 'Sequence number of a reliable provisional response.', { seeAlso: ['RAck', 'PRACK', '100rel'] }),
  header('RAck', [rfc(3262, '§7.2')], 'In a PRACK: the RSeq and CSeq of the provisional response being acknowledged.', { seeAlso: ['RSeq', 'PRACK'] }),
  header('Session-Expires', [rfc(4028, '§4')], 'Session timer: the dialog ends unless refreshed (re-INVITE or UPDATE) within this many seconds; refresher= says which side refreshes.', {
    compact: 'x',
    ims: 'A call dropped after exactly the session interval often means a missed refresh (e.g. an UPDATE lost or rejected).',
    seeAlso: ['Min-SE', '422', 'timer'],
  }),
  header('Min-SE', [rfc(4028, '§5')], 'The smallest session interval the sender accepts; sent in a 422 and in retried requests.', { seeAlso: ['Session-Expires', '422'] }),
  // ---- IMS identity and P-headers -----------------------------------------------------------------------
  header('P-Access-Network-Info', [rfc(7315, '§4.4'), ts('24.229', '§7.2A.4')], 'The access technology and cell (or line) the UE is using, e.g. 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=<MCC MNC TAC ECI>.', {
    ims: 'Sent by the UE on most requests and responses; the P-CSCF adds or checks a network-provided copy. Used for location-based routing, emergency calls, charging, and to see which cell or RAT (LTE, NR, Wi-Fi) a call used.',
  }),
  header('P-Associated-URI', [rfc(7315, '§4.1'), ts('24.229', '§5.4.1.2')], 'In the 200 OK to REGISTER: the other public identities (IMPUs) registered with the one in To (implicit registration set).', {
    ims: 'The first URI is the default identity; the UE uses these for P-Preferred-Identity.',
    seeAlso: ['REGISTER', 'P-Preferred-Identity'],
  }),
  header('P-Called-Party-ID', [rfc(7315, '§4.2'), ts('24.229', '§5.4.3.3')], 'Added by the terminating S-CSCF: the public identity the caller actually dialled, before retargeting to the UE\'s contact.'),
  header('P-Visited-Network-ID', [rfc(7315, '§4.3'), ts('24.229', '§5.2.2')], 'Set by the P-CSCF on REGISTER to name the visited network, so the home network can check the roaming agreement.'),
  header('P-Charging-Function-Addresses', [rfc(7315, '§4.5'), ts('24.229', '§5.4.1.2')], 'Addresses of the charging functions (CCF/ECF) that nodes of this session should report to.'),
  header('P-Charging-Vector', [rfc(7315, '§4.6'), ts('24.229', '§7.2A.5')], 'Charging correlation: the IMS Charging Identity (icid-value) created by the first IMS node, plus originating/terminating IOIs and access charging data.', {
    ims: 'The same icid-value on the legs of one session (through the P-CSCF, S-CSCF, AS, IBCF) links them into one call: sipscope uses it to join the legs.',
    seeAlso: ['Session-ID', 'Call-ID'],
  }),
  header('P-Asserted-Identity', [rfc(3325, '§9.1'), ts('24.229', '§5.2.6.3')], 'The identity of the user, asserted by a trusted network node (not by the user).', {
    ims: 'The P-CSCF replaces the UE\'s P-Preferred-Identity with a P-Asserted-Identity from the registered set; this is the calling number shown to the callee unless Privacy: id hides it.',
    seeAlso: ['P-Preferred-Identity', 'Privacy'],
  }),
  header('P-Preferred-Identity', [rfc(3325, '§9.2'), ts('24.229', '§5.1.2A.1')], 'The identity the user would like asserted, sent by the UE to the first trusted node.', { seeAlso: ['P-Asserted-Identity', 'P-Associated-URI'] }),
  header('P-Early-Media', [rfc(5009)], 'Authorises early media and its direction (sendrecv, sendonly, recvonly, inactive, gated, supported).', {
    ims: 'A 18x with P-Early-Media: sendrecv or sendonly tells the caller\'s UE to play network media (announcements, custom ringback) instead of a local ring tone.',
    seeAlso: ['183'],
  }),
  header('P-Preferred-Service', [rfc(6050)], 'The IMS communication service the UE would like the request treated as (an ICSI URN).', { seeAlso: ['P-Asserted-Service', '+g.3gpp.icsi-ref'] }),
  header('P-Asserted-Service', [rfc(6050), ts('24.229', '§5.4.3.2')], 'The IMS communication service (ICSI URN such as urn:urn-7:3gpp-service.ims.icsi.mmtel) asserted by the network for this request.', {
    ims: 'Set by the originating S-CSCF or P-CSCF after checking the subscription; ASs trigger on it.',
    seeAlso: ['P-Preferred-Service', '+g.3gpp.icsi-ref'],
  }),
  header('P-Served-User', [rfc(5502)], 'Tells an AS which user it is serving and whether in the originating or terminating session case.'),
  header('P-Profile-Key', [rfc(5002)], 'The key an I-CSCF/S-CSCF uses to find the service profile of a wildcarded identity.'),
  header('P-Media-Authorization', [rfc(3313)], 'Media authorisation tokens for QoS reservation (used in early IMS/PacketCable; rare in VoLTE).'),
  header('P-Private-Network-Indication', [rfc(7316)], 'Marks traffic that belongs to a private network (business trunking) carried over the IMS.'),
  header('P-User-Database', [rfc(4457)], 'Added by the I-CSCF to tell the S-CSCF which HSS holds the user\'s data.'),
  header('P-Answer-State', [rfc(4964)], 'Whether a 200 OK is a final answer or only a confirmation from a PoC server (push-to-talk).'),
  // ---- security agreement, routing registered users -----------------------------------------------------
  header('Security-Client', [rfc(3329, '§2.2'), ts('33.203', '§7')], 'The security mechanisms the client supports, with their parameters.', {
    ims: 'In the first REGISTER: ipsec-3gpp with the UE\'s SPIs, ports and algorithms for the IPsec security associations with the P-CSCF.',
    seeAlso: ['Security-Server', 'Security-Verify', 'sec-agree'],
  }),
  header('Security-Server', [rfc(3329, '§2.2'), ts('33.203', '§7')], 'The security mechanisms the server supports, sent in the 401 (or 494).', {
    ims: 'The P-CSCF\'s SPIs and ports for ipsec-3gpp, and the algorithms it picked.',
    seeAlso: ['Security-Client', 'Security-Verify', 'sec-agree'],
  }),
  header('Security-Verify', [rfc(3329, '§2.2'), ts('33.203', '§7')], 'The client echoes the server\'s Security-Server list in later requests, protected by the agreed mechanism, so a downgrade attack is detected.', {
    seeAlso: ['Security-Client', 'Security-Server', 'sec-agree'],
  }),
  header('Path', [rfc(3327), ts('24.229', '§5.2.2')], 'In REGISTER: proxies (the P-CSCF) that want terminating requests for this user to pass through them.', {
    ims: 'The P-CSCF inserts its own URI; the S-CSCF stores it and routes calls to the UE through that P-CSCF.',
    seeAlso: ['path', 'Service-Route'],
  }),
  header('Service-Route', [rfc(3608), ts('24.229', '§5.4.1.2')], 'In the 200 OK to REGISTER: the route the UE must preload for originating requests (normally its S-CSCF).', {
    seeAlso: ['Route', 'Path'],
  }),
  // ---- dialogs, transfer, events -------------------------------------------------------------------------
  header('Privacy', [rfc(3323), rfc(3325, '§9.3')], 'What the user wants hidden: id (the asserted identity), header, session, user, none, critical.', {
    ims: 'Privacy: id makes the terminating network drop P-Asserted-Identity towards the callee (calling line identification restriction, TS 24.607).',
    seeAlso: ['P-Asserted-Identity', '433'],
  }),
  header('Reason', [rfc(3326, '§2')], 'Why a request (BYE, CANCEL, re-INVITE) was sent: a protocol and cause, e.g. Q.850;cause=16 or SIP;cause=200.', {
    ims: 'CANCEL with Reason: SIP;cause=200;text="Call completed elsewhere" tells forked branches someone else answered. 3GPP adds release causes (e.g. for a lost media bearer) in TS 24.229.',
    seeAlso: ['BYE', 'CANCEL'],
  }),
  header('Refer-To', [rfc(3515, '§2.1')], 'In REFER: the URI the recipient is asked to contact (may embed Replaces for attended transfer).', { compact: 'r', seeAlso: ['REFER', 'Replaces'] }),
  header('Referred-By', [rfc(3892, '§3')], 'Who asked for the request: set in REFER and copied into the triggered INVITE.', { compact: 'b', seeAlso: ['REFER', '429'] }),
  header('Refer-Sub', [rfc(4488)], 'Refer-Sub: false asks that the REFER create no implicit subscription (no NOTIFYs).', { seeAlso: ['norefersub', 'REFER'] }),
  header('Replaces', [rfc(3891, '§6.1')], 'In an INVITE: the dialog (Call-ID, to-tag, from-tag) this new call replaces; used for attended transfer and call pickup.', { seeAlso: ['replaces', 'REFER'] }),
  header('Join', [rfc(3911)], 'In an INVITE: join an existing dialog to make a conference.'),
  header('Target-Dialog', [rfc(4538)], 'Names an existing dialog the request relates to, so the recipient can authorise a REFER or similar sent outside it.', { seeAlso: ['tdialog'] }),
  header('Event', [rfc(6665)], 'The event package of a SUBSCRIBE, NOTIFY or PUBLISH: reg, presence, message-summary, refer, dialog, conference ...', {
    compact: 'o',
    seeAlso: ['SUBSCRIBE', 'NOTIFY', '489'],
  }),
  header('Allow-Events', [rfc(6665)], 'The event packages the sender supports.', { compact: 'u' }),
  header('Subscription-State', [rfc(6665)], 'In NOTIFY: active, pending or terminated (with a reason such as timeout, deactivated, rejected) and the remaining expiry.', {
    seeAlso: ['NOTIFY'],
  }),
  header('SIP-ETag', [rfc(3903)], 'In a 2xx to PUBLISH: the entity tag of the published state.', { seeAlso: ['PUBLISH', 'SIP-If-Match'] }),
  header('SIP-If-Match', [rfc(3903)], 'In PUBLISH: the entity tag being refreshed or modified.', { seeAlso: ['PUBLISH', '412'] }),
  // ---- caller preferences, capabilities, routing -------------------------------------------------------
  header('Accept-Contact', [rfc(3841), ts('24.229', '§5.1.3.1')], 'Caller preferences: feature tags the target contact should have (e.g. the MMTel ICSI).', {
    compact: 'a',
    ims: 'An IMS INVITE carries Accept-Contact: *;+g.3gpp.icsi-ref="...mmtel" so the call is delivered to a contact registered for MMTel.',
    seeAlso: ['Reject-Contact', '+g.3gpp.icsi-ref'],
  }),
  header('Reject-Contact', [rfc(3841)], 'Caller preferences: contacts with these feature tags must not be used.', { compact: 'j', seeAlso: ['Accept-Contact'] }),
  header('Request-Disposition', [rfc(3841)], 'Caller preferences for how proxies handle the request: proxy or redirect, fork or not, sequential or parallel.', { compact: 'd' }),
  header('Feature-Caps', [rfc(6809)], 'Capabilities of the proxies (not the UAs) on the path, as feature-capability indicators.', {
    ims: 'Used for example by the ATCF/P-CSCF to announce SRVCC support (+g.3gpp.srvcc and related indicators, TS 24.237).',
  }),
  header('Session-ID', [rfc(7989)], 'An end-to-end session identifier that stays the same across B2BUAs (local and remote UUIDs).', {
    ims: 'Like the ICID, it lets sipscope join the legs of one session seen at several network points.',
    seeAlso: ['P-Charging-Vector'],
  }),
  header('History-Info', [rfc(7044), ts('24.604')], 'The list of targets the request was retargeted through, with the cause (e.g. cause=486 busy, 302 diversion).', {
    ims: 'Communication diversion (TS 24.604) records the diverting users here, which voicemail servers read.',
    seeAlso: ['181', '302'],
  }),
  header('Diversion', [rfc(5806)], 'Pre-standard (historic) list of diverting parties, still seen on SIP trunks; History-Info replaces it.', { seeAlso: ['History-Info'] }),
  header('Geolocation', [rfc(6442, '§4.1')], 'Where the location of the target is (a URI or a cid: reference to a PIDF-LO body).', {
    ims: 'Emergency calls carry the UE\'s location this way.',
    seeAlso: ['424'],
  }),
  header('Geolocation-Routing', [rfc(6442, '§4.2')], 'Whether location may be used to route the request.'),
  header('Info-Package', [rfc(6086)], 'In INFO: the Info Package the body belongs to.', { seeAlso: ['INFO', 'Recv-Info', '469'] }),
  header('Recv-Info', [rfc(6086)], 'The Info Packages the sender is willing to receive in INFO requests.', { seeAlso: ['INFO', 'Info-Package', '469'] }),
  header('Identity', [rfc(8224, '§4')], 'STIR/SHAKEN: a signed PASSporT asserting the caller\'s number, checked by the terminating network.', {
    compact: 'y',
    seeAlso: ['428', '436', '437', '438'],
  }),
  header('Identity-Info', [rfc(4474)], 'Pointed to the certificate for the Identity signature; obsoleted by RFC 8224, which puts it in Identity\'s info parameter.', { compact: 'n' }),
  header('Resource-Priority', [rfc(4412)], 'Priority treatment requested (namespace.value), e.g. for emergency or government priority calls.', { seeAlso: ['417'] }),
  header('Contribution-ID', [rfc(8841)], 'In RCS/MSRP chats: identifies the conversation contribution; 3GPP and GSMA use it with Conversation-ID.'),
  header('Conversation-ID', [ts('24.229')], 'Identifies an RCS conversation across sessions (GSMA RCC.07), used with Contribution-ID.'),
  header('Cellular-Network-Info', [ts('24.229')], 'Cellular cell information sent by a UE registered over a non-3GPP access (Wi-Fi), for emergency and location use.'),
  header('Answer-Mode', [rfc(5373)], 'Asks the callee to answer automatically (auto) or manually.'),
  header('Flow-Timer', [rfc(5626)], 'In a REGISTER response: how often the UA should send keep-alives on its outbound flow.'),
  header('Max-Breadth', [rfc(5393)], 'Limits the total number of parallel forks a request may cause.', { seeAlso: ['440'] }),
  header('User-to-User', [rfc(7433)], 'Carries application user-to-user information (e.g. ISDN UUI) end to end.'),
  header('Permission-Missing', [rfc(5360)], 'The URIs a relay lacks permission for; sent with 470.', { seeAlso: ['470'] }),
  header('Trigger-Consent', [rfc(5360)], 'Asks a relay to request consent from the listed URIs.'),
];
