import { describe, expect, it } from 'vitest';
import { PROCEDURE_GROUPS } from '../../../src/core/calls/fields.js';
import { compileDisplayFilter } from '../../../src/core/filter/filter.js';
import { PROCEDURE_CHIPS, composeFilter, procedureLabel, toggleChip } from '../../../src/renderer/src/lib/compose-filter.js';

describe('procedure chips', () => {
  it('use exactly the engine’s ims.procedure values (all but "other")', () => {
    expect(PROCEDURE_CHIPS.map((c) => c.procedure)).toEqual(PROCEDURE_GROUPS.filter((g) => g !== 'other'));
    expect(PROCEDURE_CHIPS.map((c) => c.label)).toEqual([
      'Registration', 'Call setup', 'Session modification', 'Call release', 'Call cancellation', 'Messaging', 'Supplementary services', 'Subscription', 'Capability query',
    ]);
  });
});

describe('composeFilter(text, chips)', () => {
  it('keeps the text alone when no chip is on', () => {
    expect(composeFilter('  sip.Method == "INVITE" ', [])).toBe('sip.Method == "INVITE"');
    expect(composeFilter('', [])).toBe('');
  });
  it('chips alone give an ims.procedure set, in chip order whatever the click order', () => {
    expect(composeFilter('', ['call-setup'])).toBe('ims.procedure in {"call-setup"}');
    expect(composeFilter(' ', ['messaging', 'registration'])).toBe('ims.procedure in {"registration", "messaging"}');
  });
  it('parenthesises the text so that || in it does not escape the chips', () => {
    expect(composeFilter('sip.Method == "BYE" || sip.Status-Code >= 400', ['call-release'])).toBe(
      '(sip.Method == "BYE" || sip.Status-Code >= 400) && ims.procedure in {"call-release"}',
    );
  });
  it('ignores unknown chip values', () => {
    expect(composeFilter('x', ['nope'])).toBe('x');
  });
  it('what it composes compiles with the real display-filter compiler', () => {
    for (const text of ['', 'sip.Method == "INVITE"', 'sip.Status-Code >= 400 || sip.Method == "CANCEL"']) {
      const composed = composeFilter(text, PROCEDURE_CHIPS.map((c) => c.procedure));
      const result = compileDisplayFilter(composed);
      expect(result.error, composed).toBeUndefined();
    }
  });
  it('procedureLabel names a group as its chip does', () => {
    expect(procedureLabel('subscription-notification')).toBe('Subscription');
    expect(procedureLabel('other')).toBe('other');
  });
  it('toggleChip adds and removes', () => {
    expect(toggleChip([], 'messaging')).toEqual(['messaging']);
    expect(toggleChip(['messaging', 'registration'], 'messaging')).toEqual(['registration']);
  });
});
