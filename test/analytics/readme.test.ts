/** The README's "Analytics" section and src/analytics/definitions.ts say the same (definitions written once). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFINITIONS } from '../../src/analytics/definitions';

describe('README "Analytics"', () => {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Analytics\n'), readme.indexOf('\n## Report\n'));
  it.each(Object.values(DEFINITIONS))('$title', (d) => {
    expect(section).toContain(`- **${d.title}.** ${d.text}`);
  });
});
