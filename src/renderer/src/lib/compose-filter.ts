/**
 * Procedure chips: one click narrows the table to one or more IMS procedure groups. The values are the
 * engine's `ims.procedure` values (src/core/calls/fields.ts PROCEDURE_GROUPS; `sipscope fields ims.procedure`).
 */
export const PROCEDURE_CHIPS: readonly { label: string; procedure: string }[] = [
  { label: 'Registration', procedure: 'registration' },
  { label: 'Call setup', procedure: 'call-setup' },
  { label: 'Session modification', procedure: 'session-modification' },
  { label: 'Call release', procedure: 'call-release' },
  { label: 'Call cancellation', procedure: 'call-cancellation' },
  { label: 'Messaging', procedure: 'messaging' },
  { label: 'Supplementary services', procedure: 'supplementary-services' },
  { label: 'Subscription', procedure: 'subscription-notification' },
  { label: 'Capability query', procedure: 'capability-query' },
];

/**
 * The filter the back end receives: the user's text and the selected chips, joined by `&&`. The text is
 * parenthesised because `&&` binds tighter than `||` (`a || b && chips` would only narrow `b`). Chips are
 * written in the chips' order whatever order they were clicked in, so the same selection always gives the
 * same text (and one history entry); unknown chip values are ignored.
 */
export function composeFilter(text: string, chips: readonly string[]): string {
  const trimmed = text.trim();
  const selected = PROCEDURE_CHIPS.filter((chip) => chips.includes(chip.procedure)).map((chip) => `"${chip.procedure}"`);
  if (selected.length === 0) return trimmed;
  const procedures = `ims.procedure in {${selected.join(', ')}}`;
  return trimmed === '' ? procedures : `(${trimmed}) && ${procedures}`;
}

/** Adds or removes one chip. */
export function toggleChip(chips: readonly string[], procedure: string): string[] {
  return chips.includes(procedure) ? chips.filter((c) => c !== procedure) : [...chips, procedure];
}

/** `Call setup` for `call-setup`; an unknown group (`other`) as it is. */
export function procedureLabel(procedure: string): string {
  return PROCEDURE_CHIPS.find((chip) => chip.procedure === procedure)?.label ?? procedure;
}
