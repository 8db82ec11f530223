import { describe, expect, it } from 'vitest';
import { copyText } from '../../../src/renderer/src/detail/copy.js';
import { sampleDetail } from './sample-detail.js';

describe('copyText', () => {
  const raw = sampleDetail(3).raw;

  it('writes the raw message, unchanged, to the clipboard', async () => {
    const written: string[] = [];
    expect(await copyText({ writeText: async (t) => void written.push(t) }, raw)).toBe('copied');
    expect(written).toEqual([raw]);
  });

  it('says "copy failed" when the clipboard refuses, throws, or is not there', async () => {
    expect(await copyText({ writeText: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) }, raw)).toBe('copy failed');
    expect(
      await copyText(
        {
          writeText: () => {
            throw new TypeError('Illegal invocation');
          },
        },
        raw,
      ),
    ).toBe('copy failed');
    expect(await copyText(undefined, raw)).toBe('copy failed');
    expect(await copyText({} as never, raw)).toBe('copy failed');
  });
});
