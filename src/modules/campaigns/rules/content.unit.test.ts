import { describe, expect, it } from 'vitest';
import { compileContent, phoneClass } from './content.ts';

describe('campaign content', () => {
  it('collects the links of every variant once, in order', () => {
    const { compiled, problems } = compileContent(
      'sms',
      {
        variants: [
          { key: 'A', split: 50, text: 'A {{link:https://a.example}} {{link:https://b.example}}' },
          { key: 'B', split: 50, text: 'B {{link:https://b.example}} {{firstName|Client}}' },
        ],
      },
      null,
    );
    expect(problems).toEqual([]);
    expect(compiled.links).toEqual(['https://a.example', 'https://b.example']);
    expect(compiled.personalised).toBe(true);
    expect(compiled.tracked).toBe(true);
  });

  it('asks each channel for what it needs', () => {
    expect(compileContent('sms', { variants: [{ key: 'A', split: 100, text: ' ' }] }, null).problems).toEqual([['/content/variants/0/text', 'the message text is required']]);
    expect(compileContent('email', { variants: [{ key: 'A', split: 100, html: '<p>x</p>' }] }, null).problems).toEqual([['/content/variants/0/subject', 'an email needs a subject']]);
    expect(compileContent('sms', { variants: [{ key: 'A', split: 100, text: 'x {{unsubscribe}}' }] }, null).problems[0]?.[1]).toContain('{{unsubscribe}} is for email');
    expect(compileContent('sms', { variants: [{ key: 'A', split: 100, text: 'x', suggestions: [{ type: 'reply', text: 'Oui' }] }] }, null).problems[0]?.[1]).toBe('suggestions are for RCS');
    expect(compileContent('email', { variants: [{ key: 'A', split: 100, subject: 'Hi', html: '<p>x</p>' }] }, null).compiled.tracked).toBe(true);
  });

  it('reports template problems with the variant path', () => {
    expect(compileContent('sms', { variants: [{ key: 'A', split: 100, text: 'Hi {{nom}}' }] }, null).problems[0]).toEqual(['/content/variants/0/text', expect.stringMatching(/^unknown merge field "nom" .*\(at character 4\)$/)]);
  });
});

describe('recipient classes', () => {
  it('groups numbers by their first 7 digits and length', () => {
    expect(phoneClass('+33612345678')).toBe('+3361234:12');
    expect(phoneClass('+33612340000')).toBe(phoneClass('+33612345678'));
    expect(phoneClass('+3361234567')).not.toBe(phoneClass('+33612345678'));
    expect(phoneClass('+262639123456')).not.toBe(phoneClass('+262692123456')); // Mayotte vs Réunion
  });
});
