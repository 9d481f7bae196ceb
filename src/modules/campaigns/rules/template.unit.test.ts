import { describe, expect, it } from 'vitest';
import { analyseSms } from '../../messaging/rules.ts';
import { escapeHtml, fieldsRead, LINK_MARKER, parseShortCode, parseTemplate, renderTemplate, shortLink } from './template.ts';

const links = { link: (index: number) => `https://s.example/r/TOKEN123${index}`, unsubscribe: () => 'https://s.example/unsubscribe/x' };
const render = (text: string, contact: Parameters<typeof renderTemplate>[1]) => {
  const { template, problems } = parseTemplate(text);
  expect(problems).toEqual([]);
  return renderTemplate(template, contact, links, (url) => template.links.indexOf(url));
};

describe('merge fields', () => {
  it('renders fields, and the fallback when the contact has no value', () => {
    expect(render('Bonjour {{firstName|Client}} !', { firstName: 'Léa' })).toBe('Bonjour Léa !');
    expect(render('Bonjour {{firstName|Client}} !', { firstName: null })).toBe('Bonjour Client !');
    expect(render('Bonjour {{firstName|Client}} !', { firstName: '   ' })).toBe('Bonjour Client !');
    expect(render('Bonjour {{ firstName | cher client }}', {})).toBe('Bonjour cher client');
  });

  it('renders an empty string for a field without fallback', () => {
    expect(render('A{{lastName}}B', {})).toBe('AB');
    expect(render('Ville: {{attributes.city|}}.', { attributes: {} })).toBe('Ville: .');
  });

  it('reads attributes, numbers and booleans included', () => {
    expect(render('{{attributes.city|?}} {{attributes.points|0}} {{attributes.vip|}}', { attributes: { city: 'Lyon', points: 120, vip: true } })).toBe('Lyon 120 true');
    expect(render('{{attributes.city|Paris}}', { attributes: { city: { nested: 1 } } })).toBe('Paris');
  });

  it('writes tracked links by their index in the campaign', () => {
    const { template } = parseTemplate('A {{link:https://shop.example/a}} B {{link:https://shop.example/b?x=1&y=2}}');
    expect(template.links).toEqual(['https://shop.example/a', 'https://shop.example/b?x=1&y=2']);
    expect(template.personalised).toBe(false);
    expect(renderTemplate(template, {}, links, (url) => ['x', ...template.links].indexOf(url))).toBe('A https://s.example/r/TOKEN1231 B https://s.example/r/TOKEN1232');
  });

  it('escapes the contact\'s values, never the template, when asked (email HTML)', () => {
    const { template } = parseTemplate('<p>Bonjour {{firstName|<b>toi</b>}}</p>');
    expect(renderTemplate(template, { firstName: '<script>x</script>' }, links, () => 0, escapeHtml)).toBe('<p>Bonjour &#60;script&#62;x&#60;/script&#62;</p>');
    expect(renderTemplate(template, {}, links, () => 0, escapeHtml)).toBe('<p>Bonjour &#60;b&#62;toi&#60;/b&#62;</p>');
  });

  it('says which fields the templates read', () => {
    const a = parseTemplate('{{firstName|x}} {{attributes.city|}}').template;
    const b = parseTemplate('{{pointOfSale|}} {{link:https://a.example}}').template;
    const read = fieldsRead([a, b]);
    expect([...read.fields].sort()).toEqual(['firstName', 'pointOfSale']);
    expect(read.attributes).toBe(true);
    expect(fieldsRead([parseTemplate('plain').template])).toEqual({ fields: new Set(), attributes: false });
  });
});

describe('template problems', () => {
  it('reports unknown fields, bad links, bad attribute keys and stray braces with their position', () => {
    expect(parseTemplate('Hi {{prenom}}').problems).toEqual([{ at: 3, message: expect.stringContaining('unknown merge field "prenom"') }]);
    expect(parseTemplate('{{link:ftp://x}}').problems[0]?.message).toContain('not an http(s) address');
    expect(parseTemplate('{{link:https://a b}}').problems[0]?.message).toContain('not an http(s) address');
    expect(parseTemplate('{{attributes.City|}}').problems[0]?.message).toContain('not an attribute key');
    expect(parseTemplate('Hi {{firstName').problems).toEqual([{ at: 3, message: 'unbalanced {{ or }}' }]);
    expect(parseTemplate(`x${LINK_MARKER}`).problems[0]?.message).toContain('reserved');
  });
});

describe('short links', () => {
  it('round-trips a token and an index, and refuses anything else', () => {
    const url = shortLink('https://s.example/', 'Ab-_9xYz', 11);
    expect(url).toBe('https://s.example/r/Ab-_9xYzb');
    expect(parseShortCode('Ab-_9xYzb')).toEqual({ token: 'Ab-_9xYz', index: 11 });
    expect(parseShortCode('Ab-_9xYz')).toBeNull();
    expect(parseShortCode('Ab-_9x/zb')).toBeNull();
    expect(parseShortCode('Ab-_9xYz!')).toBeNull();
  });

  it('costs the same in an SMS whatever the token (every token character is GSM-7 basic)', () => {
    const a = analyseSms(`Soldes ${shortLink('https://s.example', 'AAAAAAAA', 0)}`);
    const b = analyseSms(`Soldes ${shortLink('https://s.example', 'z-_09Zq_', 0)}`);
    expect(a.encoding).toBe('GSM-7');
    expect([b.encoding, b.characters, b.segments]).toEqual([a.encoding, a.characters, a.segments]);
  });
});
