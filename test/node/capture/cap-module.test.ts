/**
 * cap-module.ts without opening anything: the "capture not enabled" path (a module name that does not exist stands
 * for a machine where `cap` did not build), cap's link-type names, and libpcap's refusal texts.
 */
import { describe, expect, it } from 'vitest';
import { CaptureFailure, classifyOpenFailure, linkTypeFromCap, loadCap } from '../../../src/node/capture/cap-module.js';

describe('loadCap', () => {
  it('without the module, fails with kind capture-unavailable and says how to enable capture', () => {
    let failure: unknown;
    try {
      loadCap('sipscope-test-no-such-cap-module');
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CaptureFailure);
    const { info } = failure as CaptureFailure;
    expect(info.kind).toBe('capture-unavailable');
    expect(info.message).toMatch(/^Live capture is not enabled: the `cap` module/);
    expect(info.message).toContain('sudo apt-get install libpcap-dev build-essential python3 && npm install');
    expect(info.message).toMatch(/sudo setcap cap_net_raw,cap_net_admin=eip \/\S+/);
    expect(info.message).toContain("(Loading 'sipscope-test-no-such-cap-module' failed: Cannot find module 'sipscope-test-no-such-cap-module'");
  });
});

describe('linkTypeFromCap', () => {
  it.each([
    ['ETHERNET', 1, 'ethernet'],
    ['NULL', 0, 'null'],
    ['RAW', 101, 'raw'],
    ['LINKTYPE_LINUX_SLL', 113, 'linux-sll'],
    ['IEEE802_11_RADIO', 127, 'ieee802.11-radiotap'],
    // cap's text for the rest (nflog here).
    ['Unknown linktype 239', 239, 'dlt-239'],
  ])('%s is LINKTYPE %i', (capName, linkType, name) => {
    expect(linkTypeFromCap(capName)).toEqual({ linkType, name });
  });
});

describe('classifyOpenFailure', () => {
  // The texts are libpcap 1.10's, as cap 0.2.1 throws them.
  it('a permission refusal says what to run', () => {
    const info = classifyOpenFailure('lo', '', 'socket: Operation not permitted');
    expect(info.kind).toBe('permission');
    expect(info.message).toMatch(/^No permission to capture on lo \(socket: Operation not permitted\)\.\n/);
    expect(info.message).toContain('CAP_NET_RAW and CAP_NET_ADMIN');
    expect(info.message).toMatch(/\n {2}sudo setcap cap_net_raw,cap_net_admin=eip \S+ \(or run sipscope as root\)$/);
  });

  it('a filter libpcap cannot compile', () => {
    expect(classifyOpenFailure('lo', 'udp prot 5060', "can't parse filter expression: syntax error")).toEqual({
      kind: 'bad-filter',
      message: "Invalid capture filter 'udp prot 5060': can't parse filter expression: syntax error (capture filters use BPF syntax, see 'man pcap-filter').",
    });
  });

  it('an interface that does not exist, and anything else', () => {
    expect(classifyOpenFailure('nosuch0', '', 'No such device exists').kind).toBe('no-such-interface');
    expect(classifyOpenFailure('ifb0', '', 'That device is not up')).toEqual({ kind: 'capture-failed', message: 'Cannot capture on ifb0: That device is not up' });
  });
});
